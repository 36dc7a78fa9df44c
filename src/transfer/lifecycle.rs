//! The worker's part: purging transfers whose grace period after the last confirmation has
//! passed, and expiring those whose time to live has ended (recorded for each recipient that
//! never confirmed). Claimed with a lease, as notices are, so two workers never purge one
//! transfer at once and a worker that dies leaves it to the next; the objects are removed before
//! the transfer is marked Purged, so nothing is marked gone that is still stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::record_status;
use super::upload::segments;
use crate::db::PgPool;
use crate::storage::Storage;

/// A transfer due for purging.
#[derive(QueryableByName, Debug, Clone)]
pub struct Due {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// True: its time to live ended (rather than every recipient having confirmed).
    #[diesel(sql_type = Bool)]
    pub expired: bool,
}

/// Claims up to `limit` due transfers for `worker` until `lease_until`.
pub fn claim(
    conn: &mut PgConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Due>> {
    diesel::sql_query(
        "WITH due AS ( \
             SELECT id FROM file_transfers \
             WHERE status NOT IN ('Purged', 'Cancelled') AND least(expires_at, purge_at) <= $1 \
               AND (lease_until IS NULL OR lease_until < $1) \
             ORDER BY least(expires_at, purge_at) LIMIT $4 FOR UPDATE SKIP LOCKED) \
         UPDATE file_transfers t SET lease_until = $3, leased_by = $2 FROM due WHERE t.id = due.id \
         RETURNING t.id, (t.purge_at IS NULL OR t.expires_at < t.purge_at) AS expired",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(worker)
    .bind::<Timestamptz, _>(lease_until)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// Purges one claimed transfer: its objects removed, then Purged recorded (with the recipients
/// that never confirmed, when it expired).
pub async fn purge(
    pool: &PgPool,
    storage: &Storage,
    worker: &str,
    due: &Due,
) -> anyhow::Result<()> {
    let id = due.id;
    let list = {
        let pool = pool.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            Ok(segments(&mut *pool.get()?, id)?)
        })
        .await??
    };
    for segment in &list {
        storage.delete(&segment.storage_key).await?;
    }
    let pool = pool.clone();
    let worker = worker.to_owned();
    let expired = due.expired;
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = pool.get()?;
        conn.transaction(|conn| -> QueryResult<()> {
            diesel::sql_query("DELETE FROM file_transfer_segments WHERE transfer_id = $1")
                .bind::<SqlUuid, _>(id)
                .execute(conn)?;
            if expired {
                diesel::sql_query(
                    "INSERT INTO file_transfer_events (transfer_id, recipient_id, status, event_type, actor, detail) \
                     SELECT transfer_id, recipient_id, status, 'fileNeverConfirmedDownloaded', 'melding', \
                            'the time to live ended before this recipient confirmed' \
                     FROM file_transfer_recipients WHERE transfer_id = $1 AND status <> 'DownloadConfirmed'",
                )
                .bind::<SqlUuid, _>(id)
                .execute(conn)?;
                #[derive(QueryableByName)]
                struct Count {
                    #[diesel(sql_type = BigInt)]
                    n: i64,
                }
                let open: Count = diesel::sql_query(
                    "SELECT count(*) AS n FROM file_transfer_recipients \
                     WHERE transfer_id = $1 AND status <> 'DownloadConfirmed'",
                )
                .bind::<SqlUuid, _>(id)
                .get_result(conn)?;
                let detail = if open.n > 0 {
                    format!(
                        "expired: {} recipient(s) never confirmed the download",
                        open.n
                    )
                } else {
                    "expired".to_owned()
                };
                record_status(conn, id, "Purged", Some("filePurged"), "melding", Some(&detail))?;
            } else {
                record_status(
                    conn,
                    id,
                    "Purged",
                    Some("filePurged"),
                    "melding",
                    Some("every recipient confirmed"),
                )?;
            }
            diesel::sql_query(
                "UPDATE file_transfers SET lease_until = NULL, leased_by = NULL WHERE id = $1 AND leased_by = $2",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(&worker)
            .execute(conn)?;
            Ok(())
        })?;
        Ok(())
    })
    .await?
}
