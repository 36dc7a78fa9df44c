//! What people hold and why, the no-holder warnings, and granting and revoking.

use crate::db::Prepared;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::decision;
use super::reference::{CONFIDENTIAL_MAIL, ORDINARY_MAIL, SERVICE_OWNER_SEND};
use crate::audit::{self, Entry};
use crate::db::schema::{delegations, parties, system_delegations};
use crate::domain::{Language, NationalId, PartyKind};

/// Column suffix for the language (a closed set, safe to put in SQL text).
fn col(lang: Language) -> &'static str {
    lang.code()
}

/// One thing held, with its source, ready for display.
#[derive(QueryableByName, Debug, Clone)]
pub struct Grant {
    #[diesel(sql_type = BigInt)]
    pub party_id: i64,
    #[diesel(sql_type = BigInt)]
    pub person_id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub package_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub service_id: Option<String>,
    /// `role` or `delegation`.
    #[diesel(sql_type = Text)]
    pub source: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub role_name: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub delegation_id: Option<Uuid>,
    #[diesel(sql_type = BigInt)]
    pub via_party: i64,
    #[diesel(sql_type = Text)]
    pub via_party_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub granted_by_name: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub granted_at: DateTime<Utc>,
    /// The package's or the service's name in the page's language.
    #[diesel(sql_type = Text)]
    pub what: String,
    #[diesel(sql_type = Bool)]
    pub confidential: bool,
}

impl Grant {
    /// Held through the main unit, or through a role: can only be changed at the source.
    pub fn inherited(&self) -> bool {
        self.via_party != self.party_id
    }
}

fn grant_columns(lang: Language) -> String {
    let l = col(lang);
    format!(
        "g.package_id, g.service_id, g.source, rt.name_{l} AS role_name, g.delegation_id, g.via_party, \
         vp.name AS via_party_name, gb.name AS granted_by_name, g.granted_at, \
         coalesce(ap.name_{l}, s.title_{l}, '') AS what, coalesce(ap.is_confidential, s.is_confidential, false) AS confidential"
    )
}

const GRANT_JOINS: &str = "LEFT JOIN access_packages ap ON ap.id = g.package_id \
     LEFT JOIN services s ON s.id = g.service_id \
     LEFT JOIN er_role_types rt ON rt.code = g.role_code \
     LEFT JOIN parties gb ON gb.id = g.granted_by \
     JOIN parties vp ON vp.id = g.via_party";

/// What `person` holds for each of `parties` (one query for a page of parties).
pub fn held_by(
    conn: &mut PgConnection,
    person: i64,
    parties: &[i64],
    lang: Language,
) -> QueryResult<Vec<Grant>> {
    Prepared(
        diesel::sql_query(format!(
            "SELECT pp.id AS party_id, $1 AS person_id, {} FROM unnest($2::bigint[]) pp(id) \
         CROSS JOIN LATERAL access_grants($1, pp.id) g {GRANT_JOINS} \
         ORDER BY pp.id, coalesce(ap.sort_order, 1000), what, g.source",
            grant_columns(lang)
        ))
        .bind::<BigInt, _>(person)
        .bind::<Array<BigInt>, _>(parties),
    )
    .load(conn)
}

/// Everyone with access to the organisation and what each holds.
#[derive(QueryableByName, Debug, Clone)]
pub struct PersonGrant {
    #[diesel(sql_type = Text)]
    pub person_name: String,
    #[diesel(sql_type = Text)]
    pub national_id: String,
    /// The administrator looking may revoke it here (a delegation made for this party).
    #[diesel(sql_type = Bool)]
    pub may_revoke: bool,
    #[diesel(embed)]
    pub grant: Grant,
}

pub fn people_with_access(
    conn: &mut PgConnection,
    party: i64,
    admin: i64,
    lang: Language,
) -> QueryResult<Vec<PersonGrant>> {
    diesel::sql_query(format!(
        "WITH scope AS (SELECT id FROM party_scope($1)), \
              people AS (SELECT r.person_id FROM er_roles r JOIN scope sc ON sc.id = r.org_id \
                           WHERE EXISTS (SELECT 1 FROM role_packages rp WHERE rp.role_code = r.role_code) \
                         UNION SELECT d.to_person_id FROM delegations d JOIN scope sc ON sc.id = d.party_id \
                           WHERE d.revoked_at IS NULL) \
         SELECT p.name AS person_name, p.national_id AS national_id, p.id AS person_id, $1 AS party_id, {}, \
                (g.source = 'delegation' AND g.via_party = $1 AND CASE WHEN g.package_id IS NOT NULL \
                    THEN may_delegate_package($2, $1, g.package_id) ELSE may_delegate_service($2, $1, g.service_id) END) \
                AS may_revoke \
         FROM people pe JOIN parties p ON p.id = pe.person_id \
         CROSS JOIN LATERAL access_grants(pe.person_id, $1) g {GRANT_JOINS} \
         ORDER BY p.name, p.id, coalesce(ap.sort_order, 1000), what",
        grant_columns(lang)
    ))
    .bind::<BigInt, _>(party)
    .bind::<BigInt, _>(admin)
    .load(conn)
}

/// A package and who holds it for the organisation.
#[derive(QueryableByName, Debug, Clone)]
pub struct PackageHolder {
    #[diesel(sql_type = Text)]
    pub package_id: String,
    #[diesel(sql_type = Text)]
    pub package_name: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Bool)]
    pub confidential: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub holder_name: Option<String>,
}

pub fn package_overview(
    conn: &mut PgConnection,
    party: i64,
    lang: Language,
) -> QueryResult<Vec<PackageHolder>> {
    let l = col(lang);
    diesel::sql_query(format!(
        "SELECT ap.id AS package_id, ap.name_{l} AS package_name, ap.description_{l} AS description, \
                ap.is_confidential AS confidential, p.name AS holder_name \
         FROM access_packages ap LEFT JOIN LATERAL package_holders($1, ap.id) h ON true \
         LEFT JOIN parties p ON p.id = h.person_id \
         WHERE ap.id <> '{SERVICE_OWNER_SEND}' OR EXISTS (SELECT 1 FROM service_owners o WHERE o.party_id = $1) \
         ORDER BY ap.sort_order, p.name"
    ))
    .bind::<BigInt, _>(party)
    .load(conn)
}

/// The packages that give access to mail; a warning shows when nobody holds one.
pub const MAIL_PACKAGES: [&str; 2] = [ORDINARY_MAIL, CONFIDENTIAL_MAIL];

/// An unread message that nobody can read (never its title or content).
#[derive(QueryableByName, Debug, Clone)]
pub struct UnreadableMessage {
    #[diesel(sql_type = Text)]
    pub sender: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Timestamptz)]
    pub published_at: DateTime<Utc>,
}

/// Unread messages to the organisation or its sub-units that need `package` and that nobody can read.
pub fn unreadable_messages(
    conn: &mut PgConnection,
    party: i64,
    package: &str,
    lang: Language,
) -> QueryResult<Vec<UnreadableMessage>> {
    let l = col(lang);
    diesel::sql_query(format!(
        "SELECT coalesce(c.display_sender, c.sender_name) AS sender, s.title_{l} AS service, r.name AS recipient, \
                c.published_at \
         FROM parties r JOIN correspondences c ON c.recipient_id = r.id JOIN services s ON s.id = c.service_id \
         WHERE (r.id = $1 OR r.parent_id = $1) AND NOT r.is_deleted AND $2 = ANY (s.required_packages) \
           AND delivered(c.published_at, c.status) AND c.first_read_at IS NULL \
           AND NOT EXISTS (SELECT 1 FROM service_readers(c.recipient_id, c.service_id)) \
         ORDER BY c.published_at DESC LIMIT 50"
    ))
    .bind::<BigInt, _>(party)
    .bind::<Text, _>(package.to_owned())
    .load(conn)
}

/// What can be granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantTarget {
    Package(String),
    Service(String),
}

impl GrantTarget {
    /// Reads the form's `package:<id>` or `service:<id>`.
    pub fn parse(value: &str) -> Option<Self> {
        match value.split_once(':') {
            Some(("package", id)) if !id.is_empty() => Some(GrantTarget::Package(id.to_owned())),
            Some(("service", id)) if !id.is_empty() => Some(GrantTarget::Service(id.to_owned())),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("not allowed to grant this")]
    NotAllowed,
    #[error("the person holds this already")]
    AlreadyHeld,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// The person with this national id whose name ends with `last_name` (case-insensitive).
pub fn find_person(
    conn: &mut PgConnection,
    id: &NationalId,
    last_name: &str,
) -> QueryResult<Option<(i64, String)>> {
    let wanted = last_name.trim().to_lowercase();
    if wanted.is_empty() {
        return Ok(None);
    }
    let found: Option<(i64, String)> = parties::table
        .filter(parties::national_id.eq(id.as_str()))
        .filter(parties::kind.eq(crate::domain::PartyKind::Person))
        .select((parties::id, parties::name))
        .first(conn)
        .optional()?;
    Ok(found.filter(|(_, name)| {
        let name = name.to_lowercase();
        name == wanted || name.ends_with(&format!(" {wanted}"))
    }))
}

/// Who receives a grant: a person, or an organisation whose systems use it through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grantee {
    Person(i64),
    Organization(i64),
}

/// The packages an organisation's systems can be given: reading mail, and sending for a
/// service owner (a distributor). Administering access stays with persons.
pub const SYSTEM_PACKAGES: [&str; 3] = [ORDINARY_MAIL, CONFIDENTIAL_MAIL, SERVICE_OWNER_SEND];

/// Grants `target` to `to` for `party`, on behalf of `admin`; audited.
pub fn grant(
    conn: &mut PgConnection,
    admin: i64,
    party: i64,
    to: Grantee,
    target: &GrantTarget,
    correlation_id: &str,
) -> Result<Uuid, GrantError> {
    conn.transaction(|conn| {
        let allowed = match target {
            GrantTarget::Package(p) => decision::may_delegate_package(conn, admin, party, p)?,
            GrantTarget::Service(s) => decision::may_delegate_service(conn, admin, party, s)?,
        };
        let fits = match (to, target) {
            (Grantee::Person(person), _) => person != party,
            (Grantee::Organization(_), GrantTarget::Package(p)) => {
                SYSTEM_PACKAGES.contains(&p.as_str())
            }
            (Grantee::Organization(_), GrantTarget::Service(_)) => true,
        };
        if !allowed || !fits {
            return Err(GrantError::NotAllowed);
        }
        let (package, service) = match target {
            GrantTarget::Package(p) => (Some(p.as_str()), None),
            GrantTarget::Service(s) => (None, Some(s.as_str())),
        };
        let id = Uuid::now_v7();
        let (inserted, target_type, target_id) = match to {
            Grantee::Person(person) => (
                diesel::insert_into(delegations::table)
                    .values((
                        delegations::id.eq(id),
                        delegations::party_id.eq(party),
                        delegations::to_person_id.eq(person),
                        delegations::package_id.eq(package),
                        delegations::service_id.eq(service),
                        delegations::granted_by.eq(admin),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?,
                PartyKind::Person,
                person,
            ),
            Grantee::Organization(org) => (
                diesel::insert_into(system_delegations::table)
                    .values((
                        system_delegations::id.eq(id),
                        system_delegations::party_id.eq(party),
                        system_delegations::to_org_id.eq(org),
                        system_delegations::package_id.eq(package),
                        system_delegations::service_id.eq(service),
                        system_delegations::granted_by.eq(admin),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?,
                PartyKind::Organization,
                org,
            ),
        };
        if inserted == 0 {
            return Err(GrantError::AlreadyHeld);
        }
        let mut entry = Entry::new("grant");
        entry.actor = Some(admin);
        entry.acting_for = Some(party);
        entry.target = Some((target_type.as_str(), target_id.to_string()));
        entry.details =
            serde_json::json!({ "delegation": id, "package": package, "service": service });
        entry.correlation_id = Some(correlation_id);
        audit::record(conn, entry)?;
        Ok(id)
    })
}

/// Revokes a live delegation (to a person or an organisation) made for `party` itself (not one
/// inherited from the main unit); audited. `false` when there is nothing the admin may revoke.
pub fn revoke(
    conn: &mut PgConnection,
    admin: i64,
    party: i64,
    delegation: Uuid,
    correlation_id: &str,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let to_person: Option<(i64, Option<String>, Option<String>)> = delegations::table
            .filter(delegations::id.eq(delegation))
            .filter(delegations::party_id.eq(party))
            .filter(delegations::revoked_at.is_null())
            .select((
                delegations::to_person_id,
                delegations::package_id,
                delegations::service_id,
            ))
            .for_update()
            .first(conn)
            .optional()?;
        let to_org = match to_person {
            Some(_) => None,
            None => system_delegations::table
                .filter(system_delegations::id.eq(delegation))
                .filter(system_delegations::party_id.eq(party))
                .filter(system_delegations::revoked_at.is_null())
                .select((
                    system_delegations::to_org_id,
                    system_delegations::package_id,
                    system_delegations::service_id,
                ))
                .for_update()
                .first(conn)
                .optional()?,
        };
        let (target_type, (grantee, package, service)) = match (to_person, to_org) {
            (Some(found), _) => (PartyKind::Person, found),
            (None, Some(found)) => (PartyKind::Organization, found),
            (None, None) => return Ok(false),
        };
        let allowed = match (&package, &service) {
            (Some(p), _) => decision::may_delegate_package(conn, admin, party, p)?,
            (None, Some(s)) => decision::may_delegate_service(conn, admin, party, s)?,
            (None, None) => false,
        };
        if !allowed {
            return Ok(false);
        }
        let now = Utc::now();
        if target_type == PartyKind::Person {
            diesel::update(delegations::table.filter(delegations::id.eq(delegation)))
                .set((
                    delegations::revoked_at.eq(now),
                    delegations::revoked_by.eq(admin),
                ))
                .execute(conn)?;
        } else {
            diesel::update(system_delegations::table.filter(system_delegations::id.eq(delegation)))
                .set((
                    system_delegations::revoked_at.eq(now),
                    system_delegations::revoked_by.eq(admin),
                ))
                .execute(conn)?;
        }
        let mut entry = Entry::new("revoke");
        entry.actor = Some(admin);
        entry.acting_for = Some(party);
        entry.target = Some((target_type.as_str(), grantee.to_string()));
        entry.details =
            serde_json::json!({ "delegation": delegation, "package": package, "service": service });
        entry.correlation_id = Some(correlation_id);
        audit::record(conn, entry)?;
        Ok(true)
    })
}

/// What the party delegated to organisations' systems, live, for display.
#[derive(QueryableByName, Debug, Clone)]
pub struct SystemGrant {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub org_name: String,
    #[diesel(sql_type = Text)]
    pub org_number: String,
    #[diesel(sql_type = Text)]
    pub what: String,
    #[diesel(sql_type = Bool)]
    pub confidential: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub granted_by_name: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub granted_at: DateTime<Utc>,
}

pub fn system_grants(
    conn: &mut PgConnection,
    party: i64,
    lang: Language,
) -> QueryResult<Vec<SystemGrant>> {
    let l = col(lang);
    diesel::sql_query(format!(
        "SELECT d.id, o.name AS org_name, o.org_number, coalesce(ap.name_{l}, s.title_{l}, '') AS what, \
                coalesce(ap.is_confidential, s.is_confidential, false) AS confidential, \
                gb.name AS granted_by_name, d.granted_at \
         FROM system_delegations d JOIN parties o ON o.id = d.to_org_id \
         LEFT JOIN access_packages ap ON ap.id = d.package_id LEFT JOIN services s ON s.id = d.service_id \
         LEFT JOIN parties gb ON gb.id = d.granted_by \
         WHERE d.party_id = $1 AND d.revoked_at IS NULL ORDER BY o.name, d.granted_at"
    ))
    .bind::<BigInt, _>(party)
    .load(conn)
}

/// The organisation with this number, not deleted.
pub fn find_organization(
    conn: &mut PgConnection,
    org: &crate::domain::OrgNumber,
) -> QueryResult<Option<i64>> {
    parties::table
        .filter(parties::org_number.eq(org.as_str()))
        .filter(parties::is_deleted.eq(false))
        .select(parties::id)
        .first(conn)
        .optional()
}

/// A grant or revocation, as the audit log shows it.
#[derive(QueryableByName, Debug, Clone)]
pub struct AccessEvent {
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Text)]
    pub actor_name: String,
    #[diesel(sql_type = Text)]
    pub person_name: String,
    #[diesel(sql_type = Text)]
    pub party_name: String,
    #[diesel(sql_type = Text)]
    pub what: String,
}

/// Grants and revocations for the organisation (`party`) or affecting the person (`person`).
pub fn access_events(
    conn: &mut PgConnection,
    party: Option<i64>,
    person: Option<i64>,
    lang: Language,
) -> QueryResult<Vec<AccessEvent>> {
    let l = col(lang);
    Prepared(diesel::sql_query(format!(
        "SELECT a.occurred_at, a.action, coalesce(actor.name, '') AS actor_name, coalesce(target.name, '') AS person_name, \
                coalesce(org.name, '') AS party_name, \
                coalesce(ap.name_{l}, s.title_{l}, '') AS what \
         FROM audit_log a \
         LEFT JOIN parties actor ON actor.id = a.actor_person_id \
         LEFT JOIN parties target ON a.target_type IN ('person', 'organization') AND target.id::text = a.target_id \
         LEFT JOIN parties org ON org.id = a.acting_for_id \
         LEFT JOIN access_packages ap ON ap.id = a.details->>'package' \
         LEFT JOIN services s ON s.id = a.details->>'service' \
         WHERE a.action IN ('grant', 'revoke') \
           AND (($1::bigint IS NOT NULL AND a.acting_for_id = $1) \
                OR ($2::bigint IS NOT NULL AND a.target_type = 'person' AND a.target_id = $2::text)) \
         ORDER BY a.occurred_at DESC, a.id DESC LIMIT 100"
    ))
    .bind::<Nullable<BigInt>, _>(party)
    .bind::<Nullable<BigInt>, _>(person))
    .load(conn)
}

/// The grants that let `person` read `service`'s mail for `party` ("why can I see this").
pub fn reasons(
    conn: &mut PgConnection,
    person: i64,
    party: i64,
    service: &str,
    lang: Language,
) -> QueryResult<Vec<Grant>> {
    Prepared(diesel::sql_query(format!(
        "SELECT $2 AS party_id, $1 AS person_id, {} FROM access_grants($1, $2) g {GRANT_JOINS} \
         JOIN services sv ON sv.id = $3 \
         WHERE g.service_id = sv.id \
            OR (g.package_id = ANY (sv.required_packages) AND (NOT sv.is_confidential OR g.source = 'delegation')) \
         ORDER BY what",
        grant_columns(lang)
    ))
    .bind::<BigInt, _>(person)
    .bind::<BigInt, _>(party)
    .bind::<Text, _>(service.to_owned()))
    .load(conn)
}

/// A delegation of the party (a person's or an organisation's, current or revoked) as the
/// confirmation line names it: who got or lost it, and what.
#[derive(QueryableByName, Debug, Clone)]
pub struct Described {
    #[diesel(sql_type = Text)]
    pub who: String,
    #[diesel(sql_type = Text)]
    pub what: String,
}

pub fn describe(
    conn: &mut PgConnection,
    party: i64,
    delegation: Uuid,
    lang: Language,
) -> QueryResult<Option<Described>> {
    let l = col(lang);
    diesel::sql_query(format!(
        "SELECT p.name AS who, coalesce(ap.name_{l}, s.title_{l}, '') AS what \
         FROM (SELECT to_person_id AS to_id, package_id, service_id FROM delegations \
                 WHERE id = $1 AND party_id = $2 \
               UNION ALL \
               SELECT to_org_id, package_id, service_id FROM system_delegations \
                 WHERE id = $1 AND party_id = $2) d \
         JOIN parties p ON p.id = d.to_id \
         LEFT JOIN access_packages ap ON ap.id = d.package_id LEFT JOIN services s ON s.id = d.service_id"
    ))
    .bind::<SqlUuid, _>(delegation)
    .bind::<BigInt, _>(party)
    .get_result(conn)
    .optional()
}
