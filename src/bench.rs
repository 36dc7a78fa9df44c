//! The mass-send benchmark (`melding bench-send`): makes sure the given number of synthetic
//! persons exist (each with an e-mail address), writes them to a CSV file and sends one message
//! to all of them through the same code as the CSV upload, timing it.

use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text};

use crate::admin::mass;
use crate::admin::send::{Draft, NotificationChannel};
use crate::db::PgPool;
use crate::domain::{Language, NationalId, TestIds};

/// Synthetic national identity numbers (month + 40), `count` of them, always the same ones.
fn synthetic_ids(count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    'outer: for year in 0..100u32 {
        for month in 1..=12u32 {
            for day in 1..=28u32 {
                let born = format!("{day:02}{:02}{year:02}", month + 40);
                for individual in 500..1000u16 {
                    if let Some(id) = NationalId::from_parts(&born, individual) {
                        ids.push(id.as_str().to_owned());
                        if ids.len() == count {
                            break 'outer;
                        }
                    }
                }
            }
        }
    }
    ids
}

pub struct Report {
    pub recipients: usize,
    pub prepare_seconds: f64,
    pub send_seconds: f64,
    pub notifications: i64,
}

/// Runs the benchmark against the database behind `pool`; the CSV goes to `dir`.
pub fn mass_send(pool: &PgPool, count: usize, dir: &Path) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut conn = pool.get()?;
    let ids = synthetic_ids(count);
    eprintln!("preparing {} synthetic persons...", ids.len());
    for chunk in ids.chunks(50_000) {
        diesel::sql_query(
            "WITH new AS ( \
                 INSERT INTO parties (kind, national_id, name) \
                 SELECT 'person', n, 'Benk ' || n FROM unnest($1::text[]) n ON CONFLICT (national_id) DO NOTHING \
                 RETURNING id, national_id \
             ) INSERT INTO contact_points (person_id, email) \
               SELECT id, 'benk' || national_id || '@example.invalid' FROM new ON CONFLICT DO NOTHING",
        )
        .bind::<Array<Text>, _>(chunk)
        .execute(&mut conn)?;
    }
    std::fs::create_dir_all(dir)?;
    let csv = dir.join("recipients.csv");
    {
        let mut out = BufWriter::new(std::fs::File::create(&csv)?);
        writeln!(out, "recipient")?;
        for id in &ids {
            writeln!(out, "{id}")?;
        }
        out.flush()?;
    }
    diesel::sql_query("ANALYZE parties").execute(&mut conn)?;
    let prepare_seconds = started.elapsed().as_secs_f64();

    let owner: i64 = crate::db::schema::service_owners::table
        .filter(crate::db::schema::service_owners::short_name.eq("skatteetaten"))
        .select(crate::db::schema::service_owners::party_id)
        .first(&mut conn)
        .context("the demo world's tax office (run `melding demo` once first)")?;
    let draft = Draft {
        service_id: "skatt-skatteoppgjor".to_owned(),
        sender_id: owner,
        created_by: None,
        channel: "csv",
        idempotency_key: Some(format!("bench-{}", uuid::Uuid::now_v7())),
        senders_reference: "BENCH-MASS".to_owned(),
        display_sender: None,
        language: Language::Nb,
        title: "Skatteoppgjøret for {{recipientName}} er klart".to_owned(),
        summary: Some("Se hva du skal betale eller få tilbake".to_owned()),
        body: "Hei {{recipientName}},\n\nSkatteoppgjøret ditt er klart. Logg inn for å se det."
            .to_owned(),
        publish_at: None,
        due_at: None,
        confirmation_needed: false,
        reply_links: Vec::new(),
        external_references: Vec::new(),
        notification: Some(NotificationChannel::Email),
        send_reminder: true,
        sms_any_time: false,
        ignore_reservation_reason: None,
        initial_texts: None,
        reminder_texts: None,
        attachments: Vec::new(),
    };
    let started = Instant::now();
    let input = BufReader::new(std::fs::File::open(&csv)?);
    let outcome = mass::send_csv(pool, &draft, input, TestIds::Allowed, |p| {
        eprint!(
            "\r{} lines read, {} stored, {} rejected",
            p.lines, p.stored, p.rejected
        );
    })?;
    eprintln!();
    let send_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        outcome.progress.rejected == 0,
        "{} lines were rejected",
        outcome.progress.rejected
    );
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let notifications = diesel::sql_query(
        "SELECT count(*) AS n FROM notifications n JOIN correspondences c ON c.id = n.correspondence_id \
         WHERE c.sending_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(outcome.sent.sending_id)
    .get_result::<Count>(&mut conn)?
    .n;
    Ok(Report {
        recipients: outcome.progress.stored,
        prepare_seconds,
        send_seconds,
        notifications,
    })
}
