//! `/health/live` answers while the process runs; `/health/ready` also checks the database.

use actix_web::{HttpResponse, get, web};

use crate::state::AppState;
use crate::web::{AppError, blocking};

#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let outcome = blocking(move || {
        let mut conn = pool.get()?;
        crate::db::ping(&mut conn).map_err(AppError::from)
    })
    .await;
    match outcome {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "database": "ok" })),
        Err(err) => {
            tracing::warn!(error = %err, "not ready");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unavailable", "database": "unreachable" }))
        }
    }
}
