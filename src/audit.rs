//! The audit log: who did what, when. Never a national identity number in plain text.

use diesel::prelude::*;

use crate::db::schema::audit_log;

pub struct Entry<'a> {
    pub action: &'a str,
    pub actor: Option<i64>,
    pub acting_for: Option<i64>,
    pub target: Option<(&'a str, String)>,
    pub details: serde_json::Value,
    pub correlation_id: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str) -> Self {
        Entry {
            action,
            actor: None,
            acting_for: None,
            target: None,
            details: serde_json::json!({}),
            correlation_id: None,
        }
    }
}

pub fn record(conn: &mut PgConnection, entry: Entry<'_>) -> QueryResult<()> {
    let (target_type, target_id) = entry
        .target
        .map_or((None, None), |(t, id)| (Some(t), Some(id)));
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::action.eq(entry.action),
            audit_log::actor_person_id.eq(entry.actor),
            audit_log::acting_for_id.eq(entry.acting_for),
            audit_log::target_type.eq(target_type),
            audit_log::target_id.eq(target_id),
            audit_log::details.eq(entry.details),
            audit_log::correlation_id.eq(entry.correlation_id),
        ))
        .execute(conn)?;
    Ok(())
}
