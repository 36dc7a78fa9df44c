//! Value types that parse, not validate: once a value has one of these types it is known good.

mod identifiers;
mod language;
mod login_level;
mod party_kind;
mod status;
pub mod time;

pub use identifiers::{
    IdError, NationalId, OrgNumber, PartyRef, TestIds, grouped_org_number, masked_national_id,
};
pub use language::Language;
pub use login_level::LoginLevel;
pub use party_kind::PartyKind;
pub use status::Status;
