//! The `melding` command: demo | serve | migrate.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use secrecy::ExposeSecret;

use melding::app::Application;
use melding::config::{Config, DatabaseConfig, Mode};
use melding::db::{
    self,
    cluster::{Durability, LocalCluster},
};
use melding::seed::{self, SeedSize};

// Pages allocate and free many short strings on several threads; glibc's allocator spent a fifth
// of the server's CPU consolidating its heaps under load (measured with perf on the inbox page).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "melding",
    version,
    about = "Digital mail for the Norwegian public sector"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run on an embedded default: private PostgreSQL under .data/, demo world, demo login.
    Demo {
        /// How much demo mail to seed (once; later starts reuse the data).
        #[arg(long, value_enum, default_value_t = Size::Small)]
        size: Size,
    },
    /// Run in production: needs DATABASE_URL, MELDING_SESSION_KEY and the ID-porten client.
    Serve,
    /// Run only the notification worker (extra nodes): needs DATABASE_URL, SMTP and the SMS
    /// gateway; serves /metrics and /health on MELDING_BIND.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print an access token for the JSON API from the demo issuer (demo only), as Maskinporten
    /// would issue one to the system of organisation ORG.
    Token {
        /// The client organisation's number (9 digits).
        #[arg(long)]
        org: String,
        /// Scopes: write (send, and the sender's reading), read (the recipient's side), or both.
        #[arg(long, default_value = "both")]
        scope: String,
        /// How long the token lasts.
        #[arg(long, default_value_t = 60)]
        minutes: i64,
    },
    /// Load a URL at a fixed rate (open loop) and print requests, errors and p50/p95/p99/max
    /// latency as a Markdown table row (scripts/bench api).
    BenchRate {
        url: String,
        /// Requests a second.
        #[arg(long, default_value_t = 100)]
        rate: u32,
        #[arg(long, default_value_t = 30)]
        seconds: u32,
        /// A bearer token.
        #[arg(long)]
        token: Option<String>,
        /// POST this file's content as JSON instead of a GET.
        #[arg(long)]
        post: Option<std::path::PathBuf>,
    },
    /// An SMTP server that accepts and counts mail, for benchmarks (scripts/bench all); prints
    /// the count every 10 seconds until stopped.
    BenchSink {
        #[arg(long, default_value_t = 2525)]
        port: u16,
    },
    /// Seed the national-scale world (scripts/bench all): the bench world, 1,000,000 persons,
    /// 100,000 organisations, and messages up to N in all.
    BenchSeed {
        #[arg(long, default_value_t = 10_000_000)]
        messages: i64,
    },
    /// Benchmark a mass send: N synthetic recipients from a CSV file, on the demo database.
    BenchSend {
        #[arg(long, default_value_t = 1_000_000)]
        recipients: usize,
    },
    /// Benchmark the notification worker: N e-mails into a local SMTP sink, next to a bare lettre
    /// loop (in a database of its own, melding_bench_notify, in the embedded cluster).
    BenchNotify {
        #[arg(long, default_value_t = 100_000)]
        emails: usize,
        /// Mails sent at the same time (SMTP connections).
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Outbox rows the worker claims per round.
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
    /// Import register data (idempotent; rejected rows are reported with their position).
    Import {
        #[command(subcommand)]
        what: Import,
    },
}

#[derive(Subcommand)]
enum Import {
    /// Units, sub-units and roles from the business register (Brønnøysund open-data JSON).
    Er {
        /// JSON array of units (enheter).
        #[arg(long)]
        units: std::path::PathBuf,
        /// JSON array of sub-units (underenheter).
        #[arg(long)]
        subunits: Option<std::path::PathBuf>,
        /// JSON array of organisations with their rollegrupper, persons with fodselsnummer.
        #[arg(long)]
        roles: std::path::PathBuf,
    },
}

enum Bench {
    Seed(i64),
    Send(usize),
    Notify(usize, usize, i64),
}

#[derive(Clone, Copy, ValueEnum)]
enum Size {
    /// No demo world: the demo login and the captured e-mail and SMS over the database as it is
    /// (for data of one's own, e.g. an ER import, or nodes sharing a database).
    None,
    /// Tens of thousands of messages.
    Small,
    /// 1,000,000 messages, for benchmarks.
    Large,
    /// One person with 100,000 messages and a representative with 15,000 parties (scripts/bench).
    Bench,
}

fn main() -> std::process::ExitCode {
    match try_main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // The cause chain, without a backtrace: this is for the operator, not a developer.
            eprintln!("melding: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn try_main() -> anyhow::Result<()> {
    // A missing .env file is normal; a broken one is reported.
    if let Err(err) = dotenvy::dotenv()
        && !err.not_found()
    {
        return Err(err).context("cannot read .env");
    }
    melding::telemetry::init("info,actix_server=warn");
    let cli = Cli::parse();
    let mut bench = None;
    let (mode, size, import) = match cli.command {
        Command::Demo { size } => (Mode::Demo, Some(size), None),
        Command::Serve => (Mode::Serve, None, None),
        Command::Migrate => (Mode::Migrate, None, None),
        Command::Token {
            org,
            scope,
            minutes,
        } => return print_token(&org, &scope, minutes),
        Command::Worker => (Mode::Worker, None, None),
        Command::BenchRate {
            url,
            rate,
            seconds,
            token,
            post,
        } => {
            let body = match &post {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                ),
                None => None,
            };
            let target = melding::bench::RateTarget {
                url,
                post: body.is_some(),
                body,
                token,
            };
            println!("{}", melding::bench::rate(target, rate, seconds)?);
            return Ok(());
        }
        Command::BenchSink { port } => {
            let sink = melding::bench::SmtpSink::start_on(port)?;
            eprintln!("accepting mail on 127.0.0.1:{}", sink.port);
            loop {
                std::thread::sleep(std::time::Duration::from_secs(10));
                println!("{} mails received", sink.count());
            }
        }
        Command::BenchSeed { messages } => {
            bench = Some(Bench::Seed(messages));
            (Mode::Migrate, None, None)
        }
        Command::BenchSend { recipients } => {
            bench = Some(Bench::Send(recipients));
            (Mode::Migrate, None, None)
        }
        Command::BenchNotify {
            emails,
            concurrency,
            batch,
        } => {
            bench = Some(Bench::Notify(
                emails,
                concurrency.clamp(1, 256),
                batch.clamp(1, 10_000),
            ));
            (Mode::Migrate, None, None)
        }
        Command::Import { what } => (Mode::Migrate, None, Some(what)),
    };
    let config = Arc::new(Config::from_env(mode)?);

    let mut cluster = match config.database {
        DatabaseConfig::Embedded => Some(LocalCluster::start(&config.data_dir, Durability::Full)?),
        DatabaseConfig::Url(_) => None,
    };
    let outcome = run(&config, cluster.as_ref(), size, import.as_ref(), bench);
    if let Some(cluster) = cluster.as_mut()
        && let Err(err) = cluster.stop()
    {
        tracing::error!(error = %err, "the private PostgreSQL did not stop cleanly");
    }
    outcome
}

fn run(
    config: &Arc<Config>,
    cluster: Option<&LocalCluster>,
    size: Option<Size>,
    import: Option<&Import>,
    bench: Option<Bench>,
) -> anyhow::Result<()> {
    if let Some(Bench::Notify(emails, concurrency, batch)) = bench {
        return bench_notify(cluster, emails, concurrency, batch);
    }
    let url = match (&config.database, cluster) {
        (DatabaseConfig::Url(url), _) => url.expose_secret().to_owned(),
        (DatabaseConfig::Embedded, Some(cluster)) => cluster.ensure_database("melding")?,
        (DatabaseConfig::Embedded, None) => anyhow::bail!("no database configured"),
    };
    let pool = db::pool(&url, config.pool_size)?;
    let applied = db::migrate(&mut *pool.get()?)?;
    tracing::info!(applied, "database migrations up to date");
    if let Some(Import::Er {
        units,
        subunits,
        roles,
    }) = import
    {
        let files = melding::import::er::Files {
            units,
            subunits: subunits.as_deref(),
            roles,
        };
        let reports = melding::import::er::import(&pool, &files, config.test_ids, true)?;
        for (file, report) in &reports {
            for rejected in &report.rejected {
                eprintln!("rejected: {rejected}");
            }
            println!("{file}: {report}");
        }
        return Ok(());
    }
    if let Some(Bench::Seed(messages)) = bench {
        seed::demo(&pool, SeedSize::Bench, &config.data_dir)?;
        seed::national::ensure_parties(&pool)?;
        return seed::national::top_up_messages(&pool, messages);
    }
    if let Some(Bench::Send(recipients)) = bench {
        let report = melding::bench::mass_send(&pool, recipients, &config.data_dir.join("bench"))?;
        println!(
            "mass send: {} recipients accepted and published in {:.1} s ({:.0}/s), {} notices queued; \
             preparing the persons took {:.1} s",
            report.recipients,
            report.send_seconds,
            report.recipients as f64 / report.send_seconds,
            report.notifications,
            report.prepare_seconds
        );
        return Ok(());
    }
    if config.mode == Mode::Migrate {
        return Ok(());
    }
    if config.mode == Mode::Worker {
        return run_worker(config, pool);
    }

    let runtime = actix_web::rt::System::new();
    runtime.block_on(async {
        if let Some(size) = size {
            let size = match size {
                Size::None => None,
                Size::Small => Some(SeedSize::Small),
                Size::Large => Some(SeedSize::Large),
                Size::Bench => Some(SeedSize::Bench),
            };
            if let Some(size) = size {
                seed_with_interrupt(config, pool.clone(), size).await?;
            }
        }
        let app = Application::build(config.clone(), pool)?;
        tracing::info!(url = %config.public_url, port = app.port(), "melding is running; Ctrl-C stops it");
        if config.is_demo() {
            println!("\n  melding demo: http://{}\n  Ctrl-C stops the server and the database.\n", config.bind);
        }
        app.run_until_stopped().await.context("the HTTP server failed")
    })
}

/// Signs a token with the demo issuer's key (kept under MELDING_DATA_DIR, as the running demo
/// uses it) for the demo's public address.
fn print_token(org: &str, scope: &str, minutes: i64) -> anyhow::Result<()> {
    use melding::api::token::{SCOPE_READ, SCOPE_WRITE, claims};
    let config = Config::from_env(Mode::Demo)?;
    let org = melding::domain::OrgNumber::parse(org).map_err(|e| anyhow::anyhow!("--org: {e}"))?;
    let scopes: &[&str] = match scope {
        "write" => &[SCOPE_WRITE],
        "read" => &[SCOPE_READ],
        "both" => &[SCOPE_WRITE, SCOPE_READ],
        other => anyhow::bail!("--scope must be write, read or both, not {other:?}"),
    };
    anyhow::ensure!(
        (1..=24 * 60).contains(&minutes),
        "--minutes must be 1 to 1440"
    );
    let key =
        melding::auth::keys::SigningKey::load_or_create(&config.data_dir.join("demo-idp-key.pem"))?;
    let issuer = format!("{}/demo-idp", config.public_url);
    let audience = config
        .api
        .audience
        .clone()
        .unwrap_or_else(|| config.public_url.clone());
    println!(
        "{}",
        key.sign_jwt(&claims(&issuer, &audience, org.as_str(), scopes, minutes))?
    );
    Ok(())
}

/// The worker benchmark, in a fresh database of its own so nothing else is due in it.
fn bench_notify(
    cluster: Option<&LocalCluster>,
    emails: usize,
    concurrency: usize,
    batch: i64,
) -> anyhow::Result<()> {
    use diesel::{Connection, RunQueryDsl};
    let cluster = cluster.context("bench-notify uses the embedded database: unset DATABASE_URL")?;
    let mut admin = diesel::PgConnection::establish(&cluster.url("postgres"))?;
    diesel::sql_query("DROP DATABASE IF EXISTS melding_bench_notify WITH (FORCE)")
        .execute(&mut admin)?;
    let url = cluster.ensure_database("melding_bench_notify")?;
    let pool = db::pool(&url, u32::try_from(concurrency + 4)?)?;
    db::migrate(&mut *pool.get()?)?;
    let r = melding::bench::notify(&pool, emails, concurrency, batch)?;
    let worker = r.emails as f64 / r.worker_seconds;
    let bare = r.emails as f64 / r.bare_seconds;
    println!(
        "| e-mails | connections | batch | worker | bare lettre loop | ratio |\n|---:|---:|---:|---:|---:|---:|\n\
         | {} | {} | {batch} | {:.1} s ({:.0}/s) | {:.1} s ({:.0}/s) | {:.2}x |",
        r.emails,
        r.concurrency,
        r.worker_seconds,
        worker,
        r.bare_seconds,
        bare,
        bare / worker
    );
    Ok(())
}

/// A worker-only node: the worker on its own thread, and /metrics and /health on MELDING_BIND.
/// SIGTERM or Ctrl-C stop the HTTP side; the worker then finishes or releases what it holds.
fn run_worker(config: &Arc<Config>, pool: db::PgPool) -> anyhow::Result<()> {
    use actix_web::{App, HttpResponse, HttpServer, web};
    use melding::notify::{Worker, web::MetricsState};

    let worker = Arc::new(Worker::from_config(
        config,
        pool.clone(),
        &config.public_url,
    )?);
    let stop = worker.stopper();
    let handle = worker.spawn()?;
    let state = web::Data::new(MetricsState {
        pool,
        token: config.notify.metrics_token.clone(),
        open: false,
    });
    let bind = config.bind;
    let served = actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .service(melding::notify::web::metrics)
                .route("/health/live", web::get().to(HttpResponse::Ok))
        })
        .workers(1)
        .bind(bind)?
        .run()
        .await
    });
    stop.store(true, Ordering::SeqCst);
    if handle.join().is_err() {
        tracing::error!("the worker thread panicked");
    }
    served.context("the metrics server failed")
}

/// Seeds the demo world on a blocking thread; Ctrl-C asks it to stop after the current batch.
async fn seed_with_interrupt(
    config: &Config,
    pool: db::PgPool,
    size: SeedSize,
) -> anyhow::Result<()> {
    let data_dir = config.data_dir.clone();
    let task = tokio::task::spawn_blocking(move || seed::demo(&pool, size, &data_dir));
    tokio::pin!(task);
    tokio::select! {
        done = &mut task => done.context("seeding panicked")?,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("\nstopping after the current batch...");
            seed::INTERRUPTED.store(true, Ordering::SeqCst);
            task.await.context("seeding panicked")??;
            anyhow::bail!("interrupted")
        }
    }
}
