//! Parties, roles, access packages and delegations, and THE authorization decision.

pub mod decision;
pub mod grants;
pub(crate) mod pages;
pub mod parties;
pub mod reference;

pub use decision::{Actor, MessageAccess};
pub use pages::routes;
