//! Withdrawal: a sender takes back what is not yet published (the recipient's mail is theirs
//! once published).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Uuid as SqlUuid};
use uuid::Uuid;

/// What to withdraw: every unpublished message of a send, or one message.
#[derive(Debug, Clone, Copy)]
pub enum Withdraw {
    Sending(Uuid),
    Message(Uuid),
}

impl Withdraw {
    /// The column that selects the scope, and its value.
    fn column(self) -> (&'static str, Uuid) {
        match self {
            Withdraw::Sending(id) => ("sending_id", id),
            Withdraw::Message(id) => ("id", id),
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Withdraws the owner's messages in `scope` that are not yet published: status
/// PurgedByService with its event, queued notices cancelled. Published mail is the recipient's
/// and stays. Returns how many were withdrawn.
pub fn withdraw(
    conn: &mut PgConnection,
    scope: Withdraw,
    owner: i64,
    person: Option<i64>,
) -> QueryResult<i64> {
    let (column, id) = scope.column();
    let count: Count = diesel::sql_query(format!(
        "WITH gone AS ( \
             UPDATE correspondences SET status = 'PurgedByService', status_changed_at = now() \
             WHERE {column} = $1 AND sender_id = $3 AND {WITHDRAWABLE} \
             RETURNING id \
         ), events AS ( \
             INSERT INTO correspondence_events (correspondence_id, status, actor_person_id, actor_party_id) \
             SELECT id, 'PurgedByService', $2, $3 FROM gone \
         ), cancelled AS ( \
             UPDATE notifications SET state = 'cancelled', updated_at = now() \
             WHERE correspondence_id IN (SELECT id FROM gone) AND state = 'queued' \
         ) SELECT count(*) AS n FROM gone"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<BigInt>, _>(person)
    .bind::<BigInt, _>(owner)
    .get_result(conn)?;
    Ok(count.n)
}

/// What may still be withdrawn: waiting for its attachments, or ready and not yet published.
const WITHDRAWABLE: &str =
    "(status = 'Initialized' OR (status = 'ReadyForPublish' AND published_at > now()))";

/// How many of the owner's messages in `scope` [`withdraw`] would take back now.
pub fn withdrawable(conn: &mut PgConnection, scope: Withdraw, owner: i64) -> QueryResult<i64> {
    let (column, id) = scope.column();
    let count: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM correspondences WHERE {column} = $1 AND sender_id = $2 AND {WITHDRAWABLE}"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(owner)
    .get_result(conn)?;
    Ok(count.n)
}
