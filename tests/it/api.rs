//! The JSON API with real signed tokens: the demo issuer's key (the app's own, under its data
//! folder) for good tokens, a key made here for forged ones.

use melding::api::token::{SCOPE_READ, SCOPE_WRITE, claims};
use melding::auth::keys::SigningKey;
use melding::sending::{self, NotificationChannel};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;
use crate::notify::{draft, world};

/// Signs `claims` with the app's demo issuer key.
pub fn issuer_key(app: &TestApp) -> SigningKey {
    SigningKey::from_file(&app.data_dir.join("demo-idp-key.pem"), None).expect("the demo key")
}

pub fn token(app: &TestApp, org: &str, scopes: &[&str], minutes: i64) -> String {
    issuer_key(app)
        .sign_jwt(&claims(
            &format!("{}/demo-idp", app.address),
            &app.address,
            org,
            scopes,
            minutes,
        ))
        .expect("signed")
}

pub async fn call(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value, String) {
    let mut request = app
        .client
        .get(app.url(&format!("/correspondence/api/v1{path}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body, content_type)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_system_pages_through_its_mail_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let w = world(&mut app.pool.get().expect("conn"), 1_050, &[]);
    let recipients: Vec<i64> = w.persons.iter().map(|(id, _)| *id).collect();
    let mut conn = app.pool.get().expect("conn");
    sending::send(
        &mut conn,
        &draft(&w, NotificationChannel::Email),
        &recipients,
    )
    .expect("send");
    let mut second = draft(&w, NotificationChannel::Email);
    second.senders_reference = "ref-2".to_owned();
    sending::send(&mut conn, &second, &recipients[..10]).expect("send");
    drop(conn);
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);

    let mut seen = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/correspondence?melding=true&role=sender&limit=400&cursor={c}"),
            None => "/correspondence?melding=true&role=sender&limit=400".to_owned(),
        };
        let (status, body, _) = call(&app, &path, Some(&good)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        pages += 1;
        for c in body["correspondences"].as_array().expect("a list") {
            assert!(
                seen.insert(c["correspondenceId"].as_str().expect("id").to_owned()),
                "no repeats"
            );
            assert_eq!(c["sender"], "0192:974761076");
            assert!(c.get("messageBody").is_none() && !c.to_string().contains("HEMMELIG"));
        }
        match body["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 1_060, "no gaps");
    assert_eq!(pages, 3);

    // Filters: the sender's reference, and a status.
    let (_, body, _) = call(&app, "/correspondence?sendersReference=ref-2", Some(&good)).await;
    assert_eq!(body["ids"].as_array().expect("list").len(), 10);
    assert!(
        body.get("correspondences").is_none(),
        "Altinn's answer: ids only"
    );
    let (_, body, _) = call(&app, "/correspondence?status=Read&limit=5", Some(&good)).await;
    assert_eq!(body["ids"].as_array().expect("list").len(), 0);
    let (_, body, _) = call(&app, "/correspondence?status=2", Some(&good)).await;
    assert_eq!(
        body["ids"].as_array().expect("list").len(),
        1_000,
        "Published by number; 1,000 ids a page"
    );

    // One message's overview; another sender's message does not exist for this client.
    let id = seen.iter().next().expect("an id").clone();
    let (status, body, _) = call(&app, &format!("/correspondence/{id}"), Some(&good)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["resourceId"], "testbrev");
    assert_eq!(body["content"]["messageTitle"], "Vedtak i saken din");
    assert!(
        body["recipient"]
            .as_str()
            .expect("recipient")
            .starts_with("urn:altinn:person:identifier-no:")
    );

    // Its details: the status history and the notices with masked addresses.
    let (status, details, _) = call(
        &app,
        &format!("/correspondence/{id}/details?melding=true"),
        Some(&good),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let history: Vec<&str> = details["statusHistory"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["status"].as_str().expect("status"))
        .collect();
    assert_eq!(history, ["Initialized", "ReadyForPublish", "Published"]);
    let orders = details["notifications"].as_array().expect("orders");
    assert_eq!(orders.len(), 1, "Altinn's order of the first notice");
    assert_eq!(orders[0]["isReminder"], false);
    let notices = details["notices"].as_array().expect("notices");
    assert_eq!(
        notices.len(),
        1,
        "the first notice; the reminder follows when it has gone"
    );
    assert!(notices.iter().all(|n| {
        let address = n["address"].as_str().expect("address");
        address.contains("***@test.example") && n["status"] == "queued"
    }));
    assert_eq!(details["correspondenceId"], id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_refused_for_every_flaw_and_nothing_leaks() {
    let app = TestApp::spawn_with(
        melding::config::Mode::Demo,
        &[("MELDING_API_RATE_PER_MINUTE", "30")],
    )
    .await;
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let sent = sending::send(
        &mut app.pool.get().expect("conn"),
        &draft(&w, NotificationChannel::Email),
        &[w.persons[0].0],
    )
    .expect("send");
    let id = crate::helpers::text(
        &mut app.pool.get().expect("conn"),
        &format!(
            "SELECT id::text AS t FROM correspondences WHERE sending_id = '{}'",
            sent.sending_id
        ),
    );
    let path = format!("/correspondence/{id}");
    let issuer = format!("{}/demo-idp", app.address);

    let forged = SigningKey::load_or_create(&app.data_dir.join("forger.pem"))
        .expect("a key of our own")
        .sign_jwt(&claims(
            &issuer,
            &app.address,
            "974761076",
            &[SCOPE_WRITE],
            5,
        ))
        .expect("signed");
    let wrong_audience = issuer_key(&app)
        .sign_jwt(&claims(
            &issuer,
            "https://elsewhere.example",
            "974761076",
            &[SCOPE_WRITE],
            5,
        ))
        .expect("signed");
    let wrong_issuer = issuer_key(&app)
        .sign_jwt(&claims(
            "https://maskinporten.no/",
            &app.address,
            "974761076",
            &[SCOPE_WRITE],
            5,
        ))
        .expect("signed");
    let mut no_consumer = claims(&issuer, &app.address, "974761076", &[SCOPE_WRITE], 5);
    no_consumer
        .as_object_mut()
        .expect("object")
        .remove("consumer");
    let no_consumer = issuer_key(&app).sign_jwt(&no_consumer).expect("signed");
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let tampered = {
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[1] = token(&app, "974761076", &[SCOPE_WRITE, SCOPE_READ], 600)
            .split('.')
            .nth(1)
            .expect("claims")
            .to_owned();
        parts.join(".")
    };

    for (what, token) in [
        ("no token", None),
        ("not a JWT", Some("abc.def")),
        ("forged signature", Some(forged.as_str())),
        ("tampered claims", Some(tampered.as_str())),
        (
            "expired",
            Some(token(&app, "974761076", &[SCOPE_WRITE], -5).as_str()),
        ),
        ("another audience", Some(wrong_audience.as_str())),
        ("another issuer", Some(wrong_issuer.as_str())),
        ("no client organisation", Some(no_consumer.as_str())),
    ] {
        let (status, body, content_type) = call(&app, &path, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(content_type, "application/problem+json", "{what}");
        assert_eq!(body["code"], "MEL-1001", "{what}");
        assert!(
            !body.to_string().contains("Vedtak"),
            "{what}: nothing leaks"
        );
    }

    let unknown = "/correspondence/0190d0b0-0000-7000-8000-000000000000";
    for (what, path, token, status, code) in [
        (
            "wrong scope",
            "/attachment/0190d0b0-0000-7000-8000-000000000000",
            token(&app, "974761076", &[SCOPE_READ], 5),
            StatusCode::FORBIDDEN,
            "MEL-1002",
        ),
        (
            "not a sender",
            path.as_str(),
            token(&app, "910000004", &[SCOPE_WRITE], 5),
            StatusCode::FORBIDDEN,
            "MEL-1003",
        ),
        (
            "no such message",
            unknown,
            good.clone(),
            StatusCode::NOT_FOUND,
            "MEL-1004",
        ),
        (
            "a role Altinn does not have",
            "/correspondence?role=Nobody",
            good.clone(),
            StatusCode::BAD_REQUEST,
            "MEL-1005",
        ),
    ] {
        let (got, body, _) = call(&app, path, Some(&token)).await;
        assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{what}");
    }

    let (status, body, _) = call(&app, "/correspondence?limit=5000", Some(&good)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["errors"]["limit"].is_array(),
        "the field is named: {body}"
    );

    // The rate limit: 30 a minute per client organisation, then 429 with Retry-After.
    let mut limited = None;
    for _ in 0..40 {
        let response = app
            .client
            .get(app.url(&format!("/correspondence/api/v1{path}")))
            .bearer_auth(&good)
            .send()
            .await
            .expect("request");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
    }
    let limited = limited.expect("the limit is reached");
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_command_mints_tokens_the_demo_accepts() {
    let app = TestApp::spawn().await;
    world(&mut app.pool.get().expect("conn"), 1, &[]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_melding"))
        .args(["token", "--org", "974761076", "--scope", "write"])
        .env("MELDING_DATA_DIR", &app.data_dir)
        .env("MELDING_PUBLIC_URL", &app.address)
        .env("MELDING_LOG", "warn")
        .output()
        .expect("melding token runs");
    assert!(output.status.success(), "{output:?}");
    let token = String::from_utf8(output.stdout).expect("utf-8");
    let (status, body, _) = call(&app, "/correspondence", Some(token.trim())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ids"], serde_json::json!([]));

    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_melding"))
        .args(["token", "--org", "123"])
        .env("MELDING_DATA_DIR", &app.data_dir)
        .output()
        .expect("melding token runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--org"));
}

pub async fn post(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    post_to(app, token, "/correspondence", body).await
}

/// The id of the first message a send answered with.
pub fn first_id(sent: &Value) -> String {
    sent["correspondences"][0]["correspondenceId"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// POSTs `body` as JSON to `path` under the Correspondence API.
pub async fn post_to(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/correspondence/api/v1{path}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_system_sends_idempotently_and_learns_who_can_read_it() {
    let app = TestApp::spawn().await;
    let w = world(&mut app.pool.get().expect("conn"), 2, &[]);
    let org = {
        let mut conn = app.pool.get().expect("conn");
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "INSERT INTO parties (kind, org_number, name, org_form) VALUES ('organization', '910000004', 'Tom AS', 'AS')",
            ),
            &mut conn,
        )
        .expect("org");
        "910000004"
    };
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let request = serde_json::json!({
        "correspondence": {
            "resourceId": "testbrev",
            "sender": "0192:974761076",
            "sendersReference": "SAK-2026-1",
            "content": {
                "language": "nb",
                "messageTitle": "Vedtak for {{recipientName}}",
                "messageSummary": "Kort om vedtaket",
                "messageBody": "# Vedtak\n\nDu har fått **innvilget** søknaden."
            },
            "dueDateTime": "2099-01-01T12:00:00Z",
            "isConfirmationNeeded": true,
            "replyOptions": [
                { "linkURL": "https://testetaten.example/svar", "linkText": "Svar" },
                { "linkURL": "https://testetaten.example/klage", "linkText": "Klag" }
            ],
            "externalReferences": [{ "referenceType": "CaseNumber", "referenceValue": "2026/1" }],
            "notification": { "notificationChannel": "Email", "sendReminder": true }
        },
        "recipients": [
            format!("urn:altinn:person:identifier-no:{}", w.persons[0].1.as_str()),
            w.persons[1].1.as_str(),
            format!("0192:{org}")
        ],
        "idempotentKey": "9f1c2d3e-0000-4000-8000-000000000001"
    });
    let (status, first) = post_to(&app, &good, "/correspondence?melding=true", &request).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let sent = first["correspondences"].as_array().expect("a list");
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|c| c["status"] == "Published"));
    let readers: Vec<i64> = sent
        .iter()
        .map(|c| c["readers"].as_i64().expect("n"))
        .collect();
    assert_eq!(
        readers,
        [1, 1, 0],
        "the organisation has nobody who can read it"
    );
    assert_eq!(
        sent[0]["notices"],
        serde_json::json!([{ "kind": "initial", "channel": "email", "status": "queued" }])
    );
    assert_eq!(sent[0]["notifications"][0]["status"], "Success");
    assert_eq!(
        sent[2]["notifications"][0]["status"], "MissingContact",
        "nobody to notify at the organisation"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM correspondences c JOIN sendings s ON s.id = c.sending_id \
             WHERE s.channel = 'api' AND c.title = 'Vedtak for Person 0' \
             AND jsonb_array_length(c.reply_links) = 2 AND c.confirmation_needed"
        ),
        1
    );
    // A personalised title: each message is found by its own recipient's name, and its search
    // vector is what its texts make.
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM correspondences \
             WHERE search_vector @@ websearch_to_tsquery('norwegian', 'person innvilget')"
        ),
        2
    );
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM correspondences WHERE search_vector IS DISTINCT FROM \
             message_search_vector(title, summary, coalesce(display_sender, sender_name), body)"
        ),
        0
    );

    // The same key again: 409 with Altinn's problem (1034), nothing new.
    let (status, again) = post(&app, &good, &request).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["errorCode"], 1034);
    assert_eq!(again["title"], "Conflict");
    assert_eq!(
        again["detail"],
        "A correspondence with the same idempotent key already exists"
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM correspondences"), 3);

    // Every problem named by its field; nothing stored.
    let mut bad = request.clone();
    bad["idempotentKey"] = Value::Null;
    bad["correspondence"]["content"]["messageTitle"] = Value::String(String::new());
    bad["correspondence"]["dueDateTime"] = Value::String("2001-01-01T00:00:00Z".into());
    bad["correspondence"]["replyOptions"][1]["linkURL"] =
        Value::String("http://plain.example".into());
    bad["correspondence"]["resourceId"] = Value::String("not-ours".into());
    bad["recipients"] = serde_json::json!(["12345", "0192:974760673"]);
    let (status, problem) = post(&app, &good, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "MEL-1005");
    let fields: Vec<&str> = problem["errors"]
        .as_object()
        .expect("errors")
        .keys()
        .map(String::as_str)
        .collect();
    for field in [
        "correspondence.content.messageTitle",
        "correspondence.dueDateTime",
        "correspondence.replyOptions[1].linkURL",
        "correspondence.resourceId",
        "recipients[0]",
        "recipients[1]",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM correspondences"), 3);

    // As Altinn's API binds a request: PascalCase names, enums by number or in any case,
    // unknown properties ignored; propertyList stored and returned; the generic template
    // leaves the given texts aside.
    let pascal = serde_json::json!({
        "Correspondence": {
            "ResourceId": "testbrev",
            "SendersReference": "SAK-2026-2",
            "Content": {
                "Language": "nb",
                "MessageTitle": "Brev i PascalCase",
                "MessageSummary": "Kort",
                "MessageBody": "Hei."
            },
            "Notification": {
                "NotificationTemplate": 1,
                "NotificationChannel": 0,
                "EmailSubject": "Egen tittel som ikke skal brukes"
            },
            "PropertyList": { "caseNumber": "2026/7", "Arkivdel": "A" },
            "Colour": "blue"
        },
        "Recipients": [w.persons[0].1.as_str()],
        "IdempotentKey": "9f1c2d3e-0000-4000-8000-000000000002",
        "SomethingNew": { "nested": true }
    });
    let (status, sent) = post(&app, &good, &pascal).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let id = first_id(&sent);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences c JOIN sendings s ON s.id = c.sending_id \
             WHERE c.id = '{id}' AND c.title = 'Brev i PascalCase' AND s.notification_channel = 'Email' \
             AND s.email_subject IS NULL"
        )),
        1,
        "bound by name in any case, the channel by its number, the generic texts"
    );
    let (status, overview, _) = call(&app, &format!("/correspondence/{id}"), Some(&good)).await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    assert_eq!(
        overview["propertyList"],
        serde_json::json!({ "caseNumber": "2026/7", "Arkivdel": "A" })
    );
    // Searchable by its properties (melding's filter).
    for (query, found) in [
        ("propertyList.caseNumber=2026%2F7", true),
        (
            "PROPERTYLIST.caseNumber=2026%2F7&propertyList.Arkivdel=A",
            true,
        ),
        ("propertyList.caseNumber=2026%2F8", false),
    ] {
        let (status, list, _) = call(
            &app,
            &format!("/correspondence?role=Sender&{query}"),
            Some(&good),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(
            list["ids"] == serde_json::json!([id]),
            found,
            "{query}: {list}"
        );
    }
    // isConfidential must say what the service says; nothing is sent otherwise.
    let mut claimed = pascal.clone();
    claimed["Correspondence"]["IsConfidential"] = Value::Bool(true);
    claimed["IdempotentKey"] = Value::String("9f1c2d3e-0000-4000-8000-000000000003".into());
    let before = app.count("SELECT count(*) AS n FROM correspondences");
    let (status, problem) = post(&app, &good, &claimed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["errors"]["correspondence.isConfidential"].is_array(),
        "{problem}"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM correspondences"),
        before
    );
    claimed["Correspondence"]["IsConfidential"] = Value::Bool(false);
    let (status, sent) = post(&app, &good, &claimed).await;
    assert_eq!(status, StatusCode::OK, "{sent}");

    let (status, problem) = post(&app, &token(&app, "974761076", &[SCOPE_READ], 5), &request).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("MEL-1002"))
    );
}

/// A second service owner (974 760 673); returns a write token for its system.
fn another_owner(app: &TestApp) -> String {
    diesel::connection::SimpleConnection::batch_execute(
        &mut *app.pool.get().expect("conn"),
        "INSERT INTO parties (kind, org_number, name, org_form) VALUES ('organization', '974760673', 'Andre', 'ORGL'); \
         INSERT INTO service_owners (party_id, short_name) SELECT id, 'andre' FROM parties WHERE org_number = '974760673'",
    )
    .expect("another owner");
    token(app, "974760673", &[SCOPE_WRITE], 5)
}

pub async fn send_json(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
    bytes: Option<Vec<u8>>,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .request(method, app.url(&format!("/correspondence/api/v1{path}")))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(bytes) = bytes {
        request = request
            .header("content-type", "application/octet-stream")
            .body(bytes);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_are_described_uploaded_checked_reused_and_deleted_only_unused() {
    use md5::Digest;
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let pdf = b"%PDF-1.4 vedtak".to_vec();
    let md5 = format!("{:x}", md5::Md5::digest(&pdf));

    let (status, described) = send_json(
        &app,
        Method::POST,
        "/attachment",
        &good,
        Some(&serde_json::json!({ "fileName": "vedtak.pdf", "checksum": md5, "sendersReference": "V-1" })),
        None,
    )
    .await;
    // As Altinn: 200 and the id itself.
    assert_eq!(status, StatusCode::OK, "{described}");
    let id = described.as_str().expect("id").to_owned();
    let (_, overview) = send_json(
        &app,
        Method::GET,
        &format!("/attachment/{id}"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(overview["status"], "Initialized");

    // The wrong bytes fail the checksum, and the attachment cannot be uploaded again.
    let (status, problem) = send_json(
        &app,
        Method::POST,
        &format!("/attachment/{id}/upload"),
        &good,
        None,
        Some(b"other".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem["errors"]["checksum"].is_array(), "{problem}");
    let (_, failed) = send_json(
        &app,
        Method::GET,
        &format!("/attachment/{id}"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(failed["status"], "Failed");
    let (status, _) = send_json(
        &app,
        Method::POST,
        &format!("/attachment/{id}/upload"),
        &good,
        None,
        Some(pdf.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A new one with the right bytes is published with its SHA-256.
    let (_, described) = send_json(
        &app,
        Method::POST,
        "/attachment",
        &good,
        Some(&serde_json::json!({ "fileName": "vedtak.pdf", "checksum": md5 })),
        None,
    )
    .await;
    let id = described.as_str().expect("id").to_owned();
    let (status, uploaded) = send_json(
        &app,
        Method::POST,
        &format!("/attachment/{id}/upload"),
        &good,
        None,
        Some(pdf.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    assert_eq!(uploaded["status"], "Published");
    assert_eq!(uploaded["checksum"], md5.as_str());
    assert_eq!(uploaded["fileName"], "vedtak.pdf");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM attachments WHERE id = '{id}' AND size_bytes = {} AND sha256 = '{:x}'",
            pdf.len(),
            sha2::Sha256::digest(&pdf)
        )),
        1,
        "kept with its size and SHA-256"
    );
    // Its details (the status history) and its bytes, for the sender.
    let (status, details) = send_json(
        &app,
        Method::GET,
        &format!("/attachment/{id}/details"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{details}");
    let history: Vec<&str> = details["statusHistory"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["status"].as_str().expect("status"))
        .collect();
    assert_eq!(history.last(), Some(&"Published"), "{details}");
    let download = app
        .client
        .get(app.url(&format!("/correspondence/api/v1/attachment/{id}/download")))
        .bearer_auth(&good)
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.expect("bytes").to_vec(), pdf);

    // Used by a message, it cannot be deleted; an unused one can.
    let request = serde_json::json!({
        "correspondence": {
            "resourceId": "testbrev",
            "sendersReference": "SAK-9",
            "content": { "messageTitle": "Vedtak", "messageBody": "Se vedlegget." },
            "existingAttachments": [id]
        },
        "recipients": [w.persons[0].1.as_str()]
    });
    let (status, sent) = post(&app, &good, &request).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM correspondences WHERE attachment_count = 1"),
        1
    );
    let (status, problem) = send_json(
        &app,
        Method::DELETE,
        &format!("/attachment/{id}"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (_, spare) = send_json(
        &app,
        Method::POST,
        "/attachment",
        &good,
        Some(&serde_json::json!({ "fileName": "notat.txt" })),
        None,
    )
    .await;
    let spare = spare.as_str().expect("id").to_owned();
    let (status, purged) = send_json(
        &app,
        Method::DELETE,
        &format!("/attachment/{spare}"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, purged["status"].as_str()),
        (StatusCode::OK, Some("Purged"))
    );

    // Names are checked; another sender's attachment does not exist for this client.
    for name in ["program.exe", "CON.pdf", "a<b.pdf"] {
        let (status, problem) = send_json(
            &app,
            Method::POST,
            "/attachment",
            &good,
            Some(&serde_json::json!({ "fileName": name })),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
        assert!(
            problem["errors"]["fileName"].is_array(),
            "{name}: {problem}"
        );
    }
    // An upload whose process was lost is failed by the sweep, and its partial file removed.
    let (_, lost) = send_json(
        &app,
        Method::POST,
        "/attachment",
        &good,
        Some(&serde_json::json!({ "fileName": "tapt.pdf" })),
        None,
    )
    .await;
    let lost = lost.as_str().expect("id").to_owned();
    let key = crate::helpers::text(
        &mut app.pool.get().expect("conn"),
        &format!(
            "UPDATE attachments SET state = 'uploading', expires_at = now() - interval '1 minute' WHERE id = '{lost}' RETURNING storage_key AS t"
        ),
    );
    let failed =
        melding::sending::attachments::fail_stalled_uploads(&mut app.pool.get().expect("conn"))
            .expect("sweep");
    assert_eq!(failed, vec![key]);
    let (_, lost) = send_json(
        &app,
        Method::GET,
        &format!("/attachment/{lost}"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(lost["status"], "Failed");
    // (the sweeper removes what an upload lost mid-stream may have left under these keys)

    let other = another_owner(&app);
    let (status, _) = send_json(
        &app,
        Method::GET,
        &format!("/attachment/{id}"),
        &other,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_withdraws_only_what_is_not_yet_published() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let w = world(&mut app.pool.get().expect("conn"), 2, &[]);
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let send = |publish: Option<&str>, reference: &str| {
        let mut c = serde_json::json!({
            "resourceId": "testbrev",
            "sendersReference": reference,
            "content": { "messageTitle": "Innkalling", "messageBody": "Møt opp." }
        });
        if let Some(t) = publish {
            c["requestedPublishTime"] = Value::String(t.to_owned());
        }
        serde_json::json!({ "correspondence": c, "recipients": [w.persons[0].1.as_str()] })
    };
    let (_, later) = post(&app, &good, &send(Some("2099-01-01T08:00:00Z"), "A")).await;
    let (_, now) = post(&app, &good, &send(None, "B")).await;
    let later = first_id(&later);
    let now = first_id(&now);
    // The same texts for every recipient: the vector made once for the batch is the one the
    // texts make, and finds the message.
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM correspondences \
             WHERE search_vector @@ websearch_to_tsquery('norwegian', 'innkallingen') \
             AND search_vector = message_search_vector(title, summary, sender_name, body)"
        ),
        2
    );

    let (status, withdrawn) = send_json(
        &app,
        Method::DELETE,
        &format!("/correspondence/{later}/purge"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(
        withdrawn,
        Value::String(later.clone()),
        "Altinn answers the id"
    );
    let (_, overview, _) = call(&app, &format!("/correspondence/{later}"), Some(&good)).await;
    assert_eq!(overview["status"], "PurgedByAltinn", "Altinn's name");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications WHERE correspondence_id = '{later}' AND state <> 'cancelled'"
        )),
        0,
        "its notices are cancelled"
    );
    let (status, _) = send_json(
        &app,
        Method::DELETE,
        &format!("/correspondence/{later}/purge"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "once");
    let (status, problem) = send_json(
        &app,
        Method::DELETE,
        &format!("/correspondence/{now}/purge"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a published message stays: {problem}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE id = '{now}' AND status = 'Published'"
        )),
        1
    );
    let other = another_owner(&app);
    let (status, _) = send_json(
        &app,
        Method::DELETE,
        &format!("/correspondence/{now}/purge"),
        &other,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The API's own OpenAPI document, and a check that a response matches one of its schemas:
/// `$ref`, `allOf`, `oneOf`/`anyOf`, types (with `null`), required and declared properties
/// (a property the document does not declare is a mismatch), array items.
pub struct Spec(Value);

impl Spec {
    pub async fn load(app: &TestApp) -> Spec {
        let response = app
            .client
            .get(app.url("/correspondence/api/v1/openapi.json"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        Spec(response.json().await.expect("JSON"))
    }

    /// Altinn 3 Correspondence's published document (`tests/altinn/`), whose schemas the
    /// Altinn-compatible answers must match as they are (no members beyond Altinn's).
    pub fn altinn() -> Spec {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/altinn/correspondence-v1.openapi.json"
        );
        let text = std::fs::read_to_string(path).expect("Altinn's document");
        Spec(serde_json::from_str(&text).expect("JSON"))
    }

    /// Altinn's published Broker contract.
    pub fn altinn_broker() -> Spec {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/altinn/broker-v1.openapi.json"
        );
        let text = std::fs::read_to_string(path).expect("Altinn's document");
        Spec(serde_json::from_str(&text).expect("JSON"))
    }

    pub fn check(&self, schema: &str, value: &Value) {
        let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
        if let Err(e) = self.validate(&schema, value, "$") {
            panic!("the response does not match the OpenAPI document: {e}\n{value:#}");
        }
    }

    fn validate(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| format!("{at}: unknown reference {reference}"))?;
            let target = &self.0["components"]["schemas"][name];
            if target.is_null() {
                return Err(format!("{at}: no schema {name}"));
            }
            return self.validate(target, value, at);
        }
        if let Some(all) = schema["allOf"].as_array() {
            // Flattened parts: each part checks its own properties; unknown ones are those no
            // part declares.
            let mut declared = std::collections::HashSet::new();
            for part in all {
                let part = self.resolve(part);
                if let Some(props) = part["properties"].as_object() {
                    declared.extend(props.keys().cloned());
                }
                self.validate_loose(&part, value, at)?;
            }
            if let Some(object) = value.as_object()
                && let Some(extra) = object.keys().find(|k| !declared.contains(*k))
            {
                return Err(format!("{at}.{extra}: not in the document"));
            }
            return Ok(());
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = schema[key].as_array() {
                return options
                    .iter()
                    .any(|o| self.validate(o, value, at).is_ok())
                    .then_some(())
                    .ok_or_else(|| format!("{at}: matches none of the {key} options"));
            }
        }
        self.validate_node(schema, value, at, true)
    }

    fn resolve(&self, schema: &Value) -> Value {
        match schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(name) => self.0["components"]["schemas"][name].clone(),
            None => schema.clone(),
        }
    }

    fn validate_loose(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        self.validate_node(schema, value, at, false)
    }

    fn validate_node(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        strict: bool,
    ) -> Result<(), String> {
        // OpenAPI 3.0's way of allowing null.
        if value.is_null() && schema["nullable"] == Value::Bool(true) {
            return Ok(());
        }
        if let Some(options) = schema["enum"].as_array()
            && !options.contains(value)
        {
            return Err(format!("{at}: {value} is not one of {options:?}"));
        }
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let allowed: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let fits = allowed.is_empty()
            || allowed.contains(&kind)
            || (kind == "integer" && allowed.contains(&"number"));
        if !fits {
            return Err(format!("{at}: {kind}, the document says {allowed:?}"));
        }
        if let (Some(object), Some(props)) = (value.as_object(), schema["properties"].as_object()) {
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !object.contains_key(name) {
                    return Err(format!("{at}.{name}: required but missing"));
                }
            }
            // `additionalProperties` given as a schema (`{}` is any) allows other members.
            let open = schema["additionalProperties"].is_object();
            for (name, v) in object {
                match props.get(name) {
                    Some(s) => self.validate(s, v, &format!("{at}.{name}"))?,
                    None if strict && !open => {
                        return Err(format!("{at}.{name}: not in the document"));
                    }
                    None => {}
                }
            }
        } else if let (Some(object), Some(values)) = (
            value.as_object(),
            schema["additionalProperties"].as_object(),
        ) && schema.get("properties").is_none()
            && !values.is_empty()
        {
            // A map (`propertyList`): each value by the schema of the values.
            let values = Value::Object(values.clone());
            for (name, v) in object {
                self.validate(&values, v, &format!("{at}.{name}"))?;
            }
        }
        if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
            for (i, v) in array.iter().enumerate() {
                self.validate(items, v, &format!("{at}[{i}]"))?;
            }
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_endpoint_and_every_response_matches_it() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let spec = Spec::load(&app).await;
    assert_eq!(spec.0["openapi"], "3.1.0");
    for (path, method) in [
        ("/correspondence", "post"),
        ("/correspondence", "get"),
        ("/correspondence/{id}", "get"),
        ("/correspondence/{id}/details", "get"),
        ("/correspondence/{id}/purge", "delete"),
        ("/correspondence/{id}/content", "get"),
        ("/correspondence/{id}/markasread", "post"),
        ("/correspondence/{id}/confirm", "post"),
        (
            "/correspondence/{id}/attachment/{attachmentId}/download",
            "get",
        ),
        ("/correspondence/{id}/attachments/downloadall", "get"),
        ("/attachment", "post"),
        ("/attachment/{id}/upload", "post"),
        ("/attachment/{id}", "get"),
        ("/attachment/{id}", "delete"),
        ("/attachment/{id}/details", "get"),
        ("/attachment/{id}/download", "get"),
    ] {
        assert!(
            spec.0["paths"][path][method].is_object(),
            "{method} {path} is documented"
        );
    }
    assert_eq!(
        spec.0["components"]["securitySchemes"]["maskinporten"]["scheme"],
        "bearer"
    );
    // Every operation declares its errors as problem details, with the media type they carry.
    for (path, operations) in spec.0["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            for status in ["4XX", "5XX"] {
                let content = &operation["responses"][status]["content"];
                assert!(
                    content["application/problem+json"]["schema"].is_object(),
                    "{method} {path} {status}: {content}"
                );
            }
        }
    }

    // Every kind of response, checked against the document.
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let (_, attachment) = send_json(
        &app,
        Method::POST,
        "/attachment",
        &good,
        Some(&serde_json::json!({ "fileName": "a.txt" })),
        None,
    )
    .await;
    // Altinn answers the id itself (a JSON string holding a UUID).
    let id = attachment.as_str().expect("id").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{attachment}");
    let (_, uploaded) = send_json(
        &app,
        Method::POST,
        &format!("/attachment/{id}/upload"),
        &good,
        None,
        Some(b"tekst".to_vec()),
    )
    .await;
    let altinn = Spec::altinn();
    let both = |name: &str, value: &Value| {
        spec.check(name, value);
        altinn.check(name, value);
    };
    both("AttachmentOverviewExt", &uploaded);
    let (_, details) = send_json(
        &app,
        Method::GET,
        &format!("/attachment/{id}/details"),
        &good,
        None,
        None,
    )
    .await;
    both("AttachmentDetailsExt", &details);
    let request = serde_json::json!({
        "correspondence": {
            "resourceId": "testbrev",
            "sendersReference": "S-1",
            "content": { "messageTitle": "Brev", "messageSummary": "Kort", "messageBody": "Tekst." },
            "requestedPublishTime": "2099-01-01T08:00:00Z",
            "replyOptions": [{ "linkURL": "https://testetaten.example/svar", "linkText": "Svar" }],
            "externalReferences": [{ "referenceType": "Sak", "referenceValue": "1" }],
            "existingAttachments": [id]
        },
        "recipients": [w.persons[0].1.as_str()]
    });
    let (status, sent) = post(&app, &good, &request).await;
    assert_eq!(status, StatusCode::OK);
    both("InitializeCorrespondencesResponseExt", &sent);
    let message = first_id(&sent);
    let (_, list, _) = call(&app, "/correspondence?limit=1", Some(&good)).await;
    both("CorrespondencesExt", &list);
    let (_, overview, _) = call(&app, &format!("/correspondence/{message}"), Some(&good)).await;
    both("CorrespondenceOverviewExt", &overview);
    let (_, details, _) = call(
        &app,
        &format!("/correspondence/{message}/details"),
        Some(&good),
    )
    .await;
    both("CorrespondenceDetailsExt", &details);
    // melding's extras are in melding's document.
    let (_, list, _) = call(
        &app,
        "/correspondence?limit=1&melding=true&role=sender",
        Some(&good),
    )
    .await;
    spec.check("CorrespondencesExt", &list);
    assert_eq!(
        list["correspondences"][0]["correspondenceId"],
        message.as_str()
    );
    let (_, details, _) = call(
        &app,
        &format!("/correspondence/{message}/details?melding=true"),
        Some(&good),
    )
    .await;
    spec.check("CorrespondenceDetailsExt", &details);
    assert!(details["notices"].is_array(), "{details}");
    let (_, purged) = send_json(
        &app,
        Method::DELETE,
        &format!("/correspondence/{message}/purge"),
        &good,
        None,
        None,
    )
    .await;
    assert_eq!(
        purged,
        Value::String(message.clone()),
        "Altinn answers the id"
    );
    for (status, problem) in [
        send_json(
            &app,
            Method::GET,
            "/correspondence?limit=0",
            &good,
            None,
            None,
        )
        .await,
        send_json(
            &app,
            Method::GET,
            "/correspondence",
            "not-a-token",
            None,
            None,
        )
        .await,
        post(&app, &good, &serde_json::json!({ "recipients": [] })).await,
    ] {
        assert!(status.is_client_error());
        spec.check("Problem", &problem);
        altinn.check("ProblemDetails", &problem);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_with_files_in_one_multipart_request() {
    use reqwest::multipart::{Form, Part};
    let app = TestApp::spawn().await;
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let request = serde_json::json!({
        "correspondence": {
            "resourceId": "testbrev",
            "sendersReference": "M-1",
            "content": { "messageTitle": "Vedtak med vedlegg", "messageBody": "Se vedleggene." }
        },
        "recipients": [w.persons[0].1.as_str()]
    });
    let post = |form: Form| {
        app.client
            .post(app.url("/correspondence/api/v1/correspondence/upload"))
            .bearer_auth(&good)
            .multipart(form)
            .send()
    };
    let form = Form::new()
        .text("request", request.to_string())
        .part(
            "attachments",
            Part::bytes(b"%PDF-1.4 a".to_vec()).file_name("vedtak.pdf"),
        )
        .part(
            "attachments",
            Part::bytes(b"navn;verdi".to_vec()).file_name("tabell.csv"),
        );
    let response = post(form).await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    Spec::load(&app)
        .await
        .check("InitializeCorrespondencesResponseExt", &body);
    Spec::altinn().check("InitializeCorrespondencesResponseExt", &body);
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM correspondences c WHERE c.attachment_count = 2 \
             AND (SELECT count(*) FROM correspondence_attachments a WHERE a.correspondence_id = c.id) = 2"
        ),
        1
    );

    // A file that is not allowed: named by its place, and nothing is kept or sent.
    let form = Form::new()
        .text("request", request.to_string())
        .part(
            "attachments",
            Part::bytes(b"ok".to_vec()).file_name("ok.txt"),
        )
        .part(
            "attachments",
            Part::bytes(b"MZ".to_vec()).file_name("program.exe"),
        );
    let response = post(form).await.expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.expect("JSON");
    assert!(problem["errors"]["attachments[1]"].is_array(), "{problem}");
    assert_eq!(app.count("SELECT count(*) AS n FROM correspondences"), 1);
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM attachments WHERE name = 'ok.txt' AND state = 'purged'"
        ),
        1,
        "the file of the refused request is not kept"
    );

    // Altinn's form, as eFormidling's integration point sends it: every field in dot notation
    // (names in any case), the message id as idempotentKey, the file streamed.
    let message_id = "5f3c2b1a-0000-4000-8000-00000000e4f1";
    let dotted = || {
        Form::new()
            .text("Correspondence.ResourceId", "testbrev")
            .text("correspondence.sendersReference", message_id)
            .text("correspondence.content.language", "nb")
            .text(
                "correspondence.content.messageTitle",
                "Vedtak fra eFormidling",
            )
            .text("correspondence.content.messageSummary", "Kort")
            .text("correspondence.content.messageBody", "Se vedlegget.")
            .text("correspondence.isConfirmationNeeded", "false")
            .text("correspondence.propertyList.senderOrgNumber", "974761076")
            .text("correspondence.notification.notificationTemplate", "1")
            .text("correspondence.notification.notificationChannel", "0")
            .text(
                "recipients[0]",
                format!(
                    "urn:altinn:person:identifier-no:{}",
                    w.persons[0].1.as_str()
                ),
            )
            .text("idempotentKey", message_id)
            .part(
                "attachments",
                Part::bytes(b"%PDF-1.4 dpv".to_vec()).file_name("vedtak.pdf"),
            )
    };
    let response = post(dotted()).await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    Spec::load(&app)
        .await
        .check("InitializeCorrespondencesResponseExt", &body);
    Spec::altinn().check("InitializeCorrespondencesResponseExt", &body);
    let id = first_id(&body);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE id = '{id}' AND attachment_count = 1 \
             AND title = 'Vedtak fra eFormidling' AND properties ->> 'senderOrgNumber' = '974761076'"
        )),
        1
    );
    // The same send again: 409, nothing new, its file not kept; found by the reference.
    let again = post(dotted()).await.expect("request");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let problem: Value = again.json().await.expect("JSON");
    assert_eq!(problem["errorCode"], 1034);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE senders_reference = '{message_id}'"
        )),
        1
    );
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM attachments WHERE name = 'vedtak.pdf' AND state = 'purged'"
        ),
        1,
        "the repeated request's file is not kept"
    );
    let (status, found, _) = call(
        &app,
        &format!("/correspondence?role=Sender&sendersReference={message_id}&status=PUBLISHED"),
        Some(&good),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(found.to_string().contains(&id), "{found}");
    // Polling the status, as the integration point does: Published, then Read once the
    // recipient has opened it in the inbox.
    let status_of = |body: &Value| body["status"].as_str().unwrap_or_default().to_owned();
    let (_, overview, _) = call(&app, &format!("/correspondence/{id}"), Some(&good)).await;
    assert_eq!(status_of(&overview), "Published", "{overview}");
    let reader = app.second_user();
    reader
        .login_as(w.persons[0].1.as_str(), "substantial")
        .await;
    let page = reader
        .get(&format!("/inbox/messages/{id}?party={}", w.persons[0].0))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let (_, overview, _) = call(&app, &format!("/correspondence/{id}"), Some(&good)).await;
    assert_eq!(status_of(&overview), "Read", "{overview}");
    // A field name that is not dot notation is named in the answer.
    let response = post(Form::new().text("recipients[x]", "1"))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.expect("JSON");
    assert!(problem["errors"]["recipients[x]"].is_array(), "{problem}");
}

/// A path the API has, asked with a method it does not take, answers 405 (as HTTP and
/// schema-conformance tools expect); a path it does not have, 404; both as problem details.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_method_is_405_and_a_wrong_path_404() {
    let app = TestApp::spawn().await;
    let good = token(&app, "974761076", &[SCOPE_WRITE], 5);
    let not_allowed = StatusCode::METHOD_NOT_ALLOWED;
    for (method, path, status, allowed) in [
        ("TRACE", "/correspondence", not_allowed, Some("GET, POST")),
        ("PUT", "/attachment", not_allowed, Some("POST")),
        ("PATCH", "/correspondence/upload", not_allowed, Some("POST")),
        ("GET", "/correspondence/upload", not_allowed, Some("POST")),
        (
            "GET",
            "/correspondence/0190d0b0-0000-7000-8000-000000000000/purge",
            not_allowed,
            Some("DELETE"),
        ),
        (
            "GET",
            "/correspondence/not-an-id",
            StatusCode::NOT_FOUND,
            None,
        ),
        ("GET", "/no-such-thing", StatusCode::NOT_FOUND, None),
    ] {
        let response = app
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                app.url(&format!("/correspondence/api/v1{path}")),
            )
            .bearer_auth(&good)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), status, "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            allowed,
            "{method} {path}"
        );
    }
}
