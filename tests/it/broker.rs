//! Formidling through the Broker API, as Altinn 3 Broker's clients use it, on local disk and on
//! an S3-compatible bucket: the service owner sets a file-transfer service's limits; a sender
//! system initializes and uploads (streamed, in one multipart request, resumable with TUS after
//! an upload broke off); recipient systems find, download (by range too) and confirm; the worker
//! purges after the last confirmation and the grace period, and expires what nobody confirmed.

use std::sync::Arc;

use chrono::{Duration, Utc};
use melding::api::broker::{SCOPE_BROKER_READ, SCOPE_BROKER_WRITE};
use melding::api::token::SCOPE_WRITE;
use melding::config::Mode;
use melding::notify::{ManualClock, Settings};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::{Spec, token};
use crate::api_recipient::{form, organisation};
use crate::helpers::{TestApp, text};
use crate::notify::world;
use crate::s3::S3Server;

const OWNER: &str = "974761076";

/// A Broker API call; the status, the JSON answer (or null) and the headers.
async fn broker(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    json: Option<&Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .request(method, app.url(&format!("/broker/api/v1{path}")))
        .bearer_auth(token);
    if let Some(json) = json {
        request = request.json(json);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn upload(app: &TestApp, token: &str, id: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/broker/api/v1/filetransfer/{id}/upload")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn download(app: &TestApp, token: &str, id: &str, range: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .get(app.url(&format!("/broker/api/v1/filetransfer/{id}/download")))
        .bearer_auth(token);
    if let Some(range) = range {
        request = request.header("range", range);
    }
    request.send().await.expect("download")
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    format!("{:x}", md5::Md5::digest(bytes))
}

fn status_of(app: &TestApp, id: &str) -> String {
    text(
        &mut app.pool.get().expect("conn"),
        &format!(
            "SELECT status || coalesce(' (' || status_detail || ')', '') AS t FROM file_transfers WHERE id = '{id}'"
        ),
    )
}

/// The worker, with a clock the test moves, purging what is due.
async fn purge_at(app: &TestApp, at: chrono::DateTime<Utc>) -> usize {
    let pool = app.pool.clone();
    let storage = app.storage.clone();
    tokio::task::spawn_blocking(move || {
        let mut settings = Settings::new("https://melding.example");
        settings.storage = Some(storage);
        let worker =
            crate::helpers::capture_worker(&pool, Arc::new(ManualClock::new(at)), settings);
        worker.drain().expect("drain").purged
    })
    .await
    .expect("join")
}

async fn initialize(app: &TestApp, token: &str, request: &Value) -> String {
    let (status, answer) = broker(app, Method::POST, "/filetransfer", token, Some(request)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    Spec::altinn_broker().check("FileTransferInitializeResponseExt", &answer);
    answer["fileTransferId"].as_str().expect("id").to_owned()
}

/// The whole story, on the app's storage (local disk or a bucket).
async fn file_transfers_from_initialize_to_purge(app: TestApp) {
    let altinn = Spec::altinn_broker();
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let (a, a_no) = organisation(&app, 92000001, "Mottaker AS");
    let (_, b_no) = organisation(&app, 92000002, "Annen mottaker AS");
    let (_, firm_no) = organisation(&app, 92000003, "Regnskap AS");
    let (_, stranger_no) = organisation(&app, 92000004, "Fremmed AS");
    {
        use diesel::connection::SimpleConnection;
        app.pool
            .get()
            .expect("conn")
            .batch_execute(&format!(
                "INSERT INTO er_roles (person_id, org_id, role_code) VALUES ({}, {a}, 'DAGL')",
                w.persons[0].0
            ))
            .expect("role");
    }
    let owner = token(&app, OWNER, &[SCOPE_BROKER_WRITE], 10);
    let a_sys = token(&app, &a_no, &[SCOPE_BROKER_READ], 10);
    let b_sys = token(&app, &b_no, &[SCOPE_BROKER_READ], 10);
    let firm = token(&app, &firm_no, &[SCOPE_BROKER_READ], 10);
    let stranger = token(
        &app,
        &stranger_no,
        &[SCOPE_BROKER_READ, SCOPE_BROKER_WRITE],
        10,
    );

    // The owner sets up the service; limits are checked as Altinn checks them.
    let (status, body) = broker(
        &app,
        Method::PUT,
        "/resource/filedeling",
        &owner,
        Some(
            &json!({ "MaxFileTransferSize": 50 * 1024 * 1024, "fileTransferTimeToLive": "P2D",
                      "purgeFileTransferGracePeriod": "PT1H" }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, resource) = broker(&app, Method::GET, "/resource/filedeling", &owner, None).await;
    assert_eq!(status, StatusCode::OK);
    altinn.check("ResourceExt", &resource);
    assert_eq!(
        (
            resource["maxFileTransferSize"].as_i64(),
            resource["fileTransferTimeToLive"].as_str(),
            resource["purgeFileTransferGracePeriod"].as_str()
        ),
        (Some(50 * 1024 * 1024), Some("P2D"), Some("PT1H"))
    );
    for (ttl, code) in [("P400D", 15), ("soon", 14)] {
        let (status, body) = broker(
            &app,
            Method::PUT,
            "/resource/filedeling",
            &owner,
            Some(&json!({ "fileTransferTimeToLive": ttl })),
        )
        .await;
        assert_eq!(
            (status, body["errorCode"].as_u64()),
            (StatusCode::BAD_REQUEST, Some(code))
        );
    }
    let (status, _) = broker(
        &app,
        Method::PUT,
        "/resource/filedeling",
        &stranger,
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only a service owner");
    let (status, owner_view) = broker(&app, Method::GET, "/serviceowner", &owner, None).await;
    assert_eq!(status, StatusCode::OK);
    altinn.check("ServiceOwnerOverviewExt", &owner_view);
    let setup = json!({ "name": "Testetaten", "deletionTime": "P30D" });
    let (status, _) = broker(&app, Method::POST, "/serviceowner", &owner, Some(&setup)).await;
    assert_eq!(status, StatusCode::CONFLICT, "set up already");
    let (status, _) = broker(&app, Method::POST, "/serviceowner", &stranger, Some(&setup)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "service owners are registered by the operator"
    );
    let (status, _) = broker(&app, Method::GET, "/serviceowner", &stranger, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A mail service is not a file-transfer service.
    let (status, _) = broker(
        &app,
        Method::PUT,
        "/resource/testbrev",
        &owner,
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Initialize: names in any case; refusals as Altinn answers them.
    let bytes: Vec<u8> = (0..3 * 1024 * 1024 + 5)
        .map(|i| (i * 7 % 256) as u8)
        .collect();
    let request = json!({
        "FileName": "rapport.xml", "resourceId": "filedeling", "sender": format!("0192:{OWNER}"),
        "recipients": [format!("0192:{a_no}"), b_no], "sendersFileTransferReference": "ref-1",
        "propertyList": { "saksnummer": "2026/1" }, "checksum": md5_hex(&bytes)
    });
    let mail = token(&app, OWNER, &[SCOPE_WRITE], 10);
    let (status, _) = broker(&app, Method::POST, "/filetransfer", &mail, Some(&request)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the broker scope is needed");
    let mut as_other = request.clone();
    as_other["sender"] = json!(format!("0192:{a_no}"));
    let (status, body) = broker(&app, Method::POST, "/filetransfer", &owner, Some(&as_other)).await;
    assert_eq!(
        (status, body["errorCode"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some(6))
    );
    let mut unknown = request.clone();
    unknown["recipients"] = json!(["0192:999999999", "123"]);
    let (status, body) = broker(&app, Method::POST, "/filetransfer", &owner, Some(&unknown)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["recipients"].is_array(), "{body}");
    let mut wrong_service = request.clone();
    wrong_service["resourceId"] = json!("testbrev");
    let (status, body) = broker(
        &app,
        Method::POST,
        "/filetransfer",
        &owner,
        Some(&wrong_service),
    )
    .await;
    assert_eq!(
        (status, body["errorCode"].as_u64()),
        (StatusCode::FORBIDDEN, Some(5))
    );

    // A checksum that does not match fails the upload.
    let failing = initialize(&app, &owner, &request).await;
    let (status, body) = upload(&app, &owner, &failing, b"not the file".to_vec()).await;
    assert_eq!(
        (status, body["errorCode"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(9))
    );
    assert_eq!(status_of(&app, &failing), "Failed (checksum mismatch)");

    // The file, streamed: published; a second upload is 409.
    let id = initialize(&app, &owner, &request).await;
    let status = download(&app, &a_sys, &id, None).await.status();
    assert_eq!(status, StatusCode::FORBIDDEN, "not uploaded yet");
    let (status, uploaded) = upload(&app, &owner, &id, bytes.clone()).await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    altinn.check("FileTransferUploadResponseExt", &uploaded);
    let (status, _) = upload(&app, &owner, &id, bytes.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, overview) = broker(
        &app,
        Method::GET,
        &format!("/filetransfer/{id}"),
        &owner,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    altinn.check("FileTransferOverviewExt", &overview);
    assert_eq!(overview["fileTransferStatus"], "Published");
    assert_eq!(
        overview["fileTransferSize"].as_u64(),
        Some(bytes.len() as u64)
    );
    assert_eq!(overview["propertyList"]["saksnummer"], "2026/1");
    assert_eq!(overview["recipients"].as_array().map(Vec::len), Some(2));

    // Who sees it: the sender's and the recipients' systems; nobody else, not even its id.
    for (who, sees) in [
        (&a_sys, true),
        (&b_sys, true),
        (&firm, false),
        (&stranger, false),
    ] {
        let (status, _) =
            broker(&app, Method::GET, &format!("/filetransfer/{id}"), who, None).await;
        assert_eq!(status == StatusCode::OK, sees);
        let (_, ids) = broker(
            &app,
            Method::GET,
            "/filetransfer?resourceId=filedeling",
            who,
            None,
        )
        .await;
        assert_eq!(
            ids.as_array()
                .is_some_and(|l| l.iter().any(|i| i == id.as_str())),
            sees,
            "{ids}"
        );
    }
    let status = download(&app, &stranger, &id, None).await.status();
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Confirming before downloading is refused; the download by range, then whole.
    let (status, body) = broker(
        &app,
        Method::POST,
        &format!("/filetransfer/{id}/confirmdownload"),
        &a_sys,
        None,
    )
    .await;
    assert_eq!(
        (status, body["errorCode"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(19))
    );
    let part = download(&app, &a_sys, &id, Some("bytes=1048570-1048579")).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.bytes().await.expect("bytes").as_ref(),
        &bytes[1048570..1048580]
    );
    let whole = download(&app, &a_sys, &id, None).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert!(
        whole.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("rapport.xml")
    );
    assert_eq!(
        whole.bytes().await.expect("bytes").as_ref(),
        bytes.as_slice()
    );
    let (status, _) = broker(
        &app,
        Method::POST,
        &format!("/filetransfer/{id}/confirmdownload"),
        &a_sys,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, ids) = broker(
        &app,
        Method::GET,
        "/filetransfer?resourceId=filedeling&recipientStatus=DownloadConfirmed",
        &a_sys,
        None,
    )
    .await;
    assert_eq!(ids, json!([id]));
    let (_, ids) = broker(
        &app,
        Method::GET,
        "/filetransfer?resourceId=filedeling&status=7",
        &owner,
        None,
    )
    .await;
    assert_eq!(ids, json!([failing]), "status by number (7: Failed)");

    // The other recipient's system, given access by the recipient's administrator on the
    // access page, downloads for it; the last confirmation makes it AllConfirmedDownloaded.
    app.login_as(w.persons[0].1.as_str(), "substantial").await;
    let (status, _) = broker(
        &app,
        Method::GET,
        &format!("/filetransfer/{id}"),
        &firm,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = form(
        &app,
        &format!("/access/{a}/systems/grant"),
        &[
            ("org_number", &firm_no),
            ("system_what", "service:filedeling"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let firm_download = download(&app, &firm, &id, None).await;
    assert_eq!(firm_download.status(), StatusCode::OK);
    let b_download = download(&app, &b_sys, &id, None).await;
    assert_eq!(b_download.bytes().await.expect("bytes").len(), bytes.len());
    let (status, _) = broker(
        &app,
        Method::POST,
        &format!("/filetransfer/{id}/confirmdownload"),
        &b_sys,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, details) = broker(
        &app,
        Method::GET,
        &format!("/filetransfer/{id}/details"),
        &owner,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    altinn.check("FileTransferStatusDetailsExt", &details);
    assert_eq!(details["fileTransferStatus"], "AllConfirmedDownloaded");
    let history: Vec<&str> = details["fileTransferStatusHistory"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["fileTransferStatus"].as_str())
        .collect();
    assert_eq!(
        history,
        [
            "Initialized",
            "UploadStarted",
            "UploadProcessing",
            "Published",
            "AllConfirmedDownloaded"
        ]
    );
    let recipient_history = details["recipientFileTransferStatusHistory"]
        .as_array()
        .expect("history");
    assert_eq!(
        recipient_history.len(),
        6,
        "initialized, started and confirmed for each: {details}"
    );

    // The worker purges it when the grace period has passed, not before.
    let key = text(
        &mut app.pool.get().expect("conn"),
        &format!("SELECT storage_key AS t FROM file_transfer_segments WHERE transfer_id = '{id}'"),
    );
    assert_eq!(purge_at(&app, Utc::now() + Duration::minutes(30)).await, 0);
    assert_eq!(app.storage.size(&key).await.ok(), Some(bytes.len() as u64));
    assert_eq!(purge_at(&app, Utc::now() + Duration::minutes(61)).await, 1);
    assert_eq!(status_of(&app, &id), "Purged (every recipient confirmed)");
    assert!(app.storage.size(&key).await.is_err(), "the object is gone");
    let status = download(&app, &a_sys, &id, None).await.status();
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Resumable: an upload broken off midway resumes where the server says it stands.
    let big: Vec<u8> = (0..6 * 1024 * 1024).map(|i| (i * 13 % 251) as u8).collect();
    let mut tus_request = request.clone();
    tus_request["checksum"] = json!(md5_hex(&big));
    tus_request["recipients"] = json!([a_no]);
    let resumable = initialize(&app, &owner, &tus_request).await;
    let tus_url = app.url(&format!(
        "/broker/api/v1/filetransfer/upload/tus/{resumable}"
    ));
    let created = app
        .client
        .post(&tus_url)
        .bearer_auth(&owner)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", big.len().to_string())
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["upload-offset"], "0");
    let old = app
        .client
        .post(&tus_url)
        .bearer_auth(&owner)
        .header("Tus-Resumable", "0.2.2")
        .header("Upload-Length", "10")
        .send()
        .await
        .expect("old version");
    assert_eq!(old.status(), StatusCode::PRECONDITION_FAILED);
    // The first chunk stream breaks off after 2 MiB and a bit.
    let cut = 2 * 1024 * 1024 + 123;
    let first = big[..cut].to_vec();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(first), Err(std::io::Error::other("the line went down"))];
    let broken = app
        .client
        .patch(&tus_url)
        .bearer_auth(&owner)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Content-Length", big.len().to_string())
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await;
    assert!(broken.is_err() || !broken.expect("answer").status().is_success());
    // What the server kept is what it says it has.
    let mut offset = 0;
    for _ in 0..50 {
        let head = app
            .client
            .head(&tus_url)
            .bearer_auth(&owner)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .expect("head");
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(
            head.headers()["upload-length"],
            big.len().to_string().as_str()
        );
        offset = head.headers()["upload-offset"]
            .to_str()
            .expect("offset")
            .parse::<usize>()
            .expect("n");
        if offset > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(offset > 0 && offset <= cut, "kept {offset} of {cut}");
    let wrong = app
        .client
        .patch(&tus_url)
        .bearer_auth(&owner)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(big[..10].to_vec())
        .send()
        .await
        .expect("wrong offset");
    assert_eq!(wrong.status(), StatusCode::CONFLICT);
    let rest = app
        .client
        .patch(&tus_url)
        .bearer_auth(&owner)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(big[offset..].to_vec())
        .send()
        .await
        .expect("rest");
    assert_eq!(rest.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        rest.headers()["upload-offset"],
        big.len().to_string().as_str()
    );
    assert_eq!(status_of(&app, &resumable), "Published");
    let got = download(&app, &a_sys, &resumable, None)
        .await
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(md5_hex(&got), md5_hex(&big), "the same checksum at the end");
    let across = download(
        &app,
        &a_sys,
        &resumable,
        Some(&format!("bytes={}-{}", offset - 5, offset + 4)),
    )
    .await;
    assert_eq!(
        across.bytes().await.expect("bytes").as_ref(),
        &big[offset - 5..offset + 5],
        "a range across two chunks"
    );

    // A resumable upload given up: the transfer is cancelled and its bytes removed.
    let options = app
        .client
        .request(Method::OPTIONS, &tus_url)
        .send()
        .await
        .expect("options");
    assert_eq!(options.headers()["tus-extension"], "creation,termination");
    let given_up = initialize(&app, &owner, &tus_request).await;
    let given_up_url = app.url(&format!(
        "/broker/api/v1/filetransfer/upload/tus/{given_up}"
    ));
    let tus = |method: Method| {
        app.client
            .request(method, &given_up_url)
            .bearer_auth(&owner)
            .header("Tus-Resumable", "1.0.0")
    };
    let created = tus(Method::POST)
        .header("Upload-Length", big.len().to_string())
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED);
    let part = tus(Method::PATCH)
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(big[..1000].to_vec())
        .send()
        .await
        .expect("part");
    assert_eq!(part.headers()["upload-offset"], "1000");
    let wrong_type = tus(Method::PATCH)
        .header("Upload-Offset", "1000")
        .body(big[1000..2000].to_vec())
        .send()
        .await
        .expect("wrong type");
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let gone = tus(Method::DELETE).send().await.expect("terminate");
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(status_of(&app, &given_up), "Cancelled (upload terminated)");
    assert_eq!(
        crate::helpers::count(
            &mut app.pool.get().expect("conn"),
            &format!(
                "SELECT count(*) AS n FROM file_transfer_segments WHERE transfer_id = '{given_up}'"
            ),
        ),
        0
    );
    let head = tus(Method::HEAD).send().await.expect("head");
    assert_eq!(head.status(), StatusCode::NOT_FOUND, "nothing to resume");

    // Initialize and upload in one multipart form, with Altinn's field names.
    let small = b"<rapport/>".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("Metadata.FileName", "liten.xml")
        .text("Metadata.ResourceId", "filedeling")
        .text("Metadata.Sender", format!("0192:{OWNER}"))
        .text("Metadata.Recipients", a_no.clone())
        .text("Metadata.PropertyList[kilde]", "skjema")
        .text("Metadata.Checksum", md5_hex(&small))
        .part(
            "FileTransfer",
            reqwest::multipart::Part::bytes(small.clone()).file_name("liten.xml"),
        );
    let response = app
        .client
        .post(app.url("/broker/api/v1/filetransfer/upload"))
        .bearer_auth(&owner)
        .multipart(form)
        .send()
        .await
        .expect("multipart");
    assert_eq!(response.status(), StatusCode::OK);
    let one_go: Value = response.json().await.expect("id");
    let one_go = one_go.as_str().expect("the id as a string").to_owned();
    assert_eq!(status_of(&app, &one_go), "Published");
    let (_, overview) = broker(
        &app,
        Method::GET,
        &format!("/filetransfer/{one_go}"),
        &a_sys,
        None,
    )
    .await;
    assert_eq!(overview["propertyList"]["kilde"], "skjema");

    // Nobody confirms: the time to live ends, the transfer is purged and it is recorded that
    // the recipient never confirmed.
    assert!(purge_at(&app, Utc::now() + Duration::days(3)).await >= 2);
    let status = status_of(&app, &one_go);
    assert!(
        status.starts_with("Purged (expired: 1 recipient(s) never"),
        "{status}"
    );
    assert_eq!(
        crate::helpers::count(
            &mut app.pool.get().expect("conn"),
            &format!(
                "SELECT count(*) AS n FROM file_transfer_events WHERE transfer_id = '{one_go}' AND event_type = 'fileNeverConfirmedDownloaded'"
            ),
        ),
        1
    );
    assert_eq!(
        crate::helpers::count(
            &mut app.pool.get().expect("conn"),
            "SELECT count(*) AS n FROM file_transfer_segments",
        ),
        0,
        "no stored bytes left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_transfers_on_local_disk() {
    file_transfers_from_initialize_to_purge(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_transfers_on_an_s3_bucket() {
    let s3 = S3Server::start();
    let vars = s3.bucket("transfers").await;
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(Mode::Demo, &vars).await;
    assert!(app.storage.is_shared());
    file_transfers_from_initialize_to_purge(app).await;
    assert!(
        s3.keys("transfers").await.is_empty(),
        "every object purged from the bucket"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_see_file_transfers_and_the_owner_sets_up_a_service_with_a_form() {
    use melding::auth::demo_idp::personas::{MUNICIPAL_ADMIN, SENDER};
    let app = TestApp::spawn().await;
    app.seed_demo();
    let owner = text(
        &mut app.pool.get().expect("conn"),
        "SELECT party_id::text AS t FROM service_owners WHERE short_name = 'skatteetaten'",
    );
    let owner_no = text(
        &mut app.pool.get().expect("conn"),
        &format!("SELECT org_number AS t FROM parties WHERE id = {owner}"),
    );

    // The service owner's staff see the services and the transfers with each recipient.
    app.login_as(SENDER.national_id().as_str(), "substantial")
        .await;
    let page = app
        .get(&format!("/admin/transfers?owner={owner}"))
        .await
        .text()
        .await
        .expect("page");
    for expected in [
        "Innrapportering av filer",
        "a-melding-2026-11.xml",
        "Nordmann Rørlegger AS",
        "Fjellvik kommune: lastet ned, ikke bekreftet",
        "Klar til nedlasting",
        "Lastet ned av alle",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }

    // The events page shows the owner's systems' subscriptions (the demo's keeps failing).
    let page = app
        .get(&format!("/admin/events?owner={owner}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("https://arkiv.skatteetaten.example/hendelser"),
        "{page}"
    );
    assert!(
        page.contains("Stoppet: mottakeren feilet gang på gang"),
        "{page}"
    );

    // The form: problems next to their fields, nothing saved; then saved.
    let (status, page) = form(
        &app,
        &format!("/admin/transfers/services?owner={owner}"),
        &[
            ("id", "Ikke gyldig"),
            ("title_nb", ""),
            ("title_nn", "Statistikk"),
            ("title_en", "Statistics"),
            ("senders", "any"),
            ("recipients", "owner"),
            ("max_megabytes", "0"),
            ("ttl_days", "400"),
            ("grace_hours", "2"),
            ("packages", "no-such-package"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["id", "title_nb", "max_megabytes", "ttl_days", "packages"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: {page}"
        );
    }
    assert!(page.contains("error-summary"));
    let (status, _) = form(
        &app,
        &format!("/admin/transfers/services?owner={owner}"),
        &[
            ("id", "statistikk-filer"),
            ("title_nb", "Statistikkfiler"),
            ("title_nn", "Statistikkfiler"),
            ("title_en", "Statistics files"),
            ("senders", "any"),
            ("recipients", "owner"),
            ("max_megabytes", "100"),
            ("ttl_days", "10"),
            ("grace_hours", "0"),
            ("purge", "1"),
            ("packages", "ordinary-mail"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = app
        .get(&format!(
            "/admin/transfers/services/statistikk-filer?owner={owner}"
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("value=\"Statistics files\""), "{page}");
    assert!(
        page.contains("id=\"recipients-owner\" name=\"recipients\" value=\"owner\" checked"),
        "{page}"
    );
    assert!(page.contains("value=\"ordinary-mail\" checked"), "{page}");
    // The service works through the API at once, with what the form said.
    let client = token(&app, &owner_no, &[SCOPE_BROKER_WRITE], 10);
    let (status, resource) = broker(
        &app,
        Method::GET,
        "/resource/statistikk-filer",
        &client,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            resource["maxFileTransferSize"].as_i64(),
            resource["fileTransferTimeToLive"].as_str()
        ),
        (Some(100 * 1024 * 1024), Some("P10D"))
    );
    // Only the owner receives with it.
    let nordmann = text(
        &mut app.pool.get().expect("conn"),
        "SELECT org_number AS t FROM parties WHERE name = 'Nordmann Rørlegger AS'",
    );
    let (status, _) = broker(
        &app,
        Method::POST,
        "/filetransfer",
        &client,
        Some(
            &json!({ "fileName": "s.csv", "resourceId": "statistikk-filer",
                      "sender": format!("0192:{owner_no}"), "recipients": [nordmann] }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A mail service's id cannot be taken, and a mail service is not edited here.
    let (status, page) = form(
        &app,
        &format!("/admin/transfers/services?owner={owner}"),
        &[
            ("id", "skatt-skattemelding"),
            ("title_nb", "A"),
            ("title_nn", "A"),
            ("title_en", "A"),
            ("senders", "owner"),
            ("recipients", "any"),
            ("max_megabytes", "1"),
            ("ttl_days", "1"),
            ("grace_hours", "0"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"id-error\""), "{page}");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM services WHERE id = 'skatt-skattemelding' AND kind = 'correspondence'"),
        1
    );

    // The recipient's main administrator sees what was sent to the organisation.
    let admin = app.second_user();
    admin
        .login_as(MUNICIPAL_ADMIN.national_id().as_str(), "substantial")
        .await;
    let fjellvik = text(
        &mut app.pool.get().expect("conn"),
        "SELECT id::text AS t FROM parties WHERE name = 'Fjellvik kommune'",
    );
    let page = admin
        .get(&format!("/access/{fjellvik}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Filoverføringer til organisasjonen"),
        "{page}"
    );
    assert!(page.contains("skattelister-fjellvik.csv"), "{page}");
    assert!(page.contains("lastet ned, ikke bekreftet"), "{page}");
}
