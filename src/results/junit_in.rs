//! Reader for JUnit XML: the `sf` CLI's (`--result-format junit`, deploy `--junit`) and any
//! other producer's (Maven Surefire, pytest, `impact junit` itself).
//!
//! The root is `<testsuites>` or `<testsuite>`; suites may nest. Each `<testcase>` gives
//! one result: `<failure>` fails it, `<error>` fails it too (a compile failure when its
//! `type` says "compile"), `<skipped>`/`<disabled>` or a `status` of skipped, disabled
//! or ignored skip it; the most severe wins when several are present. `time` is in
//! seconds and becomes milliseconds. Surefire's `flakyFailure`/`rerunFailure` are ignored:
//! the case passed on retry.
//!
//! Namespaces (`ns.Class`, `ns__Class`) are split off only in Salesforce JUnit (a
//! `force.apex` suite, an `orgId`/`testRunId` property, or `impact`'s own), because in
//! other producers' files a dotted classname is a package path. Every JUnit result is
//! recorded as [`TestKind::Apex`] except classnames `FlowTesting.<Flow>`, which are
//! Flow tests.
//!
//! It does not read `<properties>` beyond the run id, nor `system-out`.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{non_empty, split_namespace, Outcome, ResultFormat, TestKind, TestResult, TestRun};

/// A `<failure>`, `<error>` or `<skipped>` being read.
struct ResultElement {
    outcome: Outcome,
    message: Option<String>,
    type_name: Option<String>,
    text: String,
}

/// A `<testcase>` being read.
struct Case {
    classname: Option<String>,
    name: Option<String>,
    time: Option<String>,
    suite: Option<String>,
    status_skipped: bool,
    results: Vec<ResultElement>,
}

/// What the whole file says about itself.
#[derive(Default)]
struct RunInfo {
    salesforce: bool,
    run_id: Option<String>,
    started_at: Option<String>,
    /// The `sf` CLI's `testTotalTime` property, else the root's `time`.
    total_time_ms: Option<u64>,
    root_time_ms: Option<u64>,
}

/// Parses JUnit XML; `None` when the bytes are not well-formed XML or the root is not
/// `testsuites`/`testsuite`. `content_id` is the run id when the file has none.
pub(crate) fn parse(bytes: &[u8], content_id: &str) -> Option<TestRun> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut reading = Reading::default();
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match event {
            Event::Start(ref start) => reading.start(start, false)?,
            Event::Empty(ref start) => reading.start(start, true)?,
            Event::End(ref end) => reading.end(end.local_name().as_ref())?,
            // Only the text of a result element is kept (and decoded).
            Event::Text(text) if reading.in_result() => {
                reading.push_text(&text.xml_content().ok()?)
            }
            Event::CData(cdata) if reading.in_result() => {
                reading.push_text(&cdata.xml_content().ok()?)
            }
            Event::GeneralRef(reference) if reading.in_result() => {
                let text = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    _ => {
                        let name = reference.decode().ok()?;
                        match resolve_predefined_entity(&name) {
                            Some(resolved) => resolved.to_string(),
                            // An entity we cannot resolve stays visible as written.
                            None => format!("&{name};"),
                        }
                    }
                };
                reading.push_text(&text);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    reading.finish(content_id)
}

/// The state of reading one JUnit file, event by event.
#[derive(Default)]
struct Reading {
    info: RunInfo,
    /// Names of the open `<testsuite>` elements, innermost last.
    suites: Vec<Option<String>>,
    cases: Vec<Case>,
    /// The open `<testcase>`.
    case: Option<Case>,
    /// The open `<failure>`, `<error>`, `<skipped>` or `<disabled>` of the open case.
    element: Option<ResultElement>,
    seen_root: bool,
    /// Open elements; a file that ends with some still open was cut short.
    depth: usize,
}

impl Reading {
    /// A start tag (or an empty element); `None` when the root is not a test suite.
    fn start(&mut self, start: &BytesStart<'_>, is_empty: bool) -> Option<()> {
        if !is_empty {
            self.depth += 1;
        }
        let local = start.local_name();
        let name = local.as_ref();
        if !self.seen_root {
            if name != b"testsuites" && name != b"testsuite" {
                return None;
            }
            self.seen_root = true;
            self.info.root_time_ms = attr(start, b"time").and_then(|t| seconds_to_ms(&t));
        }
        match name {
            b"testsuites" if attr(start, b"name").is_some_and(|n| n == "impact") => {
                self.info.salesforce = true;
            }
            b"testsuite" => {
                let suite_name = attr(start, b"name");
                if suite_name.as_deref() == Some("force.apex") {
                    self.info.salesforce = true;
                }
                if self.info.started_at.is_none() {
                    self.info.started_at = non_empty(attr(start, b"timestamp"));
                }
                if !is_empty {
                    self.suites.push(suite_name);
                }
            }
            b"property" if self.case.is_none() => self.property(start),
            b"testcase" => self.start_case(start, is_empty),
            b"failure" | b"error" | b"skipped" | b"disabled" if self.case.is_some() => {
                self.start_result(name, start, is_empty)
            }
            _ => {}
        }
        Some(())
    }

    /// A run-level `<property>`: the `sf` CLI's run id, org id and total time.
    fn property(&mut self, start: &BytesStart<'_>) {
        let key = attr(start, b"name").unwrap_or_default();
        let value = non_empty(attr(start, b"value"));
        match key.as_str() {
            "testRunId" => {
                self.info.salesforce = true;
                if self.info.run_id.is_none() {
                    self.info.run_id = value;
                }
            }
            "orgId" => self.info.salesforce = true,
            "testTotalTime" => {
                self.info.total_time_ms = value.as_deref().and_then(sf_seconds_to_ms)
            }
            _ => {}
        }
    }

    fn start_case(&mut self, start: &BytesStart<'_>, is_empty: bool) {
        let status = attr(start, b"status").unwrap_or_default().to_lowercase();
        let new_case = Case {
            classname: non_empty(attr(start, b"classname")),
            name: non_empty(attr(start, b"name")),
            time: attr(start, b"time"),
            suite: self.suites.last().cloned().flatten(),
            status_skipped: matches!(
                status.as_str(),
                "skipped" | "disabled" | "ignored" | "notrun"
            ),
            results: Vec::new(),
        };
        if is_empty {
            self.cases.push(new_case);
        } else {
            self.case = Some(new_case);
        }
    }

    fn start_result(&mut self, name: &[u8], start: &BytesStart<'_>, is_empty: bool) {
        let type_name = non_empty(attr(start, b"type"));
        let compile = type_name
            .as_deref()
            .is_some_and(|t| t.to_lowercase().contains("compile"));
        let outcome = match name {
            b"skipped" | b"disabled" => Outcome::Skip,
            _ if compile => Outcome::CompileFail,
            _ => Outcome::Fail,
        };
        let result = ResultElement {
            outcome,
            message: non_empty(attr(start, b"message")),
            type_name,
            text: String::new(),
        };
        match (&mut self.case, is_empty) {
            (Some(c), true) => c.results.push(result),
            _ => self.element = Some(result),
        }
    }

    /// An end tag; `None` when it closes more than was opened.
    fn end(&mut self, name: &[u8]) -> Option<()> {
        self.depth = self.depth.checked_sub(1)?;
        match name {
            b"testsuite" => {
                self.suites.pop();
            }
            b"testcase" => {
                if let Some(mut c) = self.case.take() {
                    if let Some(e) = self.element.take() {
                        c.results.push(e);
                    }
                    self.cases.push(c);
                }
            }
            b"failure" | b"error" | b"skipped" | b"disabled" => {
                if let (Some(c), Some(e)) = (&mut self.case, self.element.take()) {
                    c.results.push(e);
                }
            }
            _ => {}
        }
        Some(())
    }

    /// Whether a result element is open: its text is the failure's stack trace.
    fn in_result(&self) -> bool {
        self.element.is_some()
    }

    /// Text inside a result element (a failure's stack trace); other text is ignored.
    fn push_text(&mut self, text: &str) {
        if let Some(e) = &mut self.element {
            e.text.push_str(text);
        }
    }

    /// The run read; `None` when the file had no root or was cut short.
    fn finish(self, content_id: &str) -> Option<TestRun> {
        if !self.seen_root || self.depth != 0 {
            return None;
        }
        let salesforce = self.info.salesforce;
        let tests = self
            .cases
            .into_iter()
            .filter_map(|c| to_result(c, salesforce))
            .collect();
        Some(TestRun {
            format: ResultFormat::Junit,
            run_id: self.info.run_id.unwrap_or_else(|| content_id.to_string()),
            started_at: self.info.started_at,
            tests,
            class_coverage: Vec::new(),
            test_coverage: Vec::new(),
            org_wide_coverage: None,
            coverage_warnings: Vec::new(),
            total_time_ms: self.info.total_time_ms.or(self.info.root_time_ms),
        })
    }
}

/// Turns a read `<testcase>` into a result; `None` when it names no test.
fn to_result(case: Case, salesforce: bool) -> Option<TestResult> {
    let method_name = case.name?.trim().to_string();
    let classname = case.classname.or(case.suite)?.trim().to_string();
    if method_name.is_empty() || classname.is_empty() {
        return None;
    }
    let (kind, classname) = match classname.strip_prefix("FlowTesting.") {
        Some(flow) => (TestKind::Flow, flow.to_string()),
        None => (TestKind::Apex, classname),
    };
    let (class_name, namespace) = if salesforce || kind == TestKind::Flow {
        split_namespace(&classname, None)
    } else {
        (classname, None)
    };
    let worst = case
        .results
        .into_iter()
        .max_by_key(|r| r.outcome.severity());
    let (outcome, message, stack_trace) = match worst {
        Some(r) => {
            let text = r.text.trim().to_string();
            let message = r
                .message
                .or_else(|| {
                    text.lines()
                        .map(str::trim)
                        .find(|l| !l.is_empty())
                        .map(str::to_string)
                })
                .or(r.type_name);
            let stack = if r.outcome == Outcome::Skip {
                None
            } else {
                non_empty(Some(text))
            };
            (r.outcome, message, stack)
        }
        None if case.status_skipped => (Outcome::Skip, None, None),
        None => (Outcome::Pass, None, None),
    };
    Some(TestResult {
        kind,
        class_name,
        method_name,
        outcome,
        duration_ms: case.time.as_deref().and_then(seconds_to_ms),
        message,
        stack_trace,
        namespace,
    })
}

/// `time="0.41"` (seconds) as whole milliseconds; `None` for anything not a
/// non-negative number.
fn seconds_to_ms(text: &str) -> Option<u64> {
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| (seconds * 1000.0).round() as u64)
}

/// The `sf` CLI's JUnit property times: `1.87 s` or `2210 ms`.
fn sf_seconds_to_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.strip_suffix("ms") {
        Some(ms) => ms.trim().parse::<u64>().ok(),
        None => seconds_to_ms(text.trim_end_matches('s')),
    }
}

/// An attribute's unescaped value; the raw text when it holds an unknown entity.
fn attr(start: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    let attribute = start.try_get_attribute(name).ok()??;
    match attribute.unescape_value() {
        Ok(value) => Some(value.into_owned()),
        Err(_) => Some(String::from_utf8_lossy(&attribute.value).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_become_milliseconds() {
        assert_eq!(sf_seconds_to_ms("1.87 s"), Some(1870));
        assert_eq!(sf_seconds_to_ms("2210 ms"), Some(2210));
        assert_eq!(sf_seconds_to_ms("soon"), None);
        assert_eq!(seconds_to_ms("0.41"), Some(410));
        assert_eq!(seconds_to_ms(" 1.2345 "), Some(1235));
        assert_eq!(seconds_to_ms("-1"), None);
        assert_eq!(seconds_to_ms("fast"), None);
    }

    #[test]
    fn other_roots_and_broken_xml_are_rejected() {
        assert!(parse(b"<?xml version=\"1.0\"?><Package><types/></Package>", "c").is_none());
        assert!(parse(b"<testsuites><testsuite name=\"a\">", "c").is_none());
        assert!(
            parse(b"<testsuites><testsuite name=\"a\"/></testsuites>", "c")
                .is_some_and(|r| r.tests.is_empty())
        );
        assert!(parse(
            b"<testsuites><testcase name='a' classname='B'></testsuites>",
            "c"
        )
        .is_none());
        assert!(parse(b"<!-- only a comment -->", "c").is_none());
    }

    #[test]
    fn entities_in_text_are_resolved() {
        let xml = br#"<testsuite name="s"><testcase classname="A" name="m"><failure>a &lt; b &#65;&amp;</failure></testcase></testsuite>"#;
        let run = parse(xml, "c").expect("junit");
        assert_eq!(run.tests[0].stack_trace.as_deref(), Some("a < b A&"));
        assert_eq!(run.tests[0].message.as_deref(), Some("a < b A&"));
    }
}
