//! The Salesforce DX project: where `sfdx-project.json` is, which directories hold
//! source, and which files `.forceignore` removes.
//!
//! A [`Project`] answers "is this repository path source, and in which package
//! directory?" for paths relative to the git working-directory root, so the snapshot and
//! diff stages can filter git's file lists without touching the disk. It can be built
//! from the working tree ([`Project::discover`]) or from file texts read at any revision
//! ([`Project::from_parts`]).
//!
//! It checks that package directories exist only when asked
//! ([`Project::check_package_dirs`], for the revision planned), does not apply registry
//! presets, and does not know metadata types: that is [`crate::metadata::registry`].

use crate::error::{Error, Result};
use crate::forceignore::ForceIgnore;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Name of the project file.
pub const PROJECT_FILE: &str = "sfdx-project.json";

/// Name of the ignore file next to the project file.
pub const FORCEIGNORE_FILE: &str = ".forceignore";

/// A Salesforce DX project inside a git working directory.
#[derive(Clone, Debug)]
pub struct Project {
    /// Absolute directory holding `sfdx-project.json`.
    pub root: PathBuf,
    /// Absolute root of the git working directory.
    pub git_root: PathBuf,
    /// Package directories relative to the git root, `/`-separated, without trailing
    /// slash, deduplicated, in file order; `""` means the whole repository.
    pub package_dirs: Vec<String>,
    /// `sourceApiVersion`, when set.
    pub api_version: Option<String>,
    /// The project's namespace prefix, when set and not empty.
    pub namespace: Option<String>,
    /// `sourceBehaviorOptions` followed by the legacy `registryPresets`: decomposition
    /// presets that change the source layout.
    pub source_behavior_options: Vec<String>,
    /// The parsed `sfdx-project.json`, to diff it by key against another revision's
    /// ([`crate::project_change`]).
    pub settings: Value,
    /// Problems that did not stop the project from loading (bad `.forceignore` lines).
    pub warnings: Vec<String>,
    /// The project directory relative to the git root (`""` when they are the same).
    root_rel: String,
    /// Built-in defaults plus the user's `.forceignore`, relative to the project root.
    forceignore: ForceIgnore,
    /// Built-in defaults only, for package directories outside the project root.
    defaults_only: ForceIgnore,
    /// What classifying a path reads besides the path ([`Project::classification_key`]).
    classification_key: String,
}

impl Project {
    /// Finds the git repository containing `start` and the nearest `sfdx-project.json`
    /// at or above `start` (but not above the git root), and loads it with its
    /// `.forceignore`.
    pub fn discover(start: &Path) -> Result<Project> {
        let not_git = || Error::NotAGitRepository {
            path: start.to_path_buf(),
        };
        let repo = git2::Repository::discover(start).map_err(|_| not_git())?;
        let workdir = repo.workdir().ok_or_else(|| Error::BareRepository {
            path: repo.path().to_path_buf(),
        })?;
        let git_root = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
        let mut dir = std::fs::canonicalize(start).map_err(|_| not_git())?;
        if !dir.is_dir() {
            if let Some(parent) = dir.parent() {
                dir = parent.to_path_buf();
            }
        }
        // `start` may be inside `.git`; then search from the working directory root.
        if !dir.starts_with(&git_root) || dir.components().any(|c| c.as_os_str() == ".git") {
            dir = git_root.clone();
        }
        let searched_from = dir.clone();
        let not_found = || Error::NotSfdxProject {
            path: start.to_path_buf(),
            below: project_below(&searched_from),
        };
        let root = loop {
            if dir.join(PROJECT_FILE).is_file() {
                break dir;
            }
            if dir == git_root {
                return Err(not_found());
            }
            match dir.parent() {
                Some(parent) => dir = parent.to_path_buf(),
                None => return Err(not_found()),
            }
        };
        let project_path = root.join(PROJECT_FILE);
        let json = read_text(&project_path)?;
        let ignore_path = root.join(FORCEIGNORE_FILE);
        let forceignore = if ignore_path.is_file() {
            Some(read_text(&ignore_path)?)
        } else {
            None
        };
        let rel = root
            .strip_prefix(&git_root)
            .map(path_to_slash)
            .unwrap_or_default();
        Project::from_parts(&git_root, &rel, &json, forceignore.as_deref())
    }

    /// Builds a project from the texts of `sfdx-project.json` and `.forceignore` (if
    /// any), for a project directory `project_dir` given relative to `git_root`
    /// (`""` for the root). Reads nothing from disk.
    pub fn from_parts(
        git_root: &Path,
        project_dir: &str,
        sfdx_project_json: &str,
        forceignore: Option<&str>,
    ) -> Result<Project> {
        let root_rel = normalize_relative("", project_dir).unwrap_or_default();
        let root = if root_rel.is_empty() {
            git_root.to_path_buf()
        } else {
            git_root.join(&root_rel)
        };
        let project_path = root.join(PROJECT_FILE);
        let malformed = |reason: String| Error::MalformedProject {
            path: project_path.clone(),
            reason,
        };
        // Files saved by Windows editors may start with a byte-order mark.
        let text = sfdx_project_json.trim_start_matches('\u{feff}');
        let json: Value = serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
        let object = json
            .as_object()
            .ok_or_else(|| malformed("the top level is not a JSON object".into()))?;

        let mut warnings = Vec::new();
        let entries = match object.get("packageDirectories") {
            None => return Err(malformed("packageDirectories is missing".into())),
            Some(Value::Array(entries)) if entries.is_empty() => {
                return Err(malformed("packageDirectories is empty".into()))
            }
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(malformed("packageDirectories is not an array".into())),
        };
        let mut package_dirs: Vec<String> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let entry = entry
                .as_object()
                .ok_or_else(|| malformed(format!("packageDirectories[{i}] is not an object")))?;
            let path = match entry.get("path") {
                None => {
                    return Err(malformed(format!(
                        "packageDirectories[{i}].path is missing"
                    )))
                }
                Some(Value::String(path)) => path,
                Some(_) => {
                    return Err(malformed(format!(
                        "packageDirectories[{i}].path is not a string"
                    )))
                }
            };
            if path.trim().is_empty() {
                return Err(malformed(format!("packageDirectories[{i}].path is empty")));
            }
            if is_absolute(path) {
                return Err(malformed(format!(
                    "packageDirectories[{i}].path `{path}` is absolute; it must be relative to the project"
                )));
            }
            match normalize_relative(&root_rel, path) {
                Some(dir) => {
                    if !package_dirs.contains(&dir) {
                        package_dirs.push(dir);
                    }
                }
                None => {
                    return Err(Error::PackageDirectoryOutside {
                        file: project_path.clone(),
                        dir: path.clone(),
                    })
                }
            }
        }

        let api_version = match object.get("sourceApiVersion") {
            Some(Value::String(version)) if !version.trim().is_empty() => {
                Some(version.trim().to_string())
            }
            // Some projects write the version as a number; keep one decimal like `62.0`.
            Some(Value::Number(number)) => number.as_f64().map(|v| format!("{v:.1}")),
            _ => None,
        };
        let namespace = match object.get("namespace") {
            Some(Value::String(ns)) if !ns.trim().is_empty() => Some(ns.trim().to_string()),
            _ => None,
        };
        let mut source_behavior_options = Vec::new();
        for key in ["sourceBehaviorOptions", "registryPresets"] {
            if let Some(Value::Array(items)) = object.get(key) {
                for item in items.iter().filter_map(Value::as_str) {
                    if !source_behavior_options.iter().any(|o| o == item) {
                        source_behavior_options.push(item.to_string());
                    }
                }
            }
        }

        let classification_key = classification_key(&root_rel, &package_dirs, forceignore);
        let (forceignore, defaults_only) = ForceIgnore::build(&root, forceignore, &mut warnings);
        Ok(Project {
            root,
            git_root: git_root.to_path_buf(),
            package_dirs,
            api_version,
            namespace,
            source_behavior_options,
            settings: json,
            warnings,
            root_rel,
            forceignore,
            defaults_only,
            classification_key,
        })
    }

    /// Everything classifying a path reads besides the path (`source::classify`): the
    /// project directory, the package directories and `.forceignore`. Two projects of
    /// the same key classify every path alike, so a listing kept under it holds
    /// (`crate::listing`).
    pub fn classification_key(&self) -> &str {
        &self.classification_key
    }

    /// The repository-relative path of `sfdx-project.json`; a change to it changes the
    /// source roots.
    pub fn project_file(&self) -> String {
        self.in_root(PROJECT_FILE)
    }

    /// The repository-relative path of `path`, given relative to the project's folder.
    pub fn in_root(&self, path: &str) -> String {
        join_rel(&self.root_rel, path)
    }

    /// The repository-relative path of `.forceignore` (which may not exist); a change
    /// to it changes which files count.
    pub fn forceignore_file(&self) -> String {
        self.in_root(FORCEIGNORE_FILE)
    }

    /// Checks that every package directory exists, as the Salesforce CLI does: a project
    /// naming a directory that is not there is refused rather than planned as empty.
    /// `exists` answers for a repository-relative directory at the revision planned.
    pub fn check_package_dirs(&self, exists: impl Fn(&str) -> bool) -> Result<()> {
        match self
            .package_dirs
            .iter()
            .find(|dir| !dir.is_empty() && !exists(dir))
        {
            Some(dir) => Err(Error::MissingPackageDirectory {
                file: self.project_file(),
                dir: dir.clone(),
            }),
            None => Ok(()),
        }
    }

    /// The project directory relative to the git root (`""` when they are the same).
    pub fn root_relative(&self) -> &str {
        &self.root_rel
    }

    /// True when `repo_path` (relative to the git root, `/`-separated) is inside a
    /// package directory and not removed by `.forceignore`.
    pub fn is_source(&self, repo_path: &str) -> bool {
        self.package_dir_of(repo_path).is_some() && !self.is_force_ignored(repo_path)
    }

    /// True when a submodule at `repo_path` holds sources of the project: it lies inside
    /// a package directory, or holds one (a package directory kept in another
    /// repository), and `.forceignore` keeps it. `impact` cannot read its files: it warns,
    /// and a plan that moves it runs every test.
    pub fn holds_sources_in_submodule(&self, repo_path: &str) -> bool {
        self.may_hold_sources(repo_path) && !self.is_force_ignored(repo_path)
    }

    /// True when the directory `dir` (relative to the git root, `/`-separated, with or
    /// without a trailing `/`) is inside a package directory or holds one: whether a
    /// walk of the tree looking for source files must look into it.
    pub fn may_hold_sources(&self, dir: &str) -> bool {
        let dir = dir.trim_start_matches('/').trim_end_matches('/');
        self.package_dirs
            .iter()
            .any(|package| strip_dir(dir, package).is_some() || strip_dir(package, dir).is_some())
    }

    /// The package directory holding `repo_path` (the innermost one when they nest).
    pub fn package_dir_of(&self, repo_path: &str) -> Option<&str> {
        self.split_package_path(repo_path).map(|(dir, _)| dir)
    }

    /// Splits `repo_path` into its package directory and the path inside it
    /// (`force-app/main/default/classes/A.cls` → `("force-app",
    /// "main/default/classes/A.cls")`), the form [`crate::metadata::registry::classify`]
    /// takes.
    pub fn split_package_path<'p>(&self, repo_path: &'p str) -> Option<(&str, &'p str)> {
        let repo_path = repo_path.trim_start_matches('/');
        self.package_dirs
            .iter()
            .filter_map(|dir| strip_dir(repo_path, dir).map(|rest| (dir.as_str(), rest)))
            .filter(|(_, rest)| !rest.is_empty())
            .max_by_key(|(dir, _)| dir.len())
    }

    /// True when `.forceignore` (with SDR's built-in defaults) removes `repo_path`, a file
    /// path relative to the git root. A file is ignored when it or one of its parent
    /// directories matches.
    pub fn is_force_ignored(&self, repo_path: &str) -> bool {
        let repo_path = repo_path.trim_start_matches('/');
        if repo_path.is_empty() {
            return false;
        }
        match strip_dir(repo_path, &self.root_rel) {
            Some(rel) if !rel.is_empty() => self.forceignore.ignores_file(rel),
            _ => self.defaults_only.ignores_file(repo_path),
        }
    }
}

/// [`Project::classification_key`]: each part after its length, so no two sets of
/// parts give one key, then `.forceignore` as written.
fn classification_key(
    root_rel: &str,
    package_dirs: &[String],
    forceignore: Option<&str>,
) -> String {
    let mut key = format!("{}\n", package_dirs.len());
    for part in std::iter::once(root_rel).chain(package_dirs.iter().map(String::as_str)) {
        key.push_str(&format!("{}:{part}\n", part.len()));
    }
    key.push_str(forceignore.unwrap_or_default());
    key
}

/// Reads a text file, replacing invalid UTF-8 rather than failing on it.
fn read_text(path: &Path) -> Result<String> {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|e| Error::UnreadableFile {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

/// True for `/x`, `\x` and `C:…` paths.
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

/// Joins `path` (either separator) onto the repository-relative `base`, resolving `.`
/// and `..`; `None` when the result leaves the repository.
fn normalize_relative(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    let path = path.trim();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// `path` relative to `dir` when it is inside it (`""` for `dir` itself); every path is
/// inside the root `""`.
fn strip_dir<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir.is_empty() {
        return Some(path);
    }
    let rest = path.strip_prefix(dir)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

/// `dir/name`, or `name` when `dir` is the root.
fn join_rel(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A relative path as a `/`-separated string.
fn path_to_slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// How deep below the directory `impact` was pointed at it looks for a project it can
/// name in its error (`repo/salesforce/sfdx-project.json` is one level down).
const PROJECT_SEARCH_DEPTH: usize = 3;

/// The first folder below `dir` (by name, breadth first, at most
/// [`PROJECT_SEARCH_DEPTH`] levels, hidden folders and `node_modules` left out) that
/// holds a `sfdx-project.json`: the `--repo` the user most likely meant (a repository
/// that keeps its project in a subfolder, as trailheadapps' redwoods-insurance does).
fn project_below(dir: &Path) -> Option<PathBuf> {
    let mut level = vec![dir.to_path_buf()];
    for _ in 0..PROJECT_SEARCH_DEPTH {
        let mut next = Vec::new();
        for folder in &level {
            let Ok(entries) = std::fs::read_dir(folder) else {
                continue;
            };
            let mut children: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok())
                .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
                .filter(|entry| {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    !name.starts_with('.') && name != "node_modules"
                })
                .map(|entry| entry.path())
                .collect();
            children.sort();
            next.extend(children);
        }
        if let Some(found) = next
            .iter()
            .find(|folder| folder.join(PROJECT_FILE).is_file())
        {
            return Some(found.clone());
        }
        level = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const SIMPLE: &str = r#"{
        "packageDirectories": [
            {"path": "force-app", "default": true},
            {"path": "unpackaged/"},
            {"path": "./force-app"},
            {"path": "util\\lib"}
        ],
        "namespace": "",
        "sourceApiVersion": "62.0",
        "sourceBehaviorOptions": ["decomposeCustomLabelsBeta2"]
    }"#;

    fn project(json: &str, ignore: Option<&str>) -> Project {
        Project::from_parts(Path::new("/repo"), "", json, ignore).unwrap()
    }

    fn reason(result: Result<Project>) -> String {
        match result {
            Err(Error::MalformedProject { reason, .. }) => reason,
            other => panic!("expected MalformedProject, got {other:?}"),
        }
    }

    #[test]
    fn package_dirs_are_normalized_and_deduplicated_in_file_order() {
        let p = project(SIMPLE, None);
        assert_eq!(p.package_dirs, vec!["force-app", "unpackaged", "util/lib"]);
        assert_eq!(p.api_version.as_deref(), Some("62.0"));
        assert_eq!(p.namespace, None);
        assert_eq!(
            p.source_behavior_options,
            vec!["decomposeCustomLabelsBeta2"]
        );
        assert_eq!(p.project_file(), "sfdx-project.json");
    }

    #[test]
    fn nested_project_paths_are_relative_to_the_git_root() {
        let json = r#"{"packageDirectories":[{"path":"force-app"},{"path":"../shared"}]}"#;
        let p = Project::from_parts(Path::new("/repo"), "sf/app", json, None).unwrap();
        assert_eq!(p.package_dirs, vec!["sf/app/force-app", "sf/shared"]);
        assert_eq!(p.project_file(), "sf/app/sfdx-project.json");
        assert_eq!(p.forceignore_file(), "sf/app/.forceignore");
        assert!(p.is_source("sf/app/force-app/main/default/classes/A.cls"));
        assert!(p.is_source("sf/shared/classes/B.cls"));
        assert!(!p.is_source("force-app/main/default/classes/A.cls"));
        assert_eq!(p.root, Path::new("/repo/sf/app"));
        // A tree walk looks into the directories above and inside package directories.
        for dir in [
            "",
            "sf/",
            "sf/app",
            "sf/app/force-app/",
            "sf/shared/classes/",
        ] {
            assert!(p.may_hold_sources(dir), "{dir}");
        }
        for dir in [
            "docs/",
            "sf/app/scripts/",
            "sf/app/force-app-old/",
            "sf/sharedx/",
        ] {
            assert!(!p.may_hold_sources(dir), "{dir}");
        }
    }

    #[test]
    fn package_dir_outside_the_repository_is_an_error() {
        let json = r#"{"packageDirectories":[{"path":"force-app"},{"path":"../../x"}]}"#;
        match Project::from_parts(Path::new("/repo"), "app", json, None) {
            Err(Error::PackageDirectoryOutside { dir, .. }) => assert_eq!(dir, "../../x"),
            other => panic!("expected PackageDirectoryOutside, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_package_dir_is_named() {
        let p = project(SIMPLE, None);
        assert!(p.check_package_dirs(|_| true).is_ok());
        match p.check_package_dirs(|dir| dir != "unpackaged") {
            Err(Error::MissingPackageDirectory { dir, file }) => {
                assert_eq!(
                    (dir.as_str(), file.as_str()),
                    ("unpackaged", "sfdx-project.json")
                )
            }
            other => panic!("expected MissingPackageDirectory, got {other:?}"),
        }
    }

    #[test]
    fn malformed_projects_name_the_reason() {
        let at = |json: &str| reason(Project::from_parts(Path::new("/r"), "", json, None));
        assert_eq!(at("{}"), "packageDirectories is missing");
        assert_eq!(
            at(r#"{"packageDirectories": []}"#),
            "packageDirectories is empty"
        );
        assert_eq!(
            at(r#"{"packageDirectories": {"path": "a"}}"#),
            "packageDirectories is not an array"
        );
        assert_eq!(
            at(r#"{"packageDirectories": [{"path": "a"}, {"default": true}]}"#),
            "packageDirectories[1].path is missing"
        );
        assert_eq!(
            at(r#"{"packageDirectories": [{"path": 3}]}"#),
            "packageDirectories[0].path is not a string"
        );
        assert_eq!(
            at(r#"{"packageDirectories": ["force-app"]}"#),
            "packageDirectories[0] is not an object"
        );
        assert!(at(r#"{"packageDirectories": [{"path": "/abs"}]}"#).contains("absolute"));
        assert!(at(r#"{"packageDirectories": [{"path": "C:\\x"}]}"#).contains("absolute"));
        assert_eq!(at("[1]"), "the top level is not a JSON object");
        let syntax = at("{\n  \"packageDirectories\": [\n}");
        assert!(syntax.contains("line 3"), "{syntax}");
    }

    #[test]
    fn malformed_error_names_the_file() {
        let err = Project::from_parts(Path::new("/r"), "p", "{}", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`/r/p/sfdx-project.json` is not a valid sfdx-project.json: packageDirectories is missing"
        );
    }

    #[test]
    fn byte_order_mark_and_numeric_version_are_accepted() {
        let p = project(
            "\u{feff}{\"packageDirectories\":[{\"path\":\"src\"}],\"sourceApiVersion\":61}",
            None,
        );
        assert_eq!(p.api_version.as_deref(), Some("61.0"));
        assert_eq!(p.package_dirs, vec!["src"]);
    }

    #[test]
    fn built_in_defaults_ignore_dot_files_and_dups() {
        let p = project(SIMPLE, None);
        assert!(p.is_source("force-app/main/default/classes/A.cls"));
        assert!(!p.is_source("force-app/main/default/lwc/.eslintrc.json"));
        assert!(!p.is_source("force-app/.hidden/classes/A.cls"));
        assert!(!p.is_source("force-app/main/default/classes/A.cls.dup"));
        assert!(!p.is_source("force-app/package2-descriptor.json"));
        assert!(!p.is_source("README.md"));
        assert!(!p.is_source("force-app"));
        assert!(!p.is_source("force-appx/classes/A.cls"));
    }

    #[test]
    fn user_patterns_are_relative_to_the_project_root() {
        let ignore = "# comment\npackage.xml\n**/__tests__/**\nforce-app/main/default/profiles/\n**/jsconfig.json\n!.keep\nforce-app\\main\\x\n";
        let p = project(SIMPLE, Some(ignore));
        assert!(!p.is_source("force-app/main/default/lwc/a/__tests__/a.test.js"));
        assert!(p.is_source("force-app/main/default/lwc/a/a.js"));
        assert!(!p.is_source("force-app/main/default/profiles/Admin.profile-meta.xml"));
        assert!(!p.is_source("unpackaged/package.xml"));
        assert!(!p.is_source("force-app/main/default/lwc/jsconfig.json"));
        assert!(
            p.is_source("force-app/main/default/.keep"),
            "negation re-includes"
        );
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("line 7"), "{:?}", p.warnings);
    }

    #[test]
    fn forceignore_in_a_nested_project_is_anchored_there() {
        let json = r#"{"packageDirectories":[{"path":"force-app"},{"path":"../shared"}]}"#;
        let p =
            Project::from_parts(Path::new("/repo"), "app", json, Some("/force-app/x/\n")).unwrap();
        assert!(!p.is_source("app/force-app/x/A.cls"));
        assert!(p.is_source("app/force-app/y/A.cls"));
        // Outside the project root only the built-in defaults apply.
        assert!(p.is_source("shared/x/A.cls"));
        assert!(!p.is_source("shared/.x/A.cls"));
    }

    #[test]
    fn innermost_package_dir_wins_and_root_package_covers_everything() {
        let json = r#"{"packageDirectories":[{"path":"a"},{"path":"a/b"}]}"#;
        let p = project(json, None);
        assert_eq!(p.package_dir_of("a/b/c.cls"), Some("a/b"));
        assert_eq!(p.split_package_path("a/x/c.cls"), Some(("a", "x/c.cls")));
        let root = project(r#"{"packageDirectories":[{"path":"."}]}"#, None);
        assert_eq!(root.package_dirs, vec![""]);
        assert_eq!(
            root.split_package_path("classes/A.cls"),
            Some(("", "classes/A.cls"))
        );
        assert!(!root.is_source(".github/workflows/ci.yml"));
        assert!(!root.is_source(""));
    }

    #[test]
    fn discover_walks_up_to_the_project_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let root = dir.path();
        git2::Repository::init(root).unwrap();
        fs::create_dir_all(root.join("sf/force-app/main/default/classes")).unwrap();
        fs::write(
            root.join("sf/sfdx-project.json"),
            r#"{"packageDirectories":[{"path":"force-app"}],"sourceApiVersion":"60.0"}"#,
        )
        .unwrap();
        fs::write(root.join("sf/.forceignore"), "**/classes/Skip.cls\n").unwrap();
        let p = Project::discover(&root.join("sf/force-app/main/default/classes")).unwrap();
        assert_eq!(p.package_dirs, vec!["sf/force-app"]);
        assert_eq!(p.project_file(), "sf/sfdx-project.json");
        assert_eq!(p.root, fs::canonicalize(root.join("sf")).unwrap());
        assert!(p.is_source("sf/force-app/main/default/classes/A.cls"));
        assert!(!p.is_source("sf/force-app/main/default/classes/Skip.cls"));
    }

    #[test]
    fn discover_reports_missing_repository_and_project() {
        let dir = tempfile::TempDir::new().unwrap();
        let err = Project::discover(dir.path()).unwrap_err();
        assert!(matches!(err, Error::NotAGitRepository { .. }), "{err:?}");
        git2::Repository::init(dir.path()).unwrap();
        let err = Project::discover(dir.path()).unwrap_err();
        assert!(
            matches!(err, Error::NotSfdxProject { below: None, .. }),
            "{err:?}"
        );
        // A project one level down, beside a hidden folder that holds another: the
        // error names the one to pass.
        for folder in [".hidden", "insurance-salesforce"] {
            fs::create_dir_all(dir.path().join(folder)).unwrap();
            fs::write(dir.path().join(folder).join(PROJECT_FILE), "{}").unwrap();
        }
        let err = Project::discover(dir.path()).unwrap_err();
        match &err {
            Error::NotSfdxProject {
                below: Some(below), ..
            } => {
                let canonical = fs::canonicalize(dir.path()).unwrap();
                assert_eq!(below, &canonical.join("insurance-salesforce"))
            }
            other => panic!("{other:?}"),
        }
        let hint = err.hint().unwrap_or_default();
        assert!(hint.contains("insurance-salesforce`"), "{hint}");
        // A folder whose name has a space is quoted for the shell.
        fs::remove_dir_all(dir.path().join("insurance-salesforce")).unwrap();
        fs::create_dir_all(dir.path().join("Data Fetcher")).unwrap();
        fs::write(dir.path().join("Data Fetcher").join(PROJECT_FILE), "{}").unwrap();
        let hint = Project::discover(dir.path())
            .unwrap_err()
            .hint()
            .unwrap_or_default();
        assert!(hint.contains("Data Fetcher'`"), "{hint}");
    }
}
