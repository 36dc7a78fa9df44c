//! The inbox's queries: the listing (filtered, searched, keyset-paginated and authorised in one
//! SQL statement built from the typed filters), the page's context, unread counts, the filter
//! choices, and what a person may know exists but not open.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid,
};
use uuid::Uuid;

use super::filters::{Combined, Cursor, Due, Filters, ReadState, Sort};
use crate::access::decision::{Actor, PartyAccess};
use crate::access::reference::MAIN_ADMINISTRATOR;
use crate::db::Prepared;
use crate::db::catalogue::ServiceCatalogue;
use crate::db::sql::{Bind, Sql};
use crate::domain::Language;

/// Whose mail a listing shows: one party (with the services the user may read for it, decided
/// once for the request), or every party of a kind the user acts for.
pub enum Scope<'a> {
    Party { id: i64, access: &'a PartyAccess },
    Combined(Combined),
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

/// The keyset cursor after `row`: its sort value and id.
pub fn cursor(row: &Row, by_due: bool) -> Cursor {
    let at = if by_due {
        row.due_at.unwrap_or(row.published_at)
    } else {
        row.published_at
    };
    Cursor { at, id: row.id }
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
    // A search, a due-date filter and the combined views are planned for each request, never
    // from a cached generic plan: their best plan depends on how much mail the party has (a
    // generic plan, once chosen, sorted all 100,000 messages of a large party when the index
    // order would have given the first page at once) and on how selective the words are. The
    // other shapes of one party's listing have one good plan whatever the party (the inbox
    // index, in its order, stopping at the page), so their statement is prepared once per
    // connection: planning it cost more than running it.
    // Days are Norwegian days: "today" and a chosen date start at midnight in Norway.
    let today = crate::domain::time::in_oslo(&Utc::now()).date();
    // A search over one party's mail, newest first, tries the party's newest messages first
    // (the inbox index's order, stopping at the page's last row): a word in much of the mail
    // fills the page from the first few hundred. Only when the bounded walk leaves the page
    // short does the full-text index answer, for a word that is rare in this party's mail.
    if f.search().is_some() && f.sort == Sort::Newest && matches!(scope, Scope::Party { .. }) {
        // Its plan is the party's index in order whatever the words (they are tested on the
        // candidates only), so it is prepared as the plain listing is.
        let bounded = listing_sql(actor, scope, f, lang, limit, today, Some(CANDIDATES));
        let rows: Vec<Row> = if stable_shape(scope, f) {
            Prepared(bounded.query()).load(conn)?
        } else {
            bounded.query().load(conn)?
        };
        if rows.len() as i64 >= limit {
            return Ok(rows);
        }
    }
    let sql = listing_sql(actor, scope, f, lang, limit, today, None);
    if f.search().is_none() && stable_shape(scope, f) {
        Prepared(sql.query()).load(conn)
    } else {
        sql.query().load(conn)
    }
}

/// Whether the listing's statement for these filters, words aside, has one good plan for every
/// party, and is one of few enough shapes that each connection may keep it prepared: one party,
/// no due-date filter, and at most one of the narrowing filters (each combination is another
/// statement kept by every connection).
fn stable_shape(scope: &Scope, f: &Filters) -> bool {
    let narrowing = [
        f.service.is_some(),
        f.sender.is_some(),
        f.from.is_some() || f.period.is_some(),
        f.to.is_some(),
        f.confirm,
        f.attachments,
    ];
    matches!(scope, Scope::Party { .. })
        && f.due.is_none()
        && narrowing.iter().filter(|n| **n).count() <= 1
}

/// How many of a party's newest messages a search looks at before it turns to the full-text
/// index (see [`list`]).
const CANDIDATES: i64 = 1_000;

/// The listing's statement for these filters (`today` for the preset periods).
fn listing_sql(
    actor: Actor,
    scope: &Scope,
    f: &Filters,
    lang: Language,
    limit: i64,
    today: NaiveDate,
    candidates: Option<i64>,
) -> Sql {
    let l = lang.code();
    let level = actor.level.number();
    // The words as a query: a constant the planner sees when planned for this request (the
    // full-text index needs it to judge), an init plan computed once in the bounded statement,
    // which is prepared and would otherwise parse the words again for every candidate.
    let tsquery = if candidates.is_some() {
        "(SELECT websearch_to_tsquery('norwegian', ?))"
    } else {
        "websearch_to_tsquery('norwegian', ?)"
    };
    let mut sql = Sql::default();
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
        vec![Bind::Small(level)],
    );
    match f.search() {
        Some(q) => sql.push(
            &format!("CASE WHEN s.min_login_level <= ? THEN ts_headline('norwegian', c.title || ' – ' || coalesce(c.summary, ''), \
                 {tsquery}, 'StartSel=\u{1}, StopSel=\u{2}, HighlightAll=true') END AS headline "),
            vec![Bind::Small(level), Bind::Text(q.to_owned())],
        ),
        None => sql.push("NULL::text AS headline ", vec![]),
    };
    let folder = Bind::Text(f.folder.key().to_owned());
    // Bounded: the filters other than the words pick the party's newest `candidates` messages
    // in index order, the words are tested on those alone.
    let (from, join) = match candidates {
        Some(_) => ("(SELECT c.* FROM correspondences c ", ""),
        None => (
            "correspondences c ",
            "JOIN services s ON s.id = c.service_id ",
        ),
    };
    match scope {
        Scope::Party { id, access } => {
            sql.push(
                &format!("FROM {from}{join}WHERE c.recipient_id = ? AND c.folder = ? AND delivered(c.published_at, c.status) "),
                vec![Bind::Int(*id), folder],
            );
            // One's own mail is all readable: no service to test on each row.
            if !access.every_service {
                sql.push(
                    "AND c.service_id = ANY (?) ",
                    vec![Bind::Texts(access.readable.clone())],
                );
            }
            &mut sql
        }
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
            vec![Bind::Int(actor.person_id), folder, Bind::Int(actor.person_id)],
        ),
    };
    match f.read {
        Some(ReadState::Unread) => {
            sql.push("AND (c.first_read_at IS NULL OR c.marked_unread) ", vec![])
        }
        Some(ReadState::Read) => sql.push(
            "AND c.first_read_at IS NOT NULL AND NOT c.marked_unread ",
            vec![],
        ),
        None => &mut sql,
    };
    if let Some(service) = &f.service {
        sql.push("AND c.service_id = ? ", vec![Bind::Text(service.clone())]);
    }
    if let Some(sender) = f.sender {
        sql.push("AND c.sender_id = ? ", vec![Bind::Int(sender)]);
    }
    let (from, to) = f.published_range(today);
    if let Some(from) = from {
        sql.push("AND c.published_at >= ? ", vec![Bind::Time(from)]);
    }
    if let Some(to) = to {
        sql.push("AND c.published_at < ? ", vec![Bind::Time(to)]);
    }
    match f.due {
        Some(Due::Soon) => sql.push(
            "AND c.due_at >= now() AND c.due_at < now() + interval '7 days' AND c.confirmed_at IS NULL ",
            vec![],
        ),
        Some(Due::Overdue) => {
            sql.push("AND c.due_at < now() AND c.confirmed_at IS NULL ", vec![])
        }
        None => &mut sql,
    };
    if f.confirm {
        sql.push(
            "AND c.confirmation_needed AND c.confirmed_at IS NULL ",
            vec![],
        );
    }
    if f.attachments {
        sql.push("AND c.attachment_count > 0 ", vec![]);
    }
    if let Some(c) = f.after {
        let after = vec![Bind::Time(c.at), Bind::Id(c.id)];
        match f.sort {
            Sort::Due => sql.push(
                "AND (coalesce(c.due_at, c.published_at), c.id) > (?, ?) ",
                after,
            ),
            Sort::Newest => sql.push("AND (c.published_at, c.id) < (?, ?) ", after),
        };
    }
    if let Some(cap) = candidates {
        sql.push(
            &format!(
                "ORDER BY c.published_at DESC, c.id DESC LIMIT {cap}) c \
                 JOIN services s ON s.id = c.service_id WHERE true "
            ),
            vec![],
        );
    }
    if let Some(q) = f.search() {
        sql.push(
            // A query of stop words only ("du", "og") matches nothing: say so up front (the
            // planner folds this to false) instead of testing every message of the party.
            &format!(
                "AND numnode({tsquery}) > 0 \
             AND c.search_vector @@ {tsquery} AND s.min_login_level <= ? "
            ),
            vec![
                Bind::Text(q.to_owned()),
                Bind::Text(q.to_owned()),
                Bind::Small(level),
            ],
        );
    }
    match f.sort {
        Sort::Due => sql.push(
            "ORDER BY coalesce(c.due_at, c.published_at), c.id LIMIT ?",
            vec![Bind::Int(limit)],
        ),
        Sort::Newest => sql.push(
            "ORDER BY c.published_at DESC, c.id DESC LIMIT ?",
            vec![Bind::Int(limit)],
        ),
    };
    sql
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
/// they cannot open (nothing for anyone else), among the folder's newest
/// [`UNOPENABLE_CANDIDATES`]. Bounded, as a search is: when the person can open all of a large
/// organisation's mail, an unbounded form walked every message of the folder to find none (372
/// ms over 77,000 messages); a service nobody can read is reported on its own besides (the
/// administrators' warnings and the daily notice).
pub fn unopenable(
    conn: &mut PgConnection,
    party: i64,
    access: &PartyAccess,
    folder: &str,
    lang: Language,
) -> QueryResult<Vec<Unopenable>> {
    if !access.may_know || access.every_service {
        return Ok(Vec::new());
    }
    let l = lang.code();
    Prepared(diesel::sql_query(format!(
        "SELECT coalesce(c.display_sender, c.sender_name) AS sender, s.title_{l} AS service, c.published_at \
         FROM (SELECT c.display_sender, c.sender_name, c.service_id, c.published_at, c.id FROM correspondences c \
               WHERE c.recipient_id = $1 AND c.folder = $3 AND delivered(c.published_at, c.status) \
               ORDER BY c.published_at DESC, c.id DESC LIMIT $4) c \
         JOIN services s ON s.id = c.service_id \
         WHERE c.service_id <> ALL ($2) AND EXISTS (SELECT 1 FROM services WHERE id <> ALL ($2)) \
         ORDER BY c.published_at DESC, c.id DESC LIMIT 20"
    ))
    .bind::<BigInt, _>(party)
    .bind::<Array<Text>, _>(&access.readable)
    .bind::<Text, _>(folder.to_owned())
    .bind::<BigInt, _>(UNOPENABLE_CANDIDATES))
    .load(conn)
}

/// How many of the folder's newest messages [`unopenable`] looks among.
pub const UNOPENABLE_CANDIDATES: i64 = 1_000;

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

/// Which filter a choice belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceKind {
    Service,
    Sender,
}

/// A choice in a filter: value and label.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub title: String,
    pub kind: ChoiceKind,
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
    #[diesel(sql_type = Nullable<Text>)]
    pub national_id: Option<String>,
    /// Unread in inbox, archive and bin, in the order of [`Folder::ALL`](super::filters::Folder::ALL).
    #[diesel(sql_type = Array<BigInt>)]
    pub counts: Vec<i64>,
}

/// The choices of the service and sender filters for what may be read: the services, and their
/// owners once each, each kind sorted by title.
pub fn choices(
    conn: &mut PgConnection,
    catalogue: &ServiceCatalogue,
    readable: &[String],
    lang: Language,
) -> QueryResult<Vec<Choice>> {
    let catalogue = catalogue.get(conn, readable)?;
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
            kind: ChoiceKind::Service,
        });
        let owner = e.owner_id.to_string();
        if !senders.iter().any(|s| s.id == owner) {
            senders.push(Choice {
                id: owner,
                title: e.owner_name.clone(),
                kind: ChoiceKind::Sender,
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
    // One's own mail has its own, smaller statement (see `own_access` in decision.sql).
    let (access, bound_party) = if person == party {
        ("own_access($1)", "$1")
    } else {
        ("party_access($1, $2)", "$2")
    };
    Prepared(
        diesel::sql_query(format!("WITH a AS MATERIALIZED (SELECT * FROM {access}) \
             SELECT a.may_act, a.readable, a.may_know, a.every_service, p.kind, p.name, p.org_number, p.national_id, \
               CASE WHEN a.may_act THEN ARRAY( \
                 SELECT (SELECT count(*) FROM (SELECT 1 FROM correspondences c \
                     WHERE c.recipient_id = p.id AND c.folder = f.folder AND (c.first_read_at IS NULL OR c.marked_unread) \
                       AND delivered(c.published_at, c.status) AND (a.every_service OR c.service_id = ANY (a.readable)) LIMIT $3) x) \
                 FROM unnest(ARRAY['inbox', 'archive', 'bin']) WITH ORDINALITY f(folder, n) ORDER BY f.n) \
               ELSE '{{}}'::bigint[] END AS counts \
             FROM a JOIN parties p ON p.id = {bound_party}"))
        .bind::<BigInt, _>(person)
        .bind::<BigInt, _>(party)
        .bind::<BigInt, _>(UNREAD_CAP),
    )
    .get_result(conn)
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LoginLevel;
    use crate::inbox::filters::FilterParams;

    fn filters(query: &str) -> Filters {
        FilterParams::from_query(query).into()
    }

    fn access() -> PartyAccess {
        PartyAccess {
            may_act: true,
            readable: vec!["svc".to_owned()],
            may_know: false,
            every_service: false,
        }
    }

    const ACTOR: Actor = Actor {
        person_id: 7,
        level: LoginLevel::Substantial,
    };

    /// The statement for `query` over one party's mail (or a combined view), checked for its
    /// placeholders: `$1` to `$n` in order, one per bound value.
    fn sql_for(query: &str, combined: bool) -> String {
        let access = access();
        let scope = if combined {
            Scope::Combined(Combined::Organizations)
        } else {
            Scope::Party {
                id: 42,
                access: &access,
            }
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let sql = listing_sql(
            ACTOR,
            &scope,
            &filters(query),
            Language::Nn,
            26,
            today,
            None,
        );
        let numbers: Vec<usize> = sql
            .text
            .split('$')
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .expect("a numbered placeholder")
            })
            .collect();
        assert_eq!(
            numbers,
            (1..=sql.binds.len()).collect::<Vec<_>>(),
            "{query}: {}",
            sql.text
        );
        sql.text
    }

    /// Each filter alone adds its condition and nothing else's.
    #[test]
    fn each_filter_adds_its_own_condition() {
        let cases: [(&str, &str); 11] = [
            (
                "unread=unread",
                "AND (c.first_read_at IS NULL OR c.marked_unread)",
            ),
            (
                "unread=read",
                "c.first_read_at IS NOT NULL AND NOT c.marked_unread",
            ),
            ("service=svc", "c.service_id = $"),
            ("sender=9", "c.sender_id = $"),
            ("period=30", "c.published_at >= $"),
            ("to=2026-01-31", "c.published_at < $"),
            ("due=soon", "c.due_at < now() + interval '7 days'"),
            ("due=overdue", "c.due_at < now() AND c.confirmed_at IS NULL"),
            (
                "confirm=1",
                "AND c.confirmation_needed AND c.confirmed_at IS NULL",
            ),
            ("attachments=1", "c.attachment_count > 0"),
            (
                "q=skatt",
                "c.search_vector @@ websearch_to_tsquery('norwegian', $",
            ),
        ];
        let plain = sql_for("", false);
        for (query, condition) in cases {
            let sql = sql_for(query, false);
            assert!(sql.contains(condition), "{query}: {sql}");
            assert!(!plain.contains(condition), "{condition} only with {query}");
        }
    }

    #[test]
    fn the_scope_decides_whose_mail_and_how_it_is_authorised() {
        let party = sql_for("folder=archive", false);
        assert!(party.contains("c.recipient_id = $2 AND c.folder = $3"));
        assert!(party.contains("c.service_id = ANY ($4)"));
        assert!(party.contains("title_nn"), "the page's language");
        let combined = sql_for("all=organizations", true);
        assert!(combined.contains("FROM acting_parties a"));
        assert!(combined.contains("a.kind_rank = 2"));
        assert!(combined.contains("can_read_service($4, c.recipient_id, c.service_id)"));
        for sql in [&party, &combined] {
            assert!(sql.contains("delivered(c.published_at, c.status)"));
        }
    }

    #[test]
    fn sorting_and_the_cursor_page_in_the_same_order() {
        let after = "1780000000000000_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        let newest = sql_for(&format!("after={after}"), false);
        assert!(newest.contains("AND (c.published_at, c.id) < ($"));
        assert!(newest.ends_with("ORDER BY c.published_at DESC, c.id DESC LIMIT $7"));
        let by_due = sql_for(&format!("sort=due&after={after}"), false);
        assert!(by_due.contains("AND (coalesce(c.due_at, c.published_at), c.id) > ($"));
        assert!(by_due.contains("ORDER BY coalesce(c.due_at, c.published_at), c.id LIMIT $"));
        assert!(!sql_for("after=garbage", false).contains("c.id) <"));
    }

    #[test]
    fn every_filter_at_once_keeps_text_and_values_in_step() {
        for combined in [false, true] {
            let sql = sql_for(
                "folder=bin&q=skattemelding&unread=read&service=svc&sender=9&from=2026-01-01\
                 &to=2026-02-01&period=7&due=soon&confirm=1&attachments=1&sort=due\
                 &after=1780000000000000_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                combined,
            );
            assert!(sql.contains("ts_headline"), "matches are highlighted");
            assert_eq!(
                sql.matches("c.published_at >= $").count(),
                1,
                "one start date"
            );
        }
    }
}
