//! Coverage tests for what a deploy contains.
//!
//! Under `RunSpecifiedTests`, Salesforce requires every Apex class and trigger *in the
//! deployment* to reach 75% coverage from the tests it runs. A class changed only in
//! comments, or whose changed members no test reaches, is still deployed: without a
//! test that runs it, the deploy fails at the org. So for every deployed class or
//! trigger (added or modified, semantic or not, not itself a test, with at least one
//! executable line: the org computes no coverage for an interface or an empty class)
//! the plan holds at least one test expected to cover it, taken from the first source
//! that has one:
//! 1. the tests that covered it in the last recorded run (history), the one covering
//!    the most lines;
//! 2. its own test (`named-test`: `FooTest` that uses `Foo`; not a test named for a
//!    class that uses it);
//! 3. the tests that use it at class granularity (any member, whole), the nearest ones.
//!
//! A class that already has a selected test from that source needs nothing. An added
//! test carries the reason [`COVERS_DEPLOYED`], ranks after the tests that reach a
//! behaviour change, and is kept by `--format sf`. A deployed class no source covers is
//! `uncovered`; with `--fallback-on-uncovered` (`[coverage] fallback_on_uncovered`) such
//! a plan falls back to `RunLocalTests` instead. No I/O beyond the history's reads.

use crate::changes::{Change, ChangeKind};
use crate::error::Result;
use crate::facts::EdgeKind;
use crate::graph::{Graph, NodeIx};
use crate::history::History;
use crate::impact::{self, Mode, Seed, SelectedTest};
use crate::metadata::component::ComponentId;
use crate::metadata::types::{APEX_CLASS, APEX_TRIGGER};
use crate::policy::{self, Fallback, Selection};
use std::collections::{BTreeMap, BTreeSet};

/// The note that starts the reason of a test selected only to cover a deployed class.
pub const COVERS_DEPLOYED: &str = "covers-deployed";

/// True when a test is in the plan only to cover deployed classes: it ranks after every
/// test that reaches a behaviour change.
pub fn only_covers_deployed(test: &SelectedTest) -> bool {
    !test.reasons.is_empty()
        && test.reasons.iter().all(|reason| {
            reason
                .note
                .as_deref()
                .is_some_and(|note| note.starts_with(COVERS_DEPLOYED))
        })
}

/// The Apex classes and triggers the change deploys that need coverage: added or
/// modified, semantic or not, not test classes (the coverage rule does not apply to
/// tests), not classes without an executable line (an interface, an empty class: the org
/// computes no coverage for them).
pub fn deployed_apex(graph: &Graph, changes: &[Change]) -> Vec<ComponentId> {
    let deployed: BTreeSet<ComponentId> = changes
        .iter()
        .filter(|change| change.kind != ChangeKind::Deleted)
        .map(|change| &change.component)
        .filter(|id| id.is_type(APEX_CLASS) || id.is_type(APEX_TRIGGER))
        .filter(|id| {
            graph.node(id).is_none_or(|index| {
                graph.test_owner(index).is_none() && graph.has_executable_code(index)
            })
        })
        .cloned()
        .collect();
    deployed.into_iter().collect()
}

/// Where a deployed class's covering tests come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Recorded,
    NamedTest,
    Users,
}

impl Source {
    fn describe(self) -> &'static str {
        match self {
            Source::Recorded => "covered it in the last recorded run",
            Source::NamedTest => "is its own test",
            Source::Users => "uses it",
        }
    }
}

/// The tests expected to cover a deployed class, from the first source that has any.
struct Covering {
    source: Source,
    /// Every test of the source: one of them already selected covers the class.
    expected: Vec<ComponentId>,
    /// What to add when none is selected: the recorded test covering the most lines,
    /// every named test, the nearest users.
    to_add: Vec<SelectedTest>,
}

/// The tests expected to cover `class`; none when nothing can cover it. `is_selected`
/// tells a test the plan selects already.
fn expected_covering(
    graph: &Graph,
    history: Option<&History>,
    class: &ComponentId,
    is_selected: &dyn Fn(&ComponentId) -> bool,
) -> Result<Covering> {
    if let Some(history) = history {
        // Recorded ones with the most lines first.
        let recorded = crate::coverage::recorded_covering_tests(graph, history, class)?;
        if !recorded.is_empty() {
            return Ok(Covering {
                source: Source::Recorded,
                expected: recorded.iter().map(|test| test.id.clone()).collect(),
                to_add: recorded.into_iter().take(1).collect(),
            });
        }
    }
    let Some(index) = graph.node(class) else {
        return Ok(Covering {
            source: Source::Users,
            expected: Vec::new(),
            to_add: Vec::new(),
        });
    };
    // Coverage comes from running any code of the class: ask from the whole class.
    let mut seeds = vec![Seed {
        node: class.clone(),
        mode: Mode::All,
    }];
    seeds.extend(graph.children_of(index).iter().map(|&child| Seed {
        node: graph[child].id.clone(),
        mode: Mode::All,
    }));
    // Its own tests are named for it: a named-test edge into the class itself. A path
    // that ends in another class's named test (a subclass's, a caller's) is a user. The
    // walk stops once it has all it can say about them.
    let own: BTreeSet<NodeIx> = graph
        .incoming(index)
        .filter(|link| link.edge.kind == EdgeKind::NamedTest)
        .map(|link| link.from)
        .collect();
    // A named test uses the class directly, so the walk reaches every one it has. A
    // class without one is covered by any selected test that uses it: the walk stops at
    // the first it reaches.
    let walked = if own.is_empty() {
        impact::walk_until_any(graph, &seeds, |test| is_selected(&graph[test].id))
    } else {
        impact::walk_until_reached(graph, &seeds, &own)
    };
    let named: BTreeSet<NodeIx> = walked.tests().filter(|test| own.contains(test)).collect();
    let (source, expected, to_add) = if named.is_empty() {
        // Every test the walk reached uses the class. When one is selected, that covers
        // it; else the walk did not stop, and only the nearest are explained.
        let users: BTreeSet<NodeIx> = walked.tests().collect();
        let reach = if users.iter().any(|&test| is_selected(&graph[test].id)) {
            impact::Reach::default()
        } else {
            let nearest = users.iter().filter_map(|&test| walked.distance(test)).min();
            walked.reach(|test| walked.distance(test) == nearest)
        };
        (Source::Users, users, reach)
    } else {
        let reach = walked.reach(|test| named.contains(&test));
        (Source::NamedTest, named, reach)
    };
    Ok(Covering {
        source,
        expected: expected
            .iter()
            .map(|&test| graph[test].id.clone())
            .collect(),
        to_add: to_add.tests.into_values().collect(),
    })
}

/// Adds a covering test for every deployed class that has none in the selection, and
/// sets `selection.uncovered` to the deployed classes nothing covers. With
/// `fallback_on_uncovered`, a plan with an uncovered class falls back to
/// `RunLocalTests`.
pub fn cover(
    graph: &Graph,
    history: Option<&History>,
    changes: &[Change],
    selection: &mut Selection,
    fallback_on_uncovered: bool,
) -> Result<()> {
    let mut selected: BTreeMap<String, usize> = selection
        .tests
        .iter()
        .enumerate()
        .map(|(position, test)| (test.id.key().to_string(), position))
        .collect();
    let mut uncovered = Vec::new();
    for class in deployed_apex(graph, changes) {
        let Covering {
            source,
            expected,
            to_add,
        } = expected_covering(graph, history, &class, &|test| {
            selected.contains_key(test.key())
        })?;
        if expected.is_empty() {
            uncovered.push(class);
            continue;
        }
        if expected
            .iter()
            .any(|test| selected.contains_key(test.key()))
        {
            continue;
        }
        for mut test in to_add {
            let note = format!(
                "{COVERS_DEPLOYED}: {class} is deployed and needs 75% coverage; this test {}",
                source.describe()
            );
            for reason in &mut test.reasons {
                reason.note = Some(note.clone());
            }
            test.distance = u32::MAX;
            match selected.get(test.id.key()) {
                Some(&position) => selection.tests[position]
                    .reasons
                    .extend(test.reasons.into_iter().take(1)),
                None => {
                    selected.insert(test.id.key().to_string(), selection.tests.len());
                    selection.tests.push(test);
                }
            }
        }
    }
    if fallback_on_uncovered && !uncovered.is_empty() && selection.fallback.is_none() {
        let names: Vec<String> = uncovered.iter().map(ToString::to_string).collect();
        let paths = changes
            .iter()
            .filter(|change| uncovered.contains(&change.component))
            .flat_map(|change| change.paths.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        policy::fall_back(
            graph,
            selection,
            Fallback {
                reason: format!(
                    "deployed Apex that no test covers ({}): a RunSpecifiedTests deploy would fail the 75% coverage rule (`--fallback-on-uncovered`)",
                    names.join(", ")
                ),
                paths,
            },
        );
    }
    selection.uncovered = uncovered;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::impact::{Reason, TestKind};

    fn selected(note: Option<&str>) -> SelectedTest {
        SelectedTest {
            id: ComponentId::new(APEX_CLASS, "FooTest"),
            kind: TestKind::Apex,
            flow: None,
            methods: Vec::new(),
            distance: u32::MAX,
            reasons: vec![Reason {
                path: Vec::new(),
                edges: Vec::new(),
                note: note.map(str::to_string),
            }],
            file: None,
        }
    }

    #[test]
    fn only_tests_added_for_coverage_alone_rank_last() {
        let added = selected(Some("covers-deployed: ApexClass:Foo is deployed"));
        assert!(only_covers_deployed(&added));
        assert!(!only_covers_deployed(&selected(None)));
        assert!(!only_covers_deployed(&selected(Some("critical"))));
    }
}
