//! The service owner's pages: message services, compose and send, and what became of each send.
//! Open to persons holding the sending package of a service-owner organisation; every page names
//! the owner (`owner` in the URL) and is refused (404) to anyone who may not send for it.

mod compose;
mod reports;
mod sent;
mod services;
mod upload;

use actix_web::{HttpResponse, get, web};
use askama::Template;
use diesel::PgConnection;

use crate::sending::owners::{self, Owner};
use crate::state::AppState;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(admin_home)
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
        .service(sent::one);
}

/// The owner named in the URL, if the person may send for it; otherwise 404.
pub(crate) fn owner(conn: &mut PgConnection, person: i64, id: i64) -> Result<Owner, AppError> {
    owners::of_person(conn, person, Some(id))?
        .pop()
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct HomePage {
    ctx: PageCtx,
    owners: Vec<Owner>,
}

/// Which service owner to work for. One owner goes straight to its services.
#[get("/admin")]
async fn admin_home(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owners = blocking(move || {
        let mut conn = pool.get()?;
        Ok(owners::of_person(&mut conn, user.person_id, None)?)
    })
    .await?;
    render(&HomePage { ctx, owners })
}
