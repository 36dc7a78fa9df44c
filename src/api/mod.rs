//! The JSON API under `/correspondence/api/v1`, shaped like Altinn 3's correspondence API (field
//! names in camelCase): bearer tokens as Maskinporten issues them, problem details for errors,
//! and a per-client rate limit.
//!
//! Attachments, sending (one message to up to 500 recipients, or through a distributor), search
//! for both roles with keyset paging, and one message for its sender or its recipient's system.

pub mod attachments;
mod binding;
pub mod broker;
pub mod events;
mod exchange;
pub mod message;
pub mod problem;
pub mod send;
pub mod sender;
pub mod shapes;
pub mod token;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::{HttpRequest, web};

use problem::Problem;
use token::{Client, Exchange, Verifier};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(exchange::maskinporten);
    broker::routes(cfg);
    events::routes(cfg);
    cfg.service(
        web::scope("/correspondence/api/v1")
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| Problem::field("query", err.to_string()).into()),
            )
            .app_data(
                web::JsonConfig::default()
                    .error_handler(|err, _| Problem::field("body", err.to_string()).into()),
            )
            // A path segment that does not parse (`/correspondence/upload` read as an id) is
            // answered as if no route matched.
            .app_data(web::PathConfig::default().error_handler(|_, req| {
                actix_web::error::InternalError::from_response("unrouted", unrouted(req)).into()
            }))
            .service(openapi_document)
            .service(send::initialize)
            .service(send::upload)
            .service(attachments::initialize)
            .service(attachments::upload)
            .service(attachments::details)
            .service(attachments::download)
            .service(attachments::overview)
            .service(attachments::purge)
            .service(sender::search)
            .service(message::details)
            .service(message::content)
            .service(message::mark_as_read)
            .service(message::confirm)
            .service(message::purge)
            .service(message::download)
            .service(message::download_all)
            .service(message::forward)
            .service(message::overview)
            // A path the API has, asked with a method it does not take, is 405 as HTTP says;
            // anything else is not found.
            .default_service(web::to(|req: HttpRequest| async move { unrouted(&req) })),
    );
}

/// The API's verifier and rate limiter (absent when no token issuer is configured).
pub struct Api {
    pub verifier: Verifier,
    /// melding's own tokens, given for Maskinporten tokens.
    pub exchange: Exchange,
    limiter: RateLimiter,
}

impl Api {
    pub fn new(verifier: Verifier, exchange: Exchange, per_minute: u32) -> Self {
        Api {
            verifier,
            exchange,
            limiter: RateLimiter::new(per_minute),
        }
    }
}

/// Who is calling: the verified client.
#[derive(Clone)]
pub struct Caller {
    pub client: Client,
}

impl Caller {
    pub fn has(&self, scope: &str) -> bool {
        self.client.scopes.iter().any(|s| s == scope)
    }

    /// How the client is named in status histories and events: `0192:<organisation number>`.
    pub fn system_name(&self) -> String {
        format!("0192:{}", self.client.org_number.as_str())
    }

    /// The client organisation's party, when it is in the register.
    pub fn organisation(
        &self,
        conn: &mut diesel::PgConnection,
    ) -> diesel::QueryResult<Option<i64>> {
        crate::access::grants::find_organization(conn, &self.client.org_number)
    }

    /// The same, looked up off the request's thread.
    pub async fn organisation_of(
        &self,
        state: &crate::state::AppState,
    ) -> Result<Option<i64>, Problem> {
        let pool = state.pool.clone();
        let caller = self.clone();
        Ok(crate::web::blocking(move || Ok(caller.organisation(&mut *pool.get()?)?)).await?)
    }
}

/// Calls that send (and read what was sent).
pub const WRITE: &[&str] = &[token::SCOPE_WRITE];
/// Calls that only receive.
pub const READ: &[&str] = &[token::SCOPE_READ];
/// Calls a sender and a recipient both make (which one is asking decides what they get).
pub const EITHER: &[&str] = &[token::SCOPE_WRITE, token::SCOPE_READ];

/// Verifies the bearer token for `scope` and counts the call against the client's rate.
pub async fn authenticate(req: &HttpRequest, scopes: &[&'static str]) -> Result<Caller, Problem> {
    // No issuer configured: no API (its routes answer 404).
    let api = req
        .app_data::<web::Data<Api>>()
        .ok_or_else(Problem::not_found)?;
    let token = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(Problem::unauthenticated)?;
    let client = token::verify(&api.verifier, &api.exchange, token.trim(), scopes).await?;
    api.limiter
        .check(client.org_number.as_str())
        .map_err(Problem::too_many)?;
    Ok(Caller { client })
}

/// A token bucket per client organisation: `per_minute` calls a minute, bursts of as many.
struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    fn new(per_minute: u32) -> Self {
        let per_minute = f64::from(per_minute.max(1));
        RateLimiter {
            per_second: per_minute / 60.0,
            burst: per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when the client has used up its calls.
    fn check(&self, client: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets rather than grow without bound.
            let burst = self.burst;
            let rate = self.per_second;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets
            .entry(client.to_owned())
            .or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - *tokens) / self.per_second;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RateLimiter;

    #[test]
    fn the_rate_limit_is_per_client_and_says_when_to_come_back() {
        let limiter = RateLimiter::new(3);
        for _ in 0..3 {
            assert_eq!(limiter.check("a"), Ok(()));
        }
        let wait = limiter.check("a").expect_err("the fourth call waits");
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(
            limiter.check("b"),
            Ok(()),
            "another client has its own bucket"
        );
    }
}

/// The OpenAPI 3.1 document, generated from the handlers' annotations and the types they
/// read and write, so it cannot drift from the code.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "melding correspondence API", version = "1",
         description = "Shaped like Altinn 3's correspondence API. Tokens as Maskinporten issues them."),
    servers((url = "/correspondence/api/v1")),
    paths(
        send::initialize, send::upload,
        attachments::initialize, attachments::upload, attachments::overview, attachments::details,
        attachments::download, attachments::purge,
        sender::search, message::overview, message::details, message::content,
        message::mark_as_read, message::confirm, message::purge, message::download,
        message::download_all, message::forward,
    ),
    components(schemas(Problem)),
    modifiers(&Security),
)]
pub struct ApiDoc;

pub(super) struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "maskinporten",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
        }
    }
}

/// What the API answers where no route took the request: 405 with `Allow` for a path it has
/// (by pattern, or literally) with another method, as HTTP says; else 404.
pub(super) fn unrouted(req: &HttpRequest) -> actix_web::HttpResponse {
    let allowed = allowed_methods(req.path()).or_else(|| {
        req.resource_map()
            .match_pattern(req.path())
            .and_then(|pattern| allowed_methods(&pattern))
    });
    // The method is taken there: what was not found is the thing the path names.
    let method = req.method().as_str();
    let Some(allow) = allowed.filter(|allow| !allow.split(", ").any(|m| m == method)) else {
        return actix_web::HttpResponse::from_error(Problem::not_found());
    };
    let mut response = actix_web::HttpResponse::from_error(Problem::method_not_allowed());
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
        response
            .headers_mut()
            .insert(actix_web::http::header::ALLOW, value);
    }
    response
}

/// A path with its parameters unnamed (`/filetransfer/{}`), so a route's pattern and the
/// document's path meet whatever each calls its parameters.
fn unnamed(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out
}

/// The methods the APIs take on a route pattern (`/correspondence/api/v1/...`,
/// `/broker/api/v1/...`), as their OpenAPI documents list them: the `Allow` header of a 405.
fn allowed_methods(pattern: &str) -> Option<String> {
    use std::sync::LazyLock;
    use utoipa::OpenApi;
    static METHODS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
        let documents = [
            ("/correspondence/api/v1", ApiDoc::openapi()),
            ("/broker/api/v1", broker::BrokerDoc::openapi()),
            ("/events/api/v1", events::EventsDoc::openapi()),
        ];
        documents
            .into_iter()
            .flat_map(|(base, document)| {
                document.paths.paths.into_iter().map(move |(path, item)| {
                    let methods: Vec<&str> = [
                        ("GET", item.get.is_some()),
                        ("HEAD", item.head.is_some()),
                        ("POST", item.post.is_some()),
                        ("PUT", item.put.is_some()),
                        ("PATCH", item.patch.is_some()),
                        ("DELETE", item.delete.is_some()),
                    ]
                    .into_iter()
                    .filter_map(|(m, has)| has.then_some(m))
                    .collect();
                    (unnamed(&format!("{base}{path}")), methods.join(", "))
                })
            })
            .collect()
    });
    METHODS.get(&unnamed(pattern)).cloned()
}

/// `GET /correspondence/api/v1/openapi.json` (no token needed).
#[actix_web::get("/openapi.json")]
async fn openapi_document() -> actix_web::HttpResponse {
    use utoipa::OpenApi;
    actix_web::HttpResponse::Ok().json(ApiDoc::openapi())
}
