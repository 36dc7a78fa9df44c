//! Uploading a transfer's file: as one streamed body (`POST .../upload`, also the multipart
//! initialize-and-upload), or resumable with the TUS protocol (create, HEAD for the offset, PATCH
//! chunks, terminate). Every chunk that arrives is kept as a segment object with the offset it
//! starts at, so an upload broken off at any byte resumes from the last byte stored. The file is
//! published when the last byte is in and its MD5 matches the checksum given at initialize.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use futures_util::StreamExt;
use uuid::Uuid;

use super::{Client, Facts, Refusal, Side, facts, record_status, side};
use crate::db::PgPool;
use crate::storage::{Storage, WriteError};

fn segment_key(id: Uuid, offset: i64) -> String {
    format!("transfers/{id}/{offset:020}")
}

async fn blocking<T, F>(pool: &PgPool, work: F) -> Result<T, Refusal>
where
    F: FnOnce(&mut PgConnection) -> QueryResult<Result<T, Refusal>> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || -> Result<T, Refusal> {
        let mut conn = pool.get().map_err(|e| Refusal::Storage(e.to_string()))?;
        work(&mut conn).map_err(|e| Refusal::Storage(e.to_string()))?
    })
    .await
    .map_err(|e| Refusal::Storage(e.to_string()))?
}

/// The transfer for its sender's system, or `NotFound`.
fn for_sender(
    conn: &mut PgConnection,
    client: &Client,
    id: Uuid,
) -> QueryResult<Result<(Facts, i64), Refusal>> {
    let Some(f) = facts(conn, id)? else {
        return Ok(Err(Refusal::NotFound));
    };
    if !matches!(side(conn, client, &f, true, false)?, Some(Side::Sender)) {
        return Ok(Err(Refusal::NotFound));
    }
    let max: i64 = crate::db::schema::file_transfer_settings::table
        .find(&f.service_id)
        .select(crate::db::schema::file_transfer_settings::max_file_size)
        .first(conn)?;
    Ok(Ok((f, max)))
}

/// Streams `body` as the whole file (Altinn's `POST /filetransfer/{id}/upload`).
pub async fn streamed<S, E>(
    pool: &PgPool,
    storage: &Storage,
    client: &Client,
    id: Uuid,
    body: S,
) -> Result<Uuid, Refusal>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    // Claim the upload: only a transfer not uploaded yet, and only once.
    let who = client.clone();
    let (facts, max) = blocking(pool, move |conn| {
        conn.transaction(|conn| {
            let (f, max) = match for_sender(conn, &who, id)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let claimed = diesel::sql_query(
                "UPDATE file_transfers SET status = 'UploadStarted', status_changed_at = now() \
                 WHERE id = $1 AND status = 'Initialized' AND upload_offset = 0",
            )
            .bind::<SqlUuid, _>(id)
            .execute(conn)?;
            if claimed == 0 {
                return Ok(Err(Refusal::AlreadyUploaded));
            }
            diesel::sql_query(
                "INSERT INTO file_transfer_events (transfer_id, status, actor) VALUES ($1, 'UploadStarted', $2)",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(&who.name)
            .execute(conn)?;
            Ok(Ok((f, max)))
        })
    })
    .await?;
    let key = segment_key(id, 0);
    let written = storage
        .write_hashed(&key, body, u64::try_from(max).unwrap_or(0), false)
        .await;
    let written = match written {
        Ok(w) if facts.checksum.as_deref().is_some_and(|c| c != w.md5) => {
            let _ = storage.delete(&key).await;
            fail(pool, client, id, "checksum mismatch").await?;
            return Err(Refusal::ChecksumMismatch);
        }
        Ok(w) => w,
        Err(e) => {
            let (detail, refusal) = match e {
                WriteError::TooLarge => ("file size exceeds maximum", Refusal::TooLarge),
                WriteError::Empty => (
                    "the file is empty",
                    super::invalid("file", "the file is empty"),
                ),
                WriteError::Stream(_) => (
                    "the upload broke off",
                    super::invalid("file", "the upload broke off before the end"),
                ),
                WriteError::Storage(s) => {
                    tracing::error!(error = %s, "a transfer could not be stored");
                    (
                        "the file could not be stored",
                        Refusal::Storage(s.to_string()),
                    )
                }
            };
            fail(pool, client, id, detail).await?;
            return Err(refusal);
        }
    };
    let size = i64::try_from(written.size).unwrap_or(i64::MAX);
    let who = client.clone();
    let md5 = written.md5.clone();
    blocking(pool, move |conn| {
        conn.transaction(|conn| {
            diesel::sql_query(
                "INSERT INTO file_transfer_segments (transfer_id, start_offset, length, storage_key) \
                 VALUES ($1, 0, $2, $3)",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(size)
            .bind::<Text, _>(&key)
            .execute(conn)?;
            diesel::sql_query(
                "UPDATE file_transfers SET size_bytes = $2, upload_offset = $2, checksum = $3 WHERE id = $1",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(size)
            .bind::<Text, _>(&md5)
            .execute(conn)?;
            publish(conn, id, &who.name)?;
            Ok(Ok(()))
        })
    })
    .await?;
    Ok(id)
}

/// UploadProcessing, then Published (melding scans nothing, so both at once), in the caller's
/// transaction.
fn publish(conn: &mut PgConnection, id: Uuid, actor: &str) -> QueryResult<()> {
    record_status(
        conn,
        id,
        "UploadProcessing",
        Some("uploadProcessing"),
        actor,
        None,
    )?;
    record_status(conn, id, "Published", Some("published"), actor, None)
}

async fn fail(
    pool: &PgPool,
    client: &Client,
    id: Uuid,
    detail: &'static str,
) -> Result<(), Refusal> {
    let who = client.clone();
    blocking(pool, move |conn| {
        record_status(
            conn,
            id,
            "Failed",
            Some("uploadFailed"),
            &who.name,
            Some(detail),
        )?;
        Ok(Ok(()))
    })
    .await
}

/// Where a resumable upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub offset: i64,
    pub length: i64,
}

/// TUS creation: announces the file's length (`Upload-Length`). Creating again with the same
/// length answers where the upload stands.
pub async fn create(
    pool: &PgPool,
    client: &Client,
    id: Uuid,
    length: i64,
) -> Result<Progress, Refusal> {
    let who = client.clone();
    blocking(pool, move |conn| {
        conn.transaction(|conn| {
            let (f, max) = match for_sender(conn, &who, id)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if length <= 0 {
                return Ok(Err(super::invalid("Upload-Length", "must be more than 0")));
            }
            if length > max {
                return Ok(Err(Refusal::TooLarge));
            }
            match f.status.as_str() {
                "Initialized" => {
                    diesel::sql_query(
                        "UPDATE file_transfers SET size_bytes = $2, status = 'UploadStarted', status_changed_at = now() \
                         WHERE id = $1 AND status = 'Initialized'",
                    )
                    .bind::<SqlUuid, _>(id)
                    .bind::<BigInt, _>(length)
                    .execute(conn)?;
                    diesel::sql_query(
                        "INSERT INTO file_transfer_events (transfer_id, status, actor) VALUES ($1, 'UploadStarted', $2)",
                    )
                    .bind::<SqlUuid, _>(id)
                    .bind::<Text, _>(&who.name)
                    .execute(conn)?;
                    Ok(Ok(Progress { offset: 0, length }))
                }
                "UploadStarted" if f.size_bytes == Some(length) => Ok(Ok(Progress {
                    offset: f.upload_offset,
                    length,
                })),
                _ => Ok(Err(Refusal::AlreadyUploaded)),
            }
        })
    })
    .await
}

/// TUS HEAD: the offset and length of a resumable upload in progress.
pub async fn progress(pool: &PgPool, client: &Client, id: Uuid) -> Result<Progress, Refusal> {
    let who = client.clone();
    blocking(pool, move |conn| {
        let (f, _) = match for_sender(conn, &who, id)? {
            Ok(found) => found,
            Err(refusal) => return Ok(Err(refusal)),
        };
        match (f.status.as_str(), f.size_bytes) {
            ("Initialized" | "Cancelled" | "Failed" | "Purged", _) | (_, None) => {
                Ok(Err(Refusal::NotFound))
            }
            (_, Some(length)) => Ok(Ok(Progress {
                offset: f.upload_offset,
                length,
            })),
        }
    })
    .await
}

/// TUS PATCH: the bytes from `offset` on. What arrives is kept even when the request breaks
/// off; the answer is the new offset (and the file is published when it is complete).
pub async fn patch<S, E>(
    pool: &PgPool,
    storage: &Storage,
    client: &Client,
    id: Uuid,
    offset: i64,
    mut body: S,
) -> Result<Progress, Refusal>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let who = client.clone();
    let now = blocking(pool, move |conn| {
        let (f, _) = match for_sender(conn, &who, id)? {
            Ok(found) => found,
            Err(refusal) => return Ok(Err(refusal)),
        };
        match (f.status.as_str(), f.size_bytes) {
            ("UploadStarted", Some(length)) => Ok(Ok(Progress {
                offset: f.upload_offset,
                length,
            })),
            // Not created as a resumable upload.
            ("Initialized", _) => Ok(Err(Refusal::NotFound)),
            _ => Ok(Err(Refusal::AlreadyUploaded)),
        }
    })
    .await?;
    if offset != now.offset {
        return Err(Refusal::Offset {
            expected: now.offset,
        });
    }
    let room = u64::try_from(now.length - now.offset).unwrap_or(0);
    let key = segment_key(id, offset);
    let mut writer = storage
        .writer(&key)
        .await
        .map_err(|e| Refusal::Storage(e.to_string()))?;
    let mut broke_off = None;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => {
                if writer.written() + chunk.len() as u64 > room {
                    let _ = writer.abort().await;
                    return Err(super::invalid(
                        "Upload-Offset",
                        "the chunk goes past the announced Upload-Length",
                    ));
                }
                if let Err(e) = writer.write(&chunk).await {
                    let _ = writer.abort().await;
                    return Err(Refusal::Storage(e.to_string()));
                }
            }
            Err(e) => {
                broke_off = Some(e.to_string());
                break;
            }
        }
    }
    let written = i64::try_from(writer.written()).unwrap_or(0);
    if written == 0 {
        let _ = writer.abort().await;
        return match broke_off {
            Some(e) => Err(super::invalid("body", &format!("the chunk broke off: {e}"))),
            None => Ok(now),
        };
    }
    // Keep what arrived, even from a request that broke off: the client resumes after it.
    writer
        .finish()
        .await
        .map_err(|e| Refusal::Storage(e.to_string()))?;
    let stored_key = key.clone();
    let recorded = blocking(pool, move |conn| {
        conn.transaction(|conn| {
            let moved = diesel::sql_query(
                "UPDATE file_transfers SET upload_offset = upload_offset + $3 \
                 WHERE id = $1 AND upload_offset = $2 AND status = 'UploadStarted'",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(offset)
            .bind::<BigInt, _>(written)
            .execute(conn)?;
            if moved == 0 {
                // Another request for the same offset won.
                return Ok(Err(Refusal::Offset { expected: offset }));
            }
            diesel::sql_query(
                "INSERT INTO file_transfer_segments (transfer_id, start_offset, length, storage_key) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(offset)
            .bind::<BigInt, _>(written)
            .bind::<Text, _>(&stored_key)
            .execute(conn)?;
            Ok(Ok(()))
        })
    })
    .await;
    if let Err(refusal) = recorded {
        let _ = storage.delete(&key).await;
        return Err(refusal);
    }
    let progress = Progress {
        offset: offset + written,
        length: now.length,
    };
    if broke_off.is_none() && progress.offset == progress.length {
        complete(pool, storage, client, id).await?;
    }
    Ok(progress)
}

/// The last byte is in: the checksum is checked over the stored segments and the file is
/// published (or failed, its segments removed).
async fn complete(
    pool: &PgPool,
    storage: &Storage,
    client: &Client,
    id: Uuid,
) -> Result<(), Refusal> {
    use md5::Digest;
    let segments = blocking(pool, move |conn| Ok(Ok(segments(conn, id)?))).await?;
    let mut md5 = md5::Md5::new();
    for s in &segments {
        let mut stream = storage
            .read(&s.storage_key, None)
            .await
            .map_err(|e| Refusal::Storage(e.to_string()))?;
        while let Some(chunk) = stream.next().await {
            md5.update(&chunk.map_err(|e| Refusal::Storage(e.to_string()))?);
        }
    }
    let computed = format!("{:x}", md5.finalize());
    let who = client.clone();
    let matches = blocking(pool, move |conn| {
        conn.transaction(|conn| {
            let given: Option<String> = crate::db::schema::file_transfers::table
                .find(id)
                .select(crate::db::schema::file_transfers::checksum)
                .first(conn)?;
            if given.as_deref().is_some_and(|g| g != computed) {
                record_status(
                    conn,
                    id,
                    "Failed",
                    Some("uploadFailed"),
                    &who.name,
                    Some("checksum mismatch"),
                )?;
                return Ok(Ok(false));
            }
            diesel::sql_query("UPDATE file_transfers SET checksum = $2 WHERE id = $1")
                .bind::<SqlUuid, _>(id)
                .bind::<Text, _>(&computed)
                .execute(conn)?;
            publish(conn, id, &who.name)?;
            Ok(Ok(true))
        })
    })
    .await?;
    if !matches {
        for s in &segments {
            let _ = storage.delete(&s.storage_key).await;
        }
        return Err(Refusal::ChecksumMismatch);
    }
    Ok(())
}

/// TUS termination: the upload is given up, the transfer cancelled and its bytes removed.
pub async fn terminate(
    pool: &PgPool,
    storage: &Storage,
    client: &Client,
    id: Uuid,
) -> Result<(), Refusal> {
    let who = client.clone();
    let segments = blocking(pool, move |conn| {
        conn.transaction(|conn| {
            let (f, _) = match for_sender(conn, &who, id)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if !matches!(f.status.as_str(), "Initialized" | "UploadStarted") {
                return Ok(Err(Refusal::AlreadyUploaded));
            }
            record_status(
                conn,
                id,
                "Cancelled",
                None,
                &who.name,
                Some("upload terminated"),
            )?;
            let list = segments(conn, id)?;
            diesel::sql_query("DELETE FROM file_transfer_segments WHERE transfer_id = $1")
                .bind::<SqlUuid, _>(id)
                .execute(conn)?;
            Ok(Ok(list))
        })
    })
    .await?;
    for s in segments {
        let _ = storage.delete(&s.storage_key).await;
    }
    Ok(())
}

/// One stored piece of a transfer's file.
#[derive(QueryableByName, Debug, Clone)]
pub struct Segment {
    #[diesel(sql_type = BigInt)]
    pub start_offset: i64,
    #[diesel(sql_type = BigInt)]
    pub length: i64,
    #[diesel(sql_type = Text)]
    pub storage_key: String,
}

pub fn segments(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<Segment>> {
    diesel::sql_query(
        "SELECT start_offset, length, storage_key FROM file_transfer_segments \
         WHERE transfer_id = $1 ORDER BY start_offset",
    )
    .bind::<SqlUuid, _>(id)
    .load(conn)
}
