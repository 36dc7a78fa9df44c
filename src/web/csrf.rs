//! CSRF protection for every state-changing request: a per-session token checked in constant
//! time, plus an Origin/Referer check. The token comes from the `X-CSRF-Token` header, the
//! `csrf_token` query parameter (multipart forms, whose bodies are streamed) or the
//! `csrf_token` field of a urlencoded form, which is read here and handed on unchanged.

use actix_session::{Session, SessionExt};
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut, Data};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;

use crate::state::AppState;
use crate::web::AppError;

pub const FIELD: &str = "csrf_token";
const SESSION_KEY: &str = "csrf";
const HEADER: &str = "x-csrf-token";
/// Urlencoded forms are small; the largest is the compose form with a 30,000-character body.
const FORM_LIMIT: usize = 1024 * 1024;

/// Paths that machines call with their own authentication, never a browser session.
fn exempt(path: &str) -> bool {
    // Machine callers with their own authentication and no session.
    path == "/demo-idp/token"
        || path == "/notify/sms/delivery"
        || path.starts_with("/correspondence/api/")
        || path.starts_with("/broker/api/")
        || path.starts_with("/events/api/")
}

/// The session's token, created on first use.
pub fn ensure_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(SESSION_KEY) {
        return token;
    }
    let token: String = crate::config::random_bytes(32)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Inserting a String cannot fail to serialise.
    let _ = session.insert(SESSION_KEY, &token);
    token
}

/// The session's token if it has one (pages render forms only when it does).
pub fn current_token(session: &Session) -> Option<String> {
    session.get::<String>(SESSION_KEY).ok().flatten()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn origin_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find('/').unwrap_or(rest.len());
    Some(&url[..url.len() - rest.len() + end])
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// How much of a multipart body is read looking for the token in its first part.
const MULTIPART_HEAD_LIMIT: usize = 16 * 1024;

/// The boundary named in a multipart content type.
fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.trim().split_once('=')?;
        key.eq_ignore_ascii_case("boundary")
            .then(|| value.trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// Where the first part of a multipart body ends (the start of the second delimiter), once
/// that much has arrived.
fn first_part_end(body: &[u8], boundary: &str) -> Option<usize> {
    let delimiter = format!("\r\n--{boundary}");
    let start = format!("--{boundary}").len();
    body.get(start..)?
        .windows(delimiter.len())
        .position(|w| w == delimiter.as_bytes())
        .map(|at| at + start)
}

/// The value of the body's first part when it is the field `name` (a plain text field).
fn first_multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let opening = format!("--{boundary}\r\n");
    if !body.starts_with(opening.as_bytes()) {
        return None;
    }
    let end = first_part_end(body, boundary)?;
    let part = body.get(opening.len()..end)?;
    let split = part.windows(4).position(|w| w == b"\r\n\r\n")?;
    let headers = std::str::from_utf8(&part[..split]).ok()?;
    let named = headers.lines().any(|line| {
        line.to_ascii_lowercase()
            .starts_with("content-disposition:")
            && line.contains(&format!("name=\"{name}\""))
            && !line.contains("filename=")
    });
    if !named {
        return None;
    }
    std::str::from_utf8(&part[split + 4..])
        .ok()
        .map(str::to_owned)
}

fn forbidden<B>(req: ServiceRequest, why: &'static str) -> ServiceResponse<EitherBody<B>> {
    tracing::warn!(reason = why, "CSRF check failed");
    let response: HttpResponse<BoxBody> = AppError::Forbidden.error_response();
    req.into_response(response).map_into_right_body()
}

/// The middleware: safe methods pass; anything else needs a same-origin request and the token.
pub async fn protect<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || exempt(req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let public = req
        .app_data::<Data<AppState>>()
        .map(|s| s.public_url.clone())
        .unwrap_or_default();
    let public_origin = origin_of(&public).unwrap_or_default().to_owned();
    let claimed = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .map(|v| origin_of(v).unwrap_or(v).to_owned());
    if let Some(claimed) = claimed
        && claimed != public_origin
    {
        return Ok(forbidden(req, "cross-origin request"));
    }
    let Some(expected) = current_token(&req.get_session()) else {
        return Ok(forbidden(req, "no session token"));
    };
    let mut given = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if given.is_none() {
        given = form_field(req.query_string().as_bytes(), FIELD);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if given.is_none() && is_form {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            body.extend_from_slice(&chunk?);
            if body.len() > FORM_LIMIT {
                return Ok(forbidden(req, "form too large"));
            }
        }
        let body: Bytes = body.freeze();
        given = form_field(&body, FIELD);
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    let multipart_boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|ct| ct.starts_with("multipart/form-data"))
        .and_then(boundary_of);
    if given.is_none()
        && let Some(boundary) = multipart_boundary
    {
        // The forms put the token first; only the bytes up to it are read here, and they go
        // back in front of the rest, so files still stream to the handler.
        let mut payload = req.take_payload();
        let mut head = BytesMut::new();
        while head.len() < MULTIPART_HEAD_LIMIT && first_part_end(&head, &boundary).is_none() {
            match payload.next().await {
                Some(chunk) => head.extend_from_slice(&chunk?),
                None => break,
            }
        }
        let head = head.freeze();
        given = first_multipart_field(&head, &boundary, FIELD);
        let rest = futures_util::stream::once(async move { Ok(head) }).chain(payload);
        req.set_payload(actix_web::dev::Payload::Stream {
            payload: Box::pin(rest),
        });
    }
    match given {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        _ => Ok(forbidden(req, "missing or wrong token")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/inbox?x=1"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://melding.example"),
            Some("https://melding.example")
        );
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn the_token_is_read_from_the_first_part_of_a_multipart_form() {
        let ct = "multipart/form-data; boundary=----x1";
        let boundary = boundary_of(ct).unwrap_or_default();
        assert_eq!(boundary, "----x1");
        let body = b"------x1\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n------x1\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHei\r\n------x1--\r\n";
        assert_eq!(
            first_multipart_field(body, &boundary, FIELD).as_deref(),
            Some("abc123")
        );
        // Only the first part counts, and only a complete one.
        let later = b"------x1\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHei\r\n------x1\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n------x1--\r\n";
        assert_eq!(first_multipart_field(later, &boundary, FIELD), None);
        assert_eq!(first_multipart_field(&body[..60], &boundary, FIELD), None);
        assert_eq!(first_part_end(&body[..60], &boundary), None);
    }
}
