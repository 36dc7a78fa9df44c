//! The preflight: who each recipient is, whether they are reserved, how many persons can read the
//! message, and which addresses a notice would go to. Asked before sending (the compose form
//! shows it) and when sending (the API answers with the readers).

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text};

use crate::db::Prepared;

/// What the preflight knows of one recipient.
#[derive(QueryableByName, Debug, Clone)]
pub struct Preflight {
    #[diesel(sql_type = BigInt)]
    pub party_id: i64,
    #[diesel(sql_type = Text)]
    pub kind: crate::domain::PartyKind,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub org_number: Option<String>,
    #[diesel(sql_type = Bool)]
    pub is_deleted: bool,
    #[diesel(sql_type = Bool)]
    pub is_reserved: bool,
    /// Persons who can read the service's mail for the recipient.
    #[diesel(sql_type = BigInt)]
    pub readers: i64,
    /// Of them, those who read by a role in the business register.
    #[diesel(sql_type = BigInt)]
    pub by_role: i64,
    /// Of them, those given access by delegation.
    #[diesel(sql_type = BigInt)]
    pub by_delegation: i64,
    /// Organisations whose systems read it by delegation.
    #[diesel(sql_type = BigInt)]
    pub systems: i64,
    #[diesel(sql_type = BigInt)]
    pub emails: i64,
    #[diesel(sql_type = BigInt)]
    pub phones: i64,
}

impl Preflight {
    /// The outcome as the summary counts it.
    pub fn outcome(&self, ignore_reservation: bool) -> Outcome {
        if self.is_deleted {
            Outcome::Deleted
        } else if self.is_reserved && !ignore_reservation {
            Outcome::Reserved
        } else if self.readers == 0 {
            Outcome::NobodyCanRead
        } else {
            Outcome::Ready
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ready,
    Reserved,
    NobodyCanRead,
    Deleted,
}

/// Parties by their national id or organisation number, in the order asked; `None` for a
/// number no party has.
pub fn find_parties(conn: &mut PgConnection, numbers: &[String]) -> QueryResult<Vec<Option<i64>>> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = Nullable<BigInt>)]
        id: Option<i64>,
    }
    let rows: Vec<Found> = Prepared(
        diesel::sql_query(
            "SELECT p.id FROM unnest($1::text[]) WITH ORDINALITY n(number, i) \
             LEFT JOIN LATERAL ( \
                 SELECT id FROM parties WHERE national_id = n.number \
                 UNION ALL SELECT id FROM parties WHERE org_number = n.number LIMIT 1 \
             ) p ON true ORDER BY n.i",
        )
        .bind::<Array<Text>, _>(numbers),
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Contact data older than this counts as missing (the contact register's rule).
pub(super) const STALE: &str = "interval '18 months'";

/// The preflight of each recipient for the service, in the order given.
pub fn preflight(
    conn: &mut PgConnection,
    service: &str,
    parties: &[i64],
) -> QueryResult<Vec<Preflight>> {
    Prepared(
        diesel::sql_query(format!(
            "SELECT p.id AS party_id, p.kind, p.name, p.org_number, p.is_deleted, \
                    coalesce(cp.is_reserved, false) AS is_reserved, \
                    rd.readers, rd.by_role, rd.by_delegation, \
                    (SELECT count(*) FROM service_reader_systems(p.id, $2)) AS systems, \
                    CASE WHEN p.kind = 'person' THEN \
                        (cp.email IS NOT NULL AND cp.confirmed_at > now() - {STALE})::int::bigint \
                    ELSE (SELECT count(*) FROM org_notification_addresses a WHERE a.org_id = p.id AND a.channel = 'email') END AS emails, \
                    CASE WHEN p.kind = 'person' THEN \
                        (cp.mobile IS NOT NULL AND cp.confirmed_at > now() - {STALE})::int::bigint \
                    ELSE (SELECT count(*) FROM org_notification_addresses a WHERE a.org_id = p.id AND a.channel = 'sms') END AS phones \
             FROM unnest($1::bigint[]) WITH ORDINALITY r(id, i) JOIN parties p ON p.id = r.id \
             CROSS JOIN LATERAL (SELECT count(DISTINCT b.person_id) AS readers, \
                    count(DISTINCT b.person_id) FILTER (WHERE b.via = 'role') AS by_role, \
                    count(DISTINCT b.person_id) FILTER (WHERE b.via = 'delegation') AS by_delegation \
                  FROM service_readers_by(p.id, $2) b) rd \
             LEFT JOIN contact_points cp ON cp.person_id = p.id ORDER BY r.i"
        ))
        .bind::<Array<BigInt>, _>(parties)
        .bind::<Text, _>(service),
    )
    .load(conn)
}
