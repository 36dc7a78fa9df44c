//! Events (`/events/api/v1`): the CloudEvents melding records in its outbox (Altinn's
//! `no.altinn.correspondence.*` and `no.altinn.broker.*`, written by triggers in the same
//! transaction as each change), for systems to pull in order: `GET /events?after=...`, as Altinn
//! Events offers it. A client (`altinn:events.subscribe`) sees the events about the parties its
//! systems may read the service for (the system side of the one access decision), and those of
//! what its organisation sent.

use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel::prelude::*;
use uuid::Uuid;

use super::problem::Problem;
use super::{Caller, Security, authenticate};
use crate::events as outbox;
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
            .app_data(
                web::JsonConfig::default()
                    .limit(64 * 1024)
                    .error_handler(|err, _| Problem::field("body", err.to_string()).into()),
            )
            .service(openapi_document)
            .service(events)
            .service(create_subscription)
            .service(list_subscriptions)
            .service(get_subscription)
            .service(delete_subscription)
            .default_service(web::to(
                |req: HttpRequest| async move { super::unrouted(&req) },
            )),
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "melding Events API", description = "Altinn Events compatible: the CloudEvents of mail and file transfers."),
    servers((url = "/events/api/v1")),
    paths(events, create_subscription, list_subscriptions, get_subscription, delete_subscription),
    components(schemas(Problem)),
    modifiers(&Security),
)]
pub struct EventsDoc;

#[get("/openapi.json")]
async fn openapi_document() -> HttpResponse {
    use utoipa::OpenApi;
    HttpResponse::Ok().json(EventsDoc::openapi())
}

pub use crate::events::CloudEvent;

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
        .map(|s| {
            outbox::subject_number(s)
                .ok_or_else(|| Problem::field("subject", "is not a party's subject"))
        })
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
            &mut conn, &caller, &after, types, sources, subject, size,
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

/// The next page of events the client may see.
fn page(
    conn: &mut PgConnection,
    caller: &Caller,
    after: &str,
    types: Vec<String>,
    sources: Vec<String>,
    subject: Option<String>,
    size: i64,
) -> Result<Vec<outbox::Row>, Problem> {
    let Some(org) = caller.organisation(conn)? else {
        return Ok(Vec::new());
    };
    outbox::sequence(conn)?;
    let after = match (after.parse::<i64>(), Uuid::parse_str(after)) {
        (Ok(n), _) if n >= 0 => n,
        (_, Ok(id)) => {
            outbox::position(conn, id)?.ok_or_else(|| Problem::field("after", "names no event"))?
        }
        _ => {
            return Err(Problem::field(
                "after",
                "is an event's id or sequence number",
            ));
        }
    };
    let filters = outbox::Filters {
        after,
        types,
        sources,
        resources: Vec::new(),
        subject,
    };
    Ok(outbox::page(conn, org, &filters, size)?)
}

/// Altinn's subscription request (`SubscriptionRequestModel`).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRequestModel {
    /// Where the events go: `https://...` (plain `http://` only on the machine itself, or in the
    /// demo).
    end_point: String,
    source_filter: Option<String>,
    resource_filter: Option<String>,
    type_filter: Option<String>,
    subject_filter: Option<String>,
    alternative_subject_filter: Option<String>,
}

/// Altinn's `Subscription`, with melding's `secret` (on creation only) and delivery state.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    id: i64,
    end_point: String,
    source_filter: Option<String>,
    resource_filter: Option<String>,
    type_filter: Option<String>,
    subject_filter: Option<String>,
    alternative_subject_filter: Option<String>,
    consumer: String,
    created_by: String,
    created: chrono::DateTime<chrono::Utc>,
    /// The endpoint answered the validation event.
    validated: bool,
    /// The key of the `X-Melding-Signature` header (HMAC-SHA256 of the body, hex), shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    /// Deliveries have failed this many times in a row.
    failures: i32,
    /// Set when the retry schedule ran out: nothing more is delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    disabled: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

impl Subscription {
    fn of(s: outbox::Subscription, with_secret: bool) -> Self {
        Subscription {
            id: s.id,
            end_point: s.endpoint,
            source_filter: s.source_filter,
            resource_filter: s.resource_filter,
            type_filter: s.type_filter,
            alternative_subject_filter: s.subject_filter.clone(),
            subject_filter: s.subject_filter.as_deref().and_then(|f| {
                outbox::subject_number(f).map(|n| {
                    if n.len() == 9 {
                        format!("urn:altinn:organization:identifier-no:{n}")
                    } else {
                        format!("urn:altinn:person:identifier-no:{n}")
                    }
                })
            }),
            consumer: format!("/org/{}", s.consumer.trim_start_matches("0192:")),
            created_by: format!("/org/{}", s.consumer.trim_start_matches("0192:")),
            created: s.created_at,
            validated: s.validated,
            secret: with_secret.then_some(s.secret),
            failures: s.failures,
            disabled: s.disabled_at,
            last_error: s.last_error,
        }
    }
}

/// Altinn's `SubscriptionList`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SubscriptionList {
    count: usize,
    subscriptions: Vec<Subscription>,
}

/// An endpoint melding may post to: in the demo any http(s) address; otherwise https to a host
/// that is not this machine or an address of a private network written as such (a system must
/// not make melding post into the network it runs in).
fn endpoint_ok(url: &str, demo: bool) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if demo {
        return matches!(u.scheme(), "http" | "https") && u.host().is_some();
    }
    let public = match u.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d != "localhost" && !d.ends_with(".localhost") && d.contains('.')
        }
        Some(url::Host::Ipv4(ip)) => {
            !(ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.is_documentation())
        }
        Some(url::Host::Ipv6(ip)) => {
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
        None => false,
    };
    u.scheme() == "https" && public
}

#[cfg(test)]
mod tests {
    use super::endpoint_ok;

    #[test]
    fn webhooks_go_to_public_https_addresses_outside_the_demo() {
        assert!(endpoint_ok("https://arkiv.example.no/hook", false));
        assert!(endpoint_ok("https://93.184.216.34/hook", false));
        for refused in [
            "http://arkiv.example.no/hook",
            "https://localhost/hook",
            "https://127.0.0.1/hook",
            "https://10.0.0.5/hook",
            "https://192.168.1.1/hook",
            "https://169.254.169.254/latest",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://intranett/hook",
            "ftp://example.no/x",
            "not a url",
        ] {
            assert!(!endpoint_ok(refused, false), "{refused}");
        }
        assert!(endpoint_ok("http://127.0.0.1:8000/hook", true));
        assert!(!endpoint_ok("ftp://127.0.0.1/x", true));
    }
}

async fn consumer(state: &AppState, caller: &Caller) -> Result<i64, Problem> {
    caller
        .organisation_of(state)
        .await?
        .ok_or_else(Problem::not_found)
}

/// `POST /subscriptions`: a webhook for the events the client may see, narrowed by the filters.
/// The worker validates the endpoint with Altinn's `platform.events.validatesubscription` event
/// before it delivers anything; deliveries are signed with the `secret` answered here, once.
#[utoipa::path(post, path = "/subscriptions", tag = "events",
    request_body = SubscriptionRequestModel,
    security(("maskinporten" = ["altinn:events.subscribe"])),
    responses((status = 201, body = Subscription), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[actix_web::post("/subscriptions")]
pub async fn create_subscription(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SUBSCRIBE).await?;
    let request: SubscriptionRequestModel =
        super::binding::bind(body.into_inner(), "SubscriptionRequestModel", "body")?;
    if request.end_point.len() > 2000 || !endpoint_ok(&request.end_point, state.config.is_demo()) {
        return Err(Problem::field(
            "endPoint",
            "must be an https:// address outside this machine's networks (any http(s) address in the demo)",
        ));
    }
    let subject = request
        .alternative_subject_filter
        .or(request.subject_filter)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(s) = &subject
        && outbox::subject_number(s).is_none()
    {
        return Err(Problem::field(
            "alternativeSubjectFilter",
            "is /organisation/<number> or /person/<id> (or its URN)",
        ));
    }
    let clean = |v: Option<String>| {
        v.map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v.len() <= 500)
    };
    let new = outbox::NewSubscription {
        endpoint: request.end_point,
        source_filter: clean(request.source_filter),
        resource_filter: clean(request.resource_filter),
        type_filter: clean(request.type_filter),
        subject_filter: subject,
    };
    let org = consumer(&state, &caller).await?;
    let pool = state.pool.clone();
    let made = blocking(move || Ok(outbox::create(&mut *pool.get()?, org, &new)?)).await?;
    let location = format!("/events/api/v1/subscriptions/{}", made.id);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(Subscription::of(made, true)))
}

/// `GET /subscriptions`: the client's subscriptions, with their delivery state.
#[utoipa::path(get, path = "/subscriptions", tag = "events",
    security(("maskinporten" = ["altinn:events.subscribe"])),
    responses((status = 200, body = SubscriptionList), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/subscriptions")]
pub async fn list_subscriptions(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SUBSCRIBE).await?;
    let org = consumer(&state, &caller).await?;
    let pool = state.pool.clone();
    let list = blocking(move || Ok(outbox::of(&mut *pool.get()?, org, None)?)).await?;
    let subscriptions: Vec<Subscription> = list
        .into_iter()
        .map(|s| Subscription::of(s, false))
        .collect();
    Ok(HttpResponse::Ok().json(SubscriptionList {
        count: subscriptions.len(),
        subscriptions,
    }))
}

fn subscription_id(path: &str) -> Result<i64, Problem> {
    path.parse::<i64>().map_err(|_| Problem::not_found())
}

/// `GET /subscriptions/{id}`: one of the client's subscriptions.
#[utoipa::path(get, path = "/subscriptions/{id}", tag = "events",
    params(("id" = i64, Path, description = "The subscription")),
    security(("maskinporten" = ["altinn:events.subscribe"])),
    responses((status = 200, body = Subscription), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/subscriptions/{id}")]
pub async fn get_subscription(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SUBSCRIBE).await?;
    let id = subscription_id(&path)?;
    let org = consumer(&state, &caller).await?;
    let pool = state.pool.clone();
    let found = blocking(move || Ok(outbox::of(&mut *pool.get()?, org, Some(id))?))
        .await?
        .pop()
        .ok_or_else(Problem::not_found)?;
    Ok(HttpResponse::Ok().json(Subscription::of(found, false)))
}

/// `DELETE /subscriptions/{id}`: nothing more is delivered to it.
#[utoipa::path(delete, path = "/subscriptions/{id}", tag = "events",
    params(("id" = i64, Path, description = "The subscription")),
    security(("maskinporten" = ["altinn:events.subscribe"])),
    responses((status = 200, description = "Deleted"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[actix_web::delete("/subscriptions/{id}")]
pub async fn delete_subscription(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SUBSCRIBE).await?;
    let id = subscription_id(&path)?;
    let org = consumer(&state, &caller).await?;
    let pool = state.pool.clone();
    let gone = blocking(move || Ok(outbox::delete(&mut *pool.get()?, org, id)?)).await?;
    if !gone {
        return Err(Problem::not_found());
    }
    Ok(HttpResponse::Ok().finish())
}
