//! The service owner's start page, and the check every owner page makes first: may this person
//! send for the owner named in the URL.

use actix_web::{HttpResponse, get, web};
use askama::Template;
use diesel::PgConnection;

use crate::sending::owners::{self, Owner};
use crate::state::AppState;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render};

/// The owner named in the URL, if the person may send for it; otherwise 404.
pub(super) fn owner(conn: &mut PgConnection, person: i64, id: i64) -> Result<Owner, AppError> {
    owners::of_person(conn, person, Some(id))?
        .pop()
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "owner/index.html")]
struct HomePage {
    ctx: PageCtx,
    owners: Vec<Owner>,
}

/// Which service owner to work for. One owner goes straight to its services.
#[get("/admin")]
pub(super) async fn page(
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
