//! `impact plan --format markdown`: the plan as a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`, made for a reviewer who reads it in ten seconds.
//!
//! Layout: one sentence saying what will run and why; a warning line for changed Apex
//! that no test reaches; the selected tests as a table (rank, test, kind, the changed
//! component that brought it in, distance); the reasons folded in `<details>`; uncovered
//! changes, tests left out by a budget and predicted coverage risks; flaky tests; a
//! Mermaid diagram of changed components → tests; the changes themselves, folded.
//!
//! Size: GitHub rejects a step summary over 1 MiB, so every list is capped (table rows,
//! reasons, paths, names) with an "… and N more" line, and the whole text is held under
//! [`MAX_BYTES`] whatever the input. Names are escaped ([`escape::markdown`]) so that `|`, `<`, `>`,
//! backticks, `@` and friends show as text and cannot break the table, inject HTML or
//! mention anyone.
//!
//! This module renders only; the gate's Markdown is [`crate::gate::render_markdown`].

use crate::metadata::types;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::escape::{self, truncate};
use super::plan::{Plan, Reason, Test};
use super::reason::{edge_phrase, gist, is_notable, most_telling, summary, Gist};

/// Hard limit of the whole report, below GitHub's 1 MiB (1,048,576 bytes) per summary.
pub const MAX_BYTES: usize = 1_000_000;

/// Selected tests shown in the table.
pub const MAX_TABLE_ROWS: usize = 500;

/// Table rows shown before the rest of the table is folded.
pub const VISIBLE_TABLE_ROWS: usize = 25;

/// Rows of the per-component summary of a large plan.
const BY_ORIGIN_ROWS: usize = 15;

/// Tests whose reasons are listed in the folded details.
pub const MAX_DETAILED_TESTS: usize = 200;

/// Nodes (changed components and tests) in the Mermaid diagram.
pub const MAX_DIAGRAM_NODES: usize = 40;

/// Reasons listed per test, path elements shown per reason, characters per name.
const MAX_REASONS_PER_TEST: usize = 3;
const MAX_PATH_ELEMENTS: usize = 12;
const MAX_NAME_CHARS: usize = 200;

/// Other lists (uncovered, changes, fallback paths, flaky tests, warnings).
const MAX_LIST_ITEMS: usize = 200;

/// Room kept for the sections after a long one, so a huge table cannot crowd out the
/// diagram and the notes.
const SECTION_BUDGET: usize = 300_000;

/// Renders the plan as GitHub-flavoured Markdown, under [`MAX_BYTES`] on any input.
pub fn render_plan_markdown(plan: &Plan) -> String {
    let mut out = String::new();
    headline(&mut out, plan);
    uncovered_warning(&mut out, plan);
    fallback_section(&mut out, plan);
    tests_table(&mut out, plan);
    reasons_details(&mut out, plan);
    deferred_section(&mut out, plan);
    super::confidence::markdown_section(&mut out, plan);
    uncovered_section(&mut out, plan);
    coverage_risk_section(&mut out, plan);
    flaky_section(&mut out, plan);
    diagram(&mut out, plan);
    changes_details(&mut out, plan);
    warnings_details(&mut out, plan);
    cap_total(out)
}

/// The one-sentence summary, in bold lead-in.
fn headline(out: &mut String, plan: &Plan) {
    let changes = plan.changes.len();
    let cosmetic = plan.changes.iter().filter(|c| !c.semantic).count();
    let changed = match cosmetic {
        0 => count(changes, "changed component", "changed components"),
        n => format!(
            "{} ({} {})",
            count(changes, "changed component", "changed components"),
            n,
            super::FORMATTING_ONLY
        ),
    };
    let changed = match &plan.manifest {
        Some(manifest) => format!(
            "{changed} named by `{}`",
            escape::markdown(&truncate(manifest, 200))
        ),
        None => changed,
    };
    let level = &plan.test_level.clone();
    if let Some(fallback) = &plan.fallback {
        let _ = writeln!(
            out,
            "**impact** runs all local tests (`{level}`) for {changed}, because {}.",
            escape::markdown(&trim_sentence(&truncate(&fallback.reason, 400)))
        );
    } else if changes == 0 {
        let _ = writeln!(
            out,
            "**impact** found no changed component: no test needs to run."
        );
    } else if plan.tests.is_empty() {
        let _ = writeln!(
            out,
            "**impact** selected no test for {changed}: no test reaches them (`{level}`)."
        );
    } else {
        let by_kind = super::kind_totals(plan);
        let deferred = match plan.deferred.len() {
            0 => String::new(),
            n => format!(
                " {} left out by the budget.",
                count(n, "more test was", "more tests were")
            ),
        };
        let _ = writeln!(
            out,
            "**impact** selected {by_kind} for {changed}; deploy with `{level}`.{deferred}",
        );
    }
}

/// Changed Apex without tests: the deploy risk, right under the headline.
fn uncovered_warning(out: &mut String, plan: &Plan) {
    let apex: Vec<&str> = plan
        .uncovered
        .iter()
        .filter(|c| c.type_name == types::APEX_CLASS || c.type_name == types::APEX_TRIGGER)
        .map(|c| c.name.as_str())
        .collect();
    if apex.is_empty() {
        return;
    }
    let shown: Vec<String> = apex
        .iter()
        .take(5)
        .map(|n| escape::markdown(&truncate(n, 80)))
        .collect();
    let more = if apex.len() > 5 {
        format!(" and {} more", apex.len() - 5)
    } else {
        String::new()
    };
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "> [!WARNING]\n> {} no test covers: {}{more}. A `RunSpecifiedTests` deploy needs 75% coverage of each class and trigger it contains, so this deploy will likely fail (`--fallback-on-uncovered` runs all local tests instead).",
        count(apex.len(), "deployed Apex class or trigger", "deployed Apex classes or triggers"),
        shown.join(", ")
    );
}

fn fallback_section(out: &mut String, plan: &Plan) {
    let Some(fallback) = &plan.fallback else {
        return;
    };
    details_list(
        out,
        "Files that made impact run all local tests",
        &fallback.paths,
    );
}

fn tests_table(out: &mut String, plan: &Plan) {
    if plan.tests.is_empty() {
        return;
    }
    let start = out.len();
    let flaky: HashSet<(&str, &str)> = plan
        .flaky
        .iter()
        .map(|f| (f.kind.as_str(), f.name.as_str()))
        .collect();
    let _ = writeln!(out);
    let _ = writeln!(out, "### Selected tests");
    if plan.tests.len() > VISIBLE_TABLE_ROWS {
        by_origin_table(out, plan);
    }
    let _ = writeln!(out);
    table_header(out);
    let mut shown = 0;
    for test in &plan.tests {
        if shown >= MAX_TABLE_ROWS || out.len() - start > SECTION_BUDGET {
            break;
        }
        if shown == VISIBLE_TABLE_ROWS {
            // The rest folded: the first rows are what a reviewer reads.
            let last = plan.tests.len().min(MAX_TABLE_ROWS);
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "<details><summary>Tests {} to {last} of {}</summary>\n",
                VISIBLE_TABLE_ROWS + 1,
                plan.tests.len()
            );
            table_header(out);
        }
        table_row(out, test, flaky.contains(&(&test.kind, test.name.as_str())));
        shown += 1;
    }
    if shown > VISIBLE_TABLE_ROWS {
        let _ = writeln!(out, "\n</details>");
    }
    if shown < plan.tests.len() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "… and {} more (`impact plan --format json` lists them all).",
            plan.tests.len() - shown
        );
    }
}

fn table_header(out: &mut String) {
    let _ = writeln!(out, "| # | Test | Kind | Brought in by | Distance |");
    let _ = writeln!(out, "|--:|---|---|---|--:|");
}

fn table_row(out: &mut String, test: &Test, flaky: bool) {
    // The first path from a change, with its most telling edge; else what the first
    // reason says (changed, fallback, a policy note).
    let path = test
        .reasons
        .iter()
        .map(gist)
        .find(|gist| matches!(gist, Gist::Path { .. }));
    let origin = match (path, test.reasons.first()) {
        (
            Some(Gist::Path {
                origin, telling, ..
            }),
            _,
        ) => {
            let notable = telling.filter(|(kind, user)| is_notable(kind) && !user.is_empty());
            let via = notable.map_or_else(String::new, |(kind, user)| {
                format!(
                    " <sub>({} {})</sub>",
                    escape::markdown(&edge_phrase(kind)),
                    escape::markdown(&truncate(user, 120))
                )
            });
            format!("{}{via}", escape::markdown(&truncate(origin, 120)))
        }
        (_, Some(reason)) => format!("*{}*", escape::markdown(&truncate(&summary(reason), 120))),
        (_, None) => "*policy*".to_string(),
    };
    let distance = test
        .factors
        .distance
        .map_or_else(|| "–".to_string(), |d| d.to_string());
    let _ = writeln!(
        out,
        "| {} | {}{} | {} | {} | {} |",
        test.rank,
        test_label(test),
        if flaky { " ⚠️ flaky" } else { "" },
        kind_label(&test.kind),
        origin,
        distance
    );
}

/// For large plans: how many tests each changed component brings in, most first.
fn by_origin_table(out: &mut String, plan: &Plan) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut policy = 0;
    for test in &plan.tests {
        let mut origins: Vec<String> = test
            .reasons
            .iter()
            .filter_map(origin_of)
            .map(fold_member)
            .collect();
        origins.sort();
        origins.dedup();
        if origins.is_empty() {
            policy += 1;
        }
        for origin in origins {
            *counts.entry(origin).or_default() += 1;
        }
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let _ = writeln!(out);
    let _ = writeln!(out, "| Changed component | Tests it brings in |");
    let _ = writeln!(out, "|---|--:|");
    for (origin, n) in counts.iter().take(BY_ORIGIN_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {n} |",
            escape::markdown(&truncate(origin, 120))
        );
    }
    if counts.len() > BY_ORIGIN_ROWS {
        let rest: usize = counts[BY_ORIGIN_ROWS..].iter().map(|(_, n)| n).sum();
        let _ = writeln!(
            out,
            "| … {} more components | {rest} |",
            counts.len() - BY_ORIGIN_ROWS
        );
    }
    if policy > 0 {
        let _ = writeln!(out, "| *changed tests, fallback and policy* | {policy} |");
    }
}

/// The test's name, escaped and shortened; Flow tests also name their flow, Jest tests
/// show their file name (the full path is in the reasons).
fn test_label(test: &Test) -> String {
    match (&test.flow, test.kind.as_str()) {
        (_, "lwc") => {
            let file = test.name.rsplit('/').next().unwrap_or(&test.name);
            escape::markdown(&truncate(file, 80))
        }
        (Some(flow), "flow") => format!(
            "{} <sub>({})</sub>",
            escape::markdown(&truncate(&test.name, MAX_NAME_CHARS)),
            escape::markdown(&truncate(flow, 80))
        ),
        _ => escape::markdown(&truncate(&test.name, MAX_NAME_CHARS)),
    }
}

fn kind_label(kind: &str) -> String {
    match kind {
        "apex" => "Apex".into(),
        "flow" => "Flow".into(),
        "lwc" => "LWC".into(),
        other => escape::markdown(other),
    }
}

fn reasons_details(out: &mut String, plan: &Plan) {
    if plan.tests.is_empty() {
        return;
    }
    let start = out.len();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "<details><summary>Why each test was selected</summary>\n"
    );
    let mut shown = 0;
    for test in &plan.tests {
        if shown >= MAX_DETAILED_TESTS || out.len() - start > SECTION_BUDGET {
            break;
        }
        let reasons: Vec<String> = test
            .reasons
            .iter()
            .take(MAX_REASONS_PER_TEST)
            .map(reason_text)
            .collect();
        let extra = test.reasons.len().saturating_sub(MAX_REASONS_PER_TEST);
        let body = if reasons.is_empty() {
            "selected by policy".to_string()
        } else {
            reasons.join("; ")
        };
        let more = if extra > 0 {
            format!(" (+{extra} more)")
        } else {
            String::new()
        };
        let label = match test.kind.as_str() {
            "lwc" => escape::markdown(&truncate(&test.name, MAX_NAME_CHARS)),
            _ => test_label(test),
        };
        let _ = writeln!(out, "- **{label}**: {body}{more}");
        shown += 1;
    }
    if shown < plan.tests.len() {
        let _ = writeln!(
            out,
            "- … and {} more (`impact why TEST` explains any of them).",
            plan.tests.len() - shown
        );
    }
    let _ = writeln!(out, "\n</details>");
}

/// `A → B → C (references at file:line)`, long paths folded in the middle; a policy
/// reason (its path is the test alone) is its note.
fn reason_text(reason: &Reason) -> String {
    if origin_of(reason).is_none() {
        return escape::markdown(&truncate(&summary(reason), 300));
    }
    let n = reason.path.len();
    let mut parts: Vec<String> = Vec::new();
    for (i, element) in reason.path.iter().enumerate() {
        let keep =
            n <= MAX_PATH_ELEMENTS || i < MAX_PATH_ELEMENTS / 2 || i >= n - MAX_PATH_ELEMENTS / 2;
        if keep {
            parts.push(escape::markdown(&truncate(element, 120)));
        } else if i == MAX_PATH_ELEMENTS / 2 {
            parts.push(format!("… {} more …", n - MAX_PATH_ELEMENTS));
        }
    }
    let mut text = parts.join(" → ");
    if let Some(edge) = most_telling(reason).and_then(|position| reason.edges.get(position)) {
        let _ = write!(
            text,
            " <sub>({} at {})</sub>",
            escape::markdown(&edge.kind),
            escape::markdown(&truncate(&edge.at, 200))
        );
    }
    if let Some(note) = &reason.note {
        if text.is_empty() {
            text = escape::markdown(&truncate(note, 300));
        } else {
            let _ = write!(text, " — {}", escape::markdown(&truncate(note, 300)));
        }
    }
    text
}

fn uncovered_section(out: &mut String, plan: &Plan) {
    if plan.uncovered.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "### Changes no test reaches");
    let _ = writeln!(out);
    list(
        out,
        plan.uncovered.iter().map(|c| {
            let risk = if c.type_name == types::APEX_CLASS || c.type_name == types::APEX_TRIGGER {
                " — deploy risk: needs 75% coverage"
            } else {
                ""
            };
            format!(
                "{}:{}{risk}",
                escape::markdown(&truncate(&c.type_name, 80)),
                escape::markdown(&truncate(&c.name, MAX_NAME_CHARS))
            )
        }),
        plan.uncovered.len(),
    );
}

fn flaky_section(out: &mut String, plan: &Plan) {
    if plan.flaky.is_empty() {
        return;
    }
    let ranks: HashMap<(&str, &str), usize> = plan
        .tests
        .iter()
        .map(|t| ((t.kind.as_str(), t.name.as_str()), t.rank))
        .collect();
    let _ = writeln!(out);
    let _ = writeln!(out, "### Flaky tests");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "These tests flipped between pass and fail in past runs without a related change; a failure may be noise."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| Test | Kind | Flip rate | Failure rate | Rank |");
    let _ = writeln!(out, "|---|---|--:|--:|--:|");
    for flaky in plan.flaky.iter().take(MAX_LIST_ITEMS) {
        let rank = ranks
            .get(&(&flaky.kind, flaky.name.as_str()))
            .map_or_else(|| "deferred".to_string(), |r| r.to_string());
        let failure = flaky
            .failure_rate
            .map_or_else(|| "–".to_string(), |f| format!("{:.0}%", f * 100.0));
        let _ = writeln!(
            out,
            "| {} | {} | {:.0}% | {failure} | {rank} |",
            escape::markdown(&truncate(&flaky.name, MAX_NAME_CHARS)),
            kind_label(&flaky.kind),
            flaky.flakiness * 100.0,
        );
    }
    if plan.flaky.len() > MAX_LIST_ITEMS {
        let _ = writeln!(out, "\n… and {} more.", plan.flaky.len() - MAX_LIST_ITEMS);
    }
}

fn deferred_section(out: &mut String, plan: &Plan) {
    if plan.deferred.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "### Left out by the budget");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} reached by the change did not fit the budget and will not run:",
        count(plan.deferred.len(), "test", "tests")
    );
    let _ = writeln!(out);
    list(
        out,
        plan.deferred.iter().map(|d| {
            format!(
                "{} ({}, rank {}, {})",
                escape::markdown(&truncate(&d.name, MAX_NAME_CHARS)),
                kind_label(&d.kind),
                d.rank,
                escape::markdown(&d.reason)
            )
        }),
        plan.deferred.len(),
    );
}

fn coverage_risk_section(out: &mut String, plan: &Plan) {
    if plan.coverage_risk.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "### Coverage risks");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "From the last recorded run, the selected tests are predicted to cover these changed classes and triggers below 75%:"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| Component | Predicted coverage | Lines |");
    let _ = writeln!(out, "|---|--:|--:|");
    for risk in plan.coverage_risk.iter().take(MAX_LIST_ITEMS) {
        let _ = writeln!(
            out,
            "| {}:{} | {:.1}% | {} of {} |",
            escape::markdown(&truncate(&risk.type_name, 80)),
            escape::markdown(&truncate(&risk.name, MAX_NAME_CHARS)),
            risk.predicted_percent,
            risk.covered_lines,
            risk.total_lines
        );
    }
    if plan.coverage_risk.len() > MAX_LIST_ITEMS {
        let _ = writeln!(
            out,
            "\n… and {} more.",
            plan.coverage_risk.len() - MAX_LIST_ITEMS
        );
    }
}

/// The changed component a reason starts from; `None` for a test's own change, a
/// fallback and a policy reason.
fn origin_of(reason: &Reason) -> Option<&str> {
    match gist(reason) {
        Gist::Path { origin, .. } => Some(origin),
        _ => None,
    }
}

/// `ApexMethod:Class.m` shown as its class `ApexClass:Class`, so the diagram stays at
/// component level.
fn fold_member(element: &str) -> String {
    match element.strip_prefix("ApexMethod:") {
        Some(member) => {
            let class = member.split_once('.').map_or(member, |(class, _)| class);
            format!("ApexClass:{class}")
        }
        None => element.to_string(),
    }
}

fn diagram(out: &mut String, plan: &Plan) {
    // Edges: the first element of each reason path (folded) → the test, in rank order.
    let mut sources: HashMap<String, usize> = HashMap::new();
    let mut source_labels: Vec<String> = Vec::new();
    let mut tests: Vec<&Test> = Vec::new();
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut cut = 0;
    for test in &plan.tests {
        let mut origins: Vec<String> = test
            .reasons
            .iter()
            .filter_map(origin_of)
            .map(fold_member)
            .collect();
        origins.sort();
        origins.dedup();
        origins.truncate(MAX_REASONS_PER_TEST);
        if origins.is_empty() {
            continue;
        }
        let new_sources = origins.iter().filter(|o| !sources.contains_key(*o)).count();
        if cut > 0 || source_labels.len() + tests.len() + new_sources + 1 > MAX_DIAGRAM_NODES {
            cut += 1;
            continue;
        }
        let test_index = tests.len();
        tests.push(test);
        for origin in origins {
            let next = source_labels.len();
            let index = *sources.entry(origin.clone()).or_insert(next);
            if index == next {
                source_labels.push(origin);
            }
            edges.push((index, test_index));
        }
    }
    if tests.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "### Changed components → tests");
    let _ = writeln!(out);
    let _ = writeln!(out, "```mermaid");
    let _ = writeln!(out, "flowchart LR");
    for (i, label) in source_labels.iter().enumerate() {
        let _ = writeln!(out, "  c{i}[\"{}\"]", escape::mermaid(&truncate(label, 80)));
    }
    for (i, test) in tests.iter().enumerate() {
        // A Jest test is named by its path; the file name is enough in a diagram.
        let name = match test.kind.as_str() {
            "lwc" => test.name.rsplit('/').next().unwrap_or(&test.name),
            _ => test.name.as_str(),
        };
        let _ = writeln!(
            out,
            "  t{i}([\"{}\"])",
            escape::mermaid(&truncate(name, 80))
        );
    }
    for (from, to) in &edges {
        let _ = writeln!(out, "  c{from} --> t{to}");
    }
    let _ = writeln!(out, "  classDef changed fill:#fff4e5,stroke:#d4a72c");
    let ids: Vec<String> = (0..source_labels.len()).map(|i| format!("c{i}")).collect();
    let _ = writeln!(out, "  class {} changed", ids.join(","));
    let _ = writeln!(out, "```");
    if cut > 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "The diagram shows the first {} tests; {} more are left out to keep it readable (limit {} nodes).",
            tests.len(),
            cut,
            MAX_DIAGRAM_NODES
        );
    }
}

fn changes_details(out: &mut String, plan: &Plan) {
    if plan.changes.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "<details><summary>Changed components ({})</summary>\n",
        plan.changes.len()
    );
    let _ = writeln!(out, "| Change | Type | Name | Note |");
    let _ = writeln!(out, "|---|---|---|---|");
    for change in plan.changes.iter().take(MAX_LIST_ITEMS) {
        let note = if change.semantic {
            ""
        } else {
            super::FORMATTING_ONLY
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            escape::markdown(&change.change),
            escape::markdown(&truncate(&change.type_name, 80)),
            escape::markdown(&truncate(&change.name, MAX_NAME_CHARS)),
            note
        );
    }
    if plan.changes.len() > MAX_LIST_ITEMS {
        let _ = writeln!(out, "\n… and {} more.", plan.changes.len() - MAX_LIST_ITEMS);
    }
    let _ = writeln!(out, "\n</details>");
}

fn warnings_details(out: &mut String, plan: &Plan) {
    details_list(
        out,
        "Files impact could not read completely",
        &plan.warnings,
    );
}

/// A folded list of lines (paths, warnings) under `summary` with their count; nothing
/// when there are none.
fn details_list(out: &mut String, summary: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "<details><summary>{summary} ({})</summary>\n",
        items.len()
    );
    list(
        out,
        items
            .iter()
            .map(|item| escape::markdown(&truncate(item, 300))),
        items.len(),
    );
    let _ = writeln!(out, "\n</details>");
}

/// A bullet list of at most [`MAX_LIST_ITEMS`] items, then "… and N more".
fn list(out: &mut String, items: impl Iterator<Item = String>, total: usize) {
    for item in items.take(MAX_LIST_ITEMS) {
        let _ = writeln!(out, "- {item}");
    }
    if total > MAX_LIST_ITEMS {
        let _ = writeln!(out, "- … and {} more", total - MAX_LIST_ITEMS);
    }
}

/// The last guard: if the report is still over [`MAX_BYTES`], cut it at a line
/// boundary and say so. The section caps make this unreachable in practice.
fn cap_total(mut out: String) -> String {
    const NOTE: &str = "\n… report cut at 1 MB; `impact plan --format json` has everything.\n";
    if out.len() <= MAX_BYTES {
        return out;
    }
    let mut end = MAX_BYTES - NOTE.len();
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    let end = out[..end].rfind('\n').map_or(end, |i| i + 1);
    out.truncate(end);
    out.push_str(NOTE);
    out
}

/// Drops a final period so the text can end our own sentence.
fn trim_sentence(text: &str) -> String {
    text.trim().trim_end_matches('.').to_string()
}

/// `1 thing`, `2 things`.
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::junit::fixtures::{change, golden, reason, sample_plan, test};
    use crate::report::plan::{CoverageRisk, DeferredTest, Fallback, FlakyTest};

    /// The sample plan with history: a flaky test, a deferred one, a coverage risk.
    fn rich_plan() -> Plan {
        let mut plan = sample_plan();
        plan.flaky.push(FlakyTest {
            name: "TaxCalculatorTest".into(),
            kind: "apex".to_string(),
            flakiness: 0.35,
            failure_rate: Some(0.2),
        });
        plan.deferred.push(DeferredTest {
            name: "SlowReportTest".into(),
            kind: "apex".to_string(),
            rank: 9,
            score: 0.01,
            reason: "time-budget".to_string(),
            run_name: None,
        });
        plan.coverage_risk.push(CoverageRisk {
            type_name: "ApexTrigger".into(),
            name: "InvoiceTrigger".into(),
            predicted_percent: 50.0,
            covered_lines: 2,
            total_lines: 4,
        });
        // Real edge kinds: the trigger fires on a write; TaxCalculatorTest changed itself.
        for test in &mut plan.tests {
            match test.name.as_str() {
                "InvoiceTriggerTest" => {
                    for (edge, kind) in test.reasons[0].edges.iter_mut().zip(["fires", "writes"]) {
                        edge.kind = kind.into();
                    }
                }
                "TaxCalculatorTest" => {
                    test.reasons = vec![crate::report::plan::Reason {
                        path: vec![
                            "ApexMethod:TaxCalculatorTest.appliesTax".into(),
                            "ApexClass:TaxCalculatorTest".into(),
                        ],
                        edges: vec![crate::report::plan::Edge {
                            kind: "member-of".into(),
                            at: "force-app/main/default/classes/TaxCalculatorTest.cls:4".into(),
                        }],
                        note: Some(crate::report::assemble::CHANGED_NOTE.into()),
                    }];
                }
                _ => {}
            }
        }
        plan
    }

    /// A plan selecting `n` tests, each reached from one of 30 changed classes.
    fn big_plan(n: usize) -> Plan {
        let mut plan = sample_plan();
        plan.changes = (0..30)
            .map(|i| {
                change(
                    "ApexClass",
                    &format!("Service{i}"),
                    "modified",
                    &format!("force-app/main/default/classes/Service{i}.cls"),
                )
            })
            .collect();
        plan.uncovered.clear();
        plan.tests = (0..n)
            .map(|i| {
                test(
                    &format!("Service{}Test{i}", i % 30),
                    "apex",
                    i + 1,
                    Some(1 + (i % 3) as u32),
                    vec![reason(
                        &[
                            &format!("ApexMethod:Service{}.run", i % 30),
                            &format!("ApexClass:Service{}Test{i}", i % 30),
                        ],
                        &format!(
                            "force-app/main/default/classes/Service{}Test{i}.cls:{}",
                            i % 30,
                            i + 1
                        ),
                    )],
                )
            })
            .collect();
        plan.stats.tests_total = n * 2;
        plan.stats.tests_total_by_kind = crate::report::plan::KindCounts {
            apex: n * 2,
            flow: 0,
            lwc: 0,
        };
        plan.stats.selected = n;
        plan
    }

    /// The rows of the selected-tests table (visible and folded).
    fn table_rows(md: &str) -> Vec<&str> {
        md.lines()
            .filter(|l| {
                l.strip_prefix("| ")
                    .and_then(|rest| rest.split(' ').next())
                    .is_some_and(|rank| {
                        !rank.is_empty() && rank.chars().all(|c| c.is_ascii_digit())
                    })
            })
            .collect()
    }

    /// Table cells of a row, splitting on unescaped `|`.
    fn cells(row: &str) -> usize {
        let mut count = 0;
        let mut escaped = false;
        for c in row.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
            if c != '\\' {
                escaped = false;
            }
        }
        count - 1
    }

    #[test]
    fn sample_plan_matches_golden() {
        let md = render_plan_markdown(&rich_plan());
        golden("markdown/plan.md", &md);
        let first = md.lines().next().expect("first line");
        assert_eq!(
            first,
            "**impact** selected 4 of 30 Apex test classes, 3 of 6 Flow tests, 1 of 4 LWC Jest tests for 4 changed components; deploy with `RunSpecifiedTests`. 1 more test was left out by the budget."
        );
        let rows = table_rows(&md);
        assert_eq!(rows.len(), 8);
        assert!(rows.iter().all(|r| cells(r) == 5), "{rows:?}");
        assert_eq!(
            rows[0],
            "| 1 | InvoiceServiceTest | Apex | ApexMethod:InvoiceService.post | 1 |"
        );
        assert!(
            rows[1].contains("TaxCalculatorTest ⚠️ flaky") && rows[1].contains("| *changed* |")
        );
        assert!(
            rows[5].contains(
                "ApexTrigger:InvoiceTrigger <sub>(fires on CustomObject:Invoice\\_\\_c)</sub>"
            ),
            "{}",
            rows[5]
        );
        assert!(rows[6].contains("*always run (impact.toml)*") && rows[6].ends_with("| – |"));
        assert!(md.contains(
            "> [!WARNING]\n> 1 deployed Apex class or trigger no test covers: VolumePricing."
        ));
        assert!(md.contains("### Coverage risks"));
        assert!(md.contains("| ApexTrigger:InvoiceTrigger | 50.0% | 2 of 4 |"));
        assert!(md.contains("SlowReportTest (Apex, rank 9, time-budget)"));
        // The diagram folds methods to their class: one node for InvoiceService.
        assert_eq!(md.matches("[\"ApexClass:InvoiceService\"]").count(), 1);
        assert!(md.contains("```mermaid\nflowchart LR\n"));
    }

    #[test]
    fn fallback_and_empty_plans() {
        let mut plan = sample_plan();
        plan.test_level = "RunLocalTests".to_string();
        plan.fallback = Some(Fallback {
            reason: "sfdx-project.json changed.".into(),
            paths: vec!["sfdx-project.json".into()],
        });
        plan.tests.clear();
        plan.uncovered.clear();
        let md = render_plan_markdown(&plan);
        golden("markdown/fallback.md", &md);
        assert_eq!(
            md.lines().next(),
            Some("**impact** runs all local tests (`RunLocalTests`) for 4 changed components, because sfdx-project.json changed.")
        );
        assert!(!md.contains("### Selected tests"));

        plan.fallback = None;
        plan.test_level = "NoTestRun".to_string();
        plan.changes.clear();
        let md = render_plan_markdown(&plan);
        assert_eq!(
            md,
            "**impact** found no changed component: no test needs to run.\n"
        );

        plan.changes
            .push(change("CustomLabel", "Greeting", "modified", "labels"));
        plan.changes[0].semantic = false;
        let md = render_plan_markdown(&plan);
        assert_eq!(
            md.lines().next(),
            Some("**impact** selected no test for 1 changed component (1 formatting only): no test reaches them (`NoTestRun`).")
        );
    }

    #[test]
    fn two_thousand_tests_stay_readable_and_small() {
        let plan = big_plan(2000);
        let md = render_plan_markdown(&plan);
        assert!(md.len() < 200_000, "{} bytes", md.len());
        assert!(
            md.starts_with(
                "**impact** selected 2000 of 4000 Apex test classes for 30 changed components;"
            ),
            "{}",
            &md[..200]
        );
        assert_eq!(table_rows(&md).len(), MAX_TABLE_ROWS);
        assert!(md.contains("… and 1500 more (`impact plan --format json` lists them all)."));
        assert!(md.contains("- … and 1800 more (`impact why TEST` explains any of them)."));
        let mermaid = md
            .split("```mermaid")
            .nth(1)
            .and_then(|m| m.split("```").next())
            .expect("diagram");
        let nodes = mermaid.lines().filter(|l| l.contains("[\"")).count();
        assert!(nodes <= MAX_DIAGRAM_NODES, "{nodes} nodes");
        assert!(md.contains("The diagram shows the first 20 tests; 1980 more are left out to keep it readable (limit 40 nodes)."));
    }

    #[test]
    fn hostile_and_huge_input_stays_under_the_limit() {
        // About 60 MB of names, paths and notes: every list is capped, so the report is not.
        let mut plan = big_plan(1000);
        let long = "X|`<script>`@team #1 $x$ ".repeat(24);
        for t in &mut plan.tests {
            t.name = format!("{}{long}", t.name);
            let path: Vec<String> = (0..20).map(|i| format!("ApexClass:{long}{i}")).collect();
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            t.reasons = (0..5).map(|_| reason(&refs, &long)).collect();
        }
        plan.changes = (0..5000)
            .map(|i| change("ApexClass", &format!("{long}{i}"), "modified", &long))
            .collect();
        plan.uncovered = plan
            .changes
            .iter()
            .map(|c| crate::report::plan::ComponentRef {
                type_name: c.type_name.clone(),
                name: c.name.clone(),
            })
            .collect();
        plan.warnings = vec![long.clone(); 5000];
        plan.fallback = Some(Fallback {
            reason: long.clone(),
            paths: vec![long.clone(); 5000],
        });
        let md = render_plan_markdown(&plan);
        assert!(md.len() <= MAX_BYTES, "{} bytes", md.len());
        assert!(!md.contains("<script>"));
        assert!(!md.contains(" @team"), "no mention");
        for row in table_rows(&md) {
            assert_eq!(cells(row), 5, "{row}");
        }
    }

    #[test]
    fn policy_reasons_are_not_origins() {
        let mut plan = sample_plan();
        plan.tests.truncate(1);
        let critical = crate::report::plan::Reason {
            path: vec!["ApexClass:InvoiceServiceTest".into()],
            edges: Vec::new(),
            note: Some("critical: `@IsTest(critical=true)`".into()),
        };
        plan.tests[0].reasons.insert(0, critical.clone());
        let md = render_plan_markdown(&plan);
        assert_eq!(
            table_rows(&md),
            ["| 1 | InvoiceServiceTest | Apex | ApexMethod:InvoiceService.post | 1 |"]
        );
        assert!(!md.contains("[\"ApexClass:InvoiceServiceTest\"]"), "{md}");
        plan.tests[0].reasons = vec![critical];
        let md = render_plan_markdown(&plan);
        assert!(
            table_rows(&md)[0].contains("| *critical: \\`\\@IsTest(critical=true)\\`* |"),
            "{md}"
        );
        assert!(!md.contains("```mermaid"));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape::markdown("a|b"), "a\\|b");
        assert_eq!(escape::markdown("<b>x</b>"), "&lt;b&gt;x&lt;/b&gt;");
        assert_eq!(
            escape::markdown("`code` *em* _u_ [l](x)"),
            "\\`code\\` \\*em\\* \\_u\\_ \\[l\\](x)"
        );
        assert_eq!(
            escape::markdown("@me #12 $x$ a&b"),
            "\\@me \\#12 \\$x\\$ a&amp;b"
        );
        assert_eq!(escape::markdown("line\nbreak"), "line break");
        assert_eq!(escape::mermaid("a\"b<c>#d`"), "a#quot;b#lt;c#gt;#35;d#96;");
        assert_eq!(
            fold_member("ApexMethod:InvoiceService.post"),
            "ApexClass:InvoiceService"
        );
        assert_eq!(fold_member("Flow:X"), "Flow:X");
    }

    #[test]
    fn cap_total_cuts_at_a_line() {
        let text = "line\n".repeat(MAX_BYTES / 4);
        let capped = cap_total(text);
        assert!(capped.len() <= MAX_BYTES);
        assert!(capped.ends_with("`impact plan --format json` has everything.\n"));
        assert!(capped.contains("line\n\n… report cut"));
    }
}
