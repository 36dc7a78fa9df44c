//! The recipient's inbox: party picker, folders, search, the message, attachments, confirmation.

mod listing;
pub mod message;
mod pages;
mod picker;
pub mod query;
mod reading;
pub mod zip_stream;

pub use pages::routes;
