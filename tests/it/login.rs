//! Login end to end against npm `oidc-provider` (OpenID Certified) configured like ID-porten,
//! started on loopback by the test; and the session, logout and CSRF rules around it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use melding::auth::keys::SigningKey;
use melding::config::Mode;
use reqwest::StatusCode;

use crate::helpers::TestApp;

const SESSION_COOKIE: &str = "melding-session";
const SUBSTANTIAL: &str = "idporten-loa-substantial";
const HIGH: &str = "idporten-loa-high";

/// The provider process; killed when dropped.
pub struct Provider {
    child: Child,
    pub issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum ClientAuth {
    Secret,
    /// The public JWKS for the provider, and the private key file for the app.
    Jwt {
        jwks: String,
        key_file: String,
    },
}

fn start_provider(app_port: u16, auth: &ClientAuth) -> Provider {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    assert!(
        dir.join("node_modules/oidc-provider").exists(),
        "oidc-provider is installed (scripts/test runs npm ci in tests/node)"
    );
    let mut cmd = Command::new("node");
    cmd.arg("oidc-provider.mjs")
        .current_dir(&dir)
        .env(
            "REDIRECT_URI",
            format!("http://127.0.0.1:{app_port}/auth/callback"),
        )
        .env(
            "POST_LOGOUT_REDIRECT_URI",
            format!("http://127.0.0.1:{app_port}/logged-out"),
        )
        .env("CLIENT_SECRET", "test-client-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    match auth {
        ClientAuth::Secret => cmd.env("CLIENT_AUTH", "secret"),
        ClientAuth::Jwt { jwks, .. } => cmd.env("CLIENT_AUTH", "jwt").env("CLIENT_JWKS", jwks),
    };
    let mut child = cmd.spawn().expect("node runs the provider");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the provider reports its port");
    let port = line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("unexpected provider output {line:?}"));
    Provider {
        child,
        issuer: format!("http://127.0.0.1:{port}"),
    }
}

/// The app wired to a fresh provider, like production is wired to ID-porten.
async fn app_with_provider(auth: ClientAuth, extra: &[(&str, &str)]) -> (TestApp, Provider) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("port");
    let port = listener.local_addr().expect("addr").port();
    let provider = start_provider(port, &auth);
    let mut vars = vec![
        ("MELDING_LOGIN", "idporten"),
        ("MELDING_IDPORTEN_ISSUER", provider.issuer.as_str()),
        ("MELDING_IDPORTEN_CLIENT_ID", "melding"),
    ];
    match &auth {
        ClientAuth::Secret => vars.push(("MELDING_IDPORTEN_CLIENT_SECRET", "test-client-secret")),
        ClientAuth::Jwt { key_file, .. } => {
            vars.push(("MELDING_IDPORTEN_CLIENT_KEY_FILE", key_file.as_str()))
        }
    }
    vars.extend_from_slice(extra);
    let app = TestApp::spawn_on(listener, Mode::Demo, &vars).await;
    (app, provider)
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{SESSION_COOKIE}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
}

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("url");
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let replaced = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), replaced)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// Starts a login at the app; returns the provider's authorize URL.
async fn begin(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{path} redirects to the provider"
    );
    location(&response)
}

/// Drives the provider from its authorize URL to the app's callback URL (not yet visited):
/// follows its redirects, and logs in with the given identity whenever it asks.
async fn authenticate(
    app: &TestApp,
    provider: &Provider,
    authorize_url: &str,
    pid: &str,
    acr: &str,
    sid: &str,
) -> String {
    let absolute = |next: String| {
        if next.starts_with('/') {
            format!("{}{next}", provider.issuer)
        } else {
            next
        }
    };
    let response = app
        .client
        .get(authorize_url)
        .send()
        .await
        .expect("authorize");
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "authorize: {:?}",
        response.text().await
    );
    let mut next = absolute(location(&response));
    for _ in 0..6 {
        if next.contains("/auth/callback") {
            return next;
        }
        let response = if next.contains("/interaction/") {
            app.client
                .post(format!("{next}/login"))
                .form(&[
                    ("pid", pid),
                    ("acr", acr),
                    ("sid", sid),
                    ("name", "Kari Testperson"),
                ])
                .send()
                .await
                .expect("interaction")
        } else {
            app.client.get(&next).send().await.expect("resume")
        };
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{next}: {:?}",
            response.text().await
        );
        next = absolute(location(&response));
    }
    panic!("the provider never sent the browser back: {next}");
}

async fn login(app: &TestApp, provider: &Provider, pid: &str) -> reqwest::Response {
    let authorize = begin(app, "/login?return_to=%2Faccessibility").await;
    let callback = authenticate(app, provider, &authorize, pid, SUBSTANTIAL, "sid-1").await;
    app.client.get(&callback).send().await.expect("callback")
}

fn pid() -> String {
    (100..999)
        .find_map(|n| melding::domain::NationalId::from_parts("150880", n))
        .expect("pid")
        .as_str()
        .to_owned()
}

async fn logged_in_name(app: &TestApp) -> Option<String> {
    let body = app.get("/accessibility").await.text().await.expect("body");
    body.split("class=\"site-header__user\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .map(str::to_owned)
}

#[derive(QueryableByName)]
struct SidRow {
    #[diesel(sql_type = Nullable<Text>)]
    idporten_sid: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_succeeds_creates_the_person_and_a_session() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    let response = login(&app, &provider, &pid()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        "/accessibility",
        "back where the login started"
    );
    assert!(session_cookie(&response).is_some());
    assert_eq!(
        logged_in_name(&app).await.as_deref(),
        Some("Kari Testperson")
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM parties WHERE national_id = '{}'",
            pid()
        )),
        1
    );
    let mut conn = app.pool.get().expect("conn");
    let rows: Vec<SidRow> =
        diesel::sql_query("SELECT idporten_sid FROM sessions WHERE person_id IS NOT NULL")
            .load(&mut conn)
            .expect("sessions");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].idporten_sid.as_deref(), Some("sid-1"));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'login' AND actor_person_id IS NOT NULL"
        ),
        1
    );
    // The pending login was used up.
    assert_eq!(app.count("SELECT count(*) AS n FROM login_requests"), 0);
    // Nothing in the audit log spells out the national identity number.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM audit_log WHERE details::text LIKE '%{}%'",
            pid()
        )),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_replayed_state_is_refused() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    let authorize = begin(&app, "/login").await;
    let callback = authenticate(&app, &provider, &authorize, &pid(), SUBSTANTIAL, "s").await;

    let forged = with_param(&callback, "state", "not-the-state-we-sent");
    let response = app.client.get(&forged).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Innloggingen mislyktes")
    );

    let first = app.client.get(&callback).send().await.expect("callback");
    assert_eq!(
        first.status(),
        StatusCode::SEE_OTHER,
        "the real state works once"
    );
    let replay = app.client.get(&callback).send().await.expect("callback");
    assert_eq!(
        replay.status(),
        StatusCode::BAD_REQUEST,
        "a replayed state is refused"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'login_failed'"),
        2
    );
}

/// Login CSRF: an attacker starts a login as themself, stops before the callback and gets a
/// victim's browser to open the callback URL. The pending login belongs to the attacker's
/// browser (its binding cookie), so the victim is not logged in, sees why, and the pending login
/// is spent; a login in one's own browser still works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_finished_in_another_browser_is_refused() {
    let (attacker, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    let victim = attacker.second_user();
    let authorize = begin(&attacker, "/login").await;
    let callback = authenticate(&attacker, &provider, &authorize, &pid(), SUBSTANTIAL, "s").await;

    let response = victim.client.get(&callback).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(session_cookie(&response).is_none(), "no session is started");
    let page = response.text().await.expect("body");
    assert!(page.contains("startet i en annen nettleser"), "{page}");
    assert_eq!(
        logged_in_name(&victim).await,
        None,
        "the victim is not logged in"
    );
    assert_eq!(
        victim.count("SELECT count(*) AS n FROM sessions WHERE person_id IS NOT NULL"),
        0
    );
    assert_eq!(
        victim.count(
            "SELECT count(*) AS n FROM audit_log WHERE action = 'login_failed' \
             AND details->>'reason' = 'the login was started in another browser'"
        ),
        1
    );

    // The attacker cannot use it afterwards either: it was spent.
    let late = attacker
        .client
        .get(&callback)
        .send()
        .await
        .expect("callback");
    assert_eq!(late.status(), StatusCode::BAD_REQUEST);
    assert_eq!(logged_in_name(&attacker).await, None);

    // A victim who opens a callback with no login cookie at all is refused the same way.
    let authorize = begin(&attacker, "/login").await;
    let callback = authenticate(&attacker, &provider, &authorize, &pid(), SUBSTANTIAL, "s").await;
    let fresh = attacker.second_user();
    let response = fresh.client.get(&callback).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(logged_in_name(&fresh).await, None);

    // Each browser logs in as itself.
    let response = login(&victim, &provider, &pid()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        logged_in_name(&victim).await.as_deref(),
        Some("Kari Testperson")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_code_is_refused() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    let authorize = begin(&app, "/login").await;
    let callback = authenticate(&app, &provider, &authorize, &pid(), SUBSTANTIAL, "s").await;
    assert_eq!(
        app.client.get(&callback).send().await.expect("cb").status(),
        StatusCode::SEE_OTHER
    );
    // A new login's state with the old code: the provider refuses the used code.
    let second = begin(&app, "/login").await;
    let state = query_param(&second, "state").expect("state");
    let replay = with_param(&callback, "state", &state);
    let response = app.client.get(&replay).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_nonce_is_refused() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    let authorize = begin(&app, "/login").await;
    // The ID token will carry a nonce the app never issued.
    let tampered = with_param(&authorize, "nonce", "someone-elses-nonce");
    let callback = authenticate(&app, &provider, &tampered, &pid(), SUBSTANTIAL, "s").await;
    let response = app.client.get(&callback).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(logged_in_name(&app).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lower_acr_than_asked_is_refused() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    let authorize = begin(&app, "/login?level=high").await;
    assert_eq!(query_param(&authorize, "acr_values").as_deref(), Some(HIGH));
    let callback = authenticate(&app, &provider, &authorize, &pid(), SUBSTANTIAL, "s").await;
    let response = app.client.get(&callback).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(logged_in_name(&app).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_changes_at_login_and_step_up_reaches_level_high() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    let first = login(&app, &provider, &pid()).await;
    let first_key = session_cookie(&first).expect("a session cookie");

    // Step up: a new login at level high comes back to the same page with a new session id.
    let authorize = begin(
        &app,
        &format!("/login?level=high&return_to={}", "%2Faccessibility%3Fx%3D1"),
    )
    .await;
    assert_eq!(query_param(&authorize, "acr_values").as_deref(), Some(HIGH));
    assert_eq!(
        query_param(&authorize, "prompt").as_deref(),
        Some("login"),
        "a step-up always authenticates again"
    );
    let callback = authenticate(&app, &provider, &authorize, &pid(), HIGH, "s2").await;
    let second = app.client.get(&callback).send().await.expect("callback");
    assert_eq!(location(&second), "/accessibility?x=1");
    let second_key = session_cookie(&second).expect("a new session cookie");
    assert_ne!(first_key, second_key, "the session id is renewed at login");

    // The old key no longer opens anything.
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let body = stale
        .get(app.url("/accessibility"))
        .header("cookie", format!("{SESSION_COOKIE}={first_key}"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(
        !body.contains("site-header__user"),
        "the pre-login session is gone"
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM sessions"), 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sessions WHERE state->>'level' = '4'"),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_absolute_expiry_end_the_session() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    login(&app, &provider, &pid()).await;
    assert!(logged_in_name(&app).await.is_some());

    // Use extends the idle time, but never past the absolute limit.
    let mut conn = app.pool.get().expect("conn");
    diesel::sql_query("UPDATE sessions SET expires_at = now() + interval '10 seconds', last_seen_at = now() - interval '5 minutes'")
        .execute(&mut conn)
        .expect("update");
    assert!(logged_in_name(&app).await.is_some());
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sessions WHERE expires_at > now() + interval '29 minutes' AND expires_at <= absolute_expires_at"
        ),
        1,
        "the idle deadline moved 30 minutes ahead"
    );

    // Idle too long: the session is over.
    diesel::sql_query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .expect("update");
    assert_eq!(logged_in_name(&app).await, None);

    // Absolute limit reached, however active.
    login(&app, &provider, &pid()).await;
    assert!(logged_in_name(&app).await.is_some());
    diesel::sql_query("UPDATE sessions SET absolute_expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .expect("update");
    assert_eq!(logged_in_name(&app).await, None);

    // The sweep removes what has expired.
    melding::auth::session_store::sweep(&mut conn).expect("sweep");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sessions WHERE person_id IS NOT NULL"),
        0
    );
}

fn csrf_token(body: &str) -> String {
    body.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSRF field")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_the_session_and_goes_to_end_session() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    login(&app, &provider, &pid()).await;
    let token = csrf_token(&app.get("/accessibility").await.text().await.expect("body"));
    let response = app
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = location(&response);
    assert!(
        target.starts_with(&format!("{}/session/end", provider.issuer)),
        "{target}"
    );
    assert!(query_param(&target, "id_token_hint").is_some_and(|t| t.split('.').count() == 3));
    assert_eq!(
        query_param(&target, "post_logout_redirect_uri"),
        Some(app.url("/logged-out"))
    );
    assert!(query_param(&target, "state").is_some_and(|s| s.len() >= 16));
    assert_eq!(logged_in_name(&app).await, None);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sessions WHERE person_id IS NOT NULL"),
        0
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'logout'"),
        1
    );
    // Logout is POST only.
    assert_eq!(app.get("/logout").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_channel_logout_by_sid_ends_the_session() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    login(&app, &provider, &pid()).await;
    // An unknown issuer changes nothing.
    let wrong = app
        .get("/auth/frontchannel-logout?iss=http%3A%2F%2Fevil.example&sid=sid-1")
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert!(logged_in_name(&app).await.is_some());

    let url = format!(
        "/auth/frontchannel-logout?iss={}&sid=sid-1",
        melding::web::context::encode_component(&provider.issuer)
    );
    let response = app.get(&url).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains(&format!("frame-ancestors {}", provider.issuer)),
        "{csp}"
    );
    assert_eq!(logged_in_name(&app).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_wrong_or_cross_origin_csrf_token_is_forbidden_and_changes_nothing() {
    let (app, provider) = app_with_provider(ClientAuth::Secret, &[]).await;
    login(&app, &provider, &pid()).await;
    let token = csrf_token(&app.get("/accessibility").await.text().await.expect("body"));

    let missing = app
        .client
        .post(app.url("/logout"))
        .send()
        .await
        .expect("post");
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let wrong = app
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", "0".repeat(64))])
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let cross = app
        .client
        .post(app.url("/logout"))
        .header("Origin", "https://evil.example")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert!(
        cross
            .text()
            .await
            .expect("body")
            .contains("Du har ikke tilgang"),
        "a friendly 403 page"
    );
    assert!(logged_in_name(&app).await.is_some(), "still logged in");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'logout'"),
        0
    );

    // The right token from this site works.
    let ok = app
        .client
        .post(app.url("/logout"))
        .header("Origin", app.address.as_str())
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_key_jwt_client_authentication_works() {
    let dir = std::env::temp_dir().join(format!("melding-jwt-{}", uuid::Uuid::now_v7().simple()));
    let key_path = dir.join("client.pem");
    let key = SigningKey::load_or_create(&key_path).expect("a client key");
    let jwks = serde_json::to_string(&vec![key.public_jwk()]).expect("jwks");
    let key_file = key_path.to_string_lossy().into_owned();
    let (app, provider) = app_with_provider(ClientAuth::Jwt { jwks, key_file }, &[]).await;
    let response = login(&app, &provider, &pid()).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        response.text().await
    );
    assert_eq!(
        logged_in_name(&app).await.as_deref(),
        Some("Kari Testperson")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_never_has_the_demo_provider() {
    let app = TestApp::spawn_serve().await;
    // Logout ends on ID-porten's end-session page: forms may lead there, and nowhere else.
    let csp = app.get("/").await.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("form-action 'self' https://test.idporten.no https://*.test.idporten.no;"),
        "{csp}"
    );
    for path in [
        "/demo-idp/.well-known/openid-configuration",
        "/demo-idp/authorize",
        "/demo-idp/jwks",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}
