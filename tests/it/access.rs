//! The authorization decision, table-driven over role x package x confidential x login level x
//! sub-unit x revoked delegation x deleted party x self; and the access pages over HTTP.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use melding::access::decision::{self, Actor, MessageAccess};
use melding::domain::LoginLevel::{self, High, Substantial};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::helpers::{TestApp, TestDb, text};

/// A small world: organisation A with sub-unit A1, deleted organisation D, persons P and Q, and
/// one message per (service, recipient) below.
struct World {
    p: i64,
    q: i64,
    a: i64,
    a1: i64,
    d: i64,
}

/// What `own_access` and `party_access` decide for a person and a party.
#[derive(QueryableByName, Debug, PartialEq)]
struct Access {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    may_act: bool,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    readable: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    may_know: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    every_service: bool,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn party(
    conn: &mut PgConnection,
    kind: &str,
    number: &str,
    name: &str,
    parent: Option<i64>,
    deleted: bool,
) -> i64 {
    let column = if kind == "person" {
        "national_id"
    } else {
        "org_number"
    };
    diesel::sql_query(format!(
        "INSERT INTO parties (kind, {column}, name, parent_id, is_deleted, deleted_at) \
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 THEN now() END) RETURNING id"
    ))
    .bind::<Text, _>(kind)
    .bind::<Text, _>(number)
    .bind::<Text, _>(name)
    .bind::<diesel::sql_types::Nullable<BigInt>, _>(parent)
    .bind::<diesel::sql_types::Bool, _>(deleted)
    .get_result::<Id>(conn)
    .expect("party")
    .id
}

fn build(conn: &mut PgConnection) -> World {
    melding::access::reference::insert(conn).expect("reference data");
    let owner = party(conn, "organization", "310000001", "Etaten", None, false);
    let p = party(conn, "person", "01018012371", "Pia Person", None, false);
    let q = party(conn, "person", "02018012325", "Quinn Other", None, false);
    let a = party(conn, "organization", "310000028", "A AS", None, false);
    let a1 = party(
        conn,
        "organization",
        "310000036",
        "A AS avd. Bergen",
        Some(a),
        false,
    );
    let d = party(conn, "organization", "310000044", "D AS", None, true);
    conn.batch_execute(&format!(
        "INSERT INTO services (id, owner_id, title_nb, title_nn, title_en, required_packages, min_login_level, is_confidential, attachment_package_id) VALUES
           ('ordinary', {owner}, 'O', 'O', 'O', '{{ordinary-mail}}', 3, false, NULL),
           ('high', {owner}, 'H', 'H', 'H', '{{ordinary-mail}}', 4, false, NULL),
           ('confidential', {owner}, 'C', 'C', 'C', '{{confidential-mail}}', 3, true, NULL),
           ('police', {owner}, 'P', 'P', 'P', '{{confidential-mail}}', 3, true, 'police-case-attachments'),
           ('tax', {owner}, 'T', 'T', 'T', '{{ordinary-mail,accountant}}', 3, false, NULL),
           ('accounts', {owner}, 'A', 'A', 'A', '{{accountant}}', 3, false, NULL),
           ('secret-ordinary', {owner}, 'S', 'S', 'S', '{{ordinary-mail}}', 3, true, NULL);
         INSERT INTO sendings (id, service_id, sender_id) SELECT gen_random_uuid(), id, {owner} FROM services;
         INSERT INTO correspondences (id, sending_id, service_id, sender_id, sender_name, senders_reference, recipient_id,
                                      title, body, published_at, status)
         SELECT gen_random_uuid(), (SELECT d.id FROM sendings d WHERE d.service_id = s.id), s.id, {owner}, 'Etaten', 'ref', r.id, 'T', 'B',
                now() - interval '1 day', 'Published'
         FROM services s CROSS JOIN (VALUES ({p}), ({q}), ({a}), ({a1}), ({d})) r(id);"
    ))
    .expect("services and messages");
    World { p, q, a, a1, d }
}

#[derive(QueryableByName)]
struct MessageId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

fn message(conn: &mut PgConnection, service: &str, recipient: i64) -> Uuid {
    diesel::sql_query("SELECT id FROM correspondences WHERE service_id = $1 AND recipient_id = $2")
        .bind::<Text, _>(service)
        .bind::<BigInt, _>(recipient)
        .get_result::<MessageId>(conn)
        .expect("message")
        .id
}

enum Give {
    Role(&'static str, char),
    Package(&'static str, char),
    RevokedPackage(&'static str, char),
    Service(&'static str, char),
}

struct Case {
    name: &'static str,
    give: Vec<Give>,
    acting_for: char,
    service: &'static str,
    to: char,
    level: LoginLevel,
    expect: MessageAccess,
}

const READ: MessageAccess = MessageAccess::Read { attachments: true };

fn cases() -> Vec<Case> {
    use Give::*;
    use MessageAccess::*;
    let case = |name, give, acting_for, service, to, level, expect| Case {
        name,
        give,
        acting_for,
        service,
        to,
        level,
        expect,
    };
    vec![
        case(
            "self reads own mail",
            vec![],
            'p',
            "ordinary",
            'p',
            Substantial,
            READ,
        ),
        case(
            "self needs level high for a high service",
            vec![],
            'p',
            "high",
            'p',
            Substantial,
            NeedsLevel(High),
        ),
        case("self at level high", vec![], 'p', "high", 'p', High, READ),
        case(
            "someone else's personal mail does not exist",
            vec![],
            'q',
            "ordinary",
            'q',
            High,
            Hidden,
        ),
        case(
            "no role, no access",
            vec![],
            'a',
            "ordinary",
            'a',
            High,
            Hidden,
        ),
        case(
            "DAGL reads ordinary mail",
            vec![Role("DAGL", 'a')],
            'a',
            "ordinary",
            'a',
            Substantial,
            READ,
        ),
        case(
            "DAGL below the service's level",
            vec![Role("DAGL", 'a')],
            'a',
            "high",
            'a',
            Substantial,
            NeedsLevel(High),
        ),
        case(
            "DAGL at level high",
            vec![Role("DAGL", 'a')],
            'a',
            "high",
            'a',
            High,
            READ,
        ),
        case(
            "a role never gives confidential mail",
            vec![Role("DAGL", 'a')],
            'a',
            "confidential",
            'a',
            High,
            ExistsOnly,
        ),
        case(
            "a confidential service is never opened through a role, whatever package it names",
            vec![Role("DAGL", 'a')],
            'a',
            "secret-ordinary",
            'a',
            High,
            ExistsOnly,
        ),
        case(
            "a delegated package opens the confidential service",
            vec![Package("ordinary-mail", 'a')],
            'a',
            "secret-ordinary",
            'a',
            Substantial,
            READ,
        ),
        case(
            "board member holds nothing",
            vec![Role("MEDL", 'a')],
            'a',
            "ordinary",
            'a',
            High,
            Hidden,
        ),
        case(
            "accountant reads the accountant's services",
            vec![Role("REGN", 'a')],
            'a',
            "accounts",
            'a',
            Substantial,
            READ,
        ),
        case(
            "accountant reads any-of services",
            vec![Role("REGN", 'a')],
            'a',
            "tax",
            'a',
            Substantial,
            READ,
        ),
        case(
            "accountant does not read ordinary mail",
            vec![Role("REGN", 'a')],
            'a',
            "ordinary",
            'a',
            High,
            Hidden,
        ),
        case(
            "delegated confidential mail",
            vec![Package("confidential-mail", 'a')],
            'a',
            "confidential",
            'a',
            Substantial,
            READ,
        ),
        case(
            "revoked delegation gives nothing",
            vec![RevokedPackage("confidential-mail", 'a')],
            'a',
            "confidential",
            'a',
            High,
            Hidden,
        ),
        case(
            "sub-unit inherits from main unit",
            vec![Role("DAGL", 'a')],
            'b',
            "ordinary",
            'b',
            Substantial,
            READ,
        ),
        case(
            "confidential delegation inherited by sub-unit",
            vec![Package("confidential-mail", 'a')],
            'b',
            "confidential",
            'b',
            Substantial,
            READ,
        ),
        case(
            "a sub-unit grant does not reach the main unit",
            vec![Package("ordinary-mail", 'b')],
            'a',
            "ordinary",
            'a',
            High,
            Hidden,
        ),
        case(
            "acting for the main unit does not open sub-unit mail",
            vec![Role("DAGL", 'a')],
            'a',
            "ordinary",
            'b',
            High,
            Hidden,
        ),
        case(
            "a deleted unit's mail stays readable for those who held access",
            vec![Role("DAGL", 'd')],
            'd',
            "ordinary",
            'd',
            High,
            READ,
        ),
        case(
            "a deleted unit gives nothing to others",
            vec![Role("DAGL", 'a')],
            'd',
            "ordinary",
            'd',
            High,
            Hidden,
        ),
        case(
            "single service delegation",
            vec![Service("ordinary", 'a')],
            'a',
            "ordinary",
            'a',
            Substantial,
            READ,
        ),
        case(
            "single service is only that service",
            vec![Service("ordinary", 'a')],
            'a',
            "tax",
            'a',
            High,
            Hidden,
        ),
        case(
            "single confidential service",
            vec![Service("confidential", 'a')],
            'a',
            "confidential",
            'a',
            Substantial,
            READ,
        ),
        case(
            "police mail without the attachment right",
            vec![Package("confidential-mail", 'a')],
            'a',
            "police",
            'a',
            Substantial,
            Read { attachments: false },
        ),
        case(
            "police mail with the attachment right",
            vec![
                Package("confidential-mail", 'a'),
                Package("police-case-attachments", 'a'),
            ],
            'a',
            "police",
            'a',
            Substantial,
            READ,
        ),
        case(
            "main administrator knows unreadable mail exists",
            vec![Package("main-administrator", 'a')],
            'a',
            "confidential",
            'a',
            High,
            ExistsOnly,
        ),
    ]
}

fn id_of(w: &World, c: char) -> i64 {
    match c {
        'p' => w.p,
        'q' => w.q,
        'a' => w.a,
        'b' => w.a1,
        'd' => w.d,
        _ => unreachable!("unknown party {c}"),
    }
}

fn give(conn: &mut PgConnection, w: &World, g: &Give) {
    let (sql, party) = match g {
        Give::Role(role, party) => (
            format!(
                "INSERT INTO er_roles (person_id, org_id, role_code) VALUES ({}, {{party}}, '{role}')",
                w.p
            ),
            party,
        ),
        Give::Package(pkg, party) => (
            format!(
                "INSERT INTO delegations (id, party_id, to_person_id, package_id) VALUES (gen_random_uuid(), {{party}}, {}, '{pkg}')",
                w.p
            ),
            party,
        ),
        Give::RevokedPackage(pkg, party) => (
            format!(
                "INSERT INTO delegations (id, party_id, to_person_id, package_id, revoked_at) VALUES (gen_random_uuid(), {{party}}, {}, '{pkg}', now())",
                w.p
            ),
            party,
        ),
        Give::Service(service, party) => (
            format!(
                "INSERT INTO delegations (id, party_id, to_person_id, service_id) VALUES (gen_random_uuid(), {{party}}, {}, '{service}')",
                w.p
            ),
            party,
        ),
    };
    conn.batch_execute(&sql.replace("{party}", &id_of(w, *party).to_string()))
        .expect("grant");
}

#[test]
fn the_decision_table() {
    let db = TestDb::migrated();
    let mut conn = db.connect();
    let w = build(&mut conn);
    let mut failures = Vec::new();
    for case in cases() {
        let outcome = conn.transaction::<(), diesel::result::Error, _>(|conn| {
            for g in &case.give {
                give(conn, &w, g);
            }
            let m = message(conn, case.service, id_of(&w, case.to));
            let got = decision::message_access(
                conn,
                Actor {
                    person_id: w.p,
                    level: case.level,
                },
                id_of(&w, case.acting_for),
                m,
            )?;
            // Who can read it must agree with the decision (login level aside).
            let readers = decision::readers(conn, m)?;
            let p_reads = readers.iter().any(|r| r.person_id == w.p);
            let decided = matches!(
                case.expect,
                MessageAccess::Read { .. } | MessageAccess::NeedsLevel(_)
            );
            let addressed_to_acting = case.to == case.acting_for;
            if addressed_to_acting && p_reads != decided {
                failures.push(format!(
                    "{}: readers() says {p_reads}, decision says {decided}",
                    case.name
                ));
            }
            if got != case.expect {
                failures.push(format!(
                    "{}: expected {:?}, got {:?}",
                    case.name, case.expect, got
                ));
            }
            // The inbox's shortcut for one's own mail decides as party_access does, whatever
            // else the person was given.
            let own: Vec<Access> = diesel::sql_query(
                "SELECT may_act, readable, may_know, every_service FROM own_access($1) \
                 UNION ALL SELECT may_act, readable, may_know, every_service FROM party_access($1, $1)",
            )
            .bind::<BigInt, _>(w.p)
            .load(conn)?;
            if own.len() != 2 || own[0] != own[1] || !own[0].every_service {
                failures.push(format!(
                    "{}: own_access and party_access disagree: {own:?}",
                    case.name
                ));
            }
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(
            matches!(outcome, Err(diesel::result::Error::RollbackTransaction)),
            "{}: {outcome:?}",
            case.name
        );
    }
    assert!(
        failures.is_empty(),
        "decision table failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn acting_sending_and_delegating_rights() {
    let db = TestDb::migrated();
    let mut conn = db.connect();
    let w = build(&mut conn);
    let owner: i64 = diesel::sql_query("SELECT owner_id AS id FROM services WHERE id = 'ordinary'")
        .get_result::<Id>(&mut conn)
        .expect("owner")
        .id;

    assert!(decision::may_act_for(&mut conn, w.p, w.p).expect("q"));
    assert!(!decision::may_act_for(&mut conn, w.p, w.a).expect("q"));
    assert!(!decision::may_send(&mut conn, w.p, "ordinary").expect("q"));
    conn.batch_execute(&format!(
        "INSERT INTO delegations (id, party_id, to_person_id, package_id) VALUES (gen_random_uuid(), {owner}, {}, 'service-owner-send')",
        w.p
    ))
    .expect("send right");
    assert!(decision::may_send(&mut conn, w.p, "ordinary").expect("q"));

    // A main administrator (DAGL) may delegate anything, confidential mail included.
    give(&mut conn, &w, &Give::Role("DAGL", 'a'));
    assert!(decision::may_act_for(&mut conn, w.p, w.a).expect("q"));
    assert!(
        decision::may_act_for(&mut conn, w.p, w.a1).expect("q"),
        "and for its sub-units"
    );
    assert!(decision::may_administer(&mut conn, w.p, w.a).expect("q"));
    assert!(decision::may_delegate_package(&mut conn, w.p, w.a, "confidential-mail").expect("q"));
    assert!(decision::may_delegate_service(&mut conn, w.p, w.a, "confidential").expect("q"));
    assert!(
        !decision::may_administer(&mut conn, w.p, w.d).expect("q"),
        "never a deleted party"
    );

    // An access manager by delegation may pass on only delegable packages they hold.
    conn.batch_execute(&format!(
        "INSERT INTO delegations (id, party_id, to_person_id, package_id) VALUES
           (gen_random_uuid(), {a}, {q}, 'access-manager'), (gen_random_uuid(), {a}, {q}, 'ordinary-mail');
         INSERT INTO er_roles (person_id, org_id, role_code) VALUES ({q}, {a}, 'REGN');",
        a = w.a,
        q = w.q
    ))
    .expect("access manager");
    assert!(decision::may_administer(&mut conn, w.q, w.a).expect("q"));
    assert!(decision::may_delegate_package(&mut conn, w.q, w.a, "ordinary-mail").expect("q"));
    assert!(
        !decision::may_delegate_package(&mut conn, w.q, w.a, "confidential-mail").expect("q"),
        "not held"
    );
    assert!(
        !decision::may_delegate_package(&mut conn, w.q, w.a, "accountant").expect("q"),
        "held but not delegable"
    );
    assert!(decision::may_delegate_service(&mut conn, w.q, w.a, "ordinary").expect("q"));
    assert!(!decision::may_delegate_service(&mut conn, w.q, w.a, "confidential").expect("q"));

    // Who can read confidential mail to A: nobody until someone is given it.
    assert_eq!(
        decision::reader_count(&mut conn, w.a, "confidential").expect("q"),
        0
    );
    assert_eq!(
        decision::reader_count(&mut conn, w.a, "ordinary").expect("q"),
        2,
        "the DAGL and the delegate"
    );
    give(&mut conn, &w, &Give::Package("confidential-mail", 'a'));
    assert_eq!(
        decision::reader_count(&mut conn, w.a, "confidential").expect("q"),
        1
    );
    assert_eq!(
        decision::reader_count(&mut conn, w.a1, "confidential").expect("q"),
        1,
        "the sub-unit too"
    );

    let services = decision::readable_services(
        &mut conn,
        Actor {
            person_id: w.p,
            level: Substantial,
        },
        w.a,
    )
    .expect("q");
    assert_eq!(services, vec!["confidential", "ordinary", "police", "tax"]);
    // A confidential service is read through delegations only, even when it names an ordinary package.
    assert_eq!(
        decision::reader_count(&mut conn, w.a, "secret-ordinary").expect("q"),
        1,
        "only the delegate"
    );
}

#[test]
fn the_party_list_puts_self_first_and_sub_units_after_their_main_unit() {
    let db = TestDb::migrated();
    let mut conn = db.connect();
    let w = build(&mut conn);
    give(&mut conn, &w, &Give::Role("DAGL", 'a'));
    give(&mut conn, &w, &Give::Role("DAGL", 'd'));
    let list = decision::parties_for(&mut conn, w.p, None, false, None, 100).expect("list");
    let ids: Vec<i64> = list.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![w.p, w.a, w.a1], "deleted parties are left out");
    let with_deleted = decision::parties_for(&mut conn, w.p, None, true, None, 100).expect("list");
    assert_eq!(with_deleted.len(), 4);
    let search =
        decision::parties_for(&mut conn, w.p, Some("bergen"), false, None, 100).expect("list");
    assert_eq!(search.iter().map(|p| p.id).collect::<Vec<_>>(), vec![w.a1]);
    let by_number =
        decision::parties_for(&mut conn, w.p, Some("310 000 028"), false, None, 100).expect("list");
    assert_eq!(
        by_number.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![w.a]
    );
    // Keyset paging: the second page starts after the first.
    let first = decision::parties_for(&mut conn, w.p, None, false, None, 2).expect("page");
    let last = first.last().expect("row");
    let cursor = decision::parse_cursor(&last.cursor()).expect("cursor");
    let second =
        decision::parties_for(&mut conn, w.p, None, false, Some(&cursor), 2).expect("page");
    assert_eq!(second.iter().map(|p| p.id).collect::<Vec<_>>(), vec![w.a1]);

    // The list follows delegations as they are given and revoked: persons come before
    // organisations; a renamed unit moves.
    conn.batch_execute(&format!(
        "INSERT INTO delegations (id, party_id, to_person_id, package_id) \
         VALUES (gen_random_uuid(), {q}, {p}, 'ordinary-mail')",
        q = w.q,
        p = w.p
    ))
    .expect("delegate");
    let ids = |conn: &mut PgConnection| -> Vec<i64> {
        decision::parties_for(conn, w.p, None, false, None, 100)
            .expect("list")
            .iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(ids(&mut conn), vec![w.p, w.q, w.a, w.a1]);
    conn.batch_execute(&format!(
        "UPDATE delegations SET revoked_at = now() WHERE party_id = {} AND to_person_id = {}",
        w.q, w.p
    ))
    .expect("revoke");
    assert_eq!(ids(&mut conn), vec![w.p, w.a, w.a1]);
    conn.batch_execute(&format!(
        "UPDATE er_roles SET role_code = 'DAGL' WHERE person_id = {p}; \
         DELETE FROM er_roles WHERE person_id = {p} AND org_id = {a}",
        p = w.p,
        a = w.a
    ))
    .expect("role removed");
    assert_eq!(
        ids(&mut conn),
        vec![w.p],
        "sub-units go with their main unit"
    );
}

/// Logs in as a demo persona in a seeded app.
async fn seeded_app_as(persona: &melding::auth::demo_idp::personas::Persona) -> TestApp {
    let app = TestApp::spawn().await;
    app.seed_demo();
    app.login_as(persona.national_id().as_str(), "substantial")
        .await;
    app
}

fn party_id(app: &TestApp, name: &str) -> i64 {
    let mut conn = app.pool.get().expect("conn");
    diesel::sql_query("SELECT id FROM parties WHERE name = $1")
        .bind::<Text, _>(name)
        .get_result::<Id>(&mut conn)
        .expect(name)
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_revoke_and_regrant_with_the_no_holder_warning() {
    use melding::auth::demo_idp::personas::{MUNICIPAL_ADMIN, MUNICIPAL_CLERK};
    let app = seeded_app_as(&MUNICIPAL_ADMIN).await;
    let fjellvik = party_id(&app, "Fjellvik kommune");
    let page = app
        .get(&format!("/access/{fjellvik}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Ingen har tilgangen «Post til virksomheten med taushetsbelagt innhold»"),
        "the warning shows"
    );
    assert!(
        page.contains("Fjellvik kommune barnevernstjeneste"),
        "with the messages concerned"
    );
    assert!(
        !page.contains("Bekymringsmelding, sak"),
        "never their titles"
    );

    let token = app.csrf_token().await;
    let clerk = MUNICIPAL_CLERK.national_id();
    // Wrong last name: a message by the field, the input kept, nothing granted.
    let response = app
        .client
        .post(app.url(&format!("/access/{fjellvik}/grant")))
        .form(&[
            ("csrf_token", token.as_str()),
            ("national_id", clerk.as_str()),
            ("last_name", "Hansen"),
            ("what", "package:confidential-mail"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(body.contains(
        "id=\"national_id-error\">Vi fant ingen person med dette fødselsnummeret og etternavnet."
    ));
    assert!(
        body.contains(&format!("value=\"{}\"", clerk.as_str())),
        "input kept"
    );
    assert!(
        body.contains("value=\"package:confidential-mail\" selected"),
        "choice kept"
    );

    assert!(
        body.contains("href=\"#national_id\">Vi fant ingen person"),
        "the summary at the top links to the field"
    );

    // The number as people type it, with a space after the date of birth.
    let spaced = format!("{} {}", &clerk.as_str()[..6], &clerk.as_str()[6..]);
    let grant = || {
        app.client
            .post(app.url(&format!("/access/{fjellvik}/grant")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("national_id", spaced.as_str()),
                ("last_name", "olsen"),
                ("what", "package:confidential-mail"),
            ])
    };
    let response = grant().send().await.expect("post");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        location.starts_with(&format!("/access/{fjellvik}?done=granted&d=")),
        "{location}"
    );
    let page = app.get(&location).await.text().await.expect("page");
    assert!(
        page.contains(
            "Per Olsen har fått tilgang til «Post til virksomheten med taushetsbelagt innhold»."
        ),
        "the line says who got what"
    );
    assert!(
        !page.contains("Ingen har tilgangen «Post til virksomheten med taushetsbelagt innhold»"),
        "the warning is gone"
    );
    assert!(page.contains("Ingrid Berg ga Per Olsen tilgangen «Post til virksomheten med taushetsbelagt innhold» for Fjellvik kommune."));

    // Granting twice is refused next to the field.
    let again = grant().send().await.expect("post");
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .text()
            .await
            .expect("body")
            .contains("Personen har allerede denne tilgangen.")
    );

    // Revoke: the warning comes back.
    let delegation = text(
        &mut app.pool.get().expect("conn"),
        "SELECT id::text AS t FROM delegations WHERE package_id = 'confidential-mail' AND revoked_at IS NULL",
    );
    // The button asks first: whose access to what goes; nothing is removed yet.
    let check = app
        .client
        .post(app.url(&format!(
            "/access/{fjellvik}/delegations/{delegation}/revoke"
        )))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(check.status(), StatusCode::OK);
    let check = check.text().await.expect("page");
    assert!(check.contains("Fjerne tilgangen for Per Olsen?"), "{check}");
    assert!(check.contains(
        "Per Olsen mister tilgangen til «Post til virksomheten med taushetsbelagt innhold»"
    ));
    assert!(check.contains(r#"name="confirmed" value="yes""#));
    assert!(
        check.contains(&format!(r#"href="/access/{fjellvik}""#)),
        "a way back"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM delegations WHERE id = '{delegation}' AND revoked_at IS NULL"
        )),
        1
    );
    let response = app
        .client
        .post(app.url(&format!(
            "/access/{fjellvik}/delegations/{delegation}/revoke"
        )))
        .form(&[("csrf_token", token.as_str()), ("confirmed", "yes")])
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let page = app.get(&location).await.text().await.expect("page");
    assert!(
        page.contains("Per Olsen har ikke lenger tilgang til «Post til virksomheten med taushetsbelagt innhold»."),
        "the line says who lost what"
    );
    assert!(
        page.contains("Ingen har tilgangen «Post til virksomheten med taushetsbelagt innhold»"),
        "the warning is back"
    );
    assert!(page.contains("Ingrid Berg fjernet tilgangen «Post til virksomheten med taushetsbelagt innhold» for Per Olsen i Fjellvik kommune."));
    // Revoking again finds nothing.
    let twice = app
        .client
        .post(app.url(&format!(
            "/access/{fjellvik}/delegations/{delegation}/revoke"
        )))
        .form(&[("csrf_token", token.as_str()), ("confirmed", "yes")])
        .send()
        .await
        .expect("revoke");
    assert_eq!(twice.status(), StatusCode::NOT_FOUND);

    // Re-grant works, and the person affected sees the grant and its source.
    assert_eq!(
        grant().send().await.expect("post").status(),
        StatusCode::SEE_OTHER
    );
    let clerk_view = app.second_user();
    clerk_view.login_as(clerk.as_str(), "substantial").await;
    let mine = clerk_view.get("/access").await.text().await.expect("page");
    assert!(mine.contains("Post til virksomheten med taushetsbelagt innhold"));
    assert!(
        mine.contains("delegert av Ingrid Berg"),
        "the source in plain words"
    );
    assert!(
        mine.contains("Ingrid Berg ga Per Olsen tilgangen"),
        "the person affected sees the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_manager_delegates_only_what_they_hold() {
    use melding::auth::demo_idp::personas::{CITIZEN, MUNICIPAL_CLERK};
    let app = TestApp::spawn().await;
    app.seed_demo();
    let fjellvik = party_id(&app, "Fjellvik kommune");
    let clerk = party_id(&app, MUNICIPAL_CLERK.name);
    {
        let mut conn = app.pool.get().expect("conn");
        conn.batch_execute(&format!(
            "INSERT INTO delegations (id, party_id, to_person_id, package_id) VALUES (gen_random_uuid(), {fjellvik}, {clerk}, 'access-manager')"
        ))
        .expect("make the clerk an access manager");
    }
    app.login_as(MUNICIPAL_CLERK.national_id().as_str(), "substantial")
        .await;
    let page = app.get(&format!("/access/{fjellvik}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let body = page.text().await.expect("body");
    assert!(
        body.contains("value=\"package:ordinary-mail\""),
        "offers what they hold"
    );
    assert!(
        !body.contains("value=\"package:confidential-mail\""),
        "never what they do not hold"
    );
    let token = app.csrf_token().await;
    let kari = CITIZEN.national_id();
    let post = |what: &'static str| {
        app.client
            .post(app.url(&format!("/access/{fjellvik}/grant")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("national_id", kari.as_str()),
                ("last_name", "Nordmann"),
                ("what", what),
            ])
    };
    let refused = post("package:confidential-mail")
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .expect("body")
            .contains("Du kan ikke gi denne tilgangen.")
    );
    assert_eq!(
        post("package:ordinary-mail")
            .send()
            .await
            .expect("post")
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_with_an_id_is_404_without_access() {
    use melding::auth::demo_idp::personas::CITIZEN;
    let app = seeded_app_as(&CITIZEN).await;
    let token = app.csrf_token().await;
    let fjellvik = party_id(&app, "Fjellvik kommune");
    let delegation = text(
        &mut app.pool.get().expect("conn"),
        &format!("SELECT id::text AS t FROM delegations WHERE party_id = {fjellvik} LIMIT 1"),
    );
    let nowhere = i64::MAX;
    let kari = text(
        &mut app.pool.get().expect("conn"),
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    let message = text(
        &mut app.pool.get().expect("conn"),
        &format!(
            "SELECT c.id::text AS t FROM correspondences c WHERE c.recipient_id = {fjellvik} AND c.attachment_count > 0 LIMIT 1"
        ),
    );
    let attachment = text(
        &mut app.pool.get().expect("conn"),
        &format!(
            "SELECT attachment_id::text AS t FROM correspondence_attachments WHERE correspondence_id = '{message}' LIMIT 1"
        ),
    );
    let gets = [
        format!("/access/{fjellvik}"),
        format!("/access/{nowhere}"),
        format!("/access/{fjellvik}?package=ordinary-mail"),
        format!("/inbox?party={fjellvik}"),
        format!("/inbox?party={nowhere}"),
        format!("/inbox/messages/{message}?party={fjellvik}"),
        format!("/inbox/messages/{message}?party={kari}"),
        format!("/inbox/messages/{message}/attachments/{attachment}?party={fjellvik}"),
        format!("/inbox/messages/{message}/attachments/{attachment}?party={kari}"),
        format!("/inbox/messages/{message}/attachments.zip?party={fjellvik}"),
        format!("/inbox/messages/{message}/attachments.zip?party={kari}"),
        format!("/admin/services?owner={fjellvik}"),
        format!("/admin/services/new?owner={fjellvik}"),
        format!("/admin/services/fjellvik-eiendomsskatt?owner={fjellvik}"),
        format!("/admin/compose?owner={fjellvik}"),
        format!("/admin/sent?owner={fjellvik}"),
        format!("/admin/sent/{message}?owner={fjellvik}"),
    ];
    for path in &gets {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body = response.text().await.expect("body");
        assert!(!body.contains("Fjellvik"), "{path}: no detail leaks");
    }
    let posts = [
        format!("/access/{fjellvik}/grant"),
        format!("/access/{nowhere}/grant"),
        format!("/access/{fjellvik}/delegations/{delegation}/revoke"),
        format!("/access/{nowhere}/delegations/{delegation}/revoke"),
        format!("/inbox/messages/{message}/confirm?party={fjellvik}"),
        format!("/inbox/messages/{message}/confirm?party={kari}"),
        format!("/inbox/messages/{message}/move?party={fjellvik}"),
        format!("/inbox/messages/{message}/move?party={kari}"),
        format!("/inbox/bulk?party={fjellvik}"),
        format!("/inbox/parties/favourite?party={fjellvik}"),
        format!("/admin/services?owner={fjellvik}"),
        format!("/admin/compose?owner={fjellvik}"),
    ];
    for path in &posts {
        let response = app
            .client
            .post(app.url(path))
            .form(&[
                ("csrf_token", token.as_str()),
                ("national_id", "01018012371"),
                ("last_name", "x"),
                ("what", "package:ordinary-mail"),
                ("folder", "archive"),
                ("action", "archive"),
                ("ids", message.as_str()),
                ("party", fjellvik.to_string().as_str()),
                ("id", "kommune-ny"),
                ("step", "send"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            !response.text().await.expect("body").contains("Fjellvik"),
            "{path}: no detail leaks"
        );
    }
    let mut conn = app.pool.get().expect("conn");
    let live: i64 =
        diesel::sql_query("SELECT count(*) AS id FROM delegations WHERE revoked_at IS NOT NULL")
            .get_result::<Id>(&mut conn)
            .expect("count")
            .id;
    assert_eq!(live, 0, "nothing was revoked");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM recipient_label_events WHERE correspondence_id = '{message}'"
        )),
        0,
        "nobody moved the message"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondence_events WHERE correspondence_id = '{message}' AND actor_person_id = {kari}"
        )),
        0,
        "nothing was recorded for the message by this person"
    );
    // Anonymous visitors are sent to log in.
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = anonymous
        .get(app.url(&format!("/access/{fjellvik}")))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        response.headers()["location"]
            .to_str()
            .expect("loc")
            .starts_with("/login?return_to=%2Faccess%2F")
    );
}
