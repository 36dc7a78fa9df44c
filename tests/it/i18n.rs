//! Every text exists in bokmål, nynorsk and English.

use std::collections::BTreeSet;

fn keys(lang: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("templates/locales/{lang}/melding.ftl"));
    std::fs::read_to_string(&path)
        .expect("locale file")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
        .filter_map(|l| l.split(" = ").next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_three_languages_have_the_same_keys() {
    let nb = keys("nb");
    assert!(nb.len() > 50);
    for lang in ["nn", "en"] {
        let other = keys(lang);
        let missing: Vec<_> = nb.difference(&other).collect();
        let extra: Vec<_> = other.difference(&nb).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{lang}: missing {missing:?}, extra {extra:?}"
        );
    }
}

#[test]
fn every_key_used_in_templates_and_code_exists() {
    let nb = keys("nb");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = BTreeSet::new();
    for dir in ["templates", "src"] {
        for file in walk(&root.join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (i, _) in text.match_indices(".t(\"") {
                let rest = &text[i + 4..];
                if let Some(end) = rest.find('"') {
                    used.insert(rest[..end].to_owned());
                }
            }
        }
    }
    let unknown: Vec<_> = used
        .iter()
        .filter(|k| !nb.contains(*k) && !k.contains('{'))
        .collect();
    assert!(
        unknown.is_empty(),
        "texts used but not translated: {unknown:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
