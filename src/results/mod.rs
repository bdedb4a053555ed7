//! Test results read back in: one neutral model for every result file `impact` accepts.
//!
//! [`read_results`] detects the format by content, never by file name:
//! - the `sf` CLI JSON of a test run (`sf apex run test --json`, `sf apex get test --json`,
//!   `sf logic run test --json`), see [`sf_json`];
//! - the `sf` CLI JSON of a deploy (`sf project deploy start|validate|report --json`),
//!   whose `details.runTestResult` carries the tests and the coverage, see [`sf_json`];
//! - JUnit XML from the `sf` CLI or any other producer, see [`junit_in`].
//!
//! Names are normalized once, here: a namespaced class written `ns__Class` or `ns.Class`
//! becomes `class_name = "Class"` with `namespace = Some("ns")`, so the same test reads the
//! same in every format. Comparison stays case-insensitive downstream (the history folds
//! the names); this module keeps the casing the file used.
//!
//! This module does not store anything (that is [`crate::history`]), does not decide
//! whether a release may go on, and does not write JUnit.

pub mod junit_in;
pub mod org;
pub mod sf_json;
mod time;

pub use time::timestamp_ms;

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// Which kind of file a [`TestRun`] was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultFormat {
    /// `sf apex run test|get test --json` or `sf logic run test|get test --json`.
    SfTestRun,
    /// `sf project deploy start|validate|report|resume --json`.
    SfDeploy,
    /// JUnit XML from any producer.
    Junit,
    /// `sf data query --json` over the org's `ApexTestResult` or `ApexCodeCoverage`.
    OrgQuery,
}

impl ResultFormat {
    /// The stable lowercase name stored in the history and printed in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultFormat::SfTestRun => "sf_test_run",
            ResultFormat::SfDeploy => "sf_deploy",
            ResultFormat::Junit => "junit",
            ResultFormat::OrgQuery => "org_query",
        }
    }

    /// The inverse of [`ResultFormat::as_str`].
    pub fn from_name(name: &str) -> Option<ResultFormat> {
        match name {
            "sf_test_run" => Some(ResultFormat::SfTestRun),
            "sf_deploy" => Some(ResultFormat::SfDeploy),
            "junit" => Some(ResultFormat::Junit),
            "org_query" => Some(ResultFormat::OrgQuery),
            _ => None,
        }
    }
}

/// Whether a result is an Apex test method or a Flow test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// An Apex test method (also used for JUnit tests of other producers).
    Apex,
    /// A Flow test (`FlowTest` metadata), run by `sf logic run test`.
    Flow,
}

impl TestKind {
    /// The stable lowercase name stored in the history (`apex`, `flow`).
    pub fn as_str(self) -> &'static str {
        match self {
            TestKind::Apex => "apex",
            TestKind::Flow => "flow",
        }
    }

    /// The inverse of [`TestKind::as_str`].
    pub fn from_name(name: &str) -> Option<TestKind> {
        match name {
            "apex" => Some(TestKind::Apex),
            "flow" => Some(TestKind::Flow),
            _ => None,
        }
    }
}

/// How one test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The test passed.
    Pass,
    /// The test ran and failed (an assertion or an exception).
    Fail,
    /// The test was not run.
    Skip,
    /// The test class did not compile; counts as failing.
    CompileFail,
}

impl Outcome {
    /// The stable lowercase name stored in the history (`pass`, `fail`, `skip`,
    /// `compile_fail`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
            Outcome::CompileFail => "compile_fail",
        }
    }

    /// The inverse of [`Outcome::as_str`].
    pub fn from_name(name: &str) -> Option<Outcome> {
        match name {
            "pass" => Some(Outcome::Pass),
            "fail" => Some(Outcome::Fail),
            "skip" => Some(Outcome::Skip),
            "compile_fail" => Some(Outcome::CompileFail),
            _ => None,
        }
    }

    /// True for the outcomes that make a run fail (`Fail`, `CompileFail`).
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::CompileFail)
    }

    /// Rank used when one test has several results in one file: the most severe wins
    /// (compile failure over failure over skip over pass).
    pub fn severity(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Skip => 1,
            Outcome::Fail => 2,
            Outcome::CompileFail => 3,
        }
    }
}

/// Whether a covered unit is an Apex class or a trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoveredKind {
    /// An Apex class.
    Class,
    /// An Apex trigger.
    Trigger,
    /// The file did not say.
    Unknown,
}

impl CoveredKind {
    /// The stable lowercase name stored in the history (`class`, `trigger`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            CoveredKind::Class => "class",
            CoveredKind::Trigger => "trigger",
            CoveredKind::Unknown => "unknown",
        }
    }

    /// The inverse of [`CoveredKind::as_str`]; anything else is `Unknown`.
    pub fn from_name(name: &str) -> CoveredKind {
        match name {
            "class" => CoveredKind::Class,
            "trigger" => CoveredKind::Trigger,
            _ => CoveredKind::Unknown,
        }
    }
}

/// One result file, read into the neutral model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestRun {
    /// The format the file was in.
    pub format: ResultFormat,
    /// The run's identity: the test run id (`707…`) or the deploy id (`0Af…`) from the
    /// file, else `content:<hash>` of the file's bytes, so re-reading a file gives the
    /// same id.
    pub run_id: String,
    /// When the run started, as the file wrote it (ISO-8601 in the `sf` formats).
    pub started_at: Option<String>,
    /// Every test result, in file order.
    pub tests: Vec<TestResult>,
    /// Aggregate coverage per class or trigger.
    pub class_coverage: Vec<ClassCoverage>,
    /// Coverage per test method × class or trigger (only `sf apex … --code-coverage`).
    pub test_coverage: Vec<TestCoverage>,
    /// Org-wide coverage in percent (0–100), when the file carries it.
    pub org_wide_coverage: Option<f64>,
    /// Coverage warnings of a deploy (`codeCoverageWarnings`, `flowCoverageWarnings`).
    pub coverage_warnings: Vec<CoverageWarning>,
    /// The run's own total time in milliseconds (`testTotalTime` of a test run,
    /// `totalTime` of a deploy, the root `time` of JUnit), when the file says: the tests'
    /// times do not add up to it (setup, queueing, parallel classes).
    pub total_time_ms: Option<u64>,
}

/// The result of one test method or Flow test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestResult {
    /// Apex or Flow.
    pub kind: TestKind,
    /// The Apex test class without namespace, or for Flow tests the flow's API name.
    pub class_name: String,
    /// The test method, or the Flow test's name.
    pub method_name: String,
    /// How the test ended.
    pub outcome: Outcome,
    /// Run time in milliseconds, when the file knows it (`None` for Flow tests, whose
    /// reported run time is always 0).
    pub duration_ms: Option<u64>,
    /// The failure message.
    pub message: Option<String>,
    /// The failure's stack trace (Apex frames `Class.X.m: line N, column M`).
    pub stack_trace: Option<String>,
    /// The namespace prefix, when the test belongs to one.
    pub namespace: Option<String>,
}

/// Aggregate coverage of one class or trigger in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClassCoverage {
    /// The class or trigger name, without namespace.
    pub name: String,
    /// Class or trigger, when known.
    pub kind: CoveredKind,
    /// Lines (deploys: locations) covered.
    pub lines_covered: u32,
    /// Lines (deploys: locations) that count for coverage.
    pub lines_total: u32,
}

/// Lines of one class or trigger covered by one test method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestCoverage {
    /// The test class, without namespace.
    pub test_class: String,
    /// The test method.
    pub test_method: String,
    /// The class or trigger covered, without namespace.
    pub covered: String,
    /// Lines of `covered` this method covered.
    pub lines_covered: u32,
    /// Lines of `covered` that count for coverage.
    pub lines_total: u32,
    /// The covered line numbers, sorted, when the file lists them (empty otherwise);
    /// they let the union of several tests' coverage be computed exactly.
    pub lines: Vec<u32>,
}

/// A coverage warning of a deploy, such as "Test coverage of selected Apex Class is 40%".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageWarning {
    /// The class, trigger or flow named by the warning; `None` for org-wide warnings.
    pub name: Option<String>,
    /// The warning text as the platform wrote it.
    pub message: String,
}

/// Reads every result file, in order, before anything is written: one bad file stops
/// the command.
pub fn read_all(paths: &[std::path::PathBuf]) -> Result<Vec<TestRun>> {
    paths.iter().map(|path| read_results(path)).collect()
}

/// Reads a result file, detecting its format by content.
///
/// IO problems give [`Error::UnreadableFile`]; content that is none of the known formats
/// (including the `sf` error envelope and the async `{"testRunId": …}` stub) gives
/// [`Error::UnknownResultFormat`] naming the file.
pub fn read_results(path: &Path) -> Result<TestRun> {
    let bytes = std::fs::read(path).map_err(|e| Error::UnreadableFile {
        path: path.to_path_buf(),
        reason: e.to_string().to_lowercase(),
    })?;
    parse_results(path, &bytes)
}

/// A file `impact record` reads: one test run, or the org's records from a query.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultFile {
    /// A result file of one run (sf JSON or JUnit XML).
    Run(TestRun),
    /// `sf data query --json` over `ApexTestResult` or `ApexCodeCoverage`.
    OrgQuery(org::OrgQuery),
}

/// Reads a result file or a query result file, told apart by content. A query result
/// over another object, or without a field the history needs, is
/// [`Error::UnusableQuery`] naming what it found.
pub fn read_result_file(path: &Path) -> Result<ResultFile> {
    let bytes = std::fs::read(path).map_err(|e| Error::UnreadableFile {
        path: path.to_path_buf(),
        reason: e.to_string().to_lowercase(),
    })?;
    match org::parse(strip_bom(&bytes)) {
        Some(Ok(query)) => Ok(ResultFile::OrgQuery(query)),
        Some(Err(refusal)) => Err(Error::UnusableQuery {
            path: path.to_path_buf(),
            reason: refusal.reason(),
        }),
        None => parse_results(path, &bytes).map(ResultFile::Run),
    }
}

/// Parses result bytes; `path_for_messages` only names the file in errors.
pub fn parse_results(path_for_messages: &Path, bytes: &[u8]) -> Result<TestRun> {
    let unknown = || Error::UnknownResultFormat {
        path: path_for_messages.to_path_buf(),
    };
    let body = strip_bom(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let run = match first {
        Some(b'{') => sf_json::parse(body, &content_id(bytes)),
        Some(b'<') => junit_in::parse(body, &content_id(bytes)),
        _ => None,
    };
    run.ok_or_else(unknown)
}

/// Drops a UTF-8 byte-order mark, which Windows tools like to write.
fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// A stable id for a file that has no run id of its own: FNV-1a (128 bit) of its bytes.
///
/// FNV is enough here: the id only has to be the same for the same bytes and differ
/// between different result files; it is not a security boundary.
pub fn content_id(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    for &byte in bytes {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    format!("content:{hash:032x}")
}

/// Splits a class (or flow) name written `ns__Class` or `ns.Class` into the bare name and
/// the namespace; `ns_hint` is the namespace the file gave separately, if any.
///
/// Apex class names cannot contain a double underscore or a dot, so either separator can
/// only be a namespace prefix.
pub fn split_namespace(name: &str, ns_hint: Option<&str>) -> (String, Option<String>) {
    let name = name.trim();
    let hint = ns_hint.map(str::trim).filter(|ns| !ns.is_empty());
    let split = name
        .split_once('.')
        .or_else(|| name.split_once("__"))
        .filter(|(ns, rest)| is_identifier(ns) && !rest.is_empty());
    match split {
        Some((ns, rest)) => (rest.to_string(), Some(ns.to_string())),
        None => (name.to_string(), hint.map(str::to_string)),
    }
}

/// True for a plausible namespace prefix: letters, digits and single underscores.
fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// Turns an empty or whitespace-only text into `None`.
pub(crate) fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_forms_normalize_to_one_name() {
        assert_eq!(
            split_namespace("acme__InvoiceTest", None),
            ("InvoiceTest".to_string(), Some("acme".to_string()))
        );
        assert_eq!(
            split_namespace("acme.InvoiceTest", None),
            ("InvoiceTest".to_string(), Some("acme".to_string()))
        );
        assert_eq!(
            split_namespace("InvoiceTest", Some("acme")),
            ("InvoiceTest".to_string(), Some("acme".to_string()))
        );
        assert_eq!(
            split_namespace("InvoiceTest", Some("")),
            ("InvoiceTest".to_string(), None)
        );
        assert_eq!(
            split_namespace("Plain_Test", None),
            ("Plain_Test".to_string(), None)
        );
    }

    #[test]
    fn content_id_is_stable_and_distinguishes() {
        assert_eq!(content_id(b"abc"), content_id(b"abc"));
        assert_ne!(content_id(b"abc"), content_id(b"abd"));
        assert!(content_id(b"").starts_with("content:"));
        assert_eq!(content_id(b"").len(), "content:".len() + 32);
    }

    #[test]
    fn neither_json_nor_xml_is_unknown() {
        let err = parse_results(Path::new("x.txt"), b"hello").unwrap_err();
        assert!(matches!(err, Error::UnknownResultFormat { .. }));
        let err = parse_results(Path::new("empty"), b"  \n").unwrap_err();
        assert!(matches!(err, Error::UnknownResultFormat { .. }));
    }

    /// Reads one of the files under `tests/data/results/`.
    fn data(name: &str) -> Result<TestRun> {
        read_results(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/results")
                .join(name),
        )
    }

    /// A result with the given fields, for exact comparisons.
    fn result(
        kind: TestKind,
        class: &str,
        method: &str,
        outcome: Outcome,
        duration_ms: Option<u64>,
    ) -> TestResult {
        TestResult {
            kind,
            class_name: class.into(),
            method_name: method.into(),
            outcome,
            duration_ms,
            message: None,
            stack_trace: None,
            namespace: None,
        }
    }

    #[test]
    fn reads_apex_test_run_with_coverage() {
        let run = data("apex-get-test-coverage.json").expect("test run");
        assert_eq!(run.format, ResultFormat::SfTestRun);
        assert_eq!(run.run_id, "7075g00000KpQrsAAF");
        assert_eq!(run.started_at.as_deref(), Some("2024-06-03T09:14:22.000Z"));
        assert_eq!(run.org_wide_coverage, Some(78.0));
        let mut failed = result(
            TestKind::Apex,
            "InvoiceServiceTest",
            "rejectsNegative",
            Outcome::Fail,
            Some(95),
        );
        failed.message =
            Some("System.AssertException: Assertion Failed: Expected: 0, Actual: -5".into());
        failed.stack_trace = Some(
            "Class.InvoiceService.post: line 42, column 1\nClass.InvoiceServiceTest.rejectsNegative: line 17, column 1"
                .into(),
        );
        assert_eq!(
            run.tests,
            vec![
                result(
                    TestKind::Apex,
                    "InvoiceServiceTest",
                    "createsInvoice",
                    Outcome::Pass,
                    Some(412)
                ),
                failed,
                result(
                    TestKind::Apex,
                    "TaxCalculatorTest",
                    "appliesTax",
                    Outcome::Pass,
                    Some(1367)
                ),
                result(
                    TestKind::Apex,
                    "LegacyTest",
                    "legacyPath",
                    Outcome::Skip,
                    Some(0)
                ),
            ]
        );
        assert_eq!(
            run.class_coverage,
            vec![
                ClassCoverage {
                    name: "InvoiceService".into(),
                    kind: CoveredKind::Class,
                    lines_covered: 8,
                    lines_total: 10
                },
                ClassCoverage {
                    name: "InvoiceTrigger".into(),
                    kind: CoveredKind::Trigger,
                    lines_covered: 2,
                    lines_total: 4
                },
                ClassCoverage {
                    name: "TaxCalculator".into(),
                    kind: CoveredKind::Class,
                    lines_covered: 5,
                    lines_total: 5
                },
            ]
        );
        assert_eq!(run.test_coverage.len(), 5);
        assert_eq!(
            run.test_coverage[1],
            TestCoverage {
                test_class: "InvoiceServiceTest".into(),
                test_method: "rejectsNegative".into(),
                covered: "InvoiceService".into(),
                lines_covered: 5,
                lines_total: 10,
                lines: vec![3, 4, 8, 9, 10],
            }
        );
        assert_eq!(run.test_coverage[2].covered, "InvoiceTrigger");
        assert_eq!(run.test_coverage[2].lines_total, 4);
        assert!(run.coverage_warnings.is_empty());
    }

    #[test]
    fn synchronous_namespace_forms_read_as_one_class() {
        let bytes = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/results/apex-run-test-sync-namespaced.json"),
        )
        .expect("fixture");
        let run = data("apex-run-test-sync-namespaced.json").expect("sync run");
        assert_eq!(run.format, ResultFormat::SfTestRun);
        // A synchronous run has no run id: the content hash stands in.
        assert_eq!(run.run_id, content_id(&bytes));
        assert_eq!(run.org_wide_coverage, None);
        let names: Vec<(&str, &str, Option<&str>, Outcome)> = run
            .tests
            .iter()
            .map(|t| {
                (
                    t.class_name.as_str(),
                    t.method_name.as_str(),
                    t.namespace.as_deref(),
                    t.outcome,
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                (
                    "LedgerServiceTest",
                    "postsLedgerEntry",
                    Some("acme"),
                    Outcome::Pass
                ),
                (
                    "LedgerServiceTest",
                    "reversesEntry",
                    Some("acme"),
                    Outcome::Pass
                ),
                (
                    "LedgerServiceTest",
                    "closesPeriod",
                    Some("acme"),
                    Outcome::Fail
                ),
            ]
        );
        assert_eq!(run.tests[1].message, None, "an empty message is no message");
        assert_eq!(run.tests[2].duration_ms, Some(366));
        assert!(run.tests[2]
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("System.DmlException")));
    }

    #[test]
    fn reads_flow_tests_of_logic_run() {
        let run = data("logic-run-test-flows.json").expect("logic run");
        assert_eq!(run.run_id, "7075g00000FlW01AAF");
        assert_eq!(
            run.tests,
            vec![
                result(
                    TestKind::Flow,
                    "Invoice_After_Save",
                    "Approved_invoice_is_flagged",
                    Outcome::Pass,
                    None
                ),
                result(
                    TestKind::Flow,
                    "Invoice_After_Save",
                    "Draft_invoice_is_not_flagged",
                    Outcome::Fail,
                    None
                ),
                result(
                    TestKind::Apex,
                    "ReminderJobTest",
                    "sendsReminder",
                    Outcome::Pass,
                    Some(2210)
                ),
            ]
        );
    }

    #[test]
    fn reads_typed_deploy_report() {
        let run = data("deploy-report-typed.json").expect("deploy");
        assert_eq!(run.format, ResultFormat::SfDeploy);
        assert_eq!(run.run_id, "0Af5g00000DpL01CAE");
        assert_eq!(run.started_at.as_deref(), Some("2024-06-06T12:00:05.000Z"));
        let mut failed = result(
            TestKind::Apex,
            "InvoiceServiceTest",
            "rejectsNegative",
            Outcome::Fail,
            Some(95),
        );
        failed.message =
            Some("System.AssertException: Assertion Failed: Expected: 0, Actual: -5".into());
        failed.stack_trace =
            Some("Class.InvoiceServiceTest.rejectsNegative: line 17, column 1".into());
        assert_eq!(
            run.tests,
            vec![
                result(
                    TestKind::Apex,
                    "InvoiceServiceTest",
                    "createsInvoice",
                    Outcome::Pass,
                    Some(412)
                ),
                result(
                    TestKind::Apex,
                    "TaxCalculatorTest",
                    "appliesTax",
                    Outcome::Pass,
                    Some(1323)
                ),
                failed,
            ]
        );
        assert_eq!(
            run.class_coverage,
            vec![
                ClassCoverage {
                    name: "InvoiceService".into(),
                    kind: CoveredKind::Class,
                    lines_covered: 18,
                    lines_total: 20
                },
                ClassCoverage {
                    name: "InvoiceTrigger".into(),
                    kind: CoveredKind::Trigger,
                    lines_covered: 0,
                    lines_total: 6
                },
            ]
        );
        assert_eq!(
            run.coverage_warnings,
            vec![CoverageWarning {
                name: Some("InvoiceTrigger".into()),
                message: "Test coverage of selected Apex Trigger is 0%, at least 75% test coverage is required".into(),
            }]
        );
        assert!(run.test_coverage.is_empty());
        assert_eq!(run.org_wide_coverage, None);
    }

    #[test]
    fn reads_string_typed_deploy_report() {
        let run = data("deploy-report-string-typed.json").expect("deploy");
        assert_eq!(run.format, ResultFormat::SfDeploy);
        assert_eq!(run.run_id, "0Af5g00000DpL02CAE");
        // No startDate: the creation date stands in.
        assert_eq!(run.started_at.as_deref(), Some("2024-06-07T08:30:00.000Z"));
        let mut pass = result(
            TestKind::Apex,
            "LedgerServiceTest",
            "postsLedgerEntry",
            Outcome::Pass,
            Some(1204),
        );
        pass.namespace = Some("acme".into());
        let mut failed = result(
            TestKind::Apex,
            "LedgerServiceTest",
            "closesPeriod",
            Outcome::Fail,
            Some(366),
        );
        failed.namespace = Some("acme".into());
        failed.message =
            Some("System.NullPointerException: Attempt to de-reference a null object".into());
        failed.stack_trace = Some("Class.acme.LedgerService.close: line 88, column 1".into());
        assert_eq!(run.tests, vec![pass, failed]);
        // numLocationsNotCovered is missing: the listed locations are counted.
        assert_eq!(
            run.class_coverage,
            vec![ClassCoverage {
                name: "Ledger".into(),
                kind: CoveredKind::Class,
                lines_covered: 7,
                lines_total: 10
            }]
        );
        assert_eq!(
            run.coverage_warnings,
            vec![
                CoverageWarning {
                    name: Some("Ledger".into()),
                    message: "Test coverage of selected Apex Class is 70%, at least 75% test coverage is required".into(),
                },
                CoverageWarning {
                    name: Some("Ledger_Close".into()),
                    message: "Test coverage of selected Flow is 0%, at least 75% test coverage is required".into(),
                },
            ]
        );
    }

    #[test]
    fn reads_sf_cli_junit() {
        let run = data("junit-sf-apex.xml").expect("junit");
        assert_eq!(run.format, ResultFormat::Junit);
        assert_eq!(run.run_id, "7075g00000KpQrsAAF");
        assert_eq!(run.started_at.as_deref(), Some("2024-06-03T09:14:22.000Z"));
        let mut failed = result(
            TestKind::Apex,
            "InvoiceServiceTest",
            "rejectsNegative",
            Outcome::Fail,
            Some(100),
        );
        failed.message = Some(
            "System.AssertException: Assertion Failed: Expected: 0, Actual: -5 & \"more\"".into(),
        );
        failed.stack_trace = Some(
            "Class.InvoiceService.post: line 42, column 1\nClass.InvoiceServiceTest.rejectsNegative: line 17, column 1"
                .into(),
        );
        let mut ledger = result(
            TestKind::Apex,
            "LedgerServiceTest",
            "postsLedgerEntry",
            Outcome::Pass,
            Some(1200),
        );
        ledger.namespace = Some("acme".into());
        assert_eq!(
            run.tests,
            vec![
                result(
                    TestKind::Apex,
                    "InvoiceServiceTest",
                    "createsInvoice",
                    Outcome::Pass,
                    Some(410)
                ),
                failed,
                ledger,
                // The sf CLI writes skipped tests without <skipped/>: they read as passed.
                result(
                    TestKind::Apex,
                    "LegacyTest",
                    "legacyPath",
                    Outcome::Pass,
                    Some(0)
                ),
            ]
        );
    }

    #[test]
    fn reads_other_producers_junit_with_nested_suites() {
        let bytes = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/results/junit-surefire-nested.xml"),
        )
        .expect("fixture");
        let run = data("junit-surefire-nested.xml").expect("junit");
        assert_eq!(run.run_id, content_id(&bytes));
        assert_eq!(run.started_at.as_deref(), Some("2024-06-08T10:00:00"));
        let it = "com.acme.billing.InvoiceApiIT";
        let tax = "com.acme.billing.TaxIT";
        let mut failed = result(
            TestKind::Apex,
            it,
            "rejectsNegativeAmount",
            Outcome::Fail,
            Some(750),
        );
        failed.message = Some("expected: <400> but was: <500>".into());
        failed.stack_trace = Some(
            "org.opentest4j.AssertionFailedError: expected: <400> but was: <500>\n\tat com.acme.billing.InvoiceApiIT.rejectsNegativeAmount(InvoiceApiIT.java:58)".into(),
        );
        let mut skipped = result(TestKind::Apex, it, "exportsPdf", Outcome::Skip, Some(0));
        skipped.message = Some("PDF renderer not installed".into());
        let mut error = result(TestKind::Apex, tax, "loadsRates", Outcome::Fail, Some(600));
        error.message = Some("java.lang.IllegalStateException: rates table empty".into());
        error.stack_trace = Some(
            "java.lang.IllegalStateException: rates table empty\n\tat com.acme.billing.TaxIT.loadsRates(TaxIT.java:31)".into(),
        );
        assert_eq!(
            run.tests,
            vec![
                result(
                    TestKind::Apex,
                    it,
                    "createsInvoice",
                    Outcome::Pass,
                    Some(1250)
                ),
                failed,
                skipped,
                // A flaky failure that passed on rerun is a pass.
                result(TestKind::Apex, tax, "appliesVat", Outcome::Pass, Some(500)),
                error,
                // No classname: the enclosing suite names the class.
                result(
                    TestKind::Apex,
                    tax,
                    "roundsHalfUp",
                    Outcome::Pass,
                    Some(125)
                ),
            ]
        );
    }

    #[test]
    fn junit_compile_error_and_flow_and_status() {
        let run = data("junit-single-suite-compile.xml").expect("junit");
        let mut compile = result(
            TestKind::Apex,
            "ReminderJobTest",
            "retriesOnError",
            Outcome::CompileFail,
            Some(0),
        );
        compile.message = Some(
            "Method does not exist or incorrect signature: void retry() from the type ReminderJob"
                .into(),
        );
        assert_eq!(
            run.tests,
            vec![
                result(
                    TestKind::Apex,
                    "ReminderJobTest",
                    "sendsReminder",
                    Outcome::Pass,
                    Some(900)
                ),
                compile,
                result(
                    TestKind::Flow,
                    "Invoice_After_Save",
                    "Approved_invoice_is_flagged",
                    Outcome::Skip,
                    Some(0)
                ),
            ]
        );
    }

    #[test]
    fn non_result_files_are_unknown_format() {
        for name in [
            "deploy-validate-error-envelope.json",
            "unrelated-sfdx-project.json",
            "apex-run-test-async-stub.json",
            "unrelated-package.xml",
        ] {
            match data(name) {
                Err(Error::UnknownResultFormat { path }) => {
                    assert!(path.ends_with(name), "{name}: error names {path:?}")
                }
                other => panic!("{name}: expected UnknownResultFormat, got {other:?}"),
            }
        }
    }

    #[test]
    fn bom_and_leading_whitespace_are_accepted() {
        let run = parse_results(
            Path::new("bom.xml"),
            b"\xEF\xBB\xBF\n  <testsuite name=\"s\"><testcase classname=\"A\" name=\"m\"/></testsuite>",
        )
        .expect("junit");
        assert_eq!(run.tests.len(), 1);
    }

    #[test]
    fn truncated_and_mangled_files_never_panic() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/results");
        for entry in std::fs::read_dir(&dir).expect("fixtures") {
            let bytes = std::fs::read(entry.expect("entry").path()).expect("fixture");
            for cut in (0..bytes.len()).step_by(41) {
                let _ = parse_results(Path::new("cut"), &bytes[..cut]);
                let mut mangled = bytes.clone();
                mangled[cut] = b'"';
                let _ = parse_results(Path::new("mangled"), &mangled);
            }
        }
    }

    #[test]
    fn missing_file_is_unreadable() {
        let err = read_results(Path::new("/nonexistent/impact/results.json")).unwrap_err();
        assert!(matches!(err, Error::UnreadableFile { .. }));
    }
}
