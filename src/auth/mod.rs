//! Login with ID-porten (OpenID Connect), server-side sessions, logout, CSRF, and the demo
//! login provider that stands in for ID-porten when running `demo`. Who is logged in
//! (`CurrentUser`) and the CSRF token are read by every page, so they live in `web`.

pub use crate::web::user::{CurrentUser, step_up_link};

pub mod demo_idp;
mod handlers;
pub mod keys;
pub mod oidc;
pub mod session_store;

use actix_session::Session;
use actix_web::web;

use crate::config::{ClientAuth, Config, LoginProvider};
use crate::domain::PartyKind;
use crate::web::AppError;
use crate::web::csrf;
use crate::web::user::{Acting, LEVEL_KEY, NAME_KEY, PERSON_KEY};
use keys::SigningKey;
use oidc::{ClientCredentials, Oidc, OidcSettings};
use secrecy::{ExposeSecret, SecretString};

/// The ID token, kept in the session for logout.
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
    session.insert(PERSON_KEY, person_id).map_err(failed)?;
    session.insert(NAME_KEY, name).map_err(failed)?;
    session
        .insert(LEVEL_KEY, identity.level.number())
        .map_err(failed)?;
    session
        .insert(ID_TOKEN_KEY, &identity.id_token)
        .map_err(failed)?;
    Acting::new(
        person_id,
        PartyKind::Person,
        name,
        Some(&identity.pid),
        None,
    )
    .remember(session);
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
