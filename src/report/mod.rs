//! Report: render what the other modules computed, for people and machines. The plan's
//! renderers (text, Markdown, `sf` arguments, JUnit, annotations) take the same
//! [`plan::Plan`] (the `impact.plan/v1` contract), built by [`assemble`]; `diff`, `graph`,
//! `gate` and `history` render their own results. None of them computes anything.

pub mod annotations;
pub mod assemble;
pub mod chart;
pub mod confidence;
pub mod diff;
pub mod escape;
pub mod gate;
pub mod graph;
pub mod history;
pub mod hotspots;
pub mod jest;
pub mod junit;
pub mod markdown;
pub mod plan;
pub mod reason;
pub mod sf;
pub mod text;

use plan::Plan;

/// How a change whose meaning did not change (comments, whitespace, XML escaping, a
/// reformatted file) is described. Not "comments or whitespace": an `&apos;` written as
/// `'` is neither.
pub const FORMATTING_ONLY: &str = "formatting only";

/// `2 of 12 Apex test classes, 1 of 3 Flow tests, 1 of 5 LWC Jest tests`: the selected
/// tests against the head revision's total, kind by kind, never mixed (a Jest test is not
/// one of the Apex tests a deploy runs). A kind the repository does not have is left out.
pub fn kind_totals(plan: &Plan) -> String {
    let selected = plan.selected_by_kind();
    let total = plan.stats.tests_total_by_kind;
    let kinds = [
        (
            selected.apex,
            total.apex,
            "Apex test class",
            "Apex test classes",
        ),
        (selected.flow, total.flow, "Flow test", "Flow tests"),
        (selected.lwc, total.lwc, "LWC Jest test", "LWC Jest tests"),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .filter(|(selected, total, _, _)| *selected > 0 || *total > 0)
        .map(|&(selected, total, one, many)| {
            let total = total.max(selected);
            let noun = if total == 1 { one } else { many };
            format!("{selected} of {total} {noun}")
        })
        .collect();
    if parts.is_empty() {
        "no tests".to_string()
    } else {
        parts.join(", ")
    }
}

/// Whether the terminal may get colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Always,
    Never,
}
