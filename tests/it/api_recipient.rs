//! The JSON API for recipients' systems (an accountant's case system, an archive) and for a
//! distributor sending for a service owner: access given on the access page, used with real
//! signed tokens, recorded in the status history.

use diesel::connection::SimpleConnection;
use melding::api::token::{SCOPE_READ, SCOPE_WRITE};
use melding::domain::OrgNumber;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::{Spec, call, first_id, post, send_json, token};
use crate::helpers::{TestApp, text};
use crate::notify::{insert_id, world};

/// An organisation with a valid number made from `base`.
pub fn organisation(app: &TestApp, base: u32, name: &str) -> (i64, String) {
    let number = OrgNumber::from_base(base).expect("a valid number");
    let id = insert_id(
        &mut app.pool.get().expect("conn"),
        &format!(
            "INSERT INTO parties (kind, org_number, name, org_form) \
             VALUES ('organization', '{}', '{name}', 'AS') RETURNING id",
            number.as_str()
        ),
    );
    (id, number.as_str().to_owned())
}

/// The client organisation's world: testbrev needs the ordinary-mail package, the world's person
/// is the client's general manager (its main administrator), and a confidential service
/// `hemmelig` of the same owner.
fn client_world(app: &TestApp, w: &crate::notify::World, client: i64) {
    app.pool
        .get()
        .expect("conn")
        .batch_execute(&format!(
            "UPDATE services SET required_packages = '{{ordinary-mail}}' WHERE id = 'testbrev'; \
             INSERT INTO er_roles (person_id, org_id, role_code) VALUES ({}, {client}, 'DAGL'); \
             INSERT INTO services (id, owner_id, title_nb, title_nn, title_en, required_packages, is_confidential) \
             VALUES ('hemmelig', {}, 'Hemmelig', 'Hemmeleg', 'Secret', '{{confidential-mail}}', true)",
            w.persons[0].0, w.owner
        ))
        .expect("roles and services");
}

/// Sends one message through the API to `recipient`, with a file and the given extras.
async fn send_to(app: &TestApp, sender: &str, recipient: &str, extra: Value) -> String {
    let (status, attachment) = send_json(
        app,
        Method::POST,
        "/attachment",
        sender,
        Some(&json!({ "fileName": "vedtak.txt" })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{attachment}");
    let file = attachment.as_str().expect("id").to_owned();
    let (status, _) = send_json(
        app,
        Method::POST,
        &format!("/attachment/{file}/upload"),
        sender,
        None,
        Some(b"VEDLEGG-INNHOLD".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut correspondence = json!({
        "resourceId": "testbrev",
        "sendersReference": "R-1",
        "content": { "messageTitle": "Vedtak for klienten", "messageBody": "BRODTEKST til klienten." },
        "existingAttachments": [file]
    });
    for (k, v) in extra.as_object().expect("object") {
        correspondence[k] = v.clone();
    }
    let (status, sent) = post(
        app,
        sender,
        &json!({ "correspondence": correspondence, "recipients": [recipient] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    first_id(&sent)
}

/// Posts an access-page form as the logged-in user; returns the status and the page.
pub async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let csrf = app.csrf_token().await;
    let mut fields: Vec<(&str, &str)> = fields.to_vec();
    fields.push(("csrf_token", &csrf));
    let response = app
        .client
        .post(app.url(path))
        .form(&fields)
        .send()
        .await
        .expect("form");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

fn ids(list: &Value) -> Vec<String> {
    list["ids"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c.as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_system_reads_confirms_downloads_and_deletes_what_it_was_given() {
    let app = TestApp::spawn().await;
    let spec = Spec::load(&app).await;
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let (client, client_no) = organisation(&app, 91000001, "Klient AS");
    let (_, other_no) = organisation(&app, 91000002, "Annen AS");
    let (_, firm_no) = organisation(&app, 91000003, "Regnskap AS");
    client_world(&app, &w, client);
    let sender = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let firm = token(&app, &firm_no, &[SCOPE_READ], 5);

    let m1 = send_to(
        &app,
        &sender,
        &client_no,
        json!({ "isConfirmationNeeded": true, "dueDateTime": "2099-01-01T12:00:00Z" }),
    )
    .await;
    let m2 = send_to(&app, &sender, &other_no, json!({})).await;
    let m3 = send_to(
        &app,
        &sender,
        &client_no,
        json!({ "resourceId": "hemmelig" }),
    )
    .await;
    let m4 = send_to(&app, &sender, &client_no, json!({})).await;

    // Before the client gives access: nothing, and no trace of what exists.
    let (status, list, _) = call(&app, "/correspondence", Some(&firm)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(ids(&list), Vec::<String>::new());
    let (status, body, _) = call(&app, &format!("/correspondence/{m1}"), Some(&firm)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("MEL-1004"))
    );
    assert!(!body.to_string().contains("Vedtak"));

    // The client's main administrator gives the firm's systems the ordinary-mail package; a bad
    // number is answered next to the field.
    app.login_as(w.persons[0].1.as_str(), "substantial").await;
    let (status, page) = form(
        &app,
        &format!("/access/{client}/systems/grant"),
        &[
            ("org_number", "123"),
            ("system_what", "package:ordinary-mail"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"org_number-error\""), "{page}");
    let (status, _) = form(
        &app,
        &format!("/access/{client}/systems/grant"),
        &[
            ("org_number", &firm_no),
            ("system_what", "package:main-administrator"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "administering access stays with persons"
    );
    let (status, _) = form(
        &app,
        &format!("/access/{client}/systems/grant"),
        &[
            ("org_number", &firm_no),
            ("system_what", "package:ordinary-mail"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = app
        .get(&format!("/access/{client}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Regnskap AS"), "the page lists the system");

    // Now the firm sees the client's ordinary mail: not the other party's, not the confidential.
    let (_, list, _) = call(&app, "/correspondence", Some(&firm)).await;
    spec.check("CorrespondencesExt", &list);
    Spec::altinn().check("CorrespondencesExt", &list);
    let mut expected = vec![m4.clone(), m1.clone()];
    assert_eq!(ids(&list), expected, "newest published first");
    let (_, list, _) = call(
        &app,
        &format!("/correspondence?melding=true&onBehalfOf=0192:{client_no}&limit=1"),
        Some(&firm),
    )
    .await;
    assert_eq!(ids(&list), vec![m4.clone()]);
    assert_eq!(list["correspondences"][0]["correspondenceId"], m4.as_str());
    let next = list["next"].as_str().expect("a next page").to_owned();
    let (_, list, _) = call(
        &app,
        &format!("/correspondence?melding=true&onBehalfOf=0192:{client_no}&limit=1&cursor={next}"),
        Some(&firm),
    )
    .await;
    assert_eq!(ids(&list), vec![m1.clone()]);
    assert!(list["next"].is_null());
    let (_, list, _) = call(
        &app,
        &format!("/correspondence?onBehalfOf={other_no}"),
        Some(&firm),
    )
    .await;
    assert_eq!(ids(&list), Vec::<String>::new(), "a party not delegated");
    for hidden in [&m2, &m3] {
        let (status, _, _) = call(&app, &format!("/correspondence/{hidden}"), Some(&firm)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, body, _) = call(&app, "/correspondence?idempotentKey=x", Some(&firm)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["idempotentKey"].is_array());

    // The overview records Fetched (once per system), naming the system.
    for _ in 0..2 {
        let (status, overview, _) = call(&app, &format!("/correspondence/{m1}"), Some(&firm)).await;
        assert_eq!(status, StatusCode::OK);
        spec.check("CorrespondenceOverviewExt", &overview);
        Spec::altinn().check("CorrespondenceOverviewExt", &overview);
        assert_eq!(overview["status"], "Published");
    }
    let events = |status: &str| {
        text(
            &mut app.pool.get().expect("conn"),
            &format!(
                "SELECT count(*)::text || ':' || coalesce(string_agg(DISTINCT actor_system, ','), '') AS t \
                 FROM correspondence_events WHERE correspondence_id = '{m1}' AND status = '{status}'"
            ),
        )
    };
    assert_eq!(events("Fetched"), format!("1:0192:{firm_no}"));

    // The body: recorded as Read.
    let response = app
        .client
        .get(app.url(&format!(
            "/correspondence/api/v1/correspondence/{m1}/content"
        )))
        .bearer_auth(&firm)
        .send()
        .await
        .expect("content");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain")
    );
    assert_eq!(
        response.text().await.expect("body"),
        "BRODTEKST til klienten."
    );
    assert_eq!(events("Read"), format!("1:0192:{firm_no}"));

    // The attachment, alone and as a ZIP.
    let (_, details, _) = call(&app, &format!("/correspondence/{m1}/details"), Some(&firm)).await;
    spec.check("CorrespondenceDetailsExt", &details);
    Spec::altinn().check("CorrespondenceDetailsExt", &details);
    let file = text(
        &mut app.pool.get().expect("conn"),
        &format!(
            "SELECT attachment_id::text AS t FROM correspondence_attachments WHERE correspondence_id = '{m1}'"
        ),
    );
    let download = |path: String| {
        let request = app
            .client
            .get(app.url(&format!("/correspondence/api/v1{path}")))
            .bearer_auth(&firm);
        async move {
            let response = request.send().await.expect("download");
            (
                response.status(),
                response.bytes().await.expect("bytes").to_vec(),
            )
        }
    };
    let (status, bytes) =
        download(format!("/correspondence/{m1}/attachment/{file}/download")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, b"VEDLEGG-INNHOLD");
    let (status, bytes) = download(format!("/correspondence/{m1}/attachments/downloadall")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"PK"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    assert_eq!(zip.len(), 1);
    assert_eq!(
        zip.by_index(0).expect("entry").name().expect("a name"),
        "vedtak.txt"
    );
    let (status, _) = download(format!("/correspondence/{m4}/attachment/{file}/download")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another message's attachment"
    );
    assert_eq!(events("AttachmentsDownloaded"), format!("2:0192:{firm_no}"));

    // Deleting waits for the confirmation the message asks for.
    let purge = |id: String| {
        let path = format!("/correspondence/{id}/purge");
        let (app, firm) = (&app, &firm);
        async move { send_json(app, Method::DELETE, &path, firm, None, None).await }
    };
    let (status, body) = purge(m1.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, confirmed) = send_json(
        &app,
        Method::POST,
        &format!("/correspondence/{m1}/confirm"),
        &firm,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(
        confirmed,
        Value::String(m1.clone()),
        "Altinn answers the id"
    );
    let (_, overview, _) = call(&app, &format!("/correspondence/{m1}"), Some(&firm)).await;
    assert_eq!(overview["status"], "Confirmed", "{overview}");
    let (status, _) = send_json(
        &app,
        Method::POST,
        &format!("/correspondence/{m4}/confirm"),
        &firm,
        None,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "m4 asks for no confirmation"
    );

    // The client's people see in the inbox which system did what.
    let page = app
        .get(&format!("/inbox/messages/{m1}?party={client}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Regnskap AS"),
        "the activity log names the system"
    );

    let (status, purged) = purge(m1.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(purged, Value::String(m1.clone()), "Altinn answers the id");
    let (status, _, _) = call(&app, &format!("/correspondence/{m1}"), Some(&firm)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "gone for the recipient");
    expected.retain(|id| *id != m1);
    let (_, list, _) = call(&app, "/correspondence", Some(&firm)).await;
    assert_eq!(ids(&list), expected);

    // The sender still sees its message, as the sender does; its read-only token sees nothing.
    let (status, overview, _) = call(&app, &format!("/correspondence/{m1}"), Some(&sender)).await;
    assert_eq!(
        (status, overview["status"].as_str()),
        (StatusCode::OK, Some("PurgedByRecipient"))
    );
    let sender_reading = token(&app, "974761076", &[SCOPE_READ], 5);
    let (status, _, _) = call(
        &app,
        &format!("/correspondence/{m4}"),
        Some(&sender_reading),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Marking read without fetching the body.
    let (status, read) = send_json(
        &app,
        Method::POST,
        &format!("/correspondence/{m4}/markasread"),
        &firm,
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, &read),
        (StatusCode::OK, &Value::String(m4.clone()))
    );
    let (_, overview, _) = call(&app, &format!("/correspondence/{m4}"), Some(&firm)).await;
    assert_eq!(overview["status"], "Read");

    // Revoked on the access page: the firm loses the client's mail at once.
    let delegation = text(
        &mut app.pool.get().expect("conn"),
        &format!(
            "SELECT id::text AS t FROM system_delegations WHERE party_id = {client} AND revoked_at IS NULL"
        ),
    );
    let (status, _) = form(
        &app,
        &format!("/access/{client}/delegations/{delegation}/revoke"),
        &[("confirmed", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = call(&app, &format!("/correspondence/{m4}"), Some(&firm)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list, _) = call(&app, "/correspondence", Some(&firm)).await;
    assert_eq!(ids(&list), Vec::<String>::new());

    // A token with both scopes searches both sides for ids; melding's pages need one role.
    let both = token(&app, &firm_no, &[SCOPE_READ, SCOPE_WRITE], 5);
    let (status, _, _) = call(&app, "/correspondence", Some(&both)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body, _) = call(&app, "/correspondence?melding=true", Some(&both)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["role"].is_array());
    let (status, _, _) = call(&app, "/correspondence?role=recipient", Some(&both)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distributor_sends_only_for_the_owners_that_let_it() {
    let app = TestApp::spawn().await;
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let (distributor, distributor_no) = organisation(&app, 91000004, "Formidler AS");
    let dist = token(&app, &distributor_no, &[SCOPE_WRITE], 5);
    let request = json!({
        "correspondence": {
            "resourceId": "testbrev",
            "sendersReference": "F-1",
            "content": { "messageTitle": "Via formidler", "messageBody": "Tekst." }
        },
        "recipients": [w.persons[0].1.as_str()]
    });
    let (status, body) = post(&app, &dist, &request).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("MEL-1003"))
    );

    app.pool
        .get()
        .expect("conn")
        .batch_execute(&format!(
            "INSERT INTO system_delegations (id, party_id, to_org_id, package_id) \
             VALUES (gen_random_uuid(), {}, {distributor}, 'service-owner-send')",
            w.owner
        ))
        .expect("the owner lets the distributor send");
    let (status, sent) = post(&app, &dist, &request).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let id = first_id(&sent);
    let (status, overview, _) = call(&app, &format!("/correspondence/{id}"), Some(&dist)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(overview["sender"], "0192:974761076", "sent for the owner");
    let (_, list, _) = call(&app, "/correspondence", Some(&dist)).await;
    assert_eq!(ids(&list), vec![id.clone()]);

    // A service of an owner that did not delegate: refused, naming the field.
    insert_id(
        &mut app.pool.get().expect("conn"),
        "WITH o AS (INSERT INTO parties (kind, org_number, name, org_form) \
                    VALUES ('organization', '974760673', 'Andre', 'ORGL') RETURNING id), \
              so AS (INSERT INTO service_owners (party_id, short_name) SELECT id, 'andre' FROM o) \
         INSERT INTO services (id, owner_id, title_nb, title_nn, title_en) \
         SELECT 'andrebrev', id, 'A', 'A', 'A' FROM o RETURNING 0::bigint AS id",
    );
    let mut other = request.clone();
    other["correspondence"]["resourceId"] = json!("andrebrev");
    let (status, body) = post(&app, &dist, &other).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errors"]
            .as_object()
            .expect("errors")
            .keys()
            .any(|k| k.contains("resourceId")),
        "{body}"
    );

    // Revoked: the distributor is no sender any more, and sees nothing it sent.
    app.pool
        .get()
        .expect("conn")
        .batch_execute("UPDATE system_delegations SET revoked_at = now()")
        .expect("revoke");
    let (status, body, _) = call(&app, &format!("/correspondence/{id}"), Some(&dist)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("MEL-1003"))
    );
}

/// Forwards `id` as the firm's system; the status and the answer.
async fn forward(app: &TestApp, firm: &str, id: &str, request: Value) -> (StatusCode, Value) {
    send_json(
        app,
        Method::POST,
        &format!("/correspondence/{id}/forward"),
        firm,
        Some(&request),
        None,
    )
    .await
}

#[tokio::test]
async fn a_recipient_system_forwards_what_it_has_read_by_email_where_the_sender_allows_it() {
    let app = TestApp::spawn().await;
    let spec = Spec::load(&app).await;
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let (client, client_no) = organisation(&app, 91000001, "Klient AS");
    let (_, firm_no) = organisation(&app, 91000003, "Regnskap AS");
    client_world(&app, &w, client);
    let sender = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let firm = token(&app, &firm_no, &[SCOPE_READ], 5);
    let allowed = send_to(
        &app,
        &sender,
        &client_no,
        json!({ "allowForwarding": true }),
    )
    .await;
    let denied = send_to(&app, &sender, &client_no, json!({})).await;
    let secret = send_to(
        &app,
        &sender,
        &client_no,
        json!({ "resourceId": "hemmelig", "allowForwarding": true }),
    )
    .await;
    app.login_as(w.persons[0].1.as_str(), "high").await;
    for package in ["ordinary-mail", "confidential-mail"] {
        let (status, page) = form(
            &app,
            &format!("/access/{client}/systems/grant"),
            &[
                ("org_number", &firm_no),
                ("system_what", &format!("package:{package}")),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{package}: {page}");
    }

    // Not before someone has read it; the refusal names the field.
    let to_kari = json!({ "forwardTo": "kari@example.no" });
    let (status, body) = forward(&app, &firm, &allowed, to_kari.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errors"]["correspondenceId"][0]
            .as_str()
            .is_some_and(|m| m.contains("has not been read"))
    );
    Spec::altinn().check("ProblemDetails", &body);
    for id in [&allowed, &denied, &secret] {
        let (status, _, _) =
            call(&app, &format!("/correspondence/{id}/content"), Some(&firm)).await;
        assert_eq!(status, StatusCode::OK);
    }

    // The address and the text are checked; Altinn's number for a bad address.
    let (status, body) = forward(&app, &firm, &allowed, json!({ "forwardTo": "kari" })).await;
    assert_eq!(
        (status, body["errorCode"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(3011))
    );
    let long = "x".repeat(201);
    let (status, body) = forward(
        &app,
        &firm,
        &allowed,
        json!({ "forwardTo": "kari@example.no", "forwardingText": long }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["forwardingText"].is_array(), "{body}");

    // Only where the sender allowed it, and never a confidential message.
    let (status, body) = forward(&app, &firm, &denied, to_kari.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("allowForwarding"), "{body}");
    let (status, body) = forward(&app, &firm, &secret, to_kari.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("confidential"), "{body}");
    // A sender's token is not a recipient's.
    let (status, _) = forward(&app, &sender, &allowed, to_kari.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Forwarded once per address (names in any case, as Altinn binds them).
    let (status, id) = forward(
        &app,
        &firm,
        &allowed,
        json!({ "ForwardTo": "Kari@Example.no", "FORWARDINGTEXT": "Til arkivet, fra regnskapsføreren.", "includeAttachments": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{id}");
    let forward_id = id.as_str().expect("the forward's id");
    assert!(uuid::Uuid::parse_str(forward_id).is_ok());
    let (status, body) = forward(&app, &firm, &allowed, to_kari.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        text(
            &mut app.pool.get().expect("conn"),
            &format!(
                "SELECT string_agg(by_system || ' ' || to_address || ' ' || include_attachments, ',') AS t \
                 FROM correspondence_forwards WHERE correspondence_id = '{allowed}'"
            ),
        ),
        format!("0192:{firm_no} Kari@Example.no true")
    );

    // The sender's view of the message does not show where the recipient sent it.
    let (_, details, _) = call(
        &app,
        &format!("/correspondence/{allowed}/details?melding=true"),
        Some(&sender),
    )
    .await;
    spec.check("CorrespondenceDetailsExt", &details);
    assert!(!details.to_string().contains("forward"), "{details}");

    // The worker sends it to a real SMTP server: the message, the text and the file.
    let sink = crate::notify::SmtpSink::start();
    let pool = app.pool.clone();
    let mailer = crate::notify::smtp(&sink);
    let storage = app.storage.clone();
    tokio::task::spawn_blocking(move || {
        let mut settings = melding::notify::Settings::new("https://melding.example");
        settings.storage = Some(storage);
        melding::notify::Worker::new(
            pool.clone(),
            mailer,
            melding::notify::transport::SmsGateway::Capture(pool),
            std::sync::Arc::new(melding::notify::SystemClock),
            settings,
        )
        .expect("worker")
        .drain()
        .expect("drain")
    })
    .await
    .expect("join");
    let mails: Vec<String> = sink
        .messages()
        .into_iter()
        .filter(|m| crate::notify::header(m, "To").is_some_and(|to| to.contains("Kari@Example.no")))
        .collect();
    assert_eq!(mails.len(), 1, "one forwarded e-mail");
    let mail = crate::notify::decoded(&mails[0]);
    assert!(
        crate::notify::header(&mails[0], "Subject")
            .is_some_and(|s| s.contains("Videresendt") || s.contains("=?utf-8?")),
        "{mail}"
    );
    for expected in [
        "BRODTEKST til klienten.",
        "Til arkivet, fra regnskapsf",
        "Regnskap AS",
        "vedtak.txt",
        "multipart/mixed",
    ] {
        assert!(mail.contains(expected), "{expected} in {mail}");
    }
    assert!(
        mail.contains("VEDLEGG-INNHOLD") || mail.contains("VkVETEVHRy1JTk5IT0xE"),
        "the file itself: {mail}"
    );
    assert_eq!(
        text(
            &mut app.pool.get().expect("conn"),
            "SELECT string_agg(state, ',') AS t FROM notifications WHERE kind = 'forward'",
        ),
        "sent"
    );
}
