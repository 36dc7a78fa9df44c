//! Altinn's token exchange, `GET /authentication/api/v1/exchange/maskinporten`: a client that
//! first trades its Maskinporten token for an Altinn token (as Altinn's client libraries do)
//! gets a melding token for the same client, scopes and lifetime, and uses it as it would
//! Altinn's. Maskinporten tokens keep working directly.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::problem::Problem;
use super::{Api, EITHER, authenticate};

#[get("/authentication/api/v1/exchange/maskinporten")]
pub async fn maskinporten(req: HttpRequest) -> Result<HttpResponse, Problem> {
    let api = req
        .app_data::<web::Data<Api>>()
        .ok_or_else(Problem::not_found)?
        .clone();
    let caller = authenticate(&req, EITHER).await?;
    // Only a Maskinporten token is exchanged, not one melding gave.
    if caller.client.exchanged {
        return Err(Problem::unauthenticated());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(api.exchange.issue(&caller.client)))
}
