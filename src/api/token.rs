//! Bearer access tokens as Maskinporten issues them: compact JWTs signed RS256, checked against
//! the issuer's keys (JWKS, cached and fetched again when a token names an unknown key id), the
//! issuer, the audience, expiry and not-before (60 s leeway), and the scope. The client
//! organisation comes from the `consumer` claim (`0192:<orgno>`).

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::JsonWebKey;
use openidconnect::core::{CoreJsonWebKey, CoreJsonWebKeySet, CoreJwsSigningAlgorithm};
use serde::Deserialize;
use std::sync::RwLock;

use crate::domain::OrgNumber;

pub const SCOPE_WRITE: &str = "altinn:correspondence.write";
pub const SCOPE_READ: &str = "altinn:correspondence.read";

/// Why a token was refused (the client is told only "invalid token" or "insufficient scope").
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("no bearer token")]
    Missing,
    #[error("malformed token")]
    Malformed,
    #[error("unknown signing key")]
    UnknownKey,
    #[error("bad signature")]
    BadSignature,
    #[error("wrong issuer")]
    Issuer,
    #[error("wrong audience")]
    Audience,
    #[error("expired or not yet valid")]
    Expired,
    #[error("missing scope {0}")]
    Scope(String),
    #[error("no client organisation (consumer claim)")]
    Consumer,
    #[error("the issuer's keys could not be fetched")]
    Keys,
}

/// A verified caller.
#[derive(Debug, Clone)]
pub struct Client {
    pub org_number: OrgNumber,
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
    /// When the token expires (seconds since 1970).
    pub expires: i64,
    /// The token is one melding gave in exchange (not the issuer's own).
    pub exchanged: bool,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct Consumer {
    #[serde(rename = "ID")]
    id: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    aud: Option<Audience>,
    exp: i64,
    nbf: Option<i64>,
    #[serde(default)]
    scope: String,
    consumer: Option<Consumer>,
    client_id: Option<String>,
}

/// Where the keys come from.
pub enum Keys {
    /// The issuer's JWKS endpoint, cached.
    Remote {
        url: String,
        http: reqwest::Client,
        cache: RwLock<Option<(CoreJsonWebKeySet, Instant)>>,
    },
    /// Fixed keys (the demo issuer's own, and tests).
    Fixed(CoreJsonWebKeySet),
}

pub struct Verifier {
    pub issuer: String,
    pub audience: String,
    keys: Keys,
}

const LEEWAY: i64 = 60;
/// A JWKS is kept this long, and fetched again at most this often for an unknown key id.
const KEYS_TTL: Duration = Duration::from_secs(3600);
const REFETCH_AFTER: Duration = Duration::from_secs(30);

impl Verifier {
    pub fn remote(issuer: String, audience: String, jwks_url: String) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Verifier {
            issuer,
            audience,
            keys: Keys::Remote {
                url: jwks_url,
                http,
                cache: RwLock::new(None),
            },
        })
    }

    pub fn fixed(issuer: String, audience: String, keys: Vec<CoreJsonWebKey>) -> Self {
        Verifier {
            issuer,
            audience,
            keys: Keys::Fixed(CoreJsonWebKeySet::new(keys)),
        }
    }

    async fn key(&self, kid: Option<&str>) -> Result<CoreJsonWebKey, TokenError> {
        let find = |set: &CoreJsonWebKeySet| {
            set.keys()
                .iter()
                .find(|k| match kid {
                    Some(kid) => k.key_id().is_some_and(|id| id.as_str() == kid),
                    None => true,
                })
                .cloned()
        };
        match &self.keys {
            Keys::Fixed(set) => find(set).ok_or(TokenError::UnknownKey),
            Keys::Remote { url, http, cache } => {
                let stale = {
                    let cached = cache.read().unwrap_or_else(|e| e.into_inner());
                    match cached.as_ref() {
                        Some((set, at)) => {
                            if let Some(key) = find(set) {
                                if at.elapsed() < KEYS_TTL {
                                    return Ok(key);
                                }
                            } else if at.elapsed() < REFETCH_AFTER {
                                // Not in a fresh set: do not let bad tokens hammer the issuer.
                                return Err(TokenError::UnknownKey);
                            }
                            true
                        }
                        None => true,
                    }
                };
                if stale {
                    let set: CoreJsonWebKeySet = http
                        .get(url)
                        .send()
                        .await
                        .and_then(reqwest::Response::error_for_status)
                        .map_err(|_| TokenError::Keys)?
                        .json()
                        .await
                        .map_err(|_| TokenError::Keys)?;
                    let key = find(&set);
                    *cache.write().unwrap_or_else(|e| e.into_inner()) = Some((set, Instant::now()));
                    return key.ok_or(TokenError::UnknownKey);
                }
                Err(TokenError::UnknownKey)
            }
        }
    }

    /// Verifies `token` and that it carries one of `scopes`.
    /// Checks a token taken apart: RS256 with one of the issuer's keys, then its claims.
    async fn verify(
        &self,
        parts: &Parts<'_>,
        claims: Claims,
        scopes: &[&'static str],
    ) -> Result<Client, TokenError> {
        if parts.header.alg != "RS256" {
            return Err(TokenError::Malformed);
        }
        let key = self.key(parts.header.kid.as_deref()).await?;
        key.verify_signature(
            &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            parts.signed.as_bytes(),
            &parts.signature,
        )
        .map_err(|_| TokenError::BadSignature)?;
        check_claims(claims, &self.issuer, &self.audience, scopes, false)
    }
}

/// Verifies `token` and that it carries one of `scopes`: read once, then checked by the one
/// that issued it, melding (a token given in exchange) or the configured issuer.
pub async fn verify(
    verifier: &Verifier,
    exchange: &Exchange,
    token: &str,
    scopes: &[&'static str],
) -> Result<Client, TokenError> {
    let parts = Parts::split(token)?;
    let claims = parts.claims()?;
    if claims.iss.trim_end_matches('/') == exchange.issuer.trim_end_matches('/') {
        exchange.verify(&parts, claims, scopes)
    } else {
        verifier.verify(&parts, claims, scopes).await
    }
}

/// A compact JWT taken apart (nothing verified yet).
struct Parts<'a> {
    header: Header,
    signed: &'a str,
    claims: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> Parts<'a> {
    fn split(token: &'a str) -> Result<Self, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| TokenError::Malformed)
        };
        let header: Header =
            serde_json::from_slice(&decode(h)?).map_err(|_| TokenError::Malformed)?;
        Ok(Parts {
            header,
            signed: &token[..h.len() + 1 + c.len()],
            claims: decode(c)?,
            signature: decode(s)?,
        })
    }

    fn claims(&self) -> Result<Claims, TokenError> {
        serde_json::from_slice(&self.claims).map_err(|_| TokenError::Malformed)
    }
}

/// The checks of a token's claims once its signature holds: issuer, audience, time, scope and
/// the client organisation.
fn check_claims(
    claims: Claims,
    issuer: &str,
    audience: &str,
    wanted: &[&'static str],
    exchanged: bool,
) -> Result<Client, TokenError> {
    if claims.iss.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(TokenError::Issuer);
    }
    let audience_ok = match &claims.aud {
        Some(Audience::One(a)) => *a == audience,
        Some(Audience::Many(list)) => list.iter().any(|a| a == audience),
        None => false,
    };
    if !audience_ok {
        return Err(TokenError::Audience);
    }
    let now = chrono::Utc::now().timestamp();
    if claims.exp + LEEWAY < now || claims.nbf.is_some_and(|nbf| nbf - LEEWAY > now) {
        return Err(TokenError::Expired);
    }
    let scopes: Vec<String> = claims.scope.split_whitespace().map(str::to_owned).collect();
    if !scopes.iter().any(|s| wanted.contains(&s.as_str())) {
        return Err(TokenError::Scope(wanted.join(" or ")));
    }
    let org = claims
        .consumer
        .as_ref()
        .and_then(|c| c.id.strip_prefix("0192:"))
        .and_then(|n| OrgNumber::parse(n).ok())
        .ok_or(TokenError::Consumer)?;
    Ok(Client {
        org_number: org,
        client_id: claims.client_id,
        scopes,
        expires: claims.exp,
        exchanged,
    })
}

/// melding's own tokens, given in exchange for a Maskinporten token as Altinn's token exchange
/// does (`GET /authentication/api/v1/exchange/maskinporten`): the same client, scopes and expiry,
/// signed HS256 with a key derived from the session key, so every node checks them.
pub struct Exchange {
    pub issuer: String,
    audience: String,
    /// HMAC-SHA256 takes a key of its block size (64 bytes) as it is.
    key: [u8; 64],
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

impl Exchange {
    pub fn new(issuer: String, audience: String, secret: &[u8]) -> Self {
        use sha2::Digest;
        let mut hash = sha2::Sha512::new();
        hash.update(b"melding: tokens given in exchange\0");
        hash.update(secret);
        Exchange {
            issuer,
            audience,
            key: hash.finalize().into(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        use hmac::digest::KeyInit;
        HmacSha256::new(&self.key.into())
    }

    /// A token for the client a Maskinporten token named, valid as long as that token.
    pub fn issue(&self, client: &Client) -> String {
        use hmac::Mac;
        let now = chrono::Utc::now().timestamp();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = serde_json::json!({
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": client.expires,
            "jti": uuid::Uuid::now_v7().to_string(),
            "client_id": client.client_id,
            "scope": client.scopes.join(" "),
            "consumer": {
                "authority": "iso6523-actorid-upis",
                "ID": format!("0192:{}", client.org_number.as_str()),
            },
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let mut mac = self.mac();
        mac.update(format!("{header}.{claims}").as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{header}.{claims}.{signature}")
    }

    /// Verifies a token this exchange gave and that it carries one of `scopes`.
    /// Checks a token taken apart: HS256 with this exchange's key, then its claims.
    fn verify(
        &self,
        parts: &Parts<'_>,
        claims: Claims,
        scopes: &[&'static str],
    ) -> Result<Client, TokenError> {
        use hmac::Mac;
        if parts.header.alg != "HS256" {
            return Err(TokenError::Malformed);
        }
        let mut mac = self.mac();
        mac.update(parts.signed.as_bytes());
        mac.verify_slice(&parts.signature)
            .map_err(|_| TokenError::BadSignature)?;
        check_claims(claims, &self.issuer, &self.audience, scopes, true)
    }
}

/// The claims of a token for `org` with `scopes`, valid for `minutes` (the `token` command and
/// tests sign these).
pub fn claims(
    issuer: &str,
    audience: &str,
    org: &str,
    scopes: &[&str],
    minutes: i64,
) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    serde_json::json!({
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + minutes * 60,
        "jti": uuid::Uuid::now_v7().to_string(),
        "client_id": format!("demo-system-{org}"),
        "scope": scopes.join(" "),
        "consumer": { "authority": "iso6523-actorid-upis", "ID": format!("0192:{org}") },
    })
}
