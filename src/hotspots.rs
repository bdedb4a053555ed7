//! `impact hotspots`: the components that change often, that many tests reach, and whose
//! tests fail: where a release manager looks first, and what to test first.
//!
//! For each Apex class, trigger, flow and object of the head revision (tests excluded):
//! - **churn**: commits in the window that changed it (for an object, changes to the
//!   object or to any of its fields, rules and other children; a commit that changes two
//!   fields counts twice), from [`crate::churn`];
//! - **reach**: the tests the impact walk reaches from it, as if all of it changed;
//! - **failures**: recorded runs in the window (from the head commit's time back
//!   `--since` days, and anything later) in which one of those tests failed, summed over
//!   the tests.
//!
//! The score is `churn × (1 + log2(1 + reach)) × (1 + log2(1 + failures))`: change
//! frequency drives it (a component that never changed is no hotspot), and many tests or
//! failing tests raise it by the logarithm, so one flaky test does not outweigh a
//! component that changes every week. A component no test reaches still scores by its
//! churn: it is a risk of its own. Scores are rounded to two decimals; the order is
//! score descending, then component id, so the same inputs give the same list.

use std::collections::{BTreeMap, HashMap};

use crate::churn::Churn;
use crate::graph::Graph;
use crate::impact::{self, Mode, Seed};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use rayon::prelude::*;

/// The metadata types that can be hotspots.
pub const HOTSPOT_TYPES: [&str; 4] = [
    types::APEX_CLASS,
    types::APEX_TRIGGER,
    types::FLOW,
    types::CUSTOM_OBJECT,
];

/// How many of a hotspot's tests it lists (most failing first).
pub const TOP_TESTS: usize = 5;

/// One test that reaches a hotspot.
#[derive(Clone, Debug, PartialEq)]
pub struct HotTest {
    /// The test's name (`InvoiceServiceTest`, a Flow test's name, a Jest test path).
    pub name: String,
    /// Recorded runs in the window in which it failed.
    pub failures: u32,
}

/// One component and its numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Hotspot {
    /// `ApexClass:InvoiceService`.
    pub component: ComponentId,
    /// See the module doc.
    pub score: f64,
    /// Commits in the window that changed it.
    pub churn: u32,
    /// Failures of the tests that reach it, summed.
    pub failures: u32,
    /// Tests that reach it.
    pub reach: usize,
    /// Its most failing tests, at most [`TOP_TESTS`].
    pub tests: Vec<HotTest>,
}

/// Everything the ranking needs.
pub struct Inputs<'a> {
    /// The head revision's graph.
    pub graph: &'a Graph,
    /// Commits per component in the window.
    pub churn: &'a Churn,
    /// Failures in the window per test id key (`apexclass:invoiceservicetest`).
    pub failures: &'a HashMap<String, u32>,
}

/// The components with churn, ranked by score.
pub fn rank(inputs: &Inputs) -> Vec<Hotspot> {
    let graph = inputs.graph;
    // Every node of a component (its members, inner classes) seeds its walk.
    let mut nodes_of: BTreeMap<String, (ComponentId, Vec<ComponentId>)> = BTreeMap::new();
    for (index, node) in graph.nodes() {
        let owner = graph.owner(index);
        if !HOTSPOT_TYPES.contains(&owner.type_name()) {
            continue;
        }
        if impact::owning_test(graph, index).is_some() {
            continue;
        }
        nodes_of
            .entry(owner.key().to_string())
            .or_insert_with(|| (owner.clone(), Vec::new()))
            .1
            .push(node.id.clone());
    }
    // One walk per component that changed, on every core, over the users laid out in
    // rows once.
    graph.index_users();
    let mut hotspots: Vec<Hotspot> = nodes_of
        .into_values()
        .filter_map(|(component, nodes)| {
            let churn = churn_of(&component, inputs.churn);
            (churn > 0).then_some((component, nodes, churn))
        })
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(component, nodes, churn)| hotspot(inputs, component, &nodes, churn))
        .collect();
    hotspots.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.component.cmp(&b.component))
    });
    hotspots
}

/// A component's churn; an object's includes its children's.
fn churn_of(component: &ComponentId, churn: &Churn) -> u32 {
    let own = churn.count(component);
    if component.type_name() != types::CUSTOM_OBJECT {
        return own;
    }
    let prefix = format!("{}.", component.folded_full_name());
    own.saturating_add(churn.children_of_object(&prefix))
}

/// The numbers of one component.
fn hotspot(inputs: &Inputs, component: ComponentId, nodes: &[ComponentId], churn: u32) -> Hotspot {
    let seeds: Vec<Seed> = nodes
        .iter()
        .map(|node| Seed {
            node: node.clone(),
            mode: Mode::All,
        })
        .collect();
    let graph = inputs.graph;
    let mut tests: Vec<HotTest> = impact::tests_reached(graph, &seeds)
        .into_iter()
        .map(|test| {
            let id = &graph[test].id;
            HotTest {
                name: id.full_name().to_string(),
                failures: inputs.failures.get(id.key()).copied().unwrap_or(0),
            }
        })
        .collect();
    let failures = tests.iter().map(|t| t.failures).sum::<u32>();
    let reach_count = tests.len();
    tests.sort_by(|a, b| {
        b.failures
            .cmp(&a.failures)
            .then_with(|| a.name.cmp(&b.name))
    });
    tests.truncate(TOP_TESTS);
    Hotspot {
        score: score(churn, reach_count, failures),
        component,
        churn,
        failures,
        reach: reach_count,
        tests,
    }
}

/// `churn × (1 + log2(1 + reach)) × (1 + log2(1 + failures))`, two decimals.
pub fn score(churn: u32, reach: usize, failures: u32) -> f64 {
    let reach = 1.0 + (1.0 + reach as f64).log2();
    let failures = 1.0 + (1.0 + f64::from(failures)).log2();
    let value = f64::from(churn) * reach * failures;
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_grows_with_each_factor_and_needs_churn() {
        assert_eq!(score(0, 50, 50), 0.0);
        assert_eq!(score(1, 0, 0), 1.0);
        assert_eq!(score(2, 1, 0), 4.0);
        assert_eq!(score(1, 3, 3), 9.0);
        assert!(score(3, 1, 0) > score(2, 1, 0));
        assert!(score(2, 7, 0) > score(2, 3, 0));
        assert!(score(2, 3, 1) > score(2, 3, 0));
        // A weekly change outranks one change whose test failed fifty times.
        assert!(score(12, 3, 0) > score(1, 3, 50));
    }
}
