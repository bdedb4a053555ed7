//! `.forceignore`: which files of a project the Salesforce CLI leaves out of a deploy.
//!
//! Patterns follow `.gitignore` (the `ignore` crate's matcher), after the defaults SDR
//! always puts first. A file is left out when the nearest of it and its parent
//! directories that a pattern matches is ignored rather than re-included (`!`).

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Patterns SDR always places before the user's `.forceignore` (SDR
/// `resolve/forceIgnore.js`); `**/.*` makes every dot-file and dot-directory ignored.
const DEFAULT_FORCEIGNORE: &[&str] = &[
    "**/*.dup",
    "**/.*",
    "!.sf",
    "**/.sf/**",
    "!**/.sf/orgs",
    "!**/.sf/orgs/**",
    "**/.sf/orgs/*/**",
    "!**/.sf/orgs/*/remoteMetadata",
    "!**/.sf/orgs/*/remoteMetadata/**",
    "**/package2-descriptor.json",
    "**/package2-manifest.json",
];

/// A `.forceignore` matcher that remembers its answer for each directory.
///
/// A plan asks of every file of a revision, twice or more, and asking of a file asks of
/// each of its parent directories in turn: on a warm plan of NPSP that took a fifth of
/// the instructions. Files share their directories, so each directory is matched once.
#[derive(Debug)]
pub struct ForceIgnore {
    matcher: Gitignore,
    /// Whether each directory asked about is ignored (by itself or a parent).
    ignored_dirs: Mutex<HashMap<String, bool>>,
}

/// A clone starts with no kept answers: it would keep the same ones.
impl Clone for ForceIgnore {
    fn clone(&self) -> ForceIgnore {
        ForceIgnore::new(self.matcher.clone())
    }
}

impl ForceIgnore {
    fn new(matcher: Gitignore) -> ForceIgnore {
        ForceIgnore {
            matcher,
            ignored_dirs: Mutex::new(HashMap::new()),
        }
    }

    /// Builds the project's matcher (the defaults, then the user's lines) and a
    /// defaults-only one, both relative to `root`. A line that is not a valid pattern
    /// is dropped with a warning.
    pub fn build(
        root: &Path,
        user: Option<&str>,
        warnings: &mut Vec<String>,
    ) -> (ForceIgnore, ForceIgnore) {
        let mut defaults = GitignoreBuilder::new(root);
        for line in DEFAULT_FORCEIGNORE {
            // The defaults are valid globs; a failure would only drop one default.
            let _ = defaults.add_line(None, line);
        }
        let mut full = defaults.clone();
        for (number, line) in user.unwrap_or("").lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            // SDR only understands `/`; it warns about backslashes and the line matches
            // nothing useful, so it is dropped.
            if line.contains('\\') {
                warnings.push(format!(
                    ".forceignore line {}: `{}` uses a backslash; use `/` (line ignored)",
                    number + 1,
                    line
                ));
                continue;
            }
            if let Err(e) = full.add_line(None, line) {
                warnings.push(format!(
                    ".forceignore line {}: `{}` is not a valid pattern ({e}); line ignored",
                    number + 1,
                    line
                ));
            }
        }
        let build = |builder: &GitignoreBuilder, warnings: &mut Vec<String>| match builder.build() {
            Ok(matcher) => matcher,
            Err(e) => {
                warnings.push(format!(".forceignore could not be used: {e}"));
                Gitignore::empty()
            }
        };
        let full = build(&full, warnings);
        let defaults = build(&defaults, warnings);
        (ForceIgnore::new(full), ForceIgnore::new(defaults))
    }

    /// Whether `path`, a file relative to the matcher's root, is left out: the answer of
    /// `Gitignore::matched_path_or_any_parents`, with each directory's answer kept.
    pub fn ignores_file(&self, path: &str) -> bool {
        match self.matcher.matched(path, false) {
            Match::None => parent(path).is_some_and(|dir| self.ignores_dir(dir)),
            found => found.is_ignore(),
        }
    }

    /// Whether directory `dir` is left out, by a pattern matching it or the nearest
    /// parent one matches.
    fn ignores_dir(&self, dir: &str) -> bool {
        if let Some(&ignored) = self.ignored_dirs().get(dir) {
            return ignored;
        }
        let ignored = match self.matcher.matched(dir, true) {
            Match::None => parent(dir).is_some_and(|up| self.ignores_dir(up)),
            found => found.is_ignore(),
        };
        self.ignored_dirs().insert(dir.to_string(), ignored);
        ignored
    }

    /// The answers kept so far (a panic elsewhere while they were locked left them
    /// whole: each is written in one insert).
    fn ignored_dirs(&self) -> MutexGuard<'_, HashMap<String, bool>> {
        self.ignored_dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The directory holding `path`, as `Path::parent` walks it: `a/b` → `a` → `` → none.
fn parent(path: &str) -> Option<&str> {
    (!path.is_empty()).then(|| path.rsplit_once('/').map_or("", |(dir, _)| dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept answers are the matcher's own, for files and their directories, with
    /// re-included (`!`) files and directories, directory-only and anchored patterns.
    #[test]
    fn a_file_is_ignored_exactly_when_the_matcher_says_so() {
        let user = "**/__tests__/**\n\
                    force-app/main/default/profiles/\n\
                    !force-app/main/default/profiles/Keep.profile-meta.xml\n\
                    /force-app/main/default/classes/Old*\n\
                    **/jsconfig.json\n\
                    force-app/main/default/staticresources/*\n\
                    !force-app/main/default/staticresources/kept\n\
                    docs\n";
        let root = Path::new("/repo");
        let (matcher, _) = ForceIgnore::build(root, Some(user), &mut Vec::new());
        let paths = [
            "force-app/main/default/lwc/list/__tests__/list.test.js",
            "force-app/main/default/lwc/list/list.js",
            "force-app/main/default/profiles/Admin.profile-meta.xml",
            "force-app/main/default/profiles/Keep.profile-meta.xml",
            "force-app/main/default/classes/OldThing.cls",
            "force-app/main/default/classes/NewThing.cls",
            "force-app/main/default/classes/nested/OldThing.cls",
            "force-app/main/default/lwc/jsconfig.json",
            "force-app/main/default/staticresources/kept/a.js",
            "force-app/main/default/staticresources/dropped/a.js",
            "force-app/main/default/staticresources/kept.resource-meta.xml",
            "force-app/docs/readme.md",
            "docs",
            ".sf/config.json",
            "force-app/.hidden/x.cls",
            "force-app/main/default/classes/A.cls.dup",
        ];
        // Twice: the second time every directory's answer comes from what was kept.
        for _ in 0..2 {
            for path in paths {
                let expected = matcher
                    .matcher
                    .matched_path_or_any_parents(path, false)
                    .is_ignore();
                assert_eq!(matcher.ignores_file(path), expected, "{path}");
            }
        }
        assert!(matcher.ignores_file(paths[0]));
        assert!(!matcher.ignores_file(paths[3]));
        assert!(matcher.ignores_file(paths[9]));
    }
}
