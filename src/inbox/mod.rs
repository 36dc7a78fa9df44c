//! The recipient's inbox: party picker, folders, search, the message, attachments, confirmation.

pub mod message;
mod pages;
pub mod query;
mod zip_stream;

pub use pages::routes;
