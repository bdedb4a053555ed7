//! Which edits to the project files (`sfdx-project.json`, `.forceignore`) can change a
//! test's outcome, and why.
//!
//! Packaged projects bump `versionNumber`, `versionName` and `packageAliases` in nearly
//! every commit; none of that changes what `sf project deploy` sends or how it compiles,
//! so it must not make the plan run every test. `sfdx-project.json` is therefore diffed
//! by key: package directory paths, their order and the default, `sourceApiVersion`,
//! `namespace`, `replacements`, decomposition options, a package's `dependencies` (and
//! the alias a dependency names, when it points elsewhere), and every key this module
//! does not know fall back, and the reason names the key. A `.forceignore` change decides
//! which files are deployed at all, so it always falls back, with its own reason.
//! No I/O.

use serde_json::{Map, Value};

/// Top-level `sfdx-project.json` keys that describe packaging, CLI login or tooling:
/// they change neither what a source deploy sends nor how it compiles.
const PACKAGING_KEYS: &[&str] = &[
    "$schema",
    "name",
    "packageAliases",
    "sfdcLoginUrl",
    "signupTargetLoginUrl",
    "plugins",
];

/// Keys of a `packageDirectories` entry that only describe the package version built
/// from it (`sf package version create`), not what a source deploy sends.
const PACKAGE_VERSION_KEYS: &[&str] = &[
    "package",
    "versionName",
    "versionNumber",
    "versionDescription",
    "ancestorId",
    "ancestorVersion",
    "definitionFile",
    "postInstallScript",
    "postInstallUrl",
    "uninstallScript",
    "releaseNotesUrl",
    "apexTestAccess",
    "scopeProfiles",
    "includeProfileUserLicenses",
    "calculateTransitiveDependencies",
    "branch",
];

/// A change to a project file that can change what every test sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectFileChange {
    /// `.forceignore` changed, and stops deploying whole components (`left_out`), or the
    /// base revision's project could not be read (`None`), so which files it starts or
    /// stops deploying is unknown. (Otherwise the edit is planned through the files it
    /// moves: `changes::forceignore_moves`.)
    ForceIgnore {
        path: String,
        left_out: Option<LeftOut>,
    },
    /// `sfdx-project.json` changed in keys that decide what is deployed or how it
    /// compiles (`keys` names them, in file order, as `packageDirectories[1].path`).
    ProjectKeys { path: String, keys: Vec<String> },
    /// `sfdx-project.json` is new, or its base version is not a JSON object.
    ProjectReplaced { path: String },
}

/// The files of whole components a `.forceignore` edit stops deploying: the first the
/// head lists (git's tree order), and how many more there are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    pub first: String,
    pub more: usize,
}

/// The key of the Metadata API version a deploy is sent at (see [`key_effect`]).
pub const SOURCE_API_VERSION: &str = "sourceApiVersion";

/// The key of a package directory's dependencies, as in `packageDirectories[0].dependencies`.
const DEPENDENCIES: &str = "dependencies";

/// How a key of `packageAliases` that a dependency names is reported:
/// `packageAliases.Core@1.2.0-1`.
const DEPENDENCY_ALIAS_PREFIX: &str = "packageAliases.";

/// Whether a changed key (as [`ProjectFileChange::ProjectKeys`] names it) is a package's
/// dependencies or the alias a dependency names: the packages installed beside the
/// project, which every test runs against (`[fallback] dependencies`).
pub fn is_dependency_key(key: &str) -> bool {
    key.strip_suffix(DEPENDENCIES)
        .is_some_and(|rest| rest.ends_with("].") && rest.starts_with("packageDirectories["))
        || key.starts_with(DEPENDENCY_ALIAS_PREFIX)
}

impl ProjectFileChange {
    /// The change without the changed keys `dropped` says; `None` when nothing else
    /// changed. A `.forceignore` change or a replaced project has no keys to drop.
    pub fn without_keys(&self, dropped: impl Fn(&str) -> bool) -> Option<ProjectFileChange> {
        match self {
            ProjectFileChange::ProjectKeys { path, keys } => {
                let keys: Vec<String> = keys.iter().filter(|k| !dropped(k)).cloned().collect();
                (!keys.is_empty()).then(|| ProjectFileChange::ProjectKeys {
                    path: path.clone(),
                    keys,
                })
            }
            other => Some(other.clone()),
        }
    }

    /// The file that changed, relative to the git root.
    pub fn path(&self) -> &str {
        match self {
            ProjectFileChange::ForceIgnore { path, .. }
            | ProjectFileChange::ProjectKeys { path, .. }
            | ProjectFileChange::ProjectReplaced { path } => path,
        }
    }

    /// The fallback reason: the file, and what in it matters.
    pub fn reason(&self) -> String {
        match self {
            ProjectFileChange::ForceIgnore {
                path,
                left_out: None,
            } => format!(
                "{path} changed: it decides which files are deployed, so files it newly \
                 ignores or stops ignoring can change every test"
            ),
            ProjectFileChange::ForceIgnore {
                path,
                left_out: Some(left_out),
            } => {
                let others = match left_out.more {
                    0 => String::new(),
                    1 => " and 1 more file".to_string(),
                    more => format!(" and {more} more files"),
                };
                format!(
                    "{path} changed: it now leaves {}{others} out of the deploy; the org \
                     keeps what it has, but code deployed to a new org no longer sees it, \
                     which can change every test",
                    left_out.first
                )
            }
            ProjectFileChange::ProjectKeys { path, keys } => format!(
                "{path} changed {}",
                keys.iter()
                    .map(|key| format!("`{key}` ({})", key_effect(key)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ProjectFileChange::ProjectReplaced { path } => format!(
                "{path} was added or was not valid JSON at the base: its package directories \
                 and API version affect every component"
            ),
        }
    }
}

/// Compares the base and head texts of `sfdx-project.json` (parsed). `None` when only
/// packaging keys changed (or nothing did).
pub fn project_json_change(
    path: &str,
    base: Option<&Value>,
    head: &Value,
) -> Option<ProjectFileChange> {
    let (Some(Value::Object(base)), Value::Object(head)) = (base, head) else {
        return Some(ProjectFileChange::ProjectReplaced {
            path: path.to_string(),
        });
    };
    let keys = behaviour_keys(base, head);
    (!keys.is_empty()).then(|| ProjectFileChange::ProjectKeys {
        path: path.to_string(),
        keys,
    })
}

/// The changed keys that are not packaging-only, in head order then base-only keys.
fn behaviour_keys(base: &Map<String, Value>, head: &Map<String, Value>) -> Vec<String> {
    let mut keys = Vec::new();
    for key in union_keys(base, head) {
        let (old, new) = (base.get(key), head.get(key));
        if old == new {
            continue;
        }
        if key == "packageAliases" {
            keys.extend(dependency_alias_keys(base, head));
        } else if PACKAGING_KEYS.contains(&key) {
            continue;
        } else if key == "packageDirectories" {
            keys.extend(package_directory_keys(old, new));
        } else {
            keys.push(key.to_string());
        }
    }
    keys
}

/// The aliases that a dependency names at both revisions and that point elsewhere at
/// the head: the same dependency, another package version (`"Core@1.2.0-1"` now an
/// other `04t` id). An alias a dependency starts to name is reported with the
/// dependencies that changed; any other alias is packaging.
fn dependency_alias_keys(base: &Map<String, Value>, head: &Map<String, Value>) -> Vec<String> {
    let named = |project: &Map<String, Value>| -> Vec<String> {
        let directories = project.get("packageDirectories").and_then(Value::as_array);
        directories
            .into_iter()
            .flatten()
            .filter_map(|directory| directory.get(DEPENDENCIES)?.as_array())
            .flatten()
            .filter_map(|dependency| Some(dependency.get("package")?.as_str()?.to_string()))
            .collect()
    };
    let aliases = |project: &Map<String, Value>| project.get("packageAliases").cloned();
    let (old_aliases, new_aliases) = (aliases(base), aliases(head));
    let target = |aliases: &Option<Value>, alias: &str| aliases.as_ref()?.get(alias).cloned();
    let was_named = named(base);
    let own: Vec<&str> = head
        .get("packageDirectories")
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |directories| own_packages(directories));
    let mut keys: Vec<String> = named(head)
        .into_iter()
        .filter(|alias| was_named.contains(alias))
        .filter(|alias| !own.contains(&alias.split('@').next().unwrap_or(alias)))
        .filter(|alias| target(&old_aliases, alias) != target(&new_aliases, alias))
        .map(|alias| format!("{DEPENDENCY_ALIAS_PREFIX}{alias}"))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Keys of both objects, head's first, each once.
fn union_keys<'a>(base: &'a Map<String, Value>, head: &'a Map<String, Value>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = head.keys().map(String::as_str).collect();
    keys.extend(
        base.keys()
            .map(String::as_str)
            .filter(|key| !head.contains_key(*key)),
    );
    keys
}

/// What changed in `packageDirectories` beyond package version details: the paths,
/// their order, the default, or an entry key this module does not know.
fn package_directory_keys(old: Option<&Value>, new: Option<&Value>) -> Vec<String> {
    let (Some(Value::Array(old)), Some(Value::Array(new))) = (old, new) else {
        return vec!["packageDirectories".into()];
    };
    let layout = |entries: &[Value]| -> Vec<(Option<Value>, bool)> {
        entries
            .iter()
            .map(|entry| {
                (
                    entry.get("path").cloned(),
                    entry
                        .get("default")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                )
            })
            .collect()
    };
    if layout(old) != layout(new) {
        return vec!["packageDirectories (paths, order or default)".into()];
    }
    let (old_own, new_own) = (own_packages(old), own_packages(new));
    let mut keys = Vec::new();
    for (i, (old, new)) in old.iter().zip(new).enumerate() {
        let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
            keys.push(format!("packageDirectories[{i}]"));
            continue;
        };
        for key in union_keys(old, new) {
            let relevant =
                !PACKAGE_VERSION_KEYS.contains(&key) && key != "path" && key != "default";
            let changed = if key == DEPENDENCIES {
                external_dependencies(old.get(key), &old_own)
                    != external_dependencies(new.get(key), &new_own)
            } else {
                old.get(key) != new.get(key)
            };
            if relevant && changed {
                keys.push(format!("packageDirectories[{i}].{key}"));
            }
        }
    }
    keys
}

/// The packages the project's own directories build (`"package": "apex-rollup"`).
fn own_packages(directories: &[Value]) -> Vec<&str> {
    let packages = directories
        .iter()
        .filter_map(|d| d.get("package")?.as_str());
    packages.collect()
}

/// A package directory's dependencies on packages the project does not build: one on a
/// package of its own (a plugin's on `apex-rollup@1.6.0-0`, built from this repository)
/// runs against the source beside it, which the plan reads, whatever version it names.
fn external_dependencies<'v>(dependencies: Option<&'v Value>, own: &[&str]) -> Vec<&'v Value> {
    let is_own = |dependency: &Value| {
        let package = dependency.get("package").and_then(Value::as_str);
        let name = package.map(|package| package.split('@').next().unwrap_or(package));
        name.is_some_and(|name| own.contains(&name))
    };
    let listed = dependencies.and_then(Value::as_array).into_iter().flatten();
    listed.filter(|dependency| !is_own(dependency)).collect()
}

/// Why a changed key can change test outcomes, for the reason text.
fn key_effect(key: &str) -> &'static str {
    if is_dependency_key(key) {
        // `sf package version create` and a scratch org install these versions, and the
        // project's tests run against them: an upgraded package's objects, automation
        // and classes can fail any test, and no file here says what changed in it.
        return "the versions of the packages every test runs against";
    }
    match key {
        // Each class and trigger compiles at the `apiVersion` of its own `-meta.xml`; this
        // is the Metadata API version the whole deploy is sent at, which decides how
        // every file without a version of its own (objects, fields, settings) is read.
        SOURCE_API_VERSION => "the Metadata API version every file is deployed at",
        "namespace" => "the prefix of every component and reference",
        "replacements" => "text replaced in source when it is deployed",
        "sourceBehaviorOptions" | "registryPresets" => "how source is decomposed",
        "packageDirectories" | "packageDirectories (paths, order or default)" => {
            "which files are deployed, in what order, and where new ones go"
        }
        _ => "`impact` cannot tell what this key changes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(base: &str, head: &str) -> Option<ProjectFileChange> {
        let base: Value = serde_json::from_str(base).unwrap();
        let head: Value = serde_json::from_str(head).unwrap();
        project_json_change("sfdx-project.json", Some(&base), &head)
    }

    fn keys(base: &str, head: &str) -> Vec<String> {
        match change(base, head) {
            None => Vec::new(),
            Some(ProjectFileChange::ProjectKeys { keys, .. }) => keys,
            Some(other) => panic!("unexpected {other:?}"),
        }
    }

    const BASE: &str = r#"{"packageDirectories":[
        {"path":"core","default":true,"package":"Core","versionNumber":"1.0.0.NEXT",
         "versionName":"One","dependencies":[{"package":"X@1.0"}]},
        {"path":"extra"}],
      "namespace":"","sourceApiVersion":"62.0",
      "packageAliases":{"Core":"0Ho","Core@1.0.0-1":"04t1"}}"#;

    #[test]
    fn packaging_edits_change_nothing() {
        let head = BASE
            .replace("1.0.0.NEXT", "1.1.0.NEXT")
            .replace("\"One\"", "\"Two\"")
            .replace(r#""04t1""#, r#""04t1","Core@1.1.0-1":"04t2""#);
        assert_eq!(change(BASE, &head), None);
    }

    /// A dependency's new version (or a new dependency, or the alias a dependency names
    /// pointing at another version) is a change of what every test runs against; an
    /// alias no dependency names is packaging, and so is one a dependency starts to name
    /// (the dependency's own change says it).
    #[test]
    fn a_dependency_s_new_version_is_named() {
        assert_eq!(
            keys(BASE, &BASE.replace("X@1.0", "X@1.1")),
            vec!["packageDirectories[0].dependencies"]
        );
        let added = BASE.replace(
            r#"{"path":"extra"}"#,
            r#"{"path":"extra","dependencies":[{"package":"Ledger"}]}"#,
        );
        assert_eq!(
            keys(BASE, &added),
            vec!["packageDirectories[1].dependencies"]
        );
        let aliased = BASE.replace(r#""Core":"0Ho""#, r#""Core":"0Ho","X@1.0":"04tA""#);
        assert_eq!(
            keys(&aliased, &aliased.replace("04tA", "04tB")),
            vec!["packageAliases.X@1.0"]
        );
        assert_eq!(
            keys(&aliased, &aliased.replace("04t1", "04t9")),
            Vec::<String>::new()
        );
        assert_eq!(
            keys(
                &aliased,
                &aliased
                    .replace("\"X@1.0\"}", "\"Y@1.0\"}")
                    .replace("04tA", "04tB")
            ),
            vec!["packageDirectories[0].dependencies"]
        );
        // A plugin's dependency on the project's own package is its source, read here.
        let own = BASE.replace(
            r#"{"path":"extra"}"#,
            r#"{"path":"extra","dependencies":[{"package":"Core@1.0.0-1"}]}"#,
        );
        assert_eq!(
            keys(&own, &own.replace("Core@1.0.0-1", "Core@1.1.0-1")),
            Vec::<String>::new()
        );
        let own_aliased = own.replace(r#""04t1""#, r#""04t1","Core@1.0.0-1":"04tC""#);
        let own_moved = own_aliased.replace("04tC", "04tD");
        assert_eq!(keys(&own_aliased, &own_moved), Vec::<String>::new());
        for key in ["packageDirectories[0].dependencies", "packageAliases.X@1.0"] {
            assert!(is_dependency_key(key), "{key}");
        }
        for key in [
            "dependencies",
            "packageDirectories[0].dependenciesX",
            SOURCE_API_VERSION,
        ] {
            assert!(!is_dependency_key(key), "{key}");
        }
        let reason = change(BASE, &BASE.replace("X@1.0", "X@1.1"))
            .unwrap()
            .reason();
        assert_eq!(
            reason,
            "sfdx-project.json changed `packageDirectories[0].dependencies` (the versions of \
             the packages every test runs against)"
        );
    }

    #[test]
    fn behaviour_keys_are_named() {
        assert_eq!(
            keys(BASE, &BASE.replace("62.0", "63.0")),
            vec!["sourceApiVersion"]
        );
        assert_eq!(
            keys(
                BASE,
                &BASE.replace(r#""namespace":"""#, r#""namespace":"ns""#)
            ),
            vec!["namespace"]
        );
        assert_eq!(
            keys(BASE, &BASE.replace(r#""path":"extra""#, r#""path":"more""#)),
            vec!["packageDirectories (paths, order or default)"]
        );
        assert_eq!(
            keys(
                BASE,
                &BASE
                    .replace(r#""default":true,"#, "")
                    .replace(r#"{"path":"extra"}"#, r#"{"path":"extra","default":true}"#)
            ),
            vec!["packageDirectories (paths, order or default)"]
        );
        assert_eq!(
            keys(
                BASE,
                &BASE.replace(r#"{"path":"extra"}"#, r#"{"path":"extra","unknownKey":1}"#)
            ),
            vec!["packageDirectories[1].unknownKey"]
        );
        assert_eq!(
            keys(
                BASE,
                &BASE.replace("\"namespace\"", "\"replacements\":[],\"namespace\"")
            ),
            vec!["replacements"]
        );
    }

    /// Without `sourceApiVersion` (`[fallback] source_api_version = false`), a bump alone
    /// is no fallback; a bump beside another key still falls back for that key.
    #[test]
    fn a_change_without_a_key_keeps_the_others() {
        let bump = change(BASE, &BASE.replace("62.0", "63.0")).unwrap();
        let api_version = |key: &str| key == SOURCE_API_VERSION;
        assert_eq!(bump.without_keys(api_version), None);
        let both = change(
            BASE,
            &BASE
                .replace("62.0", "63.0")
                .replace("\"namespace\"", "\"replacements\":[],\"namespace\""),
        )
        .unwrap();
        match both.without_keys(api_version) {
            Some(ProjectFileChange::ProjectKeys { keys, .. }) => {
                assert_eq!(keys, vec!["replacements"])
            }
            other => panic!("unexpected {other:?}"),
        }
        let ignore = ProjectFileChange::ForceIgnore {
            path: ".forceignore".into(),
            left_out: None,
        };
        assert_eq!(ignore.without_keys(api_version), Some(ignore.clone()));
    }

    #[test]
    fn reasons_name_the_file_and_the_key() {
        let reason = change(BASE, &BASE.replace("62.0", "63.0"))
            .unwrap()
            .reason();
        assert!(
            reason.starts_with("sfdx-project.json changed `sourceApiVersion`"),
            "{reason}"
        );
        let ignore = ProjectFileChange::ForceIgnore {
            path: ".forceignore".into(),
            left_out: None,
        };
        assert!(ignore.reason().starts_with(".forceignore changed"));
        assert!(!ignore.reason().contains("sfdx-project"));
        let ignore = ProjectFileChange::ForceIgnore {
            path: ".forceignore".into(),
            left_out: Some(LeftOut {
                first: "force-app/x/B.cls".into(),
                more: 2,
            }),
        };
        assert_eq!(
            ignore.reason(),
            ".forceignore changed: it now leaves force-app/x/B.cls and 2 more files out of \
             the deploy; the org keeps what it has, but code deployed to a new org no longer \
             sees it, which can change every test"
        );
    }

    #[test]
    fn a_new_or_broken_base_falls_back() {
        let head: Value = serde_json::from_str(BASE).unwrap();
        assert!(matches!(
            project_json_change("sfdx-project.json", None, &head),
            Some(ProjectFileChange::ProjectReplaced { .. })
        ));
    }
}
