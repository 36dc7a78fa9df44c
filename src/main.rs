//! The `melding` command: one function per subcommand.

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
        /// Scopes: write (send, and the sender's reading), read (the recipient's side), both,
        /// broker (Formidling: send and receive), or the scopes themselves (`altinn:broker.read`).
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
        /// A letter of about this many bytes instead of the short default one.
        #[arg(long)]
        letter_bytes: Option<usize>,
        /// The same texts for every recipient (no `{{recipientName}}`).
        #[arg(long)]
        same_text: bool,
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
    /// Benchmark webhook delivery: a send to N persons, every published event posted to a local
    /// receiver by the worker, next to a bare POST loop (in a database of its own,
    /// melding_bench_events, in the embedded cluster).
    BenchEvents {
        #[arg(long, default_value_t = 100_000)]
        recipients: usize,
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
    match Cli::parse().command {
        Command::Demo { size } => demo(size),
        Command::Serve => serve(),
        Command::Worker => worker(),
        Command::Migrate => migrate(),
        Command::Token {
            org,
            scope,
            minutes,
        } => print_token(&org, &scope, minutes),
        Command::BenchRate {
            url,
            rate,
            seconds,
            token,
            post,
        } => bench_rate(url, rate, seconds, token, post.as_deref()),
        Command::BenchSink { port } => bench_sink(port),
        Command::BenchSeed { messages } => bench_seed(messages),
        Command::BenchSend {
            recipients,
            letter_bytes,
            same_text,
        } => bench_send(recipients, letter_bytes, same_text),
        Command::BenchNotify {
            emails,
            concurrency,
            batch,
        } => bench_notify(emails, concurrency.clamp(1, 256), batch.clamp(1, 10_000)),
        Command::BenchEvents { recipients } => bench_events(recipients.max(1)),
        Command::Import {
            what:
                Import::Er {
                    units,
                    subunits,
                    roles,
                },
        } => import_er(&units, subunits.as_deref(), &roles),
    }
}

/// The database a command works on: the configured one, or the private cluster under the data
/// folder (started here, stopped when this is dropped), migrated.
struct Database {
    pool: db::PgPool,
    // Dropped after the pool, so its connections close before the cluster stops.
    _cluster: ClusterGuard,
}

/// Stops the private cluster, if one was started, however the command ends.
struct ClusterGuard(Option<LocalCluster>);

impl Drop for ClusterGuard {
    fn drop(&mut self) {
        if let Some(cluster) = self.0.as_mut()
            && let Err(err) = cluster.stop()
        {
            tracing::error!(error = %err, "the private PostgreSQL did not stop cleanly");
        }
    }
}

impl Database {
    fn open(config: &Config) -> anyhow::Result<Self> {
        let cluster = ClusterGuard(match config.database {
            DatabaseConfig::Embedded => {
                Some(LocalCluster::start(&config.data_dir, Durability::Full)?)
            }
            DatabaseConfig::Url(_) => None,
        });
        let url = match (&config.database, &cluster.0) {
            (DatabaseConfig::Url(url), _) => url.expose_secret().to_owned(),
            (DatabaseConfig::Embedded, Some(cluster)) => cluster.ensure_database("melding")?,
            (DatabaseConfig::Embedded, None) => anyhow::bail!("no database configured"),
        };
        let pool = db::pool(&url, config.pool_size)?;
        let applied = db::migrate(&mut *pool.get()?)?;
        tracing::info!(applied, "database migrations up to date");
        Ok(Database {
            pool,
            _cluster: cluster,
        })
    }
}

/// `melding demo`: the private database, the demo world (seeded once), the demo login.
fn demo(size: Size) -> anyhow::Result<()> {
    let config = Arc::new(Config::from_env(Mode::Demo)?);
    let database = Database::open(&config)?;
    let size = match size {
        Size::None => None,
        Size::Small => Some(SeedSize::Small),
        Size::Large => Some(SeedSize::Large),
        Size::Bench => Some(SeedSize::Bench),
    };
    let pool = database.pool.clone();
    actix_web::rt::System::new().block_on(async {
        if let Some(size) = size {
            seed_with_interrupt(&config, pool.clone(), size).await?;
        }
        run_server(&config, pool).await
    })
}

/// `melding serve`: production, every setting explicit.
fn serve() -> anyhow::Result<()> {
    let config = Arc::new(Config::from_env(Mode::Serve)?);
    let database = Database::open(&config)?;
    let pool = database.pool.clone();
    actix_web::rt::System::new().block_on(run_server(&config, pool))
}

/// Serves until Ctrl-C or SIGTERM.
async fn run_server(config: &Arc<Config>, pool: db::PgPool) -> anyhow::Result<()> {
    melding::web::take_turns(config.pool_size as usize);
    let app = Application::build(config.clone(), pool)?;
    tracing::info!(url = %config.public_url, port = app.port(), "melding is running; Ctrl-C stops it");
    if config.is_demo() {
        println!(
            "\n  melding demo: http://{}\n  Ctrl-C stops the server and the database.\n",
            config.bind
        );
    }
    app.run_until_stopped()
        .await
        .context("the HTTP server failed")
}

/// `melding migrate`: applies the migrations (and the function definitions), then stops.
fn migrate() -> anyhow::Result<()> {
    let config = Config::from_env(Mode::Migrate)?;
    Database::open(&config).map(drop)
}

/// `melding import er`: the business register's units, sub-units and roles.
fn import_er(
    units: &std::path::Path,
    subunits: Option<&std::path::Path>,
    roles: &std::path::Path,
) -> anyhow::Result<()> {
    let config = Config::from_env(Mode::Tool)?;
    let database = Database::open(&config)?;
    let files = melding::import::er::Files {
        units,
        subunits,
        roles,
    };
    let reports = melding::import::er::import(&database.pool, &files, config.test_ids, true)?;
    for (file, report) in &reports {
        for rejected in &report.rejected {
            eprintln!("rejected: {rejected}");
        }
        println!("{file}: {report}");
    }
    Ok(())
}

/// `melding bench-seed`: the national-scale world.
fn bench_seed(messages: i64) -> anyhow::Result<()> {
    let config = Config::from_env(Mode::Tool)?;
    let database = Database::open(&config)?;
    seed::demo(&database.pool, SeedSize::Bench, &config.storage()?)?;
    seed::national::ensure_parties(&database.pool)?;
    seed::national::top_up_messages(&database.pool, messages)
}

/// `melding bench-send`: a mass send to N synthetic recipients.
fn bench_send(
    recipients: usize,
    letter_bytes: Option<usize>,
    same_text: bool,
) -> anyhow::Result<()> {
    let config = Config::from_env(Mode::Tool)?;
    let database = Database::open(&config)?;
    let letter = melding::bench::Letter {
        bytes: letter_bytes,
        personalised: !same_text,
    };
    let report = melding::bench::mass_send(
        &database.pool,
        recipients,
        letter,
        &config.data_dir.join("bench"),
    )?;
    println!(
        "mass send: {} recipients accepted and published in {:.1} s ({:.0}/s), {} notices queued; \
         preparing the persons took {:.1} s",
        report.recipients,
        report.send_seconds,
        report.recipients as f64 / report.send_seconds,
        report.notifications,
        report.prepare_seconds
    );
    Ok(())
}

/// `melding bench-rate`: an open-loop load at a fixed rate.
fn bench_rate(
    url: String,
    rate: u32,
    seconds: u32,
    token: Option<String>,
    post: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let body = match post {
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
    Ok(())
}

/// `melding bench-sink`: an SMTP server that counts what it is sent, until stopped.
fn bench_sink(port: u16) -> anyhow::Result<()> {
    let sink = melding::bench::SmtpSink::start_on(port)?;
    eprintln!("accepting mail on 127.0.0.1:{}", sink.port);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(10));
        println!("{} mails received", sink.count());
    }
}

/// Signs a token with the demo issuer's key (kept under MELDING_DATA_DIR, as the running demo
/// uses it) for the demo's public address.
fn print_token(org: &str, scope: &str, minutes: i64) -> anyhow::Result<()> {
    use melding::api::token::{SCOPE_READ, SCOPE_WRITE, claims};
    let config = Config::from_env(Mode::Demo)?;
    let org = melding::domain::OrgNumber::parse(org).map_err(|e| anyhow::anyhow!("--org: {e}"))?;
    use melding::api::broker::{SCOPE_BROKER_READ, SCOPE_BROKER_WRITE};
    let scopes: Vec<&str> = match scope {
        "write" => vec![SCOPE_WRITE],
        "read" => vec![SCOPE_READ],
        "both" => vec![SCOPE_WRITE, SCOPE_READ],
        "broker" => vec![SCOPE_BROKER_WRITE, SCOPE_BROKER_READ],
        listed if listed.contains(':') => {
            listed.split([' ', ',']).filter(|s| !s.is_empty()).collect()
        }
        other => anyhow::bail!(
            "--scope must be write, read, both, broker or the scopes themselves, not {other:?}"
        ),
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
        key.sign_jwt(&claims(&issuer, &audience, org.as_str(), &scopes, minutes))?
    );
    Ok(())
}

/// `melding bench-notify`: the worker against a bare lettre loop, in a fresh database of its
/// own in the private cluster, so nothing else is due in it.
fn bench_notify(emails: usize, concurrency: usize, batch: i64) -> anyhow::Result<()> {
    use diesel::{Connection, RunQueryDsl};
    let config = Config::from_env(Mode::Tool)?;
    anyhow::ensure!(
        matches!(config.database, DatabaseConfig::Embedded),
        "bench-notify uses the embedded database: unset DATABASE_URL"
    );
    let guard = ClusterGuard(Some(LocalCluster::start(
        &config.data_dir,
        Durability::Full,
    )?));
    let cluster = guard.0.as_ref().context("the private cluster")?;
    {
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
    }
    Ok(())
}

fn bench_events(recipients: usize) -> anyhow::Result<()> {
    use diesel::{Connection, RunQueryDsl};
    let config = Config::from_env(Mode::Tool)?;
    anyhow::ensure!(
        matches!(config.database, DatabaseConfig::Embedded),
        "bench-events uses the embedded database: unset DATABASE_URL"
    );
    let guard = ClusterGuard(Some(LocalCluster::start(
        &config.data_dir,
        Durability::Full,
    )?));
    let cluster = guard.0.as_ref().context("the private cluster")?;
    let mut admin = diesel::PgConnection::establish(&cluster.url("postgres"))?;
    diesel::sql_query("DROP DATABASE IF EXISTS melding_bench_events WITH (FORCE)")
        .execute(&mut admin)?;
    let url = cluster.ensure_database("melding_bench_events")?;
    let pool = db::pool(&url, 8)?;
    db::migrate(&mut *pool.get()?)?;
    let r = melding::bench::events(&pool, recipients)?;
    let worker = r.events as f64 / r.worker_seconds;
    let bare = r.events as f64 / r.bare_seconds;
    println!(
        "| events | send (with the outbox) | worker | bare POST loop | ratio |\n|---:|---:|---:|---:|---:|\n\
         | {} | {:.1} s | {:.1} s ({:.0}/s) | {:.1} s ({:.0}/s) | {:.2}x |",
        r.events,
        r.send_seconds,
        r.worker_seconds,
        worker,
        r.bare_seconds,
        bare,
        bare / worker
    );
    Ok(())
}

/// `melding worker`, a worker-only node: the worker on its own thread, and /metrics and /health
/// on MELDING_BIND. SIGTERM or Ctrl-C stop the HTTP side; the worker then finishes or releases
/// what it holds.
fn worker() -> anyhow::Result<()> {
    let config = Arc::new(Config::from_env(Mode::Worker)?);
    let database = Database::open(&config)?;
    let pool = database.pool.clone();
    let config = &config;
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
    let storage = config.storage()?;
    let task = tokio::task::spawn_blocking(move || seed::demo(&pool, size, &storage));
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
