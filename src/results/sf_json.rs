//! Reader for the `sf` CLI's JSON: test runs (`sf apex|logic run|get test --json`) and
//! deploy reports (`sf project deploy start|validate|report --json`).
//!
//! The shapes are loose and vary by CLI version and API path (reference/formats.md §4.1,
//! §4.4): numbers come as numbers or strings, lists as arrays, single objects or `null`,
//! nil as `null` or `{"$": {"xsi:nil": "true"}}`, and any field may be missing. So this
//! reader walks `serde_json::Value` with small tolerant helpers instead of typed structs,
//! and skips a row it cannot name rather than failing the file.
//!
//! It does not read the error envelope (`status` ≠ 0 without `result`), the async stub
//! (`{"testRunId": …}` alone) or the `--output-dir` coverage side files: those carry no
//! results, and the caller reports them as an unknown format.

use serde_json::Value;

use super::{
    non_empty, split_namespace, ClassCoverage, CoverageWarning, CoveredKind, Outcome, ResultFormat,
    TestCoverage, TestKind, TestResult, TestRun,
};

/// Parses `sf` JSON; `None` when the bytes are not JSON or not one of the known shapes.
/// `content_id` is the run id to use when the file has none.
pub(crate) fn parse(bytes: &[u8], content_id: &str) -> Option<TestRun> {
    let root: Value = serde_json::from_slice(bytes).ok()?;
    if !root.is_object() {
        return None;
    }
    // The CLI wraps everything in `{"status", "result", "warnings"}`; files written by
    // `--output-dir` hold the bare result, so accept both.
    let payload = match root.get("result") {
        Some(result) if result.is_object() => result,
        _ => &root,
    };
    if field(payload, "summary").is_some_and(Value::is_object) {
        return Some(parse_test_run(payload, content_id));
    }
    let details = field(payload, "details");
    let run_test_result = details
        .and_then(|d| field(d, "runTestResult"))
        .or_else(|| field(payload, "runTestResult"));
    if run_test_result.is_some()
        || (details.is_some_and(Value::is_object) && field(payload, "id").is_some())
    {
        return Some(parse_deploy(payload, run_test_result, content_id));
    }
    None
}

/// Reads `result` of `sf apex|logic run|get test --json`.
fn parse_test_run(payload: &Value, content_id: &str) -> TestRun {
    let summary = field(payload, "summary");
    let coverage = field(payload, "coverage");
    let run_id = summary
        .and_then(|s| text(field(s, "testRunId")))
        .unwrap_or_else(|| content_id.to_string());
    let started_at = summary.and_then(|s| text(field(s, "testStartTime")));
    let org_wide_coverage = summary
        .and_then(|s| percent(field(s, "orgWideCoverage")))
        .or_else(|| {
            coverage
                .and_then(|c| field(c, "summary"))
                .and_then(|s| percent(field(s, "orgWideCoverage")))
        });

    let tests = items(field(payload, "tests"))
        .into_iter()
        .filter_map(test_run_row)
        .collect();

    let class_coverage = coverage
        .map(|c| items(field(c, "coverage")))
        .unwrap_or_default()
        .into_iter()
        .filter_map(test_run_class_coverage)
        .collect();
    let test_coverage = coverage
        .map(|c| items(field(c, "records")))
        .unwrap_or_default()
        .into_iter()
        .filter_map(test_run_record)
        .collect();

    TestRun {
        format: ResultFormat::SfTestRun,
        run_id,
        started_at,
        tests,
        class_coverage,
        test_coverage,
        org_wide_coverage,
        coverage_warnings: Vec::new(),
        total_time_ms: summary.and_then(|s| duration_ms(field(s, "testTotalTime"))),
    }
}

/// One element of `result.tests[]`; `None` when it names no class or method.
pub(super) fn test_run_row(row: &Value) -> Option<TestResult> {
    let kind = match text(field(row, "Category")) {
        Some(category) if category.eq_ignore_ascii_case("flow") => TestKind::Flow,
        _ => TestKind::Apex,
    };
    let apex_class = field(row, "ApexClass");
    let class_field = apex_class.and_then(|c| text(field(c, "Name")));
    let ns_field = apex_class.and_then(|c| text(field(c, "NamespacePrefix")));
    // `FullName` is `<ns.>Class.method`, or `ns__Class.method` for failures of a
    // synchronous run (formats.md §7.7): the fallback for missing fields and the only
    // place a synchronous run may name the namespace.
    let full_name = text(field(row, "FullName"));
    let (full_class, full_method) = match full_name.as_deref().and_then(|f| f.rsplit_once('.')) {
        Some((class, method)) => {
            let class = class.strip_prefix("FlowTesting.").unwrap_or(class);
            (Some(split_namespace(class, None)), Some(method.to_string()))
        }
        None => (None, None),
    };
    let method_name = text(field(row, "MethodName")).or(full_method)?;
    let (class_name, mut namespace) = match class_field {
        Some(name) => split_namespace(&name, ns_field.as_deref()),
        None => full_class.clone()?,
    };
    if namespace.is_none() {
        if let Some((full_class, Some(ns))) = full_class {
            if full_class.eq_ignore_ascii_case(&class_name) {
                namespace = Some(ns);
            }
        }
    }
    let message = non_empty(text(field(row, "Message")));
    let outcome = outcome(text(field(row, "Outcome")).as_deref(), message.is_some());
    let duration_ms = match (kind, uint(field(row, "RunTime"))) {
        // Flow results always report 0 (formats.md §4.1): that is "unknown", not "fast".
        (TestKind::Flow, Some(0)) => None,
        (_, duration) => duration,
    };
    Some(TestResult {
        kind,
        class_name,
        method_name,
        outcome,
        duration_ms,
        message,
        stack_trace: non_empty(text(field(row, "StackTrace"))),
        namespace,
    })
}

/// Maps the `Outcome` text; an unknown value counts as failed when there is a message,
/// else as not run, so nothing unknown ever reads as a pass.
fn outcome(value: Option<&str>, has_message: bool) -> Outcome {
    match value.map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("pass") || v.eq_ignore_ascii_case("passed") => {
            Outcome::Pass
        }
        Some(v) if v.eq_ignore_ascii_case("fail") || v.eq_ignore_ascii_case("failed") => {
            Outcome::Fail
        }
        Some(v) if v.eq_ignore_ascii_case("compilefail") => Outcome::CompileFail,
        Some(v) if v.eq_ignore_ascii_case("skip") || v.eq_ignore_ascii_case("skipped") => {
            Outcome::Skip
        }
        _ if has_message => Outcome::Fail,
        _ => Outcome::Skip,
    }
}

/// One element of `result.coverage.coverage[]`.
fn test_run_class_coverage(row: &Value) -> Option<ClassCoverage> {
    let (name, _) = split_namespace(&text(field(row, "name"))?, None);
    // Salesforce ids start with a key prefix: 01p is ApexClass, 01q is ApexTrigger.
    let kind = match text(field(row, "id")) {
        Some(id) if id.starts_with("01p") => CoveredKind::Class,
        Some(id) if id.starts_with("01q") => CoveredKind::Trigger,
        _ => CoveredKind::Unknown,
    };
    let line_map = field(row, "lines").and_then(Value::as_object);
    let lines_total = uint(field(row, "totalLines"))
        .or_else(|| line_map.map(|m| m.len() as u64))
        .unwrap_or(0);
    let lines_covered = uint(field(row, "totalCovered"))
        .or_else(|| {
            line_map.map(|m| m.values().filter(|v| uint(Some(v)) == Some(1)).count() as u64)
        })
        .unwrap_or(0);
    Some(ClassCoverage {
        name,
        kind,
        lines_covered: clamp(lines_covered),
        lines_total: clamp(lines_total),
    })
}

/// One element of `result.coverage.records[]` (a test method × class or trigger).
pub(super) fn test_run_record(row: &Value) -> Option<TestCoverage> {
    let test_class = field(row, "ApexTestClass").and_then(|c| text(field(c, "Name")))?;
    let covered = field(row, "ApexClassOrTrigger").and_then(|c| text(field(c, "Name")))?;
    let test_method = text(field(row, "TestMethodName"))?;
    let line_lists = field(row, "Coverage");
    let mut lines: Vec<u32> = line_lists
        .map(|c| items_any(field(c, "coveredLines")))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| uint(Some(v)))
        .map(clamp)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let uncovered_listed = line_lists.map(|c| items_any(field(c, "uncoveredLines")).len() as u64);
    let lines_covered = uint(field(row, "NumLinesCovered")).unwrap_or(lines.len() as u64);
    let lines_uncovered = uint(field(row, "NumLinesUncovered"))
        .or(uncovered_listed)
        .unwrap_or(0);
    Some(TestCoverage {
        test_class: split_namespace(&test_class, None).0,
        test_method,
        covered: split_namespace(&covered, None).0,
        lines_covered: clamp(lines_covered),
        lines_total: clamp(lines_covered.saturating_add(lines_uncovered)),
        lines,
    })
}

/// Reads `result` of `sf project deploy … --json`.
fn parse_deploy(payload: &Value, rtr: Option<&Value>, content_id: &str) -> TestRun {
    let run_id = text(field(payload, "id")).unwrap_or_else(|| content_id.to_string());
    let started_at =
        text(field(payload, "startDate")).or_else(|| text(field(payload, "createdDate")));
    let mut tests = Vec::new();
    let mut class_coverage = Vec::new();
    let mut coverage_warnings = Vec::new();
    let total_time_ms = rtr.and_then(|rtr| uint(field(rtr, "totalTime")));
    if let Some(rtr) = rtr {
        tests.extend(
            items(field(rtr, "successes"))
                .into_iter()
                .filter_map(|r| deploy_row(r, false)),
        );
        tests.extend(
            items(field(rtr, "failures"))
                .into_iter()
                .filter_map(|r| deploy_row(r, true)),
        );
        class_coverage.extend(
            items(field(rtr, "codeCoverage"))
                .into_iter()
                .filter_map(deploy_coverage),
        );
        for warning in items(field(rtr, "codeCoverageWarnings")) {
            if let Some(message) = non_empty(text(field(warning, "message"))) {
                let name = text(field(warning, "name"))
                    .map(|n| split_namespace(&n, None).0)
                    .filter(|n| !n.is_empty());
                coverage_warnings.push(CoverageWarning { name, message });
            }
        }
        for warning in items(field(rtr, "flowCoverageWarnings")) {
            if let Some(message) = non_empty(text(field(warning, "message"))) {
                let name = non_empty(text(field(warning, "flowName")));
                coverage_warnings.push(CoverageWarning { name, message });
            }
        }
    }
    TestRun {
        format: ResultFormat::SfDeploy,
        run_id,
        started_at,
        tests,
        class_coverage,
        test_coverage: Vec::new(),
        org_wide_coverage: None,
        coverage_warnings,
        total_time_ms,
    }
}

/// One element of `runTestResult.successes[]` or `.failures[]`.
fn deploy_row(row: &Value, failed: bool) -> Option<TestResult> {
    let (class_name, namespace) = split_namespace(
        &text(field(row, "name"))?,
        text(field(row, "namespace")).as_deref(),
    );
    let method_name = text(field(row, "methodName"))?;
    Some(TestResult {
        kind: TestKind::Apex,
        class_name,
        method_name,
        outcome: if failed { Outcome::Fail } else { Outcome::Pass },
        duration_ms: uint(field(row, "time")),
        message: if failed {
            non_empty(text(field(row, "message")))
        } else {
            None
        },
        stack_trace: if failed {
            non_empty(text(field(row, "stackTrace")))
        } else {
            None
        },
        namespace,
    })
}

/// One element of `runTestResult.codeCoverage[]`: covered = locations − not covered.
fn deploy_coverage(row: &Value) -> Option<ClassCoverage> {
    let (name, _) = split_namespace(&text(field(row, "name"))?, None);
    let kind = match text(field(row, "type")) {
        Some(t) if t.eq_ignore_ascii_case("class") => CoveredKind::Class,
        Some(t) if t.eq_ignore_ascii_case("trigger") => CoveredKind::Trigger,
        _ => CoveredKind::Unknown,
    };
    let total = uint(field(row, "numLocations")).unwrap_or(0);
    let not_covered = uint(field(row, "numLocationsNotCovered"))
        .unwrap_or_else(|| items(field(row, "locationsNotCovered")).len() as u64);
    Some(ClassCoverage {
        name,
        kind,
        lines_covered: clamp(total.saturating_sub(not_covered)),
        lines_total: clamp(total),
    })
}

/// True for JSON null and the SOAP nil marker `{"$": {"xsi:nil": "true"}}`.
fn is_nil(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map
            .get("$")
            .and_then(|attrs| attrs.get("xsi:nil"))
            .is_some_and(|nil| {
                nil.as_bool() == Some(true)
                    || nil.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
            }),
        _ => false,
    }
}

/// The value at `key`, or `None` when it is missing or nil.
pub(super) fn field<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.get(key).filter(|v| !is_nil(v))
}

/// A scalar as text (strings as they are, numbers and booleans printed); `None` when
/// missing, nil, empty or not a scalar.
pub(super) fn text(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A non-negative whole number from a number or a string such as `"95"`, `"95.0"` or
/// `"1523 ms"`; fractions are rounded.
fn uint(value: Option<&Value>) -> Option<u64> {
    let number = match value? {
        Value::Number(n) => n.as_u64().map(|u| u as f64).or_else(|| n.as_f64())?,
        Value::String(s) => s.trim().trim_end_matches("ms").trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (number.is_finite() && number >= 0.0).then(|| number.round() as u64)
}

/// A duration in milliseconds from a number (milliseconds) or a string such as
/// `"2210 ms"`, `"58.2 s"` or `"1570.0"` (the summaries of `sf apex run test` write
/// either unit).
fn duration_ms(value: Option<&Value>) -> Option<u64> {
    if let Some(Value::String(s)) = value {
        if let Some(seconds) = s
            .trim()
            .strip_suffix(" s")
            .or_else(|| s.trim().strip_suffix('s'))
        {
            if !seconds.ends_with('m') {
                let seconds: f64 = seconds.trim().parse().ok()?;
                return (seconds.is_finite() && seconds >= 0.0)
                    .then(|| (seconds * 1000.0).round() as u64);
            }
        }
    }
    uint(value)
}

/// A percentage from a number or a string such as `"78%"`.
fn percent(value: Option<&Value>) -> Option<f64> {
    let number = match value? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().trim_end_matches('%').trim().parse::<f64>().ok()?,
        _ => return None,
    };
    number.is_finite().then_some(number)
}

/// The objects of a list that may be an array, a single object, nil or missing.
fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(list)) => list
            .iter()
            .filter(|v| v.is_object() && !is_nil(v))
            .collect(),
        Some(v @ Value::Object(_)) if !is_nil(v) => vec![v],
        _ => Vec::new(),
    }
}

/// The elements of a list of scalars that may be an array, a single value or missing.
fn items_any(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(v) if !is_nil(v) => vec![v],
        _ => Vec::new(),
    }
}

/// Line counts beyond `u32` are not real; saturate instead of wrapping.
fn clamp(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn helpers_accept_loose_shapes() {
        assert_eq!(uint(Some(&json!(95))), Some(95));
        assert_eq!(uint(Some(&json!("95"))), Some(95));
        assert_eq!(uint(Some(&json!("1523 ms"))), Some(1523));
        assert_eq!(uint(Some(&json!(12.6))), Some(13));
        assert_eq!(uint(Some(&json!(-1))), None);
        assert_eq!(uint(Some(&json!("n/a"))), None);
        assert_eq!(percent(Some(&json!("78%"))), Some(78.0));
        assert_eq!(duration_ms(Some(&json!("2210 ms"))), Some(2210));
        assert_eq!(duration_ms(Some(&json!("58.2 s"))), Some(58_200));
        assert_eq!(duration_ms(Some(&json!("1.87s"))), Some(1870));
        assert_eq!(duration_ms(Some(&json!("1570.0"))), Some(1570));
        assert_eq!(duration_ms(Some(&json!(830))), Some(830));
        assert_eq!(duration_ms(Some(&json!("-3 s"))), None);
        assert_eq!(percent(Some(&json!(81.5))), Some(81.5));
        assert_eq!(items(Some(&json!({"a": 1}))).len(), 1);
        assert_eq!(items(Some(&json!([{"a": 1}, null, 3]))).len(), 1);
        assert!(items(Some(&json!(null))).is_empty());
        assert!(items(Some(&json!({"$": {"xsi:nil": "true"}}))).is_empty());
        assert_eq!(text(Some(&json!(""))), None);
        assert_eq!(text(Some(&json!(false))), Some("false".to_string()));
        assert!(field(&json!({"a": {"$": {"xsi:nil": true}}}), "a").is_none());
    }

    #[test]
    fn unknown_outcome_never_reads_as_pass() {
        assert_eq!(outcome(Some("Queued"), false), Outcome::Skip);
        assert_eq!(outcome(None, true), Outcome::Fail);
        assert_eq!(outcome(Some("CompileFail"), true), Outcome::CompileFail);
    }

    #[test]
    fn non_result_json_is_rejected() {
        assert!(parse(br#"{"testRunId": "7071x00000ABCDE"}"#, "c").is_none());
        assert!(parse(br#"{"status": 0, "result": {"testRunId": "7071x"}}"#, "c").is_none());
        assert!(parse(b"[1, 2]", "c").is_none());
        assert!(parse(b"{not json", "c").is_none());
    }
}
