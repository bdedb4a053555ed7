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
pub const FACTS_VERSION: u32 = 7;

/// Facts by `(blob id, path)`.
#[derive(Debug, Default)]
pub struct FactsCache {
    file: Option<PathBuf>,
    entries: HashMap<String, Facts>,
    dirty: bool,
    /// Keys parsed in this run (not found in the cache).
    fresh: std::collections::HashSet<String>,
    /// Records in the append log (see [`FactsCache::append_fresh`]).
    log_records: usize,
}

impl FactsCache {
    /// A cache that is never read or written (`--no-cache`).
    pub fn disabled() -> FactsCache {
        FactsCache::default()
    }

    /// Loads the cache from `dir` (usually `<repo>/.impact/cache`).
    pub fn load(dir: &Path) -> FactsCache {
        let file = dir.join(format!("facts-v{FACTS_VERSION}.bin"));
        let mut entries: HashMap<String, Facts> = std::fs::read(&file)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<Vec<(String, Facts)>>(&bytes).ok())
            .map(|list| list.into_iter().collect())
            .unwrap_or_default();
        // The append log: frames of a little-endian u32 length and one `(key, facts)`.
        // A torn last frame (a killed process) ends the log; what came before stays.
        let mut log_records = 0;
        if let Ok(log) = std::fs::read(log_path(&file)) {
            let mut rest = log.as_slice();
            while rest.len() >= 4 {
                let length = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
                let Some(frame) = rest.get(4..4 + length) else {
                    break;
                };
                let Ok((key, facts)) = postcard::from_bytes::<(String, Facts)>(frame) else {
                    break;
                };
                entries.insert(key, facts);
                log_records += 1;
                rest = &rest[4 + length..];
            }
        }
        FactsCache {
            file: Some(file),
            entries,
            dirty: false,
            fresh: Default::default(),
            log_records,
        }
    }

    /// Notes that `key` was parsed in this run.
    pub fn note_parsed(&mut self, key: String) {
        if self.file.is_some() {
            self.fresh.insert(key);
            self.dirty = true;
        }
    }

    /// True when appending this run's new facts to the log is better than rewriting the
    /// whole cache: a warm plan that parsed one file should not rewrite the facts of
    /// every file (that took longer than the rest of the plan).
    pub fn can_append(&self) -> bool {
        let main_exists = self.file.as_ref().is_some_and(|file| file.exists());
        let limit = (self.entries.len() / 8).max(256);
        main_exists && self.log_records + self.fresh.len() <= limit
    }

    /// Appends the facts of the files parsed in this run to the log.
    pub fn append_fresh<'a>(&self, files: impl IntoIterator<Item = (String, &'a Facts)>) {
        use std::io::Write;
        let Some(file) = &self.file else { return };
        let mut bytes = Vec::new();
        for (key, facts) in files {
            if !self.fresh.contains(&key) {
                continue;
            }
            let Ok(frame) = postcard::to_stdvec(&(&key, facts)) else {
                continue;
            };
            let Ok(length) = u32::try_from(frame.len()) else {
                continue;
            };
            bytes.extend_from_slice(&length.to_le_bytes());
            bytes.extend_from_slice(&frame);
        }
        // One write of whole frames: a reader sees a complete frame or a torn last one.
        if let Ok(mut log) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path(file))
        {
            let _ = log.write_all(&bytes);
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
        if write_atomically(file, &bytes) {
            // Everything in the log is in the new file now.
            let _ = std::fs::remove_file(log_path(file));
        }
    }
}

/// The append log next to a cache file.
fn log_path(file: &Path) -> PathBuf {
    file.with_extension("log")
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

/// Writes `bytes` to a temporary file next to `file`, then renames it over `file`, so a
/// reader never sees half a file. Returns whether `file` now holds `bytes`.
fn write_atomically(file: &Path, bytes: &[u8]) -> bool {
    let Some(dir) = file.parent() else {
        return false;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_err() {
        return false;
    }
    if std::fs::rename(&tmp, file).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(hash: u64) -> Facts {
        Facts {
            semantic_hash: hash,
            ..Facts::default()
        }
    }

    #[test]
    fn appended_facts_are_read_back_and_a_torn_frame_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = FactsCache::load(dir.path());
        cache.note_parsed("a".into());
        cache.insert("a".into(), facts(1));
        cache.save();

        let mut cache = FactsCache::load(dir.path());
        assert!(cache.take("a").is_some());
        cache.note_parsed("b".into());
        assert!(cache.can_append());
        let b = facts(2);
        cache.append_fresh([("b".to_string(), &b), ("a".to_string(), &b)]);

        let mut cache = FactsCache::load(dir.path());
        assert_eq!(
            cache.take("a").map(|f| f.semantic_hash),
            Some(1),
            "only fresh keys are appended"
        );
        assert_eq!(cache.take("b").map(|f| f.semantic_hash), Some(2));

        // A process killed mid-write leaves a torn frame: the frames before it stay.
        let log = dir.path().join(format!("facts-v{FACTS_VERSION}.log"));
        let mut bytes = std::fs::read(&log).unwrap();
        bytes.extend_from_slice(&[200, 0, 0, 0, 1, 2]);
        std::fs::write(&log, bytes).unwrap();
        let mut cache = FactsCache::load(dir.path());
        assert_eq!(cache.take("b").map(|f| f.semantic_hash), Some(2));

        // A full save folds the log into the main file.
        cache.note_parsed("c".into());
        cache.insert("c".into(), facts(3));
        cache.save();
        assert!(!log.exists());
        let mut cache = FactsCache::load(dir.path());
        assert_eq!(cache.take("c").map(|f| f.semantic_hash), Some(3));
    }
}
