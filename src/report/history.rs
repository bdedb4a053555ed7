//! `impact history` and `impact record`: what the history knows, and what an import did.

use crate::history::{ClassStats, Summary, TestStats};
use crate::record::{Imported, ImportedQuery};
use crate::results::org::QueryObject;
use std::path::Path;

/// Which lists `impact history` shows; all of them when none is asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Views {
    pub flaky: bool,
    pub slow: bool,
    pub failing: bool,
}

impl Views {
    /// Every list when no flag asks for one.
    fn or_all(self) -> Views {
        if self.flaky || self.slow || self.failing {
            self
        } else {
            Views {
                flaky: true,
                slow: true,
                failing: true,
            }
        }
    }

    fn is_none(self) -> bool {
        !(self.flaky || self.slow || self.failing)
    }
}

/// Four decimals, for JSON.
fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

fn test_json(t: &TestStats) -> serde_json::Value {
    serde_json::json!({
        "kind": t.kind.as_str(),
        "class": t.class_name,
        "method": t.method_name,
        "runs": t.runs,
        "failures": t.failures,
        "last_outcome": t.last_outcome.as_str(),
        "failure_rate": round4(t.failure_rate),
        "flakiness": round4(t.flakiness),
        "mean_duration_ms": t.mean_duration_ms.map(|ms| ms.round() as u64),
    })
}

fn class_json(c: &ClassStats) -> serde_json::Value {
    serde_json::json!({
        "kind": c.kind.as_str(),
        "class": c.class_name,
        "methods": c.methods,
        "runs": c.runs,
        "failures": c.failures,
        "last_outcome": c.last_outcome.as_str(),
        "failure_rate": round4(c.failure_rate),
        "flakiness": round4(c.flakiness),
        "duration_ms": c.duration_ms.map(|ms| ms.round() as u64),
    })
}

/// The `impact.history/v1` JSON.
pub fn render_json(summary: &Summary, views: Views) -> String {
    let mut doc = serde_json::json!({
        "schema": "impact.history/v1",
        "runs": summary.runs,
        "tests_recorded": summary.tests,
    });
    let views = views.or_all();
    if views.flaky {
        doc["flaky"] = summary.flaky.iter().map(test_json).collect();
    }
    if views.failing {
        doc["failing"] = summary.failing.iter().map(test_json).collect();
    }
    if views.slow {
        doc["slow"] = summary.slow.iter().map(class_json).collect();
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// A summary for a terminal: ten of each list when all are shown, else the whole list.
pub fn render_text(summary: &Summary, path: &Path, views: Views) -> String {
    let mut out = format!(
        "impact history {}: {} runs, {} tests\n",
        path.display(),
        summary.runs,
        summary.tests
    );
    let all = views.is_none();
    let limit = if all { 10 } else { usize::MAX };
    let name = |t: &TestStats| format!("{}.{}", t.class_name, t.method_name);
    if all || views.flaky {
        out.push_str(&format!(
            "\nflaky ({}): the outcome flips between runs; they still run, ranked lower\n",
            summary.flaky.len()
        ));
        for t in summary.flaky.iter().take(limit) {
            out.push_str(&format!(
                "  {:<50}  flips {:>3.0}% of {} runs, failed {}\n",
                name(t),
                t.flakiness * 100.0,
                t.runs,
                t.failures
            ));
        }
    }
    if all || views.failing {
        out.push_str(&format!(
            "\nfailing ({}): failed in their latest run\n",
            summary.failing.len()
        ));
        for t in summary.failing.iter().take(limit) {
            out.push_str(&format!(
                "  {:<50}  failed {} of {} runs, recent failure rate {:.2}\n",
                name(t),
                t.failures,
                t.runs,
                t.failure_rate
            ));
        }
    }
    if all || views.slow {
        out.push_str(&format!(
            "\nslow ({}): test classes by mean run time\n",
            summary.slow.len()
        ));
        for c in summary.slow.iter().take(limit) {
            out.push_str(&format!(
                "  {:<50}  {:>9.1} s  ({} methods)\n",
                c.class_name,
                c.duration_ms.unwrap_or(0.0) / 1000.0,
                c.methods
            ));
        }
    }
    out
}

/// What `impact record` did, one line per file, and the failures the plan does not
/// explain.
pub fn render_imported(imported: &Imported) -> String {
    let mut out = String::new();
    for file in &imported.files {
        if file.outcome.new {
            out.push_str(&format!(
                "recorded {}: {} test results ({}, run {})\n",
                file.path.display(),
                file.outcome.tests,
                file.format,
                file.run_id
            ));
        } else if file.outcome.tests == 0 {
            out.push_str(&format!(
                "{}: run {} is already recorded, nothing added\n",
                file.path.display(),
                file.run_id
            ));
        } else {
            out.push_str(&format!(
                "{}: run {} is already recorded; {} test results added or made more severe\n",
                file.path.display(),
                file.run_id,
                file.outcome.tests
            ));
        }
    }
    for query in &imported.queries {
        out.push_str(&query_line(query));
    }
    if !imported.unrelated_failures.is_empty() {
        out.push_str(&format!(
            "failed outside the plan (not explained by the change, possibly flaky): {}\n",
            imported.unrelated_failures.join(", ")
        ));
    }
    out
}

/// What one org query file added.
fn query_line(query: &ImportedQuery) -> String {
    let object = query.object.map_or("no", |o| o.as_str());
    let outcome = &query.outcome;
    let mut line = match query.object {
        Some(QueryObject::ApexCodeCoverage) => format!(
            "recorded {}: {} ApexCodeCoverage records, {} new or newer",
            query.path.display(),
            query.coverage_records,
            outcome.coverage
        ),
        _ => format!(
            "recorded {}: {object} records of {} runs ({} new), {} test results added",
            query.path.display(),
            outcome.runs,
            outcome.new_runs,
            outcome.tests
        ),
    };
    if query.skipped > 0 {
        line.push_str(&format!(
            "; {} records skipped (no class, method, job or time)",
            query.skipped
        ));
    }
    line.push('\n');
    line
}

/// Warnings about what `impact record` read: queries that returned part of their
/// records.
pub fn import_warnings(imported: &Imported) -> Vec<String> {
    imported
        .queries
        .iter()
        .filter(|query| !query.complete)
        .map(|query| {
            format!(
                "{}: the query returned part of its records (`done: false`); narrow the date filter",
                query.path.display()
            )
        })
        .collect()
}
