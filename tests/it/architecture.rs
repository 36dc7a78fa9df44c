//! The slices of `src/` import one another in one direction only: each may use the slices listed
//! for it below and no other, and the list itself has no circle. docs/architecture.md draws the
//! same table; a change to it is a change to the architecture, made on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of the library and the modules it may import, from the bottom up.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("db", &[]),
    ("storage", &[]),
    ("telemetry", &[]),
    ("config", &["domain", "storage"]),
    ("audit", &["db"]),
    ("state", &["config", "db", "storage"]),
    ("web", &["config", "db", "domain", "state", "storage"]),
    ("transfer", &["db", "domain", "storage"]),
    ("events", &["db"]),
    (
        "access",
        &["audit", "db", "domain", "state", "transfer", "web"],
    ),
    (
        "auth",
        &["access", "audit", "config", "db", "domain", "state", "web"],
    ),
    ("sending", &["access", "db", "domain", "storage", "web"]),
    (
        "notify",
        &[
            "access", "config", "db", "domain", "events", "sending", "state", "storage",
            "transfer", "web",
        ],
    ),
    (
        "inbox",
        &[
            "access", "db", "domain", "notify", "state", "storage", "web",
        ],
    ),
    (
        "owner",
        &[
            "access", "audit", "db", "domain", "events", "sending", "state", "transfer", "web",
        ],
    ),
    (
        "api",
        &[
            "access", "audit", "db", "domain", "events", "inbox", "notify", "sending", "state",
            "storage", "transfer", "web",
        ],
    ),
    ("seed", &["access", "auth", "db", "domain", "storage"]),
    ("import", &["access", "db", "domain"]),
    ("bench", &["db", "domain", "notify", "seed", "sending"]),
    (
        "routes",
        &["access", "api", "auth", "inbox", "notify", "owner", "web"],
    ),
    (
        "app",
        &[
            "api", "auth", "config", "db", "notify", "routes", "sending", "state", "storage", "web",
        ],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).expect("a source folder").flatten() {
        files.extend(rust_files(&entry.path()));
    }
    files.retain(|f| f.extension().is_some_and(|e| e == "rs"));
    files
}

/// The top-level modules named by `crate::` in `code` (comments aside), also inside
/// `use crate::{a::b, c}` groups.
fn imports(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for line in code.lines().map(str::trim_start) {
        if line.starts_with("//") {
            continue;
        }
        for rest in line.split("crate::").skip(1) {
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        c if start && !c.is_whitespace() => {
                            found.insert(ident(&group[i..]));
                            start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                found.insert(ident(rest));
            }
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

#[test]
fn the_import_reader_sees_paths_and_groups() {
    let code = "use crate::web::{AppError, render};\n// crate::seed is only mentioned\n\
                let x = crate::access::decision::f(crate::domain::Language::Nb);\n\
                use crate::{db::Prepared, storage};";
    let found: Vec<String> = imports(code).into_iter().collect();
    assert_eq!(found, ["access", "db", "domain", "storage", "web"]);
}

#[test]
fn slices_import_each_other_one_way_only() {
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(m, deps)| (*m, deps.iter().copied().collect()))
        .collect();
    // The table has no circle: each module may only use modules listed before it.
    for (i, (module, deps)) in ALLOWED.iter().enumerate() {
        for dep in *deps {
            let at = ALLOWED.iter().position(|(m, _)| m == dep);
            assert!(
                at.is_some_and(|at| at < i),
                "{module} may use {dep}, which must come before it in the table"
            );
        }
    }
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let modules: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    assert_eq!(
        modules,
        allowed.keys().copied().collect(),
        "every top-level module has its row in the table"
    );
    let mut wrong = Vec::new();
    for module in &modules {
        let path = match src().join(module) {
            dir if dir.is_dir() => dir,
            _ => src().join(format!("{module}.rs")),
        };
        for file in rust_files(&path) {
            let code = std::fs::read_to_string(&file).expect("a source file");
            for used in imports(&code) {
                if used != *module && !allowed[module].contains(used.as_str()) {
                    wrong.push(format!("{} uses {used}", file.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the direction of docs/architecture.md:\n{}",
        wrong.join("\n")
    );
}
