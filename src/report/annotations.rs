//! `--annotations`: GitHub Actions workflow commands that put failing tests and
//! uncovered changed Apex on the pull request's files.
//!
//! Failing tests become `::error file=…,line=…,title=…::message` lines; changed Apex
//! classes and triggers that no selected test reaches become `::warning` lines (a deploy
//! risk, not yet a failure, and a separate kind so both fit: GitHub shows at most 10
//! error and 10 warning annotations per step and drops the rest silently, formats.md
//! §6.2). At most [`MAX_PER_KIND`] of each; when more exist, one `::notice::` says how
//! many were left out. Values are escaped as `actions/toolkit` does: in the message
//! `%`, `\r`, `\n`; in properties also `:` and `,`.
//!
//! This module prints nothing itself and does not decide the gate.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use super::junit::{case_file, case_line, SourceIndex};
use super::plan::{Plan, Test};
use crate::results::{Outcome, TestKind, TestResult, TestRun};

/// The most annotations of one kind GitHub shows per step.
pub const MAX_PER_KIND: usize = 10;

/// The workflow-command lines, each ending with a newline; empty when there is nothing
/// to annotate.
pub fn render_annotations(runs: &[TestRun], plan: Option<&Plan>, sources: &SourceIndex) -> String {
    let mut out = String::new();
    let planned: HashMap<String, &Test> = plan
        .map(|plan| {
            plan.tests
                .iter()
                .filter(|t| t.kind == "apex")
                .map(|t| (t.name.to_lowercase(), t))
                .collect()
        })
        .unwrap_or_default();

    // The worst result of each test: a failure is annotated once even when retried.
    let mut worst: BTreeMap<(TestKind, String, String), &TestResult> = BTreeMap::new();
    for result in runs.iter().flat_map(|run| &run.tests) {
        let key = (
            result.kind,
            result.class_name.to_lowercase(),
            result.method_name.to_lowercase(),
        );
        let entry = worst.entry(key).or_insert(result);
        if result.outcome.severity() > entry.outcome.severity() {
            *entry = result;
        }
    }
    let failing: Vec<&TestResult> = worst
        .values()
        .copied()
        .filter(|r| r.outcome.is_failure())
        .collect();
    for result in failing.iter().take(MAX_PER_KIND) {
        let test = planned.get(&result.class_name.to_lowercase()).copied();
        let file = case_file(result, test.filter(|_| result.kind == TestKind::Apex), sources);
        let line = case_line(result, sources);
        let name = match result.kind {
            TestKind::Apex => format!("{}.{}", result.class_name, result.method_name),
            TestKind::Flow => format!("{} (Flow test of {})", result.method_name, result.class_name),
        };
        let verb = if result.outcome == Outcome::CompileFail {
            "does not compile"
        } else {
            "failed"
        };
        let mut message = format!("{name} {verb}");
        if let Some(text) = result.message.as_deref().filter(|m| !m.trim().is_empty()) {
            let _ = write!(message, ": {text}");
        }
        if let Some(trace) = result.stack_trace.as_deref().filter(|t| !t.trim().is_empty()) {
            let _ = write!(message, "\n{trace}");
        }
        command(
            &mut out,
            "error",
            file.as_deref(),
            line,
            &format!("Test {verb}: {name}"),
            &message,
        );
    }
    if failing.len() > MAX_PER_KIND {
        let _ = writeln!(
            out,
            "::notice::{}",
            escape_data(&format!(
                "{} more failing tests are not annotated (GitHub shows {MAX_PER_KIND}); see the JUnit report",
                failing.len() - MAX_PER_KIND
            ))
        );
    }

    let Some(plan) = plan else {
        return out;
    };
    let uncovered: Vec<_> = plan
        .uncovered
        .iter()
        .filter(|c| c.type_name == "ApexClass" || c.type_name == "ApexTrigger")
        .collect();
    for component in uncovered.iter().take(MAX_PER_KIND) {
        // The change's source file, not its -meta.xml, is where the reviewer looks.
        let file = plan
            .changes
            .iter()
            .filter(|c| {
                c.type_name == component.type_name
                    && c.name.eq_ignore_ascii_case(&component.name)
            })
            .flat_map(|c| &c.paths)
            .find(|p| !p.ends_with("-meta.xml"));
        let kind = if component.type_name == "ApexTrigger" {
            "trigger"
        } else {
            "class"
        };
        command(
            &mut out,
            "warning",
            file.map(String::as_str),
            file.map(|_| 1),
            &format!("No test reaches {}", component.name),
            &format!(
                "Changed Apex {kind} {} is reached by no selected test: a RunSpecifiedTests deploy needs 75% coverage of it",
                component.name
            ),
        );
    }
    if uncovered.len() > MAX_PER_KIND {
        let _ = writeln!(
            out,
            "::notice::{}",
            escape_data(&format!(
                "{} more changed Apex classes or triggers are reached by no test; see the plan",
                uncovered.len() - MAX_PER_KIND
            ))
        );
    }
    out
}

/// Writes one `::level file=…,line=…,title=…::message` line.
fn command(
    out: &mut String,
    level: &str,
    file: Option<&str>,
    line: Option<u32>,
    title: &str,
    message: &str,
) {
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape_property(file)));
        if let Some(line) = line {
            properties.push(format!("line={line}"));
        }
    }
    properties.push(format!("title={}", escape_property(title)));
    let _ = writeln!(
        out,
        "::{level} {}::{}",
        properties.join(","),
        escape_data(message)
    );
}

/// Escapes a message as `actions/toolkit` `escapeData` does.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value as `actions/toolkit` `escapeProperty` does.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
