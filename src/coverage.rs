//! Recorded coverage in the plan: covered-by edges, the 75% prediction, coverage risk.
//!
//! A `RunSpecifiedTests` deploy needs 75% line coverage of every Apex class and trigger
//! it deploys, from the tests it runs. The history holds, per test class, which lines of
//! which class the last recorded run covered; from that this module:
//! - adds **covered-by edges** ([`add_covered_by_edges`]) from a changed class or
//!   trigger to each test class that covered it but that the static graph does not
//!   connect to it at all: a dynamic dependency the parser cannot see (`Type.forName`,
//!   dynamic SOQL, a handler named in custom metadata). Tests the graph does connect
//!   keep the member-level precision of the static walk; coverage alone would select
//!   every test that ran any line of the class;
//! - **predicts coverage** ([`top_up`]): for each changed class or trigger, the share of
//!   its lines the selected tests covered; below the threshold (75% by default,
//!   `[coverage] threshold` in impact.toml) it adds the recorded covering tests, most
//!   lines first, while each adds lines, until the threshold is met;
//! - reports what stays short ([`risks`]), computed on the tests the plan finally
//!   runs (after a budget), so the release manager knows before the deploy.
//!
//! Only changed, non-deleted Apex classes and triggers that are not test classes count
//! (test classes are not subject to the coverage rule). Classes without recorded
//! per-test coverage are neither added to nor flagged here; `uncovered` in the plan
//! already names changed classes no test reaches. Names are matched case-insensitively.
//! This module reads the history; it does not write it.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::changes::{Change, ChangeKind};
use crate::error::Result;
use crate::facts::EdgeKind;
use crate::graph::Graph;
use crate::history::History;
use crate::impact::{self, Mode, PathEdge, Reason, Seed, SelectedTest, TestKind};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use crate::policy::Selection;

/// The coverage a `RunSpecifiedTests` deploy requires of each class and trigger, in
/// percent.
pub const DEFAULT_THRESHOLD: f64 = 75.0;

/// A changed class or trigger the plan's tests are predicted to cover too little.
#[derive(Clone, Debug, PartialEq)]
pub struct Risk {
    /// The class or trigger.
    pub component: ComponentId,
    /// Predicted coverage in percent, one decimal.
    pub predicted_percent: f64,
    /// Lines the plan's tests covered in the last recorded run.
    pub covered_lines: u32,
    /// Coverable lines of the class in that run.
    pub total_lines: u32,
}

/// The changed Apex classes and triggers whose coverage matters: semantic, not deleted,
/// not test classes.
pub fn targets(graph: &Graph, changes: &[Change]) -> Vec<ComponentId> {
    let mut out: Vec<ComponentId> = changes
        .iter()
        .filter(|change| change.semantic && change.kind != ChangeKind::Deleted)
        .map(|change| &change.component)
        .filter(|id| id.is_type(types::APEX_CLASS) || id.is_type(types::APEX_TRIGGER))
        .filter(|id| match graph.node(id) {
            Some(index) => graph.test_owner(index).is_none(),
            None => true,
        })
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Per-test coverage rows of `target` that covered at least one line:
/// `(test_class, covered, total)`.
fn covering(history: &History, target: &ComponentId) -> Result<Vec<(String, u32, u32)>> {
    Ok(history
        .coverage_by_test(target.full_name())?
        .into_iter()
        .filter(|(_, covered, _)| *covered > 0)
        .collect())
}

/// The id of a recorded test class, when the graph declares it as a test class.
fn test_in_graph(graph: &Graph, name: &str) -> Option<ComponentId> {
    let id = ComponentId::new(types::APEX_CLASS, name);
    let index = graph.node(&id)?;
    (graph.test_owner(index) == Some(index)).then(|| graph[index].id.clone())
}

/// Adds covered-by edges from each target to the recorded covering test classes that
/// the static graph does not connect to it; returns how many were added.
pub fn add_covered_by_edges(
    graph: &mut Graph,
    history: &History,
    targets: &[ComponentId],
) -> Result<usize> {
    let mut added = 0;
    for target in targets {
        let rows = covering(history, target)?;
        if rows.is_empty() {
            continue;
        }
        let Some(index) = graph.node(target) else {
            continue;
        };
        // Every test the graph connects to any part of the class, as the policy's
        // `uncovered` check asks: the class and all its members, whole.
        let mut seeds = vec![Seed {
            node: target.clone(),
            mode: Mode::All,
        }];
        seeds.extend(graph.children_of(index).iter().map(|&child| Seed {
            node: graph[child].id.clone(),
            mode: Mode::All,
        }));
        let static_tests = impact::walk(graph, &seeds).tests;
        for (test_class, covered, total) in rows {
            let Some(test) = test_in_graph(graph, &test_class) else {
                continue;
            };
            if static_tests.contains_key(test.key()) {
                continue;
            }
            let at = format!("recorded coverage: {covered} of {total} lines");
            if graph.add_coverage_edge(target, &test, &at) {
                added += 1;
            }
        }
    }
    Ok(added)
}

/// Percent of `covered` over `total`, 0 for an empty class.
fn percent(covered: u32, total: u32) -> f64 {
    if total == 0 {
        return 100.0;
    }
    f64::from(covered) * 100.0 / f64::from(total)
}

/// One decimal.
fn one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// The Apex test class names of a selection.
fn apex_names(tests: &[SelectedTest]) -> Vec<String> {
    tests
        .iter()
        .filter(|test| test.kind == TestKind::Apex)
        .map(|test| test.id.full_name().to_string())
        .collect()
}

/// Adds recorded covering tests to the selection while a target's predicted coverage is
/// below `threshold` percent. Does nothing when the plan falls back to all tests.
/// Returns the ids of the tests added.
pub fn top_up(
    graph: &Graph,
    history: &History,
    targets: &[ComponentId],
    selection: &mut Selection,
    threshold: f64,
) -> Result<Vec<ComponentId>> {
    let mut added = Vec::new();
    if selection.fallback.is_some() {
        return Ok(added);
    }
    let mut names = apex_names(&selection.tests);
    let mut selected: HashSet<String> = selection
        .tests
        .iter()
        .map(|test| test.id.key().to_string())
        .collect();
    for target in targets {
        let Some((mut covered, total)) = history.predicted_coverage(target.full_name(), &names)?
        else {
            continue;
        };
        if percent(covered, total) >= threshold {
            continue;
        }
        let mut candidates = covering(history, target)?;
        // Most lines first; names break ties so the plan is the same on every run.
        candidates.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.to_lowercase().cmp(&b.0.to_lowercase()))
        });
        for (test_class, test_lines, test_total) in candidates {
            let Some(test) = test_in_graph(graph, &test_class) else {
                continue;
            };
            if selected.contains(test.key()) {
                continue;
            }
            names.push(test.full_name().to_string());
            let now = history
                .predicted_coverage(target.full_name(), &names)?
                .map(|(c, _)| c)
                .unwrap_or(covered);
            if now <= covered {
                // It covers nothing the plan does not already cover.
                names.pop();
                continue;
            }
            covered = now;
            selected.insert(test.key().to_string());
            selection
                .tests
                .push(covering_test(graph, target, &test, test_lines, test_total));
            added.push(test);
            if percent(covered, total) >= threshold {
                break;
            }
        }
    }
    Ok(added)
}

/// A test selected because it covered `target` in the last recorded run.
fn covering_test(
    graph: &Graph,
    target: &ComponentId,
    test: &ComponentId,
    lines: u32,
    total: u32,
) -> SelectedTest {
    let index = graph.node(test);
    let methods: Vec<String> = index
        .map(|index| {
            let mut methods: Vec<String> = graph
                .children_of(index)
                .iter()
                .copied()
                .filter(|&child| graph[child].test.as_ref().is_some_and(|mark| mark.method))
                .map(|child| graph[child].id.last_name().to_string())
                .collect();
            methods.sort_by_key(|m| m.to_lowercase());
            methods.dedup_by_key(|m| m.to_lowercase());
            methods
        })
        .unwrap_or_default();
    SelectedTest {
        id: test.clone(),
        kind: TestKind::Apex,
        flow: None,
        methods,
        distance: u32::MAX,
        reasons: vec![Reason {
            path: vec![target.clone(), test.clone()],
            edges: vec![PathEdge {
                kind: EdgeKind::CoveredBy,
                at: format!("recorded coverage: {lines} of {total} lines"),
            }],
            note: Some(format!(
                "coverage: covers {}% of {}",
                one_decimal(percent(lines, total)),
                target.full_name()
            )),
        }],
        file: index.and_then(|index| graph.file_of(index).map(str::to_string)),
    }
}

/// The test classes that covered `target` in the last recorded run, as selected tests
/// (reason: `covered-by`), the most lines first, names breaking ties.
pub fn recorded_covering_tests(
    graph: &Graph,
    history: &History,
    target: &ComponentId,
) -> Result<Vec<SelectedTest>> {
    let mut rows = covering(history, target)?;
    rows.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.0.to_lowercase().cmp(&b.0.to_lowercase()))
    });
    Ok(rows
        .into_iter()
        .filter_map(|(test_class, lines, total)| {
            let test = test_in_graph(graph, &test_class)?;
            Some(covering_test(graph, target, &test, lines, total))
        })
        .collect())
}

/// The targets whose predicted coverage from `test_classes` stays below `threshold`.
pub fn risks(
    history: &History,
    targets: &[ComponentId],
    test_classes: &[String],
    threshold: f64,
) -> Result<Vec<Risk>> {
    let mut out = Vec::new();
    for target in targets {
        let Some((covered, total)) =
            history.predicted_coverage(target.full_name(), test_classes)?
        else {
            continue;
        };
        let predicted = percent(covered, total);
        if predicted < threshold {
            out.push(Risk {
                component: target.clone(),
                predicted_percent: one_decimal(predicted),
                covered_lines: covered,
                total_lines: total,
            });
        }
    }
    Ok(out)
}

/// Per test (id key), the largest share (0–1) of a target's lines it covered in the last
/// recorded run.
pub fn covers_changed(history: &History, targets: &[ComponentId]) -> Result<HashMap<String, f64>> {
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    for target in targets {
        for (test_class, covered, total) in covering(history, target)? {
            if total == 0 {
                continue;
            }
            let share = f64::from(covered.min(total)) / f64::from(total);
            let key = ComponentId::new(types::APEX_CLASS, &test_class)
                .key()
                .to_string();
            let entry = out.entry(key).or_insert(0.0);
            if share > *entry {
                *entry = share;
            }
        }
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FileFacts;
    use crate::facts::{DeclKind, Declaration, Facts, Target, TestMark, Use};
    use crate::results::{Outcome, ResultFormat, TestCoverage, TestResult, TestRun};

    /// A declaration with the fields these tests do not care about left empty.
    fn declaration(
        id: ComponentId,
        kind: DeclKind,
        parent: Option<ComponentId>,
        test: Option<TestMark>,
    ) -> Declaration {
        Declaration {
            test,
            ..Declaration::new(id, kind, parent, (1, 10))
        }
    }

    /// A class file declaring `name` with one method `t` that references the classes in
    /// `uses`; a test class (and `t` a test method) when `test`.
    fn class(name: &str, uses: &[&str], test: bool) -> FileFacts {
        let id = ComponentId::new("ApexClass", name);
        let method = ComponentId::member(name, "t");
        let mark = test.then(|| TestMark {
            method: true,
            ..TestMark::default()
        });
        let declares = vec![
            declaration(id.clone(), DeclKind::Class, None, None),
            declaration(method.clone(), DeclKind::Method, Some(id.clone()), mark),
        ];
        let uses = uses
            .iter()
            .map(|used| Use {
                from: method.clone(),
                target: Target::ApexType((*used).to_string().into()),
                kind: EdgeKind::References,
                line: 3,
            })
            .collect::<Vec<_>>();
        FileFacts {
            blob: String::new(),
            path: format!("classes/{name}.cls"),
            component: id,
            facts: Facts {
                declares,
                uses: uses.into(),
                ..Facts::default()
            },
        }
    }

    /// A run where each `(test, covered class, lines)` covered those line numbers of a
    /// 10-line class.
    fn run(id: &str, rows: &[(&str, &str, &[u32])]) -> TestRun {
        TestRun {
            format: ResultFormat::SfTestRun,
            run_id: id.into(),
            started_at: None,
            tests: rows
                .iter()
                .map(|(test, _, _)| TestResult {
                    kind: crate::results::TestKind::Apex,
                    class_name: (*test).into(),
                    method_name: "t".into(),
                    outcome: Outcome::Pass,
                    duration_ms: Some(100),
                    message: None,
                    stack_trace: None,
                    namespace: None,
                })
                .collect(),
            class_coverage: Vec::new(),
            test_coverage: rows
                .iter()
                .map(|(test, covered, lines)| TestCoverage {
                    test_class: (*test).into(),
                    test_method: "t".into(),
                    covered: (*covered).into(),
                    lines_covered: lines.len() as u32,
                    lines_total: 10,
                    lines: lines.to_vec(),
                })
                .collect(),
            org_wide_coverage: None,
            coverage_warnings: Vec::new(),
            total_time_ms: None,
        }
    }

    fn fixture() -> (tempfile::TempDir, History, Graph) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut history = History::open(&dir.path().join("h.db")).expect("open");
        history
            .record(
                &run(
                    "r1",
                    &[
                        ("ServiceTest", "Service", &[1, 2, 3, 4]),
                        ("WideTest", "Service", &[3, 4, 5, 6, 7]),
                        ("DupTest", "Service", &[1, 2]),
                        ("DynamicTest", "Service", &[8]),
                    ],
                ),
                None,
            )
            .expect("record");
        let graph = Graph::build(&[
            class("Service", &[], false),
            class("ServiceTest", &["Service"], true),
            class("WideTest", &["Service"], true),
            class("DupTest", &["Service"], true),
            class("DynamicTest", &[], true),
        ]);
        (dir, history, graph)
    }

    fn selection(graph: &Graph, names: &[&str]) -> Selection {
        Selection {
            tests: names
                .iter()
                .map(|name| {
                    covering_test(
                        graph,
                        &ComponentId::new("ApexClass", "Service"),
                        &ComponentId::new("ApexClass", name),
                        0,
                        10,
                    )
                })
                .collect(),
            ..Selection::default()
        }
    }

    #[test]
    fn edges_only_for_tests_the_graph_does_not_connect() {
        let (_dir, history, mut graph) = fixture();
        let service = ComponentId::new("ApexClass", "service");
        let added = add_covered_by_edges(&mut graph, &history, std::slice::from_ref(&service))
            .expect("edges");
        assert_eq!(added, 1);
        let seeds = vec![Seed {
            node: ComponentId::new("ApexClass", "Service"),
            mode: Mode::OpaqueOnly,
        }];
        let reached: Vec<String> = impact::walk(&graph, &seeds).tests.into_keys().collect();
        // DynamicTest through its recorded coverage; ServiceTest by its name, as the
        // class's own test. WideTest and DupTest only name the class.
        assert_eq!(reached, ["apexclass:dynamictest", "apexclass:servicetest"]);
        // Again: nothing new.
        assert_eq!(
            add_covered_by_edges(&mut graph, &history, &[service]).expect("edges"),
            0
        );
    }

    #[test]
    fn top_up_adds_the_most_covering_tests_that_add_lines() {
        let (_dir, history, graph) = fixture();
        let service = ComponentId::new("ApexClass", "Service");
        let mut selection = selection(&graph, &["DupTest"]);
        // DupTest covers 2 of 10 lines; WideTest adds 5 (70%), ServiceTest adds 3, 4 → …
        let added = top_up(
            &graph,
            &history,
            std::slice::from_ref(&service),
            &mut selection,
            75.0,
        )
        .expect("top up");
        let names: Vec<&str> = added.iter().map(|id| id.full_name()).collect();
        assert_eq!(names, ["WideTest", "DynamicTest"]);
        let wide = &selection.tests[1];
        assert_eq!(
            wide.reasons[0].note.as_deref(),
            Some("coverage: covers 50% of Service")
        );
        assert_eq!(wide.methods, ["t"]);
        let classes = apex_names(&selection.tests);
        assert_eq!(
            history
                .predicted_coverage("Service", &classes)
                .expect("predict"),
            Some((8, 10))
        );
        assert!(risks(&history, &[service], &classes, 75.0)
            .expect("risks")
            .is_empty());
    }

    #[test]
    fn what_stays_short_is_a_risk() {
        let (_dir, history, graph) = fixture();
        let service = ComponentId::new("ApexClass", "Service");
        let mut selection = selection(&graph, &[]);
        top_up(
            &graph,
            &history,
            std::slice::from_ref(&service),
            &mut selection,
            95.0,
        )
        .expect("top up");
        // All four tests cover lines 1-8: 80%.
        assert_eq!(
            selection.tests.len(),
            3,
            "DupTest adds nothing after ServiceTest"
        );
        let risks = risks(
            &history,
            std::slice::from_ref(&service),
            &apex_names(&selection.tests),
            95.0,
        )
        .expect("risks");
        assert_eq!(
            risks,
            [Risk {
                component: service,
                predicted_percent: 80.0,
                covered_lines: 8,
                total_lines: 10
            }]
        );
    }

    #[test]
    fn a_fallback_adds_nothing_and_shares_are_per_test() {
        let (_dir, history, graph) = fixture();
        let service = ComponentId::new("ApexClass", "Service");
        let mut selection = Selection {
            fallback: Some(crate::policy::Fallback {
                reason: "x".into(),
                paths: Vec::new(),
            }),
            ..Selection::default()
        };
        assert!(top_up(
            &graph,
            &history,
            std::slice::from_ref(&service),
            &mut selection,
            75.0
        )
        .expect("top up")
        .is_empty());
        let shares = covers_changed(&history, &[service]).expect("shares");
        assert_eq!(shares.get("apexclass:widetest"), Some(&0.5));
        assert_eq!(shares.get("apexclass:dynamictest"), Some(&0.1));
        assert_eq!(shares.len(), 4);
    }

    #[test]
    fn targets_skip_tests_deletions_and_other_types() {
        let (_dir, _history, graph) = fixture();
        let change = |type_name: &str, name: &str, kind: ChangeKind, semantic: bool| Change {
            component: ComponentId::new(type_name, name),
            kind,
            paths: vec![format!("x/{name}")],
            semantic,
            head_seeds: Vec::new(),
            base_seeds: Vec::new(),
            problems: Vec::new(),
            whole: true,
        };
        let changes = vec![
            change("ApexClass", "Service", ChangeKind::Modified, true),
            change("ApexClass", "ServiceTest", ChangeKind::Modified, true),
            change("ApexClass", "Gone", ChangeKind::Deleted, true),
            change("ApexClass", "Comment", ChangeKind::Modified, false),
            change("ApexTrigger", "InvoiceTrigger", ChangeKind::Added, true),
            change("Flow", "F", ChangeKind::Modified, true),
        ];
        let names: Vec<String> = targets(&graph, &changes)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(names, ["ApexClass:Service", "ApexTrigger:InvoiceTrigger"]);
    }
}
