//! Generated input for the pages' forms, as a logged-in user with a valid CSRF token: the compose
//! form (urlencoded and multipart with a file), the CSV upload, the service form, the report
//! address, the grant forms and the inbox search. Whatever arrives, the answer is never a server
//! error; a refused form says why next to a field; and nothing is stored unless the form
//! succeeded (a redirect).

use melding::auth::demo_idp::personas::{CITIZEN, MUNICIPAL_ADMIN, SENDER};
use proptest::prelude::*;
use reqwest::StatusCode;

use crate::api_fuzz::{block_on, nasty_string, run_checked};
use crate::helpers::{TestApp, text};

/// What a page answered.
struct Answer {
    status: StatusCode,
    body: String,
}

async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("request");
    Answer {
        status: response.status(),
        body: response.text().await.unwrap_or_default(),
    }
}

/// The pages' rule: no server error; a client error names a field (a validation message); rows
/// appear only after a success.
fn check(answer: &Answer, rows_before: i64, rows_after: i64) -> Result<(), String> {
    let shown = || answer.body.chars().take(2_000).collect::<String>();
    if answer.status.is_server_error() {
        return Err(format!("{}: {}", answer.status, shown()));
    }
    // 404 is the access decision's answer (a party one may not act for does not exist), not a
    // form's; every other refusal says which field.
    if answer.status.is_client_error()
        && answer.status != StatusCode::NOT_FOUND
        && !answer.body.contains("ds-validation-message")
    {
        return Err(format!(
            "{} without a field message: {}",
            answer.status,
            shown()
        ));
    }
    if !answer.status.is_redirection() && rows_after != rows_before {
        return Err(format!(
            "{} stored {} rows: {}",
            answer.status,
            rows_after - rows_before,
            shown()
        ));
    }
    Ok(())
}

/// A value for a form field: mostly plausible, often nasty.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        nasty_string().prop_filter("fits a form", |v| v.len() < 20_000),
        Just("skatt-skatteoppgjor".to_owned()),
        Just("1".to_owned()),
        Just("2099-01-01T10:00".to_owned()),
        Just("https://svar.example/klage".to_owned()),
        Just("EmailPreferred".to_owned()),
        Just("preflight".to_owned()),
        Just("send".to_owned()),
        Just("check".to_owned()),
        Just("high".to_owned()),
        Just("package:ordinary-mail".to_owned()),
    ]
}

/// Fields drawn from `names` (and now and then one the form does not know), each with a value.
fn fields(names: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        8 => prop::sample::select(names).prop_map(str::to_owned),
        1 => nasty_string().prop_filter("fits a form", |v| v.len() < 200),
    ];
    prop::collection::vec((name, value()), 0..12)
}

const COMPOSE: &[&str] = &[
    "service",
    "recipients",
    "senders_reference",
    "display_sender",
    "language",
    "title",
    "summary",
    "body",
    "publish_at",
    "due_at",
    "confirmation_needed",
    "reply_url",
    "reply_text",
    "ref_type",
    "ref_value",
    "notification",
    "send_reminder",
    "sms_any_time",
    "ignore_reservation",
    "ignore_reservation_reason",
    "email_subject",
    "email_body",
    "sms_text",
    "idempotency_key",
    "step",
    "send_anyway",
    "attachment_0190d0b0-0000-7000-8000-000000000000",
    "checked_file",
];

const SERVICE: &[&str] = &[
    "id",
    "title_nb",
    "title_nn",
    "title_en",
    "description_nb",
    "packages",
    "min_level",
    "confidential",
    "attachment_package",
    "reminder_days",
    "initial_email_subject_nb",
    "initial_email_body_nb",
    "initial_sms_text_nb",
    "editing",
];

const GRANT: &[&str] = &["national_id", "last_name", "what", "org_number"];

const SEARCH: &[&str] = &[
    "party",
    "folder",
    "q",
    "unread",
    "service",
    "sender",
    "all",
    "from",
    "to",
    "period",
    "due",
    "confirm",
    "attachments",
    "sort",
    "after",
];

/// A complete compose form to Kari, so generated changes reach the deeper checks too.
fn base_compose(kari: &str) -> Vec<(String, String)> {
    [
        ("service", "skatt-skatteoppgjor"),
        ("recipients", kari),
        ("senders_reference", "SAK-1"),
        ("language", "nb"),
        ("title", "Skatteoppgjøret"),
        ("body", "Hei"),
        ("notification", "Email"),
        ("step", "preflight"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn merged(base: &[(String, String)], changes: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    form.extend(changes);
    form
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_form_input_never_gets_a_server_error_or_half_stores() {
    let app = TestApp::spawn().await;
    app.seed_demo();
    app.login_as(SENDER.national_id().as_str(), "substantial")
        .await;
    let count = |sql: &str| app.count(sql);
    let owner = text(
        &mut app.pool.get().expect("conn"),
        "SELECT party_id::text AS t FROM service_owners WHERE short_name = 'skatteetaten'",
    );
    let token = app.csrf_token().await;
    let kari = CITIZEN.national_id().as_str().to_owned();
    let base = base_compose(&kari);
    let sendings = "SELECT count(*) AS n FROM sendings";

    // The compose form, urlencoded: sometimes from a good base, sometimes from nothing.
    let compose = app.url(&format!("/admin/compose?owner={owner}"));
    run_checked(
        120,
        (fields(COMPOSE), any::<bool>()),
        |(changes, from_base)| {
            let mut form = if from_base {
                merged(&base, changes)
            } else {
                changes
            };
            form.push(("csrf_token".to_owned(), token.clone()));
            let before = count(sendings);
            let answer = block_on(answer(app.client.post(&compose).form(&form)));
            check(&answer, before, count(sendings))
        },
    );

    // The compose form as multipart, with a file of any name and bytes.
    let file_name = prop_oneof![
        nasty_string().prop_filter("fits a header", |v| v.len() < 300),
        Just("vedtak.pdf".to_owned()),
        Just("a\u{0}.pdf".to_owned()),
    ];
    let compose_token = app.url(&format!("/admin/compose?owner={owner}&csrf_token={token}"));
    let attachments = "SELECT count(*) AS n FROM correspondence_attachments";
    run_checked(
        40,
        (
            fields(COMPOSE),
            file_name,
            prop::collection::vec(any::<u8>(), 0..64),
        ),
        |(changes, name, bytes)| {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in merged(&base, changes) {
                form = form.text(k, v);
            }
            form = form.part(
                "new_attachment",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            let before = count(sendings) + count(attachments);
            let answer = block_on(answer(app.client.post(&compose_token).multipart(form)));
            check(&answer, before, count(sendings) + count(attachments))
        },
    );

    // The CSV upload: any bytes as the file, any message fields.
    let upload = app.url(&format!(
        "/admin/compose/csv?owner={owner}&csrf_token={token}"
    ));
    run_checked(
        40,
        (fields(COMPOSE), prop::collection::vec(any::<u8>(), 0..300)),
        |(changes, csv)| {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in merged(&base, changes) {
                form = form.text(k, v);
            }
            form = form.part(
                "recipients_file",
                reqwest::multipart::Part::bytes(csv).file_name("mottakere.csv"),
            );
            let before = count(sendings);
            let answer = block_on(answer(app.client.post(&upload).multipart(form)));
            check(&answer, before, count(sendings))
        },
    );

    // The service form.
    let services = app.url(&format!("/admin/services?owner={owner}"));
    let service_rows = "SELECT count(*) AS n FROM services";
    run_checked(80, fields(SERVICE), |mut form| {
        form.push(("csrf_token".to_owned(), token.clone()));
        let before = count(service_rows);
        let answer = block_on(answer(app.client.post(&services).form(&form)));
        check(&answer, before, count(service_rows))
    });

    // The weekly report's address.
    let contact = app.url(&format!("/admin/reports/contact?owner={owner}"));
    run_checked(40, value(), |address| {
        let form = [("csrf_token", token.clone()), ("contact_email", address)];
        let answer = block_on(answer(app.client.post(&contact).form(&form)));
        check(&answer, 0, 0)
    });

    // The inbox's search and filters.
    let inbox = app.url("/inbox");
    run_checked(80, fields(SEARCH), |query| {
        let answer = block_on(answer(app.client.get(&inbox).query(&query)));
        check(&answer, 0, 0)
    });

    // The grant forms, as a municipality's main administrator.
    let admin = app.second_user();
    admin
        .login_as(MUNICIPAL_ADMIN.national_id().as_str(), "substantial")
        .await;
    let admin_token = admin.csrf_token().await;
    let fjellvik = text(
        &mut app.pool.get().expect("conn"),
        "SELECT id::text AS t FROM parties WHERE name = 'Fjellvik kommune'",
    );
    let grants = "SELECT (SELECT count(*) FROM delegations) + (SELECT count(*) FROM system_delegations) AS n";
    for path in ["grant", "systems/grant"] {
        let url = admin.url(&format!("/access/{fjellvik}/{path}"));
        run_checked(60, fields(GRANT), |mut form| {
            form.push(("csrf_token".to_owned(), admin_token.clone()));
            let before = count(grants);
            let answer = block_on(answer(admin.client.post(&url).form(&form)));
            check(&answer, before, count(grants))
        });
    }
}
