//! One message: what the page shows, and what opening, downloading, confirming and moving record.

use crate::db::Prepared;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::access::decision::Actor;
use crate::db::schema::{correspondence_events, correspondences, recipient_label_events, seen_log};
use crate::domain::{Language, Status};
use crate::notify::outbox::MASKED_ADDRESS;

#[derive(QueryableByName, Debug, Clone)]
pub struct Message {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Text)]
    pub sender: String,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Text)]
    pub service_id: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = Timestamptz)]
    pub published_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub confirmation_needed: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    pub folder: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub reply_links: serde_json::Value,
    #[diesel(sql_type = Text)]
    pub recipient_kind: crate::domain::PartyKind,
    #[diesel(sql_type = Nullable<Text>)]
    pub recipient_org_number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub recipient_national_id: Option<String>,
}

/// Everything the message page shows of a message, read by one statement: the message and its
/// recipient, its published attachments, who has seen it and its activity log.
pub struct Page {
    pub message: Message,
    pub attachments: Vec<Attachment>,
    pub seen: Vec<Seen>,
    pub activity: Vec<Activity>,
}

#[derive(QueryableByName)]
struct PageRow {
    #[diesel(embed)]
    message: Message,
    #[diesel(sql_type = diesel::sql_types::Json)]
    attachments: serde_json::Value,
    #[diesel(sql_type = diesel::sql_types::Json)]
    seen: serde_json::Value,
    #[diesel(sql_type = diesel::sql_types::Json)]
    activity: serde_json::Value,
}

/// The lists of the page travel as JSON arrays inside the one row.
fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> QueryResult<T> {
    serde_json::from_value(value).map_err(|e| diesel::result::Error::DeserializationError(e.into()))
}

pub fn page(conn: &mut PgConnection, id: Uuid, lang: Language) -> QueryResult<Page> {
    let l = lang.code();
    let row: PageRow = Prepared(diesel::sql_query(format!(
        "SELECT c.id, c.title, c.summary, c.body, coalesce(c.display_sender, c.sender_name) AS sender, r.name AS recipient, \
                c.service_id, s.title_{l} AS service, c.published_at, c.due_at, c.status, c.confirmation_needed, \
                c.confirmed_at, c.folder, c.reply_links, r.kind AS recipient_kind, \
                r.org_number AS recipient_org_number, r.national_id AS recipient_national_id, \
                (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'media_type', a.media_type, \
                            'size_bytes', a.size_bytes, 'storage_key', a.storage_key) ORDER BY ca.position, a.name), '[]') \
                 FROM correspondence_attachments ca JOIN attachments a ON a.id = ca.attachment_id \
                 WHERE ca.correspondence_id = c.id AND a.state = 'published') AS attachments, \
                (SELECT coalesce(json_agg(json_build_object('person_id', sl.person_id, 'name', p.name, \
                            'first_seen_at', sl.first_seen_at) ORDER BY sl.first_seen_at), '[]') \
                 FROM seen_log sl JOIN parties p ON p.id = sl.person_id WHERE sl.correspondence_id = c.id) AS seen, \
                (SELECT coalesce(json_agg(x ORDER BY x.at), '[]') FROM ( \
                   SELECT e.occurred_at AS at, e.status AS what, coalesce(p.name, sp.name) AS who, NULL::text AS address \
                   FROM correspondence_events e LEFT JOIN parties p ON p.id = e.actor_person_id \
                   LEFT JOIN parties sp ON e.actor_system LIKE '0192:%' AND sp.org_number = substr(e.actor_system, 6) \
                   WHERE e.correspondence_id = c.id AND e.status NOT IN ('Initialized', 'ReadyForPublish') \
                   UNION ALL \
                   SELECT coalesce(n.sent_at, n.updated_at), 'notification:' || n.kind || ':' || n.channel || ':' || n.state, \
                          NULL, {MASKED_ADDRESS} \
                   FROM notifications n WHERE n.correspondence_id = c.id AND n.state IN ('sent', 'delivered', 'failed')) x) AS activity \
         FROM correspondences c JOIN services s ON s.id = c.service_id JOIN parties r ON r.id = c.recipient_id \
         WHERE c.id = $1"
    ))
    .bind::<SqlUuid, _>(id))
    .get_result(conn)?;
    Ok(Page {
        message: row.message,
        attachments: from_json(row.attachments)?,
        seen: from_json(row.seen)?,
        activity: from_json(row.activity)?,
    })
}

/// The message's title and folder, without loading its body.
pub fn title_and_folder(conn: &mut PgConnection, id: Uuid) -> QueryResult<(String, String)> {
    correspondences::table
        .find(id)
        .select((correspondences::title, correspondences::folder))
        .first(conn)
}

#[derive(QueryableByName, serde::Deserialize, Debug, Clone)]
pub struct Attachment {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub media_type: String,
    #[diesel(sql_type = BigInt)]
    pub size_bytes: i64,
    #[diesel(sql_type = Text)]
    pub storage_key: String,
}

pub fn attachments(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<Attachment>> {
    Prepared(diesel::sql_query(
        "SELECT a.id, a.name, a.media_type, a.size_bytes, a.storage_key FROM correspondence_attachments ca \
         JOIN attachments a ON a.id = ca.attachment_id WHERE ca.correspondence_id = $1 AND a.state = 'published' \
         ORDER BY ca.position, a.name",
    )
    .bind::<SqlUuid, _>(id))
    .load(conn)
}

/// Who acts on a message for its recipient: a person in the inbox, or an organisation's system
/// through the API (named `0192:<org number>` in the status history).
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    Person(i64),
    System(&'a str),
}

impl From<Actor> for By<'static> {
    fn from(actor: Actor) -> Self {
        By::Person(actor.person_id)
    }
}

/// Appends an event and moves the current status forward if the event is a state ahead of it.
fn record<'a>(
    conn: &mut PgConnection,
    id: Uuid,
    event: Status,
    by: impl Into<By<'a>>,
    party: i64,
) -> QueryResult<()> {
    let (person, system) = match by.into() {
        By::Person(p) => (Some(p), None),
        By::System(s) => (None, Some(s)),
    };
    let current: String = correspondences::table
        .find(id)
        .select(correspondences::status)
        .for_update()
        .first(conn)?;
    let current: Status = current.parse().unwrap_or(Status::Published);
    let next = current.advance(event);
    diesel::insert_into(correspondence_events::table)
        .values((
            correspondence_events::correspondence_id.eq(id),
            correspondence_events::status.eq(event.as_str()),
            correspondence_events::actor_person_id.eq(person),
            correspondence_events::actor_party_id.eq(party),
            correspondence_events::actor_system.eq(system),
        ))
        .execute(conn)?;
    if next != current {
        diesel::update(correspondences::table.find(id))
            .set((
                correspondences::status.eq(next.as_str()),
                correspondences::status_changed_at.eq(Utc::now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Opening: the seen log (for a person; its last-seen time kept to the minute); Fetched and
/// Read the first time anyone acting for the party opens it; "marked unread" is cleared.
///
/// A message opened before, by this person within the minute and not marked unread, changes
/// nothing: one statement that writes nothing, no transaction. Page views of read mail, the
/// common case, then cost the database no write and no commit.
pub fn record_open<'a>(
    conn: &mut PgConnection,
    id: Uuid,
    by: impl Into<By<'a>>,
    party: i64,
) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Unchanged {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        unchanged: bool,
    }
    let by = by.into();
    let person = match by {
        By::Person(p) => Some(p),
        By::System(_) => None,
    };
    let quick = Prepared(
        diesel::sql_query(
            "SELECT c.first_read_at IS NOT NULL AND NOT c.marked_unread \
                    AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM seen_log s \
                        WHERE s.correspondence_id = c.id AND s.person_id = $2 \
                          AND s.last_seen_at > now() - interval '1 minute')) AS unchanged \
             FROM correspondences c WHERE c.id = $1",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<BigInt>, _>(person),
    )
    .get_result::<Unchanged>(conn)
    .optional()?;
    if quick.is_some_and(|q| q.unchanged) {
        return Ok(());
    }
    conn.transaction(|conn| {
        if let Some(person) = person {
            diesel::insert_into(seen_log::table)
                .values((
                    seen_log::correspondence_id.eq(id),
                    seen_log::person_id.eq(person),
                ))
                .on_conflict((seen_log::correspondence_id, seen_log::person_id))
                .do_update()
                .set(seen_log::last_seen_at.eq(Utc::now()))
                .execute(conn)?;
        }
        let first = diesel::update(
            correspondences::table
                .find(id)
                .filter(correspondences::first_read_at.is_null()),
        )
        .set((
            correspondences::first_read_at.eq(Utc::now()),
            correspondences::marked_unread.eq(false),
        ))
        .execute(conn)?;
        if first == 1 {
            record(conn, id, Status::Fetched, by, party)?;
            record(conn, id, Status::Read, by, party)?;
            // Opened: the reminder is not needed (the worker checks again before sending).
            crate::notify::outbox::cancel_reminders(conn, id)?;
        } else {
            diesel::update(
                correspondences::table
                    .find(id)
                    .filter(correspondences::marked_unread),
            )
            .set(correspondences::marked_unread.eq(false))
            .execute(conn)?;
        }
        Ok(())
    })
}

pub fn record_download<'a>(
    conn: &mut PgConnection,
    id: Uuid,
    by: impl Into<By<'a>>,
    party: i64,
) -> QueryResult<()> {
    let by = by.into();
    conn.transaction(|conn| record(conn, id, Status::AttachmentsDownloaded, by, party))
}

/// A system fetched the message: one Fetched event per system (a person's opening records it
/// with Read instead).
pub fn record_fetch(
    conn: &mut PgConnection,
    id: Uuid,
    system: &str,
    party: i64,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        let before = diesel::select(diesel::dsl::exists(
            correspondence_events::table
                .filter(correspondence_events::correspondence_id.eq(id))
                .filter(correspondence_events::status.eq(Status::Fetched.as_str()))
                .filter(correspondence_events::actor_system.eq(system)),
        ))
        .get_result::<bool>(conn)?;
        if before {
            return Ok(());
        }
        record(conn, id, Status::Fetched, By::System(system), party)
    })
}

/// The recipient deletes the message for good (it leaves every view of the party's); only once
/// it is confirmed, when confirmation is needed. `false` when that is not allowed yet.
pub fn purge_by_recipient(
    conn: &mut PgConnection,
    id: Uuid,
    system: &str,
    party: i64,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let allowed = diesel::select(diesel::dsl::exists(
            correspondences::table.find(id).filter(
                correspondences::confirmation_needed
                    .eq(false)
                    .or(correspondences::confirmed_at.is_not_null()),
            ),
        ))
        .get_result::<bool>(conn)?;
        if allowed {
            record(
                conn,
                id,
                Status::PurgedByRecipient,
                By::System(system),
                party,
            )?;
            crate::notify::outbox::cancel_reminders(conn, id)?;
        }
        Ok(allowed)
    })
}

/// Confirms the message once; `false` when it needs no confirmation or is confirmed already.
pub fn confirm<'a>(
    conn: &mut PgConnection,
    id: Uuid,
    by: impl Into<By<'a>>,
    party: i64,
) -> QueryResult<bool> {
    let by = by.into();
    conn.transaction(|conn| {
        let changed = diesel::update(
            correspondences::table
                .find(id)
                .filter(correspondences::confirmation_needed)
                .filter(correspondences::confirmed_at.is_null()),
        )
        .set(correspondences::confirmed_at.eq(Utc::now()))
        .execute(conn)?;
        if changed == 1 {
            record(conn, id, Status::Confirmed, by, party)?;
        }
        Ok(changed == 1)
    })
}

/// Moves the message to a folder for everyone acting for the party, and logs who did it.
pub fn move_to(
    conn: &mut PgConnection,
    id: Uuid,
    folder: &str,
    actor: Actor,
    party: i64,
) -> QueryResult<bool> {
    let action = match folder {
        "inbox" => "to_inbox",
        "archive" => "to_archive",
        "bin" => "to_bin",
        _ => return Ok(false),
    };
    conn.transaction(|conn| {
        let changed = diesel::update(
            correspondences::table
                .find(id)
                .filter(correspondences::folder.ne(folder)),
        )
        .set(correspondences::folder.eq(folder))
        .execute(conn)?;
        if changed == 1 {
            diesel::insert_into(recipient_label_events::table)
                .values((
                    recipient_label_events::correspondence_id.eq(id),
                    recipient_label_events::person_id.eq(actor.person_id),
                    recipient_label_events::action.eq(action),
                ))
                .execute(conn)?;
            if folder == "archive" {
                record(conn, id, Status::Archived, actor, party)?;
            }
        }
        Ok(changed == 1)
    })
}

#[derive(serde::Deserialize, Debug, Clone)]
pub struct Seen {
    pub person_id: i64,
    pub name: String,
    pub first_seen_at: DateTime<Utc>,
}

/// One line of the activity log: a status event or a notification outcome.
#[derive(serde::Deserialize, Debug, Clone)]
pub struct Activity {
    pub at: DateTime<Utc>,
    /// A status, or `notification:<kind>:<channel>:<state>`.
    pub what: String,
    pub who: Option<String>,
    /// The notification address, masked.
    pub address: Option<String>,
}

/// What a bulk action does to the selected messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    MarkRead,
    MarkUnread,
    Move(&'static str),
}

impl Bulk {
    pub fn parse(action: &str) -> Option<Self> {
        match action {
            "read" => Some(Bulk::MarkRead),
            "unread" => Some(Bulk::MarkUnread),
            "inbox" => Some(Bulk::Move("inbox")),
            "archive" => Some(Bulk::Move("archive")),
            "bin" => Some(Bulk::Move("bin")),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Bulk::MarkRead => "read",
            Bulk::MarkUnread => "unread",
            Bulk::Move(folder) => folder,
        }
    }
}

/// At most this many messages per bulk action.
pub const BULK_LIMIT: usize = 100;

/// Applies `action` to those of `ids` the actor may read for the party (the others are ignored,
/// as if they did not exist); returns how many changed.
pub fn bulk(
    conn: &mut PgConnection,
    ids: &[Uuid],
    action: Bulk,
    actor: Actor,
    party: i64,
) -> QueryResult<usize> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    conn.transaction(|conn| {
        let allowed: Vec<Id> = diesel::sql_query("SELECT c.id FROM correspondences c JOIN services s ON s.id = c.service_id \
             WHERE c.id = ANY ($1) AND c.recipient_id = $2 AND delivered(c.published_at, c.status) AND s.min_login_level <= $4 \
               AND c.service_id IN (SELECT service_id FROM readable_service_ids($3, $2)) FOR UPDATE OF c")
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
        .bind::<BigInt, _>(party)
        .bind::<BigInt, _>(actor.person_id)
        .bind::<diesel::sql_types::SmallInt, _>(actor.level.number())
        .load(conn)?;
        let mut changed = 0;
        for Id { id } in allowed {
            let did = match action {
                Bulk::Move(folder) => move_to(conn, id, folder, actor, party)?,
                Bulk::MarkUnread => {
                    let n = diesel::update(correspondences::table.find(id).filter(correspondences::marked_unread.eq(false)))
                        .set(correspondences::marked_unread.eq(true))
                        .execute(conn)?;
                    if n == 1 {
                        label(conn, id, "marked_unread", actor)?;
                    }
                    n == 1
                }
                Bulk::MarkRead => {
                    let was_unread: bool = correspondences::table
                        .find(id)
                        .select(correspondences::first_read_at.is_null().or(correspondences::marked_unread))
                        .first(conn)?;
                    if was_unread {
                        let first = diesel::update(correspondences::table.find(id).filter(correspondences::first_read_at.is_null()))
                            .set(correspondences::first_read_at.eq(Utc::now()))
                            .execute(conn)?;
                        diesel::update(correspondences::table.find(id)).set(correspondences::marked_unread.eq(false)).execute(conn)?;
                        if first == 1 {
                            record(conn, id, Status::Read, actor, party)?;
                            crate::notify::outbox::cancel_reminders(conn, id)?;
                        }
                        label(conn, id, "marked_read", actor)?;
                    }
                    was_unread
                }
            };
            changed += usize::from(did);
        }
        Ok(changed)
    })
}

fn label(conn: &mut PgConnection, id: Uuid, action: &str, actor: Actor) -> QueryResult<()> {
    diesel::insert_into(recipient_label_events::table)
        .values((
            recipient_label_events::correspondence_id.eq(id),
            recipient_label_events::person_id.eq(actor.person_id),
            recipient_label_events::action.eq(action),
        ))
        .execute(conn)
        .map(|_| ())
}
