//! Several nodes against one database and one S3-compatible bucket, as real processes with no
//! shared data folder: two web nodes behind one public address and two `melding worker`
//! processes, under a stream of sends through the API. A session made on one web node is valid
//! on the other; a file uploaded through one is downloaded through the other; a web node and a
//! worker are killed (SIGKILL) midway, and nothing is lost: every accepted message is there,
//! every notice reaches the SMTP server, and a notice goes twice only when the worker that held
//! it died.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use melding::api::broker::{SCOPE_BROKER_READ, SCOPE_BROKER_WRITE};
use melding::api::token::{SCOPE_WRITE, claims};
use melding::auth::keys::SigningKey;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestDb, count, login};
use crate::notify::{SmsStub, SmtpSink, free_port, header, world};

/// Child processes killed however the test ends.
struct Nodes(Vec<Child>);

impl Nodes {
    fn kill(&mut self, i: usize) {
        let _ = self.0[i].kill();
        let _ = self.0[i].wait();
    }

    fn alive(&mut self, i: usize) -> bool {
        self.0[i].try_wait().map(|s| s.is_none()).unwrap_or(false)
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn melding(args: &[&str], env: &[(&str, String)]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_melding"));
    command
        .args(args)
        .env("MELDING_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().expect("melding starts")
}

async fn ready(client: &reqwest::Client, base: &str, nodes: &mut Nodes, i: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(r) = client.get(format!("{base}/health/ready")).send().await
            && r.status() == StatusCode::OK
        {
            return;
        }
        assert!(nodes.alive(i), "node {i} exited");
        assert!(Instant::now() < deadline, "node {i} did not become ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_web_nodes_and_two_workers_share_sessions_send_each_notice_once_and_survive_a_killed_node()
 {
    const SENDS: usize = 40;
    const PER_SEND: usize = 10;
    let db = TestDb::migrated();
    let pool = melding::db::pool(&db.url, 4).expect("pool");
    let w = world(&mut pool.get().expect("conn"), PER_SEND * 4, &[]);
    let sink = SmtpSink::start();
    let stub = SmsStub::start();
    // Each node its own data folder; the files in one bucket.
    let data_a = std::env::temp_dir().join(format!("melding-nodes-a-{}", db.name));
    let data_b = std::env::temp_dir().join(format!("melding-nodes-b-{}", db.name));
    for dir in [&data_a, &data_b] {
        std::fs::create_dir_all(dir).expect("data dir");
    }
    let s3 = crate::s3::S3Server::start();
    let bucket = s3.bucket("nodes").await;
    let (port_a, port_b) = (free_port(), free_port());
    // Behind one public address (a load balancer's): node A's, where the login flow returns.
    let public = format!("http://127.0.0.1:{port_a}");
    let common = |bind: u16, data: &std::path::Path| {
        let mut env = vec![
            ("DATABASE_URL", db.url.clone()),
            ("MELDING_BIND", format!("127.0.0.1:{bind}")),
            ("MELDING_PUBLIC_URL", public.clone()),
            ("MELDING_DATA_DIR", data.to_string_lossy().into_owned()),
            ("MELDING_SESSION_KEY", "cd".repeat(32)),
            ("MELDING_WORKER", "false".to_owned()),
            ("MELDING_HTTP_WORKERS", "2".to_owned()),
            ("MELDING_DB_POOL_SIZE", "4".to_owned()),
        ];
        env.extend(bucket.iter().cloned());
        env
    };
    let worker_env = |bind: u16| {
        vec![
            ("DATABASE_URL", db.url.clone()),
            ("MELDING_BIND", format!("127.0.0.1:{bind}")),
            ("MELDING_PUBLIC_URL", "https://melding.example".to_owned()),
            (
                "MELDING_SMTP_URL",
                format!("smtp://127.0.0.1:{}", sink.port),
            ),
            (
                "MELDING_MAIL_FROM",
                "melding <noreply@melding.example>".to_owned(),
            ),
            ("MELDING_SMS_URL", stub.url.clone()),
            ("MELDING_SMS_TOKEN", "gateway-token".to_owned()),
            ("MELDING_WORKER_BATCH", "20".to_owned()),
            ("MELDING_WORKER_CONCURRENCY", "4".to_owned()),
            ("MELDING_WORKER_LEASE_SECONDS", "3".to_owned()),
        ]
        .into_iter()
        .chain(bucket.iter().cloned())
        .collect::<Vec<_>>()
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    let base_a = public.clone();
    let base_b = format!("http://127.0.0.1:{port_b}");

    // Node A first (it migrates and makes the demo issuer's key), then B with the same key (the
    // demo issuer's, as a production node has the Maskinporten issuer's address).
    let mut nodes = Nodes(vec![melding(
        &["demo", "--size", "none"],
        &common(port_a, &data_a),
    )]);
    ready(&client, &base_a, &mut nodes, 0).await;
    std::fs::copy(
        data_a.join("demo-idp-key.pem"),
        data_b.join("demo-idp-key.pem"),
    )
    .expect("the demo issuer's key");
    nodes.0.push(melding(
        &["demo", "--size", "none"],
        &common(port_b, &data_b),
    ));
    ready(&client, &base_b, &mut nodes, 1).await;

    // A session made through node A is valid on node B (cookies know hosts, not ports).
    login(&client, &base_a, w.persons[0].1.as_str(), "substantial").await;
    for base in [&base_a, &base_b] {
        let response = client
            .get(format!("{base}/inbox"))
            .send()
            .await
            .expect("inbox");
        assert_eq!(response.status(), StatusCode::OK, "{base}");
    }

    // Two workers.
    let (metrics_1, metrics_2) = (free_port(), free_port());
    nodes.0.push(melding(&["worker"], &worker_env(metrics_1)));
    nodes.0.push(melding(&["worker"], &worker_env(metrics_2)));

    // Sends through the API, alternating between the web nodes; node A is killed halfway,
    // worker 1 as soon as mail is flowing.
    let key = SigningKey::from_file(&data_a.join("demo-idp-key.pem"), None).expect("key");
    let token = key
        .sign_jwt(&claims(
            &format!("{public}/demo-idp"),
            &public,
            "974761076",
            &[SCOPE_WRITE, SCOPE_BROKER_WRITE, SCOPE_BROKER_READ],
            10,
        ))
        .expect("token");

    // A file uploaded through node B is downloaded through node A: the bytes are in the bucket.
    let file: Vec<u8> = (0..9 * 1024 * 1024 + 1).map(|i| (i % 241) as u8).collect();
    let response = client
        .put(format!("{base_a}/broker/api/v1/resource/filer"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .expect("resource");
    assert_eq!(response.status(), StatusCode::OK);
    let initialized: serde_json::Value = client
        .post(format!("{base_b}/broker/api/v1/filetransfer"))
        .bearer_auth(&token)
        .json(
            &json!({ "fileName": "del.bin", "resourceId": "filer", "sender": "0192:974761076",
                       "recipients": ["0192:974761076"] }),
        )
        .send()
        .await
        .expect("initialize")
        .json()
        .await
        .expect("json");
    let transfer = initialized["fileTransferId"]
        .as_str()
        .expect("id")
        .to_owned();
    let response = client
        .post(format!(
            "{base_b}/broker/api/v1/filetransfer/{transfer}/upload"
        ))
        .bearer_auth(&token)
        .header("content-type", "application/octet-stream")
        .body(file.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::OK);
    let downloaded = client
        .get(format!(
            "{base_a}/broker/api/v1/filetransfer/{transfer}/download"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("download");
    assert_eq!(downloaded.status(), StatusCode::OK);
    assert_eq!(
        downloaded.bytes().await.expect("bytes").as_ref(),
        file.as_slice()
    );
    for data in [&data_a, &data_b] {
        let local = data.join("attachments");
        assert!(
            !local.exists() || std::fs::read_dir(&local).expect("dir").next().is_none(),
            "no file on a node's disk"
        );
    }
    let recipients: Vec<String> = w
        .persons
        .iter()
        .map(|(_, n)| n.as_str().to_owned())
        .collect();
    let mut accepted: Vec<String> = Vec::new();
    let mut killed_worker = false;
    for i in 0..SENDS {
        if i == SENDS / 2 {
            nodes.kill(0);
        }
        if !killed_worker && !sink.messages().is_empty() {
            nodes.kill(2);
            killed_worker = true;
        }
        let base = if i % 2 == 0 && nodes.alive(0) {
            &base_a
        } else {
            &base_b
        };
        let chosen: Vec<&String> = recipients
            .iter()
            .cycle()
            .skip(i * PER_SEND)
            .take(PER_SEND)
            .collect();
        let response = client
            .post(format!("{base}/correspondence/api/v1/correspondence"))
            .bearer_auth(&token)
            .json(&json!({
                "correspondence": {
                    "resourceId": w.service,
                    "sendersReference": format!("node-{i}"),
                    "content": { "messageTitle": "Til alle", "messageBody": "Tekst." },
                    "notification": { "notificationChannel": "Email" }
                },
                "recipients": chosen
            }))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK, "send {i} via {base}");
        let body: serde_json::Value = response.json().await.expect("json");
        for c in body["correspondences"].as_array().expect("list") {
            accepted.push(c["correspondenceId"].as_str().expect("id").to_owned());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !killed_worker {
        nodes.kill(2);
    }
    assert_eq!(accepted.len(), SENDS * PER_SEND);

    // The session still holds on the node left.
    let response = client
        .get(format!("{base_b}/inbox"))
        .send()
        .await
        .expect("inbox");
    assert_eq!(response.status(), StatusCode::OK);

    // Every accepted message is there, and every notice reaches the SMTP server.
    let mut conn = pool.get().expect("conn");
    let stored = count(
        &mut conn,
        &format!(
            "SELECT count(*) AS n FROM correspondences WHERE id::text IN ({})",
            accepted
                .iter()
                .map(|id| format!("'{id}'"))
                .collect::<Vec<_>>()
                .join(",")
        ),
    );
    assert_eq!(stored as usize, accepted.len(), "nothing accepted is lost");
    let notices = count(
        &mut conn,
        "SELECT count(*) AS n FROM notifications WHERE kind = 'initial'",
    ) as usize;
    assert_eq!(notices, SENDS * PER_SEND);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let sent = count(
            &mut conn,
            "SELECT count(*) AS n FROM notifications WHERE kind = 'initial' AND state = 'sent'",
        ) as usize;
        if sent == notices {
            break;
        }
        assert!(nodes.alive(3), "worker 2 exited");
        assert!(
            Instant::now() < deadline,
            "only {sent} of {notices} notices sent"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mails = sink.messages();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for mail in &mails {
        let id = header(mail, "Message-ID").expect("a Message-ID").to_owned();
        *by_id.entry(id).or_default() += 1;
    }
    assert_eq!(by_id.len(), notices, "every notice arrived");
    // A notice went twice only if the worker that held it died after sending, before recording:
    // it was claimed again (attempts 2 or more).
    for (id, n) in by_id.iter().filter(|(_, n)| **n > 1) {
        let row: i64 = id
            .trim_start_matches("<notice.")
            .split('@')
            .next()
            .and_then(|r| r.parse().ok())
            .expect("a notice Message-ID");
        let attempts = count(
            &mut conn,
            &format!("SELECT attempts::bigint AS n FROM notifications WHERE id = {row}"),
        );
        assert!(
            attempts >= 2,
            "{id} went {n} times though no worker holding it died"
        );
    }
    let twice = mails.len() - by_id.len();
    assert!(
        twice <= 20,
        "at most the dead worker's batch went twice: {twice}"
    );
    drop(nodes);
    for data in [&data_a, &data_b] {
        let _ = std::fs::remove_dir_all(data);
    }
}
