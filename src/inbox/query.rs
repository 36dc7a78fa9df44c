//! The inbox listing: filtered, searched, keyset-paginated and authorised in one SQL query.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{
    Array, BigInt, Bool, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::access::decision::{Actor, PartyAccess};
use crate::access::reference::MAIN_ADMINISTRATOR;
use crate::db::Prepared;
use crate::domain::Language;

/// A bind parameter for SQL built from the filters in use.
enum Bind {
    Int(i64),
    Small(i16),
    Text(String),
    Time(DateTime<Utc>),
    Id(Uuid),
    Texts(Vec<String>),
}

/// SQL text with `$n` placeholders and their values, in order.
#[derive(Default)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    /// Appends `fragment`, in which `?` stands for the next parameter.
    fn push(&mut self, fragment: &str, values: Vec<Bind>) -> &mut Self {
        let mut values = values.into_iter();
        for ch in fragment.chars() {
            if ch == '?' {
                if let Some(v) = values.next() {
                    self.binds.push(v);
                    self.text.push_str(&format!("${}", self.binds.len()));
                }
            } else {
                self.text.push(ch);
            }
        }
        self
    }

    fn query(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut q = diesel::sql_query(self.text).into_boxed();
        for b in self.binds {
            q = match b {
                Bind::Int(v) => q.bind::<BigInt, _>(v),
                Bind::Small(v) => q.bind::<SmallInt, _>(v),
                Bind::Text(v) => q.bind::<Text, _>(v),
                Bind::Time(v) => q.bind::<Timestamptz, _>(v),
                Bind::Id(v) => q.bind::<SqlUuid, _>(v),
                Bind::Texts(v) => q.bind::<Array<Text>, _>(v),
            };
        }
        q
    }
}

/// Everything the inbox URL can say. All state lives in the URL, so back and bookmarks work.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filters {
    pub party: Option<i64>,
    pub folder: Option<String>,
    pub q: Option<String>,
    /// `unread` or `read`.
    pub unread: Option<String>,
    pub service: Option<String>,
    /// The sending organisation (its party id).
    pub sender: Option<String>,
    /// A combined view over every party of a kind: `organizations` or `persons`.
    pub all: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// A preset period in days (7, 30, 365); a custom `from` wins.
    pub period: Option<String>,
    /// `soon` (within 7 days) or `overdue`.
    pub due: Option<String>,
    /// Only messages that still need confirmation.
    pub confirm: Option<String>,
    /// Only messages with attachments.
    pub attachments: Option<String>,
    /// `newest` (default) or `due`.
    pub sort: Option<String>,
    pub after: Option<String>,
}

pub const FOLDERS: [&str; 3] = ["inbox", "archive", "bin"];

/// The combined views: every organisation, or every person, the user acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combined {
    Organizations,
    Persons,
}

impl Combined {
    pub fn key(self) -> &'static str {
        match self {
            Combined::Organizations => "organizations",
            Combined::Persons => "persons",
        }
    }
}

/// Whose mail a listing shows: one party (with the services the user may read for it, decided
/// once for the request), or every party of a kind the user acts for.
pub enum Scope<'a> {
    Party { id: i64, access: &'a PartyAccess },
    Combined(Combined),
}

impl Filters {
    pub fn folder(&self) -> &str {
        self.folder
            .as_deref()
            .filter(|f| FOLDERS.contains(f))
            .unwrap_or("inbox")
    }

    /// The search text when it is long enough to search (3+ characters).
    pub fn search(&self) -> Option<&str> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| q.chars().count() >= 3)
    }

    /// The combined view asked for, if any.
    pub fn combined(&self) -> Option<Combined> {
        match self.all.as_deref() {
            Some("organizations") => Some(Combined::Organizations),
            Some("persons") => Some(Combined::Persons),
            _ => None,
        }
    }

    pub fn sender_id(&self) -> Option<i64> {
        self.sender.as_deref().and_then(|s| s.parse().ok())
    }

    pub fn by_due(&self) -> bool {
        self.sort.as_deref() == Some("due")
    }

    fn date(value: Option<&str>) -> Option<NaiveDate> {
        value.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    }

    pub fn from_date(&self) -> Option<NaiveDate> {
        Self::date(self.from.as_deref()).or_else(|| {
            let days: i64 = self
                .period
                .as_deref()?
                .parse()
                .ok()
                .filter(|d| [7, 30, 365].contains(d))?;
            Some(Utc::now().date_naive() - Duration::days(days))
        })
    }

    pub fn to_date(&self) -> Option<NaiveDate> {
        Self::date(self.to.as_deref())
    }
}

/// One row of the listing. For a message readable only at a higher level, title and summary are
/// withheld (`level_ok` false).
#[derive(QueryableByName, Debug, Clone)]
pub struct Row {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    #[diesel(sql_type = Text)]
    pub sender: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = BigInt)]
    pub recipient_id: i64,
    /// The recipient's name, shown in combined views.
    #[diesel(sql_type = Nullable<Text>)]
    pub recipient: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub published_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Bool)]
    pub needs_confirmation: bool,
    #[diesel(sql_type = SmallInt)]
    pub attachment_count: i16,
    #[diesel(sql_type = Bool)]
    pub unread: bool,
    #[diesel(sql_type = Bool)]
    pub level_ok: bool,
    /// Title and summary with matches between \u{1} and \u{2} (escaped and marked by the view).
    #[diesel(sql_type = Nullable<Text>)]
    pub headline: Option<String>,
}

/// The keyset cursor: the last row's sort value and id.
pub fn cursor(row: &Row, by_due: bool) -> String {
    let at = if by_due {
        row.due_at.unwrap_or(row.published_at)
    } else {
        row.published_at
    };
    format!("{}_{}", at.timestamp_micros(), row.id)
}

fn parse_cursor(s: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (micros, id) = s.split_once('_')?;
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        Uuid::parse_str(id).ok()?,
    ))
}

/// A page of the messages in scope in the folder that the actor may see, newest first (or by
/// due date), `limit` rows after the cursor.
pub fn list(
    conn: &mut PgConnection,
    actor: Actor,
    scope: &Scope,
    f: &Filters,
    lang: Language,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    let l = lang.code();
    let mut sql = Sql::default();
    let search = f.search().map(str::to_owned);
    let recipient = match scope {
        Scope::Party { .. } => "NULL::text",
        Scope::Combined(_) => "rp.name",
    };
    sql.push(
        &format!(
            "SELECT c.id, c.title, c.summary, coalesce(c.display_sender, c.sender_name) AS sender, s.title_{l} AS service, \
                    c.recipient_id, {recipient} AS recipient, \
                    c.published_at, c.due_at, (c.confirmation_needed AND c.confirmed_at IS NULL) AS needs_confirmation, \
                    c.attachment_count, (c.first_read_at IS NULL OR c.marked_unread) AS unread, \
                    (s.min_login_level <= ?) AS level_ok, "
        ),
        vec![Bind::Small(actor.level.number())],
    );
    match &search {
        Some(q) => sql.push(
            "CASE WHEN s.min_login_level <= ? THEN ts_headline('norwegian', c.title || ' – ' || coalesce(c.summary, ''), \
                 websearch_to_tsquery('norwegian', ?), 'StartSel=\u{1}, StopSel=\u{2}, HighlightAll=true') END AS headline ",
            vec![Bind::Small(actor.level.number()), Bind::Text(q.clone())],
        ),
        None => sql.push("NULL::text AS headline ", vec![]),
    };
    match scope {
        Scope::Party { id, access } => sql.push(
            "FROM correspondences c JOIN services s ON s.id = c.service_id \
                 WHERE c.recipient_id = ? AND c.folder = ? AND delivered(c.published_at, c.status) AND c.service_id = ANY (?) ",
            vec![
                Bind::Int(*id),
                Bind::Text(f.folder().to_owned()),
                Bind::Texts(access.readable.clone()),
            ],
        ),
        // Every party of the kind that the person acts for, each message authorised for its
        // own recipient by the same decision function.
        Scope::Combined(kind) => sql.push(
            &format!(
                "FROM acting_parties a \
                 JOIN correspondences c ON c.recipient_id = a.party_id \
                 JOIN services s ON s.id = c.service_id JOIN parties rp ON rp.id = c.recipient_id \
                 WHERE a.person_id = ? AND NOT a.is_deleted AND a.kind_rank {} AND c.folder = ? AND delivered(c.published_at, c.status) \
                   AND can_read_service(?, c.recipient_id, c.service_id) ",
                match kind {
                    Combined::Organizations => "= 2",
                    Combined::Persons => "< 2",
                }
            ),
            vec![
                Bind::Int(actor.person_id),
                Bind::Text(f.folder().to_owned()),
                Bind::Int(actor.person_id),
            ],
        ),
    };
    match f.unread.as_deref() {
        Some("unread") => sql.push("AND (c.first_read_at IS NULL OR c.marked_unread) ", vec![]),
        Some("read") => sql.push(
            "AND c.first_read_at IS NOT NULL AND NOT c.marked_unread ",
            vec![],
        ),
        _ => &mut sql,
    };
    if let Some(service) = f.service.as_deref().filter(|s| !s.is_empty()) {
        sql.push(
            "AND c.service_id = ? ",
            vec![Bind::Text(service.to_owned())],
        );
    }
    if let Some(sender) = f.sender_id() {
        sql.push("AND c.sender_id = ? ", vec![Bind::Int(sender)]);
    }
    if let Some(from) = f.from_date() {
        sql.push(
            "AND c.published_at >= ? ",
            vec![Bind::Time(from.and_time(chrono::NaiveTime::MIN).and_utc())],
        );
    }
    if let Some(to) = f.to_date() {
        sql.push(
            "AND c.published_at < ? ",
            vec![Bind::Time(
                (to + Duration::days(1))
                    .and_time(chrono::NaiveTime::MIN)
                    .and_utc(),
            )],
        );
    }
    match f.due.as_deref() {
        Some("soon") => sql.push(
            "AND c.due_at >= now() AND c.due_at < now() + interval '7 days' AND c.confirmed_at IS NULL ",
            vec![],
        ),
        Some("overdue") => sql.push("AND c.due_at < now() AND c.confirmed_at IS NULL ", vec![]),
        _ => &mut sql,
    };
    if f.confirm.is_some() {
        sql.push(
            "AND c.confirmation_needed AND c.confirmed_at IS NULL ",
            vec![],
        );
    }
    if f.attachments.is_some() {
        sql.push("AND c.attachment_count > 0 ", vec![]);
    }
    if let Some(q) = &search {
        sql.push(
            // A query of stop words only ("du", "og") matches nothing: say so up front (the
            // planner folds this to false) instead of testing every message of the party.
            "AND numnode(websearch_to_tsquery('norwegian', ?)) > 0 \
             AND c.search_vector @@ websearch_to_tsquery('norwegian', ?) AND s.min_login_level <= ? ",
            vec![
                Bind::Text(q.clone()),
                Bind::Text(q.clone()),
                Bind::Small(actor.level.number()),
            ],
        );
    }
    let after = f.after.as_deref().and_then(parse_cursor);
    if f.by_due() {
        if let Some((at, id)) = after {
            sql.push(
                "AND (coalesce(c.due_at, c.published_at), c.id) > (?, ?) ",
                vec![Bind::Time(at), Bind::Id(id)],
            );
        }
        sql.push(
            "ORDER BY coalesce(c.due_at, c.published_at), c.id LIMIT ?",
            vec![Bind::Int(limit)],
        );
    } else {
        if let Some((at, id)) = after {
            sql.push(
                "AND (c.published_at, c.id) < (?, ?) ",
                vec![Bind::Time(at), Bind::Id(id)],
            );
        }
        sql.push(
            "ORDER BY c.published_at DESC, c.id DESC LIMIT ?",
            vec![Bind::Int(limit)],
        );
    }
    // Planned for each request, never from a cached generic plan: the best plan depends on how
    // much mail the party has (a generic plan, once chosen, sorted all 100,000 messages of a
    // large party when the index order would have given the first page at once) and, for a
    // search, on how selective the words are.
    sql.query().load(conn)
}

/// Counts stop here: a tab says "99+" rather than walk a hundred thousand rows per page view.
pub const UNREAD_CAP: i64 = 100;

#[derive(QueryableByName, Debug, Clone)]
pub struct PartyUnread {
    #[diesel(sql_type = BigInt)]
    pub party: i64,
    #[diesel(sql_type = BigInt)]
    pub unread: i64,
}

/// Unread messages in the inbox folder the person may read, for each of a page of parties (the
/// picker), up to [`UNREAD_CAP`] each. Authorised per party by the decision function.
pub fn unread_by_party(
    conn: &mut PgConnection,
    person: i64,
    parties: &[i64],
) -> QueryResult<Vec<PartyUnread>> {
    Prepared(diesel::sql_query("SELECT pp.id AS party, n.unread FROM unnest($2::bigint[]) pp(id) \
         CROSS JOIN LATERAL (SELECT ARRAY(SELECT service_id FROM readable_service_ids($1, pp.id)) AS ids) r \
         CROSS JOIN LATERAL (SELECT count(*) AS unread FROM (SELECT 1 FROM correspondences c \
             WHERE c.recipient_id = pp.id AND c.folder = 'inbox' AND (c.first_read_at IS NULL OR c.marked_unread) \
               AND delivered(c.published_at, c.status) AND c.service_id = ANY (r.ids) LIMIT $3) x) n \
         WHERE n.unread > 0")
    .bind::<BigInt, _>(person)
    .bind::<Array<BigInt>, _>(parties)
    .bind::<BigInt, _>(UNREAD_CAP))
    .load(conn)
}

/// A message the person cannot open but may know exists: sender, service and date only.
#[derive(QueryableByName, Debug, Clone)]
pub struct Unopenable {
    #[diesel(sql_type = Text)]
    pub sender: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = Timestamptz)]
    pub published_at: DateTime<Utc>,
}

/// For holders of ordinary mail and main administrators: the party's messages in this folder that
/// they cannot open (nothing for anyone else).
pub fn unopenable(
    conn: &mut PgConnection,
    party: i64,
    access: &PartyAccess,
    folder: &str,
    lang: Language,
) -> QueryResult<Vec<Unopenable>> {
    if !access.may_know {
        return Ok(Vec::new());
    }
    let l = lang.code();
    Prepared(diesel::sql_query(format!(
        "SELECT coalesce(c.display_sender, c.sender_name) AS sender, s.title_{l} AS service, c.published_at \
         FROM correspondences c JOIN services s ON s.id = c.service_id \
         WHERE c.recipient_id = $1 AND c.folder = $3 AND delivered(c.published_at, c.status) AND c.service_id <> ALL ($2) \
         ORDER BY c.published_at DESC LIMIT 20"
    ))
    .bind::<BigInt, _>(party)
    .bind::<Array<Text>, _>(&access.readable)
    .bind::<Text, _>(folder.to_owned()))
    .load(conn)
}

/// The names of the party's main administrators (who can give access).
pub fn main_administrators(conn: &mut PgConnection, party: i64) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let rows: Vec<Name> = diesel::sql_query(
        format!("SELECT p.name FROM package_holders($1, '{MAIN_ADMINISTRATOR}') h JOIN parties p ON p.id = h.person_id ORDER BY p.name"),
    )
    .bind::<BigInt, _>(party)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// A choice in a filter: value and label.
#[derive(Deserialize, Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub title: String,
    /// `service` or `sender`.
    pub kind: String,
}

/// Everything an inbox page needs besides its rows and filter choices ([`choices`]), in one
/// round trip: the access decision for the party, the party itself and unread counts per folder
/// (up to [`UNREAD_CAP`]). Counts are computed only when the person may act for the party;
/// `None` when the party does not exist.
#[derive(QueryableByName, Debug, Clone)]
pub struct PageContext {
    #[diesel(embed)]
    pub access: PartyAccess,
    #[diesel(sql_type = Text)]
    pub kind: crate::domain::PartyKind,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub org_number: Option<String>,
    /// Unread in inbox, archive and bin, in the order of [`FOLDERS`].
    #[diesel(sql_type = Array<BigInt>)]
    pub counts: Vec<i64>,
}

/// One service as the filters show it.
struct CatalogueEntry {
    /// nb, nn, en.
    titles: [String; 3],
    owner_id: i64,
    owner_name: String,
}

struct Catalogue {
    read_at: std::time::Instant,
    services: std::collections::HashMap<String, CatalogueEntry>,
}

/// The services the filter choices are made from, kept in the process: they are few and change
/// seldom, and building the choices in SQL on every page view cost more than the rest of the
/// page's context. Read again when a page needs a service it does not know (a new one), or after
/// a minute (a renamed title or owner shows within that).
static CATALOGUE: std::sync::RwLock<Option<std::sync::Arc<Catalogue>>> =
    std::sync::RwLock::new(None);

fn catalogue(conn: &mut PgConnection, needed: &[String]) -> QueryResult<std::sync::Arc<Catalogue>> {
    use crate::db::schema::{parties, services};
    let cached = CATALOGUE.read().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(c) = cached
        && c.read_at.elapsed() < std::time::Duration::from_secs(60)
        && needed.iter().all(|id| c.services.contains_key(id))
    {
        return Ok(c);
    }
    let rows: Vec<(String, String, String, String, i64, String)> = services::table
        .inner_join(parties::table.on(parties::id.eq(services::owner_id)))
        .select((
            services::id,
            services::title_nb,
            services::title_nn,
            services::title_en,
            services::owner_id,
            parties::name,
        ))
        .load(conn)?;
    let fresh = std::sync::Arc::new(Catalogue {
        read_at: std::time::Instant::now(),
        services: rows
            .into_iter()
            .map(|(id, nb, nn, en, owner_id, owner_name)| {
                (
                    id,
                    CatalogueEntry {
                        titles: [nb, nn, en],
                        owner_id,
                        owner_name,
                    },
                )
            })
            .collect(),
    });
    *CATALOGUE.write().unwrap_or_else(|e| e.into_inner()) = Some(fresh.clone());
    Ok(fresh)
}

/// The choices of the service and sender filters for what may be read: the services, and their
/// owners once each, each kind sorted by title.
pub fn choices(
    conn: &mut PgConnection,
    readable: &[String],
    lang: Language,
) -> QueryResult<Vec<Choice>> {
    let catalogue = catalogue(conn, readable)?;
    let lang = match lang {
        Language::Nb => 0,
        Language::Nn => 1,
        Language::En => 2,
    };
    let mut services = Vec::new();
    let mut senders: Vec<Choice> = Vec::new();
    for (id, e) in readable
        .iter()
        .filter_map(|id| catalogue.services.get(id).map(|e| (id, e)))
    {
        services.push(Choice {
            id: id.clone(),
            title: e.titles[lang].clone(),
            kind: "service".to_owned(),
        });
        let owner = e.owner_id.to_string();
        if !senders.iter().any(|s| s.id == owner) {
            senders.push(Choice {
                id: owner,
                title: e.owner_name.clone(),
                kind: "sender".to_owned(),
            });
        }
    }
    senders.sort_by(|a, b| a.title.cmp(&b.title));
    services.sort_by(|a, b| a.title.cmp(&b.title));
    senders.extend(services);
    Ok(senders)
}

pub fn page_context(
    conn: &mut PgConnection,
    person: i64,
    party: i64,
) -> QueryResult<Option<PageContext>> {
    Prepared(
        diesel::sql_query("WITH a AS MATERIALIZED (SELECT * FROM party_access($1, $2)) \
             SELECT a.may_act, a.readable, a.may_know, p.kind, p.name, p.org_number, \
               CASE WHEN a.may_act THEN ARRAY( \
                 SELECT (SELECT count(*) FROM (SELECT 1 FROM correspondences c \
                     WHERE c.recipient_id = p.id AND c.folder = f.folder AND (c.first_read_at IS NULL OR c.marked_unread) \
                       AND delivered(c.published_at, c.status) AND c.service_id = ANY (a.readable) LIMIT $3) x) \
                 FROM unnest(ARRAY['inbox', 'archive', 'bin']) WITH ORDINALITY f(folder, n) ORDER BY f.n) \
               ELSE '{}'::bigint[] END AS counts \
             FROM a JOIN parties p ON p.id = $2")
        .bind::<BigInt, _>(person)
        .bind::<BigInt, _>(party)
        .bind::<BigInt, _>(UNREAD_CAP),
    )
    .get_result(conn)
    .optional()
}
