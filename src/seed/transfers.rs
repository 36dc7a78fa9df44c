//! Formidling in the demo: the tax office's file-transfer service for reports that any
//! organisation sends it, and a few transfers in different states, with their files stored, so
//! the service owner's page and the recipient's access page have something to show.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::storage::Storage;

pub const SERVICE: &str = "skatteetaten-innrapportering";

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn party(conn: &mut PgConnection, sql: &str, name: &str) -> QueryResult<Option<i64>> {
    diesel::sql_query(sql)
        .bind::<Text, _>(name)
        .get_result::<Id>(conn)
        .optional()
        .map(|found| found.map(|p| p.id))
}

/// Seeds the service and its transfers once.
pub fn ensure(conn: &mut PgConnection, storage: &Storage) -> anyhow::Result<()> {
    let exists: i64 = crate::db::schema::services::table
        .filter(crate::db::schema::services::id.eq(SERVICE))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(());
    }
    let owner = party(
        conn,
        "SELECT party_id AS id FROM service_owners WHERE short_name = $1",
        "skatteetaten",
    )?;
    let sender = party(
        conn,
        "SELECT id FROM parties WHERE name = $1 AND kind = 'organization'",
        super::world::NORDMANN_AS.0,
    )?;
    let municipality = party(
        conn,
        "SELECT id FROM parties WHERE name = $1 AND kind = 'organization'",
        "Fjellvik kommune",
    )?;
    let (Some(owner), Some(sender), Some(municipality)) = (owner, sender, municipality) else {
        return Ok(());
    };
    diesel::sql_query(
        "INSERT INTO services (id, owner_id, title_nb, title_nn, title_en, kind) \
         VALUES ($1, $2, 'Innrapportering av filer', 'Innrapportering av filer', 'File reporting', 'file_transfer')",
    )
    .bind::<Text, _>(SERVICE)
    .bind::<BigInt, _>(owner)
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO file_transfer_settings (service_id, senders, recipients, max_file_size) \
         VALUES ($1, 'any', 'any', 2147483648)",
    )
    .bind::<Text, _>(SERVICE)
    .execute(conn)?;
    let now = Utc::now();
    // (file, from, to, status, recipient status, hours ago)
    let transfers = [
        (
            "a-melding-2026-10.xml",
            sender,
            owner,
            "AllConfirmedDownloaded",
            "DownloadConfirmed",
            72,
        ),
        (
            "a-melding-2026-11.xml",
            sender,
            owner,
            "Published",
            "Initialized",
            5,
        ),
        (
            "skattelister-fjellvik.csv",
            owner,
            municipality,
            "Published",
            "DownloadStarted",
            2,
        ),
        (
            "lonnsdata.csv",
            sender,
            owner,
            "Initialized",
            "Initialized",
            1,
        ),
    ];
    for (file, from, to, status, recipient_status, hours) in transfers {
        let id = Uuid::now_v7();
        let at = now - Duration::hours(hours);
        let bytes = format!("<demo fil=\"{file}\"/>\n").into_bytes();
        let uploaded = status != "Initialized";
        let key = format!("transfers/{id}/{:020}", 0);
        if uploaded {
            storage.put_blocking(&key, bytes.clone().into())?;
        }
        let md5 = {
            use md5::Digest;
            format!("{:x}", md5::Md5::digest(&bytes))
        };
        diesel::sql_query(
            "INSERT INTO file_transfers (id, service_id, sender_id, initiated_by, file_name, checksum, size_bytes, \
                                         upload_offset, status, status_changed_at, expires_at, created_at) \
             SELECT $1, $2, $3, '0192:' || p.org_number, $4, $5, $6, coalesce($6, 0), $7, $8, $8 + interval '30 days', $8 \
             FROM parties p WHERE p.id = $3",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(SERVICE)
        .bind::<BigInt, _>(from)
        .bind::<Text, _>(file)
        .bind::<diesel::sql_types::Nullable<Text>, _>(uploaded.then_some(&md5))
        .bind::<diesel::sql_types::Nullable<BigInt>, _>(uploaded.then_some(bytes.len() as i64))
        .bind::<Text, _>(status)
        .bind::<Timestamptz, _>(at)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO file_transfer_recipients (transfer_id, recipient_id, status, status_changed_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<BigInt, _>(to)
        .bind::<Text, _>(recipient_status)
        .bind::<Timestamptz, _>(at)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO file_transfer_events (transfer_id, status, event_type, actor, occurred_at) \
             VALUES ($1, 'Initialized', 'fileTransferInitialized', 'melding', $2)",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Timestamptz, _>(at)
        .execute(conn)?;
        if uploaded {
            diesel::sql_query(
                "INSERT INTO file_transfer_segments (transfer_id, start_offset, length, storage_key) VALUES ($1, 0, $2, $3)",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(bytes.len() as i64)
            .bind::<Text, _>(&key)
            .execute(conn)?;
        }
    }
    // The tax office's archive system subscribes to what happens to its transfers; its
    // endpoint (an example address) never answers, so the demo shows a failing subscription.
    diesel::sql_query(
        "INSERT INTO event_subscriptions (consumer_org, endpoint, type_filter, secret, validated, cursor, failures, \
                                          last_error, disabled_at) \
         VALUES ($1, 'https://arkiv.skatteetaten.example/hendelser', NULL, md5(random()::text), true, \
                 (SELECT coalesce(max(position), 0) FROM outbox_events), 10, 'the endpoint could not be reached', now())",
    )
    .bind::<BigInt, _>(owner)
    .execute(conn)?;
    Ok(())
}
