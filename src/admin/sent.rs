//! What became of each send: the list of sends, and per send each recipient's status, when it
//! was opened and confirmed, how many persons can read it, and the notification outcomes. After
//! publishing the sender sees status and metadata, never the content.

use actix_web::{HttpResponse, get, web};
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Deserialize;
use uuid::Uuid;

use super::{Owner, owner};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::web::i18n::{self, date_time};
use crate::web::{AppError, PageCtx, blocking, render};

#[derive(QueryableByName)]
struct SendingRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    service: String,
    #[diesel(sql_type = Text)]
    reference: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    recipients: i64,
    #[diesel(sql_type = BigInt)]
    opened: i64,
    #[diesel(sql_type = BigInt)]
    not_delivered: i64,
}

pub(super) struct SendingView {
    pub href: String,
    pub service: String,
    pub reference: String,
    pub when: String,
    pub recipients: i64,
    pub opened: i64,
    pub not_delivered: i64,
}

#[derive(Template)]
#[template(path = "admin/sent.html")]
struct ListPage {
    ctx: PageCtx,
    owner: Owner,
    sendings: Vec<SendingView>,
}

#[derive(Deserialize)]
pub(super) struct SentQuery {
    owner: i64,
    done: Option<String>,
}

#[get("/admin/sent")]
pub(super) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<SentQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let l = ctx.lang.code();
    let (owner, rows) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let rows: Vec<SendingRow> = diesel::sql_query(format!(
            "SELECT g.id, s.title_{l} AS service, \
                    coalesce((SELECT c.senders_reference FROM correspondences c WHERE c.sending_id = g.id LIMIT 1), '') AS reference, \
                    g.created_at, \
                    (SELECT count(*) FROM correspondences c WHERE c.sending_id = g.id) AS recipients, \
                    (SELECT count(*) FROM correspondences c WHERE c.sending_id = g.id AND c.first_read_at IS NOT NULL) AS opened, \
                    (SELECT count(*) FROM correspondences c WHERE c.sending_id = g.id AND c.status IN ('Reserved', 'Failed')) AS not_delivered \
             FROM sendings g JOIN services s ON s.id = g.service_id \
             WHERE g.sender_id = $1 ORDER BY g.created_at DESC, g.id DESC LIMIT 100"
        ))
        .bind::<BigInt, _>(owner.id)
        .load(&mut conn)?;
        Ok((owner, rows))
    })
    .await?;
    let sendings = rows
        .into_iter()
        .map(|r| SendingView {
            href: format!("/admin/sent/{}?owner={}", r.id, owner.id),
            service: r.service,
            reference: r.reference,
            when: date_time(ctx.lang, &r.created_at),
            recipients: r.recipients,
            opened: r.opened,
            not_delivered: r.not_delivered,
        })
        .collect();
    render(&ListPage {
        ctx,
        owner,
        sendings,
    })
}

#[derive(QueryableByName)]
struct RecipientRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    org_number: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    failure_reason: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    published_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    first_read_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    confirmed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    readers: i64,
    /// "email: sent, sms: queued, reminder email: queued"
    #[diesel(sql_type = Text)]
    notifications: String,
}

pub(super) struct RecipientView {
    pub label: String,
    pub status: String,
    pub failure: Option<String>,
    pub published: String,
    pub opened: Option<String>,
    pub confirmed: Option<String>,
    pub readers: i64,
    pub notifications: String,
}

#[derive(Template)]
#[template(path = "admin/sending.html")]
struct SendingPage {
    ctx: PageCtx,
    owner: Owner,
    service: String,
    recipients: Vec<RecipientView>,
    done: bool,
}

#[get("/admin/sent/{id}")]
pub(super) async fn one(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<Uuid>,
    query: web::Query<SentQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let id = path.into_inner();
    let l = ctx.lang.code();
    let (owner, service, rows) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        // Only the owner's own sends exist here.
        #[derive(QueryableByName)]
        struct Service {
            #[diesel(sql_type = Text)]
            title: String,
        }
        let service: Service = diesel::sql_query(format!(
            "SELECT s.title_{l} AS title FROM sendings g JOIN services s ON s.id = g.service_id \
             WHERE g.id = $1 AND g.sender_id = $2"
        ))
        .bind::<SqlUuid, _>(id)
        .bind::<BigInt, _>(owner.id)
        .get_result(&mut conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
        let rows: Vec<RecipientRow> = diesel::sql_query(
            "SELECT p.name, p.org_number, c.status, c.failure_reason, c.published_at, c.first_read_at, c.confirmed_at, \
                    (SELECT count(*) FROM service_readers(c.recipient_id, c.service_id)) AS readers, \
                    coalesce((SELECT string_agg(n.kind || ' ' || n.channel || ': ' || n.state, ', ' ORDER BY n.kind, n.channel, n.id) \
                              FROM notifications n WHERE n.correspondence_id = c.id), '') AS notifications \
             FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
             WHERE c.sending_id = $1 ORDER BY p.name, c.id LIMIT 1000",
        )
        .bind::<SqlUuid, _>(id)
        .load(&mut conn)?;
        Ok((owner, service.title, rows))
    })
    .await?;
    let recipients = rows
        .into_iter()
        .map(|r| RecipientView {
            label: crate::access::parties::label(&r.name, r.org_number.as_deref()),
            status: i18n::text(ctx.lang, &format!("status-{}", r.status)),
            failure: r.failure_reason,
            published: date_time(ctx.lang, &r.published_at),
            opened: r.first_read_at.map(|t| date_time(ctx.lang, &t)),
            confirmed: r.confirmed_at.map(|t| date_time(ctx.lang, &t)),
            readers: r.readers,
            notifications: r.notifications,
        })
        .collect();
    render(&SendingPage {
        done: query.done.as_deref() == Some("sent"),
        ctx,
        owner,
        service,
        recipients,
    })
}
