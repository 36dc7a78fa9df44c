//! Looking up and creating parties.

use diesel::prelude::*;

use crate::db::schema::parties;
use crate::domain::{NationalId, OrgNumber};

/// A person's party id and name; created on first login when missing. ID-porten gives no name,
/// so a new person is named by `name` when the provider sent one, else by the masked number
/// until the population register import fills it in.
pub fn find_or_create_person(
    conn: &mut PgConnection,
    id: &NationalId,
    name: Option<&str>,
) -> QueryResult<(i64, String)> {
    let found: Option<(i64, String)> = parties::table
        .filter(parties::national_id.eq(id.as_str()))
        .select((parties::id, parties::name))
        .first(conn)
        .optional()?;
    if let Some(found) = found {
        return Ok(found);
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| id.masked(), str::to_owned);
    diesel::insert_into(parties::table)
        .values((
            parties::kind.eq(crate::domain::PartyKind::Person),
            parties::national_id.eq(id.as_str()),
            parties::name.eq(&name),
        ))
        .on_conflict(parties::national_id)
        .do_update()
        .set(parties::updated_at.eq(diesel::dsl::now))
        .returning((parties::id, parties::name))
        .get_result(conn)
}

/// How a party is named in lists: its name and, for organisations, the number in groups of three.
pub fn label(name: &str, org_number: Option<&str>) -> String {
    match org_number.and_then(|n| OrgNumber::parse(n).ok()) {
        Some(org) => format!("{name} ({org})"),
        None => name.to_owned(),
    }
}
