//! Events (`/events/api/v1`): the CloudEvents melding records in its outbox (Altinn's
//! `no.altinn.correspondence.*` and `no.altinn.broker.*`, written by triggers in the same
//! transaction as each change), for systems to pull in order: `GET /events?after=...`, as Altinn
//! Events offers it. A client (`altinn:events.subscribe`) sees the events about the parties its
//! systems may read the service for (the system side of the one access decision), and those of
//! what its organisation sent.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Serialize;
use uuid::Uuid;

use super::problem::Problem;
use super::{Caller, Security, authenticate};
use crate::state::AppState;
use crate::web::blocking;

pub const SCOPE_EVENTS: &str = "altinn:events.subscribe";
const SUBSCRIBE: &[&str] = &[SCOPE_EVENTS];
/// The most events one page holds.
const MAX_SIZE: i64 = 1000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/events/api/v1")
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| Problem::field("query", err.to_string()).into()),
            )
            .service(openapi_document)
            .service(events)
            .default_service(web::to(
                |req: HttpRequest| async move { super::unrouted(&req) },
            )),
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "melding Events API", description = "Altinn Events compatible: the CloudEvents of mail and file transfers."),
    servers((url = "/events/api/v1")),
    paths(events),
    components(schemas(Problem)),
    modifiers(&Security),
)]
pub struct EventsDoc;

#[get("/openapi.json")]
async fn openapi_document() -> HttpResponse {
    use utoipa::OpenApi;
    HttpResponse::Ok().json(EventsDoc::openapi())
}

/// A CloudEvent 1.0 as Altinn publishes it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CloudEvent {
    id: Uuid,
    specversion: &'static str,
    #[serde(rename = "type")]
    kind: String,
    source: String,
    /// `urn:altinn:resource:<service>`.
    resource: String,
    resourceinstance: Uuid,
    /// `urn:altinn:organization:identifier-no:<number>` or `urn:altinn:person:identifier-no:<id>`.
    subject: String,
    /// `/organisation/<number>` or `/person/<id>`.
    alternativesubject: String,
    time: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    data: Option<serde_json::Value>,
    /// melding's position of the event: `after` takes it too.
    sequencenumber: i64,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    resource: String,
    #[diesel(sql_type = SqlUuid)]
    resource_instance: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    org_number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    national_id: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    time: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    data: Option<serde_json::Value>,
}

impl Row {
    fn event(self, base: &str) -> CloudEvent {
        let api = if self.kind.starts_with("no.altinn.broker.") {
            "broker"
        } else {
            "correspondence"
        };
        let (subject, alternative) = match (&self.org_number, &self.national_id) {
            (Some(org), _) => (
                format!("urn:altinn:organization:identifier-no:{org}"),
                format!("/organisation/{org}"),
            ),
            (None, Some(id)) => (
                format!("urn:altinn:person:identifier-no:{id}"),
                format!("/person/{id}"),
            ),
            (None, None) => (String::new(), String::new()),
        };
        CloudEvent {
            id: self.id,
            specversion: "1.0",
            source: format!("{base}/{api}/api/v1/{}", self.source),
            kind: self.kind,
            resource: format!("urn:altinn:resource:{}", self.resource),
            resourceinstance: self.resource_instance,
            subject,
            alternativesubject: alternative,
            time: self.time,
            data: self.data,
            sequencenumber: self.seq,
        }
    }
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by hand: repeated keys are lists
pub struct EventsQuery {
    /// The events after this one: its `id`, or its `sequencenumber` (`0` for the first).
    after: String,
    /// The event types to include (`no.altinn.correspondence.correspondencepublished`); all when
    /// none is given.
    #[param(rename = "type")]
    types: Vec<String>,
    /// The sources to include (their URLs, or their ends: `correspondence`, `filetransfer`).
    source: Vec<String>,
    /// At most this many (default 50, at most 1000).
    size: Option<i64>,
}

/// `GET /events?after=...`: the events the client may see, in order, a page at a time; the
/// `next` header links the next page.
#[utoipa::path(get, path = "/events", tag = "events",
    params(EventsQuery, ("subject" = Option<String>, Header, description = "Only events about this party (a subject URN or /organisation/<number>)")),
    security(("maskinporten" = ["altinn:events.subscribe"])),
    responses((status = 200, body = Vec<CloudEvent>, content_type = "application/cloudevents+json"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/events")]
pub async fn events(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SUBSCRIBE).await?;
    // Repeated parameters (`type=a&type=b`) are lists, as ASP.NET binds them.
    let query: EventsQuery = serde_html_like(req.query_string())?;
    let size = query.size.unwrap_or(50);
    if !(1..=MAX_SIZE).contains(&size) {
        return Err(Problem::field("size", format!("must be 1 to {MAX_SIZE}")));
    }
    let subject = req
        .headers()
        .get("subject")
        .and_then(|v| v.to_str().ok())
        .map(subject_number)
        .transpose()?;
    let sources: Vec<String> = query
        .source
        .iter()
        .map(|s| {
            s.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let types = query.types.clone();
    let after = query.after.trim().to_owned();
    let pool = state.pool.clone();
    let rows = blocking(move || {
        let mut conn = pool.get()?;
        Ok(page(
            &mut conn,
            &caller,
            &after,
            &types,
            &sources,
            subject.as_deref(),
            size,
        ))
    })
    .await??;
    let base = state.public_url.trim_end_matches('/').to_owned();
    let events: Vec<CloudEvent> = rows.into_iter().map(|r| r.event(&base)).collect();
    let mut response = HttpResponse::Ok();
    response.content_type("application/cloudevents+json");
    if let Some(last) = events.last() {
        let rest: Vec<String> = url::form_urlencoded::parse(req.query_string().as_bytes())
            .filter(|(k, _)| k != "after")
            .map(|(k, v)| format!("&{}={}", k, percent(&v)))
            .collect();
        response.insert_header((
            "next",
            format!(
                "{base}{}?after={}{}",
                req.path(),
                last.sequencenumber,
                rest.concat()
            ),
        ));
    }
    Ok(response.json(events))
}

fn percent(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The query with repeated keys gathered into lists.
fn serde_html_like(query: &str) -> Result<EventsQuery, Problem> {
    let mut after = None;
    let mut types = Vec::new();
    let mut source = Vec::new();
    let mut size = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.to_ascii_lowercase().as_str() {
            "after" => after = Some(v.into_owned()),
            "type" => types.push(v.into_owned()),
            "source" => source.push(v.into_owned()),
            "size" => {
                size = Some(
                    v.trim()
                        .parse::<i64>()
                        .map_err(|_| Problem::field("size", "must be a whole number"))?,
                )
            }
            _ => {}
        }
    }
    let after = after.filter(|a| !a.trim().is_empty()).ok_or_else(|| {
        Problem::field(
            "after",
            "is required: an event's id or sequence number, or 0",
        )
    })?;
    Ok(EventsQuery {
        after,
        types,
        source,
        size,
    })
}

/// The number in a subject: `urn:altinn:organization:identifier-no:<n>`, `/organisation/<n>`,
/// `urn:altinn:person:identifier-no:<id>`, `/person/<id>`.
fn subject_number(text: &str) -> Result<String, Problem> {
    let t = text.trim();
    let number = t
        .strip_prefix("urn:altinn:organization:identifier-no:")
        .or_else(|| t.strip_prefix("/organisation/"))
        .or_else(|| t.strip_prefix("urn:altinn:person:identifier-no:"))
        .or_else(|| t.strip_prefix("/person/"))
        .unwrap_or(t);
    if (9..=11).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()) {
        Ok(number.to_owned())
    } else {
        Err(Problem::field("subject", "is not a party's subject"))
    }
}

/// The next page of events the client may see.
fn page(
    conn: &mut PgConnection,
    caller: &Caller,
    after: &str,
    types: &[String],
    sources: &[String],
    subject: Option<&str>,
    size: i64,
) -> Result<Vec<Row>, Problem> {
    let Some(org) = crate::access::grants::find_organization(conn, &caller.client.org_number)?
    else {
        return Ok(Vec::new());
    };
    let after_seq: i64 = match (after.parse::<i64>(), Uuid::parse_str(after)) {
        (Ok(n), _) if n >= 0 => n,
        (_, Ok(id)) => {
            #[derive(QueryableByName)]
            struct Seq {
                #[diesel(sql_type = BigInt)]
                seq: i64,
            }
            diesel::sql_query("SELECT seq FROM outbox_events WHERE id = $1")
                .bind::<SqlUuid, _>(id)
                .get_result::<Seq>(conn)
                .optional()?
                .map(|s| s.seq)
                .ok_or_else(|| Problem::field("after", "names no event"))?
        }
        _ => {
            return Err(Problem::field(
                "after",
                "is an event's id or sequence number",
            ));
        }
    };
    // The owners the client sends for (none when it sends for nobody).
    let owners = super::sender::owner_ids(conn, caller).unwrap_or_default();
    let rows = diesel::sql_query(
        "WITH served AS (SELECT party_id FROM system_parties($1)) \
         SELECT e.seq, e.id, e.type AS kind, e.source, e.resource, e.resource_instance, \
                p.org_number, p.national_id, e.time, e.data \
         FROM outbox_events e JOIN parties p ON p.id = e.subject_party \
         WHERE e.seq > $2 \
           AND (cardinality($3::text[]) = 0 OR e.type = ANY ($3)) \
           AND (cardinality($4::text[]) = 0 OR e.source = ANY ($4)) \
           AND ($5::text IS NULL OR p.org_number = $5 OR p.national_id = $5) \
           AND ( e.sender_party = $1 OR e.sender_party = ANY ($6) \
              OR (e.subject_party IN (SELECT party_id FROM served) \
                  AND e.resource IN (SELECT service_id FROM system_readable_service_ids($1, e.subject_party))) ) \
         ORDER BY e.seq LIMIT $7",
    )
    .bind::<BigInt, _>(org)
    .bind::<BigInt, _>(after_seq)
    .bind::<Array<Text>, _>(types)
    .bind::<Array<Text>, _>(sources)
    .bind::<Nullable<Text>, _>(subject)
    .bind::<Array<BigInt>, _>(&owners)
    .bind::<BigInt, _>(size)
    .load(conn)?;
    Ok(rows)
}
