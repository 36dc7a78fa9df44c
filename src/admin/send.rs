//! Sending: the preflight (who each recipient is, whether they are reserved, how many persons can
//! read the message, which addresses a notice would go to) and the send itself, which writes the
//! send, one message per recipient, their status events and the notification outbox in one
//! transaction, and returns the first result again for a repeated idempotency key. The admin
//! pages use it now; the API will too.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::db::Prepared;
use crate::db::schema::sendings;
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
    /// Uploaded attachments (the sender's own, checked), attached to every message.
    pub attachments: Vec<Uuid>,
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
             LEFT JOIN LATERAL ( \
                 SELECT id FROM parties WHERE national_id = n.number \
                 UNION ALL SELECT id FROM parties WHERE org_number = n.number LIMIT 1 \
             ) p ON true ORDER BY n.i",
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub sending_id: Uuid,
    /// False when the idempotency key had been used: nothing new was written.
    pub created: bool,
}

/// Sends `draft` to `recipients` (party ids, checked by the preflight): all or nothing.
pub fn send(conn: &mut PgConnection, draft: &Draft, recipients: &[i64]) -> QueryResult<Sent> {
    conn.transaction(|conn| {
        let sent = create_sending(conn, draft, recipients.len())?;
        if !sent.created {
            return Ok(sent);
        }
        let publish_at = publish_time(draft);
        for batch in recipients.chunks(BATCH) {
            let ids = insert_batch(conn, draft, sent.sending_id, publish_at, batch)?;
            enqueue_notifications(conn, draft, sent.sending_id, &ids)?;
        }
        Ok(sent)
    })
}

/// Recipients per batch: each batch is one INSERT of messages and events done by the database
/// from arrays (the common fields are bound once), and one of notifications.
pub const BATCH: usize = 10_000;

/// Writes the messages of one batch of recipients, with their status history: Initialized,
/// ReadyForPublish (unless undeliverable), then Published, Reserved or Failed as it stands.
/// `{{recipientName}}` in title, summary and body becomes each recipient's name.
fn insert_batch(
    conn: &mut PgConnection,
    draft: &Draft,
    sending_id: Uuid,
    publish_at: DateTime<Utc>,
    recipients: &[i64],
) -> QueryResult<Vec<Uuid>> {
    let ids: Vec<Uuid> = recipients.iter().map(|_| Uuid::now_v7()).collect();
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
    Prepared(
        diesel::sql_query(
            "WITH r AS ( \
                 SELECT u.id, u.party, p.name, p.is_deleted, coalesce(cp.is_reserved, false) AS reserved \
                 FROM unnest($1::uuid[], $2::bigint[]) u (id, party) JOIN parties p ON p.id = u.party \
                 LEFT JOIN contact_points cp ON cp.person_id = p.id \
             ), ins AS ( \
                 INSERT INTO correspondences (id, sending_id, service_id, sender_id, sender_name, display_sender, \
                     senders_reference, recipient_id, language, title, summary, body, published_at, due_at, \
                     confirmation_needed, is_confidential, reply_links, external_references, status, failure_reason, \
                     attachment_count) \
                 SELECT r.id, $3, s.id, $4, o.name, $5, $6, r.party, $7, \
                        replace($8, '{{recipientName}}', r.name), replace($9, '{{recipientName}}', r.name), \
                        replace($10, '{{recipientName}}', r.name), $11, $12, $13, s.is_confidential, $14, $15, \
                        CASE WHEN r.is_deleted THEN 'Failed' WHEN r.reserved AND NOT $16 THEN 'Reserved' \
                             WHEN $19 THEN 'Published' ELSE 'ReadyForPublish' END, \
                        CASE WHEN r.is_deleted THEN 'The recipient is deleted from the business register' END, \
                        cardinality($20::uuid[]) \
                 FROM r CROSS JOIN services s CROSS JOIN parties o WHERE s.id = $17 AND o.id = $4 \
                 RETURNING id, status \
             ), attached AS ( \
                 INSERT INTO correspondence_attachments (correspondence_id, attachment_id, position) \
                 SELECT ins.id, a.id, a.n - 1 FROM ins CROSS JOIN unnest($20::uuid[]) WITH ORDINALITY a (id, n) \
             ) \
             INSERT INTO correspondence_events (correspondence_id, status, actor_person_id, actor_party_id, occurred_at) \
             SELECT ins.id, e.status, $18, $4, CASE WHEN e.status = 'Published' THEN $11 ELSE now() END \
             FROM ins CROSS JOIN LATERAL (VALUES ('Initialized', true), \
                 ('ReadyForPublish', ins.status NOT IN ('Failed', 'Reserved')), \
                 (ins.status, ins.status <> 'ReadyForPublish')) e (status, keep) \
             WHERE e.keep",
        )
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<BigInt>, _>(recipients)
        .bind::<SqlUuid, _>(sending_id)
        .bind::<BigInt, _>(draft.sender_id)
        .bind::<Nullable<Text>, _>(&draft.display_sender)
        .bind::<Text, _>(&draft.senders_reference)
        .bind::<Text, _>(draft.language.code())
        .bind::<Text, _>(&draft.title)
        .bind::<Nullable<Text>, _>(&draft.summary)
        .bind::<Text, _>(&draft.body)
        .bind::<Timestamptz, _>(publish_at)
        .bind::<Nullable<Timestamptz>, _>(draft.due_at)
        .bind::<Bool, _>(draft.confirmation_needed)
        .bind::<Jsonb, _>(reply_links)
        .bind::<Jsonb, _>(references)
        .bind::<Bool, _>(draft.ignore_reservation_reason.is_some())
        .bind::<Text, _>(&draft.service_id)
        .bind::<Nullable<BigInt>, _>(draft.created_by)
        // Published now unless scheduled: decided here, since the database's now() is the start
        // of the transaction, which may precede `publish_at`.
        .bind::<Bool, _>(draft.publish_at.is_none_or(|t| t <= Utc::now()))
        .bind::<Array<SqlUuid>, _>(&draft.attachments),
    )
    .execute(conn)?;
    Ok(ids)
}

/// What to withdraw: every unpublished message of a send, or one message.
#[derive(Debug, Clone, Copy)]
pub enum Withdraw {
    Sending(Uuid),
    Message(Uuid),
}

/// Withdraws the owner's messages in `scope` that are not yet published: status
/// PurgedByService with its event, queued notices cancelled. Published mail is the recipient's
/// and stays. Returns how many were withdrawn.
pub fn withdraw(
    conn: &mut PgConnection,
    scope: Withdraw,
    owner: i64,
    person: Option<i64>,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let (column, id) = match scope {
        Withdraw::Sending(id) => ("sending_id", id),
        Withdraw::Message(id) => ("id", id),
    };
    let count: Count = diesel::sql_query(format!(
        "WITH gone AS ( \
             UPDATE correspondences SET status = 'PurgedByService', status_changed_at = now() \
             WHERE {column} = $1 AND sender_id = $3 AND status = 'ReadyForPublish' AND published_at > now() \
             RETURNING id \
         ), events AS ( \
             INSERT INTO correspondence_events (correspondence_id, status, actor_person_id, actor_party_id) \
             SELECT id, 'PurgedByService', $2, $3 FROM gone \
         ), cancelled AS ( \
             UPDATE notifications SET state = 'cancelled', updated_at = now() \
             WHERE correspondence_id IN (SELECT id FROM gone) AND state = 'queued' \
         ) SELECT count(*) AS n FROM gone"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<BigInt>, _>(person)
    .bind::<BigInt, _>(owner)
    .get_result(conn)?;
    Ok(count.n)
}

/// Creates the send's row (or finds the first one for a repeated idempotency key).
fn create_sending(
    conn: &mut PgConnection,
    draft: &Draft,
    recipient_count: usize,
) -> QueryResult<Sent> {
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
            sendings::recipient_count.eq(recipient_count as i32),
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
    Ok(Sent {
        sending_id,
        created: true,
    })
}

/// The publish time of a send: as asked, never in the past.
fn publish_time(draft: &Draft) -> DateTime<Utc> {
    let now = Utc::now();
    draft.publish_at.unwrap_or(now).max(now)
}

/// A large send: the send's row first, then each batch of recipients in its own transaction
/// (messages, events and notices of a batch are written together or not at all), reporting the
/// recipients stored so far after each batch. Returns the send and how many were stored.
#[derive(Debug, Clone, Copy)]
pub struct MassSend {
    pub sent: Sent,
    publish_at: DateTime<Utc>,
}

impl MassSend {
    /// Starts the send (or finds it again for a repeated idempotency key: then `sent.created`
    /// is false and nothing more may be added).
    pub fn start(conn: &mut PgConnection, draft: &Draft) -> QueryResult<MassSend> {
        let sent = conn.transaction(|conn| create_sending(conn, draft, 0))?;
        Ok(MassSend {
            sent,
            publish_at: publish_time(draft),
        })
    }

    /// Stores one batch (at most [`BATCH`] recipients) in one transaction. Batches may be
    /// stored from several connections at once.
    pub fn add(&self, conn: &mut PgConnection, draft: &Draft, batch: &[i64]) -> QueryResult<()> {
        let sending = self.sent.sending_id;
        let publish_at = self.publish_at;
        conn.transaction(|conn| {
            let ids = insert_batch(conn, draft, sending, publish_at, batch)?;
            enqueue_notifications(conn, draft, sending, &ids)?;
            diesel::update(sendings::table.find(sending))
                .set(sendings::recipient_count.eq(sendings::recipient_count + batch.len() as i32))
                .execute(conn)?;
            Ok::<_, diesel::result::Error>(())
        })
    }
}

/// The outbox rows of a send: for each delivered message the addresses its channel choice picks
/// (persons: their contact data unless stale or reserved; organisations: the official addresses
/// and the e-mail of each person who can read the service for them), duplicates once; the first
/// notice at publish time. The worker adds the reminder when the first notice has gone out
/// (a week after the notice, as the law counts it), so a mass send writes one row, not two.
fn enqueue_notifications(
    conn: &mut PgConnection,
    draft: &Draft,
    sending_id: Uuid,
    messages: &[Uuid],
) -> QueryResult<usize> {
    let channel = draft.notification.unwrap_or(NotificationChannel::Email);
    Prepared(
        diesel::sql_query(format!(
            "WITH msgs AS ( \
                 SELECT c.id, c.recipient_id, c.published_at, p.kind \
                 FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
                 WHERE c.sending_id = $1 AND c.id = ANY ($4) AND c.status IN ('Published', 'ReadyForPublish') \
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
             SELECT c.id, 'initial', c.channel, c.address, c.person_id, m.published_at, m.published_at + interval '48 hours' \
             FROM chosen c JOIN msgs m ON m.id = c.id \
             ON CONFLICT (correspondence_id, kind, channel, address) DO NOTHING"
        ))
        .bind::<SqlUuid, _>(sending_id)
        .bind::<Text, _>(&draft.service_id)
        .bind::<Text, _>(channel.name())
        .bind::<Array<SqlUuid>, _>(messages),
    )
    .execute(conn)
}
