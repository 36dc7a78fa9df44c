//! Attachments on an S3-compatible bucket instead of local disk: uploaded in parts, downloaded
//! whole, by byte range and as a ZIP, nothing written to the data folder.

use std::io::Read;

use melding::api::token::SCOPE_WRITE;
use melding::config::Mode;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api::{post, send_json, token};
use crate::helpers::TestApp;
use crate::notify::world;
use crate::s3::S3Server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_live_in_the_bucket_and_download_whole_by_range_and_zipped() {
    let s3 = S3Server::start();
    let vars = s3.bucket("attachments").await;
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(Mode::Demo, &vars).await;
    assert!(app.storage.is_shared());
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let sender = token(&app, "974761076", &[SCOPE_WRITE], 5);

    // 20 MiB and a bit: three parts of the streamed write.
    let bytes: Vec<u8> = (0..20 * 1024 * 1024 + 17)
        .map(|i| (i % 251) as u8)
        .collect();
    let (status, id) = send_json(
        &app,
        Method::POST,
        "/attachment",
        &sender,
        Some(&json!({ "fileName": "stor.txt" })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{id}");
    let id = id.as_str().expect("id").to_owned();
    let (status, uploaded) = send_json(
        &app,
        Method::POST,
        &format!("/attachment/{id}/upload"),
        &sender,
        None,
        Some(bytes.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    let key = crate::helpers::text(
        &mut app.pool.get().expect("conn"),
        &format!("SELECT storage_key AS t FROM attachments WHERE id = '{id}'"),
    );
    assert_eq!(
        app.storage.size(&key).await.expect("in the bucket"),
        bytes.len() as u64
    );
    assert!(
        s3.keys("attachments")
            .await
            .iter()
            .any(|k| k.starts_with("melding/")),
        "under the prefix"
    );
    let local = app.data_dir.join("attachments");
    assert!(
        !local.exists() || std::fs::read_dir(&local).expect("dir").next().is_none(),
        "nothing on local disk"
    );

    // Whole, and by byte range.
    let url = app.url(&format!("/correspondence/api/v1/attachment/{id}/download"));
    let whole = app
        .client
        .get(&url)
        .bearer_auth(&sender)
        .send()
        .await
        .expect("download");
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(
        whole.bytes().await.expect("bytes").as_ref(),
        bytes.as_slice()
    );
    let part = app
        .client
        .get(&url)
        .bearer_auth(&sender)
        .header("range", "bytes=10485755-10485764")
        .send()
        .await
        .expect("range");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 10485755-10485764/{}", bytes.len()).as_str()
    );
    assert_eq!(
        part.bytes().await.expect("bytes").as_ref(),
        &bytes[10485755..10485765]
    );
    let beyond = app
        .client
        .get(&url)
        .bearer_auth(&sender)
        .header("range", format!("bytes={}-", bytes.len()))
        .send()
        .await
        .expect("range");
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // Sent, and read by the recipient as a ZIP from the inbox.
    let (status, sent) = post(
        &app,
        &sender,
        &json!({
            "correspondence": {
                "resourceId": "testbrev",
                "sendersReference": "S3-1",
                "content": { "messageTitle": "Stort vedlegg", "messageBody": "Se vedlegget." }
            },
            "recipients": [w.persons[0].1.as_str()],
            "existingAttachments": [id]
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let message = crate::api::first_id(&sent);
    app.login_as(w.persons[0].1.as_str(), "substantial").await;
    let zip = app
        .get(&format!(
            "/inbox/messages/{message}/attachments.zip?party={}",
            w.persons[0].0
        ))
        .await;
    assert_eq!(zip.status(), StatusCode::OK);
    let zip = zip.bytes().await.expect("zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    let mut content = Vec::new();
    archive
        .by_name("stor.txt")
        .expect("the file")
        .read_to_end(&mut content)
        .expect("read");
    assert_eq!(content, bytes);
}
