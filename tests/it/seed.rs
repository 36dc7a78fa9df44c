//! The demo world: realistic, complete, and seeded only once.

use diesel::prelude::*;

use crate::helpers::{TestApp, count};

#[tokio::test]
async fn demo_world_is_complete_and_seeded_once() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let mut conn = app.pool.get().expect("connection");
    let c = |conn: &mut PgConnection, sql: &str| count(conn, sql);

    // Five demo owners, and Digdir with eFormidling's four digital post processes (shared).
    assert_eq!(c(&mut conn, "SELECT count(*) AS n FROM service_owners"), 6);
    assert!(c(&mut conn, "SELECT count(*) AS n FROM services") >= 20);
    assert_eq!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM services s JOIN parties p ON p.id = s.owner_id \
             WHERE s.is_shared AND s.id LIKE 'eformidling-dpv-%' AND p.org_number = '991825827'"
        ),
        4
    );
    assert_eq!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM services WHERE is_confidential"
        ),
        3,
        "two demo services and eFormidling's confidential process"
    );
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM services WHERE min_login_level = 4"
        ) >= 1
    );
    assert_eq!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM services WHERE id LIKE 'politi-%' AND attachment_package_id IS NOT NULL"
        ),
        1
    );
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM parties WHERE kind = 'organization'"
        ) >= 200
    );
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM parties WHERE kind = 'organization' AND parent_id IS NOT NULL"
        ) >= 20
    );
    assert_eq!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM parties WHERE is_deleted"
        ),
        1
    );
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM parties WHERE kind = 'person'"
        ) >= 1_000
    );
    assert!(
        c(
            &mut conn,
            "SELECT count(DISTINCT person_id) AS n FROM er_roles"
        ) >= 300
    );
    assert_eq!(
        c(
            &mut conn,
            "SELECT max(clients) AS n FROM (SELECT count(*) AS clients FROM er_roles WHERE role_code = 'REGN' GROUP BY person_id) x"
        ),
        300,
        "one accountant acts for 300 clients"
    );
    assert!(c(&mut conn, "SELECT count(*) AS n FROM correspondences") >= 20_000);
    // Every status appears, as current status or (for event-only ones) in the history.
    let statuses = c(
        &mut conn,
        "SELECT count(DISTINCT status) AS n FROM (SELECT status FROM correspondences UNION SELECT status FROM correspondence_events) s",
    );
    assert_eq!(statuses, 13);
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM correspondences WHERE attachment_count > 0"
        ) > 1_000
    );
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM correspondences WHERE confirmation_needed AND due_at IS NOT NULL"
        ) > 100
    );
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM contact_points WHERE is_reserved"
        ) >= 10
    );
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM notifications WHERE state = 'sent'"
        ) > 1_000
    );
    // The lesson: confidential mail to child welfare that nobody has been given access to.
    assert!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
           WHERE c.is_confidential AND p.name = 'Fjellvik kommune barnevernstjeneste' AND c.first_read_at IS NULL"
        ) >= 5
    );
    assert_eq!(
        c(
            &mut conn,
            "SELECT count(*) AS n FROM delegations WHERE package_id = 'confidential-mail'"
        ),
        0
    );
    // Every stored attachment file exists with the recorded checksum's size.
    let files = std::fs::read_dir(app.data_dir.join("attachments"))
        .expect("attachment folder")
        .count();
    // (the demo's file transfers keep their files there too)
    assert_eq!(
        i64::try_from(files).unwrap_or(0),
        c(&mut conn, "SELECT count(*) AS n FROM attachments")
            + c(
                &mut conn,
                "SELECT count(*) AS n FROM file_transfer_segments"
            )
    );

    // A second run changes nothing.
    let before = c(&mut conn, "SELECT count(*) AS n FROM correspondences");
    app.seed_demo();
    assert_eq!(
        c(&mut conn, "SELECT count(*) AS n FROM correspondences"),
        before
    );
    assert_eq!(c(&mut conn, "SELECT count(*) AS n FROM service_owners"), 6);
}
