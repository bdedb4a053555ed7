//! The facts cache: facts of each source file, keyed by git blob id and path, on disk
//! under `.impact/cache/`.
//!
//! Facts depend only on a file's path and content, and a blob id is a content hash, so
//! an entry never goes stale; a new parser version starts a new file. The cache is an
//! optimisation: a missing, unreadable or corrupt cache file is ignored (and rewritten),
//! never an error.

use crate::facts::Facts;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bump when a parser changes what it returns: old caches are then ignored.
pub const FACTS_VERSION: u32 = 2;

/// Facts by `(blob id, path)`.
#[derive(Debug, Default)]
pub struct FactsCache {
    file: Option<PathBuf>,
    entries: HashMap<String, Facts>,
    dirty: bool,
}

impl FactsCache {
    /// A cache that is never read or written (`--no-cache`).
    pub fn disabled() -> FactsCache {
        FactsCache::default()
    }

    /// Loads the cache from `dir` (usually `<repo>/.impact/cache`).
    pub fn load(dir: &Path) -> FactsCache {
        let file = dir.join(format!("facts-v{FACTS_VERSION}.bin"));
        let entries = std::fs::read(&file)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<Vec<(String, Facts)>>(&bytes).ok())
            .map(|list| list.into_iter().collect())
            .unwrap_or_default();
        FactsCache {
            file: Some(file),
            entries,
            dirty: false,
        }
    }

    /// False for `--no-cache`.
    pub fn is_enabled(&self) -> bool {
        self.file.is_some()
    }

    /// The cache key of a file version.
    pub fn key(blob: &str, path: &str) -> String {
        format!("{blob}:{path}")
    }

    /// Takes cached facts out of the cache (no copy); give them back with
    /// [`FactsCache::insert`] before [`FactsCache::save`].
    pub fn take(&mut self, key: &str) -> Option<Facts> {
        self.entries.remove(key)
    }

    /// Notes that new facts were parsed, so the cache is worth writing.
    pub fn mark_dirty(&mut self) {
        if self.file.is_some() {
            self.dirty = true;
        }
    }

    /// True when new facts were parsed since the cache was loaded.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Stores facts for a key.
    pub fn insert(&mut self, key: String, facts: Facts) {
        if self.file.is_none() {
            return;
        }
        self.entries.insert(key, facts);
    }

    /// Writes the cache back if it changed: to a temporary file, then renamed, so a
    /// reader never sees half a cache. Failures are ignored (the cache is optional).
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        if !self.dirty {
            return;
        }
        let Some(dir) = file.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        if let Some(impact_dir) = dir.parent() {
            let ignore = impact_dir.join(".gitignore");
            if !ignore.exists() {
                let _ = std::fs::write(
                    ignore,
                    "# written by impact: cache and history stay local\n*\n",
                );
            }
        }
        let mut list: Vec<(&String, &Facts)> = self.entries.iter().collect();
        list.sort_by(|a, b| a.0.cmp(b.0));
        let Ok(bytes) = postcard::to_stdvec(&list) else {
            return;
        };
        let tmp = file.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, file).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// The components each commit changed, for change frequency (churn) when there is no
/// history database to keep them: `.impact/cache/commits-v<N>.bin`. Like the facts, an
/// entry never goes stale (a commit never changes).
#[derive(Debug, Default)]
pub struct CommitCache {
    file: Option<PathBuf>,
    entries: HashMap<String, Vec<String>>,
    dirty: bool,
}

impl CommitCache {
    /// Loads the cache from `dir`; a missing or corrupt file is an empty cache.
    pub fn load(dir: &Path) -> CommitCache {
        let file = dir.join(format!("commits-v{FACTS_VERSION}.bin"));
        let entries = std::fs::read(&file)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<Vec<(String, Vec<String>)>>(&bytes).ok())
            .map(|list| list.into_iter().collect())
            .unwrap_or_default();
        CommitCache {
            file: Some(file),
            entries,
            dirty: false,
        }
    }

    /// The components a commit changed, if known.
    pub fn get(&self, commit: &str) -> Option<&[String]> {
        self.entries.get(commit).map(Vec::as_slice)
    }

    /// Records the components a commit changed.
    pub fn insert(&mut self, commit: String, components: Vec<String>) {
        self.entries.insert(commit, components);
        self.dirty = true;
    }

    /// Writes the cache back if it changed (atomically; failures ignored).
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        if !self.dirty {
            return;
        }
        let mut list: Vec<(&String, &Vec<String>)> = self.entries.iter().collect();
        list.sort();
        if let Ok(bytes) = postcard::to_stdvec(&list) {
            write_atomically(file, &bytes);
        }
    }
}

/// Writes `bytes` to a temporary file next to `file`, then renames it over `file`.
fn write_atomically(file: &Path, bytes: &[u8]) {
    let Some(dir) = file.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, file).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}
