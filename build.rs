//! Re-embeds migrations when they change, and installs the pinned Designsystemet stylesheets
//! (`static/vendor`, npm) when they are missing, so a fresh clone needs no manual step.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=static/vendor/package-lock.json");
    println!("cargo:rerun-if-changed=templates");

    let vendor = Path::new("static/vendor");
    let installed = vendor.join("node_modules/@digdir/designsystemet-css/package.json");
    let lock = vendor.join("package-lock.json");
    let fresh = match (std::fs::metadata(&installed), std::fs::metadata(&lock)) {
        (Ok(i), Ok(l)) => {
            i.modified().ok() >= l.modified().ok() || installed_matches_lock(&installed, &lock)
        }
        _ => false,
    };
    if fresh {
        return;
    }
    let status = Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
        ])
        .current_dir(vendor)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            panic!("`npm ci` in static/vendor failed ({s}); the stylesheets cannot be installed")
        }
        Err(e) => panic!(
            "cannot run npm ({e}). Install Node.js and npm (Debian: `apt-get install nodejs npm`) so the \
             Designsystemet stylesheets can be installed into static/vendor"
        ),
    }
}

/// The installed version is the one the lock file pins.
fn installed_matches_lock(installed: &Path, lock: &Path) -> bool {
    let (Ok(installed), Ok(lock)) = (
        std::fs::read_to_string(installed),
        std::fs::read_to_string(lock),
    ) else {
        return false;
    };
    let version = |text: &str| {
        text.split("\"version\": \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned)
    };
    let pinned = lock
        .split("\"node_modules/@digdir/designsystemet-css\": {")
        .nth(1)
        .and_then(version);
    pinned.is_some() && pinned == version(&installed)
}
