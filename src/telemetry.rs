//! Logging setup. National identity numbers, secrets and message bodies are never logged:
//! request spans carry the route pattern, not the URL, and domain types mask themselves.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// Installs the global subscriber (logs go to stderr; stdout is for command output): `MELDING_LOG` (or `RUST_LOG`) filters, `MELDING_LOG_FORMAT=json`
/// switches to one JSON object per line for log shippers.
pub fn init(default_filter: &str) {
    let filter = std::env::var("MELDING_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| default_filter.to_owned());
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("MELDING_LOG_FORMAT").is_ok_and(|f| f == "json");
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(fmt::layer().json().with_current_span(true))
            .try_init()
    } else {
        registry
            .with(fmt::layer().with_target(false).with_writer(std::io::stderr))
            .try_init()
    };
    // A second call (tests) keeps the first subscriber.
    drop(result);
}
