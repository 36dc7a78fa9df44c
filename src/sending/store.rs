//! Storing a send: the send's row, one message per recipient, their status events and the
//! notification outbox, in one transaction (or, for mass sends, one per batch); a repeated
//! idempotency key returns the first result and writes nothing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::draft::{Draft, NotificationChannel, RECIPIENT_NAME};
use super::preflight::STALE;
use crate::db::Prepared;
use crate::db::schema::sendings;

/// The result of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub sending_id: Uuid,
    /// False when the idempotency key had been used: nothing new was written.
    pub created: bool,
}

/// Sends `draft` to `recipients` (party ids, checked by the preflight): all or nothing.
pub fn send(conn: &mut PgConnection, draft: &Draft, recipients: &[i64]) -> QueryResult<Sent> {
    send_as(conn, draft, recipients, false)
}

/// As [`send`], but the messages wait, `Initialized`, for attachments still to be uploaded
/// (Altinn's initialize names new attachments whose bytes come later): nobody sees them and no
/// notice goes until [`attachment_settled`] finds every attachment of a message published.
pub fn send_held(conn: &mut PgConnection, draft: &Draft, recipients: &[i64]) -> QueryResult<Sent> {
    send_as(conn, draft, recipients, true)
}

fn send_as(
    conn: &mut PgConnection,
    draft: &Draft,
    recipients: &[i64],
    held: bool,
) -> QueryResult<Sent> {
    conn.transaction(|conn| {
        let sent = create_sending(conn, draft, recipients.len())?;
        if !sent.created {
            return Ok(sent);
        }
        let publish_at = publish_time(draft);
        let channel = draft.notification.unwrap_or(NotificationChannel::Email);
        for batch in recipients.chunks(BATCH) {
            let ids = insert_batch(conn, draft, sent.sending_id, publish_at, batch, held)?;
            if !held {
                enqueue_notifications(conn, channel, &draft.service_id, sent.sending_id, &ids)?;
            }
        }
        Ok(sent)
    })
}

/// An attachment's upload ended: published, the messages held for it whose attachments are now
/// all published are released (published, or ready for their publish time) and their notices
/// queued; failed, the messages held for it fail. Returns how many messages changed.
pub fn attachment_settled(
    conn: &mut PgConnection,
    attachment: Uuid,
    published: bool,
) -> QueryResult<usize> {
    #[derive(QueryableByName)]
    struct Released {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        sending_id: Uuid,
        #[diesel(sql_type = Text)]
        service_id: String,
        #[diesel(sql_type = Nullable<Text>)]
        channel: Option<String>,
    }
    conn.transaction(|conn| {
        if !published {
            return diesel::sql_query(
                "WITH failed AS ( \
                     UPDATE correspondences c SET status = 'Failed', status_changed_at = now(), \
                            failure_reason = 'An attachment could not be uploaded' \
                     FROM correspondence_attachments ca \
                     WHERE ca.correspondence_id = c.id AND ca.attachment_id = $1 AND c.status = 'Initialized' \
                     RETURNING c.id \
                 ) \
                 INSERT INTO correspondence_events (correspondence_id, status, details) \
                 SELECT id, 'Failed', 'An attachment could not be uploaded' FROM failed",
            )
            .bind::<SqlUuid, _>(attachment)
            .execute(conn);
        }
        let released: Vec<Released> = diesel::sql_query(
            "WITH ready AS ( \
                 SELECT c.id FROM correspondences c \
                 JOIN correspondence_attachments ca ON ca.correspondence_id = c.id \
                 WHERE ca.attachment_id = $1 AND c.status = 'Initialized' \
                   AND NOT EXISTS (SELECT 1 FROM correspondence_attachments x \
                                   JOIN attachments a ON a.id = x.attachment_id \
                                   WHERE x.correspondence_id = c.id AND a.state <> 'published') \
                 FOR UPDATE OF c \
             ), released AS ( \
                 UPDATE correspondences c \
                 SET status = CASE WHEN c.published_at <= now() THEN 'Published' ELSE 'ReadyForPublish' END, \
                     published_at = greatest(c.published_at, now()), status_changed_at = now() \
                 FROM ready WHERE c.id = ready.id \
                 RETURNING c.id, c.sending_id, c.service_id, c.status, c.published_at \
             ), events AS ( \
                 INSERT INTO correspondence_events (correspondence_id, status, occurred_at) \
                 SELECT r.id, e.status, e.at FROM released r \
                 CROSS JOIN LATERAL (VALUES ('ReadyForPublish', now(), true), \
                                            ('Published', r.published_at, r.status = 'Published')) e (status, at, keep) \
                 WHERE e.keep \
             ) \
             SELECT r.id, r.sending_id, r.service_id, s.notification_channel AS channel \
             FROM released r JOIN sendings s ON s.id = r.sending_id",
        )
        .bind::<SqlUuid, _>(attachment)
        .load(conn)?;
        let mut sends: std::collections::BTreeMap<Uuid, (String, Option<String>, Vec<Uuid>)> =
            std::collections::BTreeMap::new();
        for r in &released {
            sends
                .entry(r.sending_id)
                .or_insert_with(|| (r.service_id.clone(), r.channel.clone(), Vec::new()))
                .2
                .push(r.id);
        }
        for (sending, (service, channel, ids)) in sends {
            let channel = channel
                .as_deref()
                .and_then(NotificationChannel::parse)
                .unwrap_or(NotificationChannel::Email);
            enqueue_notifications(conn, channel, &service, sending, &ids)?;
        }
        Ok(released.len())
    })
}

/// Recipients per batch: each batch is one INSERT of messages and events done by the database
/// from arrays (the common fields are bound once), and one of notifications.
pub const BATCH: usize = 10_000;

/// Writes the messages of one batch of recipients, with their status history: Initialized,
/// ReadyForPublish (unless undeliverable), then Published, Reserved or Failed as it stands.
/// `{{recipientName}}` in title, summary and body becomes each recipient's name. The search
/// vector of texts that name no recipient is made once for the batch (for a letter of 2 KB it
/// costs more than the rest of the message's insert); the database makes the personalised ones.
fn insert_batch(
    conn: &mut PgConnection,
    draft: &Draft,
    sending_id: Uuid,
    publish_at: DateTime<Utc>,
    recipients: &[i64],
    held: bool,
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
    let properties = serde_json::Value::Object(
        draft
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
    );
    Prepared(
        diesel::sql_query(format!(
            "WITH r AS ( \
                 SELECT u.id, u.party, p.name, p.is_deleted, coalesce(cp.is_reserved, false) AS reserved \
                 FROM unnest($1::uuid[], $2::bigint[]) u (id, party) JOIN parties p ON p.id = u.party \
                 LEFT JOIN contact_points cp ON cp.person_id = p.id \
             ), v AS MATERIALIZED ( \
                 SELECT o.name, CASE WHEN strpos($8 || coalesce($9, '') || $10, '{RECIPIENT_NAME}') = 0 \
                        THEN message_search_vector($8, $9, coalesce($5, o.name), $10) END AS search_vector \
                 FROM parties o WHERE o.id = $4 \
             ), ins AS ( \
                 INSERT INTO correspondences (id, sending_id, service_id, sender_id, sender_name, display_sender, \
                     senders_reference, recipient_id, language, title, summary, body, published_at, due_at, \
                     confirmation_needed, is_confidential, reply_links, external_references, status, failure_reason, \
                     attachment_count, properties, search_vector) \
                 SELECT r.id, $3, s.id, $4, v.name, $5, $6, r.party, $7, \
                        replace($8, '{RECIPIENT_NAME}', r.name), replace($9, '{RECIPIENT_NAME}', r.name), \
                        replace($10, '{RECIPIENT_NAME}', r.name), $11, $12, $13, s.is_confidential, $14, $15, \
                        CASE WHEN r.is_deleted THEN 'Failed' WHEN r.reserved AND NOT $16 THEN 'Reserved' \
                             WHEN $22 THEN 'Initialized' WHEN $19 THEN 'Published' ELSE 'ReadyForPublish' END, \
                        CASE WHEN r.is_deleted THEN 'The recipient is deleted from the business register' END, \
                        cardinality($20::uuid[]), $21, v.search_vector \
                 FROM r CROSS JOIN services s CROSS JOIN v WHERE s.id = $17 \
                 RETURNING id, status \
             ), attached AS ( \
                 INSERT INTO correspondence_attachments (correspondence_id, attachment_id, position) \
                 SELECT ins.id, a.id, a.n - 1 FROM ins CROSS JOIN unnest($20::uuid[]) WITH ORDINALITY a (id, n) \
             ) \
             INSERT INTO correspondence_events (correspondence_id, status, actor_person_id, actor_party_id, occurred_at) \
             SELECT ins.id, e.status, $18, $4, CASE WHEN e.status = 'Published' THEN $11 ELSE now() END \
             FROM ins CROSS JOIN LATERAL (VALUES ('Initialized', true), \
                 ('ReadyForPublish', ins.status NOT IN ('Failed', 'Reserved', 'Initialized')), \
                 (ins.status, ins.status NOT IN ('ReadyForPublish', 'Initialized'))) e (status, keep) \
             WHERE e.keep"
        ))
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
        .bind::<Array<SqlUuid>, _>(&draft.attachments)
        .bind::<Jsonb, _>(properties)
        .bind::<Bool, _>(held),
    )
    .execute(conn)?;
    Ok(ids)
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
    // A text left empty (one the channel does not use) is none: the service's or the generic
    // text stands in.
    type Texts = Option<(String, String, String)>;
    let given = |texts: &Texts, part: fn(&(String, String, String)) -> &String| {
        texts.as_ref().map(part).filter(|t| !t.is_empty()).cloned()
    };
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
            sendings::reminder_notification_channel
                .eq(draft.reminder_notification.map(|c| c.name())),
            sendings::email_subject.eq(given(initial, |t| &t.0)),
            sendings::email_body.eq(given(initial, |t| &t.1)),
            sendings::sms_text.eq(given(initial, |t| &t.2)),
            sendings::reminder_email_subject.eq(given(reminder, |t| &t.0)),
            sendings::reminder_email_body.eq(given(reminder, |t| &t.1)),
            sendings::reminder_sms_text.eq(given(reminder, |t| &t.2)),
            sendings::send_reminder.eq(draft.send_reminder),
            sendings::sms_any_time.eq(draft.sms_any_time),
            sendings::ignore_reservation.eq(draft.ignore_reservation_reason.is_some()),
            sendings::ignore_reservation_reason.eq(&draft.ignore_reservation_reason),
            sendings::allow_forwarding.eq(draft.allow_forwarding),
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
            let ids = insert_batch(conn, draft, sending, publish_at, batch, false)?;
            let channel = draft.notification.unwrap_or(NotificationChannel::Email);
            enqueue_notifications(conn, channel, &draft.service_id, sending, &ids)?;
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
    channel: NotificationChannel,
    service_id: &str,
    sending_id: Uuid,
    messages: &[Uuid],
) -> QueryResult<usize> {
    enqueue(conn, None, channel, service_id, sending_id, messages)
}

/// The reminders of a send whose reminder goes by another channel than its first notice
/// (Altinn's `reminderNotificationChannel`): the addresses that channel picks, as for the first
/// notice, due the service's reminder delay after `now`, for the messages nobody has opened.
pub fn enqueue_reminders(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    channel: NotificationChannel,
    service_id: &str,
    sending_id: Uuid,
    messages: &[Uuid],
) -> QueryResult<usize> {
    enqueue(conn, Some(now), channel, service_id, sending_id, messages)
}

/// The first notices (`reminder_from` none: at publishing) or the reminders (due the service's
/// delay after `reminder_from`, only for unopened messages) of a send's messages.
///
/// Each address row carries its message's run time and which channels its message has, so the
/// rows are never matched back against another common table expression: such a match has no
/// index, and a batch of 10,000 messages spent most of its time comparing message ids pairwise.
fn enqueue(
    conn: &mut PgConnection,
    reminder_from: Option<DateTime<Utc>>,
    channel: NotificationChannel,
    service_id: &str,
    sending_id: Uuid,
    messages: &[Uuid],
) -> QueryResult<usize> {
    Prepared(
        diesel::sql_query(format!(
            "WITH msgs AS ( \
                 SELECT c.id, c.recipient_id, \
                        coalesce($5 + (SELECT s.reminder_delay FROM services s WHERE s.id = $2), c.published_at) AS run_at, \
                        p.kind \
                 FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
                 WHERE c.sending_id = $1 AND c.id = ANY ($4) AND c.status IN ('Published', 'ReadyForPublish') \
                   AND ($5::timestamptz IS NULL OR c.first_read_at IS NULL) \
             ), addrs AS ( \
                 SELECT m.id, m.run_at, 'email' AS channel, cp.email AS address, cp.person_id FROM msgs m \
                 JOIN contact_points cp ON cp.person_id = m.recipient_id \
                 WHERE m.kind = 'person' AND cp.email IS NOT NULL AND cp.confirmed_at > now() - {STALE} \
                 UNION ALL \
                 SELECT m.id, m.run_at, 'sms', cp.mobile, cp.person_id FROM msgs m \
                 JOIN contact_points cp ON cp.person_id = m.recipient_id \
                 WHERE m.kind = 'person' AND cp.mobile IS NOT NULL AND cp.confirmed_at > now() - {STALE} \
                 UNION ALL \
                 SELECT m.id, m.run_at, a.channel, a.address, NULL FROM msgs m \
                 JOIN org_notification_addresses a ON a.org_id = m.recipient_id WHERE m.kind = 'organization' \
                 UNION ALL \
                 SELECT m.id, m.run_at, 'email', cp.email, cp.person_id FROM msgs m \
                 CROSS JOIN LATERAL service_readers(m.recipient_id, $2) r \
                 JOIN contact_points cp ON cp.person_id = r.person_id \
                 WHERE m.kind = 'organization' AND cp.email IS NOT NULL AND NOT cp.is_reserved \
                   AND cp.confirmed_at > now() - {STALE} \
             ), found AS ( \
                 SELECT a.*, bool_or(a.channel = 'email') OVER (PARTITION BY a.id) AS has_email, \
                        bool_or(a.channel = 'sms') OVER (PARTITION BY a.id) AS has_sms \
                 FROM addrs a \
             ) \
             INSERT INTO notifications (correspondence_id, kind, channel, address, person_id, run_at, expires_at) \
             SELECT c.id, CASE WHEN $5::timestamptz IS NULL THEN 'initial' ELSE 'reminder' END, c.channel, c.address, \
                    c.person_id, c.run_at, c.run_at + interval '48 hours' \
             FROM found c WHERE CASE $3 \
                 WHEN 'Email' THEN c.channel = 'email' \
                 WHEN 'Sms' THEN c.channel = 'sms' \
                 WHEN 'EmailPreferred' THEN c.channel = 'email' OR NOT c.has_email \
                 WHEN 'SmsPreferred' THEN c.channel = 'sms' OR NOT c.has_sms \
                 ELSE true END \
             ON CONFLICT (correspondence_id, kind, channel, address) DO NOTHING"
        ))
        .bind::<SqlUuid, _>(sending_id)
        .bind::<Text, _>(service_id)
        .bind::<Text, _>(channel.name())
        .bind::<Array<SqlUuid>, _>(messages)
        .bind::<Nullable<Timestamptz>, _>(reminder_from),
    )
    .execute(conn)
}

/// Notices to addresses the sender named for every message of a send (Altinn's custom
/// notification recipients): `(channel, address)` with channel `email` or `sms`. With
/// `replace` (Altinn's `overrideRegisteredContactInformation`) the registered addresses are
/// not notified: their queued first notices are cancelled. In the send's transaction.
pub fn custom_notices(
    conn: &mut PgConnection,
    sending_id: Uuid,
    addresses: &[(String, String)],
    replace: bool,
) -> QueryResult<usize> {
    if replace {
        diesel::sql_query(
            "UPDATE notifications SET state = 'cancelled', updated_at = now() \
             WHERE correspondence_id IN (SELECT id FROM correspondences WHERE sending_id = $1) \
               AND kind = 'initial' AND state = 'queued'",
        )
        .bind::<SqlUuid, _>(sending_id)
        .execute(conn)?;
    }
    let (channels, values): (Vec<&str>, Vec<&str>) = addresses
        .iter()
        .map(|(c, a)| (c.as_str(), a.as_str()))
        .unzip();
    diesel::sql_query(
        "INSERT INTO notifications (correspondence_id, kind, channel, address, run_at, expires_at) \
         SELECT c.id, 'initial', a.channel, a.address, c.published_at, c.published_at + interval '48 hours' \
         FROM correspondences c CROSS JOIN unnest($2::text[], $3::text[]) AS a(channel, address) \
         WHERE c.sending_id = $1 AND c.status IN ('Published', 'ReadyForPublish') \
         ON CONFLICT (correspondence_id, kind, channel, address) \
         DO UPDATE SET state = 'queued', updated_at = now() WHERE notifications.state = 'cancelled'",
    )
    .bind::<SqlUuid, _>(sending_id)
    .bind::<Array<Text>, _>(channels)
    .bind::<Array<Text>, _>(values)
    .execute(conn)
}
