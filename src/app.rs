//! Builds and runs the HTTP server (used by `main` and by the tests): the state, the
//! middleware, the routes from `routes`, the embedded worker and the periodic sweep.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_files::Files;
use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{Compress, ErrorHandlers, NormalizePath, TrailingSlash, from_fn};
use actix_web::{App, HttpServer, web};
use sha2::{Digest, Sha512};
use tracing_actix_web::TracingLogger;

use crate::auth::{self, Auth, session_store::PgSessionStore};
use crate::config::{Config, DESIGNSYSTEM_DIST};
use crate::db::PgPool;
use crate::notify::Worker;
use crate::notify::web::MetricsState;
use crate::routes;
use crate::state::AppState;
use crate::web::csrf;
use crate::web::{errors, headers};

/// The HTTP server, bound and ready to run, with the embedded notification worker.
pub struct Application {
    port: u16,
    server: Server,
    worker: Option<(Arc<AtomicBool>, std::thread::JoinHandle<()>)>,
}

impl Application {
    /// Binds the configured address (port 0 picks a free port) and prepares the server.
    pub fn build(config: Arc<Config>, pool: PgPool) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind)?;
        Self::build_with_listener(config, pool, listener)
    }

    /// Prepares the server on a listener the caller bound (tests that must know the port first).
    pub fn build_with_listener(
        config: Arc<Config>,
        pool: PgPool,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let public_url = if config.bind.port() == 0 {
            format!("http://127.0.0.1:{port}")
        } else {
            config.public_url.clone()
        };
        let auth = Auth::new(&config, &public_url)?;
        let has_demo_idp = auth.demo_idp.is_some();
        let api = api(&config, &auth, &public_url)?;
        let demo = config.is_demo();
        let worker = if config.notify.embedded_worker {
            let worker = Arc::new(Worker::from_config(&config, pool.clone(), &public_url)?);
            let stop = worker.stopper();
            Some((stop, worker.spawn()?))
        } else {
            None
        };
        let metrics_state = web::Data::new(MetricsState {
            pool: pool.clone(),
            token: config.notify.metrics_token.clone(),
            open: demo,
        });
        let csp =
            headers::content_security_policy(&headers::provider_form_action(auth.oidc.issuer()));
        let state = web::Data::new(AppState::new(
            pool.clone(),
            config.clone(),
            public_url,
            config.storage()?,
        ));
        let auth = web::Data::new(auth);
        let api = api.map(web::Data::new);
        let storage = state.storage.clone();
        let static_dir = config.static_dir.clone();
        // The cookie key only signs the session key; the session lives in PostgreSQL.
        let cookie_key = Key::from(&Sha512::digest(config.session_key()));
        let store = PgSessionStore::new(pool.clone(), config.session_absolute);
        let cookie_name = if config.secure_cookies {
            "__Host-melding"
        } else {
            "melding-session"
        };
        let idle = actix_web::cookie::time::Duration::seconds(config.session_idle.num_seconds());
        let secure = config.secure_cookies;
        let server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(store.clone(), cookie_key.clone())
                .cookie_name(cookie_name.to_owned())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_path("/".to_owned())
                .cookie_content_security(actix_session::config::CookieContentSecurity::Signed)
                .session_lifecycle(
                    BrowserSession::default()
                        .state_ttl(idle)
                        .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
                )
                .build();
            let mut app = App::new()
                .app_data(state.clone())
                .app_data(auth.clone())
                .app_data(metrics_state.clone());
            if let Some(api) = &api {
                app = app.app_data(api.clone());
            }
            app.wrap(ErrorHandlers::new().default_handler(errors::render_error_page))
                .wrap(headers::security_headers(&csp))
                .wrap(Compress::default())
                .wrap(NormalizePath::new(TrailingSlash::Trim))
                .wrap(TracingLogger::<headers::RequestSpan>::new())
                // Static assets need no session: they never touch the database.
                .service(
                    web::scope("/static")
                        .wrap(headers::static_asset_headers())
                        .service(Files::new("/ds", static_dir.join(DESIGNSYSTEM_DIST)))
                        .service(
                            Files::new("", &static_dir)
                                .path_filter(|path, _| !path.starts_with("vendor")),
                        ),
                )
                .service(
                    web::scope("")
                        // Inside the session, so error pages know who is logged in.
                        .wrap(ErrorHandlers::new().default_handler(errors::render_error_page))
                        .wrap(from_fn(csrf::protect))
                        .wrap(sessions)
                        .configure(routes::product)
                        .configure(|cfg| routes::demo(cfg, has_demo_idp, demo))
                        .default_service(web::to(errors::not_found)),
                )
        })
        .listen(listener)?
        .workers(config.http_workers)
        .shutdown_timeout(10)
        .run();
        spawn_sweeper(pool, storage, config.data_dir.join("uploads"));
        Ok(Application {
            port,
            server,
            worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until the server stops (Ctrl-C or SIGTERM shut it down gracefully).
    /// The worker then stops claiming, finishes the notices in hand and releases the rest.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some((stop, handle)) = self.worker {
            stop.store(true, Ordering::SeqCst);
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
        served
    }

    /// A handle that can stop the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// The JSON API's token check: the demo issuer's own key in `demo`, else the configured
/// Maskinporten issuer's JWKS; no API without either.
fn api(config: &Config, auth: &Auth, public_url: &str) -> anyhow::Result<Option<crate::api::Api>> {
    use crate::api::token::Verifier;
    let audience = config
        .api
        .audience
        .clone()
        .unwrap_or_else(|| public_url.to_owned());
    let verifier = if let Some(idp) = &auth.demo_idp {
        Verifier::fixed(idp.issuer.clone(), audience, vec![idp.public_jwk()])
    } else if let Some(issuer) = &config.api.issuer {
        let jwks = config
            .api
            .jwks_url
            .clone()
            .unwrap_or_else(|| format!("{}/jwk", issuer.trim_end_matches('/')));
        Verifier::remote(issuer.clone(), audience, jwks)?
    } else {
        return Ok(None);
    };
    let exchange = crate::api::token::Exchange::new(
        format!(
            "{}/authentication/api/v1/openid/",
            public_url.trim_end_matches('/')
        ),
        verifier.audience.clone(),
        config.session_key(),
    );
    Ok(Some(crate::api::Api::new(
        verifier,
        exchange,
        config.api.rate_per_minute,
    )))
}

/// Every five minutes: deletes expired sessions and pending logins, and marks CSV sends and
/// attachment uploads whose process was lost as failed, and removes checked CSV files never sent.
fn spawn_sweeper(pool: PgPool, storage: crate::storage::Storage, uploads: std::path::PathBuf) {
    let storage = Arc::new(storage);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            let pool = pool.clone();
            let storage = storage.clone();
            let uploads_dir = uploads.clone();
            let swept = web::block(move || -> anyhow::Result<(usize, Vec<String>)> {
                let mut conn = pool.get()?;
                let stalled = crate::sending::mass::mark_stalled(&mut conn)?;
                if stalled > 0 {
                    tracing::warn!(stalled, "CSV sends without progress were marked failed");
                }
                let removed = crate::sending::mass::remove_stale_uploads(&uploads_dir);
                if removed > 0 {
                    tracing::info!(removed, "checked CSV files never sent were removed");
                }
                let stalled = crate::sending::attachments::fail_stalled_uploads(&mut conn)?;
                if !stalled.is_empty() {
                    tracing::warn!(
                        uploads = stalled.len(),
                        "attachment uploads that never finished were failed"
                    );
                }
                Ok((auth::session_store::sweep(&mut conn)?, stalled))
            })
            .await;
            if let Ok(Ok((_, stalled))) = &swept {
                for key in stalled {
                    let _ = storage.delete(key).await;
                }
            }
            match swept {
                Ok(Ok((n, _))) if n > 0 => tracing::debug!(removed = n, "swept expired sessions"),
                Ok(Err(e)) => tracing::warn!(error = %e, "session sweep failed"),
                _ => {}
            }
        }
    });
}
