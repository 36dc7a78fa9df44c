//! /login, /auth/callback, /logout, /logged-out and front-channel logout.

use actix_session::Session;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;

use super::demo_idp::personas::{self, PersonaView};
use super::oidc::{LoginError, PendingLogin};
use super::{Auth, CurrentUser, ID_TOKEN_KEY, session_store, start_session};
use crate::access::parties;
use crate::audit::{self, Entry};
use crate::db::schema::login_requests;
use crate::domain::{LoginLevel, NationalId};
use crate::state::AppState;
use crate::web::pages::is_local_path;
use crate::web::{AppError, PageCtx, blocking, render};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(login)
        .service(callback)
        .service(logout)
        .service(logged_out)
        .service(frontchannel_logout);
}

#[derive(Deserialize)]
struct LoginQuery {
    return_to: Option<String>,
    level: Option<String>,
}

/// The cookie that binds a pending login to the browser that started it: a random value whose
/// SHA-256 is stored with the pending login, checked at the callback.
fn binding_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-melding-login"
    } else {
        "melding-login"
    }
}

/// How long the binding lasts: as long as a pending login (10 minutes).
const BINDING_MINUTES: i64 = 10;

fn sha256_hex(value: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(value.as_bytes()))
}

/// Starts a login: the pending login is stored server-side, bound to this browser by a cookie,
/// and the browser goes to the provider.
#[get("/login")]
async fn login(
    ctx: PageCtx,
    req: HttpRequest,
    query: web::Query<LoginQuery>,
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
) -> Result<HttpResponse, AppError> {
    let level = match query.level.as_deref() {
        Some("high") => LoginLevel::High,
        _ => LoginLevel::Substantial,
    };
    let return_to = query
        .return_to
        .clone()
        .filter(|p| is_local_path(p))
        .unwrap_or_else(|| "/".to_owned());
    let (url, pending) = auth.oidc.begin(level, ctx.lang).await.map_err(|e| {
        tracing::error!(error = %e, "the login provider is unreachable");
        AppError::Unavailable(e.to_string())
    })?;
    // One binding per browser, kept while it lasts, so logins started in two tabs both hold.
    let secure = state.config.secure_cookies;
    let binding = req
        .cookie(binding_cookie(secure))
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| {
            crate::config::random_bytes(32)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        });
    let browser_hash = sha256_hex(&binding);
    let pool = state.pool.clone();
    blocking(move || {
        let mut conn = pool.get()?;
        diesel::insert_into(login_requests::table)
            .values((
                login_requests::state.eq(&pending.state),
                login_requests::nonce.eq(&pending.nonce),
                login_requests::pkce_verifier.eq(&pending.pkce_verifier),
                login_requests::acr_requested.eq(pending.level.acr()),
                login_requests::return_to.eq(&return_to),
                login_requests::browser_hash.eq(&browser_hash),
            ))
            .execute(&mut conn)?;
        Ok(())
    })
    .await?;
    let cookie = Cookie::build(binding_cookie(secure), binding)
        .path("/")
        .http_only(true)
        .secure(secure)
        // Lax: the provider sends the browser back with a top-level GET, which carries it.
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::minutes(BINDING_MINUTES))
        .finish();
    Ok(HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, url))
        .finish())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/login_failed.html")]
struct LoginFailedPage {
    ctx: PageCtx,
    /// The callback came to another browser than the one that started the login.
    other_browser: bool,
}

/// The provider sends the browser back here. The pending login is taken (single use) before
/// anything else, so a replayed state or code finds nothing; it counts only in the browser that
/// started it (its binding cookie), so nobody can log another browser in as themself.
#[get("/auth/callback")]
async fn callback(
    ctx: PageCtx,
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
    session: Session,
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let pool = state.pool.clone();
    let taken_state = query.state.clone().unwrap_or_default();
    let secure = state.config.secure_cookies;
    let browser_hash = req
        .cookie(binding_cookie(secure))
        .map(|c| sha256_hex(c.value()))
        .unwrap_or_default();
    let pending = blocking(move || {
        let mut conn = pool.get()?;
        let row: Option<(String, String, String, String, String, String)> =
            diesel::delete(login_requests::table.filter(login_requests::state.eq(taken_state)))
                .filter(login_requests::expires_at.gt(Utc::now()))
                .returning((
                    login_requests::state,
                    login_requests::nonce,
                    login_requests::pkce_verifier,
                    login_requests::acr_requested,
                    login_requests::return_to,
                    login_requests::browser_hash,
                ))
                .get_result(&mut conn)
                .optional()?;
        Ok(row)
    })
    .await?;
    // A pending login from another browser is used up all the same: it cannot be tried again.
    let pending = pending.map(|(state, nonce, verifier, acr, return_to, bound_to)| {
        let same = !bound_to.is_empty()
            && crate::web::csrf::constant_time_eq(bound_to.as_bytes(), browser_hash.as_bytes());
        same.then_some((state, nonce, verifier, acr, return_to))
            .ok_or(LoginError::OtherBrowser)
    });

    let outcome = match (pending, &query.error, &query.code) {
        (None, _, _) => Err(LoginError::UnknownState),
        (Some(Err(other)), _, _) => Err(other),
        (Some(Ok(_)), Some(error), _) => Err(LoginError::Provider(error.clone())),
        (Some(Ok(_)), None, None) => Err(LoginError::Provider("no code".to_owned())),
        (Some(Ok((state_value, nonce, pkce_verifier, acr, return_to))), None, Some(code)) => {
            let pending = PendingLogin {
                state: state_value,
                nonce,
                pkce_verifier,
                level: LoginLevel::from_acr(&acr).unwrap_or(LoginLevel::Substantial),
            };
            auth.oidc
                .complete(&pending, code, query.iss.as_deref())
                .await
                .map(|identity| (identity, return_to))
        }
    };

    let correlation = ctx.correlation_id.clone();
    let pool = state.pool.clone();
    let test_ids = state.config.test_ids;
    match outcome {
        Ok((identity, return_to)) => {
            let pid = match NationalId::parse(&identity.pid, test_ids) {
                Ok(pid) => pid,
                Err(_) => return failed(ctx, pool, LoginError::Identity).await,
            };
            let name = identity.name.clone();
            let level = identity.level;
            let amr = identity.amr.clone();
            let (person_id, person_name) = blocking(move || {
                let mut conn = pool.get()?;
                let person = parties::find_or_create_person(&mut conn, &pid, name.as_deref())?;
                let mut entry = Entry::new("login");
                entry.actor = Some(person.0);
                entry.details = serde_json::json!({ "level": level.acr(), "amr": amr });
                entry.correlation_id = Some(&correlation);
                audit::record(&mut conn, entry)?;
                Ok(person)
            })
            .await?;
            start_session(&session, person_id, &person_name, &identity)?;
            tracing::info!(person_id, level = %identity.level, "login");
            let mut spent = Cookie::build(binding_cookie(secure), "")
                .path("/")
                .http_only(true)
                .secure(secure)
                .same_site(SameSite::Lax)
                .finish();
            spent.make_removal();
            Ok(HttpResponse::SeeOther()
                .cookie(spent)
                .insert_header((header::LOCATION, return_to))
                .finish())
        }
        Err(err) => failed(ctx, pool, err).await,
    }
}

async fn failed(
    ctx: PageCtx,
    pool: crate::db::PgPool,
    err: LoginError,
) -> Result<HttpResponse, AppError> {
    tracing::warn!(error = %err, "login failed");
    let other_browser = matches!(err, LoginError::OtherBrowser);
    let reason = err.to_string();
    let correlation = ctx.correlation_id.clone();
    blocking(move || {
        let mut conn = pool.get()?;
        let mut entry = Entry::new("login_failed");
        entry.details = serde_json::json!({ "reason": reason });
        entry.correlation_id = Some(&correlation);
        audit::record(&mut conn, entry)?;
        Ok(())
    })
    .await?;
    crate::web::render_status(
        &LoginFailedPage { ctx, other_browser },
        actix_web::http::StatusCode::BAD_REQUEST,
    )
}

/// Ends the local session, then the provider's (POST only, with the CSRF token).
#[post("/logout")]
async fn logout(
    ctx: PageCtx,
    session: Session,
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
) -> Result<HttpResponse, AppError> {
    let user = CurrentUser::from_session(&session);
    let id_token = session.get::<String>(ID_TOKEN_KEY).ok().flatten();
    session.purge();
    if let Some(user) = &user {
        let pool = state.pool.clone();
        let person = user.person_id;
        let correlation = ctx.correlation_id.clone();
        blocking(move || {
            let mut conn = pool.get()?;
            let mut entry = Entry::new("logout");
            entry.actor = Some(person);
            entry.correlation_id = Some(&correlation);
            audit::record(&mut conn, entry)?;
            Ok(())
        })
        .await?;
    }
    let logout_state: String = crate::config::random_bytes(16)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let target = match id_token {
        Some(hint) => auth.oidc.end_session_url(Some(&hint), &logout_state).await,
        None => None,
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            target.unwrap_or_else(|| "/logged-out".to_owned()),
        ))
        .finish())
}

#[derive(Template)]
#[template(path = "auth/logged_out.html")]
struct LoggedOutPage {
    ctx: PageCtx,
}

#[get("/logged-out")]
async fn logged_out(ctx: PageCtx) -> Result<HttpResponse, AppError> {
    render(&LoggedOutPage { ctx })
}

#[derive(Deserialize)]
struct FrontChannelQuery {
    iss: Option<String>,
    sid: Option<String>,
}

/// ID-porten loads this in a hidden frame when the user logs out elsewhere: every local session
/// of that ID-porten session ends. Only the provider's login host may frame it.
#[get("/auth/frontchannel-logout")]
async fn frontchannel_logout(
    query: web::Query<FrontChannelQuery>,
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
) -> Result<HttpResponse, AppError> {
    let issuer = auth.oidc.issuer().to_owned();
    if query.iss.as_deref().map(|i| i.trim_end_matches('/')) != Some(issuer.trim_end_matches('/')) {
        return Err(AppError::BadRequest("unknown issuer".to_owned()));
    }
    let sid = query
        .sid
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::BadRequest("no sid".to_owned()))?;
    let pool = state.pool.clone();
    let ended = blocking(move || {
        let mut conn = pool.get()?;
        Ok(session_store::end_by_sid(&mut conn, &sid)?)
    })
    .await?;
    tracing::info!(ended, "front-channel logout");
    let frame_origin = auth
        .oidc
        .login_host_origin()
        .await
        .unwrap_or_else(|| "'none'".to_owned());
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Security-Policy",
            format!("default-src 'none'; frame-ancestors {frame_origin}"),
        ))
        // Stops the default DENY; browsers ignore the unknown value and obey frame-ancestors.
        .insert_header(("X-Frame-Options", "ALLOWALL"))
        .content_type("text/plain; charset=utf-8")
        .body("ok"))
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    ctx: PageCtx,
    personas: Vec<PersonaView>,
}

/// The front page: what melding is, the login, and in demo the personas to log in as.
#[get("/")]
async fn home(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let personas = if ctx.demo {
        let pool = state.pool.clone();
        let lang = ctx.lang;
        blocking(move || {
            let mut conn = pool.get()?;
            Ok(personas::load(&mut conn, lang)?)
        })
        .await?
    } else {
        Vec::new()
    };
    render(&HomePage { ctx, personas })
}
