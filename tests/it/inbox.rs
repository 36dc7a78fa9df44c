//! The inbox over HTTP against the demo world: what a person sees, never sees, and what opening,
//! downloading, confirming and moving record.

use diesel::RunQueryDsl;
use melding::auth::demo_idp::personas::{CITIZEN, MUNICIPAL_ADMIN, MUNICIPAL_CLERK};
use reqwest::StatusCode;

use crate::helpers::{TestApp, count, text};

async fn app_as(persona: &melding::auth::demo_idp::personas::Persona) -> TestApp {
    let app = TestApp::spawn().await;
    app.seed_demo();
    app.login_as(persona.national_id().as_str(), "substantial")
        .await;
    app
}

/// The message ids a listing page links to.
fn listed(body: &str) -> Vec<String> {
    body.split("href=\"/inbox/messages/")
        .skip(1)
        .filter_map(|r| r.split('?').next())
        .map(str::to_owned)
        .collect()
}

/// Every listed message satisfies `condition` (SQL over `correspondences`).
fn assert_each(app: &TestApp, body: &str, condition: &str) {
    for id in listed(body) {
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) AS n FROM correspondences WHERE id = '{id}' AND {condition}"
            )),
            1,
            "{id} does not satisfy {condition}"
        );
    }
}

fn id_of(app: &TestApp, sql: &str) -> String {
    text(&mut app.pool.get().expect("conn"), sql)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_lists_only_what_the_person_may_read_with_correct_counts() {
    let app = app_as(&CITIZEN).await;
    let kari = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    let body = app.get("/inbox").await.text().await.expect("page");
    assert!(
        body.contains("Innboks: Kari Nordmann"),
        "defaults to oneself"
    );

    // The unread count in the tab equals what the database says she may see.
    let unread = app.count(&format!(
        "SELECT count(*) AS n FROM correspondences c WHERE c.recipient_id = {kari} AND c.folder = 'inbox' \
         AND (c.first_read_at IS NULL OR c.marked_unread) AND {}",
        "delivered(c.published_at, c.status)"
    ));
    assert!(unread > 0);
    assert!(
        body.contains(&format!(
            "Innboks <span class=\"ds-badge\" data-color=\"accent\" data-count=\"{unread}\" aria-hidden=\"true\"></span><span class=\"ds-sr-only\">{unread} uleste</span>"
        )),
        "tab count {unread}"
    );

    // Every listed message belongs to her; the page never links to anyone else's.
    let ids = listed(&body);
    assert!(!ids.is_empty() && ids.len() <= 25);
    assert_each(&app, &body, &format!("recipient_id = {kari}"));
    // Scheduled, withdrawn and failed messages are not shown.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE id::text = ANY ('{{{}}}'::text[]) AND status IN ('ReadyForPublish', 'Initialized', 'PurgedByService')",
            ids.join(",")
        )),
        0
    );

    // Filters: unread only lists unread; attachments only lists messages with attachments.
    let unread_page = app
        .get(&format!("/inbox?party={kari}&unread=unread"))
        .await
        .text()
        .await
        .expect("page");
    assert_each(
        &app,
        &unread_page,
        "(first_read_at IS NULL OR marked_unread)",
    );
    let with_attachments = app
        .get(&format!("/inbox?party={kari}&attachments=1"))
        .await
        .text()
        .await
        .expect("page");
    assert_each(&app, &with_attachments, "attachment_count > 0");

    // A preset period lists only messages from the last seven days.
    let week = app
        .get(&format!("/inbox?party={kari}&period=7"))
        .await
        .text()
        .await
        .expect("page");
    assert_each(&app, &week, "published_at >= now() - interval '8 days'");
    assert!(week.contains("value=\"7\" selected"), "the choice is kept");

    // Search in Norwegian finds inflected words and marks them; short searches are explained.
    let title = id_of(
        &app,
        &format!(
            "SELECT split_part(title, ' ', 1) AS t FROM correspondences c WHERE recipient_id = {kari} AND folder = 'inbox' AND {} \
         AND service_id NOT IN ('nav-helseopplysninger') ORDER BY published_at DESC LIMIT 1",
            "delivered(c.published_at, c.status)"
        ),
    );
    let found = app
        .get(&format!(
            "/inbox?party={kari}&q={}",
            melding::web::context::encode_component(&title)
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        found.contains("<mark>"),
        "matches are highlighted for {title:?}"
    );
    let short = app
        .get(&format!("/inbox?party={kari}&q=ab"))
        .await
        .text()
        .await
        .expect("page");
    assert!(short.contains("Skriv minst tre tegn for å søke."));

    // Someone else's inbox and messages do not exist for her.
    let other = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Fjellvik kommune'",
    );
    assert_eq!(
        app.get(&format!("/inbox?party={other}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let foreign = id_of(
        &app,
        &format!("SELECT id::text AS t FROM correspondences WHERE recipient_id = {other} LIMIT 1"),
    );
    assert_eq!(
        app.get(&format!("/inbox/messages/{foreign}?party={kari}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/inbox/messages/{foreign}?party={other}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_downloading_and_confirming_are_recorded() {
    let app = app_as(&CITIZEN).await;
    let kari = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    let message = id_of(
        &app,
        &format!(
            "SELECT c.id::text AS t FROM correspondences c JOIN services s ON s.id = c.service_id \
         WHERE c.recipient_id = {kari} AND c.attachment_count > 0 AND s.min_login_level = 3 AND {} LIMIT 1",
            "delivered(c.published_at, c.status)"
        ),
    );
    // Make it a fresh, unread message that needs confirmation by a due date.
    {
        use diesel::connection::SimpleConnection;
        let mut conn = app.pool.get().expect("conn");
        conn.batch_execute(&format!(
            "UPDATE correspondences SET first_read_at = NULL, marked_unread = false, confirmation_needed = true, \
             confirmed_at = NULL, due_at = published_at + interval '30 days', status = 'Published', folder = 'inbox' \
             WHERE id = '{message}'"
        ))
        .expect("prepare the message");
    }
    let events = |status: &str| {
        app.count(&format!("SELECT count(*) AS n FROM correspondence_events WHERE correspondence_id = '{message}' AND status = '{status}'"))
    };
    let (reads, downloads, confirms) = (
        events("Read"),
        events("AttachmentsDownloaded"),
        events("Confirmed"),
    );
    let page = app
        .get(&format!("/inbox/messages/{message}?party={kari}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let body = page.text().await.expect("page");
    assert!(body.contains("Åpnet av Kari Nordmann"));
    assert!(body.contains("<li>Deg, "), "seen by you");
    assert!(!body.contains("<script"), "the body is sanitised");
    let print = app
        .get(&format!("/inbox/messages/{message}?party={kari}&print=1"))
        .await
        .text()
        .await
        .expect("page");
    assert!(print.contains("class=\"print-view\""), "the print view");
    assert!(print.contains("Lukk utskriftsvisning"));
    // Opening again records no second Read.
    app.get(&format!("/inbox/messages/{message}?party={kari}"))
        .await;
    assert_eq!(
        events("Read"),
        reads + 1,
        "one Read for the first opening only"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE id = '{message}' AND status = 'Read'"
        )),
        1
    );

    // Download: the stored bytes, as an attachment with the stored type.
    let (attachment, key, media_type) = {
        let mut conn = app.pool.get().expect("conn");
        let id = text(
            &mut conn,
            &format!(
                "SELECT a.id::text AS t FROM correspondence_attachments ca JOIN attachments a ON a.id = ca.attachment_id WHERE ca.correspondence_id = '{message}' ORDER BY ca.position LIMIT 1"
            ),
        );
        let key = text(
            &mut conn,
            &format!("SELECT storage_key AS t FROM attachments WHERE id = '{id}'"),
        );
        let media_type = text(
            &mut conn,
            &format!("SELECT media_type AS t FROM attachments WHERE id = '{id}'"),
        );
        (id, key, media_type)
    };
    let file = app
        .get(&format!(
            "/inbox/messages/{message}/attachments/{attachment}?party={kari}"
        ))
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .starts_with("attachment")
    );
    assert!(
        file.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with(&media_type)
    );
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    let bytes = file.bytes().await.expect("bytes");
    let stored = app.storage.read_all(&key).await.expect("stored file");
    assert_eq!(bytes.as_ref(), stored.as_ref());
    assert_eq!(events("AttachmentsDownloaded"), downloads + 1);
    // An attachment of another message is not reachable through this one.
    let stranger = id_of(
        &app,
        &format!(
            "SELECT a.id::text AS t FROM attachments a WHERE a.id NOT IN (SELECT attachment_id FROM correspondence_attachments WHERE correspondence_id = '{message}') LIMIT 1"
        ),
    );
    assert_eq!(
        app.get(&format!(
            "/inbox/messages/{message}/attachments/{stranger}?party={kari}"
        ))
        .await
        .status(),
        StatusCode::NOT_FOUND
    );

    // Confirm: once, then the button is disabled.
    let token = app.csrf_token().await;
    let response = app
        .client
        .post(app.url(&format!("/inbox/messages/{message}/confirm?party={kari}")))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let body = app
        .get(&format!(
            "/inbox/messages/{message}?party={kari}&done=confirmed"
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(body.contains("Takk, meldingen er bekreftet."));
    assert!(body.contains("disabled>Bekreft</button>"));
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM correspondences WHERE id = '{message}' AND status = 'Confirmed' AND confirmed_at IS NOT NULL")), 1);
    let again = app
        .client
        .post(app.url(&format!("/inbox/messages/{message}/confirm?party={kari}")))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(events("Confirmed"), confirms + 1, "confirmed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn level_high_messages_ask_for_step_up_and_unopenable_mail_is_announced() {
    let app = app_as(&CITIZEN).await;
    let kari = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    let high = id_of(
        &app,
        &format!(
            "SELECT c.id::text AS t FROM correspondences c WHERE c.recipient_id = {kari} AND c.service_id = 'nav-helseopplysninger' AND {} LIMIT 1",
            "delivered(c.published_at, c.status)"
        ),
    );
    let title = id_of(
        &app,
        &format!("SELECT title AS t FROM correspondences WHERE id = '{high}'"),
    );
    let listing = app
        .get(&format!(
            "/inbox?party={kari}&service=nav-helseopplysninger"
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        listing.contains("Melding som krever innlogging på høyt sikkerhetsnivå"),
        "a neutral title"
    );
    assert!(
        !listing.contains(&title),
        "never the real title at level substantial"
    );
    let page = app
        .get(&format!("/inbox/messages/{high}?party={kari}"))
        .await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let body = page.text().await.expect("page");
    assert!(
        body.contains("/login?level=high&#38;return_to=%2Finbox%2Fmessages%2F"),
        "a step-up link back here"
    );
    assert!(!body.contains(&title));

    // The municipality's main administrator sees that child welfare has mail nobody present can
    // open (sender, service, date), never its title.
    let admin = app.second_user();
    admin
        .login_as(MUNICIPAL_ADMIN.national_id().as_str(), "substantial")
        .await;
    let unit = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Fjellvik kommune barnevernstjeneste'",
    );
    let body = admin
        .get(&format!("/inbox?party={unit}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(body.contains("som du ikke kan åpne"), "the notice shows");
    assert!(
        body.contains("Bekymringsmelding til barnevernet")
            || body.contains("Dokumenter i straffesak")
    );
    assert!(body.contains("Disse kan gi deg tilgang: Ingrid Berg."));
    assert!(!body.contains("Bekymringsmelding, sak"), "never a title");
    // The clerk with ordinary mail for the municipality is told too; a citizen is not.
    let clerk = app.second_user();
    clerk
        .login_as(MUNICIPAL_CLERK.national_id().as_str(), "substantial")
        .await;
    assert!(
        clerk
            .get(&format!("/inbox?party={unit}"))
            .await
            .text()
            .await
            .expect("page")
            .contains("som du ikke kan åpne")
    );
    assert!(
        !app.get(&format!("/inbox?party={kari}"))
            .await
            .text()
            .await
            .expect("page")
            .contains("som du ikke kan åpne")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_moves_belong_to_the_party_and_are_logged() {
    let app = app_as(&MUNICIPAL_CLERK).await;
    let fjellvik = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Fjellvik kommune'",
    );
    let message = id_of(
        &app,
        &format!(
            "SELECT c.id::text AS t FROM correspondences c WHERE c.recipient_id = {fjellvik} AND c.folder = 'inbox' AND {} \
         ORDER BY c.published_at DESC LIMIT 1",
            "delivered(c.published_at, c.status)"
        ),
    );
    let token = app.csrf_token().await;
    let response = app
        .client
        .post(app.url(&format!("/inbox/messages/{message}/move?party={fjellvik}")))
        .form(&[("csrf_token", token.as_str()), ("folder", "archive")])
        .send()
        .await
        .expect("move");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        format!("/inbox?party={fjellvik}&folder=inbox&done=archive").as_str()
    );
    let body = app
        .get(&format!(
            "/inbox?party={fjellvik}&folder=inbox&done=archive"
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(body.contains("Meldingen er flyttet til arkivet."));
    assert!(!body.contains(&message), "gone from the inbox");

    // Everyone acting for the municipality sees it in the archive.
    let admin = app.second_user();
    admin
        .login_as(MUNICIPAL_ADMIN.national_id().as_str(), "substantial")
        .await;
    let archive = admin
        .get(&format!("/inbox?party={fjellvik}&folder=archive"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        archive.contains(&message),
        "the move is shared by the party"
    );
    let mut conn = app.pool.get().expect("conn");
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM recipient_label_events e JOIN parties p ON p.id = e.person_id \
             WHERE e.correspondence_id = '{message}' AND e.action = 'to_archive' AND p.name = 'Per Olsen'"
            )
        ),
        1,
        "logged with who did it"
    );
    // A folder that does not exist is refused; nothing moves.
    let bad = app
        .client
        .post(app.url(&format!("/inbox/messages/{message}/move?party={fjellvik}")))
        .form(&[("csrf_token", token.as_str()), ("folder", "elsewhere")])
        .send()
        .await
        .expect("move");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_finds_one_of_three_hundred_clients() {
    use melding::auth::demo_idp::personas::ACCOUNTANT;
    let app = app_as(&ACCOUNTANT).await;
    let first = app.get("/inbox/parties").await.text().await.expect("page");
    assert_eq!(
        first.matches("class=\"party-list__item").count(),
        50,
        "a page at a time"
    );
    assert!(first.contains("Vis flere"));
    let client = id_of(
        &app,
        "SELECT o.name AS t FROM er_roles r JOIN parties o ON o.id = r.org_id JOIN parties p ON p.id = r.person_id \
                                WHERE p.name = 'Ola Hansen' AND r.role_code = 'REGN' ORDER BY o.name DESC LIMIT 1",
    );
    let found = app
        .get(&format!(
            "/inbox/parties?q={}",
            melding::web::context::encode_component(&client)
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(found.contains(&client));
    assert!(found.matches("class=\"party-list__item").count() < 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_actions_touch_only_what_the_person_may_read() {
    let app = app_as(&CITIZEN).await;
    let kari = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    let delivered = "delivered(c.published_at, c.status)";
    let mine = id_of(
        &app,
        &format!(
            "SELECT string_agg(id::text, ',') AS t FROM (SELECT c.id FROM correspondences c JOIN services s ON s.id = c.service_id \
         WHERE c.recipient_id = {kari} AND c.folder = 'inbox' AND s.min_login_level = 3 AND {delivered} LIMIT 3) x"
        ),
    );
    let foreign = id_of(
        &app,
        &format!(
            "SELECT c.id::text AS t FROM correspondences c WHERE c.recipient_id <> {kari} AND {delivered} LIMIT 1"
        ),
    );
    let foreign_folder = id_of(
        &app,
        &format!("SELECT folder AS t FROM correspondences WHERE id = '{foreign}'"),
    );
    let token = app.csrf_token().await;
    let return_to = format!("/inbox?party={kari}&folder=inbox");
    let post = |action: &str, ids: Vec<String>| {
        let mut form: Vec<(String, String)> = vec![
            ("csrf_token".into(), token.clone()),
            ("action".into(), action.into()),
            ("return_to".into(), return_to.clone()),
        ];
        form.extend(ids.into_iter().map(|id| ("ids".to_owned(), id)));
        app.client
            .post(app.url(&format!("/inbox/bulk?party={kari}")))
            .form(&form)
            .send()
    };
    // Nothing ticked: the page says to tick first, not that nothing was moved.
    let response = post("archive", Vec::new()).await.expect("bulk");
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(location, format!("{return_to}&done=bulk-none"));
    let page = app.get(&location).await.text().await.expect("page");
    assert!(page.contains(
        "data-color=\"info\" role=\"status\"><p class=\"ds-paragraph\">Ingen meldinger var valgt."
    ));
    assert!(!page.contains("0 meldinger"));

    let mut ids: Vec<String> = mine.split(',').map(str::to_owned).collect();
    ids.push(foreign.clone());

    let response = post("archive", ids.clone()).await.expect("bulk");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(
        location,
        format!("{return_to}&done=bulk-archive&n=3"),
        "the foreign message is ignored"
    );
    let page = app.get(&location).await.text().await.expect("page");
    assert!(page.contains("3 meldinger er flyttet til arkivet."));
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM correspondences WHERE id::text IN ('{}') AND folder = 'archive'", mine.replace(',', "','"))), 3);
    assert_eq!(
        id_of(
            &app,
            &format!("SELECT folder AS t FROM correspondences WHERE id = '{foreign}'")
        ),
        foreign_folder,
        "the foreign message is untouched"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM recipient_label_events WHERE correspondence_id = '{foreign}'"
        )),
        0
    );

    // Mark unread, then read again: counted and logged.
    let three: Vec<String> = mine.split(',').map(str::to_owned).collect();
    post("read", three.clone()).await.expect("bulk");
    let unread_before = app.count(&format!("SELECT count(*) AS n FROM correspondences WHERE recipient_id = {kari} AND folder = 'archive' AND (first_read_at IS NULL OR marked_unread)"));
    let response = post("unread", three.clone()).await.expect("bulk");
    assert!(
        response.headers()["location"]
            .to_str()
            .expect("loc")
            .ends_with("done=bulk-unread&n=3")
    );
    let unread_after = app.count(&format!("SELECT count(*) AS n FROM correspondences WHERE recipient_id = {kari} AND folder = 'archive' AND (first_read_at IS NULL OR marked_unread)"));
    assert_eq!(unread_after, unread_before + 3);
    let response = post("read", three.clone()).await.expect("bulk");
    assert!(
        response.headers()["location"]
            .to_str()
            .expect("loc")
            .ends_with("done=bulk-read&n=3")
    );
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM recipient_label_events WHERE correspondence_id::text IN ('{}') AND action = 'marked_unread'", mine.replace(',', "','"))), 3);

    // More than 100 at once is refused, and so is an unknown action.
    let many: Vec<String> = (0..101).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    assert_eq!(
        post("archive", many).await.expect("bulk").status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post("shred", three).await.expect("bulk").status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zip_holds_exactly_the_attachments_the_person_may_open() {
    use std::io::Read;
    let app = app_as(&CITIZEN).await;
    let kari = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    let message = id_of(
        &app,
        &format!(
            "SELECT c.id::text AS t FROM correspondences c JOIN services s ON s.id = c.service_id \
         WHERE c.recipient_id = {kari} AND c.attachment_count > 1 AND s.min_login_level = 3 AND {} LIMIT 1",
            "delivered(c.published_at, c.status)"
        ),
    );
    let response = app
        .get(&format!(
            "/inbox/messages/{message}/attachments.zip?party={kari}"
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .starts_with("attachment")
    );
    let bytes = response.bytes().await.expect("zip");
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a valid ZIP");
    let expected = {
        let mut conn = app.pool.get().expect("conn");
        let names = text(
            &mut conn,
            &format!(
                "SELECT string_agg(a.name || '=' || a.storage_key, '|' ORDER BY ca.position, a.name) AS t \
             FROM correspondence_attachments ca JOIN attachments a ON a.id = ca.attachment_id WHERE ca.correspondence_id = '{message}'"
            ),
        );
        names
            .split('|')
            .map(|p| {
                p.split_once('=')
                    .map(|(n, k)| (n.to_owned(), k.to_owned()))
                    .expect("pair")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        archive.len(),
        expected.len(),
        "exactly the message's attachments"
    );
    for (name, key) in &expected {
        let mut entry = archive
            .by_name(name)
            .unwrap_or_else(|_| panic!("{name} is in the archive"));
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("read entry");
        assert_eq!(
            content,
            app.storage.read_all(key).await.expect("stored").to_vec(),
            "{name}"
        );
    }

    // Without the separate attachment right (the police case), there is no archive either.
    let admin = app.second_user();
    admin
        .login_as(MUNICIPAL_ADMIN.national_id().as_str(), "substantial")
        .await;
    let unit = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Fjellvik kommune barnevernstjeneste'",
    );
    let admin_id = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Ingrid Berg'",
    );
    {
        use diesel::connection::SimpleConnection;
        let mut conn = app.pool.get().expect("conn");
        conn.batch_execute(&format!(
            "INSERT INTO delegations (id, party_id, to_person_id, package_id) VALUES (gen_random_uuid(), {unit}, {admin_id}, 'confidential-mail')"
        ))
        .expect("give confidential mail only");
    }
    let police = id_of(
        &app,
        &format!(
            "SELECT id::text AS t FROM correspondences WHERE recipient_id = {unit} AND service_id = 'politi-straffesak' AND attachment_count > 0 LIMIT 1"
        ),
    );
    let page = admin
        .get(&format!("/inbox/messages/{police}?party={unit}"))
        .await;
    assert_eq!(
        page.status(),
        StatusCode::FORBIDDEN,
        "the police service needs level high"
    );
    admin
        .login_as(MUNICIPAL_ADMIN.national_id().as_str(), "high")
        .await;
    let body = admin
        .get(&format!("/inbox/messages/{police}?party={unit}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(body.contains("Du har ikke tilgang til å åpne vedleggene."));
    assert!(!body.contains("attachments.zip"));
    assert_eq!(
        admin
            .get(&format!(
                "/inbox/messages/{police}/attachments.zip?party={unit}"
            ))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_keeps_favourites_shows_deleted_units_on_request_and_offers_combined_views() {
    use melding::auth::demo_idp::personas::ACCOUNTANT;
    let app = app_as(&ACCOUNTANT).await;
    let ola = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Ola Hansen'",
    );
    let client = id_of(
        &app,
        &format!(
            "SELECT o.id::text AS t FROM er_roles r JOIN parties o ON o.id = r.org_id \
             WHERE r.person_id = {ola} AND r.role_code = 'REGN' ORDER BY o.name DESC LIMIT 1"
        ),
    );
    let client_name = id_of(
        &app,
        &format!("SELECT name AS t FROM parties WHERE id = {client}"),
    );

    // Oneself first; the client is far down the list, not on the first page.
    let first = app.get("/inbox/parties").await.text().await.expect("page");
    let me_at = first.find("Ola Hansen").expect("self listed");
    assert!(
        me_at
            < first
                .find("Alle du kan representere")
                .expect("others heading")
    );
    assert!(!first.contains(&client_name));

    // Favourite it: it appears on the first page under favourites, with its unread count.
    let token = app.csrf_token().await;
    let added = app
        .client
        .post(app.url("/inbox/parties/favourite"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("party", client.as_str()),
            ("action", "add"),
            ("return_to", "/inbox/parties"),
        ])
        .send()
        .await
        .expect("favourite");
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(added.headers()["location"], "/inbox/parties");
    let first = app.get("/inbox/parties").await.text().await.expect("page");
    let favourites = first
        .split("Favoritter</h2>")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("favourites section");
    assert!(favourites.contains(&client_name));
    assert!(favourites.contains("Fjern fra favoritter"));

    // A party one cannot act for cannot be made a favourite.
    let stranger = id_of(
        &app,
        &format!(
            "SELECT id::text AS t FROM parties WHERE kind = 'organization' AND id NOT IN \
             (SELECT party_id FROM acting_parties WHERE person_id = {ola}) LIMIT 1"
        ),
    );
    let refused = app
        .client
        .post(app.url("/inbox/parties/favourite"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("party", stranger.as_str()),
            ("action", "add"),
        ])
        .send()
        .await
        .expect("favourite");
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM party_favourites WHERE person_id = {ola}"
        )),
        1
    );
    let removed = app
        .client
        .post(app.url("/inbox/parties/favourite"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("party", client.as_str()),
            ("action", "remove"),
        ])
        .send()
        .await
        .expect("unfavourite");
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let first = app.get("/inbox/parties").await.text().await.expect("page");
    assert!(!first.contains("Favoritter</h2>"));

    // A deleted unit is listed only when asked for, and marked.
    let deleted = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Gamle Fjordbruk AS'",
    );
    {
        use diesel::connection::SimpleConnection;
        app.pool
            .get()
            .expect("conn")
            .batch_execute(&format!(
                "INSERT INTO er_roles (person_id, org_id, role_code) VALUES ({ola}, {deleted}, 'REGN')"
            ))
            .expect("role");
    }
    let search = "/inbox/parties?q=Gamle+Fjordbruk";
    let hidden = app.get(search).await.text().await.expect("page");
    assert!(!hidden.contains("Gamle Fjordbruk AS"));
    let shown = app
        .get(&format!("{search}&deleted=1"))
        .await
        .text()
        .await
        .expect("page");
    assert!(shown.contains("Gamle Fjordbruk AS"));
    assert!(shown.contains(">Slettet<"));
    assert!(shown.contains("name=\"deleted\" value=\"1\" checked"));

    // All organisations at once: each row names its recipient, and every listed message is one
    // the decision lets him read for that recipient.
    let all = app
        .get("/inbox?all=organizations")
        .await
        .text()
        .await
        .expect("page");
    assert!(all.contains("Innboks: Alle virksomheter"));
    let ids = listed(&all);
    assert_eq!(ids.len(), 25, "a full page");
    assert!(!all.contains("action=\"/inbox/bulk"), "no bulk actions");
    assert_each(
        &app,
        &all,
        &format!(
            "can_read_service({ola}, recipient_id, service_id) \
             AND recipient_id IN (SELECT party_id FROM acting_parties WHERE person_id = {ola} AND kind_rank = 2)"
        ),
    );
    let recipients = app.count(&format!(
        "SELECT count(DISTINCT recipient_id) AS n FROM correspondences WHERE id::text = ANY ('{{{}}}'::text[])",
        ids.join(",")
    ));
    assert!(recipients > 1, "mail of several clients ({recipients})");
    assert!(all.contains("Til "), "the recipient on each row");
    // The next page continues without repeats.
    let next = all
        .split("href=\"/inbox?all=organizations")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.contains("after="))
        .expect("next link")
        .replace("&#38;", "&");
    let second = app
        .get(&format!("/inbox?all=organizations{next}"))
        .await
        .text()
        .await
        .expect("page");
    let second_ids = listed(&second);
    assert!(!second_ids.is_empty());
    assert!(second_ids.iter().all(|id| !ids.contains(id)));

    // All persons: himself (and anyone else he acts for), never a client organisation.
    let persons = app
        .get("/inbox?all=persons")
        .await
        .text()
        .await
        .expect("page");
    assert_each(
        &app,
        &persons,
        &format!(
            "recipient_id IN (SELECT party_id FROM acting_parties WHERE person_id = {ola} AND kind_rank < 2)"
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_filter_lists_only_that_senders_mail() {
    let app = app_as(&CITIZEN).await;
    let kari = id_of(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    let page = app
        .get(&format!("/inbox?party={kari}"))
        .await
        .text()
        .await
        .expect("page");
    let sender = page
        .split("id=\"sender\" name=\"sender\">")
        .nth(1)
        .and_then(|s| s.split("<option value=\"").nth(2))
        .and_then(|s| s.split('"').next())
        .expect("a sender to choose")
        .to_owned();
    let filtered = app
        .get(&format!("/inbox?party={kari}&sender={sender}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(!listed(&filtered).is_empty());
    assert_each(&app, &filtered, &format!("sender_id = {sender}"));
    assert!(filtered.contains(&format!("value=\"{sender}\" selected")));
}

#[tokio::test]
async fn a_nul_character_in_a_search_is_a_bad_request_not_a_server_error() {
    let app = TestApp::spawn().await;
    let w = crate::notify::world(&mut app.pool.get().expect("conn"), 1, &[]);
    app.login_as(w.persons[0].1.as_str(), "substantial").await;
    let party = w.persons[0].0;
    let fine = app.get(&format!("/inbox?party={party}&q=vedtak")).await;
    assert_eq!(fine.status(), reqwest::StatusCode::OK);
    let response = app.get(&format!("/inbox?party={party}&q=ved%00tak")).await;
    assert_eq!(response.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.expect("page");
    assert!(
        page.contains("id=\"q-error\">Feltet inneholder et tegn som ikke kan lagres (NUL"),
        "said next to the search box"
    );
}

/// The `href` of the "older messages" link of a listing page, unescaped.
fn next_page(body: &str) -> Option<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|href| href.starts_with("/inbox?") && href.contains("after="))
        .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"))
}

/// A search first tries the party's newest messages and turns to the full-text index only when
/// they leave the page short: a word in every message pages exactly as the database orders its
/// matches, and a word in one message older than the first thousand is still found.
#[tokio::test]
async fn a_search_pages_a_common_word_in_order_and_finds_a_rare_one_far_back() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().expect("conn");
    let w = crate::notify::world(&mut conn, 1, &[]);
    let (party, national_id) = (w.persons[0].0, w.persons[0].1.as_str().to_owned());
    diesel::sql_query(format!(
        "WITH s AS (INSERT INTO sendings (id, service_id, sender_id, channel, recipient_count) \
                    VALUES (gen_random_uuid(), '{service}', {owner}, 'api', 1500) RETURNING id) \
         INSERT INTO correspondences (id, sending_id, service_id, sender_id, sender_name, senders_reference, \
             recipient_id, title, body, published_at, status) \
         SELECT gen_random_uuid(), s.id, '{service}', {owner}, 'Testetaten', 'ref-' || g, {party}, \
                CASE WHEN g = 1400 THEN 'Brev til fyrvokteren' ELSE 'Vedtak om bostøtte nummer ' || g END, \
                'Innhold.', now() - g * interval '1 minute', 'Published' \
         FROM s CROSS JOIN generate_series(1, 1500) g",
        service = w.service,
        owner = w.owner,
    ))
    .execute(&mut conn)
    .expect("1,500 messages");
    app.login_as(&national_id, "substantial").await;

    // The rare word: in the 1,400th newest message only, beyond the first thousand.
    let rare = app
        .get(&format!("/inbox?party={party}&q=fyrvokteren"))
        .await
        .text()
        .await
        .expect("page");
    let found = listed(&rare);
    assert_eq!(found.len(), 1, "exactly the one message with the word");
    assert_each(&app, &rare, "title = 'Brev til fyrvokteren'");

    // The common word, two pages (the second after the first's cursor), unread only: exactly the
    // database's newest matches in order, none twice, none skipped.
    let expected: Vec<String> = text(
        &mut conn,
        &format!(
            "SELECT string_agg(id::text, ',' ORDER BY published_at DESC, id DESC) AS t FROM ( \
               SELECT id, published_at FROM correspondences WHERE recipient_id = {party} \
               AND search_vector @@ websearch_to_tsquery('norwegian', 'vedtak') \
               AND first_read_at IS NULL ORDER BY published_at DESC, id DESC LIMIT 200) x"
        ),
    )
    .split(',')
    .map(str::to_owned)
    .collect();
    let first = app
        .get(&format!("/inbox?party={party}&q=vedtak&unread=unread"))
        .await
        .text()
        .await
        .expect("page");
    let mut pages = listed(&first);
    assert!(pages.len() >= 20, "a full page: {}", pages.len());
    let next = next_page(&first).expect("a link to older messages");
    let second = app.get(&next).await.text().await.expect("page");
    let second_rows = listed(&second);
    assert!(!second_rows.is_empty(), "the second page has rows");
    pages.extend(second_rows);
    assert_eq!(pages, expected[..pages.len()].to_vec());
}
