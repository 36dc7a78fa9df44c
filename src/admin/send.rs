//! Sending: the preflight (who each recipient is, whether they are reserved, how many persons can
//! read the message, which addresses a notice would go to) and the send itself, which writes the
//! send, one message per recipient, their status events and the notification outbox in one
//! transaction, and returns the first result again for a repeated idempotency key. The admin
//! pages use it now; the API will too.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::db::Prepared;
use crate::db::schema::{correspondence_events, correspondences, sendings};
use crate::domain::Language;

/// How recipients are notified (domain.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationChannel {
    Email,
    Sms,
    EmailPreferred,
    SmsPreferred,
    EmailAndSms,
}

impl NotificationChannel {
    pub const ALL: [NotificationChannel; 5] = [
        NotificationChannel::Email,
        NotificationChannel::Sms,
        NotificationChannel::EmailPreferred,
        NotificationChannel::SmsPreferred,
        NotificationChannel::EmailAndSms,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NotificationChannel::Email => "Email",
            NotificationChannel::Sms => "Sms",
            NotificationChannel::EmailPreferred => "EmailPreferred",
            NotificationChannel::SmsPreferred => "SmsPreferred",
            NotificationChannel::EmailAndSms => "EmailAndSms",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// What a sender asks for, validated.
#[derive(Debug, Clone)]
pub struct Draft {
    pub service_id: String,
    pub sender_id: i64,
    pub created_by: Option<i64>,
    /// `form`, `api` or `csv`.
    pub channel: &'static str,
    pub idempotency_key: Option<String>,
    pub senders_reference: String,
    pub display_sender: Option<String>,
    pub language: Language,
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
    pub publish_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub confirmation_needed: bool,
    /// (url, text)
    pub reply_links: Vec<(String, String)>,
    /// (type, value)
    pub external_references: Vec<(String, String)>,
    pub notification: Option<NotificationChannel>,
    pub send_reminder: bool,
    pub sms_any_time: bool,
    /// When set, reserved persons get the message anyway; the reason is kept with the send.
    pub ignore_reservation_reason: Option<String>,
    /// Custom notice texts (subject, body, sms) for the first notice and the reminder.
    pub initial_texts: Option<(String, String, String)>,
    pub reminder_texts: Option<(String, String, String)>,
}

/// What the preflight knows of one recipient.
#[derive(QueryableByName, Debug, Clone)]
pub struct Preflight {
    #[diesel(sql_type = BigInt)]
    pub party_id: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub org_number: Option<String>,
    #[diesel(sql_type = Bool)]
    pub is_deleted: bool,
    #[diesel(sql_type = Bool)]
    pub is_reserved: bool,
    /// Persons who can read the service's mail for the recipient.
    #[diesel(sql_type = BigInt)]
    pub readers: i64,
    #[diesel(sql_type = BigInt)]
    pub emails: i64,
    #[diesel(sql_type = BigInt)]
    pub phones: i64,
}

impl Preflight {
    /// The outcome as the summary counts it.
    pub fn outcome(&self, ignore_reservation: bool) -> Outcome {
        if self.is_deleted {
            Outcome::Deleted
        } else if self.is_reserved && !ignore_reservation {
            Outcome::Reserved
        } else if self.readers == 0 {
            Outcome::NobodyCanRead
        } else {
            Outcome::Ready
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ready,
    Reserved,
    NobodyCanRead,
    Deleted,
}

/// Parties by their national id or organisation number, in the order asked; `None` for a
/// number no party has.
pub fn find_parties(conn: &mut PgConnection, numbers: &[String]) -> QueryResult<Vec<Option<i64>>> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = Nullable<BigInt>)]
        id: Option<i64>,
    }
    let rows: Vec<Found> = Prepared(
        diesel::sql_query(
            "SELECT p.id FROM unnest($1::text[]) WITH ORDINALITY n(number, i) \
             LEFT JOIN parties p ON p.national_id = n.number OR p.org_number = n.number ORDER BY n.i",
        )
        .bind::<Array<Text>, _>(numbers),
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Contact data older than this counts as missing (the contact register's rule).
const STALE: &str = "interval '18 months'";

/// The preflight of each recipient for the service, in the order given.
pub fn preflight(
    conn: &mut PgConnection,
    service: &str,
    parties: &[i64],
) -> QueryResult<Vec<Preflight>> {
    Prepared(
        diesel::sql_query(format!(
            "SELECT p.id AS party_id, p.kind, p.name, p.org_number, p.is_deleted, \
                    coalesce(cp.is_reserved, false) AS is_reserved, \
                    (SELECT count(*) FROM service_readers(p.id, $2)) AS readers, \
                    CASE WHEN p.kind = 'person' THEN \
                        (cp.email IS NOT NULL AND cp.confirmed_at > now() - {STALE})::int::bigint \
                    ELSE (SELECT count(*) FROM org_notification_addresses a WHERE a.org_id = p.id AND a.channel = 'email') END AS emails, \
                    CASE WHEN p.kind = 'person' THEN \
                        (cp.mobile IS NOT NULL AND cp.confirmed_at > now() - {STALE})::int::bigint \
                    ELSE (SELECT count(*) FROM org_notification_addresses a WHERE a.org_id = p.id AND a.channel = 'sms') END AS phones \
             FROM unnest($1::bigint[]) WITH ORDINALITY r(id, i) JOIN parties p ON p.id = r.id \
             LEFT JOIN contact_points cp ON cp.person_id = p.id ORDER BY r.i"
        ))
        .bind::<Array<BigInt>, _>(parties)
        .bind::<Text, _>(service),
    )
    .load(conn)
}

/// The result of a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub sending_id: Uuid,
    /// False when the idempotency key had been used: nothing new was written.
    pub created: bool,
}

/// The sender's name as shown to recipients.
fn sender_name(conn: &mut PgConnection, sender: i64) -> QueryResult<String> {
    crate::db::schema::parties::table
        .find(sender)
        .select(crate::db::schema::parties::name)
        .first(conn)
}

/// Sends `draft` to `recipients` (party ids, checked by the preflight): all or nothing.
pub fn send(conn: &mut PgConnection, draft: &Draft, recipients: &[i64]) -> QueryResult<Sent> {
    conn.transaction(|conn| {
        if let Some(key) = &draft.idempotency_key {
            // Serialise concurrent sends with the same key: the second waits and finds the first.
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))")
                .bind::<Text, _>(key)
                .bind::<BigInt, _>(draft.sender_id)
                .execute(conn)?;
            let existing: Option<Uuid> = sendings::table
                .filter(sendings::sender_id.eq(draft.sender_id))
                .filter(sendings::idempotency_key.eq(key))
                .select(sendings::id)
                .first(conn)
                .optional()?;
            if let Some(id) = existing {
                return Ok(Sent {
                    sending_id: id,
                    created: false,
                });
            }
        }
        let sending_id = Uuid::now_v7();
        let (initial, reminder) = (&draft.initial_texts, &draft.reminder_texts);
        diesel::insert_into(sendings::table)
            .values((
                sendings::id.eq(sending_id),
                sendings::service_id.eq(&draft.service_id),
                sendings::sender_id.eq(draft.sender_id),
                sendings::created_by.eq(draft.created_by),
                sendings::channel.eq(draft.channel),
                sendings::idempotency_key.eq(&draft.idempotency_key),
                sendings::recipient_count.eq(recipients.len() as i32),
                sendings::notification_channel.eq(draft.notification.map(|c| c.name())),
                sendings::email_subject.eq(initial.as_ref().map(|t| &t.0)),
                sendings::email_body.eq(initial.as_ref().map(|t| &t.1)),
                sendings::sms_text.eq(initial.as_ref().map(|t| &t.2)),
                sendings::reminder_email_subject.eq(reminder.as_ref().map(|t| &t.0)),
                sendings::reminder_email_body.eq(reminder.as_ref().map(|t| &t.1)),
                sendings::reminder_sms_text.eq(reminder.as_ref().map(|t| &t.2)),
                sendings::send_reminder.eq(draft.send_reminder),
                sendings::sms_any_time.eq(draft.sms_any_time),
                sendings::ignore_reservation.eq(draft.ignore_reservation_reason.is_some()),
                sendings::ignore_reservation_reason.eq(&draft.ignore_reservation_reason),
            ))
            .execute(conn)?;
        insert_messages(conn, draft, sending_id, recipients)?;
        enqueue_notifications(conn, draft, sending_id)?;
        Ok(Sent {
            sending_id,
            created: true,
        })
    })
}

/// Rows per multi-row INSERT (PostgreSQL allows 65,535 bind parameters per statement).
const BATCH: usize = 1_000;

fn insert_messages(
    conn: &mut PgConnection,
    draft: &Draft,
    sending_id: Uuid,
    recipients: &[i64],
) -> QueryResult<()> {
    let sender_name = sender_name(conn, draft.sender_id)?;
    let now = Utc::now();
    let publish_at = draft.publish_at.unwrap_or(now).max(now);
    let published = publish_at <= now;
    let confidential: bool = crate::db::schema::services::table
        .find(&draft.service_id)
        .select(crate::db::schema::services::is_confidential)
        .first(conn)?;
    let reply_links = serde_json::Value::Array(
        draft
            .reply_links
            .iter()
            .map(|(url, text)| serde_json::json!({ "url": url, "text": text }))
            .collect(),
    );
    let references = serde_json::Value::Array(
        draft
            .external_references
            .iter()
            .map(|(kind, value)| serde_json::json!({ "type": kind, "value": value }))
            .collect(),
    );
    // Names for {{recipientName}}, and who is reserved or deleted.
    #[derive(QueryableByName)]
    struct Recipient {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Bool)]
        reserved: bool,
        #[diesel(sql_type = Bool)]
        deleted: bool,
    }
    for chunk in recipients.chunks(BATCH) {
        let found: Vec<Recipient> = diesel::sql_query(
            "SELECT p.id, p.name, coalesce(cp.is_reserved, false) AS reserved, p.is_deleted AS deleted \
             FROM unnest($1::bigint[]) WITH ORDINALITY r(id, i) JOIN parties p ON p.id = r.id \
             LEFT JOIN contact_points cp ON cp.person_id = p.id ORDER BY r.i",
        )
        .bind::<Array<BigInt>, _>(chunk)
        .load(conn)?;
        let mut rows = Vec::with_capacity(found.len());
        let mut events = Vec::with_capacity(found.len() * 3);
        for r in &found {
            let id = Uuid::now_v7();
            let personal = |text: &str| text.replace("{{recipientName}}", &r.name);
            let (status, failure) = if r.deleted {
                (
                    "Failed",
                    Some("The recipient is deleted from the business register"),
                )
            } else if r.reserved && draft.ignore_reservation_reason.is_none() {
                ("Reserved", None)
            } else if published {
                ("Published", None)
            } else {
                ("ReadyForPublish", None)
            };
            rows.push((
                correspondences::id.eq(id),
                correspondences::sending_id.eq(sending_id),
                correspondences::service_id.eq(&draft.service_id),
                correspondences::sender_id.eq(draft.sender_id),
                correspondences::sender_name.eq(sender_name.clone()),
                correspondences::display_sender.eq(draft.display_sender.clone()),
                correspondences::senders_reference.eq(&draft.senders_reference),
                correspondences::recipient_id.eq(r.id),
                correspondences::language.eq(draft.language.code()),
                correspondences::title.eq(personal(&draft.title)),
                correspondences::summary.eq(draft.summary.as_deref().map(personal)),
                correspondences::body.eq(personal(&draft.body)),
                (
                    correspondences::published_at.eq(publish_at),
                    correspondences::due_at.eq(draft.due_at),
                    correspondences::confirmation_needed.eq(draft.confirmation_needed),
                    correspondences::is_confidential.eq(confidential),
                    correspondences::reply_links.eq(reply_links.clone()),
                    correspondences::external_references.eq(references.clone()),
                    correspondences::status.eq(status),
                    correspondences::failure_reason.eq(failure),
                ),
            ));
            let mut history = vec!["Initialized"];
            if status != "Failed" && status != "Reserved" {
                history.push("ReadyForPublish");
            }
            if status != "ReadyForPublish" {
                history.push(status);
            }
            for s in history {
                events.push((
                    correspondence_events::correspondence_id.eq(id),
                    correspondence_events::status.eq(s),
                    correspondence_events::actor_person_id.eq(draft.created_by),
                    correspondence_events::actor_party_id.eq(draft.sender_id),
                    correspondence_events::occurred_at.eq(if s == "Published" {
                        publish_at
                    } else {
                        now
                    }),
                ));
            }
        }
        diesel::insert_into(correspondences::table)
            .values(&rows)
            .execute(conn)?;
        diesel::insert_into(correspondence_events::table)
            .values(&events)
            .execute(conn)?;
    }
    Ok(())
}

/// The outbox rows of a send: for each delivered message the addresses its channel choice picks
/// (persons: their contact data unless stale or reserved; organisations: the official addresses
/// and the e-mail of each person who can read the service for them), duplicates once; the first
/// notice at publish time and, when wanted, a reminder after the service's delay.
fn enqueue_notifications(
    conn: &mut PgConnection,
    draft: &Draft,
    sending_id: Uuid,
) -> QueryResult<usize> {
    let channel = draft.notification.unwrap_or(NotificationChannel::Email);
    Prepared(
        diesel::sql_query(format!(
            "WITH msgs AS ( \
                 SELECT c.id, c.recipient_id, c.published_at, p.kind, s.reminder_delay \
                 FROM correspondences c JOIN parties p ON p.id = c.recipient_id JOIN services s ON s.id = c.service_id \
                 WHERE c.sending_id = $1 AND c.status IN ('Published', 'ReadyForPublish') \
             ), addrs AS ( \
                 SELECT m.id, 'email' AS channel, cp.email AS address, cp.person_id FROM msgs m \
                 JOIN contact_points cp ON cp.person_id = m.recipient_id \
                 WHERE m.kind = 'person' AND cp.email IS NOT NULL AND cp.confirmed_at > now() - {STALE} \
                 UNION ALL \
                 SELECT m.id, 'sms', cp.mobile, cp.person_id FROM msgs m \
                 JOIN contact_points cp ON cp.person_id = m.recipient_id \
                 WHERE m.kind = 'person' AND cp.mobile IS NOT NULL AND cp.confirmed_at > now() - {STALE} \
                 UNION ALL \
                 SELECT m.id, a.channel, a.address, NULL FROM msgs m \
                 JOIN org_notification_addresses a ON a.org_id = m.recipient_id WHERE m.kind = 'organization' \
                 UNION ALL \
                 SELECT m.id, 'email', cp.email, cp.person_id FROM msgs m \
                 CROSS JOIN LATERAL service_readers(m.recipient_id, $2) r \
                 JOIN contact_points cp ON cp.person_id = r.person_id \
                 WHERE m.kind = 'organization' AND cp.email IS NOT NULL AND NOT cp.is_reserved \
                   AND cp.confirmed_at > now() - {STALE} \
             ), chosen AS ( \
                 SELECT a.* FROM addrs a WHERE CASE $3 \
                     WHEN 'Email' THEN a.channel = 'email' \
                     WHEN 'Sms' THEN a.channel = 'sms' \
                     WHEN 'EmailPreferred' THEN a.channel = 'email' \
                         OR NOT EXISTS (SELECT 1 FROM addrs b WHERE b.id = a.id AND b.channel = 'email') \
                     WHEN 'SmsPreferred' THEN a.channel = 'sms' \
                         OR NOT EXISTS (SELECT 1 FROM addrs b WHERE b.id = a.id AND b.channel = 'sms') \
                     ELSE true END \
             ) \
             INSERT INTO notifications (correspondence_id, kind, channel, address, person_id, run_at, expires_at) \
             SELECT c.id, k.kind, c.channel, c.address, c.person_id, \
                    CASE k.kind WHEN 'initial' THEN m.published_at ELSE m.published_at + m.reminder_delay END, \
                    CASE k.kind WHEN 'initial' THEN m.published_at ELSE m.published_at + m.reminder_delay END + interval '48 hours' \
             FROM chosen c JOIN msgs m ON m.id = c.id \
             CROSS JOIN (VALUES ('initial'), ('reminder')) k (kind) \
             WHERE k.kind = 'initial' OR $4 \
             ON CONFLICT (correspondence_id, kind, channel, address) DO NOTHING"
        ))
        .bind::<SqlUuid, _>(sending_id)
        .bind::<Text, _>(&draft.service_id)
        .bind::<Text, _>(channel.name())
        .bind::<Bool, _>(draft.send_reminder),
    )
    .execute(conn)
}
