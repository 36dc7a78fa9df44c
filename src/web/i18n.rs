//! Translations from the Fluent files in `templates/locales/{nb,nn,en}`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

use crate::domain::Language;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./templates/locales",
        fallback_language: "nb",
        // Bidi isolation marks would end up inside HTML attributes and copied text. Numbers
        // are written as the language writes them (1 000 000 in Norwegian, 1,000,000 in English).
        customise: |bundle| {
            bundle.set_use_isolating(false);
            let english = bundle.locales.first().is_some_and(|l| l.language.as_str() == "en");
            bundle.set_formatter(Some(if english { number_en } else { number_nb }));
        },
    };
}

fn number_nb<M>(value: &FluentValue, _: &M) -> Option<String> {
    whole(value, Language::Nb)
}

fn number_en<M>(value: &FluentValue, _: &M) -> Option<String> {
    whole(value, Language::En)
}

/// A whole number as the language groups it; other values as Fluent writes them.
fn whole(value: &FluentValue, lang: Language) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.value.fract() == 0.0 => Some(grouped(n.value as i64, lang)),
        _ => None,
    }
}

/// A whole number in groups of three: a no-break space between them in Norwegian (as the
/// language council writes it), a comma in English.
pub fn grouped(n: i64, lang: Language) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = match lang {
        Language::En => ",",
        Language::Nb | Language::Nn => "\u{a0}",
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2 + 1);
    if n < 0 {
        out.push('−');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(ch);
    }
    out
}

static IDS: LazyLock<[LanguageIdentifier; 3]> = LazyLock::new(|| {
    Language::ALL.map(|l| {
        l.code()
            .parse()
            .unwrap_or_else(|_| LanguageIdentifier::default())
    })
});

fn id(lang: Language) -> &'static LanguageIdentifier {
    &IDS[lang as usize]
}

/// The texts without arguments already looked up, per language: a page asks for a hundred of
/// them, and Fluent negotiates the language and resolves the pattern on every lookup.
static RESOLVED: LazyLock<[std::sync::RwLock<HashMap<String, String>>; 3]> =
    LazyLock::new(Default::default);

const RESOLVED_LIMIT: usize = 10_000;

/// The text for `key` in `lang` (falling back to nb, then to the key itself).
pub fn text(lang: Language, key: &str) -> String {
    let cache = &RESOLVED[lang as usize];
    // A poisoned cache holds only finished texts; keep using it.
    if let Some(text) = cache.read().unwrap_or_else(|e| e.into_inner()).get(key) {
        return text.clone();
    }
    let text = LOCALES.lookup(id(lang), key);
    let mut cache = cache.write().unwrap_or_else(|e| e.into_inner());
    // Keys come from the code, not from input; the bound only keeps a mistake from growing it.
    if cache.len() < RESOLVED_LIMIT {
        cache.insert(key.to_owned(), text.clone());
    }
    text
}

/// The argument names that are counts: plural forms choose by them, and they show grouped.
const COUNTS: &[&str] = &[
    "count",
    "total",
    "ready",
    "reserved",
    "nobody",
    "deleted",
    "lines",
    "recipients",
    "rejected",
    "stored",
    "days",
    "unread",
    "sent",
    "queued",
    "failed",
    "cancelled",
    "readers",
    "role",
    "delegation",
    "systems",
    "others",
];

/// The text for `key` with named arguments. A count (see [`COUNTS`]) that is a whole number goes in as a
/// number, so messages choose plural forms by it and show it grouped.
pub fn text_with(lang: Language, key: &str, args: &[(&'static str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| {
            let value = match v.parse::<i64>() {
                // Counts only: identifiers and codes stay as written.
                Ok(n) if COUNTS.contains(k) && n.to_string() == *v => FluentValue::from(n),
                _ => FluentValue::from(v.as_str()),
            };
            (Cow::Borrowed(*k), value)
        })
        .collect();
    LOCALES.lookup_with_args(id(lang), key, &args)
}

/// A date as people in Norway write it, on the day it is in Norway: 22.11.2026, or
/// 22 November 2026.
pub fn date(lang: Language, at: &chrono::DateTime<chrono::Utc>) -> String {
    let local = crate::domain::time::in_oslo(at);
    match lang {
        Language::En => local.format("%-d %B %Y").to_string(),
        Language::Nb | Language::Nn => local.format("%d.%m.%Y").to_string(),
    }
}

/// A date with the time of day in Norway (the pages say once that times are Norwegian).
pub fn date_time(lang: Language, at: &chrono::DateTime<chrono::Utc>) -> String {
    let local = crate::domain::time::in_oslo(at);
    format!("{} {}", date(lang, at), local.format("%H:%M"))
}

/// A byte size for people, with the language's decimal mark: 665 byte, 12 kB, 3,4 MB.
pub fn size(lang: Language, bytes: i64) -> String {
    let decimal = |value: f64, unit: &str| {
        let text = format!("{value:.1}");
        match lang {
            Language::En => format!("{text} {unit}"),
            Language::Nb | Language::Nn => format!("{} {unit}", text.replace('.', ",")),
        }
    };
    match bytes {
        b if b < 1_000 => format!("{b} {}", text(lang, "size-bytes")),
        b if b < 1_000_000 => format!("{} kB", (b + 500) / 1_000),
        b if b < 1_000_000_000 => decimal(b as f64 / 1_000_000.0, "MB"),
        b => decimal(b as f64 / 1_000_000_000.0, "GB"),
    }
}

/// What kind of file a media type is, in words ("PDF document", "Excel spreadsheet").
pub fn file_kind(lang: Language, media_type: &str) -> String {
    let kind = match media_type {
        "application/pdf" => "pdf",
        "text/plain" => "text",
        "text/html" => "html",
        "application/xml" | "text/xml" => "xml",
        "application/json" => "json",
        "text/csv" => "csv",
        "application/msword"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "word",
        "application/vnd.ms-excel"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "excel",
        "application/vnd.ms-powerpoint"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
            "powerpoint"
        }
        "application/zip" => "zip",
        "application/dicom" => "dicom",
        t if t.starts_with("image/") => "image",
        _ => "other",
    };
    text(lang, &format!("file-kind-{kind}"))
}

/// A field message for an identifier that did not parse.
pub fn id_error(lang: Language, err: &crate::domain::IdError) -> String {
    use crate::domain::IdError;
    let key = match err {
        IdError::Length(11) => "id-error-length-11",
        IdError::Length(_) => "id-error-length-9",
        IdError::Checksum => "id-error-checksum",
        IdError::Date => "id-error-date",
        IdError::Synthetic => "id-error-synthetic",
        IdError::Reference => "id-error-reference",
    };
    text(lang, key)
}

/// The best of our languages for an `Accept-Language` header.
pub fn negotiate(accept_language: &str) -> Option<Language> {
    let mut best: Option<(f32, Language)> = None;
    for part in accept_language.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "nb" | "no" => Some(Language::Nb),
            "nn" => Some(Language::Nn),
            "en" => Some(Language::En),
            _ => None,
        };
        if let Some(lang) = lang
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_weight() {
        assert_eq!(negotiate("en-GB,en;q=0.9,nb;q=0.8"), Some(Language::En));
        assert_eq!(negotiate("de, nn;q=0.5, en;q=0.4"), Some(Language::Nn));
        assert_eq!(negotiate("no"), Some(Language::Nb));
        assert_eq!(negotiate("de, fr"), None);
    }
}
