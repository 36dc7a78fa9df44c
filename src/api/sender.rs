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
use super::token::{SCOPE_READ, SCOPE_WRITE};
use super::{Caller, EITHER, authenticate};
use crate::access::reference::SERVICE_OWNER_SEND;
use crate::domain::Status;
use crate::sending::owners::Owner;
use crate::state::AppState;
use crate::web::blocking;

/// A service owner the client organisation sends for.
#[derive(QueryableByName)]
struct Sendable {
    #[diesel(embed)]
    owner: Owner,
    /// The client organisation itself (not an owner that delegated sending to it).
    #[diesel(sql_type = Bool)]
    own: bool,
    /// Owns the service the call names.
    #[diesel(sql_type = Bool)]
    owns_resource: bool,
}

/// The service owners the client organisation sends for: its own organisation, when it is one,
/// first, then those that delegated sending to it (a distributor). Refused when there is none.
fn sendable(
    conn: &mut PgConnection,
    caller: &Caller,
    resource: Option<&str>,
) -> Result<Vec<Sendable>, Problem> {
    let owners: Vec<Sendable> = diesel::sql_query(
        format!("SELECT o.party_id AS id, p.name, p.org_number, p.org_number = $1 AS own, \
                EXISTS (SELECT 1 FROM services s WHERE s.id = $2 AND s.owner_id = o.party_id) AS owns_resource \
         FROM service_owners o JOIN parties p ON p.id = o.party_id \
         WHERE NOT p.is_deleted AND (p.org_number = $1 OR EXISTS ( \
             SELECT 1 FROM system_delegations d JOIN parties c ON c.id = d.to_org_id \
             WHERE d.party_id = o.party_id AND c.org_number = $1 AND NOT c.is_deleted \
               AND d.package_id = '{SERVICE_OWNER_SEND}' AND d.revoked_at IS NULL)) \
         ORDER BY p.org_number = $1 DESC, p.name"),
    )
    .bind::<Text, _>(caller.client.org_number.as_str())
    .bind::<Nullable<Text>, _>(resource)
    .load(conn)?;
    if owners.is_empty() {
        return Err(Problem::not_a_sender());
    }
    Ok(owners)
}

/// The ids of the service owners the client sends for (see [`sendable`]).
pub(super) fn owner_ids(conn: &mut PgConnection, caller: &Caller) -> Result<Vec<i64>, Problem> {
    Ok(sendable(conn, caller, None)?
        .into_iter()
        .map(|s| s.owner.id)
        .collect())
}

/// The one owner a call sends for: the owner of `resource` when the client may send for it,
/// else the client's own organisation; a distributor for several owners must name the service.
pub(super) fn owner_of(
    conn: &mut PgConnection,
    caller: &Caller,
    resource: Option<&str>,
) -> Result<Owner, Problem> {
    let mut owners = sendable(conn, caller, resource)?;
    let chosen = owners
        .iter()
        .position(|s| s.owns_resource)
        .or_else(|| (owners.len() == 1 || owners[0].own).then_some(0))
        .ok_or_else(|| {
            Problem::field(
                "resourceId",
                "is needed: the client sends for several service owners, and the service says which",
            )
        })?;
    Ok(owners.swap_remove(chosen).owner)
}

/// Runs `work` on a blocking thread with a connection and the service owner the call sends for
/// (see [`owner_of`]).
pub(super) async fn as_owner<T, F>(
    state: &AppState,
    caller: Caller,
    resource: Option<String>,
    work: F,
) -> Result<T, Problem>
where
    F: FnOnce(&mut PgConnection, Owner) -> Result<T, Problem> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    blocking(move || {
        let mut conn = pool.get()?;
        Ok(owner_of(&mut conn, &caller, resource.as_deref())
            .and_then(|owner| work(&mut conn, owner)))
    })
    .await?
}

/// Runs `work` with a connection and the ids of every service owner the client sends for: what
/// was sent for any of them may be looked at.
pub(super) async fn as_sender<T, F>(state: &AppState, caller: Caller, work: F) -> Result<T, Problem>
where
    F: FnOnce(&mut PgConnection, Vec<i64>) -> Result<T, Problem> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    blocking(move || {
        let mut conn = pool.get()?;
        Ok(owner_ids(&mut conn, &caller).and_then(|owners| work(&mut conn, owners)))
    })
    .await?
}

/// The message, if it was sent for one of `owners` (any sender's, without); else not found.
pub(super) fn row(
    conn: &mut PgConnection,
    id: Uuid,
    owners: Option<&[i64]>,
) -> Result<Row, Problem> {
    find_row(conn, id, owners)?.ok_or_else(Problem::not_found)
}

/// The message, if it was sent for one of `owners` (any sender's, without).
pub(super) fn find_row(
    conn: &mut PgConnection,
    id: Uuid,
    owners: Option<&[i64]>,
) -> QueryResult<Option<Row>> {
    diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM correspondences c \
         JOIN parties p ON p.id = c.recipient_id JOIN parties o ON o.id = c.sender_id \
         WHERE c.id = $1 AND ($2::bigint[] IS NULL OR c.sender_id = ANY ($2))"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<diesel::sql_types::Array<BigInt>>, _>(owners)
    .get_result(conn)
    .optional()
}

#[derive(QueryableByName)]
pub(super) struct Row {
    #[diesel(sql_type = SqlUuid)]
    pub(super) id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub(super) sender_id: i64,
    #[diesel(sql_type = BigInt)]
    pub(super) recipient_id: i64,

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
    pub(super) published_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Bool)]
    pub(super) confirmation_needed: bool,
    #[diesel(sql_type = Text)]
    language: String,
    #[diesel(sql_type = Text)]
    pub(super) title: String,
    #[diesel(sql_type = Nullable<Text>)]
    summary: Option<String>,
    #[diesel(sql_type = Jsonb)]
    external_references: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    reply_links: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    properties: serde_json::Value,
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

pub(super) const COLUMNS: &str = concat!(
    "c.id, c.sender_id, c.recipient_id, c.service_id, o.org_number AS sender_org, c.senders_reference, c.display_sender, ",
    party_urn!(),
    " AS recipient, \
     c.status, c.status_changed_at, c.created_at, c.published_at, c.due_at, c.confirmation_needed, \
     c.language, c.title, c.summary, c.external_references, c.reply_links, c.properties, c.first_read_at, c.confirmed_at"
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
    /// The sender's name-value pairs (`propertyList` of the send).
    #[schema(value_type = HashMap<String, String>)]
    property_list: serde_json::Value,
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
            property_list: match r.properties {
                serde_json::Value::Object(map) => serde_json::Value::Object(map),
                _ => serde_json::Value::Object(serde_json::Map::new()),
            },
            read: r.first_read_at,
            confirmed: r.confirmed_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// `sender` (what the client sent) or `recipient` (mail to the parties the client serves);
    /// needed only when the token carries both scopes.
    role: Option<String>,
    /// Recipient role: one party (URN, `0192:` or bare number) instead of all the client serves.
    on_behalf_of: Option<String>,
    resource_id: Option<String>,
    /// From this time (sender: created, recipient: published).
    from: Option<DateTime<Utc>>,
    /// Before this time.
    to: Option<DateTime<Utc>>,
    status: Option<String>,
    senders_reference: Option<String>,
    /// Sender role: the messages of one send with this `idempotentKey`.
    idempotent_key: Option<String>,
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
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    (1..=9999)
        .contains(&chrono::Datelike::year(&at))
        .then_some((at, Uuid::parse_str(id).ok()?))
}

/// Which side of the mail a call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Sender,
    Recipient,
}

/// `GET /correspondence`: as sender, the messages sent for the client's service owners, newest
/// created first; as recipient, the mail the client's systems may read for the parties it
/// serves (itself and those that delegated to it), newest published first. Filtered, in pages.
#[utoipa::path(get, path = "/correspondence", tag = "search", params(SearchQuery),
    security(("maskinporten" = ["altinn:correspondence.write"]), ("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = SearchResult), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/correspondence")]
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, EITHER).await?;
    let mut q = query.into_inner();
    // Altinn's values in any case (`Sender`, `recipient`), as its clients send them.
    let asked_role = q.role.as_deref().map(str::to_ascii_lowercase);
    if let Some(status) = &q.status
        && let Some(known) = Status::ALL
            .iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(status.trim()))
    {
        q.status = Some(known.as_str().to_owned());
    }
    let role = match (
        asked_role.as_deref(),
        caller.has(SCOPE_WRITE),
        caller.has(SCOPE_READ),
    ) {
        (Some("sender"), true, _) => Role::Sender,
        (Some("recipient"), _, true) => Role::Recipient,
        (Some("sender"), false, _) => return Err(Problem::scope(SCOPE_WRITE)),
        (Some("recipient"), _, false) => return Err(Problem::scope(SCOPE_READ)),
        (Some("recipientandsender"), _, _) => {
            return Err(Problem::field(
                "role",
                "ask once as `Sender` and once as `Recipient`: melding answers one side at a time",
            ));
        }
        (Some(_), _, _) => return Err(Problem::field("role", "is `Sender` or `Recipient`")),
        (None, true, false) => Role::Sender,
        (None, false, _) => Role::Recipient,
        (None, true, true) => {
            return Err(Problem::field(
                "role",
                "is needed (`sender` or `recipient`): the token carries both scopes",
            ));
        }
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::field("limit", "must be between 1 and 1000"));
    }
    if let Some(status) = &q.status
        && !Status::ALL.iter().any(|s| s.as_str() == status)
    {
        return Err(Problem::field("status", "is not a known status"));
    }
    // What PostgreSQL's timestamps can hold, and more than mail will ever need.
    for (field, at) in [("from", q.from), ("to", q.to)] {
        if at.is_some_and(|at| !(1..=9999).contains(&chrono::Datelike::year(&at))) {
            return Err(Problem::field(
                field,
                "must be a time between the years 1 and 9999",
            ));
        }
    }
    let cursor = match q.cursor.as_deref() {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| Problem::field("cursor", "is not a cursor from this API"))?,
        ),
        None => None,
    };
    let on_behalf_of = match (&q.on_behalf_of, role) {
        (None, _) => None,
        (Some(_), Role::Sender) => {
            return Err(Problem::field("onBehalfOf", "is for the recipient role"));
        }
        (Some(p), Role::Recipient) => Some(
            crate::domain::PartyRef::parse(p.trim(), state.config.test_ids).map_err(|_| {
                Problem::field("onBehalfOf", "is not a person or organisation number")
            })?,
        ),
    };
    if q.idempotent_key.is_some() && role == Role::Recipient {
        return Err(Problem::field("idempotentKey", "is for the sender role"));
    }
    let pool = state.pool.clone();
    let rows = blocking(move || {
        let mut conn = pool.get()?;
        let conn = &mut conn;
        // Sender: the owners' ids; recipient: the parties served, and the client organisation.
        let (ids, org) = match role {
            Role::Sender => match owner_ids(conn, &caller) {
                Ok(owners) => (owners, 0),
                Err(p) => return Ok(Err(p)),
            },
            Role::Recipient => {
                let Some(org) =
                    crate::access::grants::find_organization(conn, &caller.client.org_number)?
                else {
                    return Ok(Ok(Vec::new()));
                };
                let mut served = super::message::served(conn, org)?;
                if let Some(party) = &on_behalf_of {
                    let wanted = crate::sending::find_parties(conn, &[party.number().to_owned()])?;
                    served.retain(|id| wanted.first().copied().flatten() == Some(*id));
                }
                (served, org)
            }
        };
        // One index scan per owner or party (each newest first, from the cursor on, at most a
        // page), merged: `= ANY` over the list would read all their mail to sort it.
        let (at, scope, delivered) = match role {
            Role::Sender => ("created_at", "c.sender_id = k.id", "true"),
            Role::Recipient => (
                "published_at",
                "c.recipient_id = k.id AND c.service_id IN \
                 (SELECT service_id FROM system_readable_service_ids($12, k.id))",
                "delivered(c.published_at, c.status)",
            ),
        };
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM unnest($1::bigint[]) k(id) CROSS JOIN LATERAL ( \
                 SELECT c.* FROM correspondences c \
                 WHERE {scope} AND ({delivered}) \
                   AND ($2::text IS NULL OR c.service_id = $2) \
                   AND ($3::timestamptz IS NULL OR c.{at} >= $3) \
                   AND ($4::timestamptz IS NULL OR c.{at} < $4) \
                   AND ($5::text IS NULL OR c.status = $5) \
                   AND ($6::text IS NULL OR c.senders_reference = $6) \
                   AND (NOT $7 OR c.first_read_at IS NULL) \
                   AND ($8::timestamptz IS NULL OR (c.{at}, c.id) < ($8, $9)) \
                   AND ($11::text IS NULL OR c.sending_id IN \
                        (SELECT g.id FROM sendings g WHERE g.idempotency_key = $11 AND g.sender_id = c.sender_id)) \
                 ORDER BY c.{at} DESC, c.id DESC LIMIT $10 \
             ) c \
             JOIN parties p ON p.id = c.recipient_id JOIN parties o ON o.id = c.sender_id \
             ORDER BY c.{at} DESC, c.id DESC LIMIT $10"
        ))
        .bind::<diesel::sql_types::Array<BigInt>, _>(ids)
        .bind::<Nullable<Text>, _>(q.resource_id)
        .bind::<Nullable<Timestamptz>, _>(q.from)
        .bind::<Nullable<Timestamptz>, _>(q.to)
        .bind::<Nullable<Text>, _>(q.status)
        .bind::<Nullable<Text>, _>(q.senders_reference)
        .bind::<Bool, _>(q.unread.unwrap_or(false))
        .bind::<Nullable<Timestamptz>, _>(cursor.map(|c| c.0))
        .bind::<SqlUuid, _>(cursor.map_or(Uuid::nil(), |c| c.1))
        .bind::<BigInt, _>(limit + 1)
        .bind::<Nullable<Text>, _>(q.idempotent_key)
        .bind::<BigInt, _>(org)
        .load(conn)?;
        Ok(Ok(rows))
    })
    .await??;
    let mut rows = rows;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| match role {
            Role::Sender => encode_cursor(r.created_at, r.id),
            Role::Recipient => encode_cursor(r.published_at, r.id),
        })
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(SearchResult {
        correspondences: rows.into_iter().map(Overview::from).collect(),
        next,
    }))
}

#[derive(Serialize, QueryableByName, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct StatusEvent {
    #[diesel(sql_type = Text)]
    pub(super) status: String,
    #[diesel(sql_type = Timestamptz)]
    pub(super) status_changed: DateTime<Utc>,
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
    pub(super) overview: Overview,
    pub(super) status_history: Vec<StatusEvent>,
    pub(super) notifications: Vec<NoticeDetails>,
}
