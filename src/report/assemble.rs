//! Assembles the plan contract from the pipeline's internal results.

use super::plan::*;

/// What a plan holds besides the analysis and the tests it runs.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// Tests a budget left out.
    pub deferred: Vec<crate::rank::Deferred>,
    /// Changed classes predicted below the coverage threshold.
    pub coverage_risk: Vec<crate::coverage::Risk>,
    /// `--confidence`: the level, the estimate of what runs, and the curve.
    pub confidence: Option<Confidence>,
}

/// What the analysis found that the plan reports (besides the ranked tests).
#[derive(Clone, Copy, Debug)]
pub struct Outcome<'a> {
    /// 40-hex sha of the base commit.
    pub base: &'a str,
    /// 40-hex sha of the head commit, or `WORKTREE`.
    pub head: &'a str,
    pub changes: &'a [crate::changes::Change],
    pub selection: &'a crate::policy::Selection,
    pub warnings: &'a [String],
    /// Components of the head revision (for `stats`).
    pub components: usize,
    /// Calls the graph could not resolve to one receiver type (for `stats`).
    pub unresolved_calls: usize,
    /// When the analysis started (for `stats.elapsed_ms`).
    pub started: std::time::Instant,
    /// Every test the head revision declares, by kind (see [`totals_by_kind`]).
    pub tests_total_by_kind: KindCounts,
}

/// The plan's name of a test kind.
fn kind_name(kind: crate::impact::TestKind) -> &'static str {
    match kind {
        crate::impact::TestKind::Apex => "apex",
        crate::impact::TestKind::Flow => "flow",
        crate::impact::TestKind::Lwc => "lwc",
    }
}

/// `FlowTesting.<Flow>.<Test>` for a Flow test.
fn flow_run_name(test: &crate::impact::SelectedTest) -> Option<String> {
    (test.kind == crate::impact::TestKind::Flow)
        .then(|| {
            test.flow
                .as_ref()
                .map(|flow| format!("FlowTesting.{}.{}", flow, test.id.full_name()))
        })
        .flatten()
}

/// Builds the plan, with deferred tests and coverage risks.
pub fn build(analysis: &Outcome, ranked: &[crate::rank::RankedTest], extras: &Extras) -> Plan {
    use crate::impact::TestKind;
    let selection = analysis.selection;
    let n_apex = ranked
        .iter()
        .filter(|test| test.test.kind == TestKind::Apex)
        .count();
    let test_level = if selection.fallback.is_some() {
        "RunLocalTests"
    } else if n_apex > 0 {
        "RunSpecifiedTests"
    } else {
        "NoTestRun"
    };
    let changes = analysis.changes.iter().map(change).collect();
    let tests = ranked
        .iter()
        .map(|ranked| {
            let test = &ranked.test;
            let (kind, run_name) = match test.kind {
                TestKind::Apex => ("apex", None),
                TestKind::Flow => (
                    "flow",
                    test.flow
                        .as_ref()
                        .map(|flow| format!("FlowTesting.{}.{}", flow, test.id.full_name())),
                ),
                TestKind::Lwc => ("lwc", None),
            };
            Test {
                name: test.id.full_name().to_string(),
                kind: kind.to_string(),
                rank: ranked.rank,
                score: ranked.score,
                flow: test.flow.clone(),
                run_name,
                methods: test.methods.clone(),
                file: test.file.clone(),
                factors: Factors {
                    distance: ranked.factors.distance,
                    churn: ranked.factors.churn,
                    failure_rate: ranked.factors.failure_rate,
                    flaky: ranked.factors.flaky,
                    duration_ms: ranked.factors.duration_ms,
                    covers_changed: ranked.factors.covers_changed,
                    named: ranked.factors.named,
                    co_failures: ranked.factors.co_failures,
                    probability: ranked.factors.probability,
                },
                reasons: test.reasons.iter().map(reason).collect(),
            }
        })
        .collect::<Vec<_>>();
    Plan {
        schema: SCHEMA.to_string(),
        base: analysis.base.to_string(),
        head: analysis.head.to_string(),
        test_level: test_level.to_string(),
        fallback: selection.fallback.as_ref().map(|fallback| Fallback {
            reason: fallback.reason.clone(),
            paths: fallback.paths.clone(),
        }),
        changes,
        uncovered: selection
            .uncovered
            .iter()
            .map(|id| ComponentRef {
                type_name: id.type_name().to_string(),
                name: id.full_name().to_string(),
            })
            .collect(),
        flaky: ranked
            .iter()
            .chain(extras.deferred.iter().map(|deferred| &deferred.test))
            .filter(|test| test.flaky)
            .map(|test| FlakyTest {
                name: test.test.id.full_name().to_string(),
                kind: kind_name(test.test.kind).to_string(),
                flakiness: test.factors.flaky.unwrap_or(0.0),
                failure_rate: test.factors.failure_rate,
            })
            .collect(),
        deferred: extras
            .deferred
            .iter()
            .map(|deferred| DeferredTest {
                name: deferred.test.test.id.full_name().to_string(),
                kind: kind_name(deferred.test.test.kind).to_string(),
                rank: deferred.test.rank,
                score: deferred.test.score,
                reason: deferred.reason.to_string(),
                run_name: flow_run_name(&deferred.test.test),
            })
            .collect(),
        coverage_risk: extras
            .coverage_risk
            .iter()
            .map(|risk| CoverageRisk {
                type_name: risk.component.type_name().to_string(),
                name: risk.component.full_name().to_string(),
                predicted_percent: risk.predicted_percent,
                covered_lines: risk.covered_lines,
                total_lines: risk.total_lines,
            })
            .collect(),
        confidence: extras.confidence.clone(),
        stats: Stats {
            components: analysis.components,
            tests_total: selection.n_tests_total,
            tests_total_by_kind: analysis.tests_total_by_kind,
            selected: tests.len(),
            elapsed_ms: analysis.started.elapsed().as_millis() as u64,
            unresolved_calls: analysis.unresolved_calls,
        },
        tests,
        warnings: analysis.warnings.to_vec(),
        manifest: None,
    }
}

/// Converts an internal change to the contract's.
pub fn change(change: &crate::changes::Change) -> Change {
    Change {
        type_name: change.component.type_name().to_string(),
        name: change.component.full_name().to_string(),
        change: change.kind.as_str().to_string(),
        paths: change.paths.clone(),
        semantic: change.semantic,
        whole: change.whole,
    }
}

/// Every test the head revision declares, by kind.
pub fn totals_by_kind(graph: &crate::graph::Graph) -> KindCounts {
    let mut counts = KindCounts::default();
    for index in crate::policy::all_tests(graph).into_values() {
        match crate::impact::test_kind(&graph[index].id) {
            crate::impact::TestKind::Apex => counts.apex += 1,
            crate::impact::TestKind::Flow => counts.flow += 1,
            crate::impact::TestKind::Lwc => counts.lwc += 1,
        }
    }
    counts
}

/// The note of a reason that is the test's own change (the test, or one of its methods,
/// changed): said the same way whether the test is new or modified.
pub const CHANGED_NOTE: &str = "changed";

/// Converts an internal reason to the contract's. A path that starts in the test itself
/// (no edge but `member-of`) and has no note gets the note [`CHANGED_NOTE`].
pub fn reason(reason: &crate::impact::Reason) -> Reason {
    let own_change = reason.note.is_none()
        && !reason.path.is_empty()
        && reason
            .edges
            .iter()
            .all(|edge| edge.kind == crate::facts::EdgeKind::MemberOf);
    let note = if own_change {
        Some(CHANGED_NOTE.to_string())
    } else {
        reason.note.clone()
    };
    Reason {
        path: reason.path.iter().map(ToString::to_string).collect(),
        edges: reason
            .edges
            .iter()
            .map(|edge| Edge {
                kind: edge.kind.as_str().to_string(),
                at: edge.at.clone(),
            })
            .collect(),
        note,
    }
}
