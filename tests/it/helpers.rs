//! Test harness: a private PostgreSQL cluster (or `DATABASE_URL`), a migrated template database
//! cloned per test, and the real application started on port 0.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use diesel::prelude::*;
use diesel::{Connection, PgConnection};
use melding::app::Application;
use melding::config::{Config, Mode};
use melding::db::cluster::{Durability, LocalCluster, create_database_if_missing, socket_url};
use melding::db::{self, PgPool};
use sha2::{Digest, Sha256};

type UrlFor = Box<dyn Fn(&str) -> String + Send + Sync>;

/// Where test databases live: a server URL without a database name, and how to name one.
pub struct TestServer {
    /// Builds a URL for a database on the test server.
    url_for: UrlFor,
    template: String,
    _cluster: Option<LocalCluster>,
}

static SERVER: OnceLock<TestServer> = OnceLock::new();
static SETUP: Mutex<()> = Mutex::new(());

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared test server, started (and the template migrated) on first use.
pub fn server() -> &'static TestServer {
    if let Some(server) = SERVER.get() {
        return server;
    }
    let _guard = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    SERVER.get_or_init(|| {
        melding::telemetry::init("error");
        let (url_for, cluster): (UrlFor, _) = match std::env::var("DATABASE_URL") {
            Ok(url) => {
                let base = url
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_owned())
                    .expect("DATABASE_URL has a database part");
                (Box::new(move |db: &str| format!("{base}/{db}")), None)
            }
            Err(_) => {
                let root = manifest_dir().join("target/melding-test-pg");
                let cluster = LocalCluster::start(&root, Durability::Throwaway)
                    .expect("the test cluster starts");
                let socket_dir = cluster.socket_dir().to_owned();
                (
                    Box::new(move |db: &str| socket_url(&socket_dir, db)),
                    Some(cluster),
                )
            }
        };
        let template = format!("melding_tpl_{}", migrations_hash());
        let mut admin =
            PgConnection::establish(&url_for("postgres")).expect("connect to the test server");
        let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{template}')"
        )))
        .get_result(&mut admin)
        .expect("query pg_database");
        if !exists {
            let building = format!("{template}_building");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}"))
                .execute(&mut admin)
                .expect("drop");
            create_database_if_missing(&mut admin, &building).expect("create template");
            {
                let mut conn =
                    PgConnection::establish(&url_for(&building)).expect("connect to template");
                db::migrate(&mut conn).expect("migrations apply");
            }
            diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}"))
                .execute(&mut admin)
                .expect("rename template");
        }
        TestServer {
            url_for,
            template,
            _cluster: cluster,
        }
    })
}

/// A hash of the migration files and the function definitions applied after them, so a changed
/// migration or function gets a fresh template.
fn migrations_hash() -> String {
    let mut files: Vec<PathBuf> = walk(&manifest_dir().join("migrations"));
    files.extend(
        walk(&manifest_dir().join("src"))
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "sql")),
    );
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).unwrap_or_default());
    }
    format!("{:x}", hasher.finalize())[..12].to_owned()
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path))
        } else {
            out.push(path)
        }
    }
    out
}

#[derive(diesel::QueryableByName)]
struct Scalar {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct ScalarText {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

/// The number `sql` selects as `n`.
pub fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Scalar>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

/// The text `sql` selects as `t`.
pub fn text(conn: &mut PgConnection, sql: &str) -> String {
    diesel::sql_query(sql)
        .get_result::<ScalarText>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .t
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A copy of the migrated template.
    pub fn migrated() -> Self {
        let server = server();
        Self::create(&format!("TEMPLATE {}", server.template))
    }

    /// An empty database (no migrations).
    pub fn empty() -> Self {
        Self::create("")
    }

    fn create(clause: &str) -> Self {
        let server = server();
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::establish(&(server.url_for)("postgres"))
            .expect("connect to the test server");
        diesel::sql_query(format!("CREATE DATABASE {name} {clause}"))
            .execute(&mut admin)
            .expect("create test database");
        TestDb {
            url: (server.url_for)(&name),
            name,
        }
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to the test database")
    }
}

impl TestDb {
    fn drop_now(&self) {
        if let Ok(mut admin) = PgConnection::establish(&(server().url_for)("postgres")) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.drop_now();
    }
}

/// The real application on a free port, with its own database and data folder.
pub struct TestApp {
    pub address: String,
    /// False for a second view of the same app (it must not stop the server or drop the data).
    owner: bool,
    pub pool: PgPool,
    /// Keeps cookies, never follows redirects (so a test can assert a 303 and its Location).
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    /// The app's object storage (local disk, or the S3 bucket it was given).
    pub storage: melding::storage::Storage,
    handle: actix_web::dev::ServerHandle,
    _db: Option<std::sync::Arc<TestDb>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Mode::Demo, &[]).await
    }

    /// Starts the app as `serve` runs in production (against a login provider it never calls here).
    pub async fn spawn_serve() -> Self {
        let key = "ab".repeat(32);
        Self::spawn_with(
            Mode::Serve,
            &[
                ("MELDING_SESSION_KEY", key.as_str()),
                ("MELDING_PUBLIC_URL", "https://melding.example"),
                ("MELDING_IDPORTEN_ISSUER", "https://test.idporten.no"),
                ("MELDING_IDPORTEN_CLIENT_ID", "melding-test"),
                ("MELDING_IDPORTEN_CLIENT_SECRET", "not-a-real-secret"),
                ("MELDING_SMTP_URL", "smtp://127.0.0.1:1"),
                ("MELDING_MAIL_FROM", "melding <noreply@melding.example>"),
                ("MELDING_SMS_URL", "https://sms.example/send"),
                ("MELDING_SMS_TOKEN", "not-a-real-token"),
            ],
        )
        .await
    }

    /// The number `sql` selects as `n`, in this app's database.
    pub fn count(&self, sql: &str) -> i64 {
        count(&mut self.pool.get().expect("connection"), sql)
    }

    /// Starts the app in `mode` with extra environment variables on top of the test defaults.
    pub async fn spawn_with(mode: Mode, vars: &[(&str, &str)]) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        Self::spawn_on(listener, mode, vars).await
    }

    /// Starts the app on a listener the test bound already (so others can know its port first).
    pub async fn spawn_on(
        listener: std::net::TcpListener,
        mode: Mode,
        vars: &[(&str, &str)],
    ) -> Self {
        let db = TestDb::migrated();
        let data_dir = std::env::temp_dir().join(format!("melding-test-{}", db.name));
        std::fs::create_dir_all(&data_dir).expect("create data dir");
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), db.url.clone()),
            ("MELDING_BIND".into(), "127.0.0.1:0".into()),
            ("MELDING_HTTP_WORKERS".into(), "2".into()),
            ("MELDING_DB_POOL_SIZE".into(), "4".into()),
            // Tests drive the notification worker themselves, step by step.
            ("MELDING_WORKER".into(), "false".into()),
            (
                "MELDING_DATA_DIR".into(),
                data_dir.to_string_lossy().into_owned(),
            ),
        ];
        for (k, v) in vars {
            env.retain(|(key, _)| key != k);
            env.push(((*k).to_owned(), (*v).to_owned()));
        }
        let config = Config::from_lookup(mode, |key| {
            env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        })
        .expect("test configuration is valid");
        let config = Arc::new(config);
        let pool = db::pool(&db.url, config.pool_size).expect("pool");
        let storage = config.storage().expect("storage");
        let app = Application::build_with_listener(config.clone(), pool.clone(), listener)
            .expect("the app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("http client");
        TestApp {
            address,
            owner: true,
            pool,
            client,
            data_dir,
            storage,
            handle,
            _db: Some(std::sync::Arc::new(db)),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request succeeds")
    }

    /// The body of `path` fetched with an `Accept-Language` header.
    pub async fn page_in(&self, path: &str, accept_language: &str) -> String {
        self.client
            .get(self.url(path))
            .header("Accept-Language", accept_language)
            .send()
            .await
            .expect("request succeeds")
            .text()
            .await
            .expect("a body")
    }

    /// Logs in through the demo provider as the person with `national_id` at `level`
    /// ("substantial" or "high"), exactly as a browser would.
    pub async fn login_as(&self, national_id: &str, level: &str) {
        login(&self.client, &self.address, national_id, level).await;
    }

    /// The CSRF token from any page this session sees.
    pub async fn csrf_token(&self) -> String {
        let body = self.get("/access").await.text().await.expect("body");
        body.split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a CSRF field")
            .to_owned()
    }

    /// Drops this app's database under it, as if the database server lost it.
    pub fn drop_database(&self) {
        if let Some(db) = &self._db {
            db.drop_now();
        }
    }

    /// The same app seen by a second user, with a cookie jar of their own.
    pub fn second_user(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            owner: false,
            pool: self.pool.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .cookie_store(true)
                .build()
                .expect("http client"),
            data_dir: self.data_dir.clone(),
            storage: self.storage.clone(),
            handle: self.handle.clone(),
            _db: None,
        }
    }

    /// Seeds the demo world into this app's database.
    pub fn seed_demo(&self) {
        melding::seed::demo(&self.pool, melding::seed::SeedSize::Small, &self.storage)
            .expect("demo seed");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.owner {
            return;
        }
        // Stop accepting; the database is dropped right after (WITH FORCE).
        drop(self.handle.stop(false));
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Logs `client` in at the app on `base` through its demo provider as the person with
/// `national_id` at `level` ("substantial" or "high"), exactly as a browser would.
pub async fn login(client: &reqwest::Client, base: &str, national_id: &str, level: &str) {
    let response = client
        .get(format!("{base}/login?level={level}"))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    let authorize = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let page = client
        .get(&authorize)
        .send()
        .await
        .expect("authorize")
        .text()
        .await
        .expect("page");
    let mut form: Vec<(String, String)> = page
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split("value=\"").nth(1)?.split('"').next()?;
            Some((
                name.to_owned(),
                value.replace("&#43;", "+").replace("&#x2f;", "/"),
            ))
        })
        .collect();
    form.push(("national_id".to_owned(), national_id.to_owned()));
    form.push(("level".to_owned(), level.to_owned()));
    let response = client
        .post(format!("{base}/demo-idp/authorize"))
        .form(&form)
        .send()
        .await
        .expect("login form");
    assert_eq!(
        response.status(),
        reqwest::StatusCode::SEE_OTHER,
        "demo login: {:?}",
        response.text().await
    );
    let callback = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let response = client.get(&callback).send().await.expect("callback");
    assert_eq!(
        response.status(),
        reqwest::StatusCode::SEE_OTHER,
        "callback: {:?}",
        response.text().await
    );
}

/// A worker on `pool`'s database that captures mail and SMS in the dev outbox, as the demo's,
/// with the clock and settings the test gives.
pub fn capture_worker(
    pool: &PgPool,
    clock: Arc<dyn melding::notify::Clock>,
    settings: melding::notify::Settings,
) -> melding::notify::Worker {
    use melding::notify::transport::{Mailer, SmsGateway};
    melding::notify::Worker::new(
        pool.clone(),
        Mailer::capture(
            pool.clone(),
            "melding <noreply@melding.example>".parse().expect("from"),
        ),
        SmsGateway::Capture(pool.clone()),
        clock,
        settings,
    )
    .expect("worker")
}

/// Sends every due notice of `pool`'s database the way the demo does (captured in the dev
/// outbox), as the embedded worker would.
pub async fn drain_notices(pool: &PgPool) -> melding::notify::Step {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        capture_worker(
            &pool,
            Arc::new(melding::notify::SystemClock),
            melding::notify::Settings::new("http://127.0.0.1"),
        )
        .drain()
        .expect("drain")
    })
    .await
    .expect("join")
}
