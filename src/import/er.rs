//! `melding import er`: units, sub-units and roles from the business register (Enhetsregisteret)
//! in the shape of Brønnøysund's open data: units and sub-units as its bulk JSON
//! (`organisasjonsnummer`, `navn`, `organisasjonsform.kode`, `overordnetEnhet`, `slettedato`), roles
//! as its `rollegrupper` per organisation with each person's national identity number added
//! (`person.fodselsnummer`). Upserts are idempotent: a second run of the same files changes nothing.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use super::{Rejected, Report, for_each_element};
use crate::db::PgPool;
use crate::domain::{NationalId, OrgNumber, TestIds};

const BATCH: usize = 1_000;

pub struct Files<'a> {
    pub units: &'a Path,
    pub subunits: Option<&'a Path>,
    pub roles: &'a Path,
}

/// Imports all files in order (units, sub-units, roles); returns one report per file.
pub fn import(
    pool: &PgPool,
    files: &Files<'_>,
    test_ids: TestIds,
    progress: bool,
) -> anyhow::Result<Vec<(String, Report)>> {
    let mut conn = pool.get()?;
    crate::access::reference::insert(&mut conn)?;
    let mut reports = vec![(
        name(files.units),
        units(&mut conn, files.units, false, progress)?,
    )];
    if let Some(sub) = files.subunits {
        reports.push((name(sub), units(&mut conn, sub, true, progress)?));
    }
    reports.push((
        name(files.roles),
        roles(&mut conn, files.roles, test_ids, progress)?,
    ));
    // With Digdir in the register, eFormidling's digital post services are ready.
    crate::access::reference::eformidling_services(&mut conn)?;
    Ok(reports)
}

fn name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn open(path: &Path, progress: bool) -> anyhow::Result<(impl std::io::Read, ProgressBar)> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if progress {
        ProgressBar::new(len)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:>14} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(name(path));
    Ok((bar.wrap_read(file), bar))
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, key| v.get(key))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

struct UnitRow {
    org_number: String,
    name: String,
    form: Option<String>,
    parent: Option<String>,
    deleted_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn unit_row(v: &Value, sub: bool) -> Result<UnitRow, String> {
    let number = text(v, &["organisasjonsnummer"]).ok_or("no organisasjonsnummer")?;
    let org =
        OrgNumber::parse(number).map_err(|e| format!("organisasjonsnummer {number:?}: {e}"))?;
    let name = text(v, &["navn"]).ok_or("no navn")?;
    if name.chars().count() > 500 {
        return Err("navn is longer than 500 characters".to_owned());
    }
    let parent = match text(v, &["overordnetEnhet"]) {
        Some(p) => Some(
            OrgNumber::parse(p)
                .map_err(|e| format!("overordnetEnhet {p:?}: {e}"))?
                .as_str()
                .to_owned(),
        ),
        None if sub => return Err("a sub-unit needs overordnetEnhet".to_owned()),
        None => None,
    };
    let deleted_at = match text(v, &["slettedato"]) {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| format!("slettedato {d:?} is not a date (YYYY-MM-DD)"))?
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .ok_or("slettedato")?,
        ),
        None => None,
    };
    Ok(UnitRow {
        org_number: org.as_str().to_owned(),
        name: name.to_owned(),
        form: text(v, &["organisasjonsform", "kode"]).map(str::to_owned),
        parent,
        deleted_at,
    })
}

#[derive(QueryableByName)]
struct Upserted {
    #[diesel(sql_type = Bool)]
    inserted: bool,
}

/// Upserts a batch of units; unchanged rows are not touched (and not counted as changed).
fn upsert_units(
    conn: &mut PgConnection,
    rows: &[(usize, UnitRow)],
    file: &str,
    report: &mut Report,
) -> anyhow::Result<()> {
    conn.transaction(|conn| {
        for (position, row) in rows {
            let parent: Option<i64> = match &row.parent {
                None => None,
                Some(number) => {
                    let found = crate::db::schema::parties::table
                        .filter(crate::db::schema::parties::org_number.eq(number))
                        .select(crate::db::schema::parties::id)
                        .first::<i64>(conn)
                        .optional()?;
                    match found {
                        Some(id) => Some(id),
                        None => {
                            report.rejected.push(Rejected {
                                file: file.to_owned(),
                                position: *position,
                                reason: format!("overordnetEnhet {number} is not a known unit"),
                            });
                            continue;
                        }
                    }
                }
            };
            let changed: Option<Upserted> = diesel::sql_query(
                "INSERT INTO parties (kind, org_number, name, org_form, parent_id, is_deleted, deleted_at) \
                 VALUES ('organization', $1, $2, $3, $4, $5 IS NOT NULL, $5) \
                 ON CONFLICT (org_number) DO UPDATE SET name = EXCLUDED.name, org_form = EXCLUDED.org_form, \
                   parent_id = EXCLUDED.parent_id, is_deleted = EXCLUDED.is_deleted, deleted_at = EXCLUDED.deleted_at, \
                   updated_at = now() \
                 WHERE (parties.name, parties.org_form, parties.parent_id, parties.is_deleted, parties.deleted_at) \
                   IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.org_form, EXCLUDED.parent_id, EXCLUDED.is_deleted, EXCLUDED.deleted_at) \
                 RETURNING (xmax = 0) AS inserted",
            )
            .bind::<Text, _>(&row.org_number)
            .bind::<Text, _>(&row.name)
            .bind::<Nullable<Text>, _>(&row.form)
            .bind::<Nullable<BigInt>, _>(parent)
            .bind::<Nullable<Timestamptz>, _>(row.deleted_at)
            .get_result(conn)
            .optional()?;
            match changed {
                Some(u) if u.inserted => report.inserted += 1,
                Some(_) => report.updated += 1,
                None => report.unchanged += 1,
            }
        }
        Ok(())
    })
}

fn units(
    conn: &mut PgConnection,
    path: &Path,
    sub: bool,
    progress: bool,
) -> anyhow::Result<Report> {
    let file = name(path);
    let (reader, bar) = open(path, progress)?;
    let mut report = Report::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut seen = HashSet::new();
    for_each_element(reader, |position, value| {
        match unit_row(&value, sub) {
            Ok(row) if !seen.insert(row.org_number.clone()) => report.rejected.push(Rejected {
                file: file.clone(),
                position,
                reason: format!("organisasjonsnummer {} appears twice", row.org_number),
            }),
            Ok(row) => batch.push((position, row)),
            Err(reason) => report.rejected.push(Rejected {
                file: file.clone(),
                position,
                reason,
            }),
        }
        if batch.len() >= BATCH {
            upsert_units(conn, &std::mem::take(&mut batch), &file, &mut report)?;
        }
        Ok(())
    })
    .with_context(|| format!("{file} is not a JSON array of units"))?;
    upsert_units(conn, &batch, &file, &mut report)?;
    bar.finish_and_clear();
    report.rejected.sort_by_key(|r| r.position);
    Ok(report)
}

struct RoleRow {
    national_id: NationalId,
    name: String,
    role: String,
}

/// The organisation's current roles held by persons; roles held by organisations (an
/// accounting firm as REGN) and withdrawn roles (`fratraadt`) are reported and left out.
fn role_rows(
    v: &Value,
    test_ids: TestIds,
    known_roles: &HashSet<String>,
) -> Result<(String, Vec<RoleRow>, Vec<String>), String> {
    let number = text(v, &["organisasjonsnummer"]).ok_or("no organisasjonsnummer")?;
    let org =
        OrgNumber::parse(number).map_err(|e| format!("organisasjonsnummer {number:?}: {e}"))?;
    let groups = v
        .get("rollegrupper")
        .and_then(Value::as_array)
        .ok_or("no rollegrupper")?;
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let roles = group
            .get("roller")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("rollegruppe {} has no roller", g + 1))?;
        for role in roles {
            let code = text(role, &["type", "kode"])
                .ok_or_else(|| format!("a role in rollegruppe {} has no type.kode", g + 1))?;
            if role.get("fratraadt").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            if !known_roles.contains(code) {
                skipped.push(format!("unknown role {code}"));
                continue;
            }
            if role.get("enhet").is_some() && role.get("person").is_none() {
                skipped.push(format!("{code} held by an organisation"));
                continue;
            }
            let pid = text(role, &["person", "fodselsnummer"])
                .ok_or_else(|| format!("{code}: person.fodselsnummer missing"))?;
            let national_id = NationalId::parse(pid, test_ids)
                .map_err(|e| format!("{code}: fodselsnummer: {e}"))?;
            let name = ["fornavn", "mellomnavn", "etternavn"]
                .iter()
                .filter_map(|part| text(role, &["person", "navn", part]))
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() {
                return Err(format!("{code}: person.navn missing"));
            }
            rows.push(RoleRow {
                national_id,
                name,
                role: code.to_owned(),
            });
        }
    }
    Ok((org.as_str().to_owned(), rows, skipped))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Replaces one organisation's person roles with `rows`, creating persons as needed.
fn sync_roles(
    conn: &mut PgConnection,
    org: &str,
    rows: &[RoleRow],
    report: &mut Report,
) -> Result<(), String> {
    let result: anyhow::Result<()> = conn.transaction(|conn| {
        let org_id: Option<i64> = crate::db::schema::parties::table
            .filter(crate::db::schema::parties::org_number.eq(org))
            .select(crate::db::schema::parties::id)
            .first(conn)
            .optional()?;
        let org_id = org_id.ok_or_else(|| anyhow::anyhow!("organisasjonsnummer {org} is not a known unit"))?;
        let mut keep: Vec<i64> = Vec::new();
        for row in rows {
            let (person, _) = crate::access::parties::find_or_create_person(conn, &row.national_id, Some(&row.name))?;
            #[derive(QueryableByName)]
            struct Id {
                #[diesel(sql_type = BigInt)]
                id: i64,
            }
            let existing: Option<Id> = diesel::sql_query(
                "SELECT id FROM er_roles WHERE person_id = $1 AND org_id = $2 AND role_code = $3",
            )
            .bind::<BigInt, _>(person)
            .bind::<BigInt, _>(org_id)
            .bind::<Text, _>(&row.role)
            .get_result(conn)
            .optional()?;
            let id = match existing {
                Some(found) => {
                    report.unchanged += 1;
                    found.id
                }
                None => {
                    report.inserted += 1;
                    diesel::sql_query("INSERT INTO er_roles (person_id, org_id, role_code) VALUES ($1, $2, $3) RETURNING id")
                        .bind::<BigInt, _>(person)
                        .bind::<BigInt, _>(org_id)
                        .bind::<Text, _>(&row.role)
                        .get_result::<Id>(conn)?
                        .id
                }
            };
            keep.push(id);
        }
        let removed: Count = diesel::sql_query(
            "WITH gone AS (DELETE FROM er_roles WHERE org_id = $1 AND NOT (id = ANY ($2)) RETURNING 1) SELECT count(*) AS n FROM gone",
        )
        .bind::<BigInt, _>(org_id)
        .bind::<diesel::sql_types::Array<BigInt>, _>(&keep)
        .get_result(conn)?;
        report.removed += usize::try_from(removed.n).unwrap_or(0);
        Ok(())
    });
    result.map_err(|e| e.to_string())
}

fn roles(
    conn: &mut PgConnection,
    path: &Path,
    test_ids: TestIds,
    progress: bool,
) -> anyhow::Result<Report> {
    let file = name(path);
    let known: HashSet<String> = crate::db::schema::er_role_types::table
        .select(crate::db::schema::er_role_types::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let (reader, bar) = open(path, progress)?;
    let mut report = Report::default();
    for_each_element(reader, |position, value| {
        let reject = |report: &mut Report, reason: String| {
            report.rejected.push(Rejected {
                file: file.clone(),
                position,
                reason,
            });
        };
        match role_rows(&value, test_ids, &known) {
            Ok((org, rows, skipped)) => {
                for reason in skipped {
                    reject(&mut report, reason);
                }
                if let Err(reason) = sync_roles(conn, &org, &rows, &mut report) {
                    reject(&mut report, reason);
                }
            }
            Err(reason) => reject(&mut report, reason),
        }
        Ok(())
    })
    .with_context(|| format!("{file} is not a JSON array of organisations with rollegrupper"))?;
    bar.finish_and_clear();
    Ok(report)
}
