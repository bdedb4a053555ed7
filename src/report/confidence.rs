//! The confidence cut in the reports: one line for the terminal, and for Markdown the
//! estimate, the tests and minutes each level needs, and the curve as a chart.

use std::fmt::Write;

use super::chart::{xychart, Series};
use super::plan::{Confidence, CurvePoint, Plan};

/// The levels the Markdown table shows.
const TABLE_LEVELS: [f64; 6] = [0.5, 0.8, 0.9, 0.95, 0.99, 1.0];

/// `confidence 95%: 12 of 30 tests, estimated 95.3% …`, or `None` without `--confidence`.
pub fn text_line(plan: &Plan) -> Option<String> {
    let confidence = plan.confidence.as_ref()?;
    Some(format!(
        "confidence {}: {} of {} tests run, estimated {} chance of catching a failure this change causes; {} deferred",
        percent(confidence.level),
        plan.tests.len(),
        plan.tests.len() + plan.deferred.len(),
        percent(confidence.estimate),
        plan.deferred.len()
    ))
}

/// The `### Confidence` section, or nothing without `--confidence`.
pub fn markdown_section(out: &mut String, plan: &Plan) {
    let Some(confidence) = &plan.confidence else {
        return;
    };
    let _ = writeln!(out);
    let _ = writeln!(out, "### Confidence");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Runs **{} of {}** tests: an estimated **{}** chance of catching a failure this change causes (asked: {}). The estimate is the share of the selected tests' summed failure probability (`factors.probability`) that the tests run hold.",
        plan.tests.len(),
        plan.tests.len() + plan.deferred.len(),
        percent(confidence.estimate),
        percent(confidence.level)
    );
    if confidence.curve.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "| Confidence | Tests | Minutes |");
    let _ = writeln!(out, "|---:|---:|---:|");
    for level in TABLE_LEVELS {
        if let Some(point) = first_reaching(confidence, level) {
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} |",
                percent(level),
                point.tests,
                point.minutes
            );
        }
    }
    let _ = writeln!(out);
    let labels: Vec<String> = confidence
        .curve
        .iter()
        .map(|p| p.tests.to_string())
        .collect();
    let values: Vec<f64> = confidence
        .curve
        .iter()
        .map(|p| p.confidence * 100.0)
        .collect();
    out.push_str(&xychart(
        "Estimated chance of catching a failure, by tests run",
        "tests run (in rank order)",
        &labels,
        "confidence %",
        100.0,
        Series::Line,
        &values,
    ));
}

/// The first curve point at or above `level`.
fn first_reaching(confidence: &Confidence, level: f64) -> Option<&CurvePoint> {
    confidence
        .curve
        .iter()
        .find(|point| point.confidence + 1e-9 >= level)
}

/// `95%`, `95.3%`: a share as a percentage with at most one decimal.
fn percent(share: f64) -> String {
    let text = format!("{:.1}", share * 100.0);
    format!("{}%", text.trim_end_matches(".0"))
}
