//! The service owner's pages over HTTP: who may use them, message services, compose validation,
//! the preflight, idempotent sending and the per-recipient view.

use melding::auth::demo_idp::personas::{CITIZEN, RESERVED, SENDER};
use reqwest::StatusCode;

use crate::helpers::{TestApp, text};

async fn sender_app() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    app.seed_demo();
    app.login_as(SENDER.national_id().as_str(), "substantial")
        .await;
    let owner = one(
        &app,
        "SELECT party_id::text AS t FROM service_owners WHERE short_name = 'skatteetaten'",
    );
    (app, owner)
}

fn one(app: &TestApp, sql: &str) -> String {
    text(&mut app.pool.get().expect("conn"), sql)
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let token = app.csrf_token().await;
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    app.client
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .expect("post")
}

/// The validation message shown for `field`, if any.
fn field_error(body: &str, field: &str) -> Option<String> {
    body.split(&format!("id=\"{field}-error\">"))
        .nth(1)
        .and_then(|r| r.split('<').next())
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_those_holding_the_sending_package_reach_an_owners_pages() {
    let (app, owner) = sender_app().await;
    let home = app.get("/admin").await.text().await.expect("page");
    assert!(home.contains("Skatteetaten"));
    assert!(!home.contains("Politiet"), "only owners he may send for");

    let citizen = app.second_user();
    citizen
        .login_as(CITIZEN.national_id().as_str(), "substantial")
        .await;
    let none = citizen.get("/admin").await.text().await.expect("page");
    assert!(none.contains("Du kan ikke sende post for noen tjenesteeier."));
    for path in [
        format!("/admin/services?owner={owner}"),
        format!("/admin/services/skatt-skattemelding?owner={owner}"),
        format!("/admin/compose?owner={owner}"),
        format!("/admin/sent?owner={owner}"),
    ] {
        assert_eq!(
            citizen.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let refused = post(
        &citizen,
        &format!("/admin/compose?owner={owner}"),
        &[("step", "send")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    // Another owner's service cannot be edited through one's own owner.
    assert_eq!(
        app.get(&format!("/admin/services/politi-straffesak?owner={owner}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_are_created_and_edited_with_errors_by_the_field() {
    let (app, owner) = sender_app().await;
    let path = format!("/admin/services?owner={owner}");
    // Everything wrong at once: each field says what, and the input is kept.
    let bad = post(
        &app,
        &path,
        &[
            ("id", "Ugyldig ID"),
            ("title_nb", "Varsel om bot"),
            ("title_nn", ""),
            ("title_en", "Notice of fine"),
            ("min_level", "substantial"),
            ("reminder_days", "90"),
            ("initial_email_subject_nb", "Ny melding"),
        ],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.text().await.expect("page");
    for field in [
        "id",
        "title_nn",
        "packages",
        "reminder_days",
        "initial_email_body_nb",
    ] {
        assert!(field_error(&body, field).is_some(), "{field} has a message");
    }
    // The summary at the top lists them in the form's order, each a link to its field, and
    // takes the focus when the page loads.
    let summary = body
        .split("id=\"error-summary\"")
        .nth(1)
        .and_then(|r| r.split("</div>").next())
        .unwrap_or_default();
    assert!(summary.contains("autofocus"), "{summary}");
    let links: Vec<&str> = summary
        .split("href=\"#")
        .skip(1)
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(links[..2], ["id", "title_nn"], "{links:?}");
    assert!(
        links[2].starts_with("package-"),
        "the packages link to their first box"
    );
    for anchor in &links {
        assert!(
            body.contains(&format!("id=\"{anchor}\"")),
            "#{anchor} exists"
        );
    }
    assert!(body.contains("value=\"Varsel om bot\""), "input kept");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM services WHERE title_nb = 'Varsel om bot'"),
        0,
        "nothing saved"
    );

    let fields = [
        ("id", "skatt-bot"),
        ("title_nb", "Varsel om bot"),
        ("title_nn", "Varsel om bot"),
        ("title_en", "Notice of fine"),
        ("packages", "ordinary-mail"),
        ("packages", "confidential-mail"),
        ("min_level", "high"),
        ("confidential", "1"),
        ("reminder_days", "5"),
        ("initial_email_subject_nb", "Ny melding fra $sendersName$"),
        (
            "initial_email_body_nb",
            "Du har fått en melding: $messageTitle$",
        ),
        ("initial_sms_text_nb", "Ny melding i innboksen"),
    ];
    // Confidential with the ordinary-mail package would let anyone given ordinary mail read it:
    // refused by the packages, nothing saved.
    let mixed = post(&app, &path, &fields).await;
    assert_eq!(mixed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let message = field_error(&mixed.text().await.expect("page"), "packages").unwrap_or_default();
    assert!(
        message.contains("kan bare leses med tilgangspakken for taushetsbelagt post"),
        "{message}"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM services WHERE id = 'skatt-bot'"),
        0
    );
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|f| **f != ("packages", "ordinary-mail"))
        .copied()
        .collect();
    let created = post(&app, &path, &fields).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM services WHERE id = 'skatt-bot' AND min_login_level = 4 AND is_confidential \
             AND required_packages = ARRAY['confidential-mail'] AND reminder_delay = interval '5 days'"
        ),
        1
    );
    // No confidential service of the platform (the demo's included) is readable by an ordinary package.
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM services s WHERE s.is_confidential AND EXISTS ( \
               SELECT 1 FROM unnest(s.required_packages) p JOIN access_packages a ON a.id = p WHERE NOT a.is_confidential)"
        ),
        0
    );
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM service_notification_texts WHERE service_id = 'skatt-bot'"
        ),
        1
    );
    // The same id again is refused by the field.
    let taken = post(&app, &path, &fields).await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_error(&taken.text().await.expect("page"), "id").as_deref(),
        Some("Denne tjeneste-ID-en er allerede i bruk.")
    );
    // Edit: the form shows what is stored; a change is saved.
    let edit = app
        .get(&format!("/admin/services/skatt-bot?owner={owner}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(edit.contains("Ny melding fra $sendersName$"));
    let mut changed: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "title_en")
        .copied()
        .collect();
    changed.push(("title_en", "Notice of a fine"));
    changed.push(("editing", "1"));
    assert_eq!(
        post(&app, &path, &changed).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        one(
            &app,
            "SELECT title_en AS t FROM services WHERE id = 'skatt-bot'"
        ),
        "Notice of a fine"
    );
}

/// A complete, valid compose form to `recipients`.
fn message<'a>(recipients: &'a str, key: &'a str, step: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("service", "skatt-skatteoppgjor"),
        ("recipients", recipients),
        ("senders_reference", "SAK-2026-001"),
        ("language", "nb"),
        ("title", "Skatteoppgjøret for {{recipientName}} er klart"),
        ("summary", "Se hva du skal betale eller få tilbake"),
        (
            "body",
            "Hei {{recipientName}},\n\n**Skatteoppgjøret** er klart.",
        ),
        ("notification", "EmailPreferred"),
        ("send_reminder", "1"),
        ("step", step),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_checks_every_field_and_keeps_the_input() {
    let (app, owner) = sender_app().await;
    let path = format!("/admin/compose?owner={owner}");
    let form = app.get(&path).await.text().await.expect("page");
    assert!(form.contains("name=\"idempotency_key\" value=\""));

    let kari: &'static str = CITIZEN.national_id().as_str().to_owned().leak();
    let with = |changes: &[(&'static str, &'static str)]| {
        let mut fields = message("", "k-1", "preflight");
        fields.retain(|(k, _)| !changes.iter().any(|(c, _)| c == k));
        fields.extend_from_slice(changes);
        fields
    };
    // (the form, the field that must complain, what its message must say)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            with(&[("recipients", "12345678901, 999")]),
            "recipients",
            "12345678901, 999",
        ),
        (
            with(&[("recipients", "")]),
            "recipients",
            "minst én mottaker",
        ),
        (
            with(&[("recipients", "974760673")]),
            "recipients",
            "Vi finner ingen mottaker med: 974760673",
        ),
        (
            with(&[("service", "politi-straffesak")]),
            "service",
            "Velg en meldingstjeneste",
        ),
        (
            with(&[("senders_reference", " ")]),
            "senders_reference",
            "referanse",
        ),
        (with(&[("title", "")]), "title", "tittel"),
        (with(&[("summary", "to\nlinjer")]), "summary", "én linje"),
        (with(&[("body", "")]), "body", "meldingsteksten"),
        (
            with(&[("confirmation_needed", "1")]),
            "due_at",
            "trenger en frist",
        ),
        (with(&[("due_at", "2020-01-01T10:00")]), "due_at", "passert"),
        (
            with(&[
                ("publish_at", "2099-01-02T10:00"),
                ("due_at", "2099-01-01T10:00"),
            ]),
            "due_at",
            "før publisering",
        ),
        (with(&[("due_at", "i morgen")]), "due_at", "ÅÅÅÅ-MM-DD"),
        (
            with(&[("reply_url", "http://example.com"), ("reply_text", "Svar")]),
            "reply_url",
            "https",
        ),
        (
            with(&[("ref_type", "saksnummer")]),
            "ref_value",
            "både type og verdi",
        ),
        (
            with(&[("ignore_reservation", "1")]),
            "ignore_reservation_reason",
            "reservasjonen",
        ),
        (
            with(&[("notification", "Brevdue")]),
            "notification",
            "varslingskanal",
        ),
        (
            with(&[("email_subject", "Bare emne")]),
            "email_body",
            "sammen",
        ),
    ];
    let long_title = "x".repeat(256);
    let mut cases = cases;
    cases.push((
        {
            let mut f = with(&[]);
            f.retain(|(k, _)| *k != "title");
            f.push(("title", long_title.as_str()));
            f
        },
        "title",
        "255",
    ));
    for (fields, field, expected) in &cases {
        let response = post(&app, &path, fields).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let body = response.text().await.expect("page");
        let message = field_error(&body, field).unwrap_or_default();
        assert!(
            message.contains(expected),
            "{field}: {message:?} should say {expected:?}"
        );
    }
    // The input is kept after an error.
    let kept = post(&app, &path, &with(&[("recipients", kari), ("title", "")]))
        .await
        .text()
        .await
        .expect("page");
    assert!(kept.contains("SAK-2026-001"));
    assert!(kept.contains(kari));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sendings WHERE channel = 'form'"),
        0
    );

    // Preview renders the Markdown safely on the server.
    let preview = post(
        &app,
        &path,
        &with(&[
            ("body", "**fet** <script>alert(1)</script>"),
            ("step", "preview"),
        ]),
    )
    .await
    .text()
    .await
    .expect("page");
    assert!(preview.contains("<strong>fet</strong>"));
    assert!(!preview.contains("<script>alert(1)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflight_warns_and_sending_is_idempotent_and_visible_to_both_sides() {
    let (app, owner) = sender_app().await;
    let path = format!("/admin/compose?owner={owner}");
    let kari = CITIZEN.national_id();
    let jon = RESERVED.national_id();
    let recipients = format!("{}\n{}", kari.as_str(), jon.as_str());

    // Preflight: Kari is ready, Jon is reserved.
    let checked = post(&app, &path, &message(&recipients, "key-1", "preflight"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        checked.contains("2 mottakere: 1 klare, 1 reservert, 0 der ingen kan lese, 0 slettet.")
    );
    assert!(checked.contains("Reservert"));
    // Who can read each, and how: a person reads her own mail.
    assert!(
        checked.contains("data-label=\"Kan lese\">Mottakeren selv<"),
        "{checked}"
    );

    // Send, twice with the same key (a double click): one send, one message each.
    let first = post(&app, &path, &message(&recipients, "key-1", "send")).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let location = first.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.starts_with("/admin/sent/") && location.ends_with("done=sent"));
    let second = post(&app, &path, &message(&recipients, "key-1", "send")).await;
    assert_eq!(
        second.headers()["location"].to_str().expect("location"),
        location
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sendings WHERE idempotency_key = 'key-1'"),
        1
    );
    let sending = location
        .trim_start_matches("/admin/sent/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE sending_id = '{sending}'"
        )),
        2
    );
    // Kari's is published with its history and personalised; Jon's is Reserved, without notices.
    let kari_id = one(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences c WHERE c.sending_id = '{sending}' AND c.recipient_id = {kari_id} \
             AND c.status = 'Published' AND c.title = 'Skatteoppgjøret for Kari Nordmann er klart' \
             AND (SELECT array_agg(status ORDER BY id) FROM correspondence_events e WHERE e.correspondence_id = c.id) \
                 = ARRAY['Initialized', 'ReadyForPublish', 'Published']"
        )),
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
             WHERE c.sending_id = '{sending}' AND p.name = 'Jon Reiersen' AND c.status = 'Reserved'"
        )),
        1
    );
    // The outbox has Kari's first notice (by e-mail, preferred); none for Jon. Her reminder
    // is added when the first notice goes out, a week after it (and cancelled below, when she
    // opens the message).
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications n JOIN correspondences c ON c.id = n.correspondence_id \
             WHERE c.sending_id = '{sending}' AND c.recipient_id = {kari_id} AND n.state = 'queued' \
               AND n.kind = 'initial' AND n.run_at <= now()"
        )),
        1
    );
    crate::helpers::drain_notices(&app.pool).await;
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications n JOIN correspondences c ON c.id = n.correspondence_id \
             WHERE c.sending_id = '{sending}' AND c.recipient_id = {kari_id} \
               AND ((n.kind = 'initial' AND n.state = 'sent') \
                    OR (n.kind = 'reminder' AND n.state = 'queued' AND n.run_at > now() + interval '6 days'))"
        )),
        2
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications n JOIN correspondences c ON c.id = n.correspondence_id \
             JOIN parties p ON p.id = c.recipient_id WHERE c.sending_id = '{sending}' AND p.name = 'Jon Reiersen'"
        )),
        0
    );

    // Kari reads it in her inbox; the sender sees it opened, without its content.
    let kari_app = app.second_user();
    kari_app.login_as(kari.as_str(), "substantial").await;
    let inbox = kari_app.get("/inbox").await.text().await.expect("inbox");
    let message_id = one(
        &app,
        &format!(
            "SELECT id::text AS t FROM correspondences WHERE sending_id = '{sending}' AND recipient_id = {kari_id}"
        ),
    );
    assert!(inbox.contains(&message_id));
    let opened = kari_app
        .get(&format!("/inbox/messages/{message_id}?party={kari_id}"))
        .await;
    assert_eq!(opened.status(), StatusCode::OK);
    assert!(
        opened
            .text()
            .await
            .expect("page")
            .contains("<strong>Skatteoppgjøret</strong>")
    );
    let view = app.get(&location).await.text().await.expect("page");
    assert!(view.contains("Meldingen er sendt."));
    assert!(view.contains("Kari Nordmann") && view.contains("Jon Reiersen"));
    assert!(view.contains("Reservert"));
    assert!(!view.contains("er klart."), "the body is the recipient's");
    let kari_row = view
        .split("Kari Nordmann")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("Kari's row");
    assert!(
        kari_row.contains("Varsel på e-post: sendt")
            && kari_row.contains("Påminnelse på e-post: avlyst"),
        "{kari_row}"
    );
    assert_eq!(
        kari_row.matches("–").count(),
        1,
        "opened (only confirmation is missing): {kari_row}"
    );
    let list = app
        .get(&format!("/admin/sent?owner={owner}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(list.contains("SAK-2026-001"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_can_read_blocks_sending_until_the_sender_says_send_anyway() {
    let (app, owner) = sender_app().await;
    // A confidential service: nobody holds confidential mail at an ordinary company.
    let created = post(
        &app,
        &format!("/admin/services?owner={owner}"),
        &[
            ("id", "skatt-taushet"),
            ("title_nb", "Taushetsbelagt"),
            ("title_nn", "Teiepliktig"),
            ("title_en", "Confidential"),
            ("packages", "confidential-mail"),
            ("min_level", "substantial"),
            ("confidential", "1"),
            ("reminder_days", "7"),
        ],
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let org = one(
        &app,
        "SELECT p.org_number AS t FROM parties p WHERE p.kind = 'organization' AND NOT p.is_deleted \
         AND p.parent_id IS NULL AND NOT EXISTS (SELECT 1 FROM delegations d WHERE d.party_id = p.id) \
         AND EXISTS (SELECT 1 FROM er_roles r WHERE r.org_id = p.id) ORDER BY p.id LIMIT 1",
    );
    let path = format!("/admin/compose?owner={owner}");
    let mut fields = message(&org, "key-2", "preflight");
    fields.retain(|(k, _)| *k != "service");
    fields.push(("service", "skatt-taushet"));
    let checked = post(&app, &path, &fields).await.text().await.expect("page");
    assert!(
        checked.contains("Én mottaker: 0 klare, 0 reservert, 1 der ingen kan lese, 0 slettet.")
    );
    assert!(checked.contains("Ingen kan lese"));
    assert!(
        checked.contains("hovedadministrator må delegere tilgangspakken for taushetsbelagt post")
    );
    // The zero is explained where it shows.
    assert!(checked.contains("Ingen: ingen har en rolle som gir tilgangen tjenesten krever"));

    fields.retain(|(k, _)| *k != "step");
    fields.push(("step", "send"));
    let refused = post(&app, &path, &fields).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&refused.text().await.expect("page"), "send_anyway").is_some());
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sendings WHERE idempotency_key = 'key-2'"),
        0
    );

    fields.push(("send_anyway", "1"));
    let sent = post(&app, &path, &fields).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let view = app
        .get(sent.headers()["location"].to_str().expect("location"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        view.contains("Ingen kan lese"),
        "the sent view shows it too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_sends_can_be_withdrawn_and_every_send_exports_and_filters() {
    let (app, owner) = sender_app().await;
    let path = format!("/admin/compose?owner={owner}");
    let kari = CITIZEN.national_id();
    // A scheduled send: invisible to Kari until then, and withdrawable.
    let mut fields = message(kari.as_str(), "key-3", "send");
    fields.push(("publish_at", "2099-06-01T08:00"));
    let sent = post(&app, &path, &fields).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let location = sent.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let sending = location
        .trim_start_matches("/admin/sent/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE sending_id = '{sending}' AND status = 'ReadyForPublish'"
        )),
        1
    );
    let kari_app = app.second_user();
    kari_app.login_as(kari.as_str(), "substantial").await;
    let message_id = one(
        &app,
        &format!("SELECT id::text AS t FROM correspondences WHERE sending_id = '{sending}'"),
    );
    assert!(
        !kari_app
            .get("/inbox")
            .await
            .text()
            .await
            .expect("inbox")
            .contains(&message_id)
    );

    // An immediate send beside it, for the filters.
    assert_eq!(
        post(&app, &path, &message(kari.as_str(), "key-4", "send"))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let view = app.get(&location).await.text().await.expect("page");
    assert!(view.contains("Én melding er ikke publisert ennå"));
    // The button asks first, with the count; nothing is withdrawn yet.
    let check = post(
        &app,
        &format!("/admin/sent/{sending}/withdraw?owner={owner}"),
        &[],
    )
    .await;
    assert_eq!(check.status(), StatusCode::OK);
    let check = check.text().await.expect("page");
    assert!(
        check.contains("Trekke tilbake én melding som ikke er publisert ennå?"),
        "{check}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE sending_id = '{sending}' AND status = 'PurgedByService'"
        )),
        0
    );
    let withdrawn = post(
        &app,
        &format!("/admin/sent/{sending}/withdraw?owner={owner}"),
        &[("confirmed", "yes")],
    )
    .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences c WHERE c.sending_id = '{sending}' AND c.status = 'PurgedByService' \
             AND EXISTS (SELECT 1 FROM correspondence_events e WHERE e.correspondence_id = c.id AND e.status = 'PurgedByService')"
        )),
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications n JOIN correspondences c ON c.id = n.correspondence_id \
             WHERE c.sending_id = '{sending}' AND n.state <> 'cancelled'"
        )),
        0,
        "its notices are cancelled"
    );
    let after = app
        .get(withdrawn.headers()["location"].to_str().expect("location"))
        .await
        .text()
        .await
        .expect("page");
    assert!(after.contains("Én melding er trukket tilbake."));
    assert!(!after.contains("/withdraw"), "nothing left to withdraw");
    // Published mail cannot be withdrawn: the immediate send is untouched.
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM correspondences c JOIN sendings g ON g.id = c.sending_id \
                   WHERE g.idempotency_key = 'key-4' AND c.status = 'Published'"
        ),
        1
    );

    // The export lists each recipient with masked identity and the notice outcomes.
    let csv = app
        .get(&format!(
            "/admin/sent/{sending}/recipients.csv?owner={owner}"
        ))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    let csv = csv.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "message_id,recipient,recipient_number,status,published_at,opened_at,confirmed_at,notifications"
    );
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with(&format!(
        "{message_id},Kari Nordmann,{} *****,PurgedByService,",
        &kari.as_str()[..6]
    )));
    assert!(!csv.contains(kari.as_str()), "never the full national id");

    // Filters: by reference prefix (the seeded sends have others) and by unread.
    let ours = app
        .get(&format!("/admin/sent?owner={owner}&reference=SAK-2026"))
        .await
        .text()
        .await
        .expect("page");
    assert_eq!(ours.matches("href=\"/admin/sent/").count(), 2);
    let unread = app
        .get(&format!(
            "/admin/sent?owner={owner}&reference=SAK-2026&show=unread"
        ))
        .await
        .text()
        .await
        .expect("page");
    assert_eq!(
        unread.matches("href=\"/admin/sent/").count(),
        1,
        "the published one is unread"
    );
    let none = app
        .get(&format!("/admin/sent?owner={owner}&reference=ANNEN"))
        .await
        .text()
        .await
        .expect("page");
    assert_eq!(none.matches("href=\"/admin/sent/").count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_send_stores_good_lines_and_names_each_rejected_line() {
    let (app, owner) = sender_app().await;
    let kari = CITIZEN.national_id();
    let jon = RESERVED.national_id();
    let org = one(
        &app,
        "SELECT org_number AS t FROM parties WHERE kind = 'organization' AND NOT is_deleted ORDER BY id LIMIT 1",
    );
    let csv = format!(
        "mottaker;navn\n{};Kari\n\n12345678901\n{}\n974760673\n{}\n\"{}\"\n",
        kari.as_str(),
        jon.as_str(),
        kari.as_str(),
        org
    );
    let response = upload_csv(&app, &owner, "csv-1", &[], csv.into_bytes()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let sending = sending_of(&location);
    assert_eq!(ended(&app, &sending).await, "done");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE sending_id = '{sending}'"
        )),
        3,
        "Kari, Jon and the organisation"
    );
    let view = app.get(&location).await.text().await.expect("page");
    assert!(
        view.contains("8 linjer lest, 3 mottakere lagret, 3 linjer avvist."),
        "{view}"
    );
    for (line, reason) in [
        (
            "4",
            "Ikke et gyldig fødselsnummer eller organisasjonsnummer",
        ),
        ("6", "Finnes ikke"),
        ("7", "Står på en tidligere linje"),
    ] {
        assert!(
            view.contains(&format!(
                "<th scope=\"row\" data-label=\"Linje\">{line}</th>"
            )) && view.contains(reason),
            "line {line}: {reason}"
        );
    }
    // No file is left behind, and a bad upload is refused by the field with nothing sent.
    assert_eq!(
        std::fs::read_dir(app.data_dir.join("uploads"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
    let token = app.csrf_token().await;
    let mut empty = reqwest::multipart::Form::new();
    for (k, v) in message("", "csv-2", "") {
        if k != "recipients" && k != "step" && k != "title" {
            empty = empty.text(k, v.to_owned());
        }
    }
    let refused = app
        .client
        .post(app.url(&format!(
            "/admin/compose/csv?owner={owner}&csrf_token={token}"
        )))
        .multipart(empty)
        .send()
        .await
        .expect("upload");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.expect("page");
    assert!(field_error(&body, "recipients_file").is_some());
    assert!(field_error(&body, "title").is_some());
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sendings WHERE idempotency_key = 'csv-2'"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_name_what_was_not_opened_confirmed_or_readable() {
    use diesel::connection::SimpleConnection;
    let (app, owner) = sender_app().await;
    let path = format!("/admin/compose?owner={owner}");
    // An organisation nobody can read for: no roles, no delegations.
    let lonely = (10_000_000u32..)
        .find_map(|base| {
            melding::domain::OrgNumber::from_base(base).filter(|n| {
                app.count(&format!(
                    "SELECT count(*) AS n FROM parties WHERE org_number = '{}'",
                    n.as_str()
                )) == 0
            })
        })
        .expect("a free number");
    app.pool
        .get()
        .expect("conn")
        .batch_execute(&format!(
            "INSERT INTO parties (kind, org_number, name) VALUES ('organization', '{}', 'Ensom AS')",
            lonely.as_str()
        ))
        .expect("org");
    // A service of its own, so the seeded mail does not crowd the lists.
    let created = post(
        &app,
        &format!("/admin/services?owner={owner}"),
        &[
            ("id", "skatt-rapport"),
            ("title_nb", "Rapporttjeneste"),
            ("title_nn", "Rapportteneste"),
            ("title_en", "Report service"),
            ("packages", "ordinary-mail"),
            ("min_level", "substantial"),
            ("reminder_days", "7"),
        ],
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let kari = CITIZEN.national_id();
    let recipients = format!("{}\n{}", kari.as_str(), lonely.as_str());
    let mut fields = message(&recipients, "rep-1", "send");
    fields.retain(|(k, _)| *k != "service");
    fields.push(("service", "skatt-rapport"));
    fields.push(("send_anyway", "1"));
    fields.retain(|(k, _)| *k != "senders_reference");
    fields.push(("senders_reference", "RAPPORT-1"));
    assert_eq!(
        post(&app, &path, &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    // Ten days old, due three days ago, needing confirmation, never opened.
    app.pool
        .get()
        .expect("conn")
        .batch_execute(
            "UPDATE correspondences SET published_at = now() - interval '10 days', due_at = now() - interval '3 days', \
             confirmation_needed = true WHERE senders_reference = 'RAPPORT-1'",
        )
        .expect("age");
    let page = app
        .get(&format!("/admin/reports?owner={owner}&days=7"))
        .await
        .text()
        .await
        .expect("page");
    let section = |key: &str| report_part(&page, key);
    for key in ["unread", "unread-by-due", "unconfirmed"] {
        let s = section(key);
        assert!(
            s.contains("Kari Nordmann") && s.contains("RAPPORT-1"),
            "{key}: {s}"
        );
        assert!(s.contains("Ensom AS"), "{key}");
    }
    let nobody = section("nobody");
    assert!(nobody.contains("Ensom AS"));
    assert!(
        !nobody.contains("Kari Nordmann"),
        "Kari can read her own mail"
    );
    // At 30 days, the ten-day-old message is not yet in the unread report.
    let later = app
        .get(&format!("/admin/reports?owner={owner}&days=30"))
        .await
        .text()
        .await
        .expect("page");
    assert!(!report_part(&later, "unread").contains("RAPPORT-1"));
    // Opening it takes Kari out of the unread reports.
    let kari_app = app.second_user();
    kari_app.login_as(kari.as_str(), "substantial").await;
    let (id, party) = (
        one(
            &app,
            "SELECT c.id::text AS t FROM correspondences c JOIN parties p ON p.id = c.recipient_id WHERE c.senders_reference = 'RAPPORT-1' AND p.name = 'Kari Nordmann'",
        ),
        one(
            &app,
            "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
        ),
    );
    assert_eq!(
        kari_app
            .get(&format!("/inbox/messages/{id}?party={party}"))
            .await
            .status(),
        StatusCode::OK
    );
    let after = app
        .get(&format!("/admin/reports?owner={owner}&days=7"))
        .await
        .text()
        .await
        .expect("page");
    let unread = report_part(&after, "unread");
    assert!(!unread.contains("Kari Nordmann") && unread.contains("Ensom AS"));
}

/// The part of report `key` about the test's own service ("Rapporttjeneste").
fn report_part(page: &str, key: &str) -> String {
    page.split(&format!("id=\"report-{key}\""))
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .and_then(|s| s.split("<caption>Rapporttjeneste").nth(1))
        .and_then(|s| s.split("</table>").next())
        .unwrap_or_default()
        .to_owned()
}

/// The compose form as multipart, with `file` (name, bytes) as the new attachment.
async fn post_multipart(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let token = app.csrf_token().await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "new_attachment",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    app.client
        .post(app.url(&format!("{path}&csrf_token={token}")))
        .multipart(form)
        .send()
        .await
        .expect("post")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_are_checked_stored_with_their_checksum_sent_and_reused() {
    let (app, owner) = sender_app().await;
    let path = format!("/admin/compose?owner={owner}");
    let kari = CITIZEN.national_id();
    let content = b"%PDF-1.4 vedtak om skatteoppgjor";

    // A refused file name: said by the field, the rest kept, nothing stored.
    let refused = post_multipart(
        &app,
        &path,
        &message(kari.as_str(), "att-1", "preflight"),
        Some(("program.exe", content)),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.expect("page");
    assert!(field_error(&body, "new_attachment").is_some_and(|e| e.contains("filtypen")));
    assert!(body.contains("SAK-2026-001"));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM attachments WHERE name = 'program.exe'"),
        0
    );

    // Upload with the preflight, then send: the attachment is chosen and goes with the message.
    let checked = post_multipart(
        &app,
        &path,
        &message(kari.as_str(), "att-1", "preflight"),
        Some(("vedtak-att-test.pdf", content)),
    )
    .await;
    assert_eq!(checked.status(), StatusCode::OK);
    let page = checked.text().await.expect("page");
    let attachment = one(
        &app,
        "SELECT id::text AS t FROM attachments WHERE name = 'vedtak-att-test.pdf' AND state = 'published'",
    );
    assert!(page.contains(&format!(
        "name=\"attachment_{attachment}\" value=\"1\" checked"
    )));
    use sha2::Digest;
    assert_eq!(
        one(
            &app,
            &format!("SELECT sha256 AS t FROM attachments WHERE id = '{attachment}'")
        ),
        format!("{:x}", sha2::Sha256::digest(content))
    );
    let field = format!("attachment_{attachment}");
    let mut fields = message(kari.as_str(), "att-1", "send");
    fields.push((field.as_str(), "1"));
    let sent = post_multipart(&app, &path, &fields, None).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let message_id = one(
        &app,
        "SELECT c.id::text AS t FROM correspondences c JOIN sendings g ON g.id = c.sending_id WHERE g.idempotency_key = 'att-1'",
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences c JOIN correspondence_attachments a ON a.correspondence_id = c.id \
             WHERE c.id = '{message_id}' AND c.attachment_count = 1 AND a.attachment_id = '{attachment}'"
        )),
        1
    );
    // Kari downloads exactly what was uploaded.
    let kari_app = app.second_user();
    kari_app.login_as(kari.as_str(), "substantial").await;
    let party = one(
        &app,
        "SELECT id::text AS t FROM parties WHERE name = 'Kari Nordmann'",
    );
    let download = kari_app
        .get(&format!(
            "/inbox/messages/{message_id}/attachments/{attachment}?party={party}"
        ))
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), content);

    // Reused by a second send without uploading again; someone else's id is refused.
    let mut again = message(kari.as_str(), "att-2", "send");
    again.push((field.as_str(), "1"));
    assert_eq!(
        post_multipart(&app, &path, &again, None).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count(&format!("SELECT count(*) AS n FROM correspondence_attachments WHERE attachment_id = '{attachment}'")),
        2
    );
    let foreign = one(
        &app,
        &format!("SELECT id::text AS t FROM attachments WHERE owner_id <> {owner} LIMIT 1"),
    );
    let stolen = format!("attachment_{foreign}");
    let mut bad = message(kari.as_str(), "att-3", "send");
    bad.push((stolen.as_str(), "1"));
    let refused = post_multipart(&app, &path, &bad, None).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&refused.text().await.expect("page"), "attachments").is_some());
}

#[test]
fn a_csv_send_that_lost_its_process_is_marked_failed() {
    use diesel::connection::SimpleConnection;
    let db = crate::helpers::TestDb::migrated();
    let mut conn = db.connect();
    conn.batch_execute(
        "INSERT INTO parties (kind, org_number, name) VALUES ('organization', '974760673', 'Etaten');
         INSERT INTO services (id, owner_id, title_nb, title_nn, title_en) SELECT 'svc', id, 'T', 'T', 'T' FROM parties;
         INSERT INTO sendings (id, service_id, sender_id) SELECT gen_random_uuid(), 'svc', id FROM parties;
         INSERT INTO sendings (id, service_id, sender_id) SELECT gen_random_uuid(), 'svc', id FROM parties;
         INSERT INTO mass_sends (sending_id, updated_at)
             SELECT id, CASE WHEN row_number() OVER (ORDER BY id) = 1 THEN now() - interval '1 hour' ELSE now() END
             FROM sendings;",
    )
    .expect("setup");
    assert_eq!(
        melding::sending::mass::mark_stalled(&mut conn).expect("mark"),
        1
    );
    assert_eq!(
        crate::helpers::count(
            &mut conn,
            "SELECT count(*) AS n FROM mass_sends WHERE state = 'failed' AND error LIKE 'interrupted%'"
        ),
        1,
        "only the silent one"
    );
    assert_eq!(
        melding::sending::mass::mark_stalled(&mut conn).expect("again"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_report_address_is_set_checked_and_cleared_on_the_reports_page() {
    let (app, owner) = sender_app().await;
    let path = format!("/admin/reports/contact?owner={owner}");
    let refused = post(&app, &path, &[("contact_email", "ikke en adresse")]).await;
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);
    let page = refused.text().await.expect("page");
    assert!(
        field_error(&page, "contact_email").is_some(),
        "named by the field"
    );
    assert!(
        page.contains("value=\"ikke en adresse\""),
        "what was typed is kept"
    );

    let saved = post(
        &app,
        &path,
        &[("contact_email", " rapport@skatteetaten.example ")],
    )
    .await;
    assert_eq!(saved.status(), reqwest::StatusCode::SEE_OTHER);
    let page = app
        .get(saved.headers()["location"].to_str().expect("location"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("value=\"rapport@skatteetaten.example\""));
    assert!(page.contains("role=\"status\""), "a confirmation line");
    assert_eq!(
        one(
            &app,
            &format!("SELECT contact_email AS t FROM service_owners WHERE party_id = {owner}")
        ),
        "rapport@skatteetaten.example"
    );
    let cleared = post(&app, &path, &[("contact_email", "")]).await;
    assert_eq!(cleared.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM service_owners WHERE party_id = {owner} AND contact_email IS NULL"
        )),
        1
    );
    // Somebody without the sending package cannot change it.
    let other = app.second_user();
    other
        .login_as(
            melding::auth::demo_idp::personas::CITIZEN
                .national_id()
                .as_str(),
            "substantial",
        )
        .await;
    let refused = post(&other, &path, &[("contact_email", "x@y.example")]).await;
    assert_eq!(refused.status(), reqwest::StatusCode::NOT_FOUND);
}

/// The compose form and the JSON API check a message with the one validation: the same invalid
/// message gets the same problems from both, each named in its own way (a form field, a JSON
/// path), with the same words; neither stores anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_and_the_api_find_the_same_problems_in_the_same_message() {
    let (app, owner) = sender_app().await;
    let org = one(
        &app,
        &format!("SELECT org_number AS t FROM parties WHERE id = {owner}"),
    );
    app.get("/language/en?return_to=/").await;

    let mut form = message("12345678901", "same-1", "send");
    form.retain(|(k, _)| *k != "title");
    form.extend_from_slice(&[
        ("title", ""),
        ("due_at", "2020-01-01T10:00"),
        ("reply_url", "http://example.com/svar"),
        ("reply_text", "Svar"),
        ("ref_type", "CaseNumber"),
        ("notification", "Brevdue"),
    ]);
    form.retain(|(k, v)| *k != "notification" || *v == "Brevdue");
    let response = post(&app, &format!("/admin/compose?owner={owner}"), &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.expect("page");

    let request = serde_json::json!({
        "correspondence": {
            "resourceId": "skatt-skatteoppgjor",
            "sendersReference": "SAK-2026-001",
            "content": {
                "language": "nb",
                "messageTitle": "",
                "messageBody": "Hei {{recipientName}},\n\n**Skatteoppgjøret** er klart."
            },
            "dueDateTime": "2020-01-01T10:00:00Z",
            "replyOptions": [{ "linkURL": "http://example.com/svar", "linkText": "Svar" }],
            "externalReferences": [{ "referenceType": "CaseNumber", "referenceValue": "" }],
            "notification": { "notificationChannel": "Brevdue", "sendReminder": true }
        },
        "recipients": ["12345678901"],
        "idempotentKey": "same-1"
    });
    let token = crate::api::token(&app, &org, &[melding::api::token::SCOPE_WRITE], 5);
    let (status, problem) = crate::api::post(&app, &token, &request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let errors = problem["errors"].as_object().expect("errors");

    // (the form's field, the request's JSON path)
    let same = [
        ("recipients", "recipients[0]"),
        ("title", "correspondence.content.messageTitle"),
        ("due_at", "correspondence.dueDateTime"),
        ("reply_url", "correspondence.replyOptions[0].linkURL"),
        ("ref_value", "correspondence.externalReferences[0]"),
        (
            "notification",
            "correspondence.notification.notificationChannel",
        ),
    ];
    for (field, path) in same {
        let on_form = field_error(&page, field).unwrap_or_else(|| panic!("{field} on the form"));
        let in_api = errors[path][0]
            .as_str()
            .unwrap_or_else(|| panic!("{path} in {problem}"));
        assert_eq!(on_form.trim(), in_api, "{field} and {path} say the same");
    }
    assert_eq!(
        errors.len(),
        same.len(),
        "the API finds nothing the form does not: {problem}"
    );
    assert_eq!(
        page.matches("class=\"ds-validation-message\"").count(),
        same.len(),
        "the form finds nothing the API does not"
    );
    assert_eq!(
        one(
            &app,
            "SELECT count(*)::text AS t FROM sendings WHERE channel IN ('form', 'api')"
        ),
        "0"
    );
}

/// Input the database cannot hold, or that was half filled in, is answered next to its field
/// (the form) or by its JSON path (the API), never by a server error, and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_character_or_a_reference_without_type_is_named_by_its_field() {
    let (app, owner) = sender_app().await;
    let kari: &'static str = CITIZEN.national_id().as_str().to_owned().leak();
    let path = format!("/admin/compose?owner={owner}");
    let with = |changes: &[(&'static str, &'static str)]| {
        let mut fields = message(kari, "nul-1", "send");
        fields.retain(|(k, _)| !changes.iter().any(|(c, _)| c == k));
        fields.extend_from_slice(changes);
        fields
    };
    // (the form, the field that must complain, what its message must say)
    let cases = [
        (
            with(&[("ref_value", "b")]),
            "ref_value",
            "både type og verdi",
        ),
        (
            with(&[("ref_type", "Saksnummer"), ("ref_value", "2026/\u{0}1")]),
            "ref_value",
            "NUL",
        ),
        (
            with(&[
                ("reply_url", "https://svar.example/\u{0}"),
                ("reply_text", "Svar"),
            ]),
            "reply_url",
            "NUL",
        ),
        (with(&[("body", "Hei\u{0}du")]), "body", "NUL"),
        (
            with(&[("senders_reference", "SAK\u{0}1")]),
            "senders_reference",
            "NUL",
        ),
        (with(&[("service", "skatt\u{0}")]), "service", "NUL"),
    ];
    for (fields, field, expected) in &cases {
        let response = post(&app, &path, fields).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let body = response.text().await.expect("page");
        let message = field_error(&body, field).unwrap_or_default();
        assert!(
            message.contains(expected),
            "{field}: {message:?} should say {expected:?}"
        );
    }

    let org = one(
        &app,
        &format!("SELECT org_number AS t FROM parties WHERE id = {owner}"),
    );
    let token = crate::api::token(&app, &org, &[melding::api::token::SCOPE_WRITE], 5);
    let request = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut request = serde_json::json!({
            "correspondence": {
                "resourceId": "skatt-skatteoppgjor",
                "sendersReference": "SAK-2026-001",
                "content": { "messageTitle": "Vedtak", "messageBody": "Hei." },
                "replyOptions": [{ "linkURL": "https://svar.example", "linkText": "Svar" }],
                "externalReferences": [{ "referenceType": "Saksnummer", "referenceValue": "2026/1" }]
            },
            "recipients": [kari]
        });
        change(&mut request);
        request
    };
    type Change<'a> = &'a dyn Fn(&mut serde_json::Value);
    let cases: [(Change, &str); 4] = [
        (
            &|r| r["correspondence"]["externalReferences"][0]["referenceType"] = "Sak\u{0}".into(),
            "correspondence.externalReferences[0]",
        ),
        (
            &|r| r["correspondence"]["externalReferences"][0]["referenceValue"] = "1\u{0}".into(),
            "correspondence.externalReferences[0]",
        ),
        (
            &|r| {
                r["correspondence"]["replyOptions"][0]["linkURL"] =
                    "https://svar.example/\u{0}".into()
            },
            "correspondence.replyOptions[0].linkURL",
        ),
        (
            &|r| r["correspondence"]["content"]["messageBody"] = "Hei\u{0}".into(),
            "correspondence.content.messageBody",
        ),
    ];
    for (change, path) in cases {
        let (status, problem) = crate::api::post(&app, &token, &request(change)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {problem}");
        let said = problem["errors"][path][0].as_str().unwrap_or_default();
        assert!(said.contains("NUL"), "{path}: {problem}");
    }
    assert_eq!(
        one(
            &app,
            "SELECT count(*)::text AS t FROM sendings WHERE channel IN ('form', 'api')"
        ),
        "0"
    );
}

/// The send a CSV upload started, from the address it redirected to.
fn sending_of(location: &str) -> String {
    location
        .trim_start_matches("/admin/sent/")
        .split('?')
        .next()
        .expect("id")
        .to_owned()
}

/// Waits until the CSV send's background job has ended (it takes well under a second); its state.
async fn ended(app: &TestApp, sending: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let state = one(
            app,
            &format!("SELECT state AS t FROM mass_sends WHERE sending_id = '{sending}'"),
        );
        if state != "running" {
            return state;
        }
        assert!(std::time::Instant::now() < deadline, "the CSV send ends");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Uploads `csv` with the message of `message("", key, "")` (changed by `changes`).
async fn upload_csv(
    app: &TestApp,
    owner: &str,
    key: &str,
    changes: &[(&str, &str)],
    csv: Vec<u8>,
) -> reqwest::Response {
    let token = app.csrf_token().await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in message("", key, "") {
        if k != "recipients" && k != "step" && !changes.iter().any(|(c, _)| *c == k) {
            form = form.text(k.to_owned(), v.to_owned());
        }
    }
    for (k, v) in changes {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "recipients_file",
        reqwest::multipart::Part::bytes(csv)
            .file_name("mottakere.csv")
            .mime_str("text/csv")
            .expect("mime"),
    );
    app.client
        .post(app.url(&format!(
            "/admin/compose/csv?owner={owner}&csrf_token={token}"
        )))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// CSV files as people save them: Windows-1252 from a spreadsheet (with a name in æøå), a
/// byte-order mark, a line of NUL bytes. The good lines are sent, every bad line is named by its
/// number, the send ends as done; a NUL in the message itself is refused at upload by its field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_file_as_people_save_it_is_read_and_every_bad_line_named() {
    let (app, owner) = sender_app().await;
    let kari = CITIZEN.national_id();
    let jon = RESERVED.national_id();
    let mut csv = b"\xEF\xBB\xBFmottaker;navn\r\n".to_vec();
    csv.extend_from_slice(kari.as_str().as_bytes());
    csv.extend_from_slice(b";K\xE5re \xC6rlig\r\n");
    csv.extend_from_slice(b"\0\0\0\0\r\n");
    csv.extend_from_slice(jon.as_str().as_bytes());
    csv.extend_from_slice(b";S\xF8lvi \x80\r\n");
    let response = upload_csv(&app, &owner, "csv-1252", &[], csv).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let sending = sending_of(&location);
    assert_eq!(ended(&app, &sending).await, "done");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM correspondences WHERE sending_id = '{sending}'"
        )),
        2,
        "Kari and Jon"
    );
    let view = app.get(&location).await.text().await.expect("page");
    assert!(
        view.contains("4 linjer lest, 2 mottakere lagret, én linje avvist."),
        "{view}"
    );
    assert!(
        view.contains("<th scope=\"row\" data-label=\"Linje\">3</th>") && view.contains("␀␀␀␀"),
        "the NUL line is named by its number"
    );

    let refused = upload_csv(
        &app,
        &owner,
        "csv-nul",
        &[("body", "Hei\u{0}")],
        format!("{}\n", kari.as_str()).into_bytes(),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.expect("page");
    assert!(field_error(&body, "body").is_some_and(|m| m.contains("NUL")));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sendings WHERE idempotency_key = 'csv-nul'"),
        0
    );
}

/// Every form answers bytes that are not text, a NUL character and a choice outside its list
/// next to the field, and stores nothing: the compose form sent as multipart with a title that
/// is not UTF-8; the service form with a NUL in a title and a login level it does not offer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_name_bytes_that_are_not_text_and_choices_outside_their_list() {
    let (app, owner) = sender_app().await;
    let kari = CITIZEN.national_id();
    let token = app.csrf_token().await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in message(kari.as_str(), "utf8-1", "send") {
        if k != "title" {
            form = form.text(k.to_owned(), v.to_owned());
        }
    }
    form = form.part(
        "title",
        reqwest::multipart::Part::bytes(b"Skatteoppgj\xF8ret".to_vec()),
    );
    let response = app
        .client
        .post(app.url(&format!("/admin/compose?owner={owner}&csrf_token={token}")))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("page");
    assert!(
        field_error(&body, "title").is_some_and(|m| m.contains("UTF-8")),
        "{body}"
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sendings WHERE idempotency_key = 'utf8-1'"),
        0
    );

    let path = format!("/admin/services?owner={owner}");
    let response = post(
        &app,
        &path,
        &[
            ("id", "skatt-nul"),
            ("title_nb", "Varsel\u{0}om bot"),
            ("title_nn", "Varsel om bot"),
            ("title_en", "Notice of fine"),
            ("packages", "ordinary-mail"),
            ("min_level", "very-high"),
            ("reminder_days", "7"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("page");
    assert!(field_error(&body, "title_nb").is_some_and(|m| m.contains("NUL")));
    assert!(field_error(&body, "min_level").is_some(), "{body}");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM services WHERE id = 'skatt-nul'"),
        0
    );
}

/// The check step: the file is read and looked up as a send would, every bad line named with
/// its number and reason, nothing sent; the send then uses the same file without a new upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_file_is_checked_before_it_is_sent() {
    let (app, owner) = sender_app().await;
    let kari = CITIZEN.national_id();
    let jon = RESERVED.national_id();
    let csv = format!(
        "mottaker\n{}\n12345678901\n{}\n974760673\n{}\n",
        kari.as_str(),
        jon.as_str(),
        kari.as_str()
    );
    let response = upload_csv(
        &app,
        &owner,
        "csv-check",
        &[("step", "check")],
        csv.into_bytes(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("page");
    assert!(
        page.contains("6 linjer lest: 2 mottakere funnet, 3 linjer avvist. Ingenting er sendt."),
        "{page}"
    );
    for (line, reason) in [
        (
            "3",
            "Ikke et gyldig fødselsnummer eller organisasjonsnummer",
        ),
        ("5", "Finnes ikke"),
        ("6", "Står på en tidligere linje"),
    ] {
        assert!(
            page.contains(&format!(
                "<th scope=\"row\" data-label=\"Linje\">{line}</th>"
            )) && page.contains(reason),
            "line {line}: {reason}"
        );
    }
    assert_eq!(
        app.count("SELECT count(*) AS n FROM sendings WHERE idempotency_key = 'csv-check'"),
        0,
        "nothing is sent by a check"
    );
    let kept = page
        .split("name=\"checked_file\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the checked file is kept")
        .to_owned();

    // Send: no new file, the checked one.
    let response = upload_csv(
        &app,
        &owner,
        "csv-check",
        &[("step", "send"), ("checked_file", &kept)],
        Vec::new(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let sending = sending_of(response.headers()["location"].to_str().expect("location"));
    assert_eq!(ended(&app, &sending).await, "done");
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM correspondences c JOIN sendings s ON s.id = c.sending_id \
             WHERE s.idempotency_key = 'csv-check'"
        ),
        2,
        "Kari and Jon, as the check said"
    );
    assert!(
        !app.data_dir.join(format!("uploads/{kept}.csv")).exists(),
        "the file is gone once sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn times_are_norwegian_ids_may_have_spaces_and_notice_outcomes_are_words() {
    let (app, owner) = sender_app().await;
    let path = format!("/admin/compose?owner={owner}");
    // Kari's number as people type it, with a space after the date of birth.
    let kari = CITIZEN.national_id();
    let (birth, rest) = kari.as_str().split_at(6);
    let spaced = format!("{birth} {rest}");
    let mut fields = message(&spaced, "key-oslo", "send");
    // Summer time: 08:00 in Norway is 06:00 UTC.
    fields.push(("publish_at", "2099-06-01T08:00"));
    let sent = post(&app, &path, &fields).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let location = sent.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(
        one(
            &app,
            &format!(
                "SELECT to_char(c.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS t \
                 FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
                 WHERE p.national_id = '{}' AND c.sending_id = '{}'",
                kari.as_str(),
                location
                    .trim_start_matches("/admin/sent/")
                    .split('?')
                    .next()
                    .unwrap_or_default()
            )
        ),
        "2099-06-01 06:00"
    );
    let view = app.get(&location).await.text().await.expect("page");
    assert!(view.contains("01.06.2099 08:00"), "shown in Norwegian time");
    assert!(view.contains("Alle klokkeslett er norsk tid."));
    assert!(
        view.contains("data-label=\"Varsler\">Varsel på e-post: venter på å bli sendt<"),
        "{view}"
    );
    assert!(!view.contains("initial email"), "no developer words");
    for (code, words) in [
        ("nn", "Varsel på e-post: ventar på å bli sendt<"),
        ("en", "Notification by e-mail: waiting to be sent<"),
    ] {
        app.get(&format!("/language/{code}?return_to=/")).await;
        let view = app.get(&location).await.text().await.expect("page");
        assert!(view.contains(words), "{code}: {view}");
    }
}
