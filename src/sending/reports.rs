//! Reports for the service owner: what was sent but not opened. Unread after N days per service,
//! never read by the due date, confirmation missing after the due date, and messages nobody at
//! the recipient can read. Counts per service, and the first recipients of each for follow-up.
//! The reports page and the worker's weekly report both read them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};

use crate::web::i18n::date;

/// The four reports, by their key (also the translation key's suffix).
pub const REPORTS: [&str; 4] = ["unread", "unread-by-due", "unconfirmed", "nobody"];

#[derive(QueryableByName, Debug, Clone)]
pub struct ReportRow {
    #[diesel(sql_type = Text)]
    pub report: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub org_number: Option<String>,
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = Timestamptz)]
    pub published_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub due_at: Option<DateTime<Utc>>,
    /// How many rows the report has in all for this service.
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// Rows listed per report and service (the totals count them all).
const LISTED: i64 = 20;

/// Every report for the owner's mail as of `now`; `days` is the unread report's threshold.
pub fn reports(
    conn: &mut PgConnection,
    owner: i64,
    days: i32,
    lang: crate::domain::Language,
    now: DateTime<Utc>,
) -> QueryResult<Vec<ReportRow>> {
    let l = lang.code();
    diesel::sql_query(format!(
        "WITH mine AS ( \
             SELECT c.id, c.service_id, c.recipient_id, c.senders_reference, c.published_at, c.due_at, \
                    c.first_read_at, c.confirmation_needed, c.confirmed_at \
             FROM correspondences c WHERE c.sender_id = $1 AND delivered(c.published_at, c.status) \
         ), flagged AS ( \
             SELECT 'unread' AS report, m.* FROM mine m \
             WHERE m.first_read_at IS NULL AND m.published_at < $4 - make_interval(days => $2) \
             UNION ALL \
             SELECT 'unread-by-due', m.* FROM mine m \
             WHERE m.due_at < $4 AND (m.first_read_at IS NULL OR m.first_read_at > m.due_at) \
             UNION ALL \
             SELECT 'unconfirmed', m.* FROM mine m \
             WHERE m.confirmation_needed AND m.confirmed_at IS NULL AND m.due_at < $4 \
             UNION ALL \
             SELECT 'nobody', m.* FROM mine m \
             WHERE m.first_read_at IS NULL \
               AND NOT EXISTS (SELECT 1 FROM service_readers(m.recipient_id, m.service_id)) \
         ), ranked AS ( \
             SELECT f.*, row_number() OVER w AS n, count(*) OVER (PARTITION BY f.report, f.service_id) AS total \
             FROM flagged f WINDOW w AS (PARTITION BY f.report, f.service_id ORDER BY f.published_at, f.id) \
         ) \
         SELECT r.report, s.title_{l} AS service, p.name AS recipient, p.org_number, r.senders_reference AS reference, \
                r.published_at, r.due_at, r.total \
         FROM ranked r JOIN services s ON s.id = r.service_id JOIN parties p ON p.id = r.recipient_id \
         WHERE r.n <= $3 ORDER BY r.report, s.title_{l}, r.published_at"
    ))
    .bind::<BigInt, _>(owner)
    .bind::<Integer, _>(days)
    .bind::<BigInt, _>(LISTED)
    .bind::<Timestamptz, _>(now)
    .load(conn)
}

pub struct ServiceReport {
    pub service: String,
    pub total: i64,
    /// (recipient, reference, published, due)
    pub rows: Vec<(String, String, String, String)>,
}

pub struct ReportView {
    pub key: &'static str,
    pub services: Vec<ServiceReport>,
}

/// Groups the rows by report and service, in the order of [`REPORTS`].
pub fn group(lang: crate::domain::Language, rows: &[ReportRow]) -> Vec<ReportView> {
    REPORTS
        .iter()
        .map(|key| {
            let mut services: Vec<ServiceReport> = Vec::new();
            for r in rows.iter().filter(|r| r.report == *key) {
                if services.last().is_none_or(|s| s.service != r.service) {
                    services.push(ServiceReport {
                        service: r.service.clone(),
                        total: r.total,
                        rows: Vec::new(),
                    });
                }
                if let Some(s) = services.last_mut() {
                    s.rows.push((
                        crate::access::parties::label(&r.recipient, r.org_number.as_deref()),
                        r.reference.clone(),
                        date(lang, &r.published_at),
                        r.due_at.map(|d| date(lang, &d)).unwrap_or_default(),
                    ));
                }
            }
            ReportView { key, services }
        })
        .collect()
}
