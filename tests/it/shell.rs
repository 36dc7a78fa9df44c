//! The page shell over HTTP: security headers, error pages, language choice, health.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/accessibility", "/does-not-exist"] {
        let response = app.get(path).await;
        let h = response.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: CSP {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: no inline scripts"
        );
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{path}: frame-ancestors"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.contains_key("permissions-policy"), "{path}");
        assert_eq!(
            h["cache-control"], "no-store",
            "{path}: personal pages are never stored"
        );
    }
    // Static assets may be cached, and still get nosniff.
    let css = app.get("/static/melding.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(css.headers()["x-content-type-options"], "nosniff");
    // The vendor folder's package files are not served.
    assert_eq!(
        app.get("/static/vendor/package.json").await.status(),
        StatusCode::NOT_FOUND
    );
    let ds = app.get("/static/ds/src/index.css").await;
    assert_eq!(ds.status(), StatusCode::OK, "Designsystemet CSS is served");
    assert!(ds.text().await.expect("body").contains(".ds-button"));
}

#[tokio::test]
async fn not_found_is_a_friendly_page_in_each_language_with_a_correlation_id() {
    let app = TestApp::spawn().await;
    let cases = [
        ("nb", "Vi fant ikke siden", "Oppgi denne referansen"),
        (
            "nn",
            "Vi fann ikkje sida",
            "Oppgi denne referansen dersom du kontaktar oss",
        ),
        ("en", "We could not find that page", "Quote this reference"),
    ];
    for (lang, heading, reference) in cases {
        let response = app
            .client
            .get(app.url("/missing/page"))
            .header("Accept-Language", lang)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/html")
        );
        let body = response.text().await.expect("body");
        assert!(
            body.contains(&format!("<html lang=\"{lang}\"")),
            "{lang}: html lang"
        );
        assert!(body.contains(heading), "{lang}: heading in {body}");
        assert!(body.contains(reference), "{lang}: reference text");
        let id = body
            .split("class=\"correlation-id\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap_or("");
        assert_eq!(
            id.len(),
            36,
            "{lang}: a correlation id (uuid) is shown, got {id:?}"
        );
    }
}

#[tokio::test]
async fn language_switch_sets_a_cookie_and_returns_to_the_page() {
    let app = TestApp::spawn().await;
    // Without a choice, the browser's language decides; nb is the default.
    let body = app.get("/").await.text().await.expect("body");
    assert!(body.contains("<html lang=\"nb\""));
    assert!(body.contains("Digital post fra det offentlige"));

    let response = app.get("/language/nn?return_to=%2Faccessibility").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/accessibility");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(cookie.starts_with("melding_lang=nn"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    // The cookie now wins over Accept-Language.
    let body = app.page_in("/accessibility", "en").await;
    assert!(body.contains("<html lang=\"nn\""));
    assert!(body.contains("Tilgjengeerklæring"));

    // The way back only goes to this site.
    let response = app
        .get("/language/en?return_to=https%3A%2F%2Fevil.example")
        .await;
    assert_eq!(response.headers()["location"], "/");
    let response = app.get("/language/en?return_to=%2F%2Fevil.example").await;
    assert_eq!(response.headers()["location"], "/");
    // An unknown language is a 404.
    assert_eq!(
        app.get("/language/de").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn accept_language_picks_english_when_no_cookie() {
    let app = TestApp::spawn().await;
    let body = app.page_in("/", "en-GB,en;q=0.9,nb;q=0.5").await;
    assert!(body.contains("<html lang=\"en\""));
    assert!(body.contains("Digital mail from the public sector"));
}

#[tokio::test]
async fn health_endpoints_report_the_process_and_the_database() {
    let app = TestApp::spawn().await;
    let live = app.get("/health/live").await;
    assert_eq!(live.status(), StatusCode::OK);
    assert_eq!(
        live.json::<serde_json::Value>().await.expect("json")["status"],
        "ok"
    );
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(
        ready.json::<serde_json::Value>().await.expect("json")["database"],
        "ok"
    );
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);
    app.drop_database();
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        ready.json::<serde_json::Value>().await.expect("json")["database"],
        "unreachable"
    );
    assert_eq!(
        app.get("/health/live").await.status(),
        StatusCode::OK,
        "the process itself is alive"
    );
}

#[tokio::test]
async fn production_front_page_lists_no_demo_personas() {
    let app = TestApp::spawn_serve().await;
    app.seed_demo();
    let body = app.get("/").await.text().await.expect("body");
    assert!(!body.contains("Demopersoner"), "no personas outside demo");
    assert!(
        !body.contains("site-header__demo"),
        "no demo banner outside demo"
    );
}

#[tokio::test]
async fn the_benchmark_baseline_reads_twelve_rows_escaped_and_only_in_demo() {
    let demo = TestApp::spawn().await;
    melding::access::reference::insert(&mut demo.pool.get().expect("conn")).expect("reference");
    let response = demo.get("/bench/baseline").await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let body = response.text().await.expect("body");
    assert_eq!(
        body.matches("<tr><td>").count(),
        13,
        "12 rows and the one added"
    );
    assert!(body.contains("&#60;og escapet&#62;"), "{body}");
    assert!(
        body.find("Daglig leder") < body.find("Styrets leder"),
        "sorted"
    );
    let serve = TestApp::spawn_serve().await;
    assert_eq!(
        serve.get("/bench/baseline").await.status(),
        reqwest::StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_server_error_is_a_friendly_page_with_a_correlation_id_and_no_details() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    // The demo front page reads the personas from the database, which is now gone.
    app.drop_database();
    let response = app
        .client
        .get(app.url("/"))
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.text().await.expect("body");
    assert!(body.contains("Something went wrong on our side"), "{body}");
    assert!(body.contains("class=\"correlation-id\""));
    assert!(
        !body.to_lowercase().contains("database"),
        "no internal details leak to the user"
    );
    // The page still comes with its headers.
    let again = app.get("/").await;
    assert_eq!(again.headers()["cache-control"], "no-store");
    assert!(
        again
            .text()
            .await
            .expect("body")
            .contains("Noe gikk galt hos oss")
    );
}
