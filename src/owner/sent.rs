//! What became of each send: the list of sends, and per send each recipient's status, when it
//! was opened and confirmed, how many persons can read it, and the notification outcomes. After
//! publishing the sender sees status and metadata, never the content.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Deserialize;
use uuid::Uuid;

use super::owner;
use crate::db::Prepared;
use crate::sending::owners::Owner;
use crate::state::AppState;
use crate::web::i18n::{self, date_time};
use crate::web::pages::{ConfirmPage, Confirmation};
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render};

#[derive(QueryableByName)]
struct SendingRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    service: String,
    #[diesel(sql_type = Text)]
    title: String,
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
    pub title: String,
    pub service: String,
    pub reference: String,
    pub when: String,
    pub recipients: i64,
    pub opened: i64,
    pub not_delivered: i64,
}

#[derive(Template)]
#[template(path = "owner/sent.html")]
struct ListPage {
    ctx: PageCtx,
    owner: Owner,
    sendings: Vec<SendingView>,
    filters: SentQuery,
    /// (id, title, selected)
    services: Vec<(String, String, bool)>,
}

impl ListPage {
    fn filter(&self, value: &Option<String>) -> String {
        value.clone().unwrap_or_default()
    }

    fn shows(&self, what: &str) -> bool {
        self.filters.show.as_deref() == Some(what)
    }
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct SentQuery {
    owner: i64,
    done: Option<String>,
    n: Option<i64>,
    /// Filters of the list: service, sender's reference (prefix), from/to dates and one of
    /// `unread`, `notification_failed`, `nobody`.
    service: Option<String>,
    reference: Option<String>,
    from: Option<String>,
    to: Option<String>,
    show: Option<String>,
}

impl SentQuery {
    fn date(value: Option<&str>) -> Option<chrono::NaiveDate> {
        value.and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    }
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
    let lang = ctx.lang;
    let l = lang.code();
    let f = query.clone();
    let (owner, rows, services) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let services = super::compose::service_choices(&mut conn, owner.id, lang, "")?;
        let mut filters = String::new();
        let service = f.service.clone().filter(|s| !s.is_empty());
        if service.is_some() {
            filters.push_str("AND g.service_id = $2 ");
        }
        let reference = f.reference.clone().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        if reference.is_some() {
            filters.push_str(
                "AND EXISTS (SELECT 1 FROM correspondences c WHERE c.sending_id = g.id \
                   AND c.sender_id = $1 AND c.senders_reference LIKE replace(replace($3, '%', ''), '_', '') || '%') ",
            );
        }
        let from = SentQuery::date(f.from.as_deref());
        if from.is_some() {
            filters.push_str("AND g.created_at >= $4::date ");
        }
        let to = SentQuery::date(f.to.as_deref());
        if to.is_some() {
            filters.push_str("AND g.created_at < $5::date + 1 ");
        }
        match f.show.as_deref() {
            Some("unread") => filters.push_str(
                "AND EXISTS (SELECT 1 FROM correspondences c WHERE c.sending_id = g.id \
                   AND c.status IN ('Published', 'Fetched') AND c.first_read_at IS NULL) ",
            ),
            Some("notification_failed") => filters.push_str(
                "AND EXISTS (SELECT 1 FROM correspondences c JOIN notifications n ON n.correspondence_id = c.id \
                   WHERE c.sending_id = g.id AND n.state = 'failed' AND n.kind <> 'forward') ",
            ),
            Some("nobody") => filters.push_str(
                "AND EXISTS (SELECT 1 FROM correspondences c WHERE c.sending_id = g.id \
                   AND NOT EXISTS (SELECT 1 FROM service_readers(c.recipient_id, c.service_id))) ",
            ),
            _ => {}
        }
        let rows: Vec<SendingRow> = diesel::sql_query(format!(
            "SELECT g.id, s.title_{l} AS service, \
                    coalesce((SELECT c.senders_reference FROM correspondences c WHERE c.sending_id = g.id LIMIT 1), '') AS reference, \
                    coalesce((SELECT c.title FROM correspondences c WHERE c.sending_id = g.id LIMIT 1), '') AS title, \
                    g.created_at, \
                    (SELECT count(*) FROM correspondences c WHERE c.sending_id = g.id) AS recipients, \
                    (SELECT count(*) FROM correspondences c WHERE c.sending_id = g.id AND c.first_read_at IS NOT NULL) AS opened, \
                    (SELECT count(*) FROM correspondences c WHERE c.sending_id = g.id AND c.status IN ('Reserved', 'Failed')) AS not_delivered \
             FROM sendings g JOIN services s ON s.id = g.service_id \
             WHERE g.sender_id = $1 {filters} ORDER BY g.created_at DESC, g.id DESC LIMIT 100"
        ))
        .bind::<BigInt, _>(owner.id)
        .bind::<Nullable<Text>, _>(service)
        .bind::<Nullable<Text>, _>(reference)
        .bind::<Nullable<diesel::sql_types::Date>, _>(from)
        .bind::<Nullable<diesel::sql_types::Date>, _>(to)
        .load(&mut conn)?;
        Ok((owner, rows, services))
    })
    .await?;
    let sendings = rows
        .into_iter()
        .map(|r| SendingView {
            href: format!("/admin/sent/{}?owner={}", r.id, owner.id),
            title: r.title,
            service: r.service,
            reference: r.reference,
            when: date_time(ctx.lang, &r.created_at),
            recipients: r.recipients,
            opened: r.opened,
            not_delivered: r.not_delivered,
        })
        .collect();
    let services = services
        .into_iter()
        .map(|s| {
            let selected = query.service.as_deref() == Some(s.id.as_str());
            (s.id, s.title, selected)
        })
        .collect();
    render(&ListPage {
        ctx,
        owner,
        sendings,
        filters: query.into_inner(),
        services,
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
    /// Each notice as "kind:channel:state" ("initial:email:sent").
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    notices: Vec<String>,
}

/// A notice's outcome in words: "Varsel på e-post: sendt".
fn notice_outcome(lang: crate::domain::Language, notice: &str) -> String {
    let mut parts = notice.splitn(3, ':');
    let (kind, channel, state) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    i18n::text_with(
        lang,
        "notice-outcome",
        &[
            (
                "kind",
                i18n::text(lang, &format!("notification-kind-{kind}")),
            ),
            ("channel", i18n::text(lang, &format!("channel-{channel}"))),
            ("state", i18n::text(lang, &format!("notice-state-{state}"))),
        ],
    )
}

pub(super) struct RecipientView {
    pub label: String,
    pub status_code: String,
    pub status: String,
    pub failure: Option<String>,
    pub published: String,
    pub opened: Option<String>,
    pub confirmed: Option<String>,
    pub readers: i64,
    pub notifications: String,
}

#[derive(Template)]
#[template(path = "owner/sending.html")]
struct SendingPage {
    ctx: PageCtx,
    owner: Owner,
    id: Uuid,
    service: String,
    recipients: Vec<RecipientView>,
    /// A confirmation line ("sent", or how many were withdrawn).
    done: Option<String>,
    /// Messages not yet published, which may still be withdrawn.
    unpublished: usize,
    /// For a CSV send: its state, progress and rejected lines.
    mass: Option<MassView>,
}

pub(super) struct MassView {
    pub state: String,
    pub progress: String,
    /// (line number, value, reason)
    pub rejected: Vec<(i64, String, String)>,
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
    let (owner, service, rows, mass) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        // Only the owner's own sends exist here.
        #[derive(QueryableByName)]
        struct Service {
            #[diesel(sql_type = Text)]
            title: String,
        }
        let service: Service = diesel::sql_query(format!(
            "SELECT coalesce((SELECT c.title FROM correspondences c WHERE c.sending_id = g.id LIMIT 1), '') \
                    || ' (' || s.title_{l} || ')' AS title \
             FROM sendings g JOIN services s ON s.id = g.service_id \
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
                    ARRAY(SELECT n.kind || ':' || n.channel || ':' || n.state FROM notifications n \
                          WHERE n.correspondence_id = c.id AND n.kind <> 'forward' ORDER BY n.kind, n.channel, n.id) AS notices \
             FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
             WHERE c.sending_id = $1 ORDER BY p.name, c.id LIMIT 1000",
        )
        .bind::<SqlUuid, _>(id)
        .load(&mut conn)?;
        let mass: Option<(String, i32, i32, i32, serde_json::Value)> = {
            use crate::db::schema::mass_sends as m;
            m::table
                .find(id)
                .select((m::state, m::lines, m::stored, m::rejected, m::rejected_lines))
                .first(&mut conn)
                .optional()?
        };
        Ok((owner, service.title, rows, mass))
    })
    .await?;
    let mass = mass.map(|(state, lines, stored, rejected, lines_json)| {
        let rejected_lines = lines_json
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| {
                        (
                            r["line"].as_i64().unwrap_or(0),
                            r["value"].as_str().unwrap_or("").to_owned(),
                            i18n::text(ctx.lang, r["reason"].as_str().unwrap_or("")),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        MassView {
            state: i18n::text(ctx.lang, &format!("mass-state-{state}")),
            progress: i18n::text_with(
                ctx.lang,
                "mass-progress",
                &[
                    ("lines", lines.to_string()),
                    ("stored", stored.to_string()),
                    ("rejected", rejected.to_string()),
                ],
            ),
            rejected: rejected_lines,
        }
    });
    let recipients: Vec<RecipientView> = rows
        .into_iter()
        .map(|r| RecipientView {
            label: crate::access::parties::label(&r.name, r.org_number.as_deref()),
            status: i18n::text(ctx.lang, &format!("status-{}", r.status)),
            status_code: r.status,
            failure: r.failure_reason,
            published: date_time(ctx.lang, &r.published_at),
            opened: r.first_read_at.map(|t| date_time(ctx.lang, &t)),
            confirmed: r.confirmed_at.map(|t| date_time(ctx.lang, &t)),
            readers: r.readers,
            notifications: if r.notices.is_empty() {
                ctx.t("notice-none")
            } else {
                r.notices
                    .iter()
                    .map(|n| notice_outcome(ctx.lang, n))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        })
        .collect();
    let done = match query.done.as_deref() {
        Some("sent") => Some(ctx.t("sent-done")),
        Some("started") => Some(ctx.t("mass-started")),
        Some("withdrawn") => {
            Some(ctx.t1("sent-withdrawn", "count", &query.n.unwrap_or(0).to_string()))
        }
        _ => None,
    };
    render(&SendingPage {
        unpublished: recipients
            .iter()
            .filter(|r| r.status_code == "ReadyForPublish")
            .count(),
        done,
        mass,
        ctx,
        owner,
        id,
        service,
        recipients,
    })
}

/// The send, if it is the owner's.
fn own_sending(conn: &mut PgConnection, owner: i64, id: Uuid) -> Result<(), AppError> {
    use crate::db::schema::sendings;
    sendings::table
        .filter(sendings::id.eq(id))
        .filter(sendings::sender_id.eq(owner))
        .select(sendings::id)
        .first::<Uuid>(conn)
        .optional()?
        .map(|_| ())
        .ok_or(AppError::NotFound)
}

/// Withdraws what is not yet published: those messages become PurgedByService and their
/// notices are cancelled. Published messages are the recipients' and stay.
#[post("/admin/sent/{id}/withdraw")]
pub(super) async fn withdraw(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<Uuid>,
    query: web::Query<SentQuery>,
    form: crate::web::form::Form<Confirmation>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let id = path.into_inner();
    let person = user.person_id;
    if !form.given() {
        // First the check step: how many messages go, and that published ones stay.
        let (owner, count) = blocking(move || {
            let mut conn = pool.get()?;
            let owner = owner(&mut conn, person, owner_id)?;
            own_sending(&mut conn, owner.id, id)?;
            let n = crate::sending::withdrawable(
                &mut conn,
                crate::sending::Withdraw::Sending(id),
                owner.id,
            )?;
            Ok((owner, n))
        })
        .await?;
        let lang = ctx.lang;
        let count = [("count", count.to_string())];
        return crate::web::render(&ConfirmPage {
            heading: i18n::text_with(lang, "sent-withdraw-confirm-heading", &count),
            text: i18n::text(lang, "sent-withdraw-confirm-text"),
            action: format!("/admin/sent/{id}/withdraw?owner={owner_id}"),
            confirm_label: i18n::text(lang, "sent-withdraw-confirm-button"),
            cancel: format!("/admin/sent/{id}?owner={owner_id}"),
            acting: Some((owner.name.clone(), owner.number())),
            ctx,
        });
    }
    let withdrawn = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, person, owner_id)?;
        own_sending(&mut conn, owner.id, id)?;
        let n = conn.transaction(|conn| {
            let n = crate::sending::withdraw(
                conn,
                crate::sending::Withdraw::Sending(id),
                owner.id,
                Some(person),
            )?;
            let mut entry = crate::audit::Entry::new("sending_withdrawn");
            entry.actor = Some(person);
            entry.acting_for = Some(owner.id);
            entry.target = Some(("sending", id.to_string()));
            entry.details = serde_json::json!({ "withdrawn": n });
            crate::audit::record(conn, entry)?;
            Ok::<_, diesel::result::Error>(n)
        })?;
        Ok(n)
    })
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/admin/sent/{id}?owner={owner_id}&done=withdrawn&n={withdrawn}"),
        ))
        .finish())
}

/// One CSV field, quoted when it needs to be, and never read as a formula by a spreadsheet.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Every recipient of the send as CSV, streamed page by page (keyset on the message id).
#[get("/admin/sent/{id}/recipients.csv")]
pub(super) async fn export(
    user: CurrentUser,
    path: web::Path<Uuid>,
    query: web::Query<SentQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let id = path.into_inner();
    let check = pool.clone();
    blocking(move || {
        let mut conn = check.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        own_sending(&mut conn, owner.id, id)
    })
    .await?;
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        number: String,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Timestamptz)]
        published_at: DateTime<Utc>,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        first_read_at: Option<DateTime<Utc>>,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        confirmed_at: Option<DateTime<Utc>>,
        #[diesel(sql_type = Text)]
        notifications: String,
    }
    let stream = crate::web::stream::written("recipient export", move |out| {
        let mut conn = pool.get()?;
        writeln!(
            out,
            "message_id,recipient,recipient_number,status,published_at,opened_at,confirmed_at,notifications"
        )?;
        let mut after = Uuid::nil();
        loop {
            let lines: Vec<Line> = Prepared(
                diesel::sql_query(
                    "SELECT c.id, p.name, coalesce(p.org_number, left(p.national_id, 6) || ' *****') AS number, c.status, \
                            c.published_at, c.first_read_at, c.confirmed_at, \
                            coalesce((SELECT string_agg(n.kind || ' ' || n.channel || ': ' || n.state, '; ' ORDER BY n.kind, n.channel, n.id) \
                                      FROM notifications n WHERE n.correspondence_id = c.id AND n.kind <> 'forward'), '') AS notifications \
                     FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
                     WHERE c.sending_id = $1 AND c.id > $2 ORDER BY c.id LIMIT 5000",
                )
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(after),
            )
            .load(&mut conn)?;
            let Some(last) = lines.last() else { break };
            after = last.id;
            let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
            for l in &lines {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{}",
                    l.id,
                    csv_field(&l.name),
                    csv_field(&l.number),
                    l.status,
                    l.published_at.to_rfc3339(),
                    time(l.first_read_at),
                    time(l.confirmed_at),
                    csv_field(&l.notifications)
                )?;
            }
        }
        Ok(())
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"recipients-{id}.csv\""),
        ))
        .streaming(stream))
}
