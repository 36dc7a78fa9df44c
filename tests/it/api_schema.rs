//! A schema-conformance run over the API's own OpenAPI document with schemathesis (PyPI, installed
//! by scripts/test under target/schemathesis-venv): every generated request's answer must have a
//! declared status, media type and schema, no server error, 405 with `Allow` for a method a path
//! does not take. Left out: its "schema-valid data must be accepted" check, which takes a refusal
//! of an unknown service or recipient (a business rule no schema states) for a failure.

use melding::api::token::{SCOPE_READ, SCOPE_WRITE};

use crate::api::token;
use crate::helpers::TestApp;
use crate::notify::world;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_conforms_to_its_openapi_document() {
    run(
        "/correspondence/api/v1/openapi.json",
        &[SCOPE_WRITE, SCOPE_READ],
        &[],
    )
    .await;
}

/// The Broker API (Formidling) likewise, with a file-transfer service of the client's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_broker_api_conforms_to_its_openapi_document() {
    use melding::api::broker::{SCOPE_BROKER_READ, SCOPE_BROKER_WRITE};
    // TUS's PATCH body (`application/offset+octet-stream`) is one schemathesis cannot make;
    // tests/it/broker.rs sends it, broken off and resumed.
    run(
        "/broker/api/v1/openapi.json",
        &[SCOPE_BROKER_WRITE, SCOPE_BROKER_READ],
        &["--exclude-method", "PATCH"],
    )
    .await;
}

async fn run(document: &str, scopes: &[&str], extra: &[&str]) {
    let schemathesis = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/schemathesis-venv/bin/schemathesis");
    assert!(
        schemathesis.exists(),
        "schemathesis is installed (scripts/test installs it into target/schemathesis-venv)"
    );
    let app = TestApp::spawn_with(
        melding::config::Mode::Demo,
        &[("MELDING_API_RATE_PER_MINUTE", "1000000")],
    )
    .await;
    melding::access::reference::insert(&mut app.pool.get().expect("conn")).expect("reference data");
    world(&mut app.pool.get().expect("conn"), 2, &[]);
    let bearer = token(&app, "974761076", scopes, 30);
    let resource = app
        .client
        .put(app.url("/broker/api/v1/resource/filedeling"))
        .bearer_auth(token(
            &app,
            "974761076",
            &[melding::api::broker::SCOPE_BROKER_WRITE],
            5,
        ))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("a file-transfer service");
    assert!(resource.status().is_success());
    let spec = app.url(document);
    // The same inputs in CI; new ones on every other run.
    let seed = if std::env::var_os("CI").is_some() {
        "1".to_owned()
    } else {
        fastrand::u32(..).to_string()
    };
    let output = tokio::process::Command::new(&schemathesis)
        .args([
            "run",
            &spec,
            "--header",
            &format!("Authorization: Bearer {bearer}"),
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            "30",
            "--seed",
            &seed,
            "--no-color",
        ])
        .args(extra)
        .env("SCHEMATHESIS_TELEMETRY", "false")
        // Its cache of crashes stays under target/, out of the sources.
        .current_dir(schemathesis.parent().expect("the venv's bin"))
        .output()
        .await
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis (seed {seed}) found problems:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("passed"), "{report}");
}
