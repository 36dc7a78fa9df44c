//! The demo world, seeded once and idempotently: `demo` seeds tens of thousands of messages,
//! `demo --size large` tops the mail up to 1,000,000 for benchmarks, in COPY batches.

mod content;
mod mail;
mod names;
pub mod national;
mod transfers;
use crate::auth::demo_idp::personas;

pub mod world;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use diesel::prelude::*;
use fastrand::Rng;
use indicatif::{ProgressBar, ProgressStyle};

use crate::db::PgPool;
use crate::db::schema::{correspondences, parties};
use mail::{Batch, Target, World};

/// Set by Ctrl-C: seeding stops after the current batch.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedSize {
    Small,
    Large,
    /// The small world plus one person with 100,000 messages and a representative with 15,000
    /// parties, for the inbox benchmark.
    Bench,
}

const SMALL_MESSAGES: usize = 30_000;
const LARGE_MESSAGES: i64 = 1_000_000;
const BATCH: usize = 20_000;

/// Seeds what is missing: the world and its first messages once, then (large) more mail.
pub fn demo(
    pool: &PgPool,
    size: SeedSize,
    storage: &crate::storage::Storage,
) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let citizen = personas::CITIZEN.national_id();
    let seeded: bool = diesel::select(diesel::dsl::exists(
        parties::table.filter(parties::national_id.eq(citizen.as_str())),
    ))
    .get_result(&mut conn)?;
    if !seeded {
        let started = Instant::now();
        eprintln!("Seeding the demo world (once; later starts reuse it)...");
        conn.transaction(|conn| seed_world(conn, storage))
            .context("seeding the demo world failed")?;
        eprintln!(
            "Demo world seeded in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    match size {
        SeedSize::Large => top_up(pool, storage, LARGE_MESSAGES)?,
        SeedSize::Bench => bench(pool, storage)?,
        SeedSize::Small => {}
    }
    Ok(())
}

const BENCH_MESSAGES: i64 = 100_000;
const BENCH_PARTIES: usize = 15_000;

/// Idempotent: tops the bench person up to 100,000 messages and the accountant up to 15,000 clients.
fn bench(pool: &PgPool, storage: &crate::storage::Storage) -> anyhow::Result<()> {
    use crate::db::schema::{er_roles, parties as p};
    let mut conn = pool.get()?;
    let started = Instant::now();
    let id = personas::BENCH.national_id();
    let (person, _) =
        crate::access::parties::find_or_create_person(&mut conn, &id, Some(personas::BENCH.name))?;
    let existing: i64 = correspondences::table
        .filter(correspondences::recipient_id.eq(person))
        .count()
        .get_result(&mut conn)?;
    if existing < BENCH_MESSAGES {
        eprintln!(
            "Adding {} messages for {}...",
            BENCH_MESSAGES - existing,
            personas::BENCH.name
        );
        let world = World::load(&mut conn, storage)?;
        world.insert_sendings(&mut conn)?;
        let index = world
            .person_index_by_name(personas::BENCH.name)
            .context("the bench person is missing")?;
        let bar = progress(u64::try_from(BENCH_MESSAGES).unwrap_or(0), "messages");
        bar.set_position(u64::try_from(existing).unwrap_or(0));
        let mut rng = Rng::with_seed(7);
        let now = Utc::now();
        let mut count = existing;
        while count < BENCH_MESSAGES {
            if INTERRUPTED.load(Ordering::SeqCst) {
                anyhow::bail!("interrupted; run again to continue");
            }
            let mut batch = Batch::default();
            for _ in 0..usize::try_from(BENCH_MESSAGES - count)
                .unwrap_or(0)
                .min(BATCH)
            {
                world.add_message(&mut rng, &mut batch, Target::Person(index), None, now);
            }
            count += i64::try_from(conn.transaction(|conn| batch.write(conn))?).unwrap_or(0);
            bar.set_position(u64::try_from(count).unwrap_or(0));
        }
        bar.finish();
        count_seeded_sendings(&mut conn)?;
    }
    let accountant: i64 = p::table
        .filter(p::national_id.eq(personas::ACCOUNTANT.national_id().as_str()))
        .select(p::id)
        .first(&mut conn)?;
    let clients: i64 = er_roles::table
        .filter(er_roles::person_id.eq(accountant))
        .filter(er_roles::role_code.eq("REGN"))
        .count()
        .get_result(&mut conn)?;
    let missing = BENCH_PARTIES.saturating_sub(usize::try_from(clients).unwrap_or(0));
    if missing > 0 {
        eprintln!(
            "Adding {missing} clients for {}...",
            personas::ACCOUNTANT.name
        );
        let mut base = 33_000_000u32;
        let mut rows = Vec::with_capacity(missing);
        while rows.len() < missing {
            base += 1;
            if let Some(org) = crate::domain::OrgNumber::from_base(base) {
                rows.push((
                    p::kind.eq(crate::domain::PartyKind::Organization),
                    p::org_number.eq(org.as_str().to_owned()),
                    p::name.eq(format!("Benkklient {} AS", rows.len() + 1)),
                    p::org_form.eq("AS"),
                ));
            }
        }
        conn.transaction(|conn| -> anyhow::Result<()> {
            for chunk in rows.chunks(2_000) {
                let ids: Vec<i64> = diesel::insert_into(p::table)
                    .values(chunk)
                    .on_conflict_do_nothing()
                    .returning(p::id)
                    .get_results(conn)?;
                let roles: Vec<_> = ids
                    .into_iter()
                    .map(|org| {
                        (
                            er_roles::person_id.eq(accountant),
                            er_roles::org_id.eq(org),
                            er_roles::role_code.eq("REGN"),
                        )
                    })
                    .collect();
                diesel::insert_into(er_roles::table)
                    .values(&roles)
                    .on_conflict_do_nothing()
                    .execute(conn)?;
            }
            Ok(())
        })?;
    }
    diesel::sql_query("ANALYZE").execute(&mut conn)?;
    eprintln!(
        "Bench data ready in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The seeded sends' recipient counts, from the messages written into them (the services
/// page sums these counts; the sent view counts the messages).
fn count_seeded_sendings(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE sendings s SET recipient_count = n.count \
         FROM (SELECT sending_id, count(*)::int AS count FROM correspondences \
               WHERE sending_id IN (SELECT id FROM sendings WHERE channel = 'seed') GROUP BY sending_id) n \
         WHERE s.id = n.sending_id AND s.recipient_count <> n.count",
    )
    .execute(conn)
}

fn progress(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:>12} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_owned());
    bar
}

fn seed_world(conn: &mut PgConnection, storage: &crate::storage::Storage) -> anyhow::Result<()> {
    let mut rng = Rng::with_seed(2026);
    world::insert(conn, &mut rng)?;
    let world = World::load(conn, storage)?;
    world.insert_sendings(conn)?;
    let now = Utc::now();
    let mut batch = Batch::default();

    // Curated mail for the personas, so each journey has something to show.
    let person = |name: &str| world.person_index_by_name(name).map(Target::Person);
    let curated: Vec<(Option<Target>, Option<&str>, usize)> = vec![
        (person(personas::CITIZEN.name), None, 40),
        (Some(Target::Named(world::NORDMANN_AS.0)), None, 60),
        (Some(Target::Named("Fjellvik kommune")), None, 120),
        (
            Some(Target::Named(world::FJELLVIK_CHILD_WELFARE)),
            Some("politi-bekymringsmelding"),
            3,
        ),
        (
            Some(Target::Named(world::FJELLVIK_CHILD_WELFARE)),
            Some("politi-straffesak"),
            2,
        ),
        (Some(Target::Named(world::DELETED_ORG)), None, 3),
        (person(personas::D_NUMBER.name), None, 12),
        (person(personas::RESERVED.name), None, 6),
        (person(personas::MUNICIPAL_CLERK.name), None, 5),
        (person(personas::ACCOUNTANT.name), None, 8),
        (
            person(personas::CITIZEN.name),
            Some("nav-helseopplysninger"),
            2,
        ),
    ];
    for (target, service, count) in curated {
        let target = target.context("a persona is missing from the demo world")?;
        for _ in 0..count {
            world.add_message(&mut rng, &mut batch, target, service, now);
        }
    }
    let bar = progress(SMALL_MESSAGES as u64, "messages");
    let mut written = batch.len();
    while written + batch.len() < SMALL_MESSAGES {
        world.add_message(&mut rng, &mut batch, Target::Anyone, None, now);
        if batch.len() >= BATCH {
            written += std::mem::take(&mut batch).write(conn)?;
            bar.set_position(written as u64);
        }
    }
    written += batch.write(conn)?;
    bar.set_position(written as u64);
    bar.finish();
    count_seeded_sendings(conn)?;
    transfers::ensure(conn, storage)?;
    Ok(())
}

/// Adds messages until there are `target` in all, one committed batch at a time, so an
/// interrupted run resumes where it stopped.
fn top_up(pool: &PgPool, storage: &crate::storage::Storage, target: i64) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let existing: i64 = correspondences::table.count().get_result(&mut conn)?;
    if existing >= target {
        return Ok(());
    }
    let started = Instant::now();
    eprintln!(
        "Adding {} messages for the large demo...",
        target - existing
    );
    let world = World::load(&mut conn, storage)?;
    world.insert_sendings(&mut conn)?;
    let bar = progress(u64::try_from(target).unwrap_or(0), "messages");
    bar.set_position(u64::try_from(existing).unwrap_or(0));
    let mut rng = Rng::with_seed(u64::try_from(existing).unwrap_or(0));
    let now = Utc::now();
    let mut count = existing;
    while count < target {
        if INTERRUPTED.load(Ordering::SeqCst) {
            bar.abandon();
            anyhow::bail!("interrupted after {count} messages; run again to continue");
        }
        let n = usize::try_from(target - count).unwrap_or(0).min(BATCH);
        let mut batch = Batch::default();
        for _ in 0..n {
            world.add_message(&mut rng, &mut batch, Target::Anyone, None, now);
        }
        let written = conn.transaction(|conn| batch.write(conn))?;
        count += i64::try_from(written).unwrap_or(0);
        bar.set_position(u64::try_from(count).unwrap_or(0));
    }
    bar.finish();
    count_seeded_sendings(&mut conn)?;
    eprintln!(
        "Large demo seeded in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    diesel::sql_query("ANALYZE").execute(&mut conn)?;
    Ok(())
}
