//! `--format text`: the plan as a terminal table, for a developer before a push.
//!
//! Colour only when stdout is a terminal and `NO_COLOR` is unset (the caller decides
//! and passes [`Color`]).

use super::plan::{Plan, Reason};
use super::reason::Gist;
use super::Color;
use std::fmt::Write;

/// Renders the plan for a terminal.
pub fn render(plan: &Plan, color: Color) -> String {
    let bold = |text: &str| match color {
        Color::Always => format!("\x1b[1m{text}\x1b[0m"),
        Color::Never => text.to_string(),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: {}; {}",
        bold("impact plan"),
        source(plan),
        super::kind_totals(plan),
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
        let why = super::reason::test_summary(test);
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

/// What the plan compared: `base..head` of a git diff, or the manifest it read.
fn source(plan: &Plan) -> String {
    if let Some(manifest) = &plan.manifest {
        return format!("{manifest} (manifest)");
    }
    let head = if plan.head == "WORKTREE" {
        "working tree"
    } else {
        short(&plan.head)
    };
    format!("{}..{head}", short(&plan.base))
}

/// One line for a changed component: how it changed, its id, and whether only its
/// formatting changed.
pub fn change_line(change: &super::plan::Change) -> String {
    let note = if change.semantic {
        String::new()
    } else {
        format!("  ({})", super::FORMATTING_ONLY)
    };
    format!(
        "{:<9} {}:{}{}",
        change.change, change.type_name, change.name, note
    )
}

/// Renders every reason of a test in full, for `impact why`.
pub fn render_why(test_name: &str, reasons: &[Reason]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{test_name} is selected because:");
    for (number, reason) in reasons.iter().enumerate() {
        let _ = writeln!(out, "\n{}.", number + 1);
        let gist = super::reason::gist(reason);
        if let Some(note) = reason.note.as_deref().filter(|_| gist != Gist::Changed) {
            let _ = writeln!(out, "   {note}");
        }
        // A policy or fallback note names only the test: it did not change.
        if gist == Gist::Changed || !reason.edges.is_empty() {
            path_lines(&mut out, reason);
        }
    }
    out
}

/// Renders `impact why` for a test that exists but is not selected, with the nearest
/// path from a change the graph has, which the walk's rules do not follow.
pub fn render_not_selected(test_name: &str, nearest: Option<&Reason>) -> String {
    let mut out = String::new();
    match nearest {
        None => {
            let _ = writeln!(
                out,
                "{test_name} is not selected: no path in the dependency graph leads from a change to it."
            );
        }
        Some(reason) => {
            let _ = writeln!(
                out,
                "{test_name} is not selected. The nearest path from a change, which the walk does not follow:\n"
            );
            path_lines(&mut out, reason);
            let _ = writeln!(
                out,
                "\nThe walk follows a changed method only to its callers, an object reached through its automation only to code that writes it, a custom metadata record only to code that reads it, and not into Jest tests through what a component imports from the org (README, \"What it selects\")."
            );
        }
    }
    out
}

/// The nodes of a path, one a line: the change first, then each user with the edge and
/// where it was found.
fn path_lines(out: &mut String, reason: &Reason) {
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

fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}
