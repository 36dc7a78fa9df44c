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
        // Bidi isolation marks would end up inside HTML attributes and copied text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
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

/// The text for `key` in `lang` (falling back to nb, then to the key itself).
pub fn text(lang: Language, key: &str) -> String {
    LOCALES.lookup(id(lang), key)
}

/// The text for `key` with named arguments.
pub fn text_with(lang: Language, key: &str, args: &[(&'static str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.as_str())))
        .collect();
    LOCALES.lookup_with_args(id(lang), key, &args)
}

/// A date as people write it in the language: 22.11.2026, or 22 November 2026.
pub fn date(lang: Language, at: &chrono::DateTime<chrono::Utc>) -> String {
    match lang {
        Language::En => at.format("%-d %B %Y").to_string(),
        Language::Nb | Language::Nn => at.format("%d.%m.%Y").to_string(),
    }
}

/// A date with the time of day.
pub fn date_time(lang: Language, at: &chrono::DateTime<chrono::Utc>) -> String {
    format!("{} {}", date(lang, at), at.format("%H:%M"))
}

/// A byte size for people: 12 kB, 3.4 MB.
pub fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{} kB", (b + 500) / 1_000),
        b => format!("{:.1} MB", b as f64 / 1_000_000.0),
    }
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
