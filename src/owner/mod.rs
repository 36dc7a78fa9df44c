//! The service owner's pages: message services, compose and send, and what became of each send.
//! Open to persons holding the sending package of a service-owner organisation; every page names
//! the owner (`owner` in the URL) and is refused (404) to anyone who may not send for it.

mod compose;
mod events;
mod form;
mod home;
mod reports;
mod sent;
mod services;
mod transfers;
mod upload;

use actix_web::web;

use home::owner;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home::page)
        .service(services::list)
        .service(services::new_form)
        .service(services::edit_form)
        .service(services::save)
        .service(compose::compose_form)
        .service(compose::submit)
        .service(upload::upload_form)
        .service(upload::upload)
        .service(reports::page)
        .service(reports::save_contact)
        .service(sent::list)
        .service(sent::export)
        .service(sent::withdraw)
        .service(sent::one)
        .service(transfers::list)
        .service(transfers::new_form)
        .service(transfers::edit_form)
        .service(transfers::save)
        .service(events::page);
}
