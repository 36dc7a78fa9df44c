//! Start-up configuration: `serve` refuses to run without explicit secrets; `demo` needs nothing.

use melding::config::{Config, ConfigError, LoginProvider, Mode};

fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |key| vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

fn problems(result: Result<Config, ConfigError>) -> Vec<String> {
    match result {
        Ok(_) => Vec::new(),
        Err(ConfigError(list)) => list,
    }
}

#[test]
fn demo_needs_nothing() {
    let config = Config::from_lookup(Mode::Demo, with(&[])).expect("demo starts with no settings");
    assert!(matches!(config.login, LoginProvider::Demo));
    assert!(
        config.session_key().len() >= 32,
        "a random session key is made"
    );
    assert!(
        !config.secure_cookies,
        "demo runs over plain http on loopback"
    );
}

#[test]
fn serve_refuses_to_start_without_database_session_key_and_login() {
    let list = problems(Config::from_lookup(Mode::Serve, with(&[])));
    let joined = list.join("\n");
    assert!(joined.contains("DATABASE_URL"), "{joined}");
    assert!(joined.contains("MELDING_SESSION_KEY"), "{joined}");
    assert!(joined.contains("MELDING_IDPORTEN_ISSUER"), "{joined}");
    assert!(joined.contains("MELDING_IDPORTEN_CLIENT_ID"), "{joined}");
    assert!(joined.contains("MELDING_SMTP_URL"), "{joined}");
    assert!(joined.contains("MELDING_SMS_URL"), "{joined}");
    assert!(joined.contains("MELDING_MAIL_FROM"), "{joined}");
}

#[test]
fn a_worker_node_needs_the_database_smtp_and_sms_but_no_login() {
    let list = problems(Config::from_lookup(Mode::Worker, with(&[])));
    let joined = list.join("\n");
    assert!(joined.contains("DATABASE_URL"), "{joined}");
    assert!(joined.contains("MELDING_SMTP_URL"), "{joined}");
    assert!(joined.contains("MELDING_SMS_URL"), "{joined}");
    assert!(!joined.contains("MELDING_SESSION_KEY"), "{joined}");
    assert!(!joined.contains("IDPORTEN"), "{joined}");
    let bad = problems(Config::from_lookup(
        Mode::Worker,
        with(&[
            ("DATABASE_URL", "postgres://db/melding"),
            ("MELDING_SMTP_URL", "http://relay.example"),
            ("MELDING_MAIL_FROM", "noreply@melding.example"),
            ("MELDING_SMS_URL", "http://sms.example/send"),
            ("MELDING_SMS_TOKEN", "token"),
            ("MELDING_WORKER_CONCURRENCY", "0"),
        ]),
    ))
    .join("\n");
    assert!(
        bad.contains("MELDING_SMTP_URL must start with smtp://"),
        "{bad}"
    );
    assert!(
        bad.contains("MELDING_SMS_URL must be an https:// address"),
        "{bad}"
    );
    assert!(bad.contains("MELDING_WORKER_CONCURRENCY"), "{bad}");
}

#[test]
fn serve_never_enables_the_demo_login_or_insecure_cookies() {
    let key = "ab".repeat(32);
    let base = [
        ("DATABASE_URL", "postgres://db/melding"),
        ("MELDING_SESSION_KEY", key.as_str()),
        ("MELDING_PUBLIC_URL", "https://melding.example"),
        ("MELDING_IDPORTEN_ISSUER", "https://test.idporten.no"),
        ("MELDING_IDPORTEN_CLIENT_ID", "client"),
        ("MELDING_IDPORTEN_CLIENT_SECRET", "secret"),
        ("MELDING_SMTP_URL", "smtp://relay.example:587?tls=required"),
        ("MELDING_MAIL_FROM", "melding <noreply@melding.example>"),
        ("MELDING_SMS_URL", "https://sms.example/send"),
        ("MELDING_SMS_TOKEN", "token"),
    ];
    let config =
        Config::from_lookup(Mode::Serve, with(&base)).expect("complete production settings");
    assert!(matches!(config.login, LoginProvider::IdPorten(_)));
    assert!(config.secure_cookies);

    let mut demo_login = base.to_vec();
    demo_login.push(("MELDING_LOGIN", "demo"));
    assert!(
        problems(Config::from_lookup(Mode::Serve, with(&demo_login)))
            .join("\n")
            .contains("demo login")
    );

    let mut insecure = base.to_vec();
    insecure.push(("MELDING_SECURE_COOKIES", "false"));
    assert!(!problems(Config::from_lookup(Mode::Serve, with(&insecure))).is_empty());

    let mut short_key = base.to_vec();
    short_key[1] = ("MELDING_SESSION_KEY", "abcd");
    assert!(
        problems(Config::from_lookup(Mode::Serve, with(&short_key)))
            .join("\n")
            .contains("MELDING_SESSION_KEY")
    );
}

#[test]
fn bad_values_are_named() {
    let list = problems(Config::from_lookup(
        Mode::Demo,
        with(&[
            ("MELDING_BIND", "not an address"),
            ("MELDING_DB_POOL_SIZE", "many"),
        ]),
    ));
    let joined = list.join("\n");
    assert!(
        joined.contains("MELDING_BIND") && joined.contains("MELDING_DB_POOL_SIZE"),
        "{joined}"
    );
}
