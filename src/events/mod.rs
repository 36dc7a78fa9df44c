//! Events: the CloudEvents in the outbox (written by triggers, see the migration
//! `event_outbox`), what a client organisation may see of them, and its webhook subscriptions
//! with their delivery state. The pull endpoint and the worker's delivery read the same pages,
//! so a subscriber receives exactly what it could pull.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Serialize;
use uuid::Uuid;

/// The package a service owner delegates to a distributor's systems (they see its events too).
const SERVICE_OWNER_SEND: &str = "service-owner-send";

/// A CloudEvent 1.0 as Altinn publishes it.
#[derive(Serialize, Debug, Clone, utoipa::ToSchema)]
pub struct CloudEvent {
    pub id: Uuid,
    pub specversion: &'static str,
    #[serde(rename = "type")]
    pub kind: String,
    pub source: String,
    /// `urn:altinn:resource:<service>`.
    pub resource: String,
    pub resourceinstance: Uuid,
    /// `urn:altinn:organization:identifier-no:<number>` or `urn:altinn:person:identifier-no:<id>`.
    pub subject: String,
    /// `/organisation/<number>` or `/person/<id>`.
    pub alternativesubject: String,
    pub time: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
    /// melding's position of the event (`after` takes it too).
    pub sequencenumber: i64,
}

/// An outbox row with its subject's numbers.
#[derive(QueryableByName, Debug, Clone)]
pub struct Row {
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    resource: String,
    #[diesel(sql_type = SqlUuid)]
    resource_instance: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    org_number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    national_id: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    time: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    data: Option<serde_json::Value>,
}

fn subjects(org: Option<&str>, person: Option<&str>) -> (String, String) {
    match (org, person) {
        (Some(org), _) => (
            format!("urn:altinn:organization:identifier-no:{org}"),
            format!("/organisation/{org}"),
        ),
        (None, Some(id)) => (
            format!("urn:altinn:person:identifier-no:{id}"),
            format!("/person/{id}"),
        ),
        (None, None) => (String::new(), String::new()),
    }
}

impl Row {
    /// The event as it is published, its source under `base` (the public URL).
    pub fn event(self, base: &str) -> CloudEvent {
        let api = if self.kind.starts_with("no.altinn.broker.") {
            "broker"
        } else {
            "correspondence"
        };
        let (subject, alternative) =
            subjects(self.org_number.as_deref(), self.national_id.as_deref());
        CloudEvent {
            id: self.id,
            specversion: "1.0",
            source: format!("{base}/{api}/api/v1/{}", self.source),
            kind: self.kind,
            resource: format!("urn:altinn:resource:{}", self.resource),
            resourceinstance: self.resource_instance,
            subject,
            alternativesubject: alternative,
            time: self.time,
            data: self.data,
            sequencenumber: self.seq,
        }
    }
}

/// Which events: after a position, of some types, sources (their last part) and services, about
/// one party (its number).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub after: i64,
    pub types: Vec<String>,
    pub sources: Vec<String>,
    pub resources: Vec<String>,
    pub subject: Option<String>,
}

/// The next `size` events the organisation `org` may see: about the parties its systems may read
/// the service for, and those of what it (or an owner it sends for) sent.
pub fn page(conn: &mut PgConnection, org: i64, f: &Filters, size: i64) -> QueryResult<Vec<Row>> {
    diesel::sql_query(format!(
        "WITH served AS (SELECT party_id FROM system_parties($1)), \
              owners AS (SELECT $1 AS id UNION SELECT d.party_id FROM system_delegations d \
                         WHERE d.to_org_id = $1 AND d.package_id = '{SERVICE_OWNER_SEND}' AND d.revoked_at IS NULL) \
         SELECT e.position AS seq, e.id, e.type AS kind, e.source, e.resource, e.resource_instance, \
                p.org_number, p.national_id, e.time, e.data \
         FROM outbox_events e JOIN parties p ON p.id = e.subject_party \
         WHERE e.position > $2 \
           AND (cardinality($3::text[]) = 0 OR e.type = ANY ($3)) \
           AND (cardinality($4::text[]) = 0 OR e.source = ANY ($4)) \
           AND (cardinality($5::text[]) = 0 OR e.resource = ANY ($5)) \
           AND ($6::text IS NULL OR p.org_number = $6 OR p.national_id = $6) \
           AND ( e.sender_party IN (SELECT id FROM owners) \
              OR (e.subject_party IN (SELECT party_id FROM served) \
                  AND e.resource IN (SELECT service_id FROM system_readable_service_ids($1, e.subject_party))) ) \
         ORDER BY e.position LIMIT $7"
    ))
    .bind::<BigInt, _>(org)
    .bind::<BigInt, _>(f.after)
    .bind::<Array<Text>, _>(&f.types)
    .bind::<Array<Text>, _>(&f.sources)
    .bind::<Array<Text>, _>(&f.resources)
    .bind::<Nullable<Text>, _>(&f.subject)
    .bind::<BigInt, _>(size)
    .load(conn)
}

/// Gives positions to the events that can no longer be overtaken (the SQL `sequence_events()`):
/// readers call it before reading, so they read in an order nothing can later cut into.
pub fn sequence(conn: &mut PgConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Placed {
        #[diesel(sql_type = BigInt)]
        placed: i64,
    }
    conn.transaction(|conn| {
        diesel::sql_query("SELECT sequence_events() AS placed")
            .get_result::<Placed>(conn)
            .map(|p| p.placed)
    })
}

/// The last position given.
pub fn last_position(conn: &mut PgConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Last {
        #[diesel(sql_type = BigInt)]
        last: i64,
    }
    diesel::sql_query("SELECT coalesce(max(position), 0) AS last FROM outbox_events")
        .get_result::<Last>(conn)
        .map(|l| l.last)
}

/// The position of the event `id`, if it exists.
pub fn position(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<i64>> {
    #[derive(QueryableByName)]
    struct Seq {
        #[diesel(sql_type = BigInt)]
        seq: i64,
    }
    diesel::sql_query(
        "SELECT position AS seq FROM outbox_events WHERE id = $1 AND position IS NOT NULL",
    )
    .bind::<SqlUuid, _>(id)
    .get_result::<Seq>(conn)
    .optional()
    .map(|s| s.map(|s| s.seq))
}

/// The last part of a source filter (`https://.../correspondence/api/v1/correspondence` ->
/// `correspondence`).
pub fn source_name(source: &str) -> String {
    source
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The number in a subject (`urn:altinn:organization:identifier-no:<n>`, `/organisation/<n>`,
/// `urn:altinn:person:identifier-no:<id>`, `/person/<id>`).
pub fn subject_number(text: &str) -> Option<String> {
    let t = text.trim();
    let number = t
        .strip_prefix("urn:altinn:organization:identifier-no:")
        .or_else(|| t.strip_prefix("/organisation/"))
        .or_else(|| t.strip_prefix("urn:altinn:person:identifier-no:"))
        .or_else(|| t.strip_prefix("/person/"))
        .unwrap_or(t);
    ((9..=11).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| number.to_owned())
}

/// A webhook subscription.
#[derive(QueryableByName, Debug, Clone)]
pub struct Subscription {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub consumer_org: i64,
    #[diesel(sql_type = Text)]
    pub consumer: String,
    #[diesel(sql_type = Text)]
    pub endpoint: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub source_filter: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub resource_filter: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub type_filter: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub subject_filter: Option<String>,
    #[diesel(sql_type = Text)]
    pub secret: String,
    #[diesel(sql_type = Bool)]
    pub validated: bool,
    #[diesel(sql_type = BigInt)]
    pub cursor: i64,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub failures: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub disabled_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "s.id, s.consumer_org, '0192:' || p.org_number AS consumer, s.endpoint, s.source_filter, \
     s.resource_filter, s.type_filter, s.subject_filter, s.secret, s.validated, s.cursor, s.failures, \
     s.disabled_at, s.last_error, s.created_at";

impl Subscription {
    /// The filters its deliveries use, from its cursor.
    pub fn filters(&self) -> Filters {
        Filters {
            after: self.cursor,
            types: self.type_filter.iter().cloned().collect(),
            sources: self.source_filter.iter().map(|s| source_name(s)).collect(),
            resources: self
                .resource_filter
                .iter()
                .map(|r| r.trim_start_matches("urn:altinn:resource:").to_owned())
                .collect(),
            subject: self.subject_filter.as_deref().and_then(subject_number),
        }
    }
}

/// What a new subscription says (checked by the caller).
#[derive(Debug, Clone, Default)]
pub struct NewSubscription {
    pub endpoint: String,
    pub source_filter: Option<String>,
    pub resource_filter: Option<String>,
    pub type_filter: Option<String>,
    pub subject_filter: Option<String>,
}

/// `n` random bytes from the operating system, hex (none when it gives none).
fn random_hex(n: usize) -> Option<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Makes a subscription for `org`, delivering the events recorded from now on.
pub fn create(
    conn: &mut PgConnection,
    org: i64,
    new: &NewSubscription,
) -> QueryResult<Subscription> {
    let secret = random_hex(32).ok_or_else(|| {
        diesel::result::Error::QueryBuilderError("the operating system gave no random bytes".into())
    })?;
    diesel::sql_query(format!(
        "WITH made AS ( \
             INSERT INTO event_subscriptions (consumer_org, endpoint, source_filter, resource_filter, type_filter, \
                                              subject_filter, secret, cursor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT coalesce(max(position), 0) FROM outbox_events)) RETURNING *) \
         SELECT {COLUMNS} FROM made s JOIN parties p ON p.id = s.consumer_org"
    ))
    .bind::<BigInt, _>(org)
    .bind::<Text, _>(&new.endpoint)
    .bind::<Nullable<Text>, _>(&new.source_filter)
    .bind::<Nullable<Text>, _>(&new.resource_filter)
    .bind::<Nullable<Text>, _>(&new.type_filter)
    .bind::<Nullable<Text>, _>(&new.subject_filter)
    .bind::<Text, _>(&secret)
    .get_result(conn)
}

/// The organisation's subscriptions (one, when `id` is given).
pub fn of(conn: &mut PgConnection, org: i64, id: Option<i64>) -> QueryResult<Vec<Subscription>> {
    diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM event_subscriptions s JOIN parties p ON p.id = s.consumer_org \
         WHERE s.consumer_org = $1 AND s.deleted_at IS NULL AND ($2::bigint IS NULL OR s.id = $2) ORDER BY s.id"
    ))
    .bind::<BigInt, _>(org)
    .bind::<Nullable<BigInt>, _>(id)
    .load(conn)
}

/// Ends a subscription of the organisation; false when there is no such one.
pub fn delete(conn: &mut PgConnection, org: i64, id: i64) -> QueryResult<bool> {
    diesel::sql_query(
        "UPDATE event_subscriptions SET deleted_at = now() WHERE id = $1 AND consumer_org = $2 AND deleted_at IS NULL",
    )
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(org)
    .execute(conn)
    .map(|n| n == 1)
}

/// Altinn Events' retry schedule: 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 12 h,
/// 12 h; then the subscription is marked as failing and delivers no more until made again.
pub const RETRIES: [i64; 10] = [10, 30, 60, 300, 600, 1800, 3600, 10800, 43200, 43200];

/// Claims up to `limit` subscriptions that are due, for `worker`, until `lease_until`.
pub fn claim(
    conn: &mut PgConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Subscription>> {
    diesel::sql_query(format!(
        "WITH due AS ( \
             SELECT id FROM event_subscriptions \
             WHERE deleted_at IS NULL AND disabled_at IS NULL AND next_attempt_at <= $1 \
               AND (lease_until IS NULL OR lease_until < $1) \
               AND (NOT validated OR EXISTS (SELECT 1 FROM outbox_events e WHERE e.position > event_subscriptions.cursor)) \
             ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED), \
         taken AS ( \
             UPDATE event_subscriptions s SET lease_until = $3, leased_by = $2 FROM due WHERE s.id = due.id RETURNING s.*) \
         SELECT {COLUMNS} FROM taken s JOIN parties p ON p.id = s.consumer_org ORDER BY s.id"
    ))
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(worker)
    .bind::<Timestamptz, _>(lease_until)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// A delivery (or the validation, `seq` none) went through: the cursor moves past it.
pub fn delivered(
    conn: &mut PgConnection,
    worker: &str,
    id: i64,
    seq: Option<i64>,
    status: u16,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::sql_query(
            "UPDATE event_subscriptions SET cursor = greatest(cursor, coalesce($3, cursor)), \
                    validated = true, failures = 0, last_error = NULL \
             WHERE id = $1 AND leased_by = $2",
        )
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(worker)
        .bind::<Nullable<BigInt>, _>(seq)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO event_deliveries (subscription_id, event_seq, outcome, status_code) VALUES ($1, $2, 'delivered', $3)",
        )
        .bind::<BigInt, _>(id)
        .bind::<Nullable<BigInt>, _>(seq)
        .bind::<diesel::sql_types::Integer, _>(i32::from(status))
        .execute(conn)?;
        Ok(())
    })
}

/// A page of deliveries went through: the cursor moves past the last, each is logged.
pub fn delivered_page(
    conn: &mut PgConnection,
    worker: &str,
    id: i64,
    accepted: &[(i64, u16)],
) -> QueryResult<()> {
    let Some((last, _)) = accepted.last() else {
        return Ok(());
    };
    let seqs: Vec<i64> = accepted.iter().map(|(s, _)| *s).collect();
    let statuses: Vec<i32> = accepted.iter().map(|(_, c)| i32::from(*c)).collect();
    conn.transaction(|conn| {
        diesel::sql_query(
            "UPDATE event_subscriptions SET cursor = greatest(cursor, $3), failures = 0, last_error = NULL \
             WHERE id = $1 AND leased_by = $2",
        )
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(worker)
        .bind::<BigInt, _>(*last)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO event_deliveries (subscription_id, event_seq, outcome, status_code) \
             SELECT $1, s, 'delivered', c FROM unnest($2::bigint[], $3::int[]) u (s, c)",
        )
        .bind::<BigInt, _>(id)
        .bind::<Array<BigInt>, _>(&seqs)
        .bind::<Array<diesel::sql_types::Integer>, _>(&statuses)
        .execute(conn)?;
        Ok(())
    })
}

/// A delivery failed: tried again on the schedule (the same event first, so order holds), or
/// the subscription is marked failing when the schedule has run out.
pub fn failed(
    conn: &mut PgConnection,
    worker: &str,
    now: DateTime<Utc>,
    sub: &Subscription,
    seq: Option<i64>,
    status: Option<u16>,
    error: &str,
) -> QueryResult<()> {
    let error: String = error.chars().take(500).collect();
    let attempt = usize::try_from(sub.failures).unwrap_or(0);
    let (next, disabled) = match RETRIES.get(attempt) {
        Some(seconds) => (now + chrono::Duration::seconds(*seconds), None),
        None => (now, Some(now)),
    };
    conn.transaction(|conn| {
        diesel::sql_query(
            "UPDATE event_subscriptions SET failures = failures + 1, next_attempt_at = $3, disabled_at = $4, \
                    last_error = $5, lease_until = NULL, leased_by = NULL \
             WHERE id = $1 AND leased_by = $2",
        )
        .bind::<BigInt, _>(sub.id)
        .bind::<Text, _>(worker)
        .bind::<Timestamptz, _>(next)
        .bind::<Nullable<Timestamptz>, _>(disabled)
        .bind::<Text, _>(&error)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO event_deliveries (subscription_id, event_seq, outcome, status_code, error) \
             VALUES ($1, $2, 'failed', $3, $4)",
        )
        .bind::<BigInt, _>(sub.id)
        .bind::<Nullable<BigInt>, _>(seq)
        .bind::<Nullable<diesel::sql_types::Integer>, _>(status.map(i32::from))
        .bind::<Text, _>(&error)
        .execute(conn)?;
        Ok(())
    })
}

/// Moves a subscription's cursor past events it may not see (up to the last one looked at, and
/// past newer ones none of which are its), so they are not looked at again.
pub fn skip_to_end(conn: &mut PgConnection, worker: &str, id: i64, seen: i64) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE event_subscriptions SET cursor = greatest(cursor, $3) WHERE id = $1 AND leased_by = $2",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(worker)
    .bind::<BigInt, _>(seen)
    .execute(conn)
    .map(|_| ())
}

/// Lets a subscription go after a round that went well.
pub fn release(conn: &mut PgConnection, worker: &str, id: i64) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE event_subscriptions SET lease_until = NULL, leased_by = NULL WHERE id = $1 AND leased_by = $2",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(worker)
    .execute(conn)
    .map(|_| ())
}

/// The event that checks a new subscription's endpoint (Altinn's).
pub fn validation_event(base: &str, sub: &Subscription) -> CloudEvent {
    CloudEvent {
        id: Uuid::now_v7(),
        specversion: "1.0",
        kind: "platform.events.validatesubscription".to_owned(),
        source: format!("{base}/events/api/v1/subscriptions/{}", sub.id),
        resource: String::new(),
        resourceinstance: Uuid::nil(),
        subject: String::new(),
        alternativesubject: String::new(),
        time: Utc::now(),
        data: None,
        sequencenumber: 0,
    }
}

/// The signature of a delivery's body: HMAC-SHA256 with the subscription's secret, hex.
pub fn signature(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Webhook figures for `/metrics`: deliveries by outcome (all nodes), the events not yet
/// delivered to active subscriptions, the events not yet given a position, and the subscriptions
/// marked failing.
#[derive(QueryableByName, Debug, Clone, Copy, Default)]
pub struct Figures {
    #[diesel(sql_type = BigInt)]
    pub delivered: i64,
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
    #[diesel(sql_type = BigInt)]
    pub behind: i64,
    #[diesel(sql_type = BigInt)]
    pub unplaced: i64,
    #[diesel(sql_type = BigInt)]
    pub failing: i64,
}

pub fn figures(conn: &mut PgConnection) -> QueryResult<Figures> {
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM event_deliveries WHERE outcome = 'delivered') AS delivered, \
                (SELECT count(*) FROM event_deliveries WHERE outcome = 'failed') AS failed, \
                coalesce((SELECT sum(greatest((SELECT coalesce(max(position), 0) FROM outbox_events) - cursor, 0)) \
                          FROM event_subscriptions WHERE deleted_at IS NULL AND disabled_at IS NULL), 0)::bigint AS behind, \
                (SELECT count(*) FROM outbox_events WHERE position IS NULL) AS unplaced, \
                (SELECT count(*) FROM event_subscriptions WHERE deleted_at IS NULL AND disabled_at IS NOT NULL) AS failing",
    )
    .get_result(conn)
}

/// A recent delivery, for the service owner's page.
#[derive(QueryableByName, Debug, Clone)]
pub struct Delivery {
    #[diesel(sql_type = BigInt)]
    pub subscription_id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub event_type: Option<String>,
    #[diesel(sql_type = Text)]
    pub outcome: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Integer>)]
    pub status_code: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
}

/// The newest deliveries to the organisation's subscriptions.
pub fn recent_deliveries(
    conn: &mut PgConnection,
    org: i64,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    diesel::sql_query(
        "SELECT d.subscription_id, CASE WHEN d.event_seq IS NULL THEN 'platform.events.validatesubscription' ELSE e.type END AS event_type, \
                d.outcome, d.status_code, d.error, d.at \
         FROM event_deliveries d JOIN event_subscriptions s ON s.id = d.subscription_id \
         LEFT JOIN outbox_events e ON e.position = d.event_seq \
         WHERE s.consumer_org = $1 ORDER BY d.id DESC LIMIT $2",
    )
    .bind::<BigInt, _>(org)
    .bind::<BigInt, _>(limit)
    .load(conn)
}
