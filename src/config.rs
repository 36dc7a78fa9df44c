//! Typed configuration from `MELDING_*` environment variables, validated at start-up.
//!
//! `demo` needs nothing; `serve` refuses to start without an explicit database, session key and
//! ID-porten client, and can never enable the demo login provider.

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretBox, SecretString};

use crate::domain::TestIds;

/// How the process was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Embedded database, demo world, demo login, captured e-mail and SMS.
    Demo,
    /// Production: every secret explicit.
    Serve,
    /// Only apply migrations.
    Migrate,
    /// A command-line tool over the database (import, benchmarks): the database settings only.
    Tool,
    /// Only the notification worker (extra nodes): database, SMTP and SMS gateway.
    Worker,
}

/// Where the database comes from.
pub enum DatabaseConfig {
    /// A connection URL (`DATABASE_URL`).
    Url(SecretString),
    /// A private cluster under `data_dir`, started and stopped with the process.
    Embedded,
}

/// How the client authenticates to ID-porten's token endpoint.
pub enum ClientAuth {
    ClientSecretPost(SecretString),
    PrivateKeyJwt {
        key_file: PathBuf,
        key_id: Option<String>,
    },
}

pub struct IdPortenConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_auth: ClientAuth,
}

/// Who logs people in.
pub enum LoginProvider {
    /// The OIDC provider inside the app (demo only).
    Demo,
    IdPorten(IdPortenConfig),
}

/// The notification worker's settings.
pub struct NotifyConfig {
    /// Run the worker inside this process (`demo`, `serve`); `melding worker` always does.
    pub embedded_worker: bool,
    /// `smtp://user:password@host:587?tls=required` or `smtps://...:465`; none = captured (demo).
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    /// The SMS gateway's send endpoint and bearer token; none = captured (demo).
    pub sms_url: Option<String>,
    pub sms_token: Option<SecretString>,
    /// The sender name or number shown on SMS.
    pub sms_sender: String,
    /// The bearer token the gateway presents with delivery reports.
    pub sms_callback_token: Option<SecretString>,
    /// The bearer token `/metrics` requires (outside `demo`, no token = no `/metrics`).
    pub metrics_token: Option<SecretString>,
    /// Notices sent at the same time, and rows claimed per round.
    pub concurrency: usize,
    pub batch: i64,
    /// How long a worker's claim holds before another worker may take the rows (a worker that
    /// died is replaced after this).
    pub lease_seconds: i64,
}

/// The JSON API's token issuer (Maskinporten).
pub struct ApiConfig {
    /// `https://maskinporten.no/` (or the test environment's); unset = no API outside demo.
    pub issuer: Option<String>,
    /// The issuer's JWKS (default: `<issuer>/jwk`).
    pub jwks_url: Option<String>,
    /// The `aud` tokens must carry (default: the public URL).
    pub audience: Option<String>,
    /// Calls per minute per client organisation.
    pub rate_per_minute: u32,
}

pub struct Config {
    pub mode: Mode,
    pub database: DatabaseConfig,
    pub bind: SocketAddr,
    /// The address users reach the service on, e.g. `https://melding.example.no`.
    pub public_url: String,
    pub http_workers: usize,
    pub pool_size: u32,
    /// Signs and encrypts nothing by itself; keys the session and CSRF machinery.
    pub session_key: SecretBox<Vec<u8>>,
    pub secure_cookies: bool,
    /// A session ends after this long without use...
    pub session_idle: chrono::Duration,
    /// ...and at the latest this long after login.
    pub session_absolute: chrono::Duration,
    pub login: LoginProvider,
    pub test_ids: TestIds,
    pub data_dir: PathBuf,
    pub static_dir: PathBuf,
    pub notify: NotifyConfig,
    pub api: ApiConfig,
    /// S3-compatible object storage for attachments and transferred files; `None`: local disk
    /// under `data_dir` (one node).
    pub s3: Option<crate::storage::S3Config>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("mode", &self.mode)
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("http_workers", &self.http_workers)
            .field("pool_size", &self.pool_size)
            .field("secure_cookies", &self.secure_cookies)
            .field("test_ids", &self.test_ids)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

/// Every problem found, so an operator fixes them all in one go.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

const MIN_SESSION_KEY_BYTES: usize = 32;

/// Where `npm ci` in `static/vendor` puts the Designsystemet stylesheets, below the static folder.
pub const DESIGNSYSTEM_DIST: &str = "vendor/node_modules/@digdir/designsystemet-css/dist";
const DESIGNSYSTEM_CSS: &str = "vendor/node_modules/@digdir/designsystemet-css/dist/src/index.css";

impl Config {
    /// Reads the process environment (after an optional `.env` file).
    pub fn from_env(mode: Mode) -> Result<Self, ConfigError> {
        Self::from_lookup(mode, |key| {
            std::env::var(key).ok().filter(|v| !v.trim().is_empty())
        })
    }

    /// Reads configuration through `lookup`, so tests can pass their own variables.
    pub fn from_lookup(
        mode: Mode,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let demo = mode == Mode::Demo;

        let database = match lookup("DATABASE_URL") {
            Some(url) => DatabaseConfig::Url(SecretString::from(url)),
            None if matches!(mode, Mode::Serve | Mode::Worker) => {
                problems.push("DATABASE_URL is required for `serve` and `worker`".to_owned());
                DatabaseConfig::Embedded
            }
            None => DatabaseConfig::Embedded,
        };

        let bind = parse_or(&lookup, "MELDING_BIND", "127.0.0.1:8080", &mut problems);
        let public_url = lookup("MELDING_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let public_url = public_url.trim_end_matches('/').to_owned();
        if !(public_url.starts_with("https://") || (demo && public_url.starts_with("http://")))
            && mode == Mode::Serve
        {
            problems.push("MELDING_PUBLIC_URL must be an https:// address for `serve`".to_owned());
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let default_workers = cores.to_string();
        // Twice the cores (at least 4), PostgreSQL's own rule of thumb: measured on 2 cores, 4
        // connections served 9 % more inbox pages than 16, with p99 under 50 ms in every run
        // (16: half the runs), since fewer busy backends means less time waiting for a core.
        let default_pool = (2 * cores).max(4).to_string();
        let http_workers = parse_or(
            &lookup,
            "MELDING_HTTP_WORKERS",
            &default_workers,
            &mut problems,
        );
        let pool_size = parse_or(
            &lookup,
            "MELDING_DB_POOL_SIZE",
            &default_pool,
            &mut problems,
        );

        let session_key = match lookup("MELDING_SESSION_KEY") {
            Some(hex) => match decode_hex(hex.trim()) {
                Some(bytes) if bytes.len() >= MIN_SESSION_KEY_BYTES => bytes,
                _ => {
                    problems.push(format!(
                        "MELDING_SESSION_KEY must be at least {MIN_SESSION_KEY_BYTES} random bytes, hex-encoded \
                         (e.g. `openssl rand -hex 64`)"
                    ));
                    Vec::new()
                }
            },
            None if mode == Mode::Serve => {
                problems.push(
                    "MELDING_SESSION_KEY is required for `serve` (e.g. `openssl rand -hex 64`)"
                        .to_owned(),
                );
                Vec::new()
            }
            None => random_bytes(64),
        };

        let secure_cookies = match lookup("MELDING_SECURE_COOKIES").as_deref() {
            None => !demo,
            Some("true" | "1") => true,
            Some("false" | "0") if mode == Mode::Serve => {
                problems.push("MELDING_SECURE_COOKIES cannot be turned off for `serve`".to_owned());
                true
            }
            Some("false" | "0") => false,
            Some(other) => {
                problems.push(format!(
                    "MELDING_SECURE_COOKIES must be true or false, not {other:?}"
                ));
                true
            }
        };

        let idle_minutes: i64 =
            parse_or(&lookup, "MELDING_SESSION_IDLE_MINUTES", "30", &mut problems);
        let absolute_minutes: i64 = parse_or(
            &lookup,
            "MELDING_SESSION_ABSOLUTE_MINUTES",
            "120",
            &mut problems,
        );
        if idle_minutes < 1 || absolute_minutes < idle_minutes {
            problems.push(
                "MELDING_SESSION_IDLE_MINUTES must be at least 1 and at most MELDING_SESSION_ABSOLUTE_MINUTES".to_owned(),
            );
        }

        let login = match lookup("MELDING_LOGIN").as_deref() {
            Some("demo") if mode == Mode::Serve => {
                problems.push("the demo login provider can never be used with `serve`".to_owned());
                LoginProvider::Demo
            }
            Some("demo") => LoginProvider::Demo,
            None if demo => LoginProvider::Demo,
            None | Some("idporten") => idporten(&lookup, mode, &mut problems),
            Some(other) => {
                problems.push(format!(
                    "MELDING_LOGIN must be `idporten` or `demo`, not {other:?}"
                ));
                LoginProvider::Demo
            }
        };

        let test_ids = match lookup("MELDING_ALLOW_TEST_IDS").as_deref() {
            None => {
                if demo {
                    TestIds::Allowed
                } else {
                    TestIds::Refused
                }
            }
            Some("true" | "1") => TestIds::Allowed,
            Some("false" | "0") => TestIds::Refused,
            Some(other) => {
                problems.push(format!(
                    "MELDING_ALLOW_TEST_IDS must be true or false, not {other:?}"
                ));
                TestIds::Refused
            }
        };

        let data_dir =
            PathBuf::from(lookup("MELDING_DATA_DIR").unwrap_or_else(|| ".data".to_owned()));
        let static_dir =
            lookup("MELDING_STATIC_DIR").map_or_else(default_static_dir, PathBuf::from);
        let notify = notify(&lookup, mode, &mut problems);
        let s3 = s3(&lookup, &mut problems);
        let api = ApiConfig {
            issuer: lookup("MELDING_MASKINPORTEN_ISSUER"),
            jwks_url: lookup("MELDING_MASKINPORTEN_JWKS_URL"),
            audience: lookup("MELDING_API_AUDIENCE"),
            rate_per_minute: parse_or(&lookup, "MELDING_API_RATE_PER_MINUTE", "600", &mut problems),
        };
        if let Some(issuer) = &api.issuer
            && !issuer.starts_with("https://")
            && mode == Mode::Serve
        {
            problems.push("MELDING_MASKINPORTEN_ISSUER must be an https:// address".to_owned());
        }
        if mode == Mode::Worker {
            // A worker node serves no pages.
        } else if !static_dir.join(DESIGNSYSTEM_CSS).is_file() {
            problems.push(format!(
                "MELDING_STATIC_DIR: {} lacks the Designsystemet stylesheets; run `npm ci` in its vendor folder",
                static_dir.display()
            ));
        }
        if mode != Mode::Worker && !static_dir.join("melding.css").is_file() {
            problems.push(format!(
                "MELDING_STATIC_DIR: {} does not hold the static assets (melding.css)",
                static_dir.display()
            ));
        }

        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        Ok(Config {
            mode,
            database,
            bind,
            public_url,
            http_workers,
            pool_size,
            session_key: SecretBox::new(Box::new(session_key)),
            secure_cookies,
            session_idle: chrono::Duration::minutes(idle_minutes),
            session_absolute: chrono::Duration::minutes(absolute_minutes),
            login,
            test_ids,
            data_dir,
            static_dir,
            notify,
            api,
            s3,
        })
    }

    /// The configured object storage: the S3 bucket when given, else local disk.
    pub fn storage(&self) -> Result<crate::storage::Storage, crate::storage::StorageError> {
        crate::storage::Storage::configured(&self.data_dir, self.s3.as_ref())
    }

    pub fn is_demo(&self) -> bool {
        self.mode == Mode::Demo
    }

    pub fn session_key(&self) -> &[u8] {
        self.session_key.expose_secret()
    }
}

/// `MELDING_S3_ENDPOINT` and `MELDING_S3_BUCKET` (with the key pair) name a bucket; without
/// them, files stay on local disk.
fn s3(
    lookup: &impl Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> Option<crate::storage::S3Config> {
    let endpoint = lookup("MELDING_S3_ENDPOINT");
    let bucket = lookup("MELDING_S3_BUCKET");
    if endpoint.is_none() && bucket.is_none() {
        return None;
    }
    let (Some(endpoint), Some(bucket)) = (endpoint, bucket) else {
        problems.push("MELDING_S3_ENDPOINT and MELDING_S3_BUCKET go together".to_owned());
        return None;
    };
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        problems.push("MELDING_S3_ENDPOINT must be an http(s):// address".to_owned());
    }
    let (Some(access_key_id), Some(secret)) = (
        lookup("MELDING_S3_ACCESS_KEY_ID"),
        lookup("MELDING_S3_SECRET_ACCESS_KEY"),
    ) else {
        problems.push(
            "MELDING_S3_ACCESS_KEY_ID and MELDING_S3_SECRET_ACCESS_KEY are required with MELDING_S3_BUCKET"
                .to_owned(),
        );
        return None;
    };
    Some(crate::storage::S3Config {
        endpoint,
        bucket,
        region: lookup("MELDING_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
        access_key_id,
        secret_access_key: SecretString::from(secret),
        prefix: lookup("MELDING_S3_PREFIX").unwrap_or_default(),
    })
}

fn notify(
    lookup: &impl Fn(&str) -> Option<String>,
    mode: Mode,
    problems: &mut Vec<String>,
) -> NotifyConfig {
    let production = matches!(mode, Mode::Serve | Mode::Worker);
    let secret = |key: &str| lookup(key).map(SecretString::from);
    let smtp_url = secret("MELDING_SMTP_URL");
    if let Some(url) = &smtp_url
        && !(url.expose_secret().starts_with("smtp://")
            || url.expose_secret().starts_with("smtps://"))
    {
        problems.push("MELDING_SMTP_URL must start with smtp:// or smtps://".to_owned());
    }
    let sms_url = lookup("MELDING_SMS_URL");
    let sms_token = secret("MELDING_SMS_TOKEN");
    if production {
        if smtp_url.is_none() {
            problems.push(
                "MELDING_SMTP_URL is required (e.g. smtp://user:password@smtp.example.no:587?tls=required)"
                    .to_owned(),
            );
        }
        if sms_url.is_none() || sms_token.is_none() {
            problems.push(
                "MELDING_SMS_URL and MELDING_SMS_TOKEN are required (the SMS gateway)".to_owned(),
            );
        }
        if lookup("MELDING_MAIL_FROM").is_none() {
            problems.push(
                "MELDING_MAIL_FROM is required (e.g. \"melding <noreply@melding.example.no>\")"
                    .to_owned(),
            );
        }
    }
    if let Some(url) = &sms_url
        && !(url.starts_with("https://")
            || url.starts_with("http://127.0.0.1")
            || url.starts_with("http://localhost"))
    {
        problems.push("MELDING_SMS_URL must be an https:// address".to_owned());
    }
    let embedded_worker = match lookup("MELDING_WORKER").as_deref() {
        None | Some("true" | "1") => true,
        Some("false" | "0") => false,
        Some(other) => {
            problems.push(format!(
                "MELDING_WORKER must be true or false, not {other:?}"
            ));
            true
        }
    };
    let concurrency: usize = parse_or(lookup, "MELDING_WORKER_CONCURRENCY", "8", problems);
    let batch: i64 = parse_or(lookup, "MELDING_WORKER_BATCH", "500", problems);
    if !(1..=256).contains(&concurrency) || !(1..=10_000).contains(&batch) {
        problems.push(
            "MELDING_WORKER_CONCURRENCY must be 1-256 and MELDING_WORKER_BATCH 1-10000".to_owned(),
        );
    }
    let lease_seconds: i64 = parse_or(lookup, "MELDING_WORKER_LEASE_SECONDS", "300", problems);
    if !(2..=86_400).contains(&lease_seconds) {
        problems.push("MELDING_WORKER_LEASE_SECONDS must be 2-86400".to_owned());
    }
    NotifyConfig {
        embedded_worker,
        smtp_url,
        mail_from: lookup("MELDING_MAIL_FROM")
            .unwrap_or_else(|| "melding <noreply@melding.localhost>".to_owned()),
        sms_url,
        sms_token,
        sms_sender: lookup("MELDING_SMS_SENDER").unwrap_or_else(|| "melding".to_owned()),
        sms_callback_token: secret("MELDING_SMS_CALLBACK_TOKEN"),
        metrics_token: secret("MELDING_METRICS_TOKEN"),
        concurrency,
        batch,
        lease_seconds,
    }
}

fn idporten(
    lookup: &impl Fn(&str) -> Option<String>,
    mode: Mode,
    problems: &mut Vec<String>,
) -> LoginProvider {
    let issuer = lookup("MELDING_IDPORTEN_ISSUER");
    let client_id = lookup("MELDING_IDPORTEN_CLIENT_ID");
    let secret = lookup("MELDING_IDPORTEN_CLIENT_SECRET");
    let key_file = lookup("MELDING_IDPORTEN_CLIENT_KEY_FILE");
    let needed = mode == Mode::Serve;
    if issuer.is_none() && needed {
        problems.push(
            "MELDING_IDPORTEN_ISSUER is required (https://test.idporten.no or https://idporten.no)"
                .to_owned(),
        );
    }
    if let Some(issuer) = &issuer
        && !issuer.starts_with("https://")
        && !issuer.starts_with("http://127.0.0.1")
        && !issuer.starts_with("http://localhost")
    {
        problems.push("MELDING_IDPORTEN_ISSUER must be an https:// address".to_owned());
    }
    if client_id.is_none() && needed {
        problems.push("MELDING_IDPORTEN_CLIENT_ID is required".to_owned());
    }
    let client_auth = match (secret, key_file) {
        (Some(secret), None) => Some(ClientAuth::ClientSecretPost(SecretString::from(secret))),
        (None, Some(file)) => Some(ClientAuth::PrivateKeyJwt {
            key_file: PathBuf::from(file),
            key_id: lookup("MELDING_IDPORTEN_CLIENT_KEY_ID"),
        }),
        (Some(_), Some(_)) => {
            problems.push(
                "set only one of MELDING_IDPORTEN_CLIENT_SECRET and MELDING_IDPORTEN_CLIENT_KEY_FILE".to_owned(),
            );
            None
        }
        (None, None) => {
            if needed {
                problems.push(
                    "MELDING_IDPORTEN_CLIENT_SECRET or MELDING_IDPORTEN_CLIENT_KEY_FILE is required".to_owned(),
                );
            }
            None
        }
    };
    match (issuer, client_id, client_auth) {
        (Some(issuer), Some(client_id), Some(client_auth)) => {
            LoginProvider::IdPorten(IdPortenConfig {
                issuer: issuer.trim_end_matches('/').to_owned(),
                client_id,
                client_auth,
            })
        }
        _ => LoginProvider::Demo,
    }
}

fn parse_or<T>(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: &str,
    problems: &mut Vec<String>,
) -> T
where
    T: std::str::FromStr,
{
    let raw = lookup(key).unwrap_or_else(|| default.to_owned());
    match raw.trim().parse() {
        Ok(v) => v,
        Err(_) => {
            problems.push(format!("{key}: cannot read {raw:?}"));
            // Fall back to the default so that the remaining checks still run.
            default
                .parse()
                .ok()
                .unwrap_or_else(|| unreachable_default(key))
        }
    }
}

#[cold]
fn unreachable_default<T>(key: &str) -> T {
    // Defaults are literals in this file; failing to parse one is a programming error.
    panic!("the built-in default for {key} does not parse")
}

/// The static folder next to the sources when run from a checkout, else `./static`.
fn default_static_dir() -> PathBuf {
    let beside_sources = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static");
    if beside_sources.is_dir() {
        beside_sources
    } else {
        PathBuf::from("static")
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Cryptographically random bytes from the operating system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if let Err(err) = getrandom::fill(&mut buf) {
        // Without an entropy source nothing secure can be done; this only happens at start-up.
        panic!("the operating system gave no random bytes: {err}");
    }
    buf
}
