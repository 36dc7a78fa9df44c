//! The events outbox and its pull endpoint, as Altinn Events offers it: every change to a message
//! or a file transfer is a CloudEvent written in the change's own transaction; a system reads the
//! events about the parties it may read for, and those of what its organisation sent, in order,
//! a page at a time; nobody else's.

use melding::api::broker::{SCOPE_BROKER_READ, SCOPE_BROKER_WRITE};
use melding::api::events::SCOPE_EVENTS;
use melding::api::token::{SCOPE_READ, SCOPE_WRITE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::{call, first_id, post, token};
use crate::api_recipient::organisation;
use crate::helpers::{TestApp, drain_notices};
use crate::notify::world;

/// Waits until every event written so far has its position: events are ordered only once every
/// transaction older than theirs has ended, and other tests' transactions run in the same
/// PostgreSQL cluster.
async fn settled(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let unplaced = {
            let mut conn = app.pool.get().expect("conn");
            melding::events::sequence(&mut conn).expect("sequence");
            crate::helpers::count(
                &mut conn,
                "SELECT count(*) AS n FROM outbox_events WHERE position IS NULL",
            )
        };
        if unplaced == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{unplaced} events never ordered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn pull(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value, Option<String>) {
    settled(app).await;
    let response = app
        .client
        .get(app.url(&format!("/events/api/v1/events?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("events");
    let status = response.status();
    let next = response
        .headers()
        .get("next")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, response.json().await.unwrap_or(Value::Null), next)
}

fn types(events: &Value) -> Vec<String> {
    events
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|e| e["type"].as_str())
                .map(|t| t.rsplit('.').next().unwrap_or(t).to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_is_an_event_in_order_for_those_who_may_see_it() {
    let app = TestApp::spawn().await;
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let (_, a_no) = organisation(&app, 93000001, "Mottaker AS");
    let (_, stranger_no) = organisation(&app, 93000002, "Fremmed AS");
    let sender = token(&app, "974761076", &[SCOPE_WRITE, SCOPE_BROKER_WRITE], 10);
    let sender_events = token(&app, "974761076", &[SCOPE_EVENTS], 10);
    let a_reader = token(&app, &a_no, &[SCOPE_READ, SCOPE_BROKER_READ], 10);
    let a_events = token(&app, &a_no, &[SCOPE_EVENTS], 10);
    let stranger = token(&app, &stranger_no, &[SCOPE_EVENTS], 10);

    // A message to the organisation and one to a person.
    let mut ids = Vec::new();
    for recipient in [a_no.as_str(), w.persons[0].1.as_str()] {
        let (status, sent) = post(
            &app,
            &sender,
            &json!({
                "correspondence": {
                    "resourceId": "testbrev", "sendersReference": "E-1",
                    "content": { "messageTitle": "Hendelser", "messageBody": "Tekst." }
                },
                "recipients": [recipient]
            }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        ids.push(first_id(&sent));
    }
    let (status, events, next) = pull(&app, &a_events, "after=0").await;
    assert_eq!(status, StatusCode::OK, "{events}");
    assert_eq!(types(&events), ["correspondencepublished"], "only its own");
    let event = &events[0];
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["resource"], "urn:altinn:resource:testbrev");
    assert_eq!(event["resourceinstance"], ids[0].as_str());
    assert_eq!(
        event["subject"],
        format!("urn:altinn:organization:identifier-no:{a_no}").as_str()
    );
    assert_eq!(
        event["alternativesubject"],
        format!("/organisation/{a_no}").as_str()
    );
    assert!(
        event["source"]
            .as_str()
            .is_some_and(|s| s.ends_with("/correspondence/api/v1/correspondence")),
        "{event}"
    );
    assert!(next.is_some_and(|n| n.contains("after=")));

    // Reading is an event; the reader's cursor picks up after what it has seen.
    let first = event["id"].as_str().expect("id").to_owned();
    let (status, _, _) = call(
        &app,
        &format!("/correspondence/{}/content", ids[0]),
        Some(&a_reader),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, events, _) = pull(&app, &a_events, &format!("after={first}")).await;
    assert_eq!(types(&events), ["correspondencereceiverread"]);

    // Confirming, forwarding and deleting are events too, for the recipient and the sender.
    let (status, sent) = post(
        &app,
        &sender,
        &json!({
            "correspondence": {
                "resourceId": "testbrev", "sendersReference": "E-2",
                "content": { "messageTitle": "Bekreft", "messageBody": "Tekst." },
                "isConfirmationNeeded": true, "dueDateTime": "2099-01-01T12:00:00Z",
                "allowForwarding": true
            },
            "recipients": [a_no]
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let confirmable = first_id(&sent);
    let (_, seen, _) = pull(&app, &a_events, "after=0&size=1000").await;
    let before = seen.as_array().map(Vec::len).unwrap_or(0);
    let cursor = seen[before - 1]["sequencenumber"].as_i64().expect("n");
    let posted = app
        .client
        .post(app.url(&format!(
            "/correspondence/api/v1/correspondence/{confirmable}/confirm"
        )))
        .bearer_auth(&a_reader)
        .send()
        .await
        .expect("confirm");
    assert_eq!(posted.status(), StatusCode::OK);
    let forwarded = app
        .client
        .post(app.url(&format!(
            "/correspondence/api/v1/correspondence/{confirmable}/forward"
        )))
        .bearer_auth(&a_reader)
        .json(&json!({ "forwardTo": "arkiv@example.no" }))
        .send()
        .await
        .expect("forward");
    assert_eq!(forwarded.status(), StatusCode::OK);
    let purged = app
        .client
        .delete(app.url(&format!(
            "/correspondence/api/v1/correspondence/{confirmable}/purge"
        )))
        .bearer_auth(&a_reader)
        .send()
        .await
        .expect("purge");
    assert_eq!(purged.status(), StatusCode::OK);
    let (_, events, _) = pull(&app, &a_events, &format!("after={cursor}")).await;
    assert_eq!(
        types(&events),
        [
            "correspondencereceiverread",
            "correspondencereceiverconfirmed",
            "correspondenceforwarded",
            "correspondencepurged"
        ],
        "{events}"
    );
    assert!(
        events
            .as_array()
            .expect("list")
            .iter()
            .all(|e| e["resourceinstance"] == confirmable.as_str()
                && e["data"]["correspondenceId"] == confirmable.as_str())
    );

    // The sender sees what it sent, both messages, and the notices that went out.
    drain_notices(&app.pool).await;
    let (_, events, _) = pull(&app, &sender_events, "after=0&size=1000").await;
    let seen = types(&events);
    assert_eq!(
        seen.iter()
            .filter(|t| *t == "correspondencepublished")
            .count(),
        3,
        "{seen:?}"
    );
    assert!(
        seen.contains(&"correspondencereceiverread".to_owned()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"correspondencenotificationdelivered".to_owned()),
        "{seen:?}"
    );
    let sequence: Vec<i64> = events
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["sequencenumber"].as_i64())
        .collect();
    assert!(
        sequence.windows(2).all(|w| w[0] < w[1]),
        "in order: {sequence:?}"
    );
    // Filters: type, and one page at a time.
    let (_, events, _) = pull(
        &app,
        &sender_events,
        "after=0&type=no.altinn.correspondence.correspondencereceiverread",
    )
    .await;
    assert_eq!(
        types(&events),
        ["correspondencereceiverread", "correspondencereceiverread"],
        "the two messages read"
    );
    let (_, page, next) = pull(&app, &sender_events, "after=0&size=1").await;
    assert_eq!(page.as_array().map(Vec::len), Some(1));
    let next = next.expect("a next link");
    let after = next
        .split("after=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("the cursor")
        .to_owned();
    let (_, second, _) = pull(&app, &sender_events, &format!("after={after}&size=1")).await;
    assert_eq!(
        second[0]["sequencenumber"].as_i64(),
        Some(sequence[1]),
        "the next page starts after the first"
    );
    // Nobody else sees anything; the wrong scope is refused; a bad cursor is a 400.
    let (status, events, _) = pull(&app, &stranger, "after=0").await;
    assert_eq!((status, events), (StatusCode::OK, json!([])));
    let (status, _, _) = pull(&app, &a_reader, "after=0").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for bad in ["", "after=", "after=x", "after=0&size=0"] {
        let (status, _, _) = pull(&app, &a_events, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }

    // A file transfer's steps are events too, about the sender and the recipient.
    let response = app
        .client
        .put(app.url("/broker/api/v1/resource/filer"))
        .bearer_auth(&sender)
        .json(&json!({}))
        .send()
        .await
        .expect("resource");
    assert_eq!(response.status(), StatusCode::OK);
    let initialized: Value = app
        .client
        .request(Method::POST, app.url("/broker/api/v1/filetransfer"))
        .bearer_auth(&sender)
        .json(&json!({ "fileName": "f.txt", "resourceId": "filer", "sender": "0192:974761076", "recipients": [a_no] }))
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
    let uploaded = app
        .client
        .post(app.url(&format!("/broker/api/v1/filetransfer/{transfer}/upload")))
        .bearer_auth(&sender)
        .header("content-type", "application/octet-stream")
        .body(b"fil".to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(uploaded.status(), StatusCode::OK);
    let (_, events, _) = pull(&app, &a_events, "after=0&source=filetransfer").await;
    assert_eq!(
        types(&events),
        ["published"],
        "the recipient hears of the publication"
    );
    assert_eq!(events[0]["resourceinstance"], transfer.as_str());
    let (_, events, _) = pull(&app, &sender_events, "after=0&source=filetransfer").await;
    let seen = types(&events);
    for expected in ["filetransferinitialized", "uploadprocessing", "published"] {
        assert!(
            seen.contains(&expected.to_owned()),
            "{expected} in {seen:?}"
        );
    }
    // The subject header narrows to one party.
    let (_, events, _) = pull(&app, &sender_events, "after=0").await;
    let all = events.as_array().map(Vec::len).unwrap_or(0);
    let narrowed = app
        .client
        .get(app.url("/events/api/v1/events?after=0"))
        .bearer_auth(&sender_events)
        .header("subject", format!("/organisation/{a_no}"))
        .send()
        .await
        .expect("events")
        .json::<Value>()
        .await
        .expect("json");
    let narrowed = narrowed.as_array().expect("list");
    assert!(!narrowed.is_empty() && narrowed.len() < all);
    assert!(
        narrowed
            .iter()
            .all(|e| e["alternativesubject"] == format!("/organisation/{a_no}").as_str())
    );
}

/// What a receiver got: each request's signature header and body.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

/// A webhook receiver on loopback: records every request's signature header and body, answers
/// with the status the test sets.
struct Receiver {
    url: String,
    received: Received,
    status: std::sync::Arc<std::sync::atomic::AtomicU16>,
}

impl Receiver {
    fn start() -> Self {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let status = std::sync::Arc::new(std::sync::atomic::AtomicU16::new(200));
        let (seen, answer) = (received.clone(), status.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let (mut length, mut signature) = (0usize, String::new());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if let Some(v) = lower.strip_prefix("x-melding-signature:") {
                        signature = v.trim().to_owned();
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let code = answer.load(std::sync::atomic::Ordering::SeqCst);
                if code == 200 {
                    seen.lock().expect("lock").push((signature, body));
                }
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        Receiver {
            url,
            received,
            status,
        }
    }

    fn events(&self) -> Vec<(String, Value)> {
        self.received
            .lock()
            .expect("lock")
            .iter()
            .map(|(sig, body)| {
                (
                    sig.clone(),
                    serde_json::from_slice(body).unwrap_or(Value::Null),
                )
            })
            .collect()
    }
}

/// The worker delivering at `at` (its clock), as a process would.
async fn deliver_at(app: &TestApp, at: chrono::DateTime<chrono::Utc>) -> (usize, usize) {
    settled(app).await;
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let worker = crate::helpers::capture_worker(
            &pool,
            std::sync::Arc::new(melding::notify::ManualClock::new(at)),
            melding::notify::Settings::new("https://melding.example"),
        );
        let step = worker.step().expect("step");
        (step.events_delivered, step.events_failed)
    })
    .await
    .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_is_validated_then_gets_its_events_signed_in_order_and_again_after_a_failure()
{
    use chrono::{Duration, Utc};
    let app = TestApp::spawn().await;
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    world(&mut app.pool.get().expect("conn"), 1, &[]);
    let (_, a_no) = organisation(&app, 94000001, "Abonnent AS");
    let (_, other_no) = organisation(&app, 94000002, "Annen AS");
    let sender = token(&app, "974761076", &[SCOPE_WRITE], 10);
    let a_events = token(&app, &a_no, &[SCOPE_EVENTS], 10);
    let other_events = token(&app, &other_no, &[SCOPE_EVENTS], 10);
    let receiver = Receiver::start();
    let bystander = Receiver::start();
    let send = |n: u32| {
        let (app, sender, a_no) = (&app, &sender, a_no.clone());
        async move {
            let (status, sent) = post(
                app,
                sender,
                &json!({
                    "correspondence": {
                        "resourceId": "testbrev", "sendersReference": format!("W-{n}"),
                        "content": { "messageTitle": "Varsel", "messageBody": "Tekst." }
                    },
                    "recipients": [a_no]
                }),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{sent}");
            first_id(&sent)
        }
    };
    let subscribe = |token: String, url: String| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/events/api/v1/subscriptions"))
                .bearer_auth(token)
                .json(&json!({ "endPoint": url, "typeFilter": "no.altinn.correspondence.correspondencepublished" }))
                .send()
                .await
                .expect("subscribe")
        }
    };

    // Made, with its secret told once; validated by the worker before anything else.
    let made = subscribe(a_events.clone(), receiver.url.clone()).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.expect("json");
    let id = made["id"].as_i64().expect("id");
    let secret = made["secret"].as_str().expect("the secret").to_owned();
    assert_eq!(made["validated"], false);
    let other = subscribe(other_events.clone(), bystander.url.clone()).await;
    assert_eq!(other.status(), StatusCode::CREATED);
    let refused = subscribe(a_events.clone(), "ftp://example.no/x".to_owned()).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    deliver_at(&app, Utc::now()).await;
    let got = receiver.events();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1["type"], "platform.events.validatesubscription");
    let anonymous = app
        .client
        .get(app.url("/events/api/v1/subscriptions"))
        .send()
        .await
        .expect("list");
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "not without a token"
    );
    let listed: Value = app
        .client
        .get(app.url("/events/api/v1/subscriptions"))
        .bearer_auth(&a_events)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["count"], 1, "its own only: {listed}");
    let one: Value = app
        .client
        .get(app.url(&format!("/events/api/v1/subscriptions/{id}")))
        .bearer_auth(&a_events)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(one["validated"], true);
    assert!(one.get("secret").is_none(), "told once");

    // A message: delivered once, signed with the secret.
    let first = send(1).await;
    assert_eq!(deliver_at(&app, Utc::now()).await, (1, 0));
    let got = receiver.events();
    assert_eq!(got.len(), 2);
    let (signature, event) = &got[1];
    assert_eq!(
        event["type"],
        "no.altinn.correspondence.correspondencepublished"
    );
    assert_eq!(event["resourceinstance"], first.as_str());
    let body = &receiver.received.lock().expect("lock")[1].1.clone();
    assert_eq!(
        signature,
        &format!("sha256={}", melding::events::signature(&secret, body))
    );
    assert_eq!(deliver_at(&app, Utc::now()).await, (0, 0), "never twice");

    // The receiver is down: the delivery fails and is tried again on the schedule, in order.
    receiver
        .status
        .store(503, std::sync::atomic::Ordering::SeqCst);
    let second = send(2).await;
    let third = send(3).await;
    assert_eq!(deliver_at(&app, Utc::now()).await, (0, 1));
    assert_eq!(
        deliver_at(&app, Utc::now() + Duration::seconds(5)).await,
        (0, 0),
        "not before 10 s"
    );
    receiver
        .status
        .store(200, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        deliver_at(&app, Utc::now() + Duration::seconds(11)).await,
        (2, 0)
    );
    let order: Vec<String> = receiver
        .events()
        .iter()
        .skip(2)
        .filter_map(|(_, e)| e["resourceinstance"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(order, [second, third], "in order, each once");
    // Nothing about another party went to the other subscriber (beyond its validation).
    assert!(
        bystander
            .events()
            .iter()
            .all(|(_, e)| e["type"] == "platform.events.validatesubscription"),
        "{:?}",
        bystander.events()
    );
    // /metrics counts the deliveries by outcome (both subscriptions' validations included).
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains("melding_event_deliveries_total{outcome=\"delivered\"} 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains("melding_event_deliveries_total{outcome=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("melding_events_outbox_depth{state=\"behind\"} 0"),
        "{metrics}"
    );

    // Deleted: nothing more.
    let gone = app
        .client
        .delete(app.url(&format!("/events/api/v1/subscriptions/{id}")))
        .bearer_auth(&a_events)
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status(), StatusCode::OK);
    send(4).await;
    deliver_at(&app, Utc::now()).await;
    assert_eq!(receiver.events().len(), 4);
    let missing = app
        .client
        .get(app.url(&format!("/events/api/v1/subscriptions/{id}")))
        .bearer_auth(&a_events)
        .send()
        .await
        .expect("get");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_racing_deliver_each_event_once() {
    let app = TestApp::spawn().await;
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    world(&mut app.pool.get().expect("conn"), 1, &[]);
    let (_, a_no) = organisation(&app, 95000001, "Racer AS");
    let sender = token(&app, "974761076", &[SCOPE_WRITE], 10);
    let a_events = token(&app, &a_no, &[SCOPE_EVENTS], 10);
    let receiver = Receiver::start();
    let made = app
        .client
        .post(app.url("/events/api/v1/subscriptions"))
        .bearer_auth(&a_events)
        .json(&json!({ "endPoint": receiver.url }))
        .send()
        .await
        .expect("subscribe");
    assert_eq!(made.status(), StatusCode::CREATED);
    deliver_at(&app, chrono::Utc::now()).await;
    const MESSAGES: usize = 40;
    for n in 0..MESSAGES {
        let (status, sent) = post(
            &app,
            &sender,
            &json!({
                "correspondence": {
                    "resourceId": "testbrev", "sendersReference": format!("R-{n}"),
                    "content": { "messageTitle": "Kappløp", "messageBody": "Tekst." }
                },
                "recipients": [a_no]
            }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{sent}");
    }
    settled(&app).await;
    // Two workers step at the same time, again and again, until nothing is left.
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let pool = app.pool.clone();
            std::thread::spawn(move || {
                let worker = crate::helpers::capture_worker(
                    &pool,
                    std::sync::Arc::new(melding::notify::SystemClock),
                    melding::notify::Settings::new("https://melding.example"),
                );
                let mut delivered = 0;
                for _ in 0..20 {
                    delivered += worker.step().expect("step").events_delivered;
                }
                delivered
            })
        })
        .collect();
    let total: usize = workers.into_iter().map(|w| w.join().expect("join")).sum();
    let got = receiver.events();
    let published: Vec<String> = got
        .iter()
        .filter(|(_, e)| e["type"] == "no.altinn.correspondence.correspondencepublished")
        .filter_map(|(_, e)| e["id"].as_str().map(str::to_owned))
        .collect();
    let mut unique = published.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), MESSAGES, "every event arrived");
    assert_eq!(published.len(), MESSAGES, "none twice");
    assert_eq!(total, MESSAGES);
}
