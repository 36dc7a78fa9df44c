//! Database access: the connection pool, embedded migrations and the private local cluster.

pub mod catalogue;
pub mod cluster;
mod prepared;
pub mod schema;
pub mod sql;

use anyhow::Context;
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

pub use prepared::Prepared;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Builds the pool and checks that one connection can be made.
pub fn pool(url: &str, size: u32) -> anyhow::Result<PgPool> {
    let manager = ConnectionManager::<PgConnection>::new(url);
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(std::time::Duration::from_secs(10))
        .test_on_check_out(false)
        .build(manager)
        .context("cannot connect to the database")
}

/// SQL that is not history: the current definitions of the database's functions, applied after
/// the migrations on every start, so that a change to a rule is a diff of one file.
const FUNCTIONS: &[(&str, &str)] = &[(
    "the access decision",
    include_str!("../access/decision.sql"),
)];

/// Applies every pending migration, then the current function definitions.
pub fn migrate(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
        .len();
    apply_functions(conn)?;
    Ok(applied)
}

/// Creates or replaces the functions of [`FUNCTIONS`], in one transaction; nodes starting at the
/// same time take turns (an advisory lock), as two replacements of one function would conflict.
pub fn apply_functions(conn: &mut PgConnection) -> anyhow::Result<()> {
    use diesel::connection::SimpleConnection;
    conn.transaction(|conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('melding functions'))")
            .execute(conn)?;
        for (what, sql) in FUNCTIONS {
            conn.batch_execute(sql)
                .with_context(|| format!("cannot define {what}"))?;
        }
        Ok(())
    })
}

/// Whether the database answers, for `/health/ready`.
pub fn ping(conn: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}
