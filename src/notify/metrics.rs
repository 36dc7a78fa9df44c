//! Counters of what this process's worker did, and the queue depth from the database, in the
//! Prometheus text format at `/metrics`.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use super::outbox::{Depth, Outcome};

const OUTCOMES: [&str; 5] = ["sent", "failed", "retried", "cancelled", "deferred"];
const CHANNELS: [&str; 2] = ["email", "sms"];

static COUNTS: [[AtomicU64; 5]; 2] = [
    [const { AtomicU64::new(0) }; 5],
    [const { AtomicU64::new(0) }; 5],
];

pub fn count(channel: &str, outcome: &Outcome) {
    let c = usize::from(channel == "sms");
    let o = match outcome {
        Outcome::Sent { .. } => 0,
        Outcome::Failed { .. } => 1,
        Outcome::Retry { .. } => 2,
        Outcome::Cancelled => 3,
        Outcome::Defer { .. } => 4,
    };
    COUNTS[c][o].fetch_add(1, Ordering::Relaxed);
}

/// The exposition text.
pub fn render(depth: &[Depth]) -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP melding_notifications_total Notices handled by this process's worker, by outcome.\n\
         # TYPE melding_notifications_total counter\n",
    );
    for (c, channel) in CHANNELS.iter().enumerate() {
        for (o, outcome) in OUTCOMES.iter().enumerate() {
            let _ = writeln!(
                out,
                "melding_notifications_total{{channel=\"{channel}\",outcome=\"{outcome}\"}} {}",
                COUNTS[c][o].load(Ordering::Relaxed)
            );
        }
    }
    for (name, help, due) in [
        (
            "melding_outbox_depth",
            "Notices waiting in the outbox (all nodes), by state.",
            false,
        ),
        (
            "melding_outbox_due",
            "Notices whose time has come and that are not sent yet.",
            true,
        ),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for channel in CHANNELS {
            for state in ["queued", "sending"] {
                let value = depth
                    .iter()
                    .find(|d| d.channel == channel && d.state == state)
                    .map_or(0, |d| if due { d.due } else { d.total });
                let _ = writeln!(
                    out,
                    "{name}{{channel=\"{channel}\",state=\"{state}\"}} {value}"
                );
            }
        }
    }
    out
}

/// The webhook figures (from the database, all nodes).
pub fn render_events(f: &crate::events::Figures) -> String {
    format!(
        "# HELP melding_event_deliveries_total Events posted to webhooks (all nodes), by outcome.\n\
         # TYPE melding_event_deliveries_total counter\n\
         melding_event_deliveries_total{{outcome=\"delivered\"}} {}\n\
         melding_event_deliveries_total{{outcome=\"failed\"}} {}\n\
         # HELP melding_events_outbox_depth Events not yet delivered to active subscriptions (summed), and events not yet ordered.\n\
         # TYPE melding_events_outbox_depth gauge\n\
         melding_events_outbox_depth{{state=\"behind\"}} {}\n\
         melding_events_outbox_depth{{state=\"unordered\"}} {}\n\
         # HELP melding_event_subscriptions_failing Subscriptions whose retries ran out.\n\
         # TYPE melding_event_subscriptions_failing gauge\n\
         melding_event_subscriptions_failing {}\n",
        f.delivered, f.failed, f.behind, f.unplaced, f.failing
    )
}
