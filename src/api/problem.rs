//! Errors as RFC 7807 problem details (`application/problem+json`) with stable numbered codes;
//! validation errors name the field.

use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use super::token::TokenError;

/// A problem as Altinn answers one: `type` and `title` name the HTTP status (RFC 9110), `detail`
/// says what went wrong, `errorCode` is Altinn's number where Altinn has one; melding adds its
/// stable code (`MEL-xxxx`) and, for invalid input, the fields that are wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: Box<str>,
    /// melding's stable code for this problem.
    pub code: &'static str,
    #[serde(skip_serializing_if = "no_errors")]
    #[schema(value_type = Option<BTreeMap<String, Vec<String>>>)]
    pub errors: Box<BTreeMap<String, Vec<String>>>,
    /// Altinn's own number for this problem, where Altinn has one (its clients read it).
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    /// Seconds, for `Retry-After` (0: none).
    #[serde(skip)]
    retry_after: u64,
}

#[allow(clippy::borrowed_box)] // serde passes the field as it is
fn no_errors(errors: &Box<BTreeMap<String, Vec<String>>>) -> bool {
    errors.is_empty()
}

/// The `type` and `title` of a status, as ASP.NET Core (and so Altinn) writes them.
fn status_type(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            "Bad Request",
        ),
        401 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            "Unauthorized",
        ),
        403 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.4",
            "Forbidden",
        ),
        404 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            "Not Found",
        ),
        405 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.6",
            "Method Not Allowed",
        ),
        409 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.10",
            "Conflict",
        ),
        412 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.13",
            "Precondition Failed",
        ),
        413 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            "Content Too Large",
        ),
        415 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.16",
            "Unsupported Media Type",
        ),
        422 => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.21",
            "Unprocessable Entity",
        ),
        429 => (
            "https://tools.ietf.org/html/rfc6585#section-4",
            "Too Many Requests",
        ),
        502 => (
            "https://tools.ietf.org/html/rfc9110#section-15.6.3",
            "Bad Gateway",
        ),
        503 => (
            "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            "Service Unavailable",
        ),
        _ => (
            "https://tools.ietf.org/html/rfc9110#section-15.6.1",
            "Internal Server Error",
        ),
    }
}

impl Problem {
    fn new(status: u16, code: &'static str, detail: &str) -> Self {
        let (kind, title) = status_type(status);
        Problem {
            kind,
            title,
            status,
            code,
            detail: detail.into(),
            errors: Box::default(),
            error_code: None,
            retry_after: 0,
        }
    }

    /// A problem of its own: `status`, melding's `code`, and what went wrong.
    pub fn of(status: u16, code: &'static str, detail: &str) -> Self {
        Problem::new(status, code, detail)
    }

    /// Says more after the problem's sentence.
    pub fn with_detail(mut self, more: impl AsRef<str>) -> Self {
        self.detail = format!("{} {}", self.detail, more.as_ref()).into_boxed_str();
        self
    }

    /// Altinn's number for this problem.
    pub fn altinn(mut self, code: u32) -> Self {
        self.error_code = Some(code);
        self
    }

    /// The same problem with another status (its `type` and `title` follow).
    pub fn with_status(mut self, status: u16) -> Self {
        (self.kind, self.title) = status_type(status);
        self.status = status;
        self
    }

    /// 401: no token, or one that does not verify (which check failed is not told).
    pub fn unauthenticated() -> Self {
        Problem::new(401, "MEL-1001", "The access token is missing or invalid.")
    }

    /// 403: the token lacks the scope this call needs.
    pub fn scope(scope: &str) -> Self {
        Problem::new(
            403,
            "MEL-1002",
            "The access token lacks the required scope.",
        )
        .with_detail(format!("This call needs the scope {scope}."))
    }

    /// 403: the client organisation may not send for any service owner.
    pub fn not_a_sender() -> Self {
        Problem::new(
            403,
            "MEL-1003",
            "The client organisation may not send for a service owner.",
        )
    }

    /// 404: does not exist, or not for this client (both look the same).
    pub fn not_found() -> Self {
        Problem::new(404, "MEL-1004", "Not found.")
    }

    /// 404 for a message (Altinn's 1001).
    pub fn no_correspondence() -> Self {
        Problem::new(
            404,
            "MEL-1004",
            "The requested correspondence was not found.",
        )
        .altinn(1001)
    }

    /// 404 for an attachment (Altinn's 2001).
    pub fn no_attachment() -> Self {
        Problem::new(404, "MEL-1004", "The requested attachment was not found.").altinn(2001)
    }

    /// 400 with the fields that are wrong.
    pub fn invalid(errors: BTreeMap<String, Vec<String>>) -> Self {
        let mut p = Problem::new(400, "MEL-1005", "One or more fields are invalid.");
        if let Some((field, messages)) = errors.iter().next() {
            // The first field's problem, readable where a client shows only `detail`.
            p = p.with_detail(format!("{field}: {}", messages.join("; ")));
        }
        p.errors = Box::new(errors);
        p
    }

    /// 400 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Problem::invalid(BTreeMap::from([(field.to_owned(), vec![message.into()])]))
    }

    /// 429 with `Retry-After`.
    pub fn too_many(retry_after: u64) -> Self {
        let mut p = Problem::new(429, "MEL-1006", "Too many requests.");
        p.retry_after = retry_after.max(1);
        p
    }

    /// 503: the issuer's keys could not be fetched.
    pub fn keys_unavailable() -> Self {
        Problem::new(
            503,
            "MEL-1007",
            "The token issuer's keys are unavailable; try again.",
        )
    }

    /// 405: the API has this path, but not with this method.
    pub fn method_not_allowed() -> Self {
        Problem::new(405, "MEL-1008", "This method is not allowed here.")
    }

    /// 409 as Altinn answers a reused `idempotentKey` (its problem 1034); the first send's
    /// messages are found by the key or the sender's reference.
    pub fn duplicate_key() -> Self {
        Problem::new(
            409,
            "MEL-1009",
            "A correspondence with the same idempotent key already exists",
        )
        .altinn(1034)
    }

    /// 500, without details.
    pub fn internal() -> Self {
        Problem::new(500, "MEL-1000", "Internal error.")
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        if self.status == 401 {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if self.retry_after > 0 {
            response.insert_header((header::RETRY_AFTER, self.retry_after.to_string()));
        }
        response.json(self)
    }
}

impl From<TokenError> for Problem {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::Scope(scope) => Problem::scope(&scope),
            TokenError::Keys => Problem::keys_unavailable(),
            _ => Problem::unauthenticated(),
        }
    }
}

impl From<diesel::result::Error> for Problem {
    /// As for the pages (`AppError`): missing is 404, input the database refuses is 400.
    fn from(err: diesel::result::Error) -> Self {
        crate::web::AppError::from(err).into()
    }
}

impl From<crate::web::AppError> for Problem {
    fn from(err: crate::web::AppError) -> Self {
        match err {
            crate::web::AppError::NotFound => Problem::not_found(),
            crate::web::AppError::BadRequest(what) => Problem::field("body", what),
            other => {
                tracing::error!(error = %other, "API error");
                Problem::internal()
            }
        }
    }
}
