//! The error policy at the HTTP boundary: handlers return `AppError`; the error-page middleware
//! turns any error status without a body of its own into a friendly page in the user's language
//! with the request's correlation id. The full cause chain goes to the log, never to the user.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::web::PageCtx;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Does not exist, or exists but not for this user: both look the same.
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden")]
    Forbidden,
    /// Needs a login; carries where /login should send the user back to.
    #[error("login required")]
    LoginRequired(String),
    /// Needs a higher login level; carries the step-up link.
    #[error("a higher login level is required")]
    StepUp(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The one place where a missing row becomes a 404.
impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => AppError::NotFound,
            // Input the form checks let through (a NUL character, which PostgreSQL refuses in
            // text, or a value a table's check refuses) is the sender's mistake, not a fault.
            Error::DatabaseError(_, info)
                if info.message().starts_with("invalid byte sequence") =>
            {
                AppError::BadRequest("text may not contain NUL characters".to_owned())
            }
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, _) => {
                tracing::warn!("input stopped by a database check");
                AppError::BadRequest("a value is outside what is allowed".to_owned())
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(err.to_string())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden | AppError::StepUp(_) => StatusCode::FORBIDDEN,
            AppError::LoginRequired(_) => StatusCode::SEE_OTHER,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        match self {
            AppError::LoginRequired(login) => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, login.clone()))
                    .finish();
            }
            AppError::StepUp(link) => {
                return HttpResponse::Forbidden()
                    .insert_header((STEP_UP_HEADER, link.clone()))
                    .content_type("text/plain; charset=utf-8")
                    .body("a higher login level is required");
            }
            _ => {}
        }
        // Plain and short: the error-page middleware replaces it for browsers.
        HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(self.status_code().canonical_reason().unwrap_or("error"))
    }
}

/// Carries the step-up link from the handler to the error page; never sent to the browser.
const STEP_UP_HEADER: &str = "x-melding-step-up";

#[derive(Template)]
#[template(path = "layout/error.html")]
struct ErrorPage<'a> {
    ctx: &'a PageCtx,
    status: u16,
    heading: String,
    explanation: String,
    /// A way forward, e.g. "log in with a higher level".
    action: Option<(String, String)>,
    /// A fault (shown with its status and reference for support), not a normal turn like the
    /// step-up page.
    fault: bool,
}

/// Replaces the body of an error response with the error page, unless the handler already
/// answered with HTML or the request is for a machine endpoint (API, health).
pub fn render_error_page<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let path = res.request().path();
    let machine =
        path.starts_with("/health") || path.contains("/api/") || path.starts_with("/static/");
    let has_own_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    if machine || has_own_page {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let ctx = PageCtx::from_request(res.request());
    let status = res.status();
    let step_up = res
        .headers()
        .get(STEP_UP_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (heading_key, text_key) = match status.as_u16() {
        403 if step_up.is_some() => ("step-up-heading", "step-up-text"),
        404 | 405 => ("error-404-heading", "error-404-text"),
        403 => ("error-403-heading", "error-403-text"),
        400 | 413 | 415 | 422 => ("error-400-heading", "error-400-text"),
        503 => ("error-503-heading", "error-503-text"),
        _ => ("error-500-heading", "error-500-text"),
    };
    let page = ErrorPage {
        ctx: &ctx,
        status: status.as_u16(),
        heading: ctx.t(heading_key),
        explanation: ctx.t(text_key),
        fault: step_up.is_none(),
        action: step_up.map(|link| (link, ctx.t("step-up-link"))),
    };
    let body = match page.render() {
        Ok(html) => html,
        Err(err) => {
            tracing::error!(error = %err, "error page did not render");
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
    };
    let (req, mut response) = res.into_parts();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response.headers_mut().remove(STEP_UP_HEADER);
    let response = response.set_body(body);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response)
            .map_body(|_, body| EitherBody::right(BoxBody::new(body))),
    ))
}

/// Answers any route that does not exist.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::ErrorHandlers;
    use actix_web::{App, test, web};

    use super::*;

    async fn needs_high() -> Result<HttpResponse, AppError> {
        Err(AppError::StepUp(crate::web::user::step_up_link(
            "/inbox?party=1",
        )))
    }

    #[actix_web::test]
    async fn step_up_renders_a_page_with_the_login_link_back_here() {
        let app = test::init_service(
            App::new()
                .wrap(ErrorHandlers::new().default_handler(render_error_page))
                .route("/inbox", web::get().to(needs_high)),
        )
        .await;
        let req = test::TestRequest::get()
            .uri("/inbox?party=1")
            .insert_header(("Accept-Language", "en"))
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(
            !res.headers().contains_key(STEP_UP_HEADER),
            "the internal header is not sent"
        );
        let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap_or_default();
        assert!(
            body.contains("This page needs a higher security level"),
            "{body}"
        );
        assert!(
            body.contains("href=\"/login?level=high&#38;return_to=%2Finbox%3Fparty%3D1\""),
            "{body}"
        );
    }
}
