//! `melding import er` through the real command: good rows in, bad rows reported with their
//! position, a second import changes nothing, and roles follow the register.

use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::helpers::{TestDb, count};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/er")
}

fn import(db: &TestDb, roles: &Path) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_melding"))
        .args(["import", "er", "--units"])
        .arg(fixtures().join("units.json"))
        .arg("--subunits")
        .arg(fixtures().join("subunits.json"))
        .arg("--roles")
        .arg(roles)
        .env("DATABASE_URL", &db.url)
        .env("MELDING_ALLOW_TEST_IDS", "true")
        .env("MELDING_LOG", "warn")
        .output()
        .expect("the command runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "import failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

#[test]
fn the_business_register_import_takes_good_rows_reports_bad_ones_and_is_idempotent() {
    let db = TestDb::migrated();
    let (stdout, stderr) = import(&db, &fixtures().join("roles.json"));
    assert!(
        stdout.contains("units.json: 3 inserted, 0 updated, 0 unchanged, 0 removed, 3 rejected"),
        "{stdout}"
    );
    assert!(
        stdout.contains("subunits.json: 1 inserted, 0 updated, 0 unchanged, 0 removed, 2 rejected"),
        "{stdout}"
    );
    assert!(
        stdout.contains("roles.json: 4 inserted, 0 updated, 0 unchanged, 0 removed, 3 rejected"),
        "{stdout}"
    );
    for expected in [
        "units.json #3: organisasjonsnummer \"320000107\": the check digits do not match",
        "units.json #4: no navn",
        "units.json #6: slettedato \"31.05.2024\" is not a date (YYYY-MM-DD)",
        "subunits.json #2: overordnetEnhet 320000602 is not a known unit",
        "subunits.json #3: a sub-unit needs overordnetEnhet",
        "roles.json #1: REGN held by an organisation",
        "roles.json #2: DAGL: fodselsnummer: the check digits do not match",
        "roles.json #3: organisasjonsnummer 320000602 is not a known unit",
    ] {
        assert!(
            stderr.contains(&format!("rejected: {expected}")),
            "missing {expected:?} in:\n{stderr}"
        );
    }

    let mut conn = db.connect();
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM parties WHERE kind = 'organization'"
        ),
        4
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM parties WHERE org_number = '320000300' AND is_deleted"
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM parties s JOIN parties m ON m.id = s.parent_id WHERE s.org_number = '320000408' AND m.org_number = '320000106'"
        ),
        1,
        "the sub-unit hangs under its main unit"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM er_roles r JOIN parties o ON o.id = r.org_id WHERE o.org_number = '320000106'"
        ),
        3
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM parties WHERE name = 'Kari Testesen' AND national_id = '03819010160'"
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM parties WHERE name = 'Gammel Fratraadt'"
        ),
        0,
        "withdrawn roles are not imported"
    );
    // The imported roles give access through the one decision.
    #[derive(QueryableByName)]
    struct B {
        #[diesel(sql_type = Bool)]
        b: bool,
    }
    let admin: B = diesel::sql_query(
        "SELECT may_administer(p.id, o.id) AS b FROM parties p, parties o WHERE p.national_id = $1 AND o.org_number = '320000408'",
    )
    .bind::<Text, _>("03819010160")
    .get_result(&mut conn)
    .expect("decision");
    assert!(
        admin.b,
        "the DAGL administers the sub-unit through the main unit"
    );

    // The same files again change nothing.
    let stamp = count(
        &mut conn,
        "SELECT extract(epoch FROM max(updated_at))::bigint AS n FROM parties",
    );
    let (stdout, _) = import(&db, &fixtures().join("roles.json"));
    assert!(
        stdout.contains("units.json: 0 inserted, 0 updated, 3 unchanged"),
        "{stdout}"
    );
    assert!(
        stdout.contains("subunits.json: 0 inserted, 0 updated, 1 unchanged"),
        "{stdout}"
    );
    assert!(
        stdout.contains("roles.json: 0 inserted, 0 updated, 4 unchanged, 0 removed"),
        "{stdout}"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT extract(epoch FROM max(updated_at))::bigint AS n FROM parties"
        ),
        stamp
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM er_roles"), 4);

    // A board member leaves the register: the role goes, the others stay.
    let text = std::fs::read_to_string(fixtures().join("roles.json")).expect("fixture");
    let mut roles: serde_json::Value = serde_json::from_str(&text).expect("json");
    let board = roles[0]["rollegrupper"][1]["roller"]
        .as_array_mut()
        .expect("roller");
    board.retain(|r| r["person"]["navn"]["fornavn"] != "Siri");
    let changed = std::env::temp_dir().join(format!("melding-roles-{}.json", db.name));
    std::fs::write(&changed, serde_json::to_vec(&roles).expect("json")).expect("write");
    let (stdout, _) = import(&db, &changed);
    assert!(
        stdout.contains("roles.json") || stdout.contains("melding-roles"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 inserted, 0 updated, 3 unchanged, 1 removed"),
        "{stdout}"
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM er_roles"), 3);
    let _ = std::fs::remove_file(changed);
}
