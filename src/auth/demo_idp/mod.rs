//! The demo login provider: an OpenID provider inside the app, active only in `demo`, that
//! works like ID-porten's test login. Type any synthetic national identity number (or pick a
//! persona) and a level; the app's real OIDC client logs in through it over HTTP.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub mod personas;

use super::Auth;
use super::keys::SigningKey;
use crate::config::Config;
use crate::db::schema::parties;
use crate::domain::{LoginLevel, NationalId, TestIds};
use crate::state::AppState;
use crate::web::csrf;
use crate::web::{AppError, PageCtx, blocking};
use personas::PersonaView;

pub const CLIENT_ID: &str = "melding-demo";
const CODE_LIFETIME: Duration = Duration::from_secs(60);

struct IssuedCode {
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    pid: String,
    name: Option<String>,
    level: LoginLevel,
    sid: String,
    locale: String,
    issued: Instant,
}

pub struct DemoIdp {
    pub issuer: String,
    key: SigningKey,
    secret: String,
    redirect_uri: String,
    post_logout_redirect_uri: String,
    codes: Mutex<HashMap<String, IssuedCode>>,
}

fn random_hex(n: usize) -> String {
    crate::config::random_bytes(n)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl DemoIdp {
    pub fn new(config: &Config, public_url: &str) -> anyhow::Result<Self> {
        let key = SigningKey::load_or_create(&config.data_dir.join("demo-idp-key.pem"))?;
        Ok(DemoIdp {
            issuer: format!("{public_url}/demo-idp"),
            key,
            secret: random_hex(32),
            redirect_uri: format!("{public_url}/auth/callback"),
            post_logout_redirect_uri: format!("{public_url}/logged-out"),
            codes: Mutex::new(HashMap::new()),
        })
    }

    pub fn client_secret(&self) -> &str {
        &self.secret
    }

    /// The public signing key (the JSON API accepts the demo issuer's tokens in `demo`).
    pub fn public_jwk(&self) -> openidconnect::core::CoreJsonWebKey {
        self.key.public_jwk()
    }
}

fn idp(auth: &Auth) -> Result<&DemoIdp, AppError> {
    auth.demo_idp.as_ref().ok_or(AppError::NotFound)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/demo-idp")
            .service(discovery)
            .service(jwks)
            .service(authorize_page)
            .service(authorize_submit)
            .service(token)
            .service(end_session),
    );
}

#[get("/.well-known/openid-configuration")]
async fn discovery(auth: web::Data<Auth>) -> Result<HttpResponse, AppError> {
    let idp = idp(&auth)?;
    let base = &idp.issuer;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "end_session_endpoint": format!("{base}/endsession"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": ["idporten-loa-substantial", "idporten-loa-high"],
        "ui_locales_supported": ["nb", "nn", "en"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "acr", "amr", "pid", "sid", "locale", "name"],
        "authorization_response_iss_parameter_supported": true,
        "frontchannel_logout_supported": true,
        "frontchannel_logout_session_supported": true,
    })))
}

#[get("/jwks")]
async fn jwks(auth: web::Data<Auth>) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(idp(&auth)?.key.jwks()))
}

/// The authorization request's parameters, carried through the login form.
#[derive(Deserialize, Clone)]
struct AuthorizeParams {
    client_id: String,
    redirect_uri: String,
    response_type: String,
    state: String,
    nonce: Option<String>,
    code_challenge: String,
    code_challenge_method: String,
    acr_values: Option<String>,
    ui_locales: Option<String>,
}

impl AuthorizeParams {
    fn check(&self, idp: &DemoIdp) -> Result<(), AppError> {
        let ok = self.client_id == CLIENT_ID
            && self.redirect_uri == idp.redirect_uri
            && self.response_type == "code"
            && self.code_challenge_method == "S256"
            && !self.code_challenge.is_empty()
            && !self.state.is_empty();
        if ok {
            Ok(())
        } else {
            Err(AppError::BadRequest(
                "invalid authorization request".to_owned(),
            ))
        }
    }

    fn level(&self) -> LoginLevel {
        self.acr_values
            .as_deref()
            .and_then(LoginLevel::from_acr)
            .unwrap_or(LoginLevel::Substantial)
    }
}

#[derive(Template)]
#[template(path = "auth/demo_login.html")]
struct DemoLoginPage {
    ctx: PageCtx,
    params: AuthorizeParams,
    personas: Vec<PersonaView>,
    national_id: String,
    error: Option<String>,
    high: bool,
}

async fn login_page(
    ctx: PageCtx,
    state: &AppState,
    params: AuthorizeParams,
    national_id: String,
    error: Option<String>,
    high: bool,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let lang = ctx.lang;
    let personas = blocking(move || {
        let mut conn = pool.get()?;
        Ok(personas::load(&mut conn, lang)?)
    })
    .await?;
    let status = if error.is_some() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    crate::web::render_status(
        &DemoLoginPage {
            ctx,
            params,
            personas,
            national_id,
            error,
            high,
        },
        status,
    )
}

#[get("/authorize")]
async fn authorize_page(
    ctx: PageCtx,
    session: Session,
    query: web::Query<AuthorizeParams>,
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
) -> Result<HttpResponse, AppError> {
    let params = query.into_inner();
    params.check(idp(&auth)?)?;
    // The form posts back here; it needs this browser's CSRF token.
    let mut ctx = ctx;
    ctx.csrf_token = Some(csrf::ensure_token(&session));
    let high = params.level() == LoginLevel::High;
    login_page(ctx, &state, params, String::new(), None, high).await
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(flatten)]
    params: AuthorizeParams,
    national_id: Option<String>,
    persona: Option<String>,
    level: Option<String>,
}

#[post("/authorize")]
async fn authorize_submit(
    ctx: PageCtx,
    form: web::Form<LoginForm>,
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let idp = idp(&auth)?;
    form.params.check(idp)?;
    let level = if form.level.as_deref() == Some("high") {
        LoginLevel::High
    } else {
        LoginLevel::Substantial
    };
    let typed = form
        .persona
        .clone()
        .or(form.national_id.clone())
        .unwrap_or_default();
    let pid = match NationalId::parse(&typed, TestIds::Allowed) {
        Ok(pid) => pid,
        Err(err) => {
            let message = ctx.t1(
                "demo-login-invalid",
                "reason",
                &crate::web::i18n::id_error(ctx.lang, &err),
            );
            return login_page(
                ctx,
                &state,
                form.params,
                typed,
                Some(message),
                level == LoginLevel::High,
            )
            .await;
        }
    };
    let pool = state.pool.clone();
    let lookup = pid.as_str().to_owned();
    let name: Option<String> = blocking(move || {
        let mut conn = pool.get()?;
        Ok(parties::table
            .filter(parties::national_id.eq(lookup))
            .select(parties::name)
            .first(&mut conn)
            .optional()?)
    })
    .await?;
    let code = random_hex(24);
    let issued = IssuedCode {
        redirect_uri: form.params.redirect_uri.clone(),
        code_challenge: form.params.code_challenge.clone(),
        nonce: form.params.nonce.clone(),
        pid: pid.as_str().to_owned(),
        name,
        level,
        sid: random_hex(16),
        locale: form
            .params
            .ui_locales
            .clone()
            .unwrap_or_else(|| "nb".to_owned()),
        issued: Instant::now(),
    };
    {
        let mut codes = idp.codes.lock().unwrap_or_else(|e| e.into_inner());
        codes.retain(|_, c| c.issued.elapsed() < CODE_LIFETIME);
        codes.insert(code.clone(), issued);
    }
    let mut target = url::Url::parse(&form.params.redirect_uri)
        .map_err(|_| AppError::BadRequest("redirect_uri".to_owned()))?;
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &form.params.state)
        .append_pair("iss", &idp.issuer);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target.to_string()))
        .finish())
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    client_id: String,
    client_secret: Option<String>,
    code_verifier: String,
}

fn token_error(error: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(serde_json::json!({ "error": error }))
}

#[post("/token")]
async fn token(
    form: web::Form<TokenForm>,
    auth: web::Data<Auth>,
) -> Result<HttpResponse, AppError> {
    let idp = idp(&auth)?;
    if form.grant_type != "authorization_code" {
        return Ok(token_error("unsupported_grant_type"));
    }
    let secret_ok = form
        .client_secret
        .as_deref()
        .is_some_and(|s| csrf::constant_time_eq(s.as_bytes(), idp.secret.as_bytes()));
    if form.client_id != CLIENT_ID || !secret_ok {
        return Ok(token_error("invalid_client"));
    }
    // A code is used once, whatever happens next.
    let issued = idp
        .codes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&form.code);
    let Some(issued) = issued else {
        return Ok(token_error("invalid_grant"));
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
    if issued.issued.elapsed() > CODE_LIFETIME
        || issued.redirect_uri != form.redirect_uri
        || challenge != issued.code_challenge
    {
        return Ok(token_error("invalid_grant"));
    }
    let now = chrono::Utc::now().timestamp();
    let mut claims = serde_json::json!({
        "iss": idp.issuer,
        "aud": CLIENT_ID,
        "sub": format!("{:x}", Sha256::digest(issued.pid.as_bytes())),
        "iat": now,
        "exp": now + 120,
        "auth_time": now,
        "acr": issued.level.acr(),
        "amr": ["TestID"],
        "pid": issued.pid,
        "sid": issued.sid,
        "locale": issued.locale,
    });
    if let Some(nonce) = issued.nonce {
        claims["nonce"] = serde_json::Value::String(nonce);
    }
    if let Some(name) = issued.name {
        claims["name"] = serde_json::Value::String(name);
    }
    let id_token = idp.key.sign_jwt(&claims)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({
            "access_token": random_hex(24),
            "token_type": "Bearer",
            "expires_in": 120,
            "scope": "openid profile",
            "id_token": id_token,
        })))
}

#[derive(Deserialize)]
struct EndSessionQuery {
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

#[get("/endsession")]
async fn end_session(
    query: web::Query<EndSessionQuery>,
    auth: web::Data<Auth>,
) -> Result<HttpResponse, AppError> {
    let idp = idp(&auth)?;
    let mut target =
        url::Url::parse(&idp.post_logout_redirect_uri).map_err(|e| AppError::Internal(e.into()))?;
    if query.post_logout_redirect_uri.as_deref() != Some(idp.post_logout_redirect_uri.as_str()) {
        return Err(AppError::BadRequest(
            "unknown post_logout_redirect_uri".to_owned(),
        ));
    }
    if let Some(s) = &query.state {
        target.query_pairs_mut().append_pair("state", s);
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target.to_string()))
        .finish())
}
