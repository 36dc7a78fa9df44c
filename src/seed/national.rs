//! The national-scale world for `scripts/bench all` (`melding bench-seed`): on top of the bench
//! world, 1,000,000 persons with e-mail addresses, 100,000 organisations and as many messages as
//! asked, spread over them. PostgreSQL writes the messages itself (one INSERT ... SELECT per
//! chunk, with their Published events), so ten million take minutes, not hours. Idempotent: a
//! second run tops up to the number asked.

use std::time::Instant;

use anyhow::Context;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};
use std::sync::atomic::Ordering;

use super::{INTERRUPTED, progress};
use crate::db::PgPool;
use crate::domain::{NationalId, OrgNumber};

pub const PERSONS: usize = 1_000_000;
pub const ORGANISATIONS: usize = 100_000;
const CHUNK: i64 = 100_000;

/// Titles, summaries and bodies the messages take turns with (Norwegian, for the text search).
const LETTERS: [(&str, &str, &str); 8] = [
    (
        "Skattemeldingen for 2025 er klar",
        "Kontroller opplysningene og lever innen fristen",
        "Skattemeldingen din er klar. Kontroller at inntekter, fradrag og formue stemmer, og lever den innen fristen. Har du spørsmål, finner du svar hos Skatteetaten.",
    ),
    (
        "Vedtak om dagpenger",
        "Du har fått innvilget dagpenger",
        "Vi har behandlet søknaden din om dagpenger og innvilget den. Utbetalingen starter neste meldeperiode. Husk å sende meldekort hver fjortende dag.",
    ),
    (
        "Innkalling til foreldremøte",
        "Møtet holdes i skolens aula",
        "Velkommen til foreldremøte. Vi går gjennom planene for skoleåret, leksehjelp og turer. Gi beskjed om du ikke kan komme.",
    ),
    (
        "Faktura for kommunale avgifter",
        "Vann, avløp og renovasjon for første halvår",
        "Vedlagt er fakturaen for kommunale avgifter. Beløpet trekkes med avtalegiro der det er avtalt. Kontakt kommunen ved feil i grunnlaget.",
    ),
    (
        "Varsel om tilsyn",
        "Arbeidstilsynet kommer på tilsyn",
        "Arbeidstilsynet varsler tilsyn med virksomheten. Vi ber om at verneombud og daglig leder er til stede, og at dokumentasjon av risikovurderinger er tilgjengelig.",
    ),
    (
        "Bekreftelse på registrering",
        "Endringen er registrert i Enhetsregisteret",
        "Endringen dere meldte er nå registrert i Enhetsregisteret. Opplysningene er oppdatert og synlige for andre etater.",
    ),
    (
        "Påminnelse om frist for årsregnskap",
        "Årsregnskapet må sendes innen 31. juli",
        "Dette er en påminnelse om at årsregnskapet med noter og revisjonsberetning skal sendes til Regnskapsregisteret innen 31. juli.",
    ),
    (
        "Svar på søknad om byggetillatelse",
        "Søknaden er godkjent med vilkår",
        "Kommunen har behandlet søknaden om byggetillatelse. Tiltaket godkjennes med vilkårene som står i vedtaket. Klagefristen er tre uker.",
    ),
];

/// Makes sure the national parties exist: the bench's synthetic persons (with e-mail) and
/// synthetic organisations.
pub fn ensure_parties(pool: &PgPool) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let started = Instant::now();
    let ids = synthetic_ids(PERSONS);
    let bar = progress(ids.len() as u64, "persons");
    for chunk in ids.chunks(50_000) {
        ensure_persons(&mut conn, chunk)?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish();
    let mut numbers = Vec::with_capacity(ORGANISATIONS);
    let mut base = 70_000_000u32;
    while numbers.len() < ORGANISATIONS {
        if let Some(org) = OrgNumber::from_base(base) {
            numbers.push(org.as_str().to_owned());
        }
        base += 1;
    }
    let bar = progress(numbers.len() as u64, "organisations");
    for chunk in numbers.chunks(50_000) {
        diesel::sql_query(
            "INSERT INTO parties (kind, org_number, name, org_form) \
             SELECT 'organization', n, 'Virksomhet ' || n || ' AS', 'AS' FROM unnest($1::text[]) n \
             ON CONFLICT (org_number) DO NOTHING",
        )
        .bind::<Array<Text>, _>(chunk)
        .execute(&mut conn)?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish();
    diesel::sql_query("ANALYZE parties").execute(&mut conn)?;
    eprintln!(
        "{PERSONS} persons and {ORGANISATIONS} organisations in place in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Adds messages until the database holds `target`, to the national parties (persons and
/// organisations about equally), from every service owner's open services, over two years.
pub fn top_up_messages(pool: &PgPool, target: i64) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let existing = diesel::sql_query("SELECT count(*) AS n FROM correspondences")
        .get_result::<Count>(&mut conn)?
        .n;
    if existing >= target {
        eprintln!("{existing} messages already; nothing to add");
        return Ok(());
    }
    let started = Instant::now();
    // Synthetic history: no webhook is owed for it, so the events outbox's triggers (and the
    // foreign-key checks, which the seed satisfies by construction) stay off for this
    // connection. Without this every seeded message also wrote an outbox row.
    diesel::sql_query("SET session_replication_role = replica").execute(&mut conn)?;
    // Reset before the connection goes back to the pool, whatever happened.
    let written = write_messages(&mut conn, existing, target);
    diesel::sql_query("RESET session_replication_role").execute(&mut conn)?;
    let count = written?;
    eprintln!(
        "{} messages added in {:.1} s ({:.0}/s)",
        count - existing,
        started.elapsed().as_secs_f64(),
        (count - existing) as f64 / started.elapsed().as_secs_f64()
    );
    // A database of this size in service has been vacuumed: its pages are marked all-visible
    // (the unread counts answer from the index alone) and no autovacuum of millions of fresh rows
    // is still running. Without this the measurements that follow a seed share the two cores
    // with that autovacuum (about 90 s after a 1,000,000-message seed on the benchmark machine).
    let vacuum = Instant::now();
    eprintln!("Vacuuming and analysing what was written...");
    diesel::sql_query("VACUUM (ANALYZE)").execute(&mut conn)?;
    eprintln!("Vacuumed in {:.1} s", vacuum.elapsed().as_secs_f64());
    Ok(())
}

/// The top-up's writing, from `existing` messages to `target`; returns the count reached.
fn write_messages(conn: &mut PgConnection, existing: i64, target: i64) -> anyhow::Result<i64> {
    // The recipients, numbered, in a table of this connection's own.
    diesel::sql_query(
        "CREATE TEMP TABLE national_recipients AS \
         SELECT row_number() OVER (ORDER BY id)::int AS i, id FROM parties \
         WHERE (kind = 'person' AND name LIKE 'Benk %') OR (kind = 'organization' AND name LIKE 'Virksomhet %')",
    )
    .execute(conn)?;
    diesel::sql_query("ALTER TABLE national_recipients ADD PRIMARY KEY (i)").execute(conn)?;
    let recipients = diesel::sql_query("SELECT count(*) AS n FROM national_recipients")
        .get_result::<Count>(conn)?
        .n;
    anyhow::ensure!(
        recipients > 0,
        "no national parties: run the parties step first"
    );
    // One send per open service for all of them.
    diesel::sql_query(
        "CREATE TEMP TABLE national_services AS \
         WITH s AS (SELECT s.id, s.owner_id, p.name FROM services s JOIN parties p ON p.id = s.owner_id \
                    WHERE s.is_active AND NOT s.is_confidential AND s.min_login_level = 3), \
              ins AS (INSERT INTO sendings (id, service_id, sender_id, channel, recipient_count) \
                      SELECT gen_random_uuid(), id, owner_id, 'seed', 0 FROM s RETURNING id, service_id) \
         SELECT row_number() OVER (ORDER BY s.id)::int AS k, ins.id AS sending_id, s.id AS service_id, \
                s.owner_id, s.name AS owner_name \
         FROM s JOIN ins ON ins.service_id = s.id",
    )
    .execute(conn)?;
    let services = diesel::sql_query("SELECT count(*) AS n FROM national_services")
        .get_result::<Count>(conn)?
        .n;
    anyhow::ensure!(services > 0, "no open services: seed the demo world first");
    let (titles, rest): (Vec<&str>, Vec<(&str, &str)>) =
        LETTERS.iter().map(|(t, s, b)| (*t, (*s, *b))).unzip();
    let (summaries, bodies): (Vec<&str>, Vec<&str>) = rest.into_iter().unzip();
    let bar = progress(u64::try_from(target).unwrap_or(0), "messages");
    bar.set_position(u64::try_from(existing).unwrap_or(0));
    let mut count = existing;
    while count < target {
        if INTERRUPTED.load(Ordering::SeqCst) {
            bar.abandon();
            anyhow::bail!("interrupted after {count} messages; run again to continue");
        }
        let n = (target - count).min(CHUNK);
        let written = diesel::sql_query(
            "WITH g AS ( \
                 SELECT gen_random_uuid() AS id, 1 + floor(random() * $1)::int AS k, \
                        1 + floor(random() * $2)::int AS ri, \
                        now() - random() * interval '730 days' AS published, \
                        floor(random() * 8)::int AS t, random() AS r \
                 FROM generate_series(1, $3) \
             ), c AS ( \
                 INSERT INTO correspondences (id, sending_id, service_id, sender_id, sender_name, \
                     senders_reference, recipient_id, title, summary, body, published_at, status, \
                     status_changed_at, first_read_at, folder, created_at) \
                 SELECT g.id, s.sending_id, s.service_id, s.owner_id, s.owner_name, 'NASJONAL-' || g.t, \
                        nr.id, ($4::text[])[1 + g.t], ($5::text[])[1 + g.t], ($6::text[])[1 + g.t], \
                        g.published, CASE WHEN g.r < 0.7 THEN 'Read' ELSE 'Published' END, g.published, \
                        CASE WHEN g.r < 0.7 THEN least(now(), g.published + interval '1 day') END, \
                        CASE WHEN g.r < 0.1 THEN 'archive' ELSE 'inbox' END, g.published \
                 FROM g JOIN national_services s ON s.k = g.k JOIN national_recipients nr ON nr.i = g.ri \
                 RETURNING id, published_at \
             ) \
             INSERT INTO correspondence_events (correspondence_id, status, actor_system, occurred_at) \
             SELECT id, 'Published', 'melding-seed', published_at FROM c",
        )
        .bind::<Integer, _>(i32::try_from(services)?)
        .bind::<Integer, _>(i32::try_from(recipients)?)
        .bind::<BigInt, _>(n)
        .bind::<Array<Text>, _>(&titles)
        .bind::<Array<Text>, _>(&summaries)
        .bind::<Array<Text>, _>(&bodies)
        .execute(conn)
        .context("writing a chunk of messages")?;
        count += i64::try_from(written)?;
        bar.set_position(u64::try_from(count).unwrap_or(0));
    }
    bar.finish();
    diesel::sql_query(
        "UPDATE sendings s SET recipient_count = (SELECT count(*) FROM correspondences c WHERE c.sending_id = s.id) \
         WHERE s.id IN (SELECT sending_id FROM national_services)",
    )
    .execute(conn)?;
    Ok(count)
}

/// Synthetic national identity numbers (month + 40), `count` of them, always the same ones.
pub fn synthetic_ids(count: usize) -> Vec<String> {
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

/// The synthetic persons with these national ids, each with an e-mail address (those there
/// already are left as they are).
pub fn ensure_persons(conn: &mut PgConnection, ids: &[String]) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH new AS ( \
             INSERT INTO parties (kind, national_id, name) \
             SELECT 'person', n, 'Benk ' || n FROM unnest($1::text[]) n ON CONFLICT (national_id) DO NOTHING \
             RETURNING id, national_id \
         ) INSERT INTO contact_points (person_id, email) \
           SELECT id, 'benk' || national_id || '@example.invalid' FROM new ON CONFLICT DO NOTHING",
    )
    .bind::<Array<Text>, _>(ids)
    .execute(conn)
}
