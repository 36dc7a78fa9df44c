//! Browser tests: Debian's Chromium driven headless through chromedriver (WebDriver), with an
//! axe-core accessibility check on every page visited.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::TestApp;

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session; the driver process is killed when this is dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    profile: PathBuf,
}

fn find(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| (*p).to_owned())
}

impl Browser {
    pub async fn start(lang: &str) -> Browser {
        let chromedriver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])
            .expect("chromedriver is installed (scripts/test installs chromium-driver)");
        let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"])
            .expect("chromium is installed (scripts/test installs it)");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == json!(true)
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!(
            "melding-chromium-{}",
            uuid::Uuid::now_v7().simple()
        ));
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--window-size=1280,1024",
                        format!("--lang={lang}"), format!("--user-data-dir={}", profile.display()),
                    ],
                    "prefs": { "intl.accept_languages": lang }
                }
            }}
        });
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            http,
            profile,
        };
        let created = browser.call("POST", "/session", caps).await;
        browser.session = created["sessionId"]
            .as_str()
            .expect("a WebDriver session id")
            .to_owned();
        browser
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let response = request.send().await.expect("WebDriver answers");
        let status = response.status();
        let value: Value = response.json().await.expect("WebDriver JSON");
        assert!(
            status.is_success(),
            "WebDriver {method} {path} failed: {value}"
        );
        value.get("value").cloned().unwrap_or(value)
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Saves the page as `target/screenshots/<name>-<width>.png` at `width` x `height`, for people
    /// to look at (it asserts nothing), then goes back to the usual window size.
    pub async fn screenshot(&self, name: &str, width: u32, height: u32) {
        use base64::Engine;
        let rect = |w: u32, h: u32| json!({ "width": w, "height": h });
        self.call(
            "POST",
            &self.session_path("/window/rect"),
            rect(width, height),
        )
        .await;
        let png = self
            .call("GET", &self.session_path("/screenshot"), json!({}))
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("a PNG");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}-{width}.png")), bytes).expect("screenshot");
        self.call("POST", &self.session_path("/window/rect"), rect(1280, 1024))
            .await;
    }

    /// Logs in through the demo provider's login page as `persona`, as a person would.
    pub async fn log_in_as(
        &self,
        app: &TestApp,
        persona: &melding::auth::demo_idp::personas::Persona,
    ) {
        self.goto(&app.url("/login")).await;
        self.click(&format!(
            "button[name=persona][value='{}']",
            persona.national_id().as_str()
        ))
        .await;
        self.wait_for("document.querySelector('.site-header__user')")
            .await;
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", &self.session_path("/url"), json!({ "url": url }))
            .await;
    }

    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            &self.session_path("/execute/sync"),
            json!({ "script": script, "args": args }),
        )
        .await
    }

    pub async fn execute_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            &self.session_path("/execute/async"),
            json!({ "script": script, "args": [] }),
        )
        .await
    }

    pub async fn title(&self) -> String {
        self.execute("return document.title", json!([]))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn current_path(&self) -> String {
        self.execute("return location.pathname + location.search", json!([]))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                "POST",
                &self.session_path("/element"),
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        found[ELEMENT_KEY]
            .as_str()
            .expect("element reference")
            .to_owned()
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(
            "POST",
            &self.session_path(&format!("/element/{element}/click")),
            json!({}),
        )
        .await;
    }

    /// Waits (up to 10 s) until `condition` (a JavaScript expression) is true: navigations that
    /// go through redirect chains finish after WebDriver's click returns.
    pub async fn wait_for(&self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ok = self
                .execute(
                    &format!("try {{ return !!({condition}); }} catch (e) {{ return false; }}"),
                    json!([]),
                )
                .await;
            if ok == json!(true) {
                return;
            }
            let page = self.current_path().await;
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {condition} on {page}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(
            "POST",
            &self.session_path(&format!("/element/{element}/value")),
            json!({ "text": text }),
        )
        .await;
    }

    pub async fn text_of(&self, css: &str) -> String {
        self.execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';",
            json!([css]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Presses a key (WebDriver key code, e.g. `\u{E004}` for Tab) on the focused element.
    pub async fn press(&self, key: &str) {
        let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
        ]}]});
        self.call("POST", &self.session_path("/actions"), actions)
            .await;
    }

    /// Text and tag of the focused element.
    pub async fn focused(&self) -> (String, String) {
        let v = self
            .execute("const e = document.activeElement; return [e.tagName, (e.textContent || '').trim()];", json!([]))
            .await;
        (
            v[0].as_str().unwrap_or_default().to_owned(),
            v[1].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// Runs axe-core on the current page and fails on any serious or critical violation.
    pub async fn assert_accessible(&self) {
        let axe = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/node/node_modules/axe-core/axe.min.js"),
        )
        .expect("axe-core is installed (scripts/test runs npm ci in tests/node)");
        self.execute(&axe, json!([])).await;
        let violations = self
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))))
                    .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), targets: [] }]));",
            )
            .await;
        let list = violations.as_array().cloned().unwrap_or_default();
        let severe: Vec<&Value> = list
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        let path = self.current_path().await;
        assert!(
            severe.is_empty(),
            "axe found serious or critical violations on {path}: {severe:#?}"
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End the session so Chromium quits (killing the driver alone leaves the browser running).
        // Drop cannot await, so this is a plain blocking HTTP request.
        if let Some(addr) = self
            .base
            .strip_prefix("http://")
            .and_then(|a| a.parse::<std::net::SocketAddr>().ok())
            && let Ok(mut stream) =
                std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        {
            use std::io::{Read, Write};
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut reply = Vec::new();
                let _ = stream.read_to_end(&mut reply);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Anything still using this test's profile (a crashed session) goes too.
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(self.profile.as_os_str())
            .status();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_page_is_styled_accessible_and_keyboard_usable() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let browser = Browser::start("nb").await;
    browser.goto(&app.url("/")).await;
    assert_eq!(
        browser.title().await,
        "Digital post fra det offentlige – melding"
    );

    // The Designsystemet stylesheet is loaded and applied (not just linked).
    let styled = browser
        .execute(
            "return getComputedStyle(document.querySelector('.site-header')).backgroundColor",
            json!([]),
        )
        .await;
    assert_eq!(
        styled,
        json!("rgb(2, 47, 81)"),
        "the header has the organisation navy"
    );
    // Designsystemet's heading weight (500) replaces the browser's bold h1.
    let heading_weight = browser
        .execute(
            "return getComputedStyle(document.querySelector('h1')).fontWeight",
            json!([]),
        )
        .await;
    assert_eq!(
        heading_weight,
        json!("500"),
        "Designsystemet CSS is served and applied"
    );

    // Demo personas are listed with their synthetic identities.
    let rows = browser
        .execute(
            "return document.querySelectorAll('.personas tbody tr').length",
            json!([]),
        )
        .await;
    assert_eq!(rows, json!(8));
    browser.assert_accessible().await;

    // Keyboard: the first Tab reaches the skip link, which moves focus to the main content.
    browser.press("\u{E004}").await;
    let (tag, text) = browser.focused().await;
    assert_eq!(
        (tag.as_str(), text.as_str()),
        ("A", "Hopp til hovedinnhold")
    );
    browser.press("\u{E007}").await;
    let (tag, _) = browser.focused().await;
    assert_eq!(tag, "MAIN");

    // The language switch is a plain link and the choice sticks.
    browser.click("a[lang='en']").await;
    browser
        .wait_for("document.documentElement.lang === 'en'")
        .await;
    assert_eq!(
        browser.title().await,
        "Digital mail from the public sector – melding"
    );
    browser.goto(&app.url("/accessibility")).await;
    assert_eq!(browser.title().await, "Accessibility statement – melding");
    browser.assert_accessible().await;

    // The error page is accessible too.
    browser.goto(&app.url("/no/such/page")).await;
    assert_eq!(
        browser.title().await,
        "We could not find that page – melding"
    );
    browser.assert_accessible().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_through_the_demo_provider_shows_the_name_in_the_header() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    let browser = Browser::start("nb").await;
    browser.goto(&app.url("/accessibility")).await;
    browser.click("a.site-header__login").await;
    browser
        .wait_for("location.pathname.startsWith('/demo-idp/authorize')")
        .await;
    assert_eq!(browser.title().await, "Testinnlogging (demo) – melding");
    assert!(
        browser
            .current_path()
            .await
            .starts_with("/demo-idp/authorize")
    );
    browser.assert_accessible().await;

    // A mistyped number is explained next to the field, and what was typed is kept.
    browser.type_into("#national_id", "12345678901").await;
    browser
        .click("form.demo-login__form button[type=submit]:not([name])")
        .await;
    browser
        .wait_for("document.querySelector('#national_id-error')")
        .await;
    let message = browser.text_of("#national_id-error").await;
    if message.is_empty() {
        let page = browser
            .execute("return document.body.innerText", json!([]))
            .await;
        panic!("no field message; the page says: {page}");
    }
    assert!(
        message.contains("kontrollsifrene stemmer ikke"),
        "{message}"
    );
    let kept = browser
        .execute(
            "return document.querySelector('#national_id').value",
            json!([]),
        )
        .await;
    assert_eq!(kept, json!("12345678901"));
    browser.assert_accessible().await;

    // Pick a persona: the app's OIDC client completes the login and returns to the page.
    let kari = melding::auth::demo_idp::personas::CITIZEN.national_id();
    browser
        .click(&format!("button[name=persona][value='{}']", kari.as_str()))
        .await;
    browser
        .wait_for("document.querySelector('.site-header__user')")
        .await;
    assert_eq!(browser.current_path().await, "/accessibility");
    assert_eq!(browser.text_of(".site-header__user").await, "Kari Nordmann");
    browser.assert_accessible().await;

    // Logging out goes through the provider's end_session and lands on the logged-out page.
    browser.click(".site-header__logout button").await;
    browser
        .wait_for("location.pathname === '/logged-out'")
        .await;
    assert_eq!(
        browser.current_path().await.split('?').next(),
        Some("/logged-out")
    );
    assert_eq!(browser.title().await, "Du er logget ut – melding");
    assert_eq!(browser.text_of(".site-header__user").await, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_pages_are_accessible_and_work_without_javascript() {
    use melding::auth::demo_idp::personas::{MUNICIPAL_ADMIN, MUNICIPAL_CLERK};
    let app = TestApp::spawn().await;
    app.seed_demo();
    let browser = Browser::start("en").await;
    browser.log_in_as(&app, &MUNICIPAL_ADMIN).await;
    browser.goto(&app.url("/access")).await;
    assert_eq!(browser.title().await, "My access – melding");
    browser.assert_accessible().await;

    // To the organisation's access management, through the link on "My access".
    browser.click("a[href^='/access/']").await;
    browser
        .wait_for("document.title.startsWith('Access management')")
        .await;
    assert!(
        browser
            .title()
            .await
            .starts_with("Access management: Fjellvik kommune")
    );
    assert!(
        browser
            .text_of(".ds-alert[data-color=danger] h2")
            .await
            .contains("Confidential mail to the business")
    );
    browser.assert_accessible().await;

    // The warning's one-click path preselects the package; fill in the person and grant.
    browser
        .click(".ds-alert[data-color=danger] a.ds-button")
        .await;
    browser
        .wait_for("location.search.includes('package=')")
        .await;
    let chosen = browser
        .execute("return document.querySelector('#what').value", json!([]))
        .await;
    assert_eq!(chosen, json!("package:confidential-mail"));
    browser
        .type_into("#national_id", MUNICIPAL_CLERK.national_id().as_str())
        .await;
    browser.type_into("#last_name", "Olsen").await;
    browser.click(".grant-form button[type=submit]").await;
    browser
        .wait_for("location.search.includes('done=granted')")
        .await;
    assert_eq!(
        browser.text_of(".ds-alert[data-color=success]").await,
        "Per Olsen now has access to “Confidential mail to the business”."
    );
    assert_eq!(
        browser.text_of(".ds-alert[data-color=danger] h2").await,
        "",
        "nobody-holds warning gone"
    );
    browser.assert_accessible().await;

    // A form error is shown by the field and is accessible too.
    browser.type_into("#national_id", "123").await;
    browser.click(".grant-form button[type=submit]").await;
    browser
        .wait_for("document.querySelector('#national_id-error')")
        .await;
    assert!(
        browser
            .text_of("#national_id-error")
            .await
            .contains("it must be 11 digits")
    );
    // The error summary at the top has the focus (no script needed: autofocus), and its link
    // goes to the field.
    browser
        .wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
        .await;
    let (tag, _) = browser.focused().await;
    assert_eq!(tag.to_lowercase(), "div");
    assert!(
        browser
            .text_of("#error-summary")
            .await
            .contains("it must be 11 digits")
    );
    browser.click("#error-summary a[href='#national_id']").await;
    browser.wait_for("location.hash === '#national_id'").await;
    browser.assert_accessible().await;

    // Giving an organisation's systems access (the API): an error by its field, accessible too.
    browser.type_into("#org_number", "123").await;
    browser
        .click("#systems .grant-form button[type=submit]")
        .await;
    browser
        .wait_for("document.querySelector('#org_number-error')")
        .await;
    assert!(
        browser
            .text_of("#org_number-error")
            .await
            .contains("9 digits")
    );
    browser.assert_accessible().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accountant_finds_a_client_reads_confirms_and_archives() {
    use melding::auth::demo_idp::personas::ACCOUNTANT;
    let app = TestApp::spawn().await;
    app.seed_demo();
    // A client with a tax message that has attachments and needs confirmation.
    let (client, message, title) = {
        use diesel::connection::SimpleConnection;
        let mut conn = app.pool.get().expect("conn");
        let message = crate::helpers::text(
            &mut conn,
            &format!(
                "SELECT c.id::text AS t FROM correspondences c JOIN er_roles r ON r.org_id = c.recipient_id \
                 JOIN parties p ON p.id = r.person_id \
                 WHERE p.name = 'Ola Hansen' AND r.role_code = 'REGN' AND c.service_id = 'skatt-mva-kontroll' \
                   AND c.attachment_count > 0 AND {} ORDER BY c.published_at DESC LIMIT 1",
                "delivered(c.published_at, c.status)"
            ),
        );
        conn.batch_execute(&format!(
            "UPDATE correspondences SET folder = 'inbox', first_read_at = NULL, confirmation_needed = true, confirmed_at = NULL, \
             due_at = now() + interval '20 days', status = 'Published', published_at = now() - interval '1 hour' WHERE id = '{message}'"
        ))
        .expect("prepare");
        let client = crate::helpers::text(
            &mut conn,
            &format!(
                "SELECT p.name AS t FROM correspondences c JOIN parties p ON p.id = c.recipient_id WHERE c.id = '{message}'"
            ),
        );
        let title = crate::helpers::text(
            &mut conn,
            &format!("SELECT title AS t FROM correspondences WHERE id = '{message}'"),
        );
        (client, message, title)
    };
    let browser = Browser::start("nb").await;
    browser.log_in_as(&app, &ACCOUNTANT).await;

    browser.goto(&app.url("/inbox/parties")).await;
    browser.assert_accessible().await;
    browser.type_into("#q", &client).await;
    browser.click("form[role=search] button").await;
    browser
        .wait_for("document.querySelectorAll('.party-list a').length === 1")
        .await;
    browser.click(".party-list a").await;
    browser
        .wait_for("document.title.startsWith('Innboks')")
        .await;
    assert!(
        browser
            .title()
            .await
            .starts_with(&format!("Innboks: {client}"))
    );
    // The header says whom she now acts for: the client, by name and organisation number.
    let header = browser.text_of(".site-header__who").await;
    assert!(
        header.contains(&format!("på vegne av {client}")) && header.contains("org.nr."),
        "{header}"
    );
    browser.assert_accessible().await;

    // Search finds the message; open it.
    let word = title.split(' ').next().unwrap_or("Varsel").to_owned();
    browser.type_into("#q", &word).await;
    browser.click(".inbox-filters button[type=submit]").await;
    browser.wait_for("location.search.includes('q=')").await;
    assert!(browser.text_of(".message-list").await.contains(&title));
    browser.screenshot("inbox-search", 390, 844).await;
    browser.screenshot("inbox-search", 1366, 900).await;
    browser
        .click(&format!("a[href^='/inbox/messages/{message}']"))
        .await;
    browser.wait_for("document.querySelector('.message')").await;
    assert_eq!(browser.title().await, format!("{title} – melding"));
    browser.assert_accessible().await;

    // Download an attachment (the page stays), confirm, then archive.
    let download = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('.attachment-list a').href)
               .then(r => r.blob().then(b => done([r.status, r.headers.get('content-disposition'), b.size])))
               .catch(e => done([0, String(e), 0]));",
        )
        .await;
    assert_eq!(download[0], json!(200), "{download}");
    assert!(
        download[1]
            .as_str()
            .unwrap_or("")
            .starts_with("attachment; filename="),
        "{download}"
    );
    assert!(download[2].as_u64().unwrap_or(0) > 0);
    browser.click("form[action*='/confirm'] button").await;
    browser
        .wait_for("location.search.includes('done=confirmed')")
        .await;
    assert_eq!(
        browser.text_of(".ds-alert[data-color=success]").await,
        "Takk, meldingen er bekreftet."
    );
    browser.assert_accessible().await;
    browser
        .click("form[action*='/move'] input[value=archive] + button")
        .await;
    browser
        .wait_for("location.search.includes('done=archive')")
        .await;
    assert_eq!(
        browser.text_of(".ds-alert[data-color=success]").await,
        "Meldingen er flyttet til arkivet."
    );
    browser
        .click(".folder-tabs a[href*='folder=archive']")
        .await;
    browser
        .wait_for("location.search.includes('folder=archive') && !location.search.includes('done')")
        .await;
    assert!(
        browser.text_of(".message-list").await.contains(&title),
        "found in the archive"
    );
    browser.assert_accessible().await;
    assert_eq!(
        app.count(&format!("SELECT count(*) AS n FROM correspondence_events WHERE correspondence_id = '{message}' AND status = 'AttachmentsDownloaded'")),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_composes_checks_and_sends_and_sees_the_recipient_open_it() {
    use melding::auth::demo_idp::personas::{MUNICIPAL_ADMIN, SENDER};
    let app = TestApp::spawn().await;
    app.seed_demo();
    let (owner, fjellvik) = {
        let mut conn = app.pool.get().expect("conn");
        (
            crate::helpers::text(
                &mut conn,
                "SELECT party_id::text AS t FROM service_owners WHERE short_name = 'skatteetaten'",
            ),
            crate::helpers::text(
                &mut conn,
                "SELECT org_number AS t FROM parties WHERE name = 'Fjellvik kommune'",
            ),
        )
    };
    let browser = Browser::start("nb").await;
    browser.log_in_as(&app, &SENDER).await;
    browser.goto(&app.url("/admin")).await;
    browser.assert_accessible().await;
    browser
        .goto(&app.url(&format!("/admin/services?owner={owner}")))
        .await;
    browser.assert_accessible().await;
    browser
        .goto(&app.url(&format!("/admin/services/new?owner={owner}")))
        .await;
    browser.assert_accessible().await;

    // Compose to the municipality, check the recipients, send.
    browser
        .goto(&app.url(&format!("/admin/compose?owner={owner}")))
        .await;
    browser.assert_accessible().await;
    browser.type_into("#recipients", &fjellvik).await;
    browser
        .execute(
            "document.querySelector('#service').value = 'skatt-a-melding';",
            json!([]),
        )
        .await;
    browser.type_into("#senders_reference", "A-2026-11").await;
    browser
        .type_into("#title", "Avvik i a-meldingen for oktober")
        .await;
    browser
        .type_into("#body", "Vi har funnet **avvik** i a-meldingen.")
        .await;
    let file = app.data_dir.join("avviksrapport.pdf");
    std::fs::write(&file, b"%PDF-1.4 avviksrapport").expect("file");
    browser
        .type_into("#new_attachment", file.to_str().expect("path"))
        .await;
    browser.click("button[value=preflight]").await;
    browser
        .wait_for("document.querySelector('#preflight-heading')")
        .await;
    assert!(
        browser
            .text_of(".preflight [role=status]")
            .await
            .starts_with("Én mottaker: 1 klare")
    );
    browser.assert_accessible().await;
    browser.click("button[value=send]").await;
    browser
        .wait_for("location.search.includes('done=sent')")
        .await;
    assert_eq!(
        browser.text_of(".ds-alert[data-color=success]").await,
        "Meldingen er sendt."
    );
    browser.assert_accessible().await;
    let sending = browser
        .current_path()
        .await
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();

    // Someone at the municipality who can read it opens it.
    let message = {
        let mut conn = app.pool.get().expect("conn");
        crate::helpers::text(
            &mut conn,
            "SELECT c.id::text AS t FROM correspondences c JOIN sendings g ON g.id = c.sending_id \
             WHERE g.channel = 'form' ORDER BY c.created_at DESC LIMIT 1",
        )
    };
    let reader = app.second_user();
    reader
        .login_as(MUNICIPAL_ADMIN.national_id().as_str(), "substantial")
        .await;
    let party = {
        let mut conn = app.pool.get().expect("conn");
        crate::helpers::text(
            &mut conn,
            &format!("SELECT recipient_id::text AS t FROM correspondences WHERE id = '{message}'"),
        )
    };
    let opened = reader
        .get(&format!("/inbox/messages/{message}?party={party}"))
        .await;
    assert_eq!(opened.status(), reqwest::StatusCode::OK);

    // The sender's view shows it opened.
    browser
        .goto(&app.url(&format!("{sending}?owner={owner}")))
        .await;
    let row = browser.text_of("tbody tr").await;
    assert!(row.contains("Fjellvik kommune"), "{row}");
    assert!(row.contains("Lest"), "opened: {row}");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE id = '{message}' AND first_read_at IS NOT NULL \
             AND attachment_count = 1"
        )),
        1,
        "opened, with its attachment"
    );
    browser
        .goto(&app.url(&format!("/admin/sent?owner={owner}")))
        .await;
    browser.assert_accessible().await;
    browser
        .goto(&app.url(&format!("/admin/reports?owner={owner}")))
        .await;
    browser.assert_accessible().await;
    browser
        .goto(&app.url(&format!("/admin/compose/csv?owner={owner}")))
        .await;
    browser.assert_accessible().await;
    // Check a CSV file before sending: its bad lines are named, nothing is sent.
    let csv = app.data_dir.join("mottakere.csv");
    std::fs::write(
        &csv,
        format!("mottaker\n{fjellvik}\n12345678901\n{fjellvik}\n"),
    )
    .expect("csv");
    browser
        .type_into("#recipients_file", csv.to_str().expect("path"))
        .await;
    browser
        .execute(
            "document.querySelector('#service').value = 'skatt-a-melding';",
            json!([]),
        )
        .await;
    browser.type_into("#senders_reference", "A-2026-12").await;
    browser.type_into("#title", "Varsel om kontroll").await;
    browser
        .type_into("#body", "Vi kontrollerer a-meldingene.")
        .await;
    browser.click("button[value=check]").await;
    browser
        .wait_for("document.querySelector('#check-heading')")
        .await;
    assert!(
        browser
            .text_of(".mass-progress")
            .await
            .contains("4 linjer lest: én mottaker funnet, 2 linjer avvist."),
        "the check's summary"
    );
    browser.assert_accessible().await;
    browser.screenshot("csv-check", 390, 844).await;
    browser.screenshot("csv-check", 1366, 900).await;

    // The demo's worker captures the notices; the dev outbox page shows them.
    crate::helpers::drain_notices(&app.pool).await;
    browser.goto(&app.url("/dev/outbox")).await;
    assert!(
        browser
            .text_of("main")
            .await
            .contains("Du har fått en melding fra Skatteetaten"),
        "the notice of the letter just sent"
    );
    browser.assert_accessible().await;
}

/// On a phone (390 x 844) no page scrolls sideways: the header, the tabs and the tables fit
/// (tables scroll inside their own box). Visited as the tax office's sender, who has an inbox,
/// the access pages and the sender's pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_names_the_acting_party_and_passes_axe() {
    use melding::auth::demo_idp::personas::{MUNICIPAL_ADMIN, SENDER};
    let app = TestApp::spawn().await;
    app.seed_demo();
    let mut conn = app.pool.get().expect("conn");
    let owner = crate::helpers::text(
        &mut conn,
        "SELECT party_id::text AS t FROM service_owners WHERE short_name = 'skatteetaten'",
    );
    let sending = crate::helpers::text(
        &mut conn,
        &format!(
            "SELECT id::text AS t FROM sendings WHERE sender_id = {owner} ORDER BY created_at DESC LIMIT 1"
        ),
    );
    let person = crate::helpers::text(
        &mut conn,
        &format!(
            "SELECT id::text AS t FROM parties WHERE national_id = '{}'",
            SENDER.national_id().as_str()
        ),
    );
    let message = crate::helpers::text(
        &mut conn,
        &format!(
            "SELECT id::text AS t FROM correspondences WHERE recipient_id = {person} \
             AND published_at <= now() ORDER BY published_at DESC LIMIT 1"
        ),
    );
    drop(conn);
    let browser = Browser::start("nb").await;
    browser.log_in_as(&app, &SENDER).await;
    // Each page, and whom its header says the sender acts for.
    for (path, acting) in [
        ("/".to_owned(), "deg selv"),
        (format!("/inbox?party={person}"), "deg selv"),
        (
            format!("/inbox/messages/{message}?party={person}"),
            "deg selv",
        ),
        ("/inbox/parties".to_owned(), "deg selv"),
        ("/access".to_owned(), "deg selv"),
        ("/admin".to_owned(), "deg selv"),
        (format!("/admin/services?owner={owner}"), "Skatteetaten"),
        (format!("/admin/services/new?owner={owner}"), "Skatteetaten"),
        (format!("/admin/compose?owner={owner}"), "Skatteetaten"),
        (format!("/admin/compose/csv?owner={owner}"), "Skatteetaten"),
        (format!("/admin/sent?owner={owner}"), "Skatteetaten"),
        (
            format!("/admin/sent/{sending}?owner={owner}"),
            "Skatteetaten",
        ),
        (format!("/admin/reports?owner={owner}"), "Skatteetaten"),
        (format!("/admin/transfers?owner={owner}"), "Skatteetaten"),
        (format!("/admin/events?owner={owner}"), "Skatteetaten"),
        (
            format!("/admin/transfers/services/new?owner={owner}"),
            "Skatteetaten",
        ),
        (
            format!("/admin/transfers/services/skatteetaten-innrapportering?owner={owner}"),
            "Skatteetaten",
        ),
        ("/accessibility".to_owned(), "deg selv"),
        ("/no-such-page".to_owned(), "deg selv"),
    ] {
        browser.goto(&app.url(&path)).await;
        check_both_sizes(&browser, &path, "Nils Skattum", acting).await;
    }
    // A file-transfer service form sent empty: the problems next to their fields.
    browser
        .goto(&app.url(&format!("/admin/transfers/services/new?owner={owner}")))
        .await;
    browser.click("form.admin-form button[type=submit]").await;
    browser
        .wait_for("document.querySelector('#error-summary')")
        .await;
    assert!(
        browser.text_of("#id-error").await.len() > 5,
        "the id's problem next to it"
    );
    check_both_sizes(
        &browser,
        "/admin/transfers/services-errors",
        "Nils Skattum",
        "Skatteetaten",
    )
    .await;

    // A main administrator's pages: the organisation's access, and the check step before
    // removing someone's access (reached by the button, as people do).
    drop(browser);
    let admin = Browser::start("nb").await;
    admin.log_in_as(&app, &MUNICIPAL_ADMIN).await;
    let fjellvik = crate::helpers::text(
        &mut app.pool.get().expect("conn"),
        "SELECT id::text AS t FROM parties WHERE name = 'Fjellvik kommune'",
    );
    let path = format!("/access/{fjellvik}");
    admin.goto(&app.url(&path)).await;
    check_both_sizes(&admin, &path, "Ingrid Berg", "Fjellvik kommune").await;
    admin.click("form[action$='/revoke'] button").await;
    admin
        .wait_for("document.querySelector('.confirm-page')")
        .await;
    check_both_sizes(
        &admin,
        "/access/revoke-check",
        "Ingrid Berg",
        "Fjellvik kommune",
    )
    .await;
}

/// The page now shown fits a 390 px phone and a 1366 px laptop, names `user` and whom they act
/// for in the header, offers the menu on the phone only, and passes axe; a screenshot of each
/// size goes to target/screenshots for people to look at.
async fn check_both_sizes(browser: &Browser, path: &str, user: &str, acting: &str) {
    for (width, height) in [(390, 844), (1366, 900)] {
        browser
            .call(
                "POST",
                &browser.session_path("/window/rect"),
                json!({ "width": width, "height": height }),
            )
            .await;
        let sizes = browser
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                json!([]),
            )
            .await;
        let (wide, screen) = (
            sizes[0].as_i64().unwrap_or(0),
            sizes[1].as_i64().unwrap_or(0),
        );
        assert!(
            screen > 0 && wide <= screen,
            "{path} is {wide} px wide on a {screen} px screen"
        );
        let header = browser.text_of(".site-header__who").await;
        assert!(
            header.contains(user) && header.contains(&format!("på vegne av {acting}")),
            "{path} at {width} px: the header says {header:?}"
        );
        // The menu is one tap away on a phone, inline on a laptop.
        let menu_shown = browser
            .execute(
                "return getComputedStyle(document.querySelector('.site-header__menu')).display !== 'none';",
                json!([]),
            )
            .await;
        assert_eq!(menu_shown, json!(width < 768), "{path} at {width} px");
        browser.assert_accessible().await;
        // Ids are named by what they stand for, so each run writes the same files.
        let name: String = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .map(|part| {
                if uuid::Uuid::parse_str(part).is_ok() || part.parse::<i64>().is_ok() {
                    "one"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("-")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        browser
            .screenshot(&format!("page{name}"), width, height)
            .await;
    }
}
