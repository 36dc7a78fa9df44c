//! What people see of Formidling: a service owner's file-transfer services and the transfers
//! sent with them or to it, each with its recipients' statuses; and the form's rules for a
//! file-transfer service (titles in three languages, who may send and receive, the limits).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::domain::Language;

/// One of the owner's file-transfer services, as its list shows it.
#[derive(QueryableByName, Debug, Clone)]
pub struct ServiceRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub senders: String,
    #[diesel(sql_type = Text)]
    pub recipients: String,
    #[diesel(sql_type = BigInt)]
    pub max_file_size: i64,
    /// Days.
    #[diesel(sql_type = BigInt)]
    pub time_to_live: i64,
    #[diesel(sql_type = BigInt)]
    pub transfers: i64,
}

pub fn services(
    conn: &mut PgConnection,
    owner: i64,
    lang: Language,
) -> QueryResult<Vec<ServiceRow>> {
    let l = lang.code();
    diesel::sql_query(format!(
        "SELECT s.id, s.title_{l} AS title, f.senders, f.recipients, f.max_file_size, \
                (extract(epoch FROM f.time_to_live) / 86400)::bigint AS time_to_live, \
                (SELECT count(*) FROM file_transfers t WHERE t.service_id = s.id) AS transfers \
         FROM services s JOIN file_transfer_settings f ON f.service_id = s.id \
         WHERE s.owner_id = $1 AND s.kind = 'file_transfer' ORDER BY 2"
    ))
    .bind::<BigInt, _>(owner)
    .load(conn)
}

/// A transfer as the owner's list shows it.
#[derive(QueryableByName, Debug, Clone)]
pub struct TransferRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub file_name: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = Text)]
    pub sender: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub status_detail: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub size_bytes: Option<i64>,
    /// `name|status`, one per recipient.
    #[diesel(sql_type = Array<Text>)]
    pub recipients: Vec<String>,
}

/// The newest transfers with the owner's file-transfer services (sent by anyone, to anyone).
pub fn transfers(
    conn: &mut PgConnection,
    owner: i64,
    lang: Language,
    limit: i64,
) -> QueryResult<Vec<TransferRow>> {
    let l = lang.code();
    diesel::sql_query(format!(
        "SELECT t.id, t.file_name, s.title_{l} AS service, p.name AS sender, t.created_at, t.status, \
                t.status_detail, t.size_bytes, \
                ARRAY(SELECT rp.name || '|' || r.status FROM file_transfer_recipients r \
                      JOIN parties rp ON rp.id = r.recipient_id WHERE r.transfer_id = t.id ORDER BY rp.name) AS recipients \
         FROM file_transfers t JOIN services s ON s.id = t.service_id JOIN parties p ON p.id = t.sender_id \
         WHERE s.owner_id = $1 ORDER BY t.created_at DESC, t.id DESC LIMIT $2"
    ))
    .bind::<BigInt, _>(owner)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// A file-transfer service as the form edits it.
#[derive(Debug, Clone, Default)]
pub struct ServiceSettings {
    pub id: String,
    pub titles: [String; 3],
    pub senders: String,
    pub recipients: String,
    pub max_megabytes: i64,
    pub time_to_live_days: i64,
    pub purge_after_all_confirmed: bool,
    pub grace_hours: i64,
    pub manifest_expected: bool,
    /// Access packages whose delegation to a system lets it send or receive for the party (a
    /// delegation of the service itself always does).
    pub packages: Vec<String>,
}

#[derive(QueryableByName)]
struct Loaded {
    #[diesel(sql_type = Text)]
    title_nb: String,
    #[diesel(sql_type = Text)]
    title_nn: String,
    #[diesel(sql_type = Text)]
    title_en: String,
    #[diesel(sql_type = Text)]
    senders: String,
    #[diesel(sql_type = Text)]
    recipients: String,
    #[diesel(sql_type = BigInt)]
    max_file_size: i64,
    #[diesel(sql_type = BigInt)]
    time_to_live: i64,
    #[diesel(sql_type = Bool)]
    purge_after_all_confirmed: bool,
    #[diesel(sql_type = BigInt)]
    purge_grace: i64,
    #[diesel(sql_type = Bool)]
    manifest_expected: bool,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    required_packages: Vec<Option<String>>,
}

/// The owner's file-transfer service `id`, for the form.
pub fn load(conn: &mut PgConnection, owner: i64, id: &str) -> QueryResult<Option<ServiceSettings>> {
    let found: Option<Loaded> = diesel::sql_query(
        "SELECT s.title_nb, s.title_nn, s.title_en, f.senders, f.recipients, f.max_file_size, \
                extract(epoch FROM f.time_to_live)::bigint AS time_to_live, f.purge_after_all_confirmed, \
                extract(epoch FROM f.purge_grace)::bigint AS purge_grace, f.manifest_expected, \
                s.required_packages \
         FROM services s JOIN file_transfer_settings f ON f.service_id = s.id \
         WHERE s.id = $1 AND s.owner_id = $2 AND s.kind = 'file_transfer'",
    )
    .bind::<Text, _>(id)
    .bind::<BigInt, _>(owner)
    .get_result(conn)
    .optional()?;
    Ok(found.map(|f| ServiceSettings {
        id: id.to_owned(),
        titles: [f.title_nb, f.title_nn, f.title_en],
        senders: f.senders,
        recipients: f.recipients,
        max_megabytes: f.max_file_size / (1024 * 1024),
        time_to_live_days: f.time_to_live / 86400,
        purge_after_all_confirmed: f.purge_after_all_confirmed,
        grace_hours: f.purge_grace / 3600,
        manifest_expected: f.manifest_expected,
        packages: f.required_packages.into_iter().flatten().collect(),
    }))
}

/// The form's limits.
pub const MAX_MEGABYTES: i64 = 1024 * 1024;
pub const MAX_DAYS: i64 = 365;
pub const MAX_GRACE_HOURS: i64 = 24;

/// Saves the service: creates it (`creating`; false when the id is taken) or updates the
/// owner's own (false when it is not there).
pub fn save(
    conn: &mut PgConnection,
    owner: i64,
    s: &ServiceSettings,
    creating: bool,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let n = if creating {
            diesel::sql_query(
                "INSERT INTO services (id, owner_id, title_nb, title_nn, title_en, required_packages, kind) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'file_transfer') ON CONFLICT (id) DO NOTHING",
            )
        } else {
            diesel::sql_query(
                "UPDATE services SET title_nb = $3, title_nn = $4, title_en = $5, required_packages = $6, \
                        updated_at = now() \
                 WHERE id = $1 AND owner_id = $2 AND kind = 'file_transfer'",
            )
        }
        .bind::<Text, _>(&s.id)
        .bind::<BigInt, _>(owner)
        .bind::<Text, _>(&s.titles[0])
        .bind::<Text, _>(&s.titles[1])
        .bind::<Text, _>(&s.titles[2])
        .bind::<Array<Text>, _>(&s.packages)
        .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        diesel::sql_query(
            "INSERT INTO file_transfer_settings (service_id, senders, recipients, max_file_size, time_to_live, \
                                                 purge_after_all_confirmed, purge_grace, manifest_expected) \
             VALUES ($1, $2, $3, $4, make_interval(days => $5), $6, make_interval(hours => $7), $8) \
             ON CONFLICT (service_id) DO UPDATE SET senders = EXCLUDED.senders, recipients = EXCLUDED.recipients, \
                 max_file_size = EXCLUDED.max_file_size, time_to_live = EXCLUDED.time_to_live, \
                 purge_after_all_confirmed = EXCLUDED.purge_after_all_confirmed, \
                 purge_grace = EXCLUDED.purge_grace, manifest_expected = EXCLUDED.manifest_expected, \
                 updated_at = now()",
        )
        .bind::<Text, _>(&s.id)
        .bind::<Text, _>(&s.senders)
        .bind::<Text, _>(&s.recipients)
        .bind::<BigInt, _>(s.max_megabytes * 1024 * 1024)
        .bind::<diesel::sql_types::Integer, _>(i32::try_from(s.time_to_live_days).unwrap_or(1))
        .bind::<Bool, _>(s.purge_after_all_confirmed)
        .bind::<diesel::sql_types::Integer, _>(i32::try_from(s.grace_hours).unwrap_or(0))
        .bind::<Bool, _>(s.manifest_expected)
        .execute(conn)?;
        Ok(true)
    })
}

/// An access package the form offers.
#[derive(QueryableByName, Debug, Clone)]
pub struct PackageOption {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub name: String,
}

/// The packages a file-transfer service may name (confidential ones are for mail).
pub fn package_options(conn: &mut PgConnection, lang: Language) -> QueryResult<Vec<PackageOption>> {
    let l = lang.code();
    diesel::sql_query(format!(
        "SELECT id, name_{l} AS name FROM access_packages WHERE NOT is_confidential ORDER BY sort_order, id"
    ))
    .load(conn)
}

/// Transfers addressed to a party, for its administrators' access page.
#[derive(QueryableByName, Debug, Clone)]
pub struct Received {
    #[diesel(sql_type = Text)]
    pub file_name: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = Text)]
    pub sender: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub transfer_status: String,
    #[diesel(sql_type = Text)]
    pub status: String,
}

/// The newest transfers addressed to `party` (or its sub-units).
pub fn received(
    conn: &mut PgConnection,
    party: i64,
    lang: Language,
    limit: i64,
) -> QueryResult<Vec<Received>> {
    let l = lang.code();
    diesel::sql_query(format!(
        "SELECT t.file_name, s.title_{l} AS service, p.name AS sender, t.created_at, \
                t.status AS transfer_status, r.status \
         FROM file_transfer_recipients r JOIN file_transfers t ON t.id = r.transfer_id \
         JOIN services s ON s.id = t.service_id JOIN parties p ON p.id = t.sender_id \
         WHERE r.recipient_id IN (SELECT id FROM party_scope($1)) \
         ORDER BY t.created_at DESC LIMIT $2"
    ))
    .bind::<BigInt, _>(party)
    .bind::<BigInt, _>(limit)
    .load(conn)
}
