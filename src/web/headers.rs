//! Security headers on every response (a route may set its own first), and a request span that
//! never records query strings, which could hold national identity numbers.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::DefaultHeaders;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

/// The content security policy. `form_action` lists where forms may lead besides this site:
/// logout posts here and is redirected to the login provider's end-session page, and browsers
/// apply `form-action` to that redirect too.
pub fn content_security_policy(form_action: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'{form_action}; \
         frame-ancestors 'none'"
    )
}

/// The login provider's hosts for `form-action`: its issuer's origin and that host's subdomains
/// (ID-porten's end-session page lives on `login.<issuer host>`).
pub fn provider_form_action(issuer: &str) -> String {
    match url::Url::parse(issuer) {
        Ok(url) if url.scheme() == "https" => match url.host_str() {
            Some(host) => format!(" https://{host} https://*.{host}"),
            None => String::new(),
        },
        _ => String::new(),
    }
}

/// Headers added to every response that does not carry its own.
pub fn security_headers(csp: &str) -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", csp.to_owned()))
        .add(("X-Content-Type-Options", "nosniff"))
        // same-origin: nothing leaks to other sites, and our own form posts keep their Origin
        // header (with no-referrer, browsers send `Origin: null`, which the CSRF check refuses).
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
        // Personal pages must never be stored; static assets set their own caching.
        .add(("Cache-Control", "no-store"))
}

/// Caching for static assets (set before the defaults above are considered).
pub fn static_asset_headers() -> DefaultHeaders {
    DefaultHeaders::new().add(("Cache-Control", "public, max-age=3600"))
}

/// The root span of each request: method, route pattern, status and correlation id only.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        match outcome {
            Ok(response) => {
                let status = response.status();
                span.record("status", status.as_u16());
                if let Some(error) = response.response().error() {
                    if status.is_server_error() {
                        // Debug of an anyhow error carries the full cause chain.
                        span.in_scope(|| tracing::error!(error = ?error.as_response_error(), "request failed"));
                    } else {
                        span.in_scope(|| tracing::info!(%status, "request refused"));
                    }
                } else {
                    span.in_scope(|| tracing::debug!(%status, "request done"));
                }
            }
            Err(error) => {
                span.record("status", 500u16);
                span.in_scope(|| tracing::error!(error = ?error, "request failed"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::provider_form_action;

    #[test]
    fn forms_may_lead_to_the_providers_hosts_only() {
        assert_eq!(
            provider_form_action("https://idporten.no"),
            " https://idporten.no https://*.idporten.no"
        );
        assert_eq!(
            provider_form_action("http://127.0.0.1:8080/demo-idp"),
            "",
            "the demo provider is this site"
        );
        assert_eq!(provider_form_action("not a url"), "");
    }
}
