//! `--format text`: the plan as a terminal table, for a developer before a push.
//!
//! Colour only when stdout is a terminal and `NO_COLOR` is unset (the caller decides
//! and passes [`Color`]).

use super::plan::{Plan, Reason};
use super::Color;
use std::fmt::Write;

/// Renders the plan for a terminal.
pub fn render(plan: &Plan, color: Color) -> String {
    let bold = |text: &str| match color {
        Color::Always => format!("\x1b[1m{text}\x1b[0m"),
        Color::Never => text.to_string(),
    };
    let mut out = String::new();
    let head = if plan.head == "WORKTREE" {
        "working tree".to_string()
    } else {
        short(&plan.head).to_string()
    };
    let _ = writeln!(
        out,
        "{} {}..{}: {} of {} tests, {}",
        bold("impact plan"),
        short(&plan.base),
        head,
        plan.tests.len(),
        plan.stats.tests_total,
        plan.test_level
    );
    if let Some(line) = super::confidence::text_line(plan) {
        let _ = writeln!(out, "{line}");
    }
    if let Some(fallback) = &plan.fallback {
        let _ = writeln!(out, "\n{} {}", bold("fallback:"), fallback.reason);
        for path in &fallback.paths {
            let _ = writeln!(out, "  {path}");
        }
    }

    let _ = writeln!(out, "\n{} ({})", bold("changes"), plan.changes.len());
    if plan.changes.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for change in &plan.changes {
        let _ = writeln!(out, "  {}", change_line(change));
    }

    let _ = writeln!(out, "\n{} ({})", bold("tests"), plan.tests.len());
    if plan.tests.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let width = plan
        .tests
        .iter()
        .map(|test| test.name.len())
        .max()
        .unwrap_or(0)
        .min(60);
    for test in &plan.tests {
        let why = test.reasons.first().map(describe).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:>3}  {:<width$}  {:<4}  {}",
            test.rank,
            test.name,
            test.kind,
            why,
            width = width
        );
    }

    if !plan.uncovered.is_empty() {
        let _ = writeln!(
            out,
            "\n{} no test covers these deployed classes; a RunSpecifiedTests deploy needs 75% coverage of each, so it will likely fail (--fallback-on-uncovered runs all local tests instead)",
            bold("uncovered:")
        );
        for component in &plan.uncovered {
            let _ = writeln!(out, "  {}:{}", component.type_name, component.name);
        }
    }
    if !plan.coverage_risk.is_empty() {
        let _ = writeln!(
            out,
            "\n{} the plan's tests covered too little of these in the last recorded run",
            bold("coverage risk:")
        );
        for risk in &plan.coverage_risk {
            let _ = writeln!(
                out,
                "  {}:{}  {}% ({} of {} lines)",
                risk.type_name,
                risk.name,
                risk.predicted_percent,
                risk.covered_lines,
                risk.total_lines
            );
        }
    }
    if !plan.flaky.is_empty() {
        let _ = writeln!(
            out,
            "\n{} they still run, ranked lower; their failures may be noise",
            bold("flaky:")
        );
        for test in &plan.flaky {
            let _ = writeln!(
                out,
                "  {}  (flips {:.0}% of runs)",
                test.name,
                test.flakiness * 100.0
            );
        }
    }
    if !plan.deferred.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({}) over the budget, not run now",
            bold("deferred"),
            plan.deferred.len()
        );
        for test in &plan.deferred {
            let _ = writeln!(out, "  {:>3}  {}  ({})", test.rank, test.name, test.reason);
        }
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "\nwarning: {warning}");
    }
    out
}

/// One line for a changed component: how it changed, its id, and whether only comments
/// or whitespace changed.
pub fn change_line(change: &super::plan::Change) -> String {
    let note = if change.semantic {
        ""
    } else {
        "  (comments or whitespace only)"
    };
    format!(
        "{:<9} {}:{}{}",
        change.change, change.type_name, change.name, note
    )
}

/// One line for a reason: the changed node and the first hop's kind, or the note.
pub fn describe(reason: &Reason) -> String {
    if let Some(note) = &reason.note {
        return note.clone();
    }
    match (reason.path.first(), reason.edges.first()) {
        (Some(first), Some(edge)) => {
            let hops = reason
                .edges
                .iter()
                .filter(|edge| edge.kind != "member-of")
                .count();
            let unit = if hops == 1 { "hop" } else { "hops" };
            format!("{} ({}, {} {})", first, edge.kind, hops, unit)
        }
        (Some(first), None) => format!("{first} changed"),
        _ => String::new(),
    }
}

/// Renders every reason of a test in full, for `impact why`.
pub fn render_why(test_name: &str, reasons: &[Reason]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{test_name} is selected because:");
    for (number, reason) in reasons.iter().enumerate() {
        let _ = writeln!(out, "\n{}.", number + 1);
        if let Some(note) = &reason.note {
            let _ = writeln!(out, "   {note}");
        }
        // Each line names a node and how it uses the line above: the walk went from the
        // change to the test.
        for (position, node) in reason.path.iter().enumerate() {
            if position == 0 {
                let _ = writeln!(out, "   {node}  (changed)");
            } else if let Some(edge) = reason.edges.get(position - 1) {
                let _ = writeln!(out, "   {node}  {} ↑  at {}", edge.kind, edge.at);
            }
        }
    }
    out
}

fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}
