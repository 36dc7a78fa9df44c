//! Altinn 3 Correspondence's requests as its clients send them, in each binding, and Altinn's
//! answers: shapes (checked against Altinn's own published document), status codes and error
//! numbers.

use md5::Digest;
use melding::api::token::SCOPE_WRITE;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::api::{Spec, call, post, post_to, token};
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
    let id = body["correspondences"][0]["correspondenceId"]
        .as_str()
        .expect("id")
        .to_owned();
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
    let (status, problem) = post(
        &app,
        &good,
        &request(json!({ "fileName": "ny.pdf", "sendersReference": "N-1", "dataLocationType": 0 })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errorCode"], 1005);
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
    let mut bad = custom.clone();
    bad["correspondence"]["notification"]["customRecipients"] =
        json!([{ "emailAddress": "ikke en adresse" }]);
    bad["correspondence"]["sendersReference"] = Value::String("C-2".into());
    let (status, problem) = post(&app, &good, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errorCode"], 3011);

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
    assert_eq!(list["ids"].as_array().expect("ids").len(), 2);
}
