//! Assembles the plan contract from the pipeline's internal results.

use super::plan::*;

/// Builds the plan from the pipeline's analysis and the ranked tests.
pub fn build(analysis: &crate::pipeline::Analysis, ranked: &[crate::rank::RankedTest]) -> Plan {
    use crate::impact::TestKind;
    let selection = &analysis.selection;
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
    let changes = analysis
        .changes
        .iter()
        .map(|change| Change {
            type_name: change.component.type_name().to_string(),
            name: change.component.full_name().to_string(),
            change: change.kind.as_str(),
            paths: change.paths.clone(),
            semantic: change.semantic,
            previous: change
                .previous
                .as_ref()
                .map(|previous| previous.full_name().to_string()),
        })
        .collect();
    let tests = ranked
        .iter()
        .map(|ranked| {
            let test = &ranked.test;
            let (kind, run_name) = match test.kind {
                TestKind::Apex => ("apex", None),
                TestKind::Flow => (
                    "flow",
                    test.flow.as_ref().map(|flow| {
                        format!("FlowTesting.{}.{}", flow, test.id.full_name())
                    }),
                ),
                TestKind::Lwc => ("lwc", None),
            };
            Test {
                name: test.id.full_name().to_string(),
                kind,
                rank: ranked.rank,
                score: ranked.score,
                flow: test.flow.clone(),
                run_name,
                methods: test.methods.clone(),
                file: test.file.clone(),
                factors: Factors {
                    distance: ranked.factors.distance,
                },
                reasons: test
                    .reasons
                    .iter()
                    .map(|reason| Reason {
                        path: reason.path.iter().map(ToString::to_string).collect(),
                        edges: reason
                            .edges
                            .iter()
                            .map(|edge| Edge {
                                kind: edge.kind.as_str(),
                                at: edge.at.clone(),
                            })
                            .collect(),
                        note: reason.note.clone(),
                    })
                    .collect(),
            }
        })
        .collect::<Vec<_>>();
    let n_components = analysis
        .head_graph
        .nodes()
        .filter(|(_, node)| !node.id.is_member() && !node.files.is_empty())
        .count();
    Plan {
        schema: SCHEMA,
        base: analysis.base.clone(),
        head: analysis.head.clone(),
        test_level,
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
        stats: Stats {
            components: n_components,
            tests_total: selection.n_tests_total,
            selected: tests.len(),
            elapsed_ms: analysis.started.elapsed().as_millis() as u64,
            unresolved_calls: analysis.head_graph.n_unresolved_calls,
            files_parsed: analysis.n_files_parsed,
            files_cached: analysis.n_files_cached,
        },
        tests,
        warnings: analysis.warnings.clone(),
    }
}
