//! Demo messages in every status, with their event history, seen log, attachments and
//! notification outcomes, written with COPY in batches.

use chrono::{DateTime, Datelike, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use fastrand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::content;
use super::world::{Audience, DELETED_ORG, FJELLVIK_CHILD_WELFARE, SERVICES, ServiceDef};
use crate::db::schema::*;

#[derive(QueryableByName)]
struct RecipientRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_deleted: bool,
    #[diesel(sql_type = Bool)]
    reserved: bool,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    mobile: Option<String>,
    /// For an organisation: a person who reads its mail (for events and the seen log).
    #[diesel(sql_type = Nullable<BigInt>)]
    reader: Option<i64>,
}

struct LoadedService {
    def: &'static ServiceDef,
    owner_id: i64,
    owner_name: String,
    attachments: Vec<Uuid>,
    sending_id: Uuid,
}

/// What the generator draws from, loaded from the database so a later run can add more mail.
pub struct World {
    persons: Vec<RecipientRow>,
    orgs: Vec<RecipientRow>,
    services: Vec<LoadedService>,
}

impl World {
    pub fn load(
        conn: &mut PgConnection,
        storage: &crate::storage::Storage,
    ) -> anyhow::Result<Self> {
        let persons = diesel::sql_query(
            "SELECT p.id, p.name, p.is_deleted, coalesce(c.is_reserved, false) AS reserved, c.email, c.mobile, \
                    NULL::bigint AS reader \
             FROM parties p LEFT JOIN contact_points c ON c.person_id = p.id \
             WHERE p.kind = 'person' ORDER BY p.id",
        )
        .load::<RecipientRow>(conn)?;
        let orgs = diesel::sql_query(
            "SELECT p.id, p.name, p.is_deleted, false AS reserved, \
                    (SELECT a.address FROM org_notification_addresses a WHERE a.org_id = p.id AND a.channel = 'email' LIMIT 1) AS email, \
                    (SELECT a.address FROM org_notification_addresses a WHERE a.org_id = p.id AND a.channel = 'sms' LIMIT 1) AS mobile, \
                    (SELECT r.person_id FROM er_roles r WHERE r.org_id = coalesce(p.parent_id, p.id) \
                       AND r.role_code IN ('DAGL', 'INNH', 'DTSO') ORDER BY r.role_code LIMIT 1) AS reader \
             FROM parties p WHERE p.kind = 'organization' \
               AND NOT (p.org_form = 'ORGL' AND EXISTS (SELECT 1 FROM service_owners o WHERE o.party_id = p.id)) \
             ORDER BY p.id",
        )
        .load::<RecipientRow>(conn)?;
        let owners: Vec<(i64, String, String)> = service_owners::table
            .inner_join(parties::table)
            .select((parties::id, service_owners::short_name, parties::name))
            .load(conn)?;
        let mut services = Vec::new();
        for def in SERVICES {
            let Some((owner_id, _, owner_name)) =
                owners.iter().find(|(_, short, _)| short == def.owner)
            else {
                continue;
            };
            let attachments = ensure_attachments(conn, storage, *owner_id, def)?;
            services.push(LoadedService {
                def,
                owner_id: *owner_id,
                owner_name: owner_name.clone(),
                attachments,
                sending_id: Uuid::now_v7(),
            });
        }
        anyhow::ensure!(
            !persons.is_empty() && !orgs.is_empty() && !services.is_empty(),
            "the demo world is empty"
        );
        Ok(World {
            persons,
            orgs,
            services,
        })
    }

    /// One sending per service for this run.
    pub fn insert_sendings(&self, conn: &mut PgConnection) -> QueryResult<()> {
        let rows: Vec<_> = self
            .services
            .iter()
            .map(|s| {
                (
                    sendings::id.eq(s.sending_id),
                    sendings::service_id.eq(s.def.id),
                    sendings::sender_id.eq(s.owner_id),
                    sendings::channel.eq("seed"),
                    sendings::notification_channel.eq("EmailPreferred"),
                )
            })
            .collect();
        diesel::insert_into(sendings::table)
            .values(&rows)
            .execute(conn)?;
        Ok(())
    }
}

/// Three documents per service, in storage.
fn ensure_attachments(
    conn: &mut PgConnection,
    storage: &crate::storage::Storage,
    owner: i64,
    def: &ServiceDef,
) -> anyhow::Result<Vec<Uuid>> {
    let prefix = format!("seed/{}/", def.id);
    let existing: Vec<Uuid> = attachments::table
        .filter(attachments::storage_key.like(format!("{prefix}%")))
        .select(attachments::id)
        .order(attachments::storage_key)
        .load(conn)?;
    if !existing.is_empty() {
        return Ok(existing);
    }
    let documents: [(&str, &str, Vec<u8>); 3] = [
        (
            "vedtak.pdf",
            "application/pdf",
            content::pdf(&[
                def.titles[2],
                "",
                "This document is part of the melding demo.",
            ]),
        ),
        (
            "oversikt.csv",
            "text/csv",
            b"periode;belop\n2026-01;1200\n2026-02;1350\n".to_vec(),
        ),
        (
            "orientering.txt",
            "text/plain",
            format!("{}\n\nOrientering om saken.\n", def.titles[0]).into_bytes(),
        ),
    ];
    let mut ids = Vec::new();
    for (i, (name, media_type, bytes)) in documents.into_iter().enumerate() {
        let id = Uuid::now_v7();
        let key = format!("{prefix}{i}-{id}");
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        let size = i64::try_from(bytes.len())?;
        storage.put_blocking(&key, bytes.into())?;
        diesel::insert_into(attachments::table)
            .values((
                attachments::id.eq(id),
                attachments::owner_id.eq(owner),
                attachments::name.eq(name),
                attachments::media_type.eq(media_type),
                attachments::size_bytes.eq(size),
                attachments::sha256.eq(sha256),
                attachments::storage_key.eq(&key),
                attachments::state.eq("published"),
                attachments::uploaded_at.eq(Utc::now()),
            ))
            .execute(conn)?;
        ids.push(id);
    }
    Ok(ids)
}

#[derive(Insertable)]
#[diesel(table_name = correspondences, treat_none_as_default_value = false)]
struct NewCorrespondence {
    id: Uuid,
    sending_id: Uuid,
    service_id: &'static str,
    sender_id: i64,
    sender_name: String,
    display_sender: Option<String>,
    senders_reference: String,
    recipient_id: i64,
    language: &'static str,
    title: String,
    summary: Option<String>,
    body: String,
    published_at: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
    confirmation_needed: bool,
    is_confidential: bool,
    reply_links: serde_json::Value,
    external_references: serde_json::Value,
    properties: serde_json::Value,
    status: &'static str,
    status_changed_at: DateTime<Utc>,
    failure_reason: Option<&'static str>,
    folder: &'static str,
    first_read_at: Option<DateTime<Utc>>,
    marked_unread: bool,
    confirmed_at: Option<DateTime<Utc>>,
    attachment_count: i16,
    created_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = correspondence_events, treat_none_as_default_value = false)]
struct NewEvent {
    correspondence_id: Uuid,
    status: &'static str,
    actor_person_id: Option<i64>,
    actor_party_id: Option<i64>,
    actor_system: Option<&'static str>,
    details: Option<&'static str>,
    occurred_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = notifications, treat_none_as_default_value = false)]
struct NewNotification {
    correspondence_id: Uuid,
    kind: &'static str,
    channel: &'static str,
    address: String,
    person_id: Option<i64>,
    state: &'static str,
    attempts: i32,
    run_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    provider_id: Option<String>,
    failure_reason: Option<&'static str>,
    sent_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = seen_log, treat_none_as_default_value = false)]
struct NewSeen {
    correspondence_id: Uuid,
    person_id: i64,
    first_seen_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = correspondence_attachments, treat_none_as_default_value = false)]
struct NewLink {
    correspondence_id: Uuid,
    attachment_id: Uuid,
    position: i16,
}

/// Rows for one batch, written together.
#[derive(Default)]
pub struct Batch {
    messages: Vec<NewCorrespondence>,
    events: Vec<NewEvent>,
    notifications: Vec<NewNotification>,
    seen: Vec<NewSeen>,
    links: Vec<NewLink>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// COPY everything in; the caller decides the transaction.
    pub fn write(self, conn: &mut PgConnection) -> QueryResult<usize> {
        let n = self.messages.len();
        diesel::copy_from(correspondences::table)
            .from_insertable(&self.messages)
            .execute(conn)?;
        diesel::copy_from(correspondence_events::table)
            .from_insertable(&self.events)
            .execute(conn)?;
        diesel::copy_from(notifications::table)
            .from_insertable(&self.notifications)
            .execute(conn)?;
        diesel::copy_from(seen_log::table)
            .from_insertable(&self.seen)
            .execute(conn)?;
        diesel::copy_from(correspondence_attachments::table)
            .from_insertable(&self.links)
            .execute(conn)?;
        Ok(n)
    }
}

/// Who receives the next message.
#[derive(Clone, Copy)]
pub enum Target {
    /// Anyone, persons and organisations about equally.
    Anyone,
    /// A specific party by name (personas' organisations) or index.
    Named(&'static str),
    Person(usize),
}

impl World {
    pub fn person_index_by_name(&self, name: &str) -> Option<usize> {
        self.persons.iter().position(|p| p.name == name)
    }

    fn pick_recipient(&self, rng: &mut Rng, target: Target) -> Option<(&RecipientRow, bool)> {
        match target {
            Target::Person(i) => self.persons.get(i).map(|p| (p, true)),
            Target::Named(name) => self
                .orgs
                .iter()
                .find(|o| o.name == name)
                .map(|o| (o, false)),
            Target::Anyone => {
                if rng.bool() {
                    self.persons
                        .get(rng.usize(..self.persons.len()))
                        .map(|p| (p, true))
                } else {
                    self.orgs
                        .get(rng.usize(..self.orgs.len()))
                        .map(|o| (o, false))
                }
            }
        }
    }

    /// Adds one message (with its history) for `target` to `batch`; `service` narrows the choice.
    pub fn add_message(
        &self,
        rng: &mut Rng,
        batch: &mut Batch,
        target: Target,
        service: Option<&str>,
        now: DateTime<Utc>,
    ) {
        let Some((recipient, is_person)) = self.pick_recipient(rng, target) else {
            return;
        };
        let candidates: Vec<&LoadedService> = self
            .services
            .iter()
            .filter(|s| service.is_none_or(|id| s.def.id == id))
            .filter(|s| match s.def.audience {
                Audience::Both => true,
                Audience::Persons => is_person,
                Audience::Organizations => !is_person,
            })
            .filter(|s| service.is_some() || !s.def.confidential)
            .collect();
        let Some(service) = candidates
            .get(rng.usize(..candidates.len().max(1)))
            .copied()
        else {
            return;
        };
        let def = service.def;

        // Recent mail is more common than old mail.
        let age_days = (rng.f64().powi(2) * 730.0) as i64;
        let mut published_at = now - Duration::days(age_days) - Duration::minutes(rng.i64(0..1440));
        let id = Uuid::now_v7();
        let (title, summary, body) = content::message(rng, def.id, published_at.year());
        let body = body.replace("{{recipientName}}", &recipient.name);
        let has_attachments = rng.u8(0..10) < 3 || def.confidential;
        let confirmation_needed = def.confirm && rng.u8(0..10) < 8;
        let due_at = (confirmation_needed || rng.u8(0..10) < 2)
            .then(|| published_at + Duration::days(rng.i64(7..45)));

        let mut status = "Published";
        let mut failure_reason = None;
        let mut folder = "inbox";
        let mut first_read_at = None;
        let mut confirmed_at = None;
        let reader = if is_person {
            Some(recipient.id)
        } else {
            recipient.reader
        };
        let mut events = vec![
            ("Initialized", published_at - Duration::minutes(2)),
            ("ReadyForPublish", published_at - Duration::minutes(1)),
        ];
        let roll = rng.u16(0..1000);
        let unreadable = def.confidential && target_is_named(target);

        if recipient.is_deleted || recipient.name == DELETED_ORG {
            status = "Failed";
            failure_reason = Some("The recipient is deleted from the business register");
            events.push(("Failed", published_at));
        } else if is_person && recipient.reserved {
            status = "Reserved";
            events.push(("Published", published_at));
            events.push(("Reserved", published_at));
        } else if roll < 15 && !unreadable {
            // Scheduled for later.
            published_at = now + Duration::days(rng.i64(1..30));
            status = "ReadyForPublish";
            events.truncate(2);
            events[0].1 = now - Duration::hours(1);
            events[1].1 = now - Duration::minutes(59);
        } else if roll < 20 && !unreadable {
            published_at = now + Duration::days(rng.i64(1..10));
            status = "Initialized";
            events.truncate(1);
            events[0].1 = now - Duration::minutes(30);
        } else if roll < 25 && !unreadable {
            published_at = now + Duration::days(rng.i64(1..10));
            status = "PurgedByService";
            events.truncate(2);
            events.push(("PurgedByService", now - Duration::minutes(10)));
        } else {
            events.push(("Published", published_at));
            let unread_chance = if age_days < 14 { 600 } else { 150 };
            if !unreadable && rng.u16(0..1000) >= unread_chance {
                let read_at = published_at + Duration::minutes(rng.i64(5..4320));
                let read_at = read_at.min(now);
                first_read_at = Some(read_at);
                status = "Read";
                events.push(("Fetched", read_at));
                events.push(("Read", read_at));
                if has_attachments && rng.bool() {
                    events.push(("AttachmentsDownloaded", read_at + Duration::minutes(1)));
                }
                if confirmation_needed && rng.u8(0..10) < 7 {
                    let at = (read_at + Duration::minutes(3)).min(now);
                    confirmed_at = Some(at);
                    status = "Confirmed";
                    events.push(("Confirmed", at));
                } else if rng.u8(0..50) == 0 {
                    status = "Replied";
                    events.push(("Replied", (read_at + Duration::hours(2)).min(now)));
                }
                let place = rng.u8(0..100);
                if place < 25 {
                    folder = "archive";
                    status = "Archived";
                    events.push(("Archived", (read_at + Duration::days(1)).min(now)));
                } else if place < 29 {
                    folder = "bin";
                } else if place < 30 && (!confirmation_needed || confirmed_at.is_some()) {
                    folder = "bin";
                    status = "PurgedByRecipient";
                    events.push(("PurgedByRecipient", (read_at + Duration::days(2)).min(now)));
                }
            }
        }

        let published = events.iter().any(|(s, _)| *s == "Published") && status != "Reserved";
        let actor = |s: &str| {
            matches!(
                s,
                "Fetched"
                    | "Read"
                    | "AttachmentsDownloaded"
                    | "Confirmed"
                    | "Replied"
                    | "Archived"
                    | "PurgedByRecipient"
            )
        };
        for (event, at) in &events {
            let by_reader = actor(event);
            batch.events.push(NewEvent {
                correspondence_id: id,
                status: event,
                actor_person_id: if by_reader { reader } else { None },
                actor_party_id: if by_reader { Some(recipient.id) } else { None },
                actor_system: if by_reader {
                    None
                } else {
                    Some("melding-seed")
                },
                details: if *event == "Failed" {
                    failure_reason
                } else {
                    None
                },
                occurred_at: *at,
            });
        }
        if let (Some(read_at), Some(person)) = (first_read_at, reader) {
            batch.seen.push(NewSeen {
                correspondence_id: id,
                person_id: person,
                first_seen_at: read_at,
                last_seen_at: read_at,
            });
        }
        if published {
            self.add_notifications(rng, batch, id, recipient, published_at, first_read_at, now);
        }
        let mut attachment_count = 0;
        if has_attachments && !service.attachments.is_empty() {
            let n = rng.usize(1..=service.attachments.len());
            for (position, attachment) in service.attachments.iter().take(n).enumerate() {
                batch.links.push(NewLink {
                    correspondence_id: id,
                    attachment_id: *attachment,
                    position: position as i16,
                });
            }
            attachment_count = n as i16;
        }
        let status_changed_at = events.last().map_or(published_at, |(_, at)| *at);
        batch.messages.push(NewCorrespondence {
            id,
            sending_id: service.sending_id,
            service_id: def.id,
            sender_id: service.owner_id,
            sender_name: service.owner_name.clone(),
            display_sender: (def.owner == "politiet" && rng.bool()).then(|| "Politiet".to_owned()),
            senders_reference: format!("{}-{}", def.id, rng.u32(100_000..999_999)),
            recipient_id: recipient.id,
            language: "nb",
            title,
            summary,
            body,
            published_at,
            due_at: due_at.map(|d| d.max(published_at)),
            confirmation_needed,
            is_confidential: def.confidential,
            reply_links: if def.id == "fjellvik-barnehage" {
                json!([{ "url": "https://fjellvik.kommune.example/barnehage/svar", "text": "Svar på tilbudet" }])
            } else {
                json!([])
            },
            external_references: json!([{ "type": "CaseNumber", "value": rng.u32(10_000..99_999).to_string() }]),
            properties: json!({}),
            status,
            status_changed_at,
            failure_reason,
            folder,
            first_read_at,
            marked_unread: first_read_at.is_some() && rng.u8(0..100) == 0,
            confirmed_at,
            attachment_count,
            created_at: events.first().map_or(published_at, |(_, at)| *at),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn add_notifications(
        &self,
        rng: &mut Rng,
        batch: &mut Batch,
        id: Uuid,
        recipient: &RecipientRow,
        published_at: DateTime<Utc>,
        read_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) {
        let (channel, address) = match (&recipient.email, &recipient.mobile) {
            (Some(email), _) => ("email", email.clone()),
            (None, Some(mobile)) => ("sms", mobile.clone()),
            (None, None) => return,
        };
        let sent_at = published_at + Duration::minutes(rng.i64(1..10));
        let fresh = sent_at > now;
        let failed = rng.u8(0..100) < 3;
        batch.notifications.push(NewNotification {
            correspondence_id: id,
            kind: "initial",
            channel,
            address: address.clone(),
            person_id: None,
            state: if fresh {
                "queued"
            } else if failed {
                "failed"
            } else if channel == "sms" {
                "delivered"
            } else {
                "sent"
            },
            attempts: if fresh {
                0
            } else if failed {
                3
            } else {
                1
            },
            run_at: published_at,
            expires_at: published_at + Duration::hours(48),
            provider_id: (!fresh && !failed).then(|| format!("<{id}.initial@melding.demo>")),
            failure_reason: (failed && !fresh).then_some(if channel == "email" {
                "bounced"
            } else {
                "invalid_address"
            }),
            sent_at: (!fresh && !failed).then_some(sent_at),
            delivered_at: (!fresh && !failed && channel == "sms")
                .then_some(sent_at + Duration::seconds(20)),
            created_at: published_at,
            updated_at: if fresh { published_at } else { sent_at },
        });
        let reminder_at = sent_at + Duration::days(7);
        let read_before_reminder = read_at.is_some_and(|r| r < reminder_at);
        let (state, sent) = if read_before_reminder {
            ("cancelled", None)
        } else if reminder_at > now {
            ("queued", None)
        } else {
            ("sent", Some(reminder_at))
        };
        batch.notifications.push(NewNotification {
            correspondence_id: id,
            kind: "reminder",
            channel,
            address,
            person_id: None,
            state,
            attempts: u8::from(sent.is_some()).into(),
            run_at: reminder_at,
            expires_at: reminder_at + Duration::hours(48),
            provider_id: sent.map(|_| format!("<{id}.reminder@melding.demo>")),
            failure_reason: None,
            sent_at: sent,
            delivered_at: None,
            created_at: published_at,
            updated_at: sent.unwrap_or(published_at),
        });
    }
}

fn target_is_named(target: Target) -> bool {
    matches!(target, Target::Named(name) if name == FJELLVIK_CHILD_WELFARE)
}
