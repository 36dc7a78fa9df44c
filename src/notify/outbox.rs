//! The outbox's SQL: publish what is due, claim due rows under a lease, record outcomes.
//! Every statement takes the worker's clock as `now`, so tests can drive time.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Int4, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid,
};
use uuid::Uuid;

/// A notice's address as senders and recipients see it: `ol***@example.no`, `*****123`
/// (SQL over the `notifications` row aliased `n`).
pub const MASKED_ADDRESS: &str = "CASE WHEN n.channel = 'email' \
     THEN left(n.address, 2) || '***' || substring(n.address from position('@' in n.address)) \
     ELSE '*****' || right(n.address, 3) END";

/// Publishes scheduled messages whose time has come (in batches), with their Published event.
/// Returns how many were published.
pub fn publish_due(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    let mut total = 0;
    loop {
        let n = diesel::sql_query(
            "WITH due AS ( \
                 SELECT id FROM correspondences WHERE status = 'ReadyForPublish' AND published_at <= $1 \
                 ORDER BY published_at LIMIT 5000 FOR UPDATE SKIP LOCKED \
             ), published AS ( \
                 UPDATE correspondences c SET status = 'Published', status_changed_at = c.published_at \
                 FROM due WHERE c.id = due.id RETURNING c.id, c.published_at, c.sender_id \
             ) \
             INSERT INTO correspondence_events (correspondence_id, status, actor_party_id, occurred_at) \
             SELECT id, 'Published', sender_id, published_at FROM published",
        )
        .bind::<Timestamptz, _>(now)
        .execute(conn)?;
        total += n;
        if n < 5000 {
            return Ok(total);
        }
    }
}

/// Whether SMS may go out now (09:00-17:00 Europe/Oslo) and when the window next opens.
#[derive(QueryableByName, Debug, Clone, Copy)]
pub struct SmsWindow {
    #[diesel(sql_type = Bool)]
    pub open: bool,
    #[diesel(sql_type = Timestamptz)]
    pub next_open: DateTime<Utc>,
}

pub fn sms_window(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<SmsWindow> {
    diesel::sql_query(
        "SELECT (l::time >= '09:00' AND l::time < '17:00') AS open, \
                ((CASE WHEN l::time < '09:00' THEN date_trunc('day', l) \
                       ELSE date_trunc('day', l) + interval '1 day' END) + interval '9 hours') \
                    AT TIME ZONE 'Europe/Oslo' AS next_open \
         FROM (SELECT $1 AT TIME ZONE 'Europe/Oslo' AS l) t",
    )
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
}

/// Outside the SMS window: moves due SMS notices (of senders who did not allow any time) to the
/// window's opening, so the claim query does not meet them again and again through the night.
pub fn defer_sms(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE notifications n SET run_at = $2, updated_at = $1 \
         WHERE n.state = 'queued' AND n.channel = 'sms' AND n.run_at <= $1 \
           AND NOT EXISTS (SELECT 1 FROM correspondences c JOIN sendings s ON s.id = c.sending_id \
                           WHERE c.id = n.correspondence_id AND s.sms_any_time)",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(until)
    .execute(conn)
}

/// A claimed outbox row with everything its notice may say.
#[derive(QueryableByName, Debug)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = SqlUuid)]
    pub correspondence_id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub recipient_id: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub address: String,
    #[diesel(sql_type = Int4)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Bool)]
    pub opened: bool,
    #[diesel(sql_type = Bool)]
    pub sms_any_time: bool,
    #[diesel(sql_type = Text)]
    pub language: String,
    #[diesel(sql_type = Text)]
    pub sender: String,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub confidential_access: Option<String>,
    /// The recipient is a person (who reads her own confidential mail without any grant).
    #[diesel(sql_type = Bool)]
    pub to_person: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub email_subject: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub email_body: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub sms_text: Option<String>,
    /// A forward: what the forwarded e-mail carries (none for notices).
    #[diesel(sql_type = Nullable<Text>)]
    pub forwarded_by: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub forwarding_text: Option<String>,
    #[diesel(sql_type = Bool)]
    pub include_attachments: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub body: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub published_at: DateTime<Utc>,
}

/// Claims up to `limit` due rows for `worker` until `lease_until`: rows never claimed, released,
/// or whose lease ran out (a worker that died). No transaction stays open afterwards.
pub fn claim(
    conn: &mut PgConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    diesel::sql_query(
        "WITH due AS ( \
             SELECT id FROM notifications \
             WHERE state IN ('queued', 'sending') AND run_at <= $1 \
               AND (lease_until IS NULL OR lease_until < $1) \
             ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED \
         ), claimed AS ( \
             UPDATE notifications n SET state = 'sending', attempts = n.attempts + 1, lease_until = $3, \
                    leased_by = $2, updated_at = $1 \
             FROM due WHERE n.id = due.id \
             RETURNING n.id, n.correspondence_id, n.kind, n.channel, n.address, n.attempts, n.expires_at, n.forward_id \
         ) \
         SELECT n.id, n.correspondence_id, c.recipient_id, n.kind, n.channel, n.address, n.attempts, n.expires_at, \
                c.status, c.first_read_at IS NOT NULL AS opened, coalesce(sd.sms_any_time, false) AS sms_any_time, \
                c.language, coalesce(c.display_sender, c.sender_name) AS sender, r.name AS recipient, \
                CASE c.language WHEN 'nn' THEN s.title_nn WHEN 'en' THEN s.title_en ELSE s.title_nb END AS service, \
                c.title, \
                CASE WHEN c.is_confidential THEN coalesce( \
                    (SELECT string_agg(CASE c.language WHEN 'nn' THEN p.name_nn WHEN 'en' THEN p.name_en ELSE p.name_nb END, ', ') \
                       FROM access_packages p WHERE p.id = ANY (s.required_packages)), s.title_nb) END AS confidential_access, \
                r.kind = 'person' AS to_person, \
                CASE n.kind WHEN 'initial' THEN coalesce(sd.email_subject, t.email_subject) \
                     ELSE coalesce(sd.reminder_email_subject, t.email_subject) END AS email_subject, \
                CASE n.kind WHEN 'initial' THEN coalesce(sd.email_body, t.email_body) \
                     ELSE coalesce(sd.reminder_email_body, t.email_body) END AS email_body, \
                CASE n.kind WHEN 'initial' THEN coalesce(sd.sms_text, t.sms_text) \
                     ELSE coalesce(sd.reminder_sms_text, t.sms_text) END AS sms_text, \
                coalesce(fp.name, fo.name, fw.by_system) AS forwarded_by, fw.forwarding_text, \
                coalesce(fw.include_attachments, false) AS include_attachments, \
                CASE WHEN n.kind = 'forward' THEN c.summary END AS summary, \
                CASE WHEN n.kind = 'forward' THEN c.body END AS body, c.published_at \
         FROM claimed n \
         JOIN correspondences c ON c.id = n.correspondence_id \
         JOIN services s ON s.id = c.service_id \
         JOIN parties r ON r.id = c.recipient_id \
         LEFT JOIN sendings sd ON sd.id = c.sending_id \
         LEFT JOIN correspondence_forwards fw ON fw.id = n.forward_id \
         LEFT JOIN parties fp ON fp.id = fw.by_person \
         LEFT JOIN parties fo ON fw.by_system LIKE '0192:%' AND fo.org_number = substr(fw.by_system, 6) \
         LEFT JOIN service_notification_texts t \
                ON t.service_id = c.service_id AND t.kind = n.kind AND t.language = c.language \
         ORDER BY n.id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(worker)
    .bind::<Timestamptz, _>(lease_until)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// What became of one claimed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        provider_id: Option<String>,
        segments: Option<i16>,
    },
    Failed {
        reason: &'static str,
        error: Option<String>,
    },
    /// A transient error: try again at `at`.
    Retry { at: DateTime<Utc>, error: String },
    /// The message was opened (reminders) or withdrawn.
    Cancelled,
    /// Not now (the SMS window, a message not yet published); does not count as an attempt.
    Defer { at: DateTime<Utc> },
}

/// Records the outcomes of a batch in one statement; rows this worker no longer holds (its lease
/// ran out and another worker took them) are left alone. Returns how many were recorded.
pub fn record(
    conn: &mut PgConnection,
    worker: &str,
    now: DateTime<Utc>,
    outcomes: &[(i64, Outcome)],
) -> QueryResult<usize> {
    let mut ids = Vec::with_capacity(outcomes.len());
    let mut states = Vec::with_capacity(outcomes.len());
    let mut reasons: Vec<Option<&str>> = Vec::with_capacity(outcomes.len());
    let mut errors: Vec<Option<String>> = Vec::with_capacity(outcomes.len());
    let mut providers: Vec<Option<String>> = Vec::with_capacity(outcomes.len());
    let mut segments: Vec<Option<i16>> = Vec::with_capacity(outcomes.len());
    let mut run_ats: Vec<Option<DateTime<Utc>>> = Vec::with_capacity(outcomes.len());
    let mut uncount = Vec::with_capacity(outcomes.len());
    for (id, outcome) in outcomes {
        ids.push(*id);
        let (state, reason, error, provider, segs, run_at, back) = match outcome {
            Outcome::Sent {
                provider_id,
                segments,
            } => ("sent", None, None, provider_id.clone(), *segments, None, 0),
            Outcome::Failed { reason, error } => {
                ("failed", Some(*reason), error.clone(), None, None, None, 0)
            }
            Outcome::Retry { at, error } => (
                "queued",
                None,
                Some(error.clone()),
                None,
                None,
                Some(*at),
                0,
            ),
            Outcome::Cancelled => ("cancelled", None, None, None, None, None, 0),
            Outcome::Defer { at } => ("queued", None, None, None, None, Some(*at), 1),
        };
        states.push(state);
        reasons.push(reason);
        errors.push(error.map(|e| truncate(&e, 500)));
        providers.push(provider);
        segments.push(segs);
        run_ats.push(run_at);
        uncount.push(back);
    }
    diesel::sql_query(
        "UPDATE notifications n SET state = u.state, \
                failure_reason = coalesce(u.reason, n.failure_reason), \
                last_error = coalesce(u.error, n.last_error), \
                provider_id = coalesce(u.provider, n.provider_id), \
                segments = coalesce(u.segments, n.segments), \
                run_at = coalesce(u.run_at, n.run_at), \
                attempts = n.attempts - u.uncount, \
                sent_at = CASE WHEN u.state = 'sent' THEN $2 ELSE n.sent_at END, \
                lease_until = NULL, leased_by = NULL, updated_at = $2 \
         FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::smallint[], \
                     $9::timestamptz[], $10::int[]) u (id, state, reason, error, provider, segments, run_at, uncount) \
         WHERE n.id = u.id AND n.leased_by = $1 AND n.state = 'sending'",
    )
    .bind::<Text, _>(worker)
    .bind::<Timestamptz, _>(now)
    .bind::<Array<BigInt>, _>(&ids)
    .bind::<Array<Text>, _>(&states)
    .bind::<Array<Nullable<Text>>, _>(&reasons)
    .bind::<Array<Nullable<Text>>, _>(&errors)
    .bind::<Array<Nullable<Text>>, _>(&providers)
    .bind::<Array<Nullable<SmallInt>>, _>(&segments)
    .bind::<Array<Nullable<Timestamptz>>, _>(&run_ats)
    .bind::<Array<Int4>, _>(&uncount)
    .execute(conn)
}

/// The reminders of first notices that went out (or expired unsent) at `now`: due the service's
/// delay later, when the send asked for one and nobody has opened the message. One per address.
pub fn schedule_reminders(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    initial: &[i64],
) -> QueryResult<usize> {
    // Sends whose reminder goes by another channel: that channel's addresses, looked up again.
    #[derive(QueryableByName)]
    struct Other {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        sending_id: uuid::Uuid,
        #[diesel(sql_type = Text)]
        service_id: String,
        #[diesel(sql_type = Text)]
        channel: String,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        correspondence_id: uuid::Uuid,
    }
    let others: Vec<Other> = diesel::sql_query(
        "SELECT DISTINCT c.sending_id, c.service_id, sd.reminder_notification_channel AS channel, \
                c.id AS correspondence_id \
         FROM notifications n JOIN correspondences c ON c.id = n.correspondence_id \
         JOIN sendings sd ON sd.id = c.sending_id \
         WHERE n.id = ANY ($1) AND n.kind = 'initial' AND sd.send_reminder \
           AND sd.reminder_notification_channel IS NOT NULL AND c.first_read_at IS NULL",
    )
    .bind::<Array<BigInt>, _>(initial)
    .load(conn)?;
    let mut scheduled = 0;
    let mut sends: std::collections::BTreeMap<uuid::Uuid, (String, String, Vec<uuid::Uuid>)> =
        std::collections::BTreeMap::new();
    for o in others {
        sends
            .entry(o.sending_id)
            .or_insert_with(|| (o.service_id, o.channel, Vec::new()))
            .2
            .push(o.correspondence_id);
    }
    for (sending, (service, channel, messages)) in sends {
        if let Some(channel) = crate::sending::NotificationChannel::parse(&channel) {
            scheduled += crate::sending::enqueue_reminders(
                conn, now, channel, &service, sending, &messages,
            )?;
        }
    }
    Ok(scheduled + diesel::sql_query(
        "INSERT INTO notifications (correspondence_id, kind, channel, address, person_id, run_at, expires_at) \
         SELECT n.correspondence_id, 'reminder', n.channel, n.address, n.person_id, \
                $1 + s.reminder_delay, $1 + s.reminder_delay + interval '48 hours' \
         FROM notifications n JOIN correspondences c ON c.id = n.correspondence_id \
         JOIN services s ON s.id = c.service_id LEFT JOIN sendings sd ON sd.id = c.sending_id \
         WHERE n.id = ANY ($2) AND n.kind = 'initial' AND coalesce(sd.send_reminder, true) \
           AND sd.reminder_notification_channel IS NULL AND c.first_read_at IS NULL \
         ON CONFLICT (correspondence_id, kind, channel, address) DO NOTHING",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Array<BigInt>, _>(initial)
    .execute(conn)?)
}

/// Releases rows this worker holds but will not send (shutdown): queued again, the attempt not
/// counted.
pub fn release(conn: &mut PgConnection, worker: &str, ids: &[i64]) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE notifications SET state = 'queued', attempts = greatest(attempts - 1, 0), \
                lease_until = NULL, leased_by = NULL, updated_at = now() \
         WHERE id = ANY ($2) AND leased_by = $1 AND state = 'sending'",
    )
    .bind::<Text, _>(worker)
    .bind::<Array<BigInt>, _>(ids)
    .execute(conn)
}

/// A delivery report from the SMS gateway. Returns whether a notice matched.
pub fn delivery_report(
    conn: &mut PgConnection,
    provider_id: &str,
    delivered: bool,
    reason: Option<&'static str>,
) -> QueryResult<bool> {
    let n = diesel::sql_query(
        "UPDATE notifications SET state = CASE WHEN $2 THEN 'delivered' ELSE 'failed' END, \
                delivered_at = CASE WHEN $2 THEN now() END, failure_reason = CASE WHEN $2 THEN NULL ELSE $3 END, \
                updated_at = now() \
         WHERE provider_id = $1 AND channel = 'sms' AND state IN ('sending', 'sent')",
    )
    .bind::<Text, _>(provider_id)
    .bind::<Bool, _>(delivered)
    .bind::<Nullable<Text>, _>(reason)
    .execute(conn)?;
    Ok(n > 0)
}

/// Cancels the unsent reminders of a message that was just opened.
pub fn cancel_reminders(conn: &mut PgConnection, correspondence: Uuid) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE notifications SET state = 'cancelled', updated_at = now() \
         WHERE correspondence_id = $1 AND kind = 'reminder' AND state = 'queued'",
    )
    .bind::<SqlUuid, _>(correspondence)
    .execute(conn)
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// The queue as `/metrics` shows it.
#[derive(QueryableByName, Debug)]
pub struct Depth {
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = BigInt)]
    pub due: i64,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

pub fn depth(conn: &mut PgConnection) -> QueryResult<Vec<Depth>> {
    diesel::sql_query(
        "SELECT channel, state, count(*) FILTER (WHERE run_at <= now()) AS due, count(*) AS total \
         FROM notifications WHERE state IN ('queued', 'sending') GROUP BY channel, state",
    )
    .load(conn)
}

/// A message's published attachments as (name, media type, storage key), in their order.
pub fn published_files(
    conn: &mut PgConnection,
    id: Uuid,
) -> QueryResult<Vec<(String, String, String)>> {
    use crate::db::schema::{attachments as a, correspondence_attachments as ca};
    ca::table
        .inner_join(a::table)
        .filter(ca::correspondence_id.eq(id))
        .filter(a::state.eq("published"))
        .order((ca::position, a::name))
        .select((a::name, a::media_type, a::storage_key))
        .load(conn)
}
