//! Reading transfers: overview and details (with the status history of the transfer and of each
//! recipient), the search, the download (recorded as DownloadStarted for the recipients the
//! system acts for) and the confirmation (DownloadConfirmed; AllConfirmedDownloaded when the
//! last recipient confirms, which starts the purge grace period).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::upload::{Segment, segments};
use super::{Client, Refusal, Side, facts, record_status, side};

/// A transfer as Altinn's overview shows it.
#[derive(QueryableByName, Debug, Clone)]
pub struct Transfer {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub service_id: String,
    #[diesel(sql_type = Text)]
    pub file_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub senders_reference: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub checksum: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub size_bytes: Option<i64>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub status_detail: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub status_changed_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
    /// `0192:<org number>`.
    #[diesel(sql_type = Text)]
    pub sender: String,
    #[diesel(sql_type = Jsonb)]
    pub properties: serde_json::Value,
}

/// A recipient's current status.
#[derive(QueryableByName, Debug, Clone)]
pub struct RecipientStatus {
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Timestamptz)]
    pub changed_at: DateTime<Utc>,
}

/// One step in a history (the transfer's when `recipient` is none).
#[derive(QueryableByName, Debug, Clone)]
pub struct Event {
    #[diesel(sql_type = Nullable<Text>)]
    pub recipient: Option<String>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub detail: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
}

/// The overview with its recipients, and (for details) the histories.
#[derive(Debug, Clone)]
pub struct View {
    pub transfer: Transfer,
    pub recipients: Vec<RecipientStatus>,
    pub events: Vec<Event>,
}

fn transfer(conn: &mut PgConnection, id: Uuid) -> QueryResult<Transfer> {
    diesel::sql_query(
        "SELECT t.id, t.service_id, t.file_name, t.senders_reference, t.checksum, t.size_bytes, t.status, \
                t.status_detail, t.status_changed_at, t.created_at, t.expires_at, \
                '0192:' || p.org_number AS sender, t.properties \
         FROM file_transfers t JOIN parties p ON p.id = t.sender_id WHERE t.id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
}

/// The transfer for a client on either side, with its recipients (and the histories when
/// `history`); `NotFound` for anyone else.
pub fn view(
    conn: &mut PgConnection,
    client: &Client,
    id: Uuid,
    history: bool,
) -> QueryResult<Result<View, Refusal>> {
    let Some(f) = facts(conn, id)? else {
        return Ok(Err(Refusal::NotFound));
    };
    if side(conn, client, &f, true, true)?.is_none() {
        return Ok(Err(Refusal::NotFound));
    }
    let recipients = diesel::sql_query(
        "SELECT '0192:' || p.org_number AS recipient, r.status, r.status_changed_at AS changed_at \
         FROM file_transfer_recipients r JOIN parties p ON p.id = r.recipient_id \
         WHERE r.transfer_id = $1 ORDER BY p.org_number",
    )
    .bind::<SqlUuid, _>(id)
    .load(conn)?;
    let events = if history {
        diesel::sql_query(
            "SELECT '0192:' || p.org_number AS recipient, e.status, e.detail, e.occurred_at \
             FROM file_transfer_events e LEFT JOIN parties p ON p.id = e.recipient_id \
             WHERE e.transfer_id = $1 AND e.event_type IS DISTINCT FROM 'fileNeverConfirmedDownloaded' \
             ORDER BY e.id",
        )
        .bind::<SqlUuid, _>(id)
        .load(conn)?
    } else {
        Vec::new()
    };
    Ok(Ok(View {
        transfer: transfer(conn, id)?,
        recipients,
        events,
    }))
}

/// What a search asks for (Altinn's `GET /filetransfer`).
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub service_id: String,
    pub status: Option<String>,
    pub recipient_status: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The newest 100 transfers of the service the client sees: those it sent (for parties it
/// acts for) and those addressed to parties it receives for; `recipientStatus` filters the
/// latter by the status of those recipients.
pub fn search(conn: &mut PgConnection, client: &Client, s: &Search) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let ids: Vec<Id> = diesel::sql_query(
        "WITH mine AS (SELECT party_id FROM system_parties($1) \
                       WHERE $2 IN (SELECT service_id FROM system_readable_service_ids($1, party_id))) \
         SELECT t.id FROM file_transfers t \
         WHERE t.service_id = $2 \
           AND ($3::text IS NULL OR t.status = $3) \
           AND ($5::timestamptz IS NULL OR t.created_at >= $5) \
           AND ($6::timestamptz IS NULL OR t.created_at <= $6) \
           AND ( ($4::text IS NULL AND t.sender_id IN (SELECT party_id FROM mine)) \
              OR EXISTS (SELECT 1 FROM file_transfer_recipients r \
                         WHERE r.transfer_id = t.id AND r.recipient_id IN (SELECT party_id FROM mine) \
                           AND ($4::text IS NULL OR r.status = $4)) ) \
         ORDER BY t.created_at DESC, t.id DESC LIMIT 100",
    )
    .bind::<BigInt, _>(client.org)
    .bind::<Text, _>(&s.service_id)
    .bind::<Nullable<Text>, _>(&s.status)
    .bind::<Nullable<Text>, _>(&s.recipient_status)
    .bind::<Nullable<Timestamptz>, _>(s.from)
    .bind::<Nullable<Timestamptz>, _>(s.to)
    .load(conn)?;
    Ok(ids.into_iter().map(|i| i.id).collect())
}

/// What a download streams.
#[derive(Debug, Clone)]
pub struct Download {
    pub file_name: String,
    pub size: u64,
    pub segments: Vec<Segment>,
}

/// A recipient's system starts a download: the file when it is published, and DownloadStarted
/// recorded for the recipients it acts for (once each).
pub fn download(
    conn: &mut PgConnection,
    client: &Client,
    id: Uuid,
) -> QueryResult<Result<Download, Refusal>> {
    let Some(f) = facts(conn, id)? else {
        return Ok(Err(Refusal::NotFound));
    };
    let Some(Side::Recipient(parties)) = side(conn, client, &f, false, true)? else {
        return Ok(Err(Refusal::NotFound));
    };
    if !matches!(f.status.as_str(), "Published" | "AllConfirmedDownloaded") {
        return Ok(Err(Refusal::NotAvailable));
    }
    conn.transaction(|conn| {
        diesel::sql_query(
            "WITH started AS ( \
                 UPDATE file_transfer_recipients SET status = 'DownloadStarted', status_changed_at = now() \
                 WHERE transfer_id = $1 AND recipient_id = ANY ($2) AND status = 'Initialized' \
                 RETURNING recipient_id) \
             INSERT INTO file_transfer_events (transfer_id, recipient_id, status, actor) \
             SELECT $1, recipient_id, 'DownloadStarted', $3 FROM started",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<diesel::sql_types::Array<BigInt>, _>(&parties)
        .bind::<Text, _>(&client.name)
        .execute(conn)?;
        Ok(Ok(Download {
            file_name: f.file_name.clone(),
            size: u64::try_from(f.size_bytes.unwrap_or(0)).unwrap_or(0),
            segments: segments(conn, id)?,
        }))
    })
}

/// A recipient's system confirms the download for the recipients it acts for. When every
/// recipient has confirmed, the transfer is AllConfirmedDownloaded and (if the service says so)
/// due for purging after the grace period.
pub fn confirm(
    conn: &mut PgConnection,
    client: &Client,
    id: Uuid,
) -> QueryResult<Result<(), Refusal>> {
    let Some(f) = facts(conn, id)? else {
        return Ok(Err(Refusal::NotFound));
    };
    let Some(Side::Recipient(parties)) = side(conn, client, &f, false, true)? else {
        return Ok(Err(Refusal::NotFound));
    };
    if !matches!(f.status.as_str(), "Published" | "AllConfirmedDownloaded") {
        return Ok(Err(Refusal::NotPublished));
    }
    conn.transaction(|conn| {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let not_started: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM file_transfer_recipients \
             WHERE transfer_id = $1 AND recipient_id = ANY ($2) AND status = 'Initialized'",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<diesel::sql_types::Array<BigInt>, _>(&parties)
        .get_result(conn)?;
        if not_started.n > 0 {
            return Ok(Err(Refusal::NotDownloaded));
        }
        diesel::sql_query(
            "WITH confirmed AS ( \
                 UPDATE file_transfer_recipients SET status = 'DownloadConfirmed', status_changed_at = now() \
                 WHERE transfer_id = $1 AND recipient_id = ANY ($2) AND status = 'DownloadStarted' \
                 RETURNING recipient_id) \
             INSERT INTO file_transfer_events (transfer_id, recipient_id, status, event_type, actor) \
             SELECT $1, recipient_id, 'DownloadConfirmed', 'downloadConfirmed', $3 FROM confirmed",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<diesel::sql_types::Array<BigInt>, _>(&parties)
        .bind::<Text, _>(&client.name)
        .execute(conn)?;
        let left: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM file_transfer_recipients \
             WHERE transfer_id = $1 AND status <> 'DownloadConfirmed'",
        )
        .bind::<SqlUuid, _>(id)
        .get_result(conn)?;
        if left.n == 0 && f.status == "Published" {
            record_status(
                conn,
                id,
                "AllConfirmedDownloaded",
                Some("allConfirmedDownloaded"),
                &client.name,
                None,
            )?;
            diesel::sql_query(
                "UPDATE file_transfers t SET purge_at = now() + f.purge_grace \
                 FROM file_transfer_settings f \
                 WHERE t.id = $1 AND f.service_id = t.service_id AND f.purge_after_all_confirmed",
            )
            .bind::<SqlUuid, _>(id)
            .execute(conn)?;
        }
        Ok(Ok(()))
    })
}
