//! Formidling: machine-to-machine file transfer (Altinn 3 Broker). A sender organisation's
//! system initializes a transfer of one file to one or more recipient organisations with a
//! file-transfer service, uploads the file (streamed, or resumable), and the recipients' systems
//! download it and confirm. The file is published only when its upload is complete and its
//! checksum matches; it is purged when every recipient has confirmed and the service's grace
//! period has passed, or when its time to live ends (recorded as never confirmed). Every step is
//! an event in `file_transfer_events`.
//!
//! Who may do what is the system side of the one access decision: a client organisation acts
//! for the sender or a recipient when that party's service is in
//! `system_readable_service_ids(client, party)` (its own, or delegated on the access page),
//! and the service says which organisations may send and receive at all.

pub mod admin;
pub mod lifecycle;
pub mod read;
pub mod upload;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::domain::{OrgNumber, PartyRef, TestIds};

/// Properties per transfer, and the longest key and value (Altinn's limits).
pub const MAX_PROPERTIES: usize = 10;
const MAX_PROPERTY_KEY: usize = 50;
const MAX_PROPERTY_VALUE: usize = 300;
/// Recipients one transfer may name.
pub const MAX_RECIPIENTS: usize = 500;

/// The transfer's statuses, in Altinn's order (a client may send the number).
pub const STATUSES: [&str; 8] = [
    "Initialized",
    "UploadStarted",
    "UploadProcessing",
    "Published",
    "Cancelled",
    "AllConfirmedDownloaded",
    "Purged",
    "Failed",
];
/// A recipient's statuses, in Altinn's order.
pub const RECIPIENT_STATUSES: [&str; 3] = ["Initialized", "DownloadStarted", "DownloadConfirmed"];

/// The text Altinn gives with each transfer status.
pub fn status_text(status: &str, detail: Option<&str>) -> String {
    let text = match status {
        "Initialized" => "Ready for upload",
        "UploadStarted" => "Upload started",
        "UploadProcessing" => "Processing upload",
        "Published" => "Ready for download",
        "Cancelled" => "File cancelled",
        "AllConfirmedDownloaded" => "All downloaded",
        "Purged" => "File has been purged",
        "Failed" => "Upload failed",
        other => other,
    };
    match detail {
        Some(d) if !d.is_empty() => format!("{text}: {d}"),
        _ => text.to_owned(),
    }
}

/// The text Altinn gives with each recipient status.
pub fn recipient_status_text(status: &str) -> &str {
    match status {
        "DownloadStarted" => "Recipient has attempted to download file",
        "DownloadConfirmed" => "Recipient has downloaded file",
        other => other,
    }
}

/// A system acting through the API: its organisation's party and how it is named in histories.
#[derive(Debug, Clone)]
pub struct Client {
    pub org: i64,
    /// `0192:<org number>`.
    pub name: String,
}

/// What a sender asks for.
#[derive(Debug, Clone, Default)]
pub struct NewTransfer {
    pub service_id: String,
    /// The sending organisation as given (`0192:<org number>`).
    pub sender: String,
    pub file_name: String,
    pub senders_reference: Option<String>,
    pub recipients: Vec<String>,
    pub properties: BTreeMap<String, String>,
    /// MD5 of the file, hex.
    pub checksum: Option<String>,
}

/// Why a request was refused; each maps to Altinn's answer in the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a file-transfer service (or not an active one).
    Resource,
    /// The client may not act for the party with this service (Altinn's 401).
    NoAccess,
    /// The service does not let this organisation send.
    SenderNotAllowed,
    /// Fields that are wrong, by name.
    Invalid(BTreeMap<String, String>),
    /// Recipients that are not organisations in the register, or may not receive.
    Recipients(Vec<String>),
    /// Does not exist for this client.
    NotFound,
    /// Uploaded (or being uploaded) already.
    AlreadyUploaded,
    /// The file is larger than the service allows.
    TooLarge,
    /// The bytes do not match the checksum given at initialize.
    ChecksumMismatch,
    /// Nothing uploaded yet / not published (download).
    NotAvailable,
    /// Confirm before download.
    NotDownloaded,
    /// Confirm on a transfer that is not published.
    NotPublished,
    /// A resumable upload's offset is not where the upload is.
    Offset { expected: i64 },
    /// The stored file could not be read or written.
    Storage(String),
}

fn invalid(field: &str, message: &str) -> Refusal {
    Refusal::Invalid(BTreeMap::from([(field.to_owned(), message.to_owned())]))
}

/// The service's file-transfer settings.
#[derive(QueryableByName, Debug, Clone)]
pub struct Settings {
    #[diesel(sql_type = Text)]
    pub service_id: String,
    #[diesel(sql_type = BigInt)]
    pub owner_id: i64,
    #[diesel(sql_type = Text)]
    pub senders: String,
    #[diesel(sql_type = Text)]
    pub recipients: String,
    #[diesel(sql_type = BigInt)]
    pub max_file_size: i64,
    /// Seconds.
    #[diesel(sql_type = BigInt)]
    pub time_to_live: i64,
    #[diesel(sql_type = Bool)]
    pub purge_after_all_confirmed: bool,
    /// Seconds.
    #[diesel(sql_type = BigInt)]
    pub purge_grace: i64,
    #[diesel(sql_type = Bool)]
    pub manifest_expected: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub external_service_code: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Int4>)]
    pub external_service_edition: Option<i32>,
}

/// The settings of the active file-transfer service `id`.
pub fn settings(conn: &mut PgConnection, id: &str) -> QueryResult<Option<Settings>> {
    diesel::sql_query(
        "SELECT s.id AS service_id, s.owner_id, f.senders, f.recipients, f.max_file_size, \
                extract(epoch FROM f.time_to_live)::bigint AS time_to_live, f.purge_after_all_confirmed, \
                extract(epoch FROM f.purge_grace)::bigint AS purge_grace, f.manifest_expected, \
                f.external_service_code, f.external_service_edition \
         FROM services s JOIN file_transfer_settings f ON f.service_id = s.id \
         WHERE s.id = $1 AND s.kind = 'file_transfer' AND s.is_active",
    )
    .bind::<Text, _>(id)
    .get_result(conn)
    .optional()
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    ok: bool,
}

/// May the client's systems act for `party` with `service` (its own, or delegated)?
pub fn acts_for(
    conn: &mut PgConnection,
    client: &Client,
    party: i64,
    service: &str,
) -> QueryResult<bool> {
    diesel::sql_query(
        "SELECT $3 IN (SELECT service_id FROM system_readable_service_ids($1, $2)) AS ok",
    )
    .bind::<BigInt, _>(client.org)
    .bind::<BigInt, _>(party)
    .bind::<Text, _>(service)
    .get_result::<Flag>(conn)
    .map(|f| f.ok)
}

/// Is `party` the owner or one of its sub-units?
fn within(conn: &mut PgConnection, party: i64, owner: i64) -> QueryResult<bool> {
    diesel::sql_query("SELECT $1 IN (SELECT id FROM party_scope($2)) AS ok")
        .bind::<BigInt, _>(party)
        .bind::<BigInt, _>(owner)
        .get_result::<Flag>(conn)
        .map(|f| f.ok)
}

/// The organisation party a reference names (`0192:<number>`, a URN, a bare number).
fn organisation(conn: &mut PgConnection, reference: &str) -> QueryResult<Option<i64>> {
    match PartyRef::parse(reference, TestIds::Refused) {
        Ok(PartyRef::Organization(number)) => find_org(conn, &number),
        _ => Ok(None),
    }
}

fn find_org(conn: &mut PgConnection, number: &OrgNumber) -> QueryResult<Option<i64>> {
    use crate::db::schema::parties;
    parties::table
        .filter(parties::org_number.eq(number.as_str()))
        .filter(parties::is_deleted.eq(false))
        .select(parties::id)
        .first(conn)
        .optional()
}

/// A file name as Altinn takes it: 1 to 255 characters, no folders, no control characters.
fn file_name_ok(name: &str) -> bool {
    let n = name.chars().count();
    (1..=255).contains(&n)
        && !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        && name.trim() == name
        && name != "."
        && name != ".."
}

/// An MD5 checksum: 32 hex digits (compared in lower case).
pub fn normal_md5(checksum: &str) -> Option<String> {
    let c = checksum.trim();
    (c.len() == 32 && c.bytes().all(|b| b.is_ascii_hexdigit())).then(|| c.to_ascii_lowercase())
}

/// Initializes a transfer for `client`: checked, recorded with its recipients and its first
/// event. The transfer's id, or why not.
pub fn initialize(
    conn: &mut PgConnection,
    client: &Client,
    request: &NewTransfer,
) -> QueryResult<Result<Uuid, Refusal>> {
    let Some(settings) = settings(conn, request.service_id.trim())? else {
        return Ok(Err(Refusal::Resource));
    };
    let mut problems = BTreeMap::new();
    if !file_name_ok(&request.file_name) {
        problems.insert(
            "fileName".to_owned(),
            "must be 1 to 255 characters without folders or control characters".to_owned(),
        );
    }
    if let Some(reference) = &request.senders_reference
        && (reference.is_empty() || reference.chars().count() > 4096 || reference.contains('\0'))
    {
        problems.insert(
            "sendersFileTransferReference".to_owned(),
            "must be 1 to 4096 characters".to_owned(),
        );
    }
    let checksum = match &request.checksum {
        Some(c) if !c.trim().is_empty() => match normal_md5(c) {
            Some(c) => Some(c),
            None => {
                problems.insert(
                    "checksum".to_owned(),
                    "must be an MD5 checksum (32 hexadecimal digits)".to_owned(),
                );
                None
            }
        },
        _ => None,
    };
    if request.properties.len() > MAX_PROPERTIES
        || request.properties.iter().any(|(k, v)| {
            k.is_empty()
                || k.chars().count() > MAX_PROPERTY_KEY
                || v.chars().count() > MAX_PROPERTY_VALUE
                || k.contains('\0')
                || v.contains('\0')
        })
    {
        problems.insert(
            "propertyList".to_owned(),
            format!(
                "at most {MAX_PROPERTIES} properties, names of 1 to {MAX_PROPERTY_KEY} and values of at most {MAX_PROPERTY_VALUE} characters"
            ),
        );
    }
    if request.recipients.is_empty() || request.recipients.len() > MAX_RECIPIENTS {
        problems.insert(
            "recipients".to_owned(),
            format!("name 1 to {MAX_RECIPIENTS} recipient organisations"),
        );
    }
    let sender = if request.sender.trim().starts_with("0192:") {
        organisation(conn, &request.sender)?
    } else {
        None
    };
    let Some(sender) = sender else {
        problems.insert(
            "sender".to_owned(),
            "must be an organisation in the register, as 0192:<organisation number>".to_owned(),
        );
        return Ok(Err(Refusal::Invalid(problems)));
    };
    if !problems.is_empty() {
        return Ok(Err(Refusal::Invalid(problems)));
    }
    if !acts_for(conn, client, sender, &settings.service_id)? {
        return Ok(Err(Refusal::NoAccess));
    }
    if settings.senders == "owner" && !within(conn, sender, settings.owner_id)? {
        return Ok(Err(Refusal::SenderNotAllowed));
    }
    let mut recipients = Vec::new();
    let mut unknown = Vec::new();
    for r in &request.recipients {
        match organisation(conn, r)? {
            Some(id) if settings.recipients == "any" || within(conn, id, settings.owner_id)? => {
                if !recipients.contains(&id) {
                    recipients.push(id);
                }
            }
            _ => unknown.push(r.clone()),
        }
    }
    if !unknown.is_empty() {
        return Ok(Err(Refusal::Recipients(unknown)));
    }
    let id = Uuid::now_v7();
    let properties = serde_json::to_value(&request.properties).unwrap_or_default();
    conn.transaction(|conn| {
        diesel::sql_query(
            "INSERT INTO file_transfers (id, service_id, sender_id, initiated_by, file_name, senders_reference, \
                                         properties, checksum, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(&settings.service_id)
        .bind::<BigInt, _>(sender)
        .bind::<Text, _>(&client.name)
        .bind::<Text, _>(&request.file_name)
        .bind::<Nullable<Text>, _>(&request.senders_reference)
        .bind::<diesel::sql_types::Jsonb, _>(&properties)
        .bind::<Nullable<Text>, _>(&checksum)
        .bind::<diesel::sql_types::Double, _>(settings.time_to_live as f64)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO file_transfer_recipients (transfer_id, recipient_id) SELECT $1, unnest($2::bigint[])",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<diesel::sql_types::Array<BigInt>, _>(&recipients)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO file_transfer_events (transfer_id, recipient_id, status, event_type, actor) \
             SELECT $1, NULL, 'Initialized', 'fileTransferInitialized', $2 \
             UNION ALL SELECT $1, r, 'Initialized', NULL, $2 FROM unnest($3::bigint[]) r",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(&client.name)
        .bind::<diesel::sql_types::Array<BigInt>, _>(&recipients)
        .execute(conn)?;
        Ok(Ok(id))
    })
}

/// Records a change of the transfer's status with its event (in the caller's transaction).
pub(crate) fn record_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    event_type: Option<&str>,
    actor: &str,
    detail: Option<&str>,
) -> QueryResult<()> {
    diesel::sql_query(
        "WITH changed AS ( \
             UPDATE file_transfers SET status = $2, status_changed_at = now(), \
                    status_detail = coalesce($5, status_detail) \
             WHERE id = $1 RETURNING id) \
         INSERT INTO file_transfer_events (transfer_id, status, event_type, actor, detail) \
         SELECT id, $2, $3, $4, $5 FROM changed",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status)
    .bind::<Nullable<Text>, _>(event_type)
    .bind::<Text, _>(actor)
    .bind::<Nullable<Text>, _>(detail)
    .execute(conn)
    .map(|_| ())
}

/// The transfer as its sender's system may see it: `Some(sender side)` when the client acts
/// for the sender, `Some(recipients it acts for)` on the recipient side, `None` otherwise.
#[derive(Debug, Clone)]
pub enum Side {
    Sender,
    /// The recipients (party ids) the client acts for.
    Recipient(Vec<i64>),
}

/// The core facts of a transfer, for access and state checks.
#[derive(QueryableByName, Debug, Clone)]
pub struct Facts {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub service_id: String,
    #[diesel(sql_type = BigInt)]
    pub sender_id: i64,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub size_bytes: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub upload_offset: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub checksum: Option<String>,
    #[diesel(sql_type = Text)]
    pub file_name: String,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
}

pub fn facts(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Facts>> {
    diesel::sql_query(
        "SELECT id, service_id, sender_id, status, size_bytes, upload_offset, checksum, file_name, expires_at \
         FROM file_transfers WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .optional()
}

/// Which side the client is on for the transfer, if any: the sender's first (when `sender`
/// is allowed), then the recipients'.
pub fn side(
    conn: &mut PgConnection,
    client: &Client,
    facts: &Facts,
    sender: bool,
    recipient: bool,
) -> QueryResult<Option<Side>> {
    if sender && acts_for(conn, client, facts.sender_id, &facts.service_id)? {
        return Ok(Some(Side::Sender));
    }
    if recipient {
        #[derive(QueryableByName)]
        struct Party {
            #[diesel(sql_type = BigInt)]
            recipient_id: i64,
        }
        let parties: Vec<Party> = diesel::sql_query(
            "SELECT r.recipient_id FROM file_transfer_recipients r \
             WHERE r.transfer_id = $1 \
               AND $3 IN (SELECT service_id FROM system_readable_service_ids($2, r.recipient_id)) \
             ORDER BY r.recipient_id",
        )
        .bind::<SqlUuid, _>(facts.id)
        .bind::<BigInt, _>(client.org)
        .bind::<Text, _>(&facts.service_id)
        .load(conn)?;
        if !parties.is_empty() {
            return Ok(Some(Side::Recipient(
                parties.into_iter().map(|p| p.recipient_id).collect(),
            )));
        }
    }
    Ok(None)
}

/// Creates or updates the file-transfer settings of `service` for its owner (Altinn's
/// `PUT /resource/{id}`); a service id not yet taken becomes a file-transfer service of the
/// owner. Answers false when the id is another owner's service or a mail service.
pub fn configure(
    conn: &mut PgConnection,
    owner: i64,
    service: &str,
    update: &SettingsUpdate,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        #[derive(QueryableByName)]
        struct Existing {
            #[diesel(sql_type = BigInt)]
            owner_id: i64,
            #[diesel(sql_type = Text)]
            kind: String,
        }
        let existing: Option<Existing> =
            diesel::sql_query("SELECT owner_id, kind FROM services WHERE id = $1 FOR UPDATE")
                .bind::<Text, _>(service)
                .get_result(conn)
                .optional()?;
        match existing {
            Some(e) if e.owner_id != owner || e.kind != "file_transfer" => return Ok(false),
            Some(_) => {}
            None => {
                diesel::sql_query(
                    "INSERT INTO services (id, owner_id, title_nb, title_nn, title_en, kind) \
                     VALUES ($1, $2, $1, $1, $1, 'file_transfer')",
                )
                .bind::<Text, _>(service)
                .bind::<BigInt, _>(owner)
                .execute(conn)?;
            }
        }
        diesel::sql_query(
            "INSERT INTO file_transfer_settings AS f (service_id) VALUES ($1) ON CONFLICT (service_id) DO NOTHING",
        )
        .bind::<Text, _>(service)
        .execute(conn)?;
        diesel::sql_query(
            "UPDATE file_transfer_settings SET \
                max_file_size = coalesce($2, max_file_size), \
                time_to_live = coalesce(make_interval(secs => $3), time_to_live), \
                purge_after_all_confirmed = coalesce($4, purge_after_all_confirmed), \
                purge_grace = coalesce(make_interval(secs => $5), purge_grace), \
                manifest_expected = coalesce($6, manifest_expected), \
                external_service_code = coalesce($7, external_service_code), \
                external_service_edition = coalesce($8, external_service_edition), \
                senders = coalesce($9, senders), recipients = coalesce($10, recipients), \
                updated_at = now() \
             WHERE service_id = $1",
        )
        .bind::<Text, _>(service)
        .bind::<Nullable<BigInt>, _>(update.max_file_size)
        .bind::<Nullable<diesel::sql_types::Double>, _>(update.time_to_live.map(|s| s as f64))
        .bind::<Nullable<Bool>, _>(update.purge_after_all_confirmed)
        .bind::<Nullable<diesel::sql_types::Double>, _>(update.purge_grace.map(|s| s as f64))
        .bind::<Nullable<Bool>, _>(update.manifest_expected)
        .bind::<Nullable<Text>, _>(&update.external_service_code)
        .bind::<Nullable<diesel::sql_types::Int4>, _>(update.external_service_edition)
        .bind::<Nullable<Text>, _>(update.senders.as_deref())
        .bind::<Nullable<Text>, _>(update.recipients.as_deref())
        .execute(conn)?;
        Ok(true)
    })
}

/// Settings to change (`None`: keep).
#[derive(Debug, Clone, Default)]
pub struct SettingsUpdate {
    pub max_file_size: Option<i64>,
    /// Seconds.
    pub time_to_live: Option<i64>,
    pub purge_after_all_confirmed: Option<bool>,
    /// Seconds.
    pub purge_grace: Option<i64>,
    pub manifest_expected: Option<bool>,
    pub external_service_code: Option<String>,
    pub external_service_edition: Option<i32>,
    pub senders: Option<String>,
    pub recipients: Option<String>,
}

/// The limits the settings must keep (as Altinn's resource endpoint checks them).
pub const MAX_TIME_TO_LIVE: i64 = 365 * 24 * 3600;
pub const MAX_PURGE_GRACE: i64 = 24 * 3600;
pub const MAX_FILE_SIZE: i64 = 1024 * 1024 * 1024 * 1024;

/// Reads an ISO 8601 duration (`P30D`, `PT2H`, `P1DT12H30M`, `P1W`) as seconds. Years and
/// months are not taken (their length varies).
pub fn iso_duration(text: &str) -> Option<i64> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut seconds: i64 = 0;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, i64)]| -> Option<()> {
        let mut number = String::new();
        let mut allowed = units.iter();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            // Units in order, each at most once.
            let (_, factor) = allowed.by_ref().find(|(u, _)| *u == c)?;
            let n: f64 = number.parse().ok()?;
            seconds = seconds.checked_add((n * *factor as f64).round() as i64)?;
            number.clear();
            any = true;
        }
        number.is_empty().then_some(())
    };
    take(date, &[('W', 7 * 86400), ('D', 86400)])?;
    if let Some(t) = time {
        if t.is_empty() {
            return None;
        }
        take(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(seconds)
}

/// Seconds as an ISO 8601 duration (`P30D`, `PT2H`, `P1DT1H`).
pub fn to_iso_duration(seconds: i64) -> String {
    let (days, rest) = (seconds / 86400, seconds % 86400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 || days == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_iso_8601_says_them() {
        assert_eq!(iso_duration("P30D"), Some(30 * 86400));
        assert_eq!(iso_duration("PT2H"), Some(7200));
        assert_eq!(iso_duration("P1DT12H30M"), Some(86400 + 12 * 3600 + 1800));
        assert_eq!(iso_duration("P1W"), Some(7 * 86400));
        assert_eq!(iso_duration("PT0.5H"), Some(1800));
        assert_eq!(iso_duration("P"), None);
        assert_eq!(iso_duration("PT"), None);
        assert_eq!(iso_duration("P1Y"), None);
        assert_eq!(iso_duration("30D"), None);
        assert_eq!(iso_duration("PT2H3H"), None);
        assert_eq!(iso_duration("P2"), None);
        assert_eq!(to_iso_duration(30 * 86400), "P30D");
        assert_eq!(to_iso_duration(7200), "PT2H");
        assert_eq!(to_iso_duration(86400 + 3600), "P1DT1H");
        assert_eq!(to_iso_duration(0), "PT0S");
    }

    #[test]
    fn file_names_and_checksums() {
        assert!(file_name_ok("data.xml"));
        assert!(!file_name_ok(""));
        assert!(!file_name_ok("a/b.xml"));
        assert!(!file_name_ok(" lead.xml"));
        assert!(!file_name_ok(&"x".repeat(256)));
        assert_eq!(
            normal_md5("D41D8CD98F00B204E9800998ECF8427E").as_deref(),
            Some("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert_eq!(normal_md5("xyz"), None);
    }
}
