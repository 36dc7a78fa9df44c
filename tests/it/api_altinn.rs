//! Altinn 3 Correspondence's requests as its clients send them, in each binding, and Altinn's
//! answers: shapes (checked against Altinn's own published document), status codes and error
//! numbers.

use md5::Digest;
use melding::api::token::SCOPE_WRITE;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::api::{Spec, call, first_id, post, post_to, token};
use crate::helpers::TestApp;
use crate::notify::world;

fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", md5::Md5::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_attachments_are_matched_to_the_files_of_the_request_by_name() {
    let app = TestApp::spawn().await;
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let altinn = Spec::altinn();
    let upload = |form: Form| {
        app.client
            .post(app.url("/correspondence/api/v1/correspondence/upload"))
            .bearer_auth(&good)
            .multipart(form)
            .send()
    };
    let pdf = b"%PDF-1.4 vedtak".to_vec();
    let csv = b"navn;verdi\n".to_vec();
    // Altinn's form: the attachments described in dot notation, enums by name and by number,
    // the files as parts named `attachments` (in another order than described).
    let form = |title: &str, first_name: &str, checksum: &str| {
        Form::new()
            .text("correspondence.resourceId", "testbrev")
            .text("correspondence.sendersReference", title.to_owned())
            .text("correspondence.content.language", "nb")
            .text("correspondence.content.messageTitle", title.to_owned())
            .text("correspondence.content.messageSummary", "Kort")
            .text("correspondence.content.messageBody", "Se vedleggene.")
            .text(
                "correspondence.content.attachments[0].fileName",
                first_name.to_owned(),
            )
            .text(
                "correspondence.content.attachments[0].displayName",
                "Vedtaket",
            )
            .text(
                "correspondence.content.attachments[0].sendersReference",
                "V-1",
            )
            .text(
                "correspondence.content.attachments[0].checksum",
                checksum.to_owned(),
            )
            .text(
                "correspondence.content.attachments[0].dataLocationType",
                "NewCorrespondenceAttachment",
            )
            .text(
                "Correspondence.Content.Attachments[1].FileName",
                "tabell.csv",
            )
            .text(
                "correspondence.content.attachments[1].sendersReference",
                "T-1",
            )
            .text("correspondence.content.attachments[1].isEncrypted", "true")
            .text(
                "correspondence.content.attachments[1].dataLocationType",
                "0",
            )
            .text("recipients[0]", w.persons[0].1.as_str().to_owned())
            .part(
                "attachments",
                Part::bytes(csv.clone()).file_name("tabell.csv"),
            )
            .part(
                "attachments",
                Part::bytes(pdf.clone()).file_name("vedtak.pdf"),
            )
    };
    let response = upload(form("Med vedlegg", "vedtak.pdf", &md5_hex(&pdf)))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    altinn.check("InitializeCorrespondencesResponseExt", &body);
    assert_eq!(body["attachmentIds"].as_array().expect("ids").len(), 2);
    let id = first_id(&body);
    let (status, overview, _) = call(&app, &format!("/correspondence/{id}"), Some(&good)).await;
    assert_eq!(status, StatusCode::OK);
    altinn.check("CorrespondenceOverviewExt", &overview);
    let mut described: Vec<(String, String, String, bool)> = overview["content"]["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .map(|a| {
            (
                a["fileName"].as_str().unwrap_or_default().to_owned(),
                a["displayName"].as_str().unwrap_or_default().to_owned(),
                a["sendersReference"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                a["isEncrypted"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    described.sort();
    assert_eq!(
        described,
        [
            ("tabell.csv".into(), "tabell.csv".into(), "T-1".into(), true),
            ("vedtak.pdf".into(), "Vedtaket".into(), "V-1".into(), false),
        ],
        "{overview}"
    );

    // A file no entry names, or an entry no file matches: Altinn's 1005, nothing kept.
    let before = app.count("SELECT count(*) AS n FROM correspondences");
    let response = upload(form("Feil navn", "annet.pdf", &md5_hex(&pdf)))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.expect("JSON");
    altinn.check("ProblemDetails", &problem);
    assert_eq!(problem["errorCode"], 1005, "{problem}");
    assert!(
        problem["errors"]["correspondence.content.attachments[0].fileName"].is_array(),
        "{problem}"
    );
    // The wrong checksum: Altinn's 2008.
    let response = upload(form("Feil sum", "vedtak.pdf", &md5_hex(b"annet")))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.expect("JSON");
    assert_eq!(problem["errorCode"], 2008, "{problem}");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM correspondences"),
        before
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM attachments WHERE state <> 'purged'"),
        2,
        "only the sent message's files are kept"
    );

    // JSON: a new attachment has no bytes to come; one uploaded before is named by its id.
    let request = |attachment: Value| {
        json!({
            "correspondence": {
                "resourceId": "testbrev",
                "sendersReference": "J-1",
                "content": {
                    "language": "nb", "messageTitle": "Igjen", "messageSummary": "Kort",
                    "messageBody": "Tekst.", "attachments": [attachment]
                }
            },
            "recipients": [w.persons[0].1.as_str()]
        })
    };
    // As Altinn's JSON initialize: the message waits, unseen and unnoticed, for the upload.
    let later = b"%PDF-1.4 kommer senere".to_vec();
    let held = |checksum: String| {
        request(json!({
            "fileName": "ny.pdf", "displayName": "Nytt vedtak", "sendersReference": "N-1",
            "dataLocationType": 0, "checksum": checksum
        }))
    };
    let upload_later = |id: String, bytes: Vec<u8>| {
        app.client
            .post(app.url(&format!("/correspondence/api/v1/attachment/{id}/upload")))
            .bearer_auth(&good)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
    };
    for (bytes, outcome) in [(later.clone(), "Published"), (b"annet".to_vec(), "Failed")] {
        let (status, sent) = post(&app, &good, &held(md5_hex(&later))).await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        altinn.check("InitializeCorrespondencesResponseExt", &sent);
        let message = first_id(&sent);
        assert_eq!(sent["correspondences"][0]["status"], "Initialized");
        assert_eq!(sent["correspondences"][0]["notifications"], json!([]));
        let attachment = sent["attachmentIds"][0].as_str().expect("id").to_owned();
        let notices = format!(
            "SELECT count(*) AS n FROM notifications WHERE correspondence_id = '{message}'"
        );
        assert_eq!(app.count(&notices), 0, "no notice before it is published");
        let response = upload_later(attachment, bytes).await.expect("upload");
        assert_eq!(
            response.status().is_success(),
            outcome == "Published",
            "{outcome}"
        );
        let (_, overview, _) = call(&app, &format!("/correspondence/{message}"), Some(&good)).await;
        assert_eq!(overview["status"], outcome, "{overview}");
        let (_, details, _) = call(
            &app,
            &format!("/correspondence/{message}/details"),
            Some(&good),
        )
        .await;
        altinn.check("CorrespondenceDetailsExt", &details);
        let history: Vec<&str> = details["statusHistory"]
            .as_array()
            .expect("history")
            .iter()
            .map(|e| e["status"].as_str().expect("status"))
            .collect();
        if outcome == "Published" {
            assert_eq!(history, ["Initialized", "ReadyForPublish", "Published"]);
            assert_eq!(app.count(&notices), 1, "the notice goes with publishing");
            assert_eq!(
                overview["content"]["attachments"][0]["displayName"],
                "Nytt vedtak"
            );
        } else {
            assert_eq!(history, ["Initialized", "Failed"]);
            assert_eq!(app.count(&notices), 0);
        }
    }
    let existing = body["attachmentIds"][0].as_str().expect("id");
    let (status, sent) = post(
        &app,
        &good,
        &request(json!({
            "id": existing, "sendersReference": "E-1",
            "dataLocationType": "existingCorrespondenceAttachment"
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondence_attachments WHERE attachment_id = '{existing}'"
        )),
        2,
        "reused by the second message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn altinns_refusals_reserved_unknown_and_custom_notice_addresses() {
    let app = TestApp::spawn().await;
    let w = world(&mut app.pool.get().expect("conn"), 2, &[1]);
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let altinn = Spec::altinn();
    let request = |recipient: &str, key: &str| {
        json!({
            "correspondence": {
                "resourceId": "testbrev",
                "sendersReference": key,
                "content": {
                    "language": "nb", "messageTitle": "Brev", "messageSummary": "Kort",
                    "messageBody": "Tekst."
                },
                "notification": {
                    "notificationTemplate": "GenericAltinnMessage",
                    "notificationChannel": "Email"
                }
            },
            "recipients": [recipient]
        })
    };
    let reserved = w.persons[1].1.as_str();
    // One reserved recipient: Altinn's 422 (1030) on the recipient, nothing made.
    let (status, problem) = post(&app, &good, &request(reserved, "R-1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    altinn.check("ProblemDetails", &problem);
    assert_eq!(problem["errorCode"], 1030);
    assert!(problem["errors"]["recipients[0]"].is_array(), "{problem}");
    assert_eq!(app.count("SELECT count(*) AS n FROM correspondences"), 0);
    // ignoreReservation without a reason (Altinn has no such field): sent.
    let mut ignoring = request(reserved, "R-2");
    ignoring["correspondence"]["ignoreReservation"] = Value::Bool(true);
    let (status, sent) = post(&app, &good, &ignoring).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    altinn.check("InitializeCorrespondencesResponseExt", &sent);

    // A recipient that does not exist: 404 as Altinn.
    let (status, problem) = post(&app, &good, &request("0192:974760673", "U-1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    altinn.check("ProblemDetails", &problem);

    // Custom notice addresses: with overrideRegisteredContactInformation only those.
    let mut custom = request(w.persons[0].1.as_str(), "C-1");
    custom["correspondence"]["notification"]["customRecipients"] =
        json!([{ "emailAddress": "saksbehandler@kunde.example" }]);
    custom["correspondence"]["notification"]["overrideRegisteredContactInformation"] =
        Value::Bool(true);
    let (status, sent) = post_to(&app, &good, "/correspondence?melding=true", &custom).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(
        sent["correspondences"][0]["notices"],
        json!([{ "kind": "initial", "channel": "email", "status": "queued" }])
    );
    let id = sent["correspondences"][0]["correspondenceId"]
        .as_str()
        .expect("id");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications WHERE correspondence_id = '{id}' \
             AND state = 'queued' AND address = 'saksbehandler@kunde.example'"
        )),
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications WHERE correspondence_id = '{id}' \
             AND state = 'queued'"
        )),
        1,
        "the registered address is not notified"
    );
    // A party named instead: its registered addresses (here an organisation's official one).
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "INSERT INTO org_notification_addresses (org_id, channel, address) \
             VALUES ({}, 'email', 'post@testetaten.example')",
            w.owner
        )),
        &mut app.pool.get().expect("conn"),
    )
    .expect("official address");
    let mut by_party = custom.clone();
    by_party["correspondence"]["notification"]["customRecipients"] =
        json!([{ "organizationNumber": "974761076" }]);
    by_party["correspondence"]["sendersReference"] = Value::String("C-3".into());
    let (status, sent) = post(&app, &good, &by_party).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let id = sent["correspondences"][0]["correspondenceId"]
        .as_str()
        .expect("id");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications WHERE correspondence_id = '{id}' \
             AND state = 'queued' AND address = 'post@testetaten.example'"
        )),
        1
    );
    let mut two = custom.clone();
    two["correspondence"]["notification"]["customRecipients"] =
        json!([{ "organizationNumber": "974761076", "emailAddress": "a@b.example" }]);
    let (status, problem) = post(&app, &good, &two).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let mut bad = custom.clone();
    bad["correspondence"]["notification"]["customRecipients"] =
        json!([{ "emailAddress": "ikke en adresse" }]);
    bad["correspondence"]["sendersReference"] = Value::String("C-2".into());
    let (status, problem) = post(&app, &good, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errorCode"], 3011);

    // An HTML e-mail body (emailContentType 1 = Html) is kept as its text.
    let mut html = request(w.persons[0].1.as_str(), "H-1");
    html["correspondence"]["notification"] = json!({
        "notificationTemplate": "CustomMessage",
        "notificationChannel": "Email",
        "emailSubject": "Nytt brev",
        "emailBody": "<p>Hei,<br>du har fått <b>brev</b> &amp; svar.</p>",
        "emailContentType": 1
    });
    let (status, sent) = post(&app, &good, &html).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM sendings WHERE email_body = E'Hei,\\ndu har fått brev & svar.'"
        ),
        1
    );

    // The reminder by another channel (Altinn's reminderNotificationChannel, here by number):
    // the first notice by e-mail, the reminder by SMS to the registered mobile.
    let mut by_sms = request(w.persons[0].1.as_str(), "RC-1");
    by_sms["correspondence"]["notification"]["sendReminder"] = Value::Bool(true);
    by_sms["correspondence"]["notification"]["reminderNotificationChannel"] = json!(1);
    let (status, sent) = post(&app, &good, &by_sms).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let id = first_id(&sent);
    let initial: Vec<i64> = {
        use diesel::prelude::*;
        use melding::db::schema::notifications;
        notifications::table
            .filter(notifications::correspondence_id.eq(uuid::Uuid::parse_str(&id).expect("id")))
            .filter(notifications::kind.eq("initial"))
            .select(notifications::id)
            .load(&mut app.pool.get().expect("conn"))
            .expect("initial notices")
    };
    assert_eq!(initial.len(), 1, "one first notice, by e-mail");
    melding::notify::outbox::schedule_reminders(
        &mut app.pool.get().expect("conn"),
        chrono::Utc::now(),
        &initial,
    )
    .expect("reminders");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications WHERE correspondence_id = '{id}' \
             AND kind = 'reminder' AND channel = 'sms' AND address = '+4790000000' AND run_at > now() + interval '6 days'"
        )),
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications WHERE correspondence_id = '{id}' AND kind = 'reminder'"
        )),
        1,
        "no e-mail reminder"
    );

    // Search: from after to is Altinn's 1027; times as .NET reads them.
    let (status, problem, _) = call(
        &app,
        "/correspondence?role=Sender&from=2026-02-01&to=2026-01-01T00:00:00%2B01:00",
        Some(&good),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errorCode"], 1027);
    let (status, list, _) = call(
        &app,
        "/correspondence?role=1&from=2000-01-01&resourceId=testbrev",
        Some(&good),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    altinn.check("CorrespondencesExt", &list);
    assert_eq!(list["ids"].as_array().expect("ids").len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maskinporten_token_is_exchanged_for_one_the_api_takes() {
    let app = TestApp::spawn().await;
    world(&mut app.pool.get().expect("conn"), 1, &[]);
    let maskinporten = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let exchange = |bearer: String| {
        app.client
            .get(app.url("/authentication/api/v1/exchange/maskinporten"))
            .bearer_auth(bearer)
            .send()
    };
    let response = exchange(maskinporten.clone()).await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain")
    );
    let exchanged = response.text().await.expect("the token");
    assert_ne!(exchanged, maskinporten);
    let (status, body, _) = call(&app, "/correspondence", Some(&exchanged)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ids"], json!([]));
    // The Maskinporten token still works directly.
    let (status, _, _) = call(&app, "/correspondence", Some(&maskinporten)).await;
    assert_eq!(status, StatusCode::OK);

    // Refused: a token melding gave (not exchanged twice), a changed one, none.
    let again = exchange(exchanged.clone()).await.expect("request");
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let mut parts: Vec<String> = exchanged.split('.').map(str::to_owned).collect();
    parts[2] = parts[2].chars().rev().collect();
    let forged = parts.join(".");
    let (status, problem, _) = call(&app, "/correspondence", Some(&forged)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let none = app
        .client
        .get(app.url("/authentication/api/v1/exchange/maskinporten"))
        .send()
        .await
        .expect("request");
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
}

/// eFormidling's integration point sends digital post (DPV) with Altinn's multipart form, each
/// field in dot notation as its flattener writes them, to the resource its service registry
/// names for the process; the four processes are shared services every service owner may use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eformidlings_digital_post_goes_to_the_shared_process_services() {
    let app = TestApp::spawn().await;
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    {
        let mut conn = app.pool.get().expect("conn");
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "INSERT INTO parties (kind, org_number, name, org_form) \
                 VALUES ('organization', '991825827', 'Digitaliseringsdirektoratet', 'ORGL')",
            ),
            &mut conn,
        )
        .expect("Digdir");
        let made = melding::access::reference::eformidling_services(&mut conn).expect("services");
        assert_eq!(made, 4);
        let again = melding::access::reference::eformidling_services(&mut conn).expect("again");
        assert_eq!(again, 0, "ready once, left as they are");
    }
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM services WHERE is_shared AND is_confidential \
             AND id = 'eformidling-dpv-taushetsbelagt' AND required_packages = ARRAY['confidential-mail']"
        ),
        1,
        "the confidential process is confidential"
    );
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let altinn = Spec::altinn();
    let pdf = b"%PDF-1.4 vedtak fra eFormidling".to_vec();
    let message_id = "0b9c3f1e-6f5a-4c1d-9a7e-2d4b8c6e1f00";
    let form = |resource: &str, confidential: bool, key: &str| {
        Form::new()
            .text("correspondence.resourceId", resource.to_owned())
            .text("correspondence.sender", "0192:974761076")
            .text("correspondence.sendersReference", key.to_owned())
            .text("correspondence.messageSender", "Testetaten")
            .text(
                "correspondence.requestedPublishTime",
                "2026-01-05T09:30:00.123456+01:00",
            )
            .text("correspondence.isConfirmationNeeded", "false")
            .text("correspondence.isConfidential", confidential.to_string())
            .text("correspondence.content.language", "nb")
            .text("correspondence.content.messageTitle", "Vedtak i saken din")
            .text(
                "correspondence.content.messageSummary",
                "Vedtak i saken din",
            )
            .text("correspondence.content.messageBody", "Se vedlagte vedtak.")
            .text(
                "correspondence.content.attachments[0].fileName",
                "vedtak.pdf",
            )
            .text(
                "correspondence.content.attachments[0].displayName",
                "Vedtak",
            )
            .text("correspondence.content.attachments[0].isEncrypted", "false")
            .text(
                "correspondence.content.attachments[0].sendersReference",
                "AttachmentReference_as123452",
            )
            .text(
                "correspondence.notification.notificationTemplate",
                "GenericAltinnMessage",
            )
            .text("correspondence.notification.notificationChannel", "Email")
            .text("correspondence.notification.sendReminder", "true")
            .text("correspondence.propertyList.senderOrgNumber", "974761076")
            .text(
                "recipients[0]",
                format!(
                    "urn:altinn:person:identifier-no:{}",
                    w.persons[0].1.as_str()
                ),
            )
            .text("idempotentKey", key.to_owned())
            .part(
                "attachments",
                Part::bytes(pdf.clone()).file_name("vedtak.pdf"),
            )
    };
    let upload = |form: Form| {
        app.client
            .post(app.url("/correspondence/api/v1/correspondence/upload"))
            .bearer_auth(&good)
            .multipart(form)
            .send()
    };
    let response = upload(form("eformidling-dpv-vedtak", false, message_id))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    altinn.check("InitializeCorrespondencesResponseExt", &body);
    let id = first_id(&body);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences c JOIN parties p ON p.id = c.sender_id \
             WHERE c.id = '{id}' AND c.service_id = 'eformidling-dpv-vedtak' AND p.org_number = '974761076' \
             AND c.attachment_count = 1 AND c.properties ->> 'senderOrgNumber' = '974761076'"
        )),
        1,
        "the sending owner's message on the shared service"
    );
    let (status, overview, _) = call(&app, &format!("/correspondence/{id}"), Some(&good)).await;
    assert_eq!(status, StatusCode::OK);
    altinn.check("CorrespondenceOverviewExt", &overview);
    assert_eq!(
        overview["content"]["attachments"][0]["displayName"],
        "Vedtak"
    );

    // The confidential process must be named confidential, and then goes.
    let response = upload(form(
        "eformidling-dpv-taushetsbelagt",
        false,
        "0b9c3f1e-6f5a-4c1d-9a7e-2d4b8c6e1f01",
    ))
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = upload(form(
        "eformidling-dpv-taushetsbelagt",
        true,
        "0b9c3f1e-6f5a-4c1d-9a7e-2d4b8c6e1f02",
    ))
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
}
