//! The worker's HTTP side: `/metrics`, the SMS gateway's delivery reports, and in `demo` the dev
//! outbox page that shows the captured e-mail and SMS.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::outbox;
use crate::db::schema::dev_outbox;
use crate::state::AppState;
use crate::web::i18n::date_time;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(metrics).service(sms_delivery);
}

pub fn demo_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(dev_outbox_page).service(dev_outbox_html);
}

/// Whether the request's bearer token is `expected` (compared in constant time).
fn bearer_matches(req: &HttpRequest, expected: &str) -> bool {
    let Some(presented) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    crate::web::csrf::constant_time_eq(presented.as_bytes(), expected.as_bytes())
}

/// What `/metrics` needs (also on a worker-only node, which has no pages).
pub struct MetricsState {
    pub pool: crate::db::PgPool,
    pub token: Option<secrecy::SecretString>,
    /// Without a token: open (`demo`) or absent.
    pub open: bool,
}

/// Prometheus metrics. Open in `demo`; elsewhere only with `MELDING_METRICS_TOKEN` as bearer
/// token (and absent when no token is configured).
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<MetricsState>,
) -> Result<HttpResponse, AppError> {
    match &state.token {
        Some(token) if bearer_matches(&req, token.expose_secret()) => {}
        None if state.open => {}
        Some(_) => return Err(AppError::Forbidden),
        None => return Err(AppError::NotFound),
    }
    let pool = state.pool.clone();
    let (depth, events) = blocking(move || {
        let mut conn = pool.get()?;
        Ok((
            outbox::depth(&mut conn)?,
            crate::events::figures(&mut conn)?,
        ))
    })
    .await?;
    let mut text = super::metrics::render(&depth);
    text.push_str(&super::metrics::render_events(&events));
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

#[derive(Deserialize)]
struct DeliveryReport {
    /// The gateway's id for the SMS, as it answered when we sent it.
    id: String,
    /// `delivered` or `failed`.
    status: String,
    /// Why it failed: `invalid_address` or anything else (counted as bounced).
    reason: Option<String>,
}

/// The SMS gateway's delivery report, authenticated by `MELDING_SMS_CALLBACK_TOKEN`.
#[post("/notify/sms/delivery")]
async fn sms_delivery(
    req: HttpRequest,
    state: web::Data<AppState>,
    report: web::Json<DeliveryReport>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = &state.config.notify.sms_callback_token else {
        return Err(AppError::NotFound);
    };
    if !bearer_matches(&req, token.expose_secret()) {
        return Err(AppError::Forbidden);
    }
    let delivered = match report.status.as_str() {
        "delivered" => true,
        "failed" => false,
        _ => {
            return Err(AppError::BadRequest(
                "status must be delivered or failed".into(),
            ));
        }
    };
    let reason = (!delivered).then(|| match report.reason.as_deref() {
        Some("invalid_address") => "invalid_address",
        _ => "bounced",
    });
    let pool = state.pool.clone();
    let id = report.id.clone();
    let matched = blocking(move || {
        Ok(outbox::delivery_report(
            &mut *pool.get()?,
            &id,
            delivered,
            reason,
        )?)
    })
    .await?;
    if matched {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Queryable)]
struct Captured {
    id: i64,
    channel: String,
    recipient: String,
    subject: Option<String>,
    text_body: String,
    created_at: DateTime<Utc>,
}

#[derive(Template)]
#[template(path = "pages/dev_outbox.html")]
struct DevOutboxPage {
    ctx: PageCtx,
    mails: Vec<Captured>,
}

impl DevOutboxPage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        date_time(self.ctx.lang, at)
    }
}

/// `demo` only: the latest 100 captured e-mails and SMS.
#[get("/dev/outbox")]
async fn dev_outbox_page(
    ctx: PageCtx,
    _user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let mails = blocking(move || {
        Ok(dev_outbox::table
            .select((
                dev_outbox::id,
                dev_outbox::channel,
                dev_outbox::recipient,
                dev_outbox::subject,
                dev_outbox::text_body,
                dev_outbox::created_at,
            ))
            .order(dev_outbox::id.desc())
            .limit(100)
            .load::<Captured>(&mut *pool.get()?)?)
    })
    .await?;
    render(&DevOutboxPage { ctx, mails })
}

/// `demo` only: a captured e-mail's HTML part, in a sandbox (no scripts, no same origin).
#[get("/dev/outbox/{id}.html")]
async fn dev_outbox_html(
    _user: CurrentUser,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let pool = state.pool.clone();
    let html = blocking(move || {
        Ok(dev_outbox::table
            .find(id)
            .select(dev_outbox::html_body)
            .first::<Option<String>>(&mut *pool.get()?)
            .optional()?)
    })
    .await?
    .flatten()
    .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "sandbox; default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(html))
}
