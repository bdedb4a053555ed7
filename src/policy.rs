//! The policy: which changes can be judged, which tests always run, and when to fall
//! back to `RunLocalTests`.
//!
//! Never silently under-select: a change the graph cannot judge is a fallback with a
//! reason that names the files; a changed or critical test always runs. (Deployed Apex
//! that no test covers is found by `deployed`.) No I/O.

use crate::changes::{Change, ChangeKind, Context};
use crate::graph::Graph;
use crate::impact::{self, Reach, Reason, SelectedTest, TestKind};
use crate::metadata::component::ComponentId;
use crate::metadata::types::{self, TestImpact};
use crate::project_change::{self, ProjectFileChange};
use std::collections::{BTreeMap, BTreeSet};

/// The user's policy settings (flags and `impact.toml`).
#[derive(Clone, Debug)]
pub struct Policy {
    /// More changed components than this fall back to `RunLocalTests`.
    pub max_changes: usize,
    /// Tests that always run (`ApexClass:X` ids).
    pub always_run: Vec<ComponentId>,
    /// Changed paths matching these globs fall back to `RunLocalTests`.
    pub fallback_globs: Option<globset::GlobSet>,
    /// Changed paths matching a glob select the mapped tests.
    pub mappings: Vec<(globset::GlobMatcher, Vec<ComponentId>)>,
    /// A deployed Apex class or trigger no test covers makes the plan fall back to
    /// `RunLocalTests` (`--fallback-on-uncovered`, `[coverage] fallback_on_uncovered`).
    pub fallback_on_uncovered: bool,
    /// A change of `sfdx-project.json`'s `sourceApiVersion` falls back (`[fallback]
    /// source_api_version`, default true). It is the Metadata API version the deploy is
    /// sent at; each class compiles at its own `apiVersion`, so a team that deploys only
    /// what changed can turn it off.
    pub fallback_on_source_api_version: bool,
    /// Whether a change to a package's dependencies in `sfdx-project.json` falls back
    /// (`[fallback] dependencies`, default true): the tests run against other versions of
    /// the packages installed beside the project, whose contents no file here shows.
    pub fallback_on_dependencies: bool,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            max_changes: 500,
            always_run: Vec::new(),
            fallback_globs: None,
            mappings: Vec::new(),
            fallback_on_uncovered: false,
            fallback_on_source_api_version: true,
            fallback_on_dependencies: true,
        }
    }
}

/// Why the plan runs all local tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    pub reason: String,
    pub paths: Vec<String>,
}

/// The selected tests, before ranking.
#[derive(Debug, Default)]
pub struct Selection {
    pub tests: Vec<SelectedTest>,
    pub uncovered: Vec<ComponentId>,
    pub fallback: Option<Fallback>,
    /// Every test the head revision declares.
    pub n_tests_total: usize,
}

/// How the note of a test selected only because the plan falls back begins.
pub const FALLBACK_NOTE_PREFIX: &str = "fallback: ";

/// How the note of a Jest test starts when every Jest test runs because Jest's
/// configuration or a mock or helper changed: the Jest command then runs them all.
pub const JEST_SUPPORT_NOTE_PREFIX: &str = "jest-support: ";

/// Applies the policy to the walk's results on the head and base graphs.
pub fn select(
    head: &Graph,
    head_reach: Reach,
    base_reach: Option<Reach>,
    changes: &[Change],
    policy: &Policy,
    context: &Context,
) -> Selection {
    let mut tests: BTreeMap<String, SelectedTest> = head_reach.tests;
    // Tests reached on the base graph (through deleted or removed code) run when they
    // still exist.
    if let Some(base_reach) = base_reach {
        for (key, mut test) in base_reach.tests {
            let Some(index) = head.node(&test.id) else {
                continue;
            };
            if impact::owning_test(head, index) != Some(index) {
                continue;
            }
            match tests.get_mut(&key) {
                Some(existing) => {
                    existing.reasons.append(&mut test.reasons);
                    existing.distance = existing.distance.min(test.distance);
                    for method in test.methods {
                        if !existing.methods.contains(&method) {
                            existing.methods.push(method);
                        }
                    }
                    existing.methods.sort_by_key(|m| m.to_lowercase());
                }
                None => {
                    tests.insert(key, test);
                }
            }
        }
    }

    let all_tests = all_tests(head);
    for (key, index) in &all_tests {
        let node = &head[*index];
        let critical = node.test.as_ref().is_some_and(|mark| mark.critical);
        let always = policy.always_run.iter().any(|id| id == &node.id);
        if !(critical || always) {
            continue;
        }
        let note = if critical {
            "critical: `@IsTest(critical=true)`"
        } else {
            "always-run: listed in impact.toml"
        };
        add_policy_test(&mut tests, head, key, *index, note);
    }
    if let Some(first) = context.jest_support_files.first() {
        let note = format!(
            "{JEST_SUPPORT_NOTE_PREFIX}`{first}` changed (Jest's configuration, or a mock or helper any Jest test may import)"
        );
        for (key, index) in &all_tests {
            if head[*index].id.is_type(types::LWC_JEST_TEST) {
                add_policy_test(&mut tests, head, key, *index, &note);
            }
        }
    }
    for (glob, mapped) in &policy.mappings {
        for change in changes {
            let Some(path) = change
                .paths
                .iter()
                .find(|path| glob.is_match(path.as_str()))
            else {
                continue;
            };
            for id in mapped {
                let Some(index) = head.node(id) else { continue };
                let note = format!("mapping: `{}` matches `{}`", path, glob.glob());
                add_policy_test(&mut tests, head, id.key(), index, &note);
            }
        }
    }

    let fallback = fallback(changes, policy, context);
    if let Some(fallback) = &fallback {
        // `RunLocalTests` runs every local test: the plan lists them all, so a consumer of
        // the JSON does not run only the reached ones.
        let note = format!("{FALLBACK_NOTE_PREFIX}{}", fallback.reason);
        for (key, index) in &all_tests {
            if !tests.contains_key(key) {
                add_policy_test(&mut tests, head, key, *index, &note);
            }
        }
    }
    for test in tests.values_mut() {
        if test.kind == TestKind::Flow {
            test.flow = flow_of(head, &test.id);
        }
    }
    Selection {
        tests: tests.into_values().collect(),
        // Set by `deployed::cover`, which knows every deployed class.
        uncovered: Vec::new(),
        fallback,
        n_tests_total: all_tests.len(),
    }
}

/// Makes `selection` fall back to `RunLocalTests` for `fallback`: every local test is
/// listed, with the reason as a note, so a consumer of the JSON runs what
/// `RunLocalTests` runs.
pub fn fall_back(head: &Graph, selection: &mut Selection, fallback: Fallback) {
    let mut tests: BTreeMap<String, SelectedTest> = std::mem::take(&mut selection.tests)
        .into_iter()
        .map(|test| (test.id.key().to_string(), test))
        .collect();
    let note = format!("fallback: {}", fallback.reason);
    for (key, index) in &all_tests(head) {
        if !tests.contains_key(key) {
            add_policy_test(&mut tests, head, key, *index, &note);
        }
    }
    for test in tests.values_mut() {
        if test.kind == TestKind::Flow && test.flow.is_none() {
            test.flow = flow_of(head, &test.id);
        }
    }
    selection.tests = tests.into_values().collect();
    selection.fallback = Some(fallback);
}

fn add_policy_test(
    tests: &mut BTreeMap<String, SelectedTest>,
    head: &Graph,
    key: &str,
    index: crate::graph::NodeIx,
    note: &str,
) {
    let node = &head[index];
    let reason = Reason {
        path: vec![node.id.clone()],
        edges: Vec::new(),
        note: Some(note.to_string()),
    };
    match tests.get_mut(key) {
        Some(test) => test.reasons.push(reason),
        None => {
            let methods = head
                .children_of(index)
                .iter()
                .copied()
                .filter(|&child| head[child].test.as_ref().is_some_and(|m| m.method))
                .map(|child| {
                    let full = head[child].id.full_name();
                    full.rsplit('.').next().unwrap_or(full).to_string()
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            tests.insert(
                key.to_string(),
                SelectedTest {
                    id: node.id.clone(),
                    kind: impact::test_kind(&node.id),
                    flow: None,
                    methods,
                    distance: u32::MAX,
                    reasons: vec![reason],
                    file: head.file_of(index).map(str::to_string),
                },
            );
        }
    }
}

/// Every test the graph declares, by key.
pub fn all_tests(graph: &Graph) -> BTreeMap<String, crate::graph::NodeIx> {
    graph
        .nodes()
        .filter(|(index, node)| {
            node.parent.is_none() && impact::owning_test(graph, *index) == Some(*index)
        })
        .map(|(index, node)| (node.id.key().to_string(), index))
        .collect()
}

fn flow_of(graph: &Graph, flow_test: &ComponentId) -> Option<String> {
    let index = graph.node(flow_test)?;
    graph
        .outgoing(index)
        .find(|link| link.edge.kind == crate::facts::EdgeKind::Tests)
        .map(|link| graph[link.to].id.full_name().to_string())
}

/// The fallback for edits of `sfdx-project.json` and `.forceignore` that can change what
/// is deployed or how, or what the tests run against (`sourceApiVersion` and a package's
/// dependencies only when the policy says they fall back).
fn project_files_fallback(policy: &Policy, context: &Context) -> Option<Fallback> {
    let switched_off = |key: &str| {
        (!policy.fallback_on_source_api_version && key == project_change::SOURCE_API_VERSION)
            || (!policy.fallback_on_dependencies && project_change::is_dependency_key(key))
    };
    let project_files: Vec<ProjectFileChange> = context
        .project_files
        .iter()
        .filter_map(|change| change.without_keys(switched_off))
        .collect();
    (!project_files.is_empty()).then(|| Fallback {
        reason: project_files
            .iter()
            .map(ProjectFileChange::reason)
            .collect::<Vec<_>>()
            .join("; "),
        paths: project_files
            .iter()
            .map(|change| change.path().to_string())
            .collect(),
    })
}

fn fallback(changes: &[Change], policy: &Policy, context: &Context) -> Option<Fallback> {
    if let Some(fallback) = project_files_fallback(policy, context) {
        return Some(fallback);
    }
    let semantic: Vec<&Change> = changes.iter().filter(|change| change.semantic).collect();
    if semantic.len() > policy.max_changes {
        return Some(Fallback {
            reason: format!(
                "{} changed components exceed the limit of {} (`--max-changes`)",
                semantic.len(),
                policy.max_changes
            ),
            paths: semantic
                .iter()
                .flat_map(|change| change.paths.iter().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        });
    }
    let unparseable: Vec<String> = semantic
        .iter()
        .filter(|change| change.kind != ChangeKind::Deleted && !change.problems.is_empty())
        .flat_map(|change| change.problems.iter().cloned())
        .collect();
    if !unparseable.is_empty() {
        let paths = unparseable
            .iter()
            .map(|problem| problem.split(": ").next().unwrap_or(problem).to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        return Some(Fallback {
            reason: format!("cannot read a changed file: {}", unparseable.join("; ")),
            paths,
        });
    }
    let unknown: Vec<&Change> = semantic
        .iter()
        .copied()
        .filter(|change| {
            matches!(
                types::test_impact(change.component.type_name()),
                TestImpact::Fallback(_)
            )
        })
        .collect();
    if !unknown.is_empty() {
        let names: BTreeSet<&str> = unknown
            .iter()
            .map(|change| change.component.type_name())
            .collect();
        let described: Vec<String> = names
            .into_iter()
            .map(|type_name| match types::test_impact(type_name) {
                TestImpact::Fallback(why) => format!("{type_name} ({why})"),
                _ => type_name.to_string(),
            })
            .collect();
        return Some(Fallback {
            reason: format!(
                "changed metadata of a type `impact` does not follow and that can change test outcomes: {}",
                described.join("; ")
            ),
            paths: unknown
                .iter()
                .flat_map(|change| change.paths.iter().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        });
    }
    if let Some(globs) = &policy.fallback_globs {
        let matched: Vec<String> = changes
            .iter()
            .flat_map(|change| change.paths.iter())
            .filter(|path| globs.is_match(path.as_str()))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !matched.is_empty() {
            return Some(Fallback {
                reason: "changed files match a fallback glob in impact.toml".into(),
                paths: matched,
            });
        }
    }
    if !context.changed_submodules.is_empty() {
        return Some(Fallback {
            reason: "a submodule that holds or lies in a package directory changed; \
                     `impact` cannot see what changed in its files"
                .into(),
            paths: context.changed_submodules.clone(),
        });
    }
    if !context.unseen.is_empty() {
        let named: Vec<String> = context.unseen.iter().map(ToString::to_string).collect();
        return Some(Fallback {
            reason: format!(
                "the manifest names components no package directory of the repository holds, \
                 so `impact` cannot see what they run: {}",
                named.join(", ")
            ),
            paths: Vec::new(),
        });
    }
    if !context.unknown_files.is_empty() {
        return Some(Fallback {
            reason: "changed files in a package directory that no metadata type claims".into(),
            paths: context.unknown_files.clone(),
        });
    }
    None
}
