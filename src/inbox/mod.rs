//! The recipient's inbox: party picker, folders, search, the message, attachments, confirmation.

use actix_web::web;

pub mod filters;
pub mod forward;
mod listing;
pub mod message;
mod picker;
pub mod query;
mod reading;
mod view;
pub mod zip_stream;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(listing::inbox_page)
        .service(picker::picker_page)
        .service(picker::toggle_favourite)
        .service(listing::bulk_action)
        .service(reading::message_page)
        .service(reading::download_all)
        .service(reading::download)
        .service(reading::confirm_message)
        .service(reading::move_message);
}
