//! Shared HTTP plumbing: page context, translations, error pages, security headers, health.

pub mod baseline;
pub mod csrf;
pub mod errors;
pub mod form;
pub mod headers;
pub mod health;
pub mod i18n;
pub mod markdown;
pub mod multipart;
pub mod pages;
pub mod ranged;
pub mod stream;
pub mod user;

pub mod context;

pub use context::PageCtx;
pub use errors::AppError;

use askama::Template;

/// Renders a template into an HTML response, or an error page when rendering fails.
pub fn render<T: Template>(template: &T) -> Result<actix_web::HttpResponse, AppError> {
    render_status(template, actix_web::http::StatusCode::OK)
}

/// Renders a template with a status of its own (a form with errors is 422, a failed login 400).
pub fn render_status<T: Template>(
    template: &T,
    status: actix_web::http::StatusCode,
) -> Result<actix_web::HttpResponse, AppError> {
    let body = template
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok(actix_web::HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// Runs blocking work (diesel queries) on the blocking pool, inside the caller's tracing span,
/// in its turn (see [`take_turns`]).
pub async fn blocking<F, R>(f: F) -> Result<R, AppError>
where
    F: FnOnce() -> Result<R, AppError> + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    in_turn(move || span.in_scope(f))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}

/// The turns of the requests' database work (see [`take_turns`]).
static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();

/// From now on, at most `at_once` blocking tasks of requests run at a time (the database pool's
/// size), the others waiting in the order they came. Without this, a request waits for a pooled
/// connection inside the blocking task, and the pool hands a returned connection to whichever
/// thread takes it first, not to the one that has waited longest: under load a few requests
/// waited many times the median. Set once by the server; later calls change nothing.
pub fn take_turns(at_once: usize) {
    let _ = TURNS.set(tokio::sync::Semaphore::new(at_once.max(1)));
}

/// Runs `f` on the blocking pool when its turn comes (at once when [`take_turns`] was not called).
pub async fn in_turn<F, R>(f: F) -> Result<R, actix_web::error::BlockingError>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    // The semaphore is never closed, so acquiring fails never; its permit is held until `f` ends.
    let _turn = match TURNS.get() {
        Some(turns) => turns.acquire().await.ok(),
        None => None,
    };
    actix_web::web::block(f).await
}
