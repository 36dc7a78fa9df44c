//! The recipient's inbox: party picker, folders, search, the message, attachments, confirmation.

pub mod message;
mod pages;
pub mod query;

pub use pages::routes;
