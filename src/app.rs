//! Builds the actix application (used by `main` and by the tests).

use std::net::TcpListener;
use std::sync::Arc;

use actix_files::Files;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, ErrorHandlers, NormalizePath, TrailingSlash};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::config::{Config, DESIGNSYSTEM_DIST};
use crate::db::PgPool;
use crate::web::{errors, headers};

/// What every handler can reach.
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
}

/// The HTTP server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener (port 0 picks a free port) and prepares the server.
    pub fn build(config: Arc<Config>, pool: PgPool) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind)?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState {
            pool,
            config: config.clone(),
        });
        let static_dir = config.static_dir.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(ErrorHandlers::new().default_handler(errors::render_error_page))
                .wrap(headers::security_headers())
                .wrap(Compress::default())
                .wrap(NormalizePath::new(TrailingSlash::Trim))
                .wrap(TracingLogger::<headers::RequestSpan>::new())
                .service(
                    web::scope("/static")
                        .wrap(headers::static_asset_headers())
                        .service(Files::new("/ds", static_dir.join(DESIGNSYSTEM_DIST)))
                        .service(
                            Files::new("", &static_dir)
                                .path_filter(|path, _| !path.starts_with("vendor")),
                        ),
                )
                .configure(routes)
                .default_service(web::to(errors::not_found))
        })
        .listen(listener)?
        .workers(config.http_workers)
        .shutdown_timeout(10)
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until the server stops (Ctrl-C or SIGTERM shut it down gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// A handle that can stop the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// Every route of the product; each slice adds its own.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::web::health::live)
        .service(crate::web::health::ready)
        .service(crate::web::pages::home)
        .service(crate::web::pages::accessibility)
        .service(crate::web::pages::switch_language);
}
