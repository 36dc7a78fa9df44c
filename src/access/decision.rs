//! THE authorization decision. Every page, download and API call asks here; the SQL functions
//! from the access migration do the work, so listings and reports authorise in the same query.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, SmallInt, Text, Uuid as SqlUuid};
use uuid::Uuid;

use super::reference::{MAIN_ADMINISTRATOR, ORDINARY_MAIL, SERVICE_OWNER_SEND};
use crate::db::Prepared;
use crate::domain::LoginLevel;

/// Who is asking: a logged-in person at a login level.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub person_id: i64,
    pub level: LoginLevel,
}

/// What a person acting for a party may do with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAccess {
    /// May open it (and its attachments, if `attachments`).
    Read { attachments: bool },
    /// Readable after logging in at a higher level: show the title and a step-up link.
    NeedsLevel(LoginLevel),
    /// Cannot be read by this person, who may still know it exists (holders of ordinary mail
    /// and main administrators): sender, service and date only.
    ExistsOnly,
    /// Does not exist for this person: answer 404.
    Hidden,
}

#[derive(QueryableByName)]
struct MessageFacts {
    #[diesel(sql_type = Bool)]
    addressed: bool,
    #[diesel(sql_type = Bool)]
    delivered: bool,
    #[diesel(sql_type = SmallInt)]
    min_level: i16,
    #[diesel(sql_type = Bool)]
    can_read: bool,
    #[diesel(sql_type = Bool)]
    attachment_right: bool,
    #[diesel(sql_type = Bool)]
    may_know: bool,
}

/// May `actor`, acting for `party`, read `message`?
pub fn message_access(
    conn: &mut PgConnection,
    actor: Actor,
    party: i64,
    message: Uuid,
) -> QueryResult<MessageAccess> {
    // The grants are read through access_grants/readable_service_ids, which PostgreSQL inlines
    // into this one statement (the scalar wrappers can_read_service/holds_package it cannot).
    let facts: Option<MessageFacts> = Prepared(
        diesel::sql_query(format!("SELECT c.recipient_id = $2 AS addressed, delivered(c.published_at, c.status) AS delivered, s.min_login_level AS min_level, \
                    c.service_id IN (SELECT service_id FROM readable_service_ids($1, $2)) AS can_read, \
                    (s.attachment_package_id IS NULL OR EXISTS (SELECT 1 FROM access_grants($1, $2) g \
                        WHERE g.package_id = s.attachment_package_id)) AS attachment_right, \
                    EXISTS (SELECT 1 FROM access_grants($1, $2) g \
                        WHERE g.package_id IN ('{ORDINARY_MAIL}', '{MAIN_ADMINISTRATOR}')) AS may_know \
             FROM correspondences c JOIN services s ON s.id = c.service_id WHERE c.id = $3"))
        .bind::<BigInt, _>(actor.person_id)
        .bind::<BigInt, _>(party)
        .bind::<SqlUuid, _>(message),
    )
    .get_result(conn)
    .optional()?;
    let Some(f) = facts else {
        return Ok(MessageAccess::Hidden);
    };
    if !f.addressed || !f.delivered {
        return Ok(MessageAccess::Hidden);
    }
    let needed = LoginLevel::from_number(f.min_level).unwrap_or(LoginLevel::High);
    Ok(match (f.can_read, actor.level >= needed) {
        (true, true) => MessageAccess::Read {
            attachments: f.attachment_right,
        },
        (true, false) => MessageAccess::NeedsLevel(needed),
        (false, _) if f.may_know => MessageAccess::ExistsOnly,
        (false, _) => MessageAccess::Hidden,
    })
}

#[derive(QueryableByName)]
struct SystemFacts {
    #[diesel(sql_type = Bool)]
    can_read: bool,
    #[diesel(sql_type = Bool)]
    attachment_right: bool,
}

/// May the systems of organisation `org` (an API client) read `message` for its recipient? The
/// system-side twin of [`message_access`]: its own mail, or what the recipient (or its main unit)
/// delegated to the organisation; no login levels, and nothing for a system to merely know of.
pub fn system_message_access(
    conn: &mut PgConnection,
    org: i64,
    message: Uuid,
) -> QueryResult<MessageAccess> {
    let facts: Option<SystemFacts> = Prepared(
        diesel::sql_query("SELECT c.service_id IN (SELECT service_id FROM system_readable_service_ids($1, c.recipient_id)) AS can_read, \
                    system_attachment_right($1, c.recipient_id, s.attachment_package_id) AS attachment_right \
             FROM correspondences c JOIN services s ON s.id = c.service_id WHERE c.id = $2 AND delivered(c.published_at, c.status)")
        .bind::<BigInt, _>(org)
        .bind::<SqlUuid, _>(message),
    )
    .get_result(conn)
    .optional()?;
    Ok(match facts {
        Some(f) if f.can_read => MessageAccess::Read {
            attachments: f.attachment_right,
        },
        _ => MessageAccess::Hidden,
    })
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    ok: bool,
}

fn flag(
    query: diesel::query_builder::BoxedSqlQuery<
        '_,
        diesel::pg::Pg,
        diesel::query_builder::SqlQuery,
    >,
    conn: &mut PgConnection,
) -> QueryResult<bool> {
    query.get_result::<Flag>(conn).map(|f| f.ok)
}

/// May the person act for the party at all (themself, or any package or service held for it)?
pub fn may_act_for(conn: &mut PgConnection, person: i64, party: i64) -> QueryResult<bool> {
    Prepared(
        diesel::sql_query("SELECT ($1 = $2) OR EXISTS (SELECT 1 FROM access_grants($1, $2)) AS ok")
            .bind::<BigInt, _>(person)
            .bind::<BigInt, _>(party),
    )
    .get_result::<Flag>(conn)
    .map(|f| f.ok)
}

/// May the person send messages in the service (the owner's sending package, delegated)?
pub fn may_send(conn: &mut PgConnection, person: i64, service: &str) -> QueryResult<bool> {
    flag(
        diesel::sql_query(format!(
            "SELECT EXISTS (SELECT 1 FROM services s WHERE s.id = $2 AND s.is_active \
               AND holds_package($1, s.owner_id, '{SERVICE_OWNER_SEND}')) AS ok"
        ))
        .into_boxed()
        .bind::<BigInt, _>(person)
        .bind::<Text, _>(service.to_owned()),
        conn,
    )
}

/// May the person administer access for the party (main administrator or access manager)?
pub fn may_administer(conn: &mut PgConnection, person: i64, party: i64) -> QueryResult<bool> {
    flag(
        diesel::sql_query("SELECT may_administer($1, $2) AS ok")
            .into_boxed()
            .bind::<BigInt, _>(person)
            .bind::<BigInt, _>(party),
        conn,
    )
}

/// May the person delegate the package for the party? Main administrators may delegate any
/// package; access managers only delegable packages they hold themselves.
pub fn may_delegate_package(
    conn: &mut PgConnection,
    person: i64,
    party: i64,
    package: &str,
) -> QueryResult<bool> {
    flag(
        diesel::sql_query("SELECT may_delegate_package($1, $2, $3) AS ok")
            .into_boxed()
            .bind::<BigInt, _>(person)
            .bind::<BigInt, _>(party)
            .bind::<Text, _>(package.to_owned()),
        conn,
    )
}

/// May the person delegate a single service for the party? Main administrators may; access
/// managers only services they can read themselves, and never confidential ones.
pub fn may_delegate_service(
    conn: &mut PgConnection,
    person: i64,
    party: i64,
    service: &str,
) -> QueryResult<bool> {
    flag(
        diesel::sql_query("SELECT may_delegate_service($1, $2, $3) AS ok")
            .into_boxed()
            .bind::<BigInt, _>(person)
            .bind::<BigInt, _>(party)
            .bind::<Text, _>(service.to_owned()),
        conn,
    )
}

/// Which of `parties` the person may administer (one query for a page of parties).
pub fn administered(
    conn: &mut PgConnection,
    person: i64,
    parties: &[i64],
) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let rows: Vec<Row> =
        diesel::sql_query("SELECT id FROM unnest($2::bigint[]) id WHERE may_administer($1, id)")
            .bind::<BigInt, _>(person)
            .bind::<diesel::sql_types::Array<BigInt>, _>(parties)
            .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A person who can read a message.
#[derive(QueryableByName, Debug, Clone)]
pub struct Reader {
    #[diesel(sql_type = BigInt)]
    pub person_id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
}

/// Who can read the message (whatever their login level).
pub fn readers(conn: &mut PgConnection, message: Uuid) -> QueryResult<Vec<Reader>> {
    diesel::sql_query(
        "SELECT p.id AS person_id, p.name FROM correspondences c \
         CROSS JOIN LATERAL service_readers(c.recipient_id, c.service_id) r \
         JOIN parties p ON p.id = r.person_id WHERE c.id = $1 ORDER BY p.name, p.id",
    )
    .bind::<SqlUuid, _>(message)
    .load(conn)
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many can read the service's mail for the party (0 means nobody: warn).
pub fn reader_count(conn: &mut PgConnection, party: i64, service: &str) -> QueryResult<i64> {
    diesel::sql_query("SELECT count(*) AS n FROM service_readers($1, $2)")
        .bind::<BigInt, _>(party)
        .bind::<Text, _>(service.to_owned())
        .get_result::<Number>(conn)
        .map(|r| r.n)
}

/// The services whose mail the actor may read for the party at the actor's level; inbox
/// listings filter on this set in SQL.
pub fn readable_services(
    conn: &mut PgConnection,
    actor: Actor,
    party: i64,
) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = Text)]
        id: String,
    }
    let rows: Vec<Id> = diesel::sql_query(
        "SELECT r.service_id AS id FROM readable_service_ids($1, $2) r JOIN services s ON s.id = r.service_id \
         WHERE s.min_login_level <= $3 ORDER BY 1",
    )
    .bind::<BigInt, _>(actor.person_id)
    .bind::<BigInt, _>(party)
    .bind::<SmallInt, _>(actor.level.number())
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A party a person may act for.
#[derive(QueryableByName, Debug, Clone)]
pub struct ActingParty {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub kind: crate::domain::PartyKind,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub org_number: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub parent_id: Option<i64>,
    #[diesel(sql_type = Bool)]
    pub is_deleted: bool,
    /// Sort keys: self, persons, organisations; then the main unit's name and id, so sub-units
    /// follow their main unit.
    #[diesel(sql_type = SmallInt)]
    pub kind_rank: i16,
    #[diesel(sql_type = Text)]
    pub group_name: String,
    #[diesel(sql_type = BigInt)]
    pub group_id: i64,
}

impl ActingParty {
    /// How the party is named in lists.
    pub fn label(&self) -> String {
        crate::access::parties::label(&self.name, self.org_number.as_deref())
    }

    /// The keyset cursor that continues the list after this party (see [`parse_cursor`]).
    pub fn cursor(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.kind_rank,
            self.group_id,
            self.id,
            u8::from(self.parent_id.is_some()),
            self.group_name
        )
    }
}

/// Where a page of the party list continues: the last row's sort keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyCursor {
    kind_rank: i16,
    group_name: String,
    group_id: i64,
    is_sub_unit: bool,
    id: i64,
}

/// Reads a cursor made by [`ActingParty::cursor`].
pub fn parse_cursor(s: &str) -> Option<PartyCursor> {
    let mut parts = s.splitn(5, '|');
    let kind_rank = parts.next()?.parse().ok()?;
    let group_id = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    let is_sub_unit = parts.next()? == "1";
    Some(PartyCursor {
        kind_rank,
        group_name: parts.next()?.to_owned(),
        group_id,
        is_sub_unit,
        id,
    })
}

/// Which parties may this person act for: themself first, then persons, then organisations
/// with their sub-units after the main unit; every party for which they hold a package or a
/// service. `search` matches name or organisation number; `after` continues a page. Read from
/// `acting_parties`, which triggers keep in step with roles and delegations, so a page is an
/// index range scan even for a representative of 15,000 parties.
pub fn parties_for(
    conn: &mut PgConnection,
    person: i64,
    search: Option<&str>,
    include_deleted: bool,
    after: Option<&PartyCursor>,
    limit: i64,
) -> QueryResult<Vec<ActingParty>> {
    let pattern = search.map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")));
    let digits = search
        .map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|d| d.len() >= 3);
    let start = PartyCursor {
        kind_rank: -1,
        group_name: String::new(),
        group_id: 0,
        is_sub_unit: false,
        id: 0,
    };
    let after = after.unwrap_or(&start);
    Prepared(diesel::sql_query(
        "SELECT p.id, p.kind, p.name, p.org_number, p.parent_id, p.is_deleted, \
                a.kind_rank, a.group_name, a.group_id \
         FROM acting_parties a JOIN parties p ON p.id = a.party_id \
         WHERE a.person_id = $1 AND ($2 OR NOT a.is_deleted) \
           AND ($3::text IS NULL OR a.name_lower LIKE $3 OR p.org_number LIKE '%' || $4 || '%') \
           AND (a.kind_rank, a.group_name, a.group_id, a.is_sub_unit, a.party_id) > ($5, $6, $7, $8, $9) \
         ORDER BY a.kind_rank, a.group_name, a.group_id, a.is_sub_unit, a.party_id LIMIT $10",
    )
    .bind::<BigInt, _>(person)
    .bind::<Bool, _>(include_deleted)
    .bind::<Nullable<Text>, _>(pattern)
    .bind::<Nullable<Text>, _>(digits)
    .bind::<SmallInt, _>(after.kind_rank)
    .bind::<Text, _>(&after.group_name)
    .bind::<BigInt, _>(after.group_id)
    .bind::<Bool, _>(after.is_sub_unit)
    .bind::<BigInt, _>(after.id)
    .bind::<BigInt, _>(limit))
    .load(conn)
}

/// The person's favourite parties that they may still act for, in picker order.
pub fn favourites(conn: &mut PgConnection, person: i64) -> QueryResult<Vec<ActingParty>> {
    Prepared(
        diesel::sql_query(
            "SELECT p.id, p.kind, p.name, p.org_number, p.parent_id, p.is_deleted, \
                a.kind_rank, a.group_name, a.group_id \
         FROM party_favourites f \
         JOIN acting_parties a ON a.person_id = f.person_id AND a.party_id = f.party_id \
         JOIN parties p ON p.id = a.party_id \
         WHERE f.person_id = $1 \
         ORDER BY a.kind_rank, a.group_name, a.group_id, a.is_sub_unit, a.party_id LIMIT 200",
        )
        .bind::<BigInt, _>(person),
    )
    .load(conn)
}

/// What a person acting for a party may see of its mail (the SQL function `party_access`),
/// decided once per request and then used by every query of the page (listing, counts, filters,
/// the unopenable notice).
#[derive(QueryableByName, Debug, Clone)]
pub struct PartyAccess {
    /// May act for the party at all.
    #[diesel(sql_type = Bool)]
    pub may_act: bool,
    /// The services whose mail may be read for the party (login level aside).
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    pub readable: Vec<String>,
    /// Holds ordinary mail or is main administrator: may know that unreadable mail exists.
    #[diesel(sql_type = Bool)]
    pub may_know: bool,
    /// Every service is readable (one's own mail): queries need not test the service.
    #[diesel(sql_type = Bool)]
    pub every_service: bool,
}
