//! Login with ID-porten (OpenID Connect), server-side sessions, logout, CSRF, and the demo
//! login provider that stands in for ID-porten when running `demo`.

pub mod csrf;
pub mod demo_idp;
mod handlers;
pub mod keys;
pub mod oidc;
pub mod session_store;

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::config::{ClientAuth, Config, LoginProvider};
use crate::domain::LoginLevel;
use crate::web::AppError;
use crate::web::context::encode_component;
use keys::SigningKey;
use oidc::{ClientCredentials, Oidc, OidcSettings};
use secrecy::{ExposeSecret, SecretString};

/// Session keys of a logged-in user.
const NAME_KEY: &str = "name";
const LEVEL_KEY: &str = "level";
const ID_TOKEN_KEY: &str = "id_token";

/// The login machinery of one running app.
pub struct Auth {
    pub oidc: Oidc,
    /// Present only in `demo`.
    pub demo_idp: Option<demo_idp::DemoIdp>,
}

impl Auth {
    /// Builds the client for the configured provider; in demo also the provider itself.
    pub fn new(config: &Config, public_url: &str) -> anyhow::Result<Self> {
        let redirect_uri = format!("{public_url}/auth/callback");
        let post_logout_redirect_uri = format!("{public_url}/logged-out");
        match &config.login {
            LoginProvider::Demo => {
                let idp = demo_idp::DemoIdp::new(config, public_url)?;
                let settings = OidcSettings {
                    issuer: idp.issuer.clone(),
                    client_id: demo_idp::CLIENT_ID.to_owned(),
                    credentials: ClientCredentials::SecretPost(SecretString::from(
                        idp.client_secret().to_owned(),
                    )),
                    redirect_uri,
                    post_logout_redirect_uri,
                };
                Ok(Auth {
                    oidc: Oidc::new(settings)?,
                    demo_idp: Some(idp),
                })
            }
            LoginProvider::IdPorten(idporten) => {
                let credentials = match &idporten.client_auth {
                    ClientAuth::ClientSecretPost(secret) => ClientCredentials::SecretPost(
                        SecretString::from(secret.expose_secret().to_owned()),
                    ),
                    ClientAuth::PrivateKeyJwt { key_file, key_id } => {
                        ClientCredentials::PrivateKeyJwt(Box::new(SigningKey::from_file(
                            key_file,
                            key_id.clone(),
                        )?))
                    }
                };
                let settings = OidcSettings {
                    issuer: idporten.issuer.clone(),
                    client_id: idporten.client_id.clone(),
                    credentials,
                    redirect_uri,
                    post_logout_redirect_uri,
                };
                Ok(Auth {
                    oidc: Oidc::new(settings)?,
                    demo_idp: None,
                })
            }
        }
    }
}

/// The logged-in person, from the session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub person_id: i64,
    pub name: String,
    pub level: LoginLevel,
}

impl CurrentUser {
    pub fn from_session(session: &Session) -> Option<Self> {
        let person_id = session
            .get::<i64>(session_store::PERSON_KEY)
            .ok()
            .flatten()?;
        let name = session
            .get::<String>(NAME_KEY)
            .ok()
            .flatten()
            .unwrap_or_default();
        let level = session
            .get::<i16>(LEVEL_KEY)
            .ok()
            .flatten()
            .and_then(LoginLevel::from_number)
            .unwrap_or(LoginLevel::Substantial);
        Some(CurrentUser {
            person_id,
            name,
            level,
        })
    }

    /// A page that needs `level` answers with the step-up page when the login is weaker.
    pub fn require_level(&self, level: LoginLevel, return_to: &str) -> Result<(), AppError> {
        if self.level >= level {
            Ok(())
        } else {
            Err(AppError::StepUp(step_up_link(return_to)))
        }
    }
}

/// Where a "log in with a higher level" link goes: login at level high, then back here.
pub fn step_up_link(return_to: &str) -> String {
    format!(
        "/login?level=high&return_to={}",
        encode_component(return_to)
    )
}

/// Pages that need a login send anonymous visitors to /login and back.
impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            CurrentUser::from_session(&req.get_session()).ok_or_else(|| {
                let here = match req.query_string() {
                    "" => req.path().to_owned(),
                    q => format!("{}?{q}", req.path()),
                };
                AppError::LoginRequired(format!("/login?return_to={}", encode_component(&here)))
            }),
        )
    }
}

/// Records a completed login in the session: a new session id, the person, the level, and
/// what logout needs later (the ID token and ID-porten's session id).
fn start_session(
    session: &Session,
    person_id: i64,
    name: &str,
    identity: &oidc::Identity,
) -> Result<(), AppError> {
    session.renew();
    session.clear();
    let failed =
        |e: actix_session::SessionInsertError| AppError::Internal(anyhow::anyhow!("session: {e}"));
    session
        .insert(session_store::PERSON_KEY, person_id)
        .map_err(failed)?;
    session.insert(NAME_KEY, name).map_err(failed)?;
    session
        .insert(LEVEL_KEY, identity.level.number())
        .map_err(failed)?;
    session
        .insert(ID_TOKEN_KEY, &identity.id_token)
        .map_err(failed)?;
    if let Some(sid) = &identity.sid {
        session
            .insert(session_store::SID_KEY, sid)
            .map_err(failed)?;
    }
    csrf::ensure_token(session);
    Ok(())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    handlers::routes(cfg);
}

/// The demo provider's routes (registered only when it exists, so `serve` never has them).
pub fn demo_routes(cfg: &mut web::ServiceConfig) {
    demo_idp::routes(cfg);
}
