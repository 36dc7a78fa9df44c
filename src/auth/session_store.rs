//! Sessions in PostgreSQL behind actix-session's `SessionStore`: any node can serve any session,
//! and the server can end a session (front-channel logout) by deleting its row.
//!
//! The cookie carries a random key; the table stores only its SHA-256. A session expires after
//! its idle time (extended on use) and at the latest at its absolute limit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use chrono::Utc;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::PgPool;
use crate::db::schema::sessions;

/// Session keys that the store copies into columns, so the server can find sessions by them.
pub use crate::web::user::PERSON_KEY;
pub const SID_KEY: &str = "idporten_sid";

#[derive(Clone)]
pub struct PgSessionStore {
    pool: PgPool,
    absolute: chrono::Duration,
    /// When each session's idle time was last extended, as its row said when this node loaded it
    /// or as this node wrote it: `update_ttl` within a minute of that needs no database round
    /// trip, however many requests of the session run at once (a set of sessions loaded fresh,
    /// emptied by the first request to end, had the others write). Only a write throttle, so
    /// each node keeping its own is fine.
    fresh: Arc<Mutex<HashMap<String, Instant>>>,
}

/// How often a session's idle time is written back at most.
const EXTEND_EVERY_SECONDS: i64 = 60;
/// Bound on the throttle map (cleared when full: the worst is one write too many per session).
const FRESH_LIMIT: usize = 100_000;

impl PgSessionStore {
    pub fn new(pool: PgPool, absolute: chrono::Duration) -> Self {
        PgSessionStore {
            pool,
            absolute,
            fresh: Arc::default(),
        }
    }

    fn fresh(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // A poisoned map only holds throttle hints; keep using it.
        self.fresh.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that the session's idle time was extended `ago` before now.
    fn extended(&self, id: String, ago: std::time::Duration) {
        let mut fresh = self.fresh();
        if fresh.len() >= FRESH_LIMIT {
            fresh.clear();
        }
        let at = Instant::now().checked_sub(ago).unwrap_or_else(Instant::now);
        fresh.insert(id, at);
    }

    /// Whether the session's idle time was extended less than [`EXTEND_EVERY_SECONDS`] ago.
    fn recently_extended(&self, id: &str) -> bool {
        self.fresh().get(id).is_some_and(|at| {
            at.elapsed() < std::time::Duration::from_secs(EXTEND_EVERY_SECONDS as u64)
        })
    }
}

fn hash(key: &str) -> String {
    format!("{:x}", Sha256::digest(key.as_bytes()))
}

fn new_key() -> SessionKey {
    let key: String = crate::config::random_bytes(32)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // 64 hex characters always make a valid key.
    SessionKey::try_from(key).unwrap_or_else(|_| unreachable!("a 64-character key is valid"))
}

fn chrono_ttl(ttl: &Duration) -> chrono::Duration {
    chrono::Duration::seconds(ttl.whole_seconds())
}

/// Columns derived from the state: who is logged in and their ID-porten session id.
fn indexed(state: &HashMap<String, String>) -> (Option<i64>, Option<String>) {
    let person = state
        .get(PERSON_KEY)
        .and_then(|v| serde_json::from_str(v).ok());
    let sid = state
        .get(SID_KEY)
        .and_then(|v| serde_json::from_str(v).ok());
    (person, sid)
}

async fn run<T: Send + 'static>(
    pool: &PgPool,
    f: impl FnOnce(&mut PgConnection) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let pool = pool.clone();
    crate::web::in_turn(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

impl SessionStore for PgSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let id = hash(session_key.as_ref());
        let key = id.clone();
        let row: Option<(serde_json::Value, chrono::DateTime<Utc>)> =
            run(&self.pool, move |conn| {
                let now = Utc::now();
                Ok(sessions::table
                    .filter(sessions::id_hash.eq(key))
                    .filter(sessions::expires_at.gt(now))
                    .filter(sessions::absolute_expires_at.gt(now))
                    .select((sessions::state, sessions::last_seen_at))
                    .first(conn)
                    .optional()?)
            })
            .await
            .map_err(LoadError::Other)?;
        let state = row.map(|(state, last_seen)| {
            // The row is the truth: what it says replaces what this node remembered.
            self.extended(id, (Utc::now() - last_seen).to_std().unwrap_or_default());
            state
        });
        match state {
            None => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| LoadError::Deserialization(e.into())),
        }
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let key = new_key();
        let id = hash(key.as_ref());
        let ttl = chrono_ttl(ttl);
        let absolute = self.absolute;
        let (person, sid) = indexed(&state);
        let json = serde_json::to_value(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        run(&self.pool, move |conn| {
            let now = Utc::now();
            diesel::insert_into(sessions::table)
                .values((
                    sessions::id_hash.eq(id),
                    sessions::state.eq(json),
                    sessions::person_id.eq(person),
                    sessions::idporten_sid.eq(sid),
                    sessions::expires_at.eq(now + ttl.min(absolute)),
                    sessions::absolute_expires_at.eq(now + absolute),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(SaveError::Other)?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let id = hash(session_key.as_ref());
        let throttle_id = id.clone();
        let chrono = chrono_ttl(ttl);
        let (person, sid) = indexed(&state);
        let json =
            serde_json::to_value(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let updated = run(&self.pool, move |conn| {
            let now = Utc::now();
            Ok(diesel::update(
                sessions::table
                    .filter(sessions::id_hash.eq(id))
                    .filter(sessions::expires_at.gt(now)),
            )
            .set((
                sessions::state.eq(json),
                sessions::person_id.eq(person),
                sessions::idporten_sid.eq(sid),
                sessions::last_seen_at.eq(now),
                sessions::expires_at.eq(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                    &format!(
                        "LEAST(now() + interval '{} seconds', absolute_expires_at)",
                        chrono.num_seconds()
                    ),
                )),
            ))
            .execute(conn)?)
        })
        .await
        .map_err(UpdateError::Other)?;
        if updated == 0 {
            // Ended meanwhile (logout elsewhere, expiry): never bring it back; start afresh.
            return self
                .save(HashMap::new(), ttl)
                .await
                .map_err(|e| UpdateError::Other(anyhow::anyhow!("{e}")));
        }
        self.extended(throttle_id, std::time::Duration::ZERO);
        Ok(session_key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        let id = hash(session_key.as_ref());
        if self.recently_extended(&id) {
            return Ok(());
        }
        // Marked before the write, so the session's other requests meanwhile do not write too; a
        // failed write only delays the extension by a minute (the idle time is 30 by default).
        self.extended(id.clone(), std::time::Duration::ZERO);
        let seconds = ttl.whole_seconds();
        run(&self.pool, move |conn| {
            // At most one write a minute per session; never past the absolute limit.
            crate::db::Prepared(diesel::sql_query(
                "UPDATE sessions SET last_seen_at = now(), \
                 expires_at = LEAST(now() + make_interval(secs => $2), absolute_expires_at) \
                 WHERE id_hash = $1 AND expires_at > now() AND last_seen_at < now() - interval '1 minute'",
            )
            .bind::<diesel::sql_types::Text, _>(id)
            .bind::<diesel::sql_types::Double, _>(seconds as f64))
            .execute(conn)?;
            Ok(())
        })
        .await
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let id = hash(session_key.as_ref());
        self.fresh().remove(&id);
        run(&self.pool, move |conn| {
            diesel::delete(sessions::table.filter(sessions::id_hash.eq(id))).execute(conn)?;
            Ok(())
        })
        .await
    }
}

/// Ends every local session of an ID-porten session (front-channel logout). Returns how many.
pub fn end_by_sid(conn: &mut PgConnection, sid: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::idporten_sid.eq(sid))).execute(conn)
}

/// Removes expired sessions and pending logins.
pub fn sweep(conn: &mut PgConnection) -> QueryResult<usize> {
    let now = Utc::now();
    let sessions = diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(now)
                .or(sessions::absolute_expires_at.le(now)),
        ),
    )
    .execute(conn)?;
    let logins = diesel::delete(crate::db::schema::login_requests::table)
        .filter(crate::db::schema::login_requests::expires_at.le(now))
        .execute(conn)?;
    Ok(sessions + logins)
}
