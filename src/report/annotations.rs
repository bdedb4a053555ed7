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
use crate::metadata::types;
use crate::results::{Outcome, TestKind, TestResult, TestRun};

/// The most annotations of one kind GitHub shows per step.
pub const MAX_PER_KIND: usize = 10;

/// The workflow-command lines, each ending with a newline; empty when there is nothing
/// to annotate.
pub fn render_annotations(runs: &[TestRun], plan: Option<&Plan>, sources: &SourceIndex) -> String {
    let mut out = String::new();
    annotate_failures(&mut out, runs, plan, sources);
    if let Some(plan) = plan {
        annotate_uncovered(&mut out, plan);
    }
    out
}

/// An error per failing test (its worst result across retries), at most
/// [`MAX_PER_KIND`], then a notice for the rest.
fn annotate_failures(
    out: &mut String,
    runs: &[TestRun],
    plan: Option<&Plan>,
    sources: &SourceIndex,
) {
    // Planned tests by kind and case-folded name (Apex class, or Flow test), for the
    // file the plan knows when the index does not.
    let planned: HashMap<(TestKind, String), &Test> = plan
        .map(|plan| {
            plan.tests
                .iter()
                .filter_map(|t| match t.kind.as_str() {
                    "apex" => Some(((TestKind::Apex, t.name.to_lowercase()), t)),
                    "flow" => Some(((TestKind::Flow, t.name.to_lowercase()), t)),
                    _ => None,
                })
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
        let key = match result.kind {
            TestKind::Apex => (TestKind::Apex, result.class_name.to_lowercase()),
            TestKind::Flow => (TestKind::Flow, result.method_name.to_lowercase()),
        };
        let file = case_file(result, planned.get(&key).copied(), sources);
        let line = case_line(result, sources);
        let name = match result.kind {
            TestKind::Apex => format!("{}.{}", result.class_name, result.method_name),
            TestKind::Flow => format!(
                "{} (Flow test of {})",
                result.method_name, result.class_name
            ),
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
        if let Some(trace) = result
            .stack_trace
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        {
            let _ = write!(message, "\n{trace}");
        }
        command(
            out,
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
}

/// A warning per changed Apex class or trigger no selected test reaches, at most
/// [`MAX_PER_KIND`], then a notice for the rest.
fn annotate_uncovered(out: &mut String, plan: &Plan) {
    let uncovered: Vec<_> = plan
        .uncovered
        .iter()
        .filter(|c| c.type_name == types::APEX_CLASS || c.type_name == types::APEX_TRIGGER)
        .collect();
    for component in uncovered.iter().take(MAX_PER_KIND) {
        // The change's source file, not its -meta.xml, is where the reviewer looks.
        let file = plan
            .changes
            .iter()
            .filter(|c| {
                c.type_name == component.type_name && c.name.eq_ignore_ascii_case(&component.name)
            })
            .flat_map(|c| &c.paths)
            .find(|p| !p.ends_with("-meta.xml"));
        let kind = if component.type_name == types::APEX_TRIGGER {
            "trigger"
        } else {
            "class"
        };
        command(
            out,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::junit::fixtures::{results, sample_plan};
    use crate::report::plan::ComponentRef;
    use crate::results::ResultFormat;

    fn sources() -> SourceIndex {
        let mut sources = SourceIndex::new();
        sources.add_class(
            "InvoiceServiceTest",
            "force-app/main/default/classes/InvoiceServiceTest.cls",
        );
        sources
    }

    #[test]
    fn failing_tests_and_uncovered_classes() {
        let runs = [
            results("deploy-report-typed.json"),
            results("logic-run-test-flows.json"),
        ];
        let mut plan = sample_plan();
        plan.tests[3].file = Some(
            "force-app/main/default/flowtests/Draft_invoice_is_not_flagged.flowtest-meta.xml"
                .into(),
        );
        let text = render_annotations(&runs, Some(&plan), &sources());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=force-app/main/default/classes/InvoiceServiceTest.cls,line=17,title=Test failed%3A InvoiceServiceTest.rejectsNegative::InvoiceServiceTest.rejectsNegative failed: System.AssertException: Assertion Failed: Expected: 0, Actual: -5%0AClass.InvoiceServiceTest.rejectsNegative: line 17, column 1",
                "::error file=force-app/main/default/flowtests/Draft_invoice_is_not_flagged.flowtest-meta.xml,title=Test failed%3A Draft_invoice_is_not_flagged (Flow test of Invoice_After_Save)::Draft_invoice_is_not_flagged (Flow test of Invoice_After_Save) failed",
                "::warning file=force-app/main/default/classes/VolumePricing.cls,line=1,title=No test reaches VolumePricing::Changed Apex class VolumePricing is reached by no selected test: a RunSpecifiedTests deploy needs 75%25 coverage of it",
            ]
        );
    }

    #[test]
    fn without_plan_only_failures_and_no_file_when_unknown() {
        let runs = [results("apex-run-test-sync-namespaced.json")];
        let text = render_annotations(&runs, None, &SourceIndex::new());
        assert_eq!(text.lines().count(), 1);
        assert!(
            text.starts_with("::error title=Test failed%3A LedgerServiceTest.closesPeriod::"),
            "{text}"
        );
        assert_eq!(render_annotations(&[], None, &SourceIndex::new()), "");
    }

    #[test]
    fn at_most_ten_of_each_kind() {
        let tests = (0..25)
            .map(|i| TestResult {
                kind: TestKind::Apex,
                class_name: format!("T{i:02}"),
                method_name: "m".into(),
                outcome: Outcome::Fail,
                duration_ms: None,
                message: Some("100% broken, really: yes\r\nsecond".into()),
                stack_trace: None,
                namespace: None,
            })
            .collect();
        let run = TestRun {
            format: ResultFormat::SfTestRun,
            run_id: "r".into(),
            started_at: None,
            tests,
            class_coverage: Vec::new(),
            test_coverage: Vec::new(),
            org_wide_coverage: None,
            coverage_warnings: Vec::new(),
            total_time_ms: None,
        };
        let mut plan = sample_plan();
        plan.uncovered = (0..12)
            .map(|i| ComponentRef {
                type_name: "ApexClass".into(),
                name: format!("Lonely{i}"),
            })
            .collect();
        let text = render_annotations(&[run], Some(&plan), &SourceIndex::new());
        let count = |prefix: &str| text.lines().filter(|l| l.starts_with(prefix)).count();
        assert_eq!(count("::error "), MAX_PER_KIND);
        assert_eq!(count("::warning "), MAX_PER_KIND);
        assert_eq!(count("::notice::"), 2);
        assert!(text.contains("::notice::15 more failing tests are not annotated"));
        assert!(text.contains("::notice::2 more changed Apex classes"));
        // Escaping: %, CR and LF in the message; the message keeps `:` and `,`.
        assert!(
            text.contains("failed: 100%25 broken, really: yes%0D%0Asecond"),
            "{text}"
        );
        assert!(text.lines().next().is_some_and(|l| l.contains("T00.m")));
    }

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    }
}
