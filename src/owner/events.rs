//! The service owner's event subscriptions (made through the Events API by its systems) and the
//! latest deliveries to them with their outcome, so people see what their systems are told and
//! when an endpoint keeps failing.

use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use super::owner;
use crate::sending::owners::Owner;
use crate::state::AppState;
use crate::web::i18n;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render};

#[derive(Deserialize)]
pub(super) struct OwnerQuery {
    owner: i64,
}

pub(super) struct SubscriptionView {
    id: i64,
    endpoint: String,
    filters: String,
    state: String,
    failing: bool,
    last_error: String,
}

pub(super) struct DeliveryView {
    at: String,
    subscription: i64,
    event: String,
    outcome: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "owner/events.html")]
struct Page {
    ctx: PageCtx,
    owner: Owner,
    subscriptions: Vec<SubscriptionView>,
    deliveries: Vec<DeliveryView>,
}

fn time(at: &chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::time::in_oslo(at)
        .format("%d.%m.%Y %H:%M:%S")
        .to_string()
}

#[get("/admin/events")]
pub(super) async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<OwnerQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let lang = ctx.lang;
    let (owner, subscriptions, deliveries) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let subscriptions = crate::events::of(&mut conn, owner.id, None)?;
        let deliveries = crate::events::recent_deliveries(&mut conn, owner.id, 50)?;
        Ok((owner, subscriptions, deliveries))
    })
    .await?;
    let subscriptions = subscriptions
        .into_iter()
        .map(|s| {
            let filters: Vec<String> = [
                s.type_filter.clone(),
                s.resource_filter.clone(),
                s.source_filter.clone(),
                s.subject_filter.clone(),
            ]
            .into_iter()
            .flatten()
            .collect();
            let failing = s.disabled_at.is_some();
            SubscriptionView {
                id: s.id,
                endpoint: s.endpoint,
                filters: if filters.is_empty() {
                    i18n::text(lang, "events-filters-none")
                } else {
                    filters.join(", ")
                },
                state: if failing {
                    i18n::text(lang, "events-state-failing")
                } else if !s.validated {
                    i18n::text(lang, "events-state-unvalidated")
                } else if s.failures > 0 {
                    i18n::text_with(
                        lang,
                        "events-state-retrying",
                        &[("n", s.failures.to_string())],
                    )
                } else {
                    i18n::text(lang, "events-state-ok")
                },
                failing: failing || s.failures > 0,
                last_error: s.last_error.unwrap_or_default(),
            }
        })
        .collect();
    let deliveries = deliveries
        .into_iter()
        .map(|d| DeliveryView {
            at: time(&d.at),
            subscription: d.subscription_id,
            event: d
                .event_type
                .map(|t| t.rsplit('.').next().unwrap_or(&t).to_owned())
                .unwrap_or_default(),
            outcome: match (d.outcome.as_str(), d.status_code) {
                ("delivered", Some(code)) => {
                    i18n::text_with(lang, "events-delivered", &[("code", code.to_string())])
                }
                (_, Some(code)) => {
                    i18n::text_with(lang, "events-failed-code", &[("code", code.to_string())])
                }
                _ => i18n::text_with(
                    lang,
                    "events-failed",
                    &[("error", d.error.unwrap_or_default())],
                ),
            },
            failed: d.outcome == "failed",
        })
        .collect();
    render(&Page {
        ctx,
        owner,
        subscriptions,
        deliveries,
    })
}
