//! Generated input for `POST /correspondence` and the search parameters: whatever arrives, the
//! answer is a client error or a success, never a server error, and always problem details or
//! the documented JSON.

use melding::api::token::{SCOPE_READ, SCOPE_WRITE};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};
use reqwest::StatusCode;
use serde_json::{Map, Value, json};

use crate::api::token;
use crate::helpers::TestApp;
use crate::notify::world;

/// Strings that tend to break things: empty, long, NUL and other control characters, markup,
/// SQL, numbers of every kind, dates at and past the edges.
pub fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("\u{0}".to_owned()),
        Just("a\u{0}b".to_owned()),
        Just("'; DROP TABLE correspondences; --".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("9999-12-31T23:59:59Z".to_owned()),
        Just("+262143-12-31T23:59:59Z".to_owned()),
        Just("-262143-01-01T00:00:00Z".to_owned()),
        Just("0001-01-01T00:00:00Z".to_owned()),
        Just("2026-02-30T00:00:00Z".to_owned()),
        Just("urn:altinn:person:identifier-no:".to_owned()),
        Just("0192:".to_owned()),
        Just("974761076".to_owned()),
        Just("testbrev".to_owned()),
        Just("x".repeat(70_000)),
        Just("\u{202e}\u{fffd}\u{1f600}".to_owned()),
        "[0-9]{1,20}",
        "\\PC{0,40}",
        any::<String>(),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        nasty_string().prop_map(Value::from),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(nasty_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const CORRESPONDENCE_FIELDS: &[&str] = &[
    "resourceId",
    "sender",
    "sendersReference",
    "messageSender",
    "content",
    "requestedPublishTime",
    "dueDateTime",
    "isConfirmationNeeded",
    "replyOptions",
    "externalReferences",
    "notification",
    "ignoreReservation",
    "ignoreReservationReason",
    "existingAttachments",
];

/// A request shaped like a real one, with each field present or not, right or wrong.
fn shaped_request(recipient: String) -> impl Strategy<Value = Value> {
    let field = prop::sample::select(CORRESPONDENCE_FIELDS);
    (
        prop::collection::vec((field, any_json()), 0..8),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(nasty_string(), 0..4),
        prop::option::of(nasty_string()),
        any_json(),
    )
        .prop_map(
            move |(fields, good_base, keep_recipient, extra, key, content)| {
                let mut c = Map::new();
                if good_base {
                    c.insert("resourceId".into(), json!("testbrev"));
                    c.insert("sendersReference".into(), json!("F-1"));
                    c.insert(
                        "content".into(),
                        json!({ "messageTitle": "Tittel", "messageBody": "Tekst" }),
                    );
                }
                for (name, value) in fields {
                    if name == "content" {
                        c.insert(name.into(), content.clone());
                    } else {
                        c.insert(name.into(), value);
                    }
                }
                let mut recipients: Vec<Value> = extra.into_iter().map(Value::from).collect();
                if keep_recipient {
                    recipients.push(Value::from(recipient.clone()));
                }
                let mut body = json!({ "correspondence": c, "recipients": recipients });
                if let Some(key) = key {
                    body["idempotentKey"] = Value::from(key);
                }
                body
            },
        )
}

const SEARCH_FIELDS: &[&str] = &[
    "role",
    "onBehalfOf",
    "resourceId",
    "from",
    "to",
    "status",
    "sendersReference",
    "idempotentKey",
    "unread",
    "cursor",
    "limit",
];

fn search_query() -> impl Strategy<Value = Vec<(String, String)>> {
    let value = prop_oneof![
        nasty_string(),
        Just("recipient".to_owned()),
        Just("sender".to_owned()),
        Just("true".to_owned()),
        Just("-1".to_owned()),
        Just("1000".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("Published".to_owned()),
        Just("MTIzOm5vdC1hLXV1aWQ".to_owned()),
        // "<far future micros>:<uuid>" and "<far past micros>:<uuid>"
        Just(
            "ODIwMDAwMDAwMDAwMDAwMDAwMDowMTkwZDBiMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA"
                .to_owned()
        ),
        Just(
            "LTgyMDAwMDAwMDAwMDAwMDAwMDA6MDE5MGQwYjAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw"
                .to_owned()
        ),
        Just(
            "OTIyMzM3MjAzNjg1NDc3NTgwNzowMTkwZDBiMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA"
                .to_owned()
        ),
    ];
    // What fits in a URL: longer ones never leave the client.
    let value = value.prop_filter("fits a URL", |v| v.len() < 4_000);
    let name = prop_oneof![
        prop::sample::select(SEARCH_FIELDS).prop_map(str::to_owned),
        nasty_string()
    ]
    .prop_filter("fits a URL", |n| n.len() < 4_000);
    prop::collection::vec((name, value), 0..6)
}

/// An input shown in a failure report at most 400 characters long.
pub struct Shown<T>(pub T);

impl<T: std::fmt::Debug> std::fmt::Debug for Shown<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = format!("{:?}", self.0);
        match text.char_indices().nth(400) {
            Some((i, _)) => write!(f, "{}... ({} characters)", &text[..i], text.len()),
            None => f.write_str(&text),
        }
    }
}

/// Runs `cases` generated inputs through `check`, failing on the first input it refuses. New
/// inputs on every run here; in CI the same ones each time, so a landing does not depend on luck
/// (a failure prints its minimal input either way).
pub fn run_checked<S, F>(cases: u32, strategy: S, check: F)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Result<(), String>,
{
    let strategy = strategy.prop_map(Shown);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut runner = if std::env::var_os("CI").is_some() {
        let rng = TestRng::deterministic_rng(config.rng_algorithm);
        TestRunner::new_with_rng(config, rng)
    } else {
        TestRunner::new(config)
    };
    let outcome = runner.run(&strategy, |Shown(input)| {
        check(input).map_err(TestCaseError::fail)
    });
    if let Err(e) = outcome {
        panic!("generated input broke it: {e}");
    }
}

/// Runs `cases` generated inputs through `call`: never a server error, and every client error
/// as problem details.
fn run<S, F>(cases: u32, strategy: S, call: F)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> (StatusCode, String, String),
{
    run_checked(cases, strategy, |input| {
        let (status, content_type, body) = call(input);
        if status.is_server_error() {
            return Err(format!("{status}: {body}"));
        }
        if status.is_client_error() && content_type != "application/problem+json" {
            return Err(format!(
                "{status} without problem details ({content_type}): {body}"
            ));
        }
        Ok(())
    });
}

pub fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}

pub async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, String, String) {
    let response = request.send().await.expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.text().await.unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_and_searches_never_get_a_server_error() {
    let app = TestApp::spawn_with(
        melding::config::Mode::Demo,
        &[("MELDING_API_RATE_PER_MINUTE", "1000000")],
    )
    .await;
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    let w = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let writer = token(&app, "974761076", &[SCOPE_WRITE], 30);
    let both = token(&app, "974761076", &[SCOPE_WRITE, SCOPE_READ], 30);
    let reader = token(&app, "974761076", &[SCOPE_READ], 30);
    let send_url = app.url("/correspondence/api/v1/correspondence");

    run(
        300,
        shaped_request(w.persons[0].1.as_str().to_owned()),
        |body| {
            block_on(answer(
                app.client.post(&send_url).bearer_auth(&writer).json(&body),
            ))
        },
    );
    run(100, any_json(), |body| {
        block_on(answer(
            app.client.post(&send_url).bearer_auth(&writer).json(&body),
        ))
    });
    run(50, prop::collection::vec(any::<u8>(), 0..200), |bytes| {
        block_on(answer(
            app.client
                .post(&send_url)
                .bearer_auth(&writer)
                .header("content-type", "application/json")
                .body(bytes),
        ))
    });
    for token in [&writer, &both, &reader] {
        run(150, search_query(), |query| {
            block_on(answer(
                app.client.get(&send_url).bearer_auth(token).query(&query),
            ))
        });
    }
}
