//! The service owners a person may send for: those whose sending package they hold.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::access::reference::SERVICE_OWNER_SEND;
use crate::db::Prepared;

/// A service owner the person may send for.
#[derive(QueryableByName, Debug, Clone)]
pub struct Owner {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub org_number: Option<String>,
}

impl Owner {
    /// The organisation number in groups of three, as the header shows it.
    pub fn number(&self) -> String {
        self.org_number
            .as_deref()
            .map(crate::domain::grouped_org_number)
            .unwrap_or_default()
    }
}

/// The service owners the person holds the sending package for (only `only`, when given).
pub fn of_person(
    conn: &mut PgConnection,
    person: i64,
    only: Option<i64>,
) -> QueryResult<Vec<Owner>> {
    Prepared(
        diesel::sql_query(
            "SELECT o.party_id AS id, p.name, p.org_number FROM service_owners o JOIN parties p ON p.id = o.party_id \
             WHERE ($2::bigint IS NULL OR o.party_id = $2) \
               AND EXISTS (SELECT 1 FROM access_grants($1, o.party_id) g WHERE g.package_id = $3) \
             ORDER BY p.name",
        )
        .bind::<BigInt, _>(person)
        .bind::<diesel::sql_types::Nullable<BigInt>, _>(only)
        .bind::<Text, _>(SERVICE_OWNER_SEND),
    )
    .load(conn)
}
