//! The sender's side: search its messages (filters, keyset paging through any number of results:
//! Altinn returns at most 1,000 ids without paging) and one message's overview. A sender sees
//! status and metadata, never the body: after publishing, the mail is the recipient's.

use actix_web::{HttpRequest, HttpResponse, get, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Deserialize;
use uuid::Uuid;

use super::problem::Problem;
use super::shapes::{CorrespondenceOverviewExt, CorrespondencesExt};
use super::token::{SCOPE_READ, SCOPE_WRITE};
use super::{Caller, EITHER, authenticate};
use crate::access::reference::SERVICE_OWNER_SEND;
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
    pub(super) service_id: String,
    #[diesel(sql_type = Text)]
    pub(super) sender_org: String,
    #[diesel(sql_type = Text)]
    pub(super) senders_reference: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) display_sender: Option<String>,
    #[diesel(sql_type = Text)]
    pub(super) recipient: String,
    #[diesel(sql_type = Text)]
    pub(super) status: String,
    #[diesel(sql_type = Timestamptz)]
    pub(super) status_changed_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub(super) created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub(super) published_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub(super) due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Bool)]
    pub(super) confirmation_needed: bool,
    #[diesel(sql_type = Text)]
    pub(super) language: String,
    #[diesel(sql_type = Text)]
    pub(super) title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) summary: Option<String>,
    #[diesel(sql_type = Jsonb)]
    pub(super) external_references: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    pub(super) reply_links: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    pub(super) properties: serde_json::Value,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub(super) first_read_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Bool)]
    pub(super) is_confidential: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) failure_reason: Option<String>,
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
     c.language, c.title, c.summary, c.external_references, c.reply_links, c.properties, c.first_read_at, c.is_confidential, c.failure_reason"
);

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// `Recipient` (mail to the parties the client serves), `Sender` (what the client sent) or
    /// `RecipientAndSender`, in any case or as Altinn's number; by default what the token's
    /// scopes allow.
    role: Option<String>,
    /// Recipient role: one party (URN, `0192:` or bare number) instead of all the client serves.
    on_behalf_of: Option<String>,
    resource_id: Option<String>,
    /// From this time (sender: created, recipient: published); a date alone is midnight UTC.
    from: Option<String>,
    /// Before this time.
    to: Option<String>,
    /// Altinn's status name (any case) or number.
    status: Option<String>,
    senders_reference: Option<String>,
    /// Sender role: the messages of one send with this `idempotentKey`.
    idempotent_key: Option<String>,
    /// Altinn 2's ids: melding has none, so nothing matches.
    altinn2_correspondence_id: Option<i64>,
    /// melding: only messages nobody has opened yet.
    unread: Option<bool>,
    /// melding: from the previous page's `next` (with `melding=true`).
    cursor: Option<String>,
    /// melding: 1 to 1,000; 1,000 ids by default, 100 overviews with `melding=true`.
    limit: Option<i64>,
    /// melding: the overviews and the next page's cursor besides the ids.
    #[serde(default)]
    melding: bool,
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

/// A time as .NET binds a `DateTimeOffset`: with an offset, or without (UTC), or a date alone.
pub(super) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDate, NaiveDateTime};
    let text = text.trim();
    let at = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })?;
    // What PostgreSQL's timestamps can hold, and more than mail will ever need.
    (1..=9999)
        .contains(&chrono::Datelike::year(&at))
        .then_some(at)
}

/// Which side of the mail a call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Sender,
    Recipient,
}

/// The filters of a search, checked.
struct Filters {
    resource_id: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    status: Option<String>,
    senders_reference: Option<String>,
    idempotent_key: Option<String>,
    on_behalf_of: Option<crate::domain::PartyRef>,
    unread: bool,
    /// `propertyList` entries a message must have (a JSON object), if any.
    properties: Option<serde_json::Value>,
    cursor: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
}

/// Properties to search by: `propertyList.<name>=<value>` in the query (the prefix in any case,
/// the name as stored), at most ten. melding's: Altinn's search has none.
fn property_filter(query: &str) -> Result<Option<serde_json::Value>, Problem> {
    let mut wanted = serde_json::Map::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let Some(prefix) = key.get(..13) else {
            continue;
        };
        if !prefix.eq_ignore_ascii_case("propertyList.") {
            continue;
        }
        let name = &key[13..];
        if name.is_empty() || name.contains('\0') || value.contains('\0') {
            return Err(Problem::field(&key, "name a property and its value"));
        }
        wanted.insert(
            name.to_owned(),
            serde_json::Value::String(value.into_owned()),
        );
    }
    if wanted.len() > 10 {
        return Err(Problem::field("propertyList", "at most ten properties"));
    }
    Ok((!wanted.is_empty()).then_some(serde_json::Value::Object(wanted)))
}

/// The sides a search asks about: the role as given (any case, or Altinn's number), else what
/// the token's scopes allow.
fn sides(role: Option<&str>, caller: &Caller) -> Result<Vec<Role>, Problem> {
    let (write, read) = (caller.has(SCOPE_WRITE), caller.has(SCOPE_READ));
    let asked = role.map(|r| r.trim().to_ascii_lowercase());
    Ok(match asked.as_deref() {
        Some("sender" | "1") if write => vec![Role::Sender],
        Some("recipient" | "0") if read => vec![Role::Recipient],
        Some("sender" | "1") => return Err(Problem::scope(SCOPE_WRITE)),
        Some("recipient" | "0") => return Err(Problem::scope(SCOPE_READ)),
        Some("recipientandsender" | "2") | None => {
            let mut sides = Vec::new();
            if read {
                sides.push(Role::Recipient);
            }
            if write {
                sides.push(Role::Sender);
            }
            sides
        }
        Some(_) => {
            return Err(Problem::field(
                "role",
                "is `Recipient`, `Sender` or `RecipientAndSender`",
            ));
        }
    })
}

/// `GET /correspondence`: as Altinn, the ids of the messages found (newest first, at most
/// 1,000): as sender, those sent for the client's service owners; as recipient, the mail the
/// client's systems may read for the parties it serves (itself and those that delegated to it).
/// With `melding=true`, the overviews too, in pages with a cursor (one role at a time).
#[utoipa::path(get, path = "/correspondence", tag = "search", params(SearchQuery),
    security(("maskinporten" = ["altinn:correspondence.write"]), ("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = CorrespondencesExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/correspondence")]
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, EITHER).await?;
    let q = query.into_inner();
    let properties = property_filter(req.query_string())?;
    let sides = sides(q.role.as_deref(), &caller)?;
    if q.melding && sides.len() > 1 {
        return Err(Problem::field(
            "role",
            "is needed with `melding=true` (`Sender` or `Recipient`): pages follow one side's order",
        ));
    }
    let limit = q.limit.unwrap_or(if q.melding { 100 } else { 1000 });
    if !(1..=1000).contains(&limit) {
        return Err(Problem::field("limit", "must be between 1 and 1000"));
    }
    let status = match q.status.as_deref() {
        Some(s) => Some(
            super::shapes::status_from_altinn(s)
                .ok_or_else(|| Problem::field("status", "is not a known status"))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let time = |field: &str, text: Option<&str>| match text {
        Some(t) => parse_time(t)
            .map(Some)
            .ok_or_else(|| Problem::field(field, "must be a time between the years 1 and 9999")),
        None => Ok(None),
    };
    let (from, to) = (
        time("from", q.from.as_deref())?,
        time("to", q.to.as_deref())?,
    );
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(Problem::field("from", "From date cannot be after to date").altinn(1027));
    }
    let cursor = match q.cursor.as_deref() {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| Problem::field("cursor", "is not a cursor from this API"))?,
        ),
        None => None,
    };
    let only_recipient = !sides.contains(&Role::Sender);
    let on_behalf_of = match &q.on_behalf_of {
        None => None,
        Some(_) if !sides.contains(&Role::Recipient) => {
            return Err(Problem::field("onBehalfOf", "is for the recipient role"));
        }
        Some(p) => Some(
            crate::domain::PartyRef::parse(p.trim(), state.config.test_ids).map_err(|_| {
                Problem::field("onBehalfOf", "is not a person or organisation number")
            })?,
        ),
    };
    if q.idempotent_key.is_some() && only_recipient {
        return Err(Problem::field("idempotentKey", "is for the sender role"));
    }
    let filters = Filters {
        resource_id: q.resource_id,
        from,
        to,
        status,
        senders_reference: q.senders_reference,
        idempotent_key: q.idempotent_key,
        on_behalf_of,
        unread: q.unread.unwrap_or(false),
        properties,
        cursor,
        limit,
    };
    // Altinn 2's ids name nothing here.
    let nothing = q.altinn2_correspondence_id.is_some();
    let pool = state.pool.clone();
    let melding = q.melding;
    let found = blocking(move || {
        let mut conn = pool.get()?;
        let mut found: Vec<(Role, Row)> = Vec::new();
        let mut ids: Vec<Uuid> = Vec::new();
        for role in sides.iter().copied().filter(|_| !nothing) {
            // Sender: the owners' ids; recipient: the parties served, and the client
            // organisation. A side the client has nothing on answers nothing. Altinn's answer
            // reads the ids alone.
            let side = if melding {
                find(&mut conn, &caller, role, &filters)
                    .map(|rows| found.extend(rows.into_iter().map(|r| (role, r))))
            } else {
                find_ids(&mut conn, &caller, role, &filters).map(|more| ids.extend(more))
            };
            match side {
                Ok(()) => {}
                Err(p) if sides.len() == 1 => return Ok(Err(p)),
                Err(_) => {}
            }
        }
        Ok(Ok((found, ids)))
    })
    .await??;
    let (found, mut ids) = found;
    ids.extend(found.iter().map(|(_, r)| r.id));
    // A message both sent and received by the client is listed once.
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    ids.truncate(limit as usize);
    if !melding {
        return Ok(HttpResponse::Ok().json(CorrespondencesExt {
            ids,
            correspondences: None,
            next: None,
        }));
    }
    let mut rows: Vec<(Role, Row)> = found;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|(role, r)| match role {
            Role::Sender => encode_cursor(r.created_at, r.id),
            Role::Recipient => encode_cursor(r.published_at, r.id),
        })
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(CorrespondencesExt {
        ids,
        correspondences: Some(
            rows.into_iter()
                .map(|(_, r)| CorrespondenceOverviewExt::listed(r))
                .collect(),
        ),
        next,
    }))
}

/// One side's messages matching the filters, newest first, at most one more than the limit.
fn find(
    conn: &mut PgConnection,
    caller: &Caller,
    role: Role,
    f: &Filters,
) -> Result<Vec<Row>, Problem> {
    let Some(scope) = Scope::of(conn, caller, role, f)? else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM ({}) c \
         JOIN parties p ON p.id = c.recipient_id JOIN parties o ON o.id = c.sender_id \
         ORDER BY c.{at} DESC, c.id DESC",
        scope.sql(role, "c.*"),
        at = role.time_column(),
    );
    Ok(scope.load(conn, sql, f)?)
}

/// One side's ids matching the filters, newest first (Altinn's answer): the same scans as
/// [`find`], reading no more than the ids.
fn find_ids(
    conn: &mut PgConnection,
    caller: &Caller,
    role: Role,
    f: &Filters,
) -> Result<Vec<Uuid>, Problem> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let Some(scope) = Scope::of(conn, caller, role, f)? else {
        return Ok(Vec::new());
    };
    let at = role.time_column();
    let sql = format!(
        "SELECT c.id FROM ({}) c",
        scope.sql(role, &format!("c.id, c.{at}"))
    );
    let rows: Vec<Id> = scope.load(conn, sql, f)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

impl Role {
    /// The time a side's messages are ordered by: created (sender), published (recipient).
    fn time_column(self) -> &'static str {
        match self {
            Role::Sender => "created_at",
            Role::Recipient => "published_at",
        }
    }
}

/// Whose messages a search reads: the owners the client sends for, or the parties it serves
/// (and the client organisation, for the system side of the access decision).
struct Scope {
    ids: Vec<i64>,
    org: i64,
}

impl Scope {
    /// `None` when the client has nothing on this side.
    fn of(
        conn: &mut PgConnection,
        caller: &Caller,
        role: Role,
        f: &Filters,
    ) -> Result<Option<Scope>, Problem> {
        Ok(Some(match role {
            Role::Sender => Scope {
                ids: owner_ids(conn, caller)?,
                org: 0,
            },
            Role::Recipient => {
                let Some(org) = caller.organisation(conn)? else {
                    return Ok(None);
                };
                let mut served = super::message::served(conn, org)?;
                if let Some(party) = &f.on_behalf_of {
                    let wanted = crate::sending::find_parties(conn, &[party.number().to_owned()])?;
                    served.retain(|id| wanted.first().copied().flatten() == Some(*id));
                }
                Scope { ids: served, org }
            }
        }))
    }

    /// The matching messages (`select` of `c`), newest first, at most one more than the limit:
    /// one index scan per owner or party (each newest first, from the cursor on, at most a
    /// page), merged; `= ANY` over the list would read all their mail to sort it.
    fn sql(&self, role: Role, select: &str) -> String {
        let at = role.time_column();
        let (scope, delivered) = match role {
            Role::Sender => ("c.sender_id = k.id", "true"),
            Role::Recipient => (
                "c.recipient_id = k.id AND c.service_id IN \
                 (SELECT service_id FROM system_readable_service_ids($12, k.id))",
                "delivered(c.published_at, c.status)",
            ),
        };
        format!(
            "SELECT c.* FROM unnest($1::bigint[]) k(id) CROSS JOIN LATERAL ( \
                 SELECT {select} FROM correspondences c \
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
                   AND ($13::jsonb IS NULL OR c.properties @> $13) \
                 ORDER BY c.{at} DESC, c.id DESC LIMIT $10 \
             ) c ORDER BY c.{at} DESC, c.id DESC LIMIT $10"
        )
    }

    /// Runs `sql` (built on [`Scope::sql`]) with the filters bound.
    fn load<U>(&self, conn: &mut PgConnection, sql: String, f: &Filters) -> QueryResult<Vec<U>>
    where
        U: QueryableByName<diesel::pg::Pg> + 'static,
    {
        diesel::sql_query(sql)
            .bind::<diesel::sql_types::Array<BigInt>, _>(&self.ids)
            .bind::<Nullable<Text>, _>(f.resource_id.as_deref())
            .bind::<Nullable<Timestamptz>, _>(f.from)
            .bind::<Nullable<Timestamptz>, _>(f.to)
            .bind::<Nullable<Text>, _>(f.status.as_deref())
            .bind::<Nullable<Text>, _>(f.senders_reference.as_deref())
            .bind::<Bool, _>(f.unread)
            .bind::<Nullable<Timestamptz>, _>(f.cursor.map(|c| c.0))
            .bind::<SqlUuid, _>(f.cursor.map_or(Uuid::nil(), |c| c.1))
            .bind::<BigInt, _>(f.limit + 1)
            .bind::<Nullable<Text>, _>(f.idempotent_key.as_deref())
            .bind::<BigInt, _>(self.org)
            .bind::<Nullable<diesel::sql_types::Jsonb>, _>(&f.properties)
            .load(conn)
    }
}
