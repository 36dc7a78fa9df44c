//! The OpenID Connect client for ID-porten (and, in demo, for the in-app provider): discovery
//! (cached), authorization code flow with PKCE S256, state, nonce and acr_values, RFC 9207 `iss`
//! checking, ID-token verification, and `client_secret_post` or `private_key_jwt`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreSubjectIdentifierType, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AuthType, AuthenticationFlow, AuthorizationCode,
    Client, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, ProviderMetadata, RedirectUrl, Scope, StandardErrorResponse,
    StandardTokenResponse, TokenResponse, reqwest,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use super::keys::SigningKey;
use crate::domain::{Language, LoginLevel};

/// ID-porten's own ID-token claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdPortenClaims {
    /// The national identity number.
    pub pid: Option<String>,
    /// ID-porten's session id, used by front-channel logout.
    pub sid: Option<String>,
    pub locale: Option<String>,
}
impl AdditionalClaims for IdPortenClaims {}

/// Discovery fields beyond the core set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogoutMetadata {
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}
impl AdditionalProviderMetadata for LogoutMetadata {}

type Metadata = ProviderMetadata<
    LogoutMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type TokenFields = IdTokenFields<
    IdPortenClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type OidcClient = Client<
    IdPortenClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<TokenFields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

pub enum ClientCredentials {
    SecretPost(SecretString),
    PrivateKeyJwt(Box<SigningKey>),
}

pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub credentials: ClientCredentials,
    pub redirect_uri: String,
    pub post_logout_redirect_uri: String,
}

/// Why a login did not complete. Shown to the user as one friendly message; logged in full.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("unknown, used or expired login state")]
    UnknownState,
    /// The callback came to a browser other than the one that started the login (login CSRF,
    /// or a login link opened elsewhere).
    #[error("the login was started in another browser")]
    OtherBrowser,
    #[error("the provider reported an error: {0}")]
    Provider(String),
    #[error("the iss parameter does not name our provider")]
    IssuerMismatch,
    #[error("discovery failed: {0}")]
    Discovery(String),
    #[error("the code exchange failed: {0}")]
    TokenExchange(String),
    #[error("the ID token was rejected: {0}")]
    IdToken(String),
    #[error("the login level {got:?} is below the {wanted} asked for")]
    LevelTooLow {
        wanted: LoginLevel,
        got: Option<String>,
    },
    #[error("the ID token has no valid pid")]
    Identity,
}

/// What a completed login tells us.
pub struct Identity {
    pub pid: String,
    pub level: LoginLevel,
    pub sid: Option<String>,
    pub amr: Vec<String>,
    pub locale: Option<String>,
    pub name: Option<String>,
    pub id_token: String,
}

/// A login in progress: kept server-side until the provider sends the user back.
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub level: LoginLevel,
}

struct Discovered {
    metadata: Metadata,
    client: OidcClient,
    fetched: Instant,
}

const METADATA_TTL: Duration = Duration::from_secs(3600);

pub struct Oidc {
    settings: OidcSettings,
    http: reqwest::Client,
    cache: RwLock<Option<Arc<Discovered>>>,
}

impl Oidc {
    pub fn new(settings: OidcSettings) -> anyhow::Result<Self> {
        // Never follow redirects (SSRF), and never wait forever on the provider.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(Oidc {
            settings,
            http,
            cache: RwLock::new(None),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    async fn discovered(&self) -> Result<Arc<Discovered>, LoginError> {
        if let Some(found) = self.cache.read().await.as_ref()
            && found.fetched.elapsed() < METADATA_TTL
        {
            return Ok(found.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| LoginError::Discovery(e.to_string()))?;
        let metadata = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| LoginError::Discovery(format!("{e}")))?;
        let secret = match &self.settings.credentials {
            ClientCredentials::SecretPost(secret) => {
                Some(ClientSecret::new(secret.expose_secret().to_owned()))
            }
            ClientCredentials::PrivateKeyJwt(_) => None,
        };
        let redirect = RedirectUrl::new(self.settings.redirect_uri.clone())
            .map_err(|e| LoginError::Discovery(e.to_string()))?;
        let client = OidcClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(redirect)
        .set_auth_type(AuthType::RequestBody);
        let found = Arc::new(Discovered {
            metadata,
            client,
            fetched: Instant::now(),
        });
        *self.cache.write().await = Some(found.clone());
        Ok(found)
    }

    /// The provider's authorize URL for a new login at `level`, and what to keep until it returns.
    pub async fn begin(
        &self,
        level: LoginLevel,
        lang: Language,
    ) -> Result<(String, PendingLogin), LoginError> {
        let discovered = self.discovered().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let url = discovered
            .client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .add_extra_param("acr_values", level.acr())
            .add_extra_param("ui_locales", lang.code());
        // A step-up must authenticate again, even when the provider has a session already.
        let url = if level == LoginLevel::High {
            url.add_prompt(CoreAuthPrompt::Login)
        } else {
            url
        };
        let (url, state, nonce) = url.url();
        Ok((
            url.to_string(),
            PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                level,
            },
        ))
    }

    /// Checks the callback's `iss`, exchanges the code and verifies the ID token.
    pub async fn complete(
        &self,
        pending: &PendingLogin,
        code: &str,
        iss: Option<&str>,
    ) -> Result<Identity, LoginError> {
        let discovered = self.discovered().await?;
        match iss {
            Some(iss) if iss != discovered.metadata.issuer().as_str() => {
                return Err(LoginError::IssuerMismatch);
            }
            None if discovered
                .metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported =>
            {
                return Err(LoginError::IssuerMismatch);
            }
            _ => {}
        }
        let mut request = discovered
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| LoginError::TokenExchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()));
        if let ClientCredentials::PrivateKeyJwt(key) = &self.settings.credentials {
            let now = chrono::Utc::now().timestamp();
            let assertion = key
                .sign_jwt(&serde_json::json!({
                    "iss": self.settings.client_id,
                    "sub": self.settings.client_id,
                    "aud": discovered.metadata.issuer().as_str(),
                    "iat": now,
                    "exp": now + 60,
                    "jti": uuid::Uuid::now_v7().to_string(),
                }))
                .map_err(|e| LoginError::TokenExchange(e.to_string()))?;
            request = request
                .add_extra_param(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .add_extra_param("client_assertion", assertion);
        }
        let response = request
            .request_async(&self.http)
            .await
            .map_err(|e| LoginError::TokenExchange(describe(&e)))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| LoginError::IdToken("no ID token".to_owned()))?;
        let verifier = discovered.client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|e| LoginError::IdToken(e.to_string()))?;
        let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned());
        let level = acr.as_deref().and_then(LoginLevel::from_acr);
        let level = match level {
            Some(level) if level >= pending.level => level,
            _ => {
                return Err(LoginError::LevelTooLow {
                    wanted: pending.level,
                    got: acr,
                });
            }
        };
        let extra = claims.additional_claims();
        let pid = extra.pid.clone().ok_or(LoginError::Identity)?;
        Ok(Identity {
            pid,
            level,
            sid: extra.sid.clone(),
            amr: claims
                .auth_method_refs()
                .map(|v| v.iter().map(|a| a.as_str().to_owned()).collect())
                .unwrap_or_default(),
            locale: extra.locale.clone(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            id_token: id_token.to_string(),
        })
    }

    /// The origin of the provider's login pages (its authorization endpoint), which is the one
    /// allowed to frame front-channel logout. ID-porten's differs from its issuer.
    pub async fn login_host_origin(&self) -> Option<String> {
        let discovered = self.discovered().await.ok()?;
        Some(
            discovered
                .metadata
                .authorization_endpoint()
                .url()
                .origin()
                .ascii_serialization(),
        )
    }

    /// Where to send the browser to end the provider's session, if it supports that.
    pub async fn end_session_url(
        &self,
        id_token_hint: Option<&str>,
        state: &str,
    ) -> Option<String> {
        let discovered = self.discovered().await.ok()?;
        let endpoint = discovered
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut url = url::Url::parse(&endpoint).ok()?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(hint) = id_token_hint {
                query.append_pair("id_token_hint", hint);
            }
            query.append_pair(
                "post_logout_redirect_uri",
                &self.settings.post_logout_redirect_uri,
            );
            query.append_pair("state", state);
        }
        Some(url.to_string())
    }
}

/// The full chain of a token-request error, for the log.
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
