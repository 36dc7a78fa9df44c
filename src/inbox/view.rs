//! Pieces the listing and reading pages share: the party header, links that carry the filters,
//! highlighting and due-date badges.

use chrono::{Duration, Utc};

use super::filters::{Combined, Filters};
use crate::access::decision::Actor;
use crate::domain::Language;
use crate::domain::PartyKind;
use crate::web::context::encode_component;
use crate::web::i18n::{self, date};
use crate::web::user::{Acting, CurrentUser};

pub(super) const PAGE_SIZE: i64 = 25;
pub(super) const PARTY_COOKIE: &str = "melding_party";

/// The party being acted for, as pages show it (or a combined view over many).
pub struct PartyHeader {
    pub id: i64,
    pub label: String,
    pub is_person: bool,
    pub combined: Option<Combined>,
    /// The party as the header shows it (none for a combined view).
    pub acting: Option<Acting>,
}

impl PartyHeader {
    /// The query-string pair that selects this party or combined view.
    pub fn pair(&self) -> (&'static str, String) {
        match self.combined {
            Some(c) => ("all", c.key().to_owned()),
            None => ("party", self.id.to_string()),
        }
    }
}

impl PartyHeader {
    /// The header of party `id`, read already.
    pub(super) fn of(
        id: i64,
        kind: PartyKind,
        name: &str,
        org: Option<&str>,
        nid: Option<&str>,
    ) -> PartyHeader {
        PartyHeader {
            id,
            label: crate::access::parties::label(name, org),
            is_person: kind == PartyKind::Person,
            combined: None,
            acting: Some(Acting::new(id, kind, name, nid, org)),
        }
    }
}

pub(super) fn actor(user: &CurrentUser) -> Actor {
    Actor {
        person_id: user.person_id,
        level: user.level,
    }
}

/// Query-string pairs for the party and the filters, so every link carries the whole state.
pub(super) fn filter_pairs(f: &Filters, party: &PartyHeader) -> Vec<(&'static str, String)> {
    let mut pairs = vec![party.pair()];
    pairs.extend(f.pairs());
    pairs
}

pub(super) fn href(path: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// Escapes text and turns ts_headline's \u{1}...\u{2} markers into <mark>.
pub(super) fn highlight(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '\u{1}' => out.push_str("<mark>"),
            '\u{2}' => out.push_str("</mark>"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A due-date badge: danger when passed, warning within seven days.
pub(super) fn due_badge(
    lang: Language,
    due: Option<chrono::DateTime<Utc>>,
    open: bool,
) -> Option<(&'static str, String)> {
    let due = due?;
    let now = Utc::now();
    if !open {
        return None;
    }
    if due < now {
        Some((
            "danger",
            i18n::text_with(lang, "inbox-overdue", &[("date", date(lang, &due))]),
        ))
    } else if due < now + Duration::days(7) {
        Some((
            "warning",
            i18n::text_with(lang, "inbox-due-soon", &[("date", date(lang, &due))]),
        ))
    } else {
        Some((
            "neutral",
            i18n::text_with(lang, "inbox-due", &[("date", date(lang, &due))]),
        ))
    }
}
