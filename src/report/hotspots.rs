//! Renderers of `impact hotspots`: the `impact.hotspots/v1` JSON, a terminal table, and
//! Markdown with a bar chart for a job summary. They compute nothing: they take the
//! [`Report`].

use std::fmt::Write;

use serde::Serialize;

use super::chart::{xychart, Series};
use crate::hotspots::Hotspot;

/// The JSON schema name.
pub const SCHEMA: &str = "impact.hotspots/v1";

/// How many hotspots the Markdown chart shows.
const CHART_BARS: usize = 10;

/// What `impact hotspots` found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema: String,
    /// The head commit (40 hex).
    pub head: String,
    /// The window in days before the head commit.
    pub since_days: u32,
    /// Commits in the window.
    pub commits: usize,
    /// Recorded runs in the window (0 without a history).
    pub runs: usize,
    /// Ranked by score, descending.
    pub hotspots: Vec<Entry>,
}

/// One hotspot in the JSON.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// `ApexClass:InvoiceService`.
    pub component: String,
    pub score: f64,
    pub churn: u32,
    pub failures: u32,
    pub reach: usize,
    /// Its most failing tests (at most five).
    pub tests: Vec<TestEntry>,
}

/// A test of a hotspot.
#[derive(Clone, Debug, Serialize)]
pub struct TestEntry {
    pub name: String,
    pub failures: u32,
}

impl Report {
    /// The report of ranked hotspots.
    pub fn new(
        head: String,
        since_days: u32,
        commits: usize,
        runs: usize,
        hotspots: &[Hotspot],
    ) -> Report {
        Report {
            schema: SCHEMA.to_string(),
            head,
            since_days,
            commits,
            runs,
            hotspots: hotspots
                .iter()
                .map(|h| Entry {
                    component: format!("{}:{}", h.component.type_name(), h.component.full_name()),
                    score: h.score,
                    churn: h.churn,
                    failures: h.failures,
                    reach: h.reach,
                    tests: h
                        .tests
                        .iter()
                        .map(|t| TestEntry {
                            name: t.name.clone(),
                            failures: t.failures,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// `--format json`: pretty, with a final newline.
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// `--format text`: one line per hotspot.
pub fn text(report: &Report) -> String {
    let mut out = format!(
        "impact hotspots: {} over {} days ({} commits, {} recorded runs)\n",
        count(report.hotspots.len(), "component", "components"),
        report.since_days,
        report.commits,
        report.runs
    );
    if report.hotspots.is_empty() {
        out.push_str("  no Apex class, trigger, flow or object changed in the window\n");
        return out;
    }
    let _ = writeln!(
        out,
        "\n  {:>3}  {:<48} {:>8} {:>6} {:>6} {:>8}  top tests",
        "#", "component", "score", "churn", "reach", "failures"
    );
    for (position, entry) in report.hotspots.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>3}  {:<48} {:>8.2} {:>6} {:>6} {:>8}  {}",
            position + 1,
            entry.component,
            entry.score,
            entry.churn,
            entry.reach,
            entry.failures,
            tests_line(entry)
        );
    }
    out
}

/// `--format markdown`: a summary line, a bar chart of the top scores, and the table.
pub fn markdown(report: &Report) -> String {
    let mut out = String::from("### Hotspots\n\n");
    if report.hotspots.is_empty() {
        let _ = writeln!(
            out,
            "No Apex class, trigger, flow or object changed in the {} days before `{}`.",
            report.since_days,
            short(&report.head)
        );
        return out;
    }
    let _ = writeln!(
        out,
        "The components that changed most often in the {} days before `{}` ({} commits), weighted by how many tests reach them and how often those tests failed ({} recorded runs). Test these first; consider splitting the top ones.",
        report.since_days,
        short(&report.head),
        report.commits,
        report.runs
    );
    let _ = writeln!(out);
    let top: Vec<&Entry> = report.hotspots.iter().take(CHART_BARS).collect();
    let labels: Vec<String> = top.iter().map(|e| name_only(&e.component)).collect();
    let scores: Vec<f64> = top.iter().map(|e| e.score).collect();
    let max = scores.iter().copied().fold(0.0, f64::max);
    out.push_str(&xychart(
        "Hotspot score (churn × reach × failures)",
        "component",
        &labels,
        "score",
        max.ceil(),
        Series::Bar,
        &scores,
    ));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| # | Component | Score | Changes | Tests reaching it | Failures | Top tests |"
    );
    let _ = writeln!(out, "|---:|---|---:|---:|---:|---:|---|");
    for (position, entry) in report.hotspots.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | `{}` | {:.2} | {} | {} | {} | {} |",
            position + 1,
            entry.component.replace('|', "\\|"),
            entry.score,
            entry.churn,
            entry.reach,
            entry.failures,
            tests_line(entry).replace('|', "\\|")
        );
    }
    out
}

/// `A (3 failed), B` for a hotspot's top tests; `none` when no test reaches it.
fn tests_line(entry: &Entry) -> String {
    if entry.tests.is_empty() {
        return "none".to_string();
    }
    entry
        .tests
        .iter()
        .map(|t| match t.failures {
            0 => t.name.clone(),
            n => format!("{} ({n} failed)", t.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name part of `Type:Name`.
fn name_only(component: &str) -> String {
    component
        .split_once(':')
        .map_or(component, |(_, name)| name)
        .to_string()
}

/// The first ten characters of a sha.
fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

/// `1 component`, `2 components`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
