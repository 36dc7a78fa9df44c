//! The reports page: the reports of `sending::reports` for one owner, and the address the weekly
//! report goes to.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;

use super::owner;
use crate::sending::owners::Owner;
use crate::sending::reports::{ReportView, group, reports};
use crate::state::AppState;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render, render_status};

#[derive(Template)]
#[template(path = "owner/reports.html")]
struct ReportsPage {
    ctx: PageCtx,
    owner: Owner,
    days: i32,
    reports: Vec<ReportView>,
    /// Where the weekly report goes (empty: nowhere), as stored or as typed.
    contact_email: String,
    contact_error: Option<String>,
    saved: bool,
}

#[derive(Deserialize)]
pub(super) struct ReportsQuery {
    owner: i64,
    days: Option<i32>,
    saved: Option<String>,
}

fn contact_email(conn: &mut PgConnection, owner: i64) -> QueryResult<Option<String>> {
    use crate::db::schema::service_owners;
    service_owners::table
        .find(owner)
        .select(service_owners::contact_email)
        .first(conn)
}

#[derive(Deserialize)]
pub(super) struct ContactForm {
    #[serde(default)]
    contact_email: String,
}

/// Whether `address` is an e-mail address the weekly report can go to.
fn valid_email(address: &str) -> bool {
    address.chars().count() <= 254
        && address.parse::<lettre::Address>().is_ok()
        && !address.chars().any(char::is_whitespace)
}

/// Sets (or, empty, clears) the address the weekly report of unread mail goes to.
#[post("/admin/reports/contact")]
pub(super) async fn save_contact(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<ReportsQuery>,
    form: crate::web::form::Form<ContactForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let address = form.contact_email.trim().to_owned();
    if !address.is_empty() && !valid_email(&address) {
        let lang = ctx.lang;
        let (owner, rows) = blocking(move || {
            let mut conn = pool.get()?;
            let owner = owner(&mut conn, user.person_id, owner_id)?;
            let rows = reports(&mut conn, owner.id, 7, lang, Utc::now())?;
            Ok((owner, rows))
        })
        .await?;
        let error = ctx.t("reports-contact-error");
        return render_status(
            &ReportsPage {
                reports: group(ctx.lang, &rows),
                ctx,
                owner,
                days: 7,
                contact_email: address,
                contact_error: Some(error),
                saved: false,
            },
            actix_web::http::StatusCode::BAD_REQUEST,
        );
    }
    blocking(move || {
        use crate::db::schema::service_owners;
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        conn.transaction(|conn| {
            diesel::update(service_owners::table.find(owner.id))
                .set(service_owners::contact_email.eq(Some(&address).filter(|a| !a.is_empty())))
                .execute(conn)?;
            let mut entry = crate::audit::Entry::new("report_contact_changed");
            entry.actor = Some(user.person_id);
            entry.acting_for = Some(owner.id);
            crate::audit::record(conn, entry)
        })?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/admin/reports?owner={owner_id}&saved=1"),
        ))
        .finish())
}

#[get("/admin/reports")]
pub(super) async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<ReportsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let days = query.days.unwrap_or(7).clamp(1, 365);
    let lang = ctx.lang;
    let (owner, rows, contact) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let rows = reports(&mut conn, owner.id, days, lang, Utc::now())?;
        let contact = contact_email(&mut conn, owner.id)?;
        Ok((owner, rows, contact))
    })
    .await?;
    render(&ReportsPage {
        reports: group(ctx.lang, &rows),
        ctx,
        owner,
        days,
        contact_email: contact.unwrap_or_default(),
        contact_error: None,
        saved: query.saved.is_some(),
    })
}
