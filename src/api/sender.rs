//! The sender's side: search its messages (filters, keyset paging through any number of results:
//! Altinn returns at most 1,000 ids without paging) and one message's overview. A sender sees
//! status and metadata, never the body: after publishing, the mail is the recipient's.

use actix_web::{HttpRequest, HttpResponse, get, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::problem::Problem;
use super::token::SCOPE_WRITE;
use super::{Caller, authenticate};
use crate::admin::Owner;
use crate::app::AppState;
use crate::domain::Status;
use crate::notify::outbox::MASKED_ADDRESS;
use crate::web::blocking;

/// The service owner the client organisation sends for (its own organisation).
pub(super) fn owner_of(conn: &mut PgConnection, caller: &Caller) -> Result<Owner, Problem> {
    diesel::sql_query(
        "SELECT o.party_id AS id, p.name FROM service_owners o JOIN parties p ON p.id = o.party_id \
         WHERE p.org_number = $1 AND NOT p.is_deleted",
    )
    .bind::<Text, _>(caller.client.org_number.as_str())
    .get_result::<Owner>(conn)
    .optional()?
    .ok_or_else(Problem::not_a_sender)
}

/// Runs `work` on a blocking thread with a connection and the caller's service owner.
pub(super) async fn as_owner<T, F>(state: &AppState, caller: Caller, work: F) -> Result<T, Problem>
where
    F: FnOnce(&mut PgConnection, Owner) -> Result<T, Problem> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    blocking(move || {
        let mut conn = pool.get()?;
        Ok(owner_of(&mut conn, &caller).and_then(|owner| work(&mut conn, owner)))
    })
    .await?
}

/// One of the owner's sent messages.
fn sent_row(conn: &mut PgConnection, owner: i64, id: Uuid) -> Result<Row, Problem> {
    diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM correspondences c \
         JOIN parties p ON p.id = c.recipient_id JOIN parties o ON o.id = c.sender_id \
         WHERE c.id = $1 AND c.sender_id = $2"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(owner)
    .get_result(conn)
    .optional()?
    .ok_or_else(Problem::not_found)
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    service_id: String,
    #[diesel(sql_type = Text)]
    sender_org: String,
    #[diesel(sql_type = Text)]
    senders_reference: String,
    #[diesel(sql_type = Nullable<Text>)]
    display_sender: Option<String>,
    #[diesel(sql_type = Text)]
    recipient: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Timestamptz)]
    status_changed_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    published_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Bool)]
    confirmation_needed: bool,
    #[diesel(sql_type = Text)]
    language: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Nullable<Text>)]
    summary: Option<String>,
    #[diesel(sql_type = Jsonb)]
    external_references: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    reply_links: serde_json::Value,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    first_read_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    confirmed_at: Option<DateTime<Utc>>,
}

/// A party's URN (SQL over the `parties` row aliased `p`), as the API names recipients.
macro_rules! party_urn {
    () => {
        "CASE p.kind WHEN 'person' THEN 'urn:altinn:person:identifier-no:' || p.national_id \
         ELSE 'urn:altinn:organization:identifier-no:' || p.org_number END"
    };
}
pub(super) use party_urn;

const COLUMNS: &str = concat!(
    "c.id, c.service_id, o.org_number AS sender_org, c.senders_reference, c.display_sender, ",
    party_urn!(),
    " AS recipient, \
     c.status, c.status_changed_at, c.created_at, c.published_at, c.due_at, c.confirmation_needed, \
     c.language, c.title, c.summary, c.external_references, c.reply_links, c.first_read_at, c.confirmed_at"
);

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = MessageContent)]
pub(super) struct Content {
    language: String,
    message_title: String,
    message_summary: Option<String>,
}

/// A message as its sender sees it (Altinn's `CorrespondenceOverview`, without the body).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CorrespondenceOverview)]
pub(super) struct Overview {
    correspondence_id: Uuid,
    resource_id: String,
    sender: String,
    senders_reference: String,
    message_sender: Option<String>,
    recipient: String,
    status: String,
    status_changed: DateTime<Utc>,
    created: DateTime<Utc>,
    requested_publish_time: DateTime<Utc>,
    due_date_time: Option<DateTime<Utc>>,
    is_confirmation_needed: bool,
    content: Content,
    #[schema(value_type = Vec<Object>)]
    external_references: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    reply_options: serde_json::Value,
    read: Option<DateTime<Utc>>,
    confirmed: Option<DateTime<Utc>>,
}

impl From<Row> for Overview {
    fn from(r: Row) -> Self {
        Overview {
            correspondence_id: r.id,
            resource_id: r.service_id,
            sender: format!("0192:{}", r.sender_org),
            senders_reference: r.senders_reference,
            message_sender: r.display_sender,
            recipient: r.recipient,
            status: r.status,
            status_changed: r.status_changed_at,
            created: r.created_at,
            requested_publish_time: r.published_at,
            due_date_time: r.due_at,
            is_confirmation_needed: r.confirmation_needed,
            content: Content {
                language: r.language,
                message_title: r.title,
                message_summary: r.summary,
            },
            external_references: r.external_references,
            reply_options: r.reply_links,
            read: r.first_read_at,
            confirmed: r.confirmed_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    resource_id: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    status: Option<String>,
    senders_reference: Option<String>,
    /// Only messages nobody has opened yet.
    unread: Option<bool>,
    /// From the previous page's `next`.
    cursor: Option<String>,
    /// 1 to 1,000; 100 by default.
    limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct SearchResult {
    correspondences: Vec<Overview>,
    /// The cursor of the next page, absent on the last.
    next: Option<String>,
}

fn encode_cursor(at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", at.timestamp_micros()))
}

fn decode_cursor(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (micros, id) = raw.split_once(':')?;
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        Uuid::parse_str(id).ok()?,
    ))
}

/// `GET /correspondence`: the caller's sent messages, newest first, filtered, in pages.
#[utoipa::path(get, path = "/correspondence", tag = "sender", params(SearchQuery),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = SearchResult), (status = "4XX", body = Problem)))]
#[get("/correspondence")]
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, &state, SCOPE_WRITE).await?;
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::field("limit", "must be between 1 and 1000"));
    }
    if let Some(status) = &q.status
        && !Status::ALL.iter().any(|s| s.as_str() == status)
    {
        return Err(Problem::field("status", "is not a known status"));
    }
    let cursor = match q.cursor.as_deref() {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| Problem::field("cursor", "is not a cursor from this API"))?,
        ),
        None => None,
    };
    let page = as_owner(&state, caller, move |conn, owner| {
        let owner = owner.id;
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM correspondences c \
             JOIN parties p ON p.id = c.recipient_id JOIN parties o ON o.id = c.sender_id \
             WHERE c.sender_id = $1 \
               AND ($2::text IS NULL OR c.service_id = $2) \
               AND ($3::timestamptz IS NULL OR c.created_at >= $3) \
               AND ($4::timestamptz IS NULL OR c.created_at < $4) \
               AND ($5::text IS NULL OR c.status = $5) \
               AND ($6::text IS NULL OR c.senders_reference = $6) \
               AND (NOT $7 OR c.first_read_at IS NULL) \
               AND ($8::timestamptz IS NULL OR (c.created_at, c.id) < ($8, $9)) \
             ORDER BY c.created_at DESC, c.id DESC LIMIT $10"
        ))
        .bind::<BigInt, _>(owner)
        .bind::<Nullable<Text>, _>(q.resource_id)
        .bind::<Nullable<Timestamptz>, _>(q.from)
        .bind::<Nullable<Timestamptz>, _>(q.to)
        .bind::<Nullable<Text>, _>(q.status)
        .bind::<Nullable<Text>, _>(q.senders_reference)
        .bind::<Bool, _>(q.unread.unwrap_or(false))
        .bind::<Nullable<Timestamptz>, _>(cursor.map(|c| c.0))
        .bind::<SqlUuid, _>(cursor.map_or(Uuid::nil(), |c| c.1))
        .bind::<BigInt, _>(limit + 1)
        .load(conn)?;
        Ok(rows)
    })
    .await?;
    let mut rows = page;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(r.created_at, r.id))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(SearchResult {
        correspondences: rows.into_iter().map(Overview::from).collect(),
        next,
    }))
}

/// `GET /correspondence/{id}`: one of the caller's sent messages.
#[utoipa::path(get, path = "/correspondence/{id}", tag = "sender",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Overview), (status = "4XX", body = Problem)))]
#[get("/correspondence/{id}")]
pub async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, &state, SCOPE_WRITE).await?;
    let id = Uuid::parse_str(&path).map_err(|_| Problem::not_found())?;
    let row = as_owner(&state, caller, move |conn, owner| {
        sent_row(conn, owner.id, id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Overview::from(row)))
}

#[derive(Serialize, QueryableByName, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct StatusEvent {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Timestamptz)]
    status_changed: DateTime<Utc>,
}

#[derive(Serialize, QueryableByName, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct NoticeDetails {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    channel: String,
    /// The address, masked.
    #[diesel(sql_type = Text)]
    address: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    failure_reason: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    requested_send_time: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    sent: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    delivered: Option<DateTime<Utc>>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CorrespondenceDetails)]
pub(super) struct Details {
    #[serde(flatten)]
    overview: Overview,
    status_history: Vec<StatusEvent>,
    notifications: Vec<NoticeDetails>,
}

/// `GET /correspondence/{id}/details`: the overview with the status history and every notice
/// (kind, channel, masked address, outcome) for one of the caller's sent messages.
#[utoipa::path(get, path = "/correspondence/{id}/details", tag = "sender",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Details), (status = "4XX", body = Problem)))]
#[get("/correspondence/{id}/details")]
pub async fn details(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, &state, SCOPE_WRITE).await?;
    let id = Uuid::parse_str(&path).map_err(|_| Problem::not_found())?;
    let details = as_owner(&state, caller, move |conn, owner| {
        let row = sent_row(conn, owner.id, id)?;
        let status_history: Vec<StatusEvent> = diesel::sql_query(
            "SELECT status, occurred_at AS status_changed FROM correspondence_events \
             WHERE correspondence_id = $1 ORDER BY occurred_at, id",
        )
        .bind::<SqlUuid, _>(id)
        .load(conn)?;
        let notifications: Vec<NoticeDetails> = diesel::sql_query(format!(
            "SELECT n.kind, n.channel, {MASKED_ADDRESS} AS address, n.state AS status, \
                    n.failure_reason, n.attempts, n.run_at AS requested_send_time, \
                    n.sent_at AS sent, n.delivered_at AS delivered \
             FROM notifications n WHERE n.correspondence_id = $1 ORDER BY n.kind, n.channel, n.id"
        ))
        .bind::<SqlUuid, _>(id)
        .load(conn)?;
        Ok(Details {
            overview: Overview::from(row),
            status_history,
            notifications,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(details))
}

/// `DELETE /correspondence/{id}/purge`: the sender withdraws a message that is not published
/// yet (its notices are cancelled); a published message is the recipient's and stays.
#[utoipa::path(delete, path = "/correspondence/{id}/purge", tag = "sender",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Overview), (status = "4XX", body = Problem)))]
#[actix_web::delete("/correspondence/{id}/purge")]
pub async fn purge(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, &state, SCOPE_WRITE).await?;
    let id = Uuid::parse_str(&path).map_err(|_| Problem::not_found())?;
    let row = as_owner(&state, caller, move |conn, owner| {
        let owner = owner.id;
        conn.transaction(|conn| {
            sent_row(conn, owner, id)?;
            let withdrawn = crate::admin::send::withdraw(
                conn,
                crate::admin::send::Withdraw::Message(id),
                owner,
                None,
            )?;
            if withdrawn == 0 {
                return Err(Problem::field(
                    "correspondenceId",
                    "is published (or withdrawn) already: only a message not yet published can be withdrawn",
                ));
            }
            let mut entry = crate::audit::Entry::new("correspondence_withdrawn_api");
            entry.acting_for = Some(owner);
            entry.target = Some(("correspondence", id.to_string()));
            crate::audit::record(conn, entry)?;
            sent_row(conn, owner, id)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(Overview::from(row)))
}
