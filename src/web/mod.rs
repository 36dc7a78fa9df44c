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

/// Runs blocking work (diesel queries) on the blocking pool, inside the caller's tracing span.
pub async fn blocking<F, R>(f: F) -> Result<R, AppError>
where
    F: FnOnce() -> Result<R, AppError> + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    actix_web::web::block(move || span.in_scope(f))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}
