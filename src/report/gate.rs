//! Renderers of the gate's decision: text for a terminal or CI log, the `impact.gate/v1`
//! JSON, and Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

use std::fmt::Write;

use super::escape::{markdown as md, one_line, truncate};
use crate::gate::{pct, plural, GateDecision, RuleStatus};

/// How many names a text or Markdown rule lists before "… and N more".
const LIST_CAP: usize = 20;

/// Renders the decision for a terminal or a CI log.
pub fn render_text(decision: &GateDecision) -> String {
    let mut out = String::new();
    let verdict = if decision.pass { "PASSED" } else { "FAILED" };
    let _ = writeln!(out, "impact gate: {verdict}{}", branch_note(decision));
    let width = decision
        .reasons
        .iter()
        .map(|r| r.rule.len())
        .max()
        .unwrap_or(0);
    for reason in &decision.reasons {
        let _ = writeln!(
            out,
            "  {:<11} {:<width$}  {}",
            reason.status.label(),
            reason.rule,
            reason.message
        );
        if reason.status == RuleStatus::NotChecked {
            continue;
        }
        for item in reason.items.iter().take(LIST_CAP) {
            let _ = writeln!(out, "      {}", one_line(item));
        }
        if reason.items.len() > LIST_CAP {
            let _ = writeln!(out, "      … and {} more", reason.items.len() - LIST_CAP);
        }
    }
    out
}

/// Renders `--format json`, schema `impact.gate/v1`: pretty, with a final newline.
pub fn render_json(decision: &GateDecision) -> String {
    let mut text = serde_json::to_string_pretty(decision).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// Renders the decision as GitHub-flavoured Markdown for a pull-request comment or
/// `$GITHUB_STEP_SUMMARY`; lists are capped so the text stays far below 1 MiB.
pub fn render_markdown(decision: &GateDecision) -> String {
    let mut out = String::new();
    let failed: Vec<&str> = decision
        .reasons
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.rule)
        .collect();
    let branch = match &decision.branch {
        Some(branch) => format!(" on branch `{}`", code(branch)),
        None => String::new(),
    };
    if decision.pass {
        let checked = decision
            .reasons
            .iter()
            .filter(|r| r.status == RuleStatus::Pass)
            .count();
        let _ = writeln!(
            out,
            "**impact gate: passed** ✅ {} of {} rules hold{branch}; the release may go on.",
            checked,
            decision.reasons.len()
        );
    } else {
        let _ = writeln!(
            out,
            "**impact gate: failed** ❌ {} of {} rules broken{branch}: {}.",
            failed.len(),
            decision.reasons.len(),
            failed.join(", ")
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "| Rule | Result | Detail |");
    let _ = writeln!(out, "|---|---|---|");
    for reason in &decision.reasons {
        let icon = match reason.status {
            RuleStatus::Pass => "✅ pass",
            RuleStatus::Fail => "❌ fail",
            RuleStatus::NotChecked => "➖ not checked",
        };
        let _ = writeln!(
            out,
            "| `{}` | {icon} | {} |",
            reason.rule,
            md(&truncate(&reason.message, 300))
        );
    }
    for reason in &decision.reasons {
        if reason.items.is_empty() || reason.status == RuleStatus::NotChecked {
            continue;
        }
        let open = if reason.status == RuleStatus::Fail {
            " open"
        } else {
            ""
        };
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "<details{open}><summary><code>{}</code>: {}</summary>",
            reason.rule,
            plural(reason.items.len(), "entry")
        );
        let _ = writeln!(out);
        for item in reason.items.iter().take(LIST_CAP * 5) {
            let _ = writeln!(out, "- {}", md(&truncate(&one_line(item), 500)));
        }
        if reason.items.len() > LIST_CAP * 5 {
            let _ = writeln!(out, "- … and {} more", reason.items.len() - LIST_CAP * 5);
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "</details>");
    }
    let t = &decision.thresholds;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "<sub>Policy{}: class coverage ≥ {}, org-wide ≥ {}, flaky failures: {} (flip rate ≥ {}), planned tests must run: {}.</sub>",
        decision
            .branch_pattern
            .as_deref()
            .map(|p| format!(" for `{}`", code(p)))
            .unwrap_or_default(),
        pct(t.coverage),
        pct(t.org_coverage),
        t.allow_flaky.as_str(),
        t.flaky_threshold,
        if t.require_planned { "yes" } else { "no" }
    );
    out
}

fn branch_note(decision: &GateDecision) -> String {
    match (&decision.branch, &decision.branch_pattern) {
        (Some(branch), Some(pattern)) => format!(" (branch {branch}, policy {pattern})"),
        (Some(branch), None) => format!(" (branch {branch})"),
        _ => String::new(),
    }
}

/// Text safe inside a Markdown code span: backticks become quotes, line breaks spaces.
fn code(text: &str) -> String {
    one_line(text).replace('`', "'")
}
