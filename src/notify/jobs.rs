//! Periodic jobs, run by whichever worker claims them first (one `UPDATE` moves the job's next
//! run forward, so on several nodes each run happens once):
//! - weekly: the unread-mail report to each service owner's contact address;
//! - daily: the notice to organisations' main administrators of mail unread for a week.
//!
//! A job whose mail cannot be sent keeps its time and is tried again at the next check.

use chrono::{DateTime, Datelike, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};

use super::content::html_escape;
use super::transport::{OutgoingEmail, SendError};
use crate::access::reference::MAIN_ADMINISTRATOR;
use crate::db::PgPool;
use crate::domain::Language;
use crate::web::i18n;

/// Sends one e-mail (the worker's mailer, on its runtime).
pub type SendMail<'a> = dyn Fn(&OutgoingEmail<'_>) -> Result<(), SendError> + 'a;

pub const WEEKLY_REPORT: &str = "weekly-owner-report";
pub const DAILY_UNREAD: &str = "daily-unread-to-administrators";

/// Runs every job that is due at `now`.
pub fn run_due(
    pool: &PgPool,
    mailer: &SendMail<'_>,
    now: DateTime<Utc>,
    public_url: &str,
) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    for job in [WEEKLY_REPORT, DAILY_UNREAD] {
        let first = next_slot(job, now);
        diesel::sql_query(
            "INSERT INTO jobs (name, next_run_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind::<Text, _>(job)
        .bind::<Timestamptz, _>(first)
        .execute(&mut conn)?;
        let Some(since) = claim(&mut conn, job, now)? else {
            continue;
        };
        let result = match job {
            WEEKLY_REPORT => weekly_report(&mut conn, mailer, now, public_url),
            _ => daily_unread(&mut conn, mailer, since, now, public_url),
        };
        if let Err(err) = &result {
            // Give the run back: it is tried again at the next check.
            diesel::sql_query("UPDATE jobs SET next_run_at = $2, last_error = $3 WHERE name = $1")
                .bind::<Text, _>(job)
                .bind::<Timestamptz, _>(now)
                .bind::<Text, _>(err.to_string())
                .execute(&mut conn)?;
            tracing::warn!(job, error = %err, "periodic job failed; it will be retried");
        }
    }
    Ok(())
}

/// The job's next time after `now`: 06:00 UTC the next day, or on the next Monday for the
/// weekly report. A node that was down for weeks runs a job once, not once per missed period.
fn next_slot(job: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut day = now.date_naive();
    loop {
        let at = day.and_hms_opt(6, 0, 0).map_or(now, |t| t.and_utc());
        let weekday_ok = job != WEEKLY_REPORT || day.weekday() == chrono::Weekday::Mon;
        if at > now && weekday_ok {
            return at;
        }
        day += Duration::days(1);
    }
}

/// Takes the job's run if due: moves `next_run_at` a period on and returns when the previous run
/// was (the start of the period this run covers).
fn claim(
    conn: &mut PgConnection,
    job: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct Since {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        since: Option<DateTime<Utc>>,
    }
    let period = if job == WEEKLY_REPORT { 7 } else { 1 };
    let row: Option<Since> = diesel::sql_query(
        "UPDATE jobs j SET next_run_at = $3, last_run_at = $2, last_error = NULL \
         FROM (SELECT name, last_run_at FROM jobs WHERE name = $1 FOR UPDATE) old \
         WHERE j.name = old.name AND j.next_run_at <= $2 \
         RETURNING coalesce(old.last_run_at, $2 - make_interval(days => $4)) AS since",
    )
    .bind::<Text, _>(job)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(next_slot(job, now))
    .bind::<diesel::sql_types::Integer, _>(period)
    .get_result(conn)
    .optional()?;
    Ok(row.and_then(|r| r.since))
}

#[derive(QueryableByName)]
struct OwnerReport {
    #[diesel(sql_type = BigInt)]
    owner: i64,
    #[diesel(sql_type = Text)]
    owner_name: String,
    #[diesel(sql_type = Text)]
    contact_email: String,
}

/// The unread-mail report, in counts per report and service (no recipients' names in e-mail;
/// the report page lists them), to every owner with a contact address.
fn weekly_report(
    conn: &mut PgConnection,
    mailer: &SendMail<'_>,
    now: DateTime<Utc>,
    public_url: &str,
) -> anyhow::Result<()> {
    let owners: Vec<OwnerReport> = diesel::sql_query(
        "SELECT o.party_id AS owner, p.name AS owner_name, o.contact_email \
         FROM service_owners o JOIN parties p ON p.id = o.party_id \
         WHERE o.contact_email IS NOT NULL ORDER BY o.party_id",
    )
    .load(conn)?;
    let lang = Language::Nb;
    for owner in owners {
        let rows = crate::sending::reports::reports(conn, owner.owner, 7, lang, now)?;
        let mut lines = Vec::new();
        for report in crate::sending::reports::REPORTS {
            let mut seen = std::collections::BTreeMap::new();
            for row in rows.iter().filter(|r| r.report == report) {
                seen.insert(row.service.clone(), row.total);
            }
            let heading = i18n::text_with(
                lang,
                &format!("report-{report}"),
                &[("days", "7".to_owned())],
            );
            if seen.is_empty() {
                lines.push(format!("{heading}: 0"));
            } else {
                lines.push(format!("{heading}:"));
                lines.extend(seen.iter().map(|(service, n)| format!("  {service}: {n}")));
            }
        }
        let subject = format!(
            "{}: {}",
            i18n::text(lang, "digest-subject"),
            owner.owner_name
        );
        let link = format!("{public_url}/admin/reports?owner={}", owner.owner);
        let text = format!(
            "{}\n\n{}\n\n{}: {link}\n",
            i18n::text_with(
                lang,
                "digest-intro",
                &[("date", now.format("%d.%m.%Y").to_string())]
            ),
            lines.join("\n"),
            i18n::text(lang, "digest-link"),
        );
        let id = Report {
            kind: "report",
            party: owner.owner,
            now,
            public_url,
        };
        send(mailer, &owner.contact_email, &subject, &text, &id)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct AdminNotice {
    #[diesel(sql_type = BigInt)]
    org: i64,
    #[diesel(sql_type = Text)]
    org_name: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    senders: String,
    #[diesel(sql_type = BigInt)]
    unread: i64,
}

/// Organisations' mail published a week before this period and still unread: each main
/// administrator with an e-mail address gets the count and the senders (never titles).
fn daily_unread(
    conn: &mut PgConnection,
    mailer: &SendMail<'_>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    public_url: &str,
) -> anyhow::Result<()> {
    let notices: Vec<AdminNotice> = diesel::sql_query(format!("WITH unread AS ( \
             SELECT c.recipient_id, c.sender_name FROM correspondences c JOIN parties r ON r.id = c.recipient_id \
             WHERE c.published_at >= $1 - interval '7 days' AND c.published_at < $2 - interval '7 days' \
               AND c.first_read_at IS NULL AND r.kind = 'organization' AND delivered(c.published_at, c.status) \
         ), per_org AS ( \
             SELECT recipient_id, count(*) AS unread, string_agg(DISTINCT sender_name, ', ') AS senders \
             FROM unread GROUP BY recipient_id \
         ) \
         SELECT o.recipient_id AS org, p.name AS org_name, cp.email, o.senders, o.unread \
         FROM per_org o JOIN parties p ON p.id = o.recipient_id \
         CROSS JOIN LATERAL package_holders(o.recipient_id, '{MAIN_ADMINISTRATOR}') h \
         JOIN contact_points cp ON cp.person_id = h.person_id \
         WHERE cp.email IS NOT NULL AND cp.confirmed_at > $2 - interval '18 months' \
         ORDER BY o.recipient_id, cp.email"))
    .bind::<Timestamptz, _>(since)
    .bind::<Timestamptz, _>(now)
    .load(conn)?;
    let lang = Language::Nb;
    for n in notices {
        let subject = i18n::text_with(
            lang,
            "unread-notice-subject",
            &[("org", n.org_name.clone())],
        );
        let text = format!(
            "{}\n\n{}: {}\n\n{}: {public_url}/inbox?party={}\n",
            i18n::text_with(
                lang,
                "unread-notice-body",
                &[("org", n.org_name.clone()), ("count", n.unread.to_string())]
            ),
            i18n::text(lang, "unread-notice-senders"),
            n.senders,
            i18n::text(lang, "digest-link"),
            n.org,
        );
        let id = Report {
            kind: "unread",
            party: n.org,
            now,
            public_url,
        };
        send(mailer, &n.email, &subject, &text, &id)?;
    }
    Ok(())
}

/// Which report a mail is, for its Message-ID (one per kind, party and day).
struct Report<'a> {
    kind: &'static str,
    party: i64,
    now: DateTime<Utc>,
    public_url: &'a str,
}

/// Sends a report as plain text, with the same text as the HTML part.
fn send(
    mailer: &SendMail<'_>,
    to: &str,
    subject: &str,
    text: &str,
    report: &Report<'_>,
) -> anyhow::Result<()> {
    let html = format!(
        "<!DOCTYPE html><html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{s}</title></head>\
         <body><main><h1>{s}</h1><pre>{t}</pre></main></body></html>",
        s = html_escape(subject),
        t = html_escape(text)
    );
    let message_id = format!(
        "<{}.{}.{}@{}>",
        report.kind,
        report.party,
        report.now.format("%Y%m%d"),
        super::mail_domain(report.public_url)
    );
    match mailer(&OutgoingEmail {
        to,
        subject,
        text,
        html: &html,
        message_id: &message_id,
        files: &[],
    }) {
        Ok(()) => Ok(()),
        // A bad address will not get better: skip it rather than block everyone else's report.
        Err(SendError::Permanent { reason, .. }) => {
            tracing::warn!(reason, "a report could not be delivered");
            Ok(())
        }
        Err(SendError::Transient(e)) => Err(anyhow::anyhow!("SMTP: {e}")),
    }
}
