//! Attachment storage. Local disk under the data folder for now, addressed by storage key; the
//! key layout (`<owner>/<...>`) maps one to one onto object-store paths when scaled out.

use std::path::{Path, PathBuf};

#[derive(Clone)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    pub fn new(data_dir: &Path) -> Self {
        Storage {
            root: data_dir.join("attachments"),
        }
    }

    /// Where the object with `key` lives. Keys are ours (never user input); `/` becomes `_` so
    /// each object is one file in one folder.
    pub fn path(&self, key: &str) -> PathBuf {
        self.root.join(key.replace(['/', '\\'], "_"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}
