//! The service owner's pages: message services, compose and send, and what became of each send.
//! Open to persons holding the sending package of a service-owner organisation; every page names
//! the owner (`owner` in the URL) and is refused (404) to anyone who may not send for it.

pub mod attachments;
pub mod compose;
pub mod mass;
pub mod reports;
pub mod send;
mod sent;
mod services;
pub(crate) mod upload;

use actix_web::{HttpResponse, get, web};
use askama::Template;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Prepared;
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

/// A service owner the person may send for.
#[derive(QueryableByName, Debug, Clone)]
pub struct Owner {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
}

/// The service owners the person holds the sending package for (only `only`, when given).
fn owners(conn: &mut PgConnection, person: i64, only: Option<i64>) -> QueryResult<Vec<Owner>> {
    Prepared(
        diesel::sql_query(
            "SELECT o.party_id AS id, p.name FROM service_owners o JOIN parties p ON p.id = o.party_id \
             WHERE ($2::bigint IS NULL OR o.party_id = $2) \
               AND EXISTS (SELECT 1 FROM access_grants($1, o.party_id) g WHERE g.package_id = 'service-owner-send') \
             ORDER BY p.name",
        )
        .bind::<BigInt, _>(person)
        .bind::<diesel::sql_types::Nullable<BigInt>, _>(only),
    )
    .load(conn)
}

/// The service owners the person holds the sending package for.
pub fn owners_of(conn: &mut PgConnection, person: i64) -> QueryResult<Vec<Owner>> {
    owners(conn, person, None)
}

/// The owner named in the URL, if the person may send for it; otherwise 404.
pub(crate) fn owner(conn: &mut PgConnection, person: i64, id: i64) -> Result<Owner, AppError> {
    owners(conn, person, Some(id))?
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
        Ok(owners_of(&mut conn, user.person_id)?)
    })
    .await?;
    render(&HomePage { ctx, owners })
}
