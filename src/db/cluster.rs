//! A private PostgreSQL cluster under a data folder, started with the system's `initdb` and
//! `pg_ctl` on a unix socket only (no TCP port), as the `postgres` user when run as root.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use diesel::prelude::*;

/// Tuning for a cluster that only tests use: durability traded for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    /// fsync off: a crash may lose the cluster, which tests recreate anyway.
    Throwaway,
}

pub struct LocalCluster {
    pgdata: PathBuf,
    socket_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<(u32, u32)>,
    durability: Durability,
    started_here: bool,
}

const SUPERUSER: &str = "postgres";

impl LocalCluster {
    /// Initialises the cluster under `root` when new, starts it unless it already runs.
    pub fn start(root: &Path, durability: Durability) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir()?;
        let root = absolute(root)?;
        let pgdata = root.join("pg");
        let socket_dir = root.join("pg-socket");
        let run_as = run_as_user()?;
        for dir in [&root, &pgdata, &socket_dir] {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        set_private(&socket_dir)?;
        set_private(&pgdata)?;
        if let Some((uid, gid)) = run_as {
            for dir in [&pgdata, &socket_dir] {
                std::os::unix::fs::chown(dir, Some(uid), Some(gid)).with_context(|| {
                    format!("cannot hand {} to the postgres user", dir.display())
                })?;
            }
        }
        let mut cluster = LocalCluster {
            pgdata,
            socket_dir,
            bin_dir,
            run_as,
            durability,
            started_here: false,
        };
        if !cluster.pgdata.join("PG_VERSION").exists() {
            cluster.initdb(durability)?;
        }
        if cluster.is_running() {
            tracing::info!(pgdata = %cluster.pgdata.display(), "reusing the running local PostgreSQL");
        } else {
            cluster.pg_ctl_start()?;
            cluster.started_here = true;
        }
        Ok(cluster)
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        if let Some((uid, gid)) = self.run_as {
            use std::os::unix::process::CommandExt;
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    fn initdb(&self, durability: Durability) -> anyhow::Result<()> {
        tracing::info!(pgdata = %self.pgdata.display(), "creating a private PostgreSQL cluster");
        let out = self
            .command("initdb")
            .arg("-D")
            .arg(&self.pgdata)
            .args([
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ])
            .output()
            .context("cannot run initdb")?;
        if !out.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let mut conf = format!(
            "\n# written by melding\nlisten_addresses = ''\nunix_socket_directories = '{}'\n\
             unix_socket_permissions = 0700\nmax_connections = 200\nshared_buffers = 256MB\n\
             work_mem = 16MB\nmaintenance_work_mem = 256MB\n",
            self.socket_dir.display()
        );
        if durability == Durability::Throwaway {
            conf.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf_path = self.pgdata.join("postgresql.conf");
        let mut existing =
            std::fs::read_to_string(&conf_path).context("cannot read postgresql.conf")?;
        existing.push_str(&conf);
        std::fs::write(&conf_path, existing).context("cannot write postgresql.conf")?;
        Ok(())
    }

    fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(&self.pgdata)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn pg_ctl_start(&self) -> anyhow::Result<()> {
        use std::os::unix::process::CommandExt;
        tracing::info!(pgdata = %self.pgdata.display(), "starting the private PostgreSQL");
        // Its own process group, so Ctrl-C reaches us first and we stop it in order.
        let out = self
            .command("pg_ctl")
            .arg("start")
            .arg("-D")
            .arg(&self.pgdata)
            .arg("-l")
            .arg(self.pgdata.join("server.log"))
            .args(["-w", "-t", "120"])
            .args(self.start_options())
            .process_group(0)
            .stdin(Stdio::null())
            .output()
            .context("cannot run pg_ctl")?;
        if !out.status.success() {
            let log = std::fs::read_to_string(self.pgdata.join("server.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            bail!(
                "PostgreSQL did not start: {}\n{}",
                String::from_utf8_lossy(&out.stderr).trim(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        Ok(())
    }

    /// Settings given at each start (so that a cluster made by an older release gets them too):
    /// the WAL between checkpoints. A throwaway cluster keeps the 4 GB it always had. A durable
    /// cluster is the demo's or a single machine's database: its checkpoints are far
    /// enough apart (16 GB of WAL or 15 minutes, full-page images compressed) that a mass send
    /// does not run through several. With 4 GB and the default 5 minutes a 1,000,000-recipient send into
    /// 18,000,000 messages wrote 7.5 GB of WAL through a checkpoint a minute and took 161.6 s;
    /// with these, no checkpoint during the send and 136.8 s (docs/benchmarks/2026-12-08-national.md).
    /// A buffer cache of a quarter of the memory measured no better, for the send or for pages.
    fn start_options(&self) -> Vec<String> {
        if self.durability == Durability::Throwaway {
            return vec!["-o".to_owned(), "-c max_wal_size=4GB".to_owned()];
        }
        let mut options = vec![
            "-c max_wal_size=16GB".to_owned(),
            "-c checkpoint_timeout=15min".to_owned(),
        ];
        // lz4 when this server was built with it (Debian's is), else PostgreSQL's own.
        let lz4 = self
            .command("postgres")
            .args(["-C", "wal_compression", "-c", "wal_compression=lz4", "-D"])
            .arg(&self.pgdata)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        options.push(format!(
            "-c wal_compression={}",
            if lz4 { "lz4" } else { "on" }
        ));
        vec!["-o".to_owned(), options.join(" ")]
    }

    /// A libpq URL for `database` over the private socket.
    pub fn url(&self, database: &str) -> String {
        socket_url(&self.socket_dir, database)
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// Creates `database` when missing and returns its URL.
    pub fn ensure_database(&self, database: &str) -> anyhow::Result<String> {
        let mut conn = PgConnection::establish(&self.url("postgres"))
            .context("cannot reach the private cluster")?;
        create_database_if_missing(&mut conn, database)?;
        Ok(self.url(database))
    }

    /// Stops the cluster if this process started it.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        if !self.started_here {
            return Ok(());
        }
        tracing::info!("stopping the private PostgreSQL");
        let out = self
            .command("pg_ctl")
            .arg("stop")
            .arg("-D")
            .arg(&self.pgdata)
            .args(["-m", "fast", "-w", "-t", "60"])
            .output()
            .context("cannot run pg_ctl stop")?;
        if !out.status.success() {
            bail!(
                "pg_ctl stop failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        self.started_here = false;
        Ok(())
    }
}

/// A libpq URL for `database` on the cluster listening in `socket_dir`.
pub fn socket_url(socket_dir: &Path, database: &str) -> String {
    format!(
        "postgres://{SUPERUSER}@/{database}?host={}",
        socket_dir.display()
    )
}

/// Creates a database if it does not exist yet (names are our own constants, never user input).
pub fn create_database_if_missing(conn: &mut PgConnection, database: &str) -> anyhow::Result<()> {
    if !database
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        bail!("refusing an unusual database name {database:?}");
    }
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(database)
            .get_result(conn)?;
    if !found.exists {
        diesel::sql_query(format!("CREATE DATABASE \"{database}\"")).execute(conn)?;
    }
    Ok(())
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_owned())
    } else {
        Ok(std::env::current_dir()?.join(path))
    }
}

fn set_private(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot restrict {}", dir.display()))
}

/// PostgreSQL refuses to run as root; then the cluster belongs to the `postgres` user.
fn run_as_user() -> anyhow::Result<Option<(u32, u32)>> {
    if !nix::unistd::Uid::effective().is_root() {
        return Ok(None);
    }
    match nix::unistd::User::from_name(SUPERUSER) {
        Ok(Some(user)) => Ok(Some((user.uid.as_raw(), user.gid.as_raw()))),
        _ => bail!(
            "running as root, PostgreSQL must run as the `postgres` user, which does not exist; \
             install PostgreSQL (`apt-get install postgresql`) or run as an ordinary user"
        ),
    }
}

/// `initdb` and `pg_ctl` on PATH, or the newest under /usr/lib/postgresql/*/bin.
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let initdb = dir.join("initdb");
            if initdb.is_file() && dir.join("pg_ctl").is_file() {
                // Debian links them into /usr/local/bin; the real folder also holds `postgres`.
                let real = std::fs::canonicalize(&initdb)?;
                if let Some(parent) = real.parent() {
                    return Ok(parent.to_owned());
                }
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "no PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or under \
             /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: `apt-get install postgresql`), \
             or set DATABASE_URL to an existing database."
        ),
    }
}
