//! `impact junit`: test results written as JUnit XML that GitHub's JUnit reporters
//! (dorny/test-reporter, mikepenz/action-junit-report, EnricoMi/publish-unit-test-result-action)
//! read correctly, unlike the `sf` CLI's own JUnit (reference/formats.md §4.2, §6.1).
//!
//! Shape: `<testsuites name="impact">` holding one `<testsuite>` per Apex test class
//! (`ns.Class` when namespaced) and one per flow (`FlowTesting.<Flow>`), Apex suites
//! first, each sorted by case-folded name. Each result is one `<testcase>` with
//! `classname` (the suite name), `name` (method or Flow test), `time` (seconds, three
//! decimals), `file` and `line` where known; `Fail` gives `<failure>`, `CompileFail`
//! gives `<error>` (EnricoMi shows errors at failure level), `Skip` gives `<skipped/>`.
//! Every count on a suite and on the root is computed from the cases written, so they
//! always add up; the root's `time` is the runs' own total (`testTotalTime`, a deploy's
//! `totalTime`) when every file says it, since the tests' times leave out setup and
//! overlap. A test present in several runs (a retry) is written once per result:
//! mikepenz reads same-name cases as retries.
//!
//! Failures carry the whole Salesforce message (`System.AssertException: Assertion
//! Failed: …`) in `message` and no `type`: mikepenz ignores `type` and EnricoMi does not
//! show it. Their text starts with a Java-style frame for the test's own `file:line`
//! (`at classes.FooTest.method(FooTest.cls:41)`), the only location dorny/test-reporter
//! reads, then Salesforce's stack trace.
//!
//! With a plan, the testcases (and the suite of a planned Apex class) carry
//! `<properties>` `impact.rank` and `impact.reason`; a planned Apex class or Flow test
//! without any result becomes a testcase failing with "planned but not run" (per method
//! when the plan names the test methods). LWC Jest tests of the plan are left out: the
//! `sf` result files never contain them.
//!
//! Coverage that fails a deploy (see [`crate::gate::deploy_coverage_failures`]) becomes
//! failing testcases of a last suite, `Coverage`, so that every reporter shows a deploy
//! that failed on coverage as failed although all its tests passed.
//!
//! Written with `quick-xml`'s writer rather than the `junit-report` crate: junit-report
//! 0.9 has no `line` attribute, no `<properties>`, no `skipped` count and no totals on
//! the root, stamps every suite with a timestamp (the current time unless set, so output
//! is not reproducible), prints `time` as an unrounded float, and pulls in a second
//! quick-xml (0.41) and `time`.
//!
//! This module reads nothing from disk and decides nothing about the release (that is
//! [`crate::gate`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;

use super::plan::{Plan, Test};
use crate::gate::CoverageFailure;
use crate::results::{Outcome, TestKind, TestResult, TestRun};

/// The failure message of a planned test that has no result.
pub const NOT_RUN_MESSAGE: &str = "planned but not run";

/// The name of the suite of coverage failures (and the `classname` of its cases).
pub const COVERAGE_SUITE: &str = "Coverage";

/// Where the repository declares each test, for the `file` and `line` attributes.
///
/// Keys are case-insensitive. The caller fills it from the graph; the plan's own
/// `file` of each test is used when the index has no entry.
#[derive(Clone, Debug, Default)]
pub struct SourceIndex {
    classes: HashMap<String, String>,
    methods: HashMap<(String, String), u32>,
    flow_tests: HashMap<String, String>,
}

impl SourceIndex {
    /// An empty index: no `file` or `line` beyond what the plan says.
    pub fn new() -> SourceIndex {
        SourceIndex::default()
    }

    /// Records the repository path of an Apex class (`force-app/…/FooTest.cls`).
    pub fn add_class(&mut self, class: &str, path: &str) {
        self.classes.insert(fold(class), path.to_string());
    }

    /// Records the line that declares a test method of an Apex class.
    pub fn add_method(&mut self, class: &str, method: &str, line: u32) {
        self.methods.insert((fold(class), fold(method)), line);
    }

    /// Records the repository path of a Flow test (`…/Foo.flowtest-meta.xml`), by the
    /// Flow test's API name (unique in an org).
    pub fn add_flow_test(&mut self, test: &str, path: &str) {
        self.flow_tests.insert(fold(test), path.to_string());
    }

    /// The path of an Apex class, if known.
    pub fn class_file(&self, class: &str) -> Option<&str> {
        self.classes.get(&fold(class)).map(String::as_str)
    }

    /// The declaring line of an Apex test method, if known.
    pub fn method_line(&self, class: &str, method: &str) -> Option<u32> {
        self.methods.get(&(fold(class), fold(method))).copied()
    }

    /// The path of a Flow test, if known.
    pub fn flow_test_file(&self, test: &str) -> Option<&str> {
        self.flow_tests.get(&fold(test)).map(String::as_str)
    }
}

/// Renders the results of `runs` (and, with `plan`, the planned tests that did not run,
/// and `coverage`, the coverage failures of a deploy) as one JUnit XML document ending
/// with a newline. Same input, same bytes.
pub fn render_junit(
    runs: &[TestRun],
    plan: Option<&Plan>,
    coverage: &[CoverageFailure],
    sources: &SourceIndex,
) -> String {
    let planned = PlannedIndex::new(plan);
    let mut suites = Suites::default();
    let ran = suites.add_results(runs, &planned, sources);
    suites.add_not_run(&planned, &ran, sources);
    suites.add_coverage(coverage, sources);
    let total_ms = if runs.is_empty() {
        None
    } else {
        runs.iter().try_fold(0u64, |sum, run| {
            run.total_time_ms.map(|ms| sum.saturating_add(ms))
        })
    };
    write_document(suites.suites, total_ms)
}

/// What ran: the planned tests (by index) that have a result, and the case-folded
/// (class, method) of every Apex result, for "planned but not run" per method.
#[derive(Default)]
struct Ran {
    tests: HashSet<usize>,
    methods: HashSet<(String, String)>,
}

/// The suites being assembled, and the input order of their cases so far.
#[derive(Default)]
struct Suites<'p> {
    suites: BTreeMap<SuiteKey, Suite<'p>>,
    sequence: usize,
}

impl<'p> Suites<'p> {
    /// The suite of `key`, created empty when new.
    fn suite(&mut self, key: SuiteKey, name: &str) -> &mut Suite<'p> {
        self.suites.entry(key).or_insert_with(|| Suite {
            name: name.to_string(),
            file: None,
            timestamp: None,
            planned: None,
            cases: Vec::new(),
        })
    }

    /// The next case's place in input order.
    fn next(&mut self) -> usize {
        self.sequence += 1;
        self.sequence - 1
    }

    /// A case per result of every run.
    fn add_results(
        &mut self,
        runs: &[TestRun],
        planned: &PlannedIndex<'p>,
        sources: &SourceIndex,
    ) -> Ran {
        let mut ran = Ran::default();
        for run in runs {
            for result in &run.tests {
                let test = planned.find(result);
                if let Some((index, _)) = test {
                    ran.tests.insert(index);
                }
                if result.kind == TestKind::Apex {
                    ran.methods
                        .insert((fold(&result.class_name), fold(&result.method_name)));
                }
                let (key, suite_name) = suite_of(result);
                let sequence = self.next();
                let suite = self.suite(key, &suite_name);
                if suite.timestamp.is_none() {
                    suite.timestamp = run.started_at.clone();
                }
                let file = case_file(result, test.map(|(_, t)| t), sources);
                if result.kind == TestKind::Apex {
                    if suite.file.is_none() {
                        suite.file = file.clone();
                    }
                    if suite.planned.is_none() {
                        suite.planned = test.map(|(_, t)| t);
                    }
                }
                suite.cases.push(Case {
                    sort: (fold(&result.method_name), sequence),
                    classname: suite_name,
                    name: result.method_name.clone(),
                    time_ms: result.duration_ms.unwrap_or(0),
                    file,
                    line: case_line(result, sources),
                    outcome: CaseOutcome::from_result(result),
                    planned: test.map(|(_, t)| t),
                });
            }
        }
        ran
    }

    /// A "not run" case per planned test (or named method) that no result covers.
    fn add_not_run(&mut self, planned: &PlannedIndex<'p>, ran: &Ran, sources: &SourceIndex) {
        for (index, &test) in planned.tests.iter().enumerate() {
            let Some((key, suite_name, kind)) = not_run_identity(test) else {
                continue;
            };
            // Named methods are checked one by one; a class without named methods, or a
            // Flow test, by whether anything of it ran.
            let missing: Vec<String> = if kind == TestKind::Apex && !test.methods.is_empty() {
                test.methods
                    .iter()
                    .filter(|method| !ran.methods.contains(&(fold(&test.name), fold(method))))
                    .cloned()
                    .collect()
            } else if ran.tests.contains(&index) {
                Vec::new()
            } else {
                vec![test.name.clone()]
            };
            if missing.is_empty() {
                continue;
            }
            let file = match kind {
                TestKind::Apex => sources.class_file(&test.name),
                TestKind::Flow => sources.flow_test_file(&test.name),
            }
            .map(str::to_string)
            .or_else(|| test.file.clone());
            let suite = self.suite(key.clone(), &suite_name);
            if kind == TestKind::Apex {
                suite.file = suite.file.take().or_else(|| file.clone());
                suite.planned = suite.planned.or(Some(test));
            }
            for case_name in missing {
                let line = match kind {
                    TestKind::Apex => sources.method_line(&test.name, &case_name),
                    TestKind::Flow => None,
                };
                let sequence = self.next();
                self.suite(key.clone(), &suite_name).cases.push(Case {
                    sort: (fold(&case_name), sequence),
                    classname: suite_name.clone(),
                    name: case_name,
                    time_ms: 0,
                    file: file.clone(),
                    line,
                    outcome: CaseOutcome::NotRun {
                        detail: format!(
                            "impact selected this test (rank {}) but no result file contains it; {}",
                            test.rank,
                            reason_line(test)
                        ),
                    },
                    planned: Some(test),
                });
            }
        }
    }

    /// The coverage failures of a deploy, as a last `Coverage` suite.
    fn add_coverage(&mut self, coverage: &[CoverageFailure], sources: &SourceIndex) {
        if coverage.is_empty() {
            return;
        }
        for failure in coverage {
            let file = sources.class_file(&failure.subject).map(str::to_string);
            // The class as a whole: its first line.
            let line = file.as_ref().map(|_| 1);
            let sequence = self.next();
            let key = (SuiteKind::Coverage, String::new());
            self.suite(key, COVERAGE_SUITE).cases.push(Case {
                sort: (fold(&failure.subject), sequence),
                classname: COVERAGE_SUITE.to_string(),
                name: failure.subject.clone(),
                time_ms: 0,
                file,
                line,
                outcome: CaseOutcome::Coverage {
                    message: failure.message.clone(),
                },
                planned: None,
            });
        }
    }
}

/// Which part of the document a suite belongs to: Apex tests, then Flow tests, then the
/// coverage failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SuiteKind {
    Tests(TestKind),
    Coverage,
}

/// Sort key of a suite: its kind, then the case-folded name.
type SuiteKey = (SuiteKind, String);

/// One `<testsuite>` being assembled.
struct Suite<'p> {
    name: String,
    file: Option<String>,
    timestamp: Option<String>,
    /// The planned test this suite is (Apex classes only).
    planned: Option<&'p Test>,
    cases: Vec<Case<'p>>,
}

/// One `<testcase>` being assembled.
struct Case<'p> {
    /// Case-folded name, then input order: a stable, deterministic order.
    sort: (String, usize),
    classname: String,
    name: String,
    time_ms: u64,
    file: Option<String>,
    line: Option<u32>,
    outcome: CaseOutcome,
    planned: Option<&'p Test>,
}

/// How a testcase ended, with what its result element needs.
enum CaseOutcome {
    Pass,
    Skip {
        message: Option<String>,
    },
    Fail {
        message: String,
        stack: Option<String>,
    },
    CompileFail {
        message: String,
        stack: Option<String>,
    },
    NotRun {
        detail: String,
    },
    /// A coverage rule the deploy broke.
    Coverage {
        message: String,
    },
}

impl CaseOutcome {
    fn from_result(result: &TestResult) -> CaseOutcome {
        // Flow test results never carry a message (formats.md §4.1); an empty
        // `message` attribute reads as no explanation at all in every reporter.
        let message = match (&result.message, result.kind) {
            (Some(message), _) => message.clone(),
            (None, TestKind::Flow) => {
                "Flow test failed (the sf CLI reports no failure text for Flow tests)".into()
            }
            (None, TestKind::Apex) => "test failed without a message".into(),
        };
        let stack = result.stack_trace.clone();
        match result.outcome {
            Outcome::Pass => CaseOutcome::Pass,
            Outcome::Skip => CaseOutcome::Skip {
                message: result.message.clone(),
            },
            Outcome::Fail => CaseOutcome::Fail { message, stack },
            Outcome::CompileFail => CaseOutcome::CompileFail { message, stack },
        }
    }

    fn counts(&self) -> Counts {
        let mut counts = Counts {
            tests: 1,
            ..Counts::default()
        };
        match self {
            CaseOutcome::Pass => {}
            CaseOutcome::Skip { .. } => counts.skipped = 1,
            CaseOutcome::Fail { .. }
            | CaseOutcome::NotRun { .. }
            | CaseOutcome::Coverage { .. } => counts.failures = 1,
            CaseOutcome::CompileFail { .. } => counts.errors = 1,
        }
        counts
    }
}

/// Totals of a suite or of the whole document.
#[derive(Clone, Copy, Default)]
struct Counts {
    tests: u64,
    failures: u64,
    errors: u64,
    skipped: u64,
    time_ms: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
        self.time_ms = self.time_ms.saturating_add(other.time_ms);
    }
}

/// The planned Apex and Flow tests, found by case-folded name.
struct PlannedIndex<'p> {
    tests: Vec<&'p Test>,
    apex: HashMap<String, usize>,
    flow: HashMap<(String, String), usize>,
    flow_by_test: HashMap<String, usize>,
}

impl<'p> PlannedIndex<'p> {
    fn new(plan: Option<&'p Plan>) -> PlannedIndex<'p> {
        let mut index = PlannedIndex {
            tests: Vec::new(),
            apex: HashMap::new(),
            flow: HashMap::new(),
            flow_by_test: HashMap::new(),
        };
        let Some(plan) = plan else {
            return index;
        };
        for test in &plan.tests {
            let position = index.tests.len();
            match test.kind.as_str() {
                "apex" => {
                    index.apex.entry(fold(&test.name)).or_insert(position);
                }
                "flow" => {
                    if let Some(flow) = &test.flow {
                        index
                            .flow
                            .entry((fold(flow), fold(&test.name)))
                            .or_insert(position);
                    }
                    index
                        .flow_by_test
                        .entry(fold(&test.name))
                        .or_insert(position);
                }
                _ => continue,
            }
            index.tests.push(test);
        }
        index
    }

    /// The planned test a result belongs to, with its position in `tests`.
    fn find(&self, result: &TestResult) -> Option<(usize, &'p Test)> {
        let position = match result.kind {
            TestKind::Apex => self.apex.get(&fold(&result.class_name)),
            TestKind::Flow => self
                .flow
                .get(&(fold(&result.class_name), fold(&result.method_name)))
                .or_else(|| self.flow_by_test.get(&fold(&result.method_name))),
        }?;
        self.tests.get(*position).map(|test| (*position, *test))
    }
}

/// The suite key and display name of a result.
fn suite_of(result: &TestResult) -> (SuiteKey, String) {
    let qualified = match &result.namespace {
        Some(ns) => format!("{ns}.{}", result.class_name),
        None => result.class_name.clone(),
    };
    let name = match result.kind {
        TestKind::Apex => qualified,
        TestKind::Flow => format!("FlowTesting.{qualified}"),
    };
    ((SuiteKind::Tests(result.kind), fold(&name)), name)
}

/// Suite key, suite name and kind of a planned test; `None` for kinds the result files
/// never hold (LWC).
fn not_run_identity(test: &Test) -> Option<(SuiteKey, String, TestKind)> {
    match test.kind.as_str() {
        "apex" => Some((
            (SuiteKind::Tests(TestKind::Apex), fold(&test.name)),
            test.name.clone(),
            TestKind::Apex,
        )),
        "flow" => {
            let suite = format!("FlowTesting.{}", test.flow.as_deref().unwrap_or(&test.name));
            Some((
                (SuiteKind::Tests(TestKind::Flow), fold(&suite)),
                suite,
                TestKind::Flow,
            ))
        }
        _ => None,
    }
}

/// The repository file of a result's test: the index first, then the plan.
pub(crate) fn case_file(
    result: &TestResult,
    planned: Option<&Test>,
    sources: &SourceIndex,
) -> Option<String> {
    let known = match result.kind {
        TestKind::Apex => sources.class_file(&result.class_name),
        TestKind::Flow => sources.flow_test_file(&result.method_name),
    };
    known
        .map(str::to_string)
        .or_else(|| planned.and_then(|test| test.file.clone()))
}

/// The line to annotate: for a failing Apex test, the deepest frame of its stack trace
/// that lies in the test class (the assertion or the call that threw), else the line
/// that declares the method.
pub(crate) fn case_line(result: &TestResult, sources: &SourceIndex) -> Option<u32> {
    if result.kind != TestKind::Apex {
        return None;
    }
    let from_trace = result
        .stack_trace
        .as_deref()
        .filter(|_| result.outcome.is_failure())
        .and_then(|trace| frame_line_in(trace, &result.class_name));
    from_trace.or_else(|| sources.method_line(&result.class_name, &result.method_name))
}

/// The line of the first frame `Class.[ns.]<class>[.Inner].method: line N, column M` of
/// an Apex stack trace that names `class`. The first such frame is the one closest to
/// the throw site.
pub fn frame_line_in(trace: &str, class: &str) -> Option<u32> {
    let class = fold(class);
    trace.lines().find_map(|frame| {
        let frame = frame.trim();
        let (location, rest) = frame.split_once(": line ")?;
        let location = location.strip_prefix("Class.")?;
        let parts: Vec<&str> = location.split('.').collect();
        let (_, owners) = parts.split_last()?;
        if !owners.iter().any(|part| fold(part) == class) {
            return None;
        }
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// The first reason of a planned test on one line: its path, or its policy note.
pub fn reason_line(test: &Test) -> String {
    let Some(reason) = test.reasons.first() else {
        return "selected by policy".to_string();
    };
    let path = reason.path.join(" → ");
    let text = match (&reason.note, path.is_empty()) {
        (Some(note), true) => note.clone(),
        (Some(note), false) => format!("{path} ({note})"),
        (None, false) => path,
        (None, true) => "selected by policy".to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Case-folded key for Salesforce names, which are case-insensitive.
fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// Milliseconds as seconds with three decimals, exactly (no float rounding).
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Writes the assembled suites; sorts the cases, computes every count.
fn write_document(suites: BTreeMap<SuiteKey, Suite<'_>>, total_ms: Option<u64>) -> String {
    let mut suites: Vec<Suite<'_>> = suites.into_values().collect();
    let mut total = Counts::default();
    let mut suite_counts = Vec::with_capacity(suites.len());
    for suite in &mut suites {
        suite.cases.sort_by(|a, b| a.sort.cmp(&b.sort));
        let mut counts = Counts::default();
        for case in &suite.cases {
            let mut one = case.outcome.counts();
            one.time_ms = case.time_ms;
            counts.add(one);
        }
        total.add(counts);
        suite_counts.push(counts);
    }

    let mut xml = Xml::new();
    xml.decl();
    let mut root = Element::new("testsuites");
    root.attr("name", "impact");
    if let Some(ms) = total_ms {
        total.time_ms = ms;
    }
    root.counts(total);
    if suites.is_empty() {
        xml.empty(root);
    } else {
        xml.start(root);
        for (suite, counts) in suites.iter().zip(suite_counts) {
            write_suite(&mut xml, suite, counts);
        }
        xml.end("testsuites");
    }
    let mut text = xml.finish();
    text.push('\n');
    text
}

fn write_suite(xml: &mut Xml, suite: &Suite<'_>, counts: Counts) {
    let mut element = Element::new("testsuite");
    element.attr("name", &suite.name);
    element.counts(counts);
    if let Some(timestamp) = &suite.timestamp {
        element.attr("timestamp", timestamp);
    }
    if let Some(file) = &suite.file {
        element.attr("file", file);
    }
    xml.start(element);
    if let Some(test) = suite.planned {
        write_properties(xml, test);
    }
    for case in &suite.cases {
        write_case(xml, case);
    }
    xml.end("testsuite");
}

fn write_case(xml: &mut Xml, case: &Case<'_>) {
    let mut element = Element::new("testcase");
    element.attr("classname", &case.classname);
    element.attr("name", &case.name);
    element.attr("time", &seconds(case.time_ms));
    if let Some(file) = &case.file {
        element.attr("file", file);
    }
    if let Some(line) = case.line {
        element.attr("line", &line.to_string());
    }
    if case.planned.is_none() && matches!(case.outcome, CaseOutcome::Pass) {
        xml.empty(element);
        return;
    }
    xml.start(element);
    if let Some(test) = case.planned {
        write_properties(xml, test);
    }
    match &case.outcome {
        CaseOutcome::Pass => {}
        CaseOutcome::Skip { message } => {
            let mut skipped = Element::new("skipped");
            if let Some(message) = message {
                skipped.attr("message", message);
            }
            xml.empty(skipped);
        }
        CaseOutcome::Fail { message, stack } => {
            let mut failure = Element::new("failure");
            failure.attr("message", message);
            xml.text_element(failure, "failure", &failure_text(case, stack.as_deref()));
        }
        CaseOutcome::CompileFail { message, stack } => {
            let mut error = Element::new("error");
            error.attr("message", message);
            // Tells a compile failure from other errors when the file is read back.
            error.attr("type", "CompileFail");
            xml.text_element(error, "error", &failure_text(case, stack.as_deref()));
        }
        CaseOutcome::NotRun { detail } => {
            let mut failure = Element::new("failure");
            failure.attr("message", NOT_RUN_MESSAGE);
            xml.text_element(failure, "failure", &failure_text(case, Some(detail)));
        }
        CaseOutcome::Coverage { message } => {
            let mut failure = Element::new("failure");
            failure.attr("message", message);
            xml.text_element(failure, "failure", &failure_text(case, None));
        }
    }
    xml.end("testcase");
}

/// The text of a failure: the Java-style frame of the case's own source position, when
/// its file is known, then the rest (Salesforce's stack trace, or the explanation).
fn failure_text(case: &Case<'_>, rest: Option<&str>) -> String {
    let frame = case
        .file
        .as_deref()
        .map(|file| java_frame(&case.name, file, case.line.unwrap_or(1)));
    match (frame, rest.filter(|text| !text.trim().is_empty())) {
        (Some(frame), Some(rest)) => format!("{frame}\n{rest}"),
        (Some(frame), None) => frame,
        (None, Some(rest)) => rest.to_string(),
        (None, None) => String::new(),
    }
}

/// `at classes.InvoiceTest.rejectsNegative(InvoiceTest.cls:41)`: a Java stack frame
/// for `file:line`, the one form of location dorny/test-reporter's `java-junit` parser
/// reads. It finds the file by its name among the repository's files and checks that
/// the frame's package (the lowercase names before the class) matches the file's last
/// directories, so the package is those directories (`classes`, or
/// `main.default.classes`): the trailing ones whose names start with a lowercase letter
/// and hold no dot. The class is the file's name up to its first dot.
pub fn java_frame(method: &str, file: &str, line: u32) -> String {
    let (dirs, file_name) = file.rsplit_once('/').unwrap_or(("", file));
    let mut package: Vec<&str> = dirs
        .rsplit('/')
        .take_while(|dir| {
            dir.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && !dir.contains('.')
        })
        .collect();
    package.reverse();
    let class = file_name.split('.').next().unwrap_or(file_name);
    // A name with spaces or parentheses would end the frame early.
    let method: String = method
        .chars()
        .map(|c| {
            if c.is_whitespace() || "()".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut qualified = package.join(".");
    if !qualified.is_empty() {
        qualified.push('.');
    }
    format!("at {qualified}{class}.{method}({file_name}:{line})")
}

fn write_properties(xml: &mut Xml, test: &Test) {
    xml.start(Element::new("properties"));
    for (name, value) in [
        ("impact.rank", test.rank.to_string()),
        ("impact.reason", reason_line(test)),
    ] {
        let mut property = Element::new("property");
        property.attr("name", name);
        property.attr("value", &value);
        xml.empty(property);
    }
    xml.end("properties");
}

/// A start tag with attributes escaped by [`escape_attr`].
struct Element {
    start: BytesStart<'static>,
}

impl Element {
    fn new(name: &'static str) -> Element {
        Element {
            start: BytesStart::new(name),
        }
    }

    fn attr(&mut self, key: &'static str, value: &str) {
        self.start.push_attribute(Attribute {
            key: QName(key.as_bytes()),
            value: Cow::Owned(escape_attr(value).into_bytes()),
        });
    }

    fn counts(&mut self, counts: Counts) {
        self.attr("tests", &counts.tests.to_string());
        self.attr("failures", &counts.failures.to_string());
        self.attr("errors", &counts.errors.to_string());
        self.attr("skipped", &counts.skipped.to_string());
        self.attr("time", &seconds(counts.time_ms));
    }
}

/// quick-xml's writer over a byte buffer. Writing to a `Vec` cannot fail, so the IO
/// results are dropped.
struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    fn new() -> Xml {
        Xml {
            writer: Writer::new_with_indent(Vec::new(), b' ', 2),
        }
    }

    fn decl(&mut self) {
        let _ = self
            .writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    }

    fn start(&mut self, element: Element) {
        let _ = self.writer.write_event(Event::Start(element.start));
    }

    fn empty(&mut self, element: Element) {
        let _ = self.writer.write_event(Event::Empty(element.start));
    }

    fn end(&mut self, name: &'static str) {
        let _ = self.writer.write_event(Event::End(BytesEnd::new(name)));
    }

    /// An element with text content; empty text gives an empty element.
    fn text_element(&mut self, element: Element, name: &'static str, text: &str) {
        if text.is_empty() {
            self.empty(element);
            return;
        }
        self.start(element);
        let escaped = escape_text(text);
        let _ = self
            .writer
            .write_event(Event::Text(BytesText::from_escaped(escaped)));
        self.end(name);
    }

    fn finish(self) -> String {
        String::from_utf8_lossy(&self.writer.into_inner()).into_owned()
    }
}

/// Escapes an attribute value. Beyond the five entities, line breaks and tabs become
/// character references, since XML parsers turn literal ones into spaces.
fn escape_attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// Escapes element text; line breaks stay as they are.
fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// A character XML 1.0 allows, or U+FFFD for those it forbids (control characters,
/// U+FFFE, U+FFFF), which no escape can express.
fn xml_char(c: char) -> char {
    let forbidden =
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}';
    if forbidden {
        '\u{FFFD}'
    } else {
        c
    }
}

/// Plans, result files and golden-file comparison shared by the report and gate tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::path::{Path, PathBuf};

    use crate::report::plan::*;
    use crate::results::{read_results, TestRun};

    /// Reads one of the files under `tests/data/results/`.
    pub(crate) fn results(name: &str) -> TestRun {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/results")
            .join(name);
        match read_results(&path) {
            Ok(run) => run,
            Err(error) => panic!("{name}: {error}"),
        }
    }

    /// A path under `tests/data/`.
    pub(crate) fn data_path(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(relative)
    }

    /// Compares `actual` with the golden file `tests/data/<relative>`; with
    /// `UPDATE_GOLDEN=1` in the environment, rewrites the file instead.
    pub(crate) fn golden(relative: &str, actual: &str) {
        let path = data_path(relative);
        if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).expect("golden dir");
            }
            std::fs::write(&path, actual).expect("write golden");
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!("missing golden {relative}: run with UPDATE_GOLDEN=1 to create it")
        });
        if expected != actual {
            let diff = similar::TextDiff::from_lines(expected.as_str(), actual);
            panic!(
                "{relative} differs from the golden file (UPDATE_GOLDEN=1 rewrites it):\n{}",
                diff.unified_diff().context_radius(2)
            );
        }
    }

    /// A reason whose path runs from `from` to `to` through `via`.
    pub(crate) fn reason(path: &[&str], at: &str) -> Reason {
        Reason {
            path: path.iter().map(|p| p.to_string()).collect(),
            edges: path
                .windows(2)
                .map(|_| Edge {
                    kind: "references".to_string(),
                    at: at.to_string(),
                })
                .collect(),
            note: None,
        }
    }

    /// A selected test.
    pub(crate) fn test(
        name: &str,
        kind: &'static str,
        rank: usize,
        distance: Option<u32>,
        reasons: Vec<Reason>,
    ) -> Test {
        Test {
            name: name.to_string(),
            kind: kind.to_string(),
            rank,
            score: 1.0 / rank as f64,
            flow: None,
            run_name: None,
            methods: Vec::new(),
            file: None,
            factors: Factors {
                distance,
                churn: 0,
                failure_rate: None,
                flaky: None,
                duration_ms: None,
                covers_changed: None,
                named: false,
                co_failures: None,
                probability: 1.0 / rank as f64,
            },
            reasons,
        }
    }

    /// A changed component.
    pub(crate) fn change(type_name: &str, name: &str, change: &'static str, path: &str) -> Change {
        Change {
            type_name: type_name.to_string(),
            name: name.to_string(),
            change: change.to_string(),
            paths: vec![path.to_string()],
            semantic: true,
            whole: false,
        }
    }

    /// A plan around the result files in `tests/data/results/`: InvoiceService and
    /// InvoiceTrigger changed, tests of them, two Flow tests, one Apex test and one Flow
    /// test that no result file contains, an LWC test, and an uncovered class.
    pub(crate) fn sample_plan() -> Plan {
        let classes = "force-app/main/default/classes";
        let mut invoice_test = test(
            "InvoiceServiceTest",
            "apex",
            1,
            Some(1),
            vec![reason(
                &[
                    "ApexMethod:InvoiceService.post",
                    "ApexClass:InvoiceServiceTest",
                ],
                &format!("{classes}/InvoiceServiceTest.cls:12"),
            )],
        );
        invoice_test.file = Some(format!("{classes}/InvoiceServiceTest.cls"));
        let tax = test(
            "TaxCalculatorTest",
            "apex",
            2,
            Some(2),
            vec![reason(
                &[
                    "ApexClass:InvoiceService",
                    "ApexClass:TaxCalculator",
                    "ApexClass:TaxCalculatorTest",
                ],
                &format!("{classes}/TaxCalculator.cls:8"),
            )],
        );
        let mut flow_a =
            test(
                "Approved_invoice_is_flagged",
                "flow",
                3,
                Some(1),
                vec![reason(
                &["Flow:Invoice_After_Save", "FlowTest:Approved_invoice_is_flagged"],
                "force-app/main/default/flowtests/Approved_invoice_is_flagged.flowtest-meta.xml:5",
            )],
            );
        flow_a.flow = Some("Invoice_After_Save".into());
        flow_a.run_name = Some("FlowTesting.Invoice_After_Save.Approved_invoice_is_flagged".into());
        flow_a.file = Some(
            "force-app/main/default/flowtests/Approved_invoice_is_flagged.flowtest-meta.xml".into(),
        );
        let mut flow_b = flow_a.clone();
        flow_b.name = "Draft_invoice_is_not_flagged".into();
        flow_b.reasons = vec![reason(
            &[
                "Flow:Invoice_After_Save",
                "FlowTest:Draft_invoice_is_not_flagged",
            ],
            "force-app/main/default/flowtests/Draft_invoice_is_not_flagged.flowtest-meta.xml:5",
        )];
        flow_b.rank = 4;
        flow_b.run_name =
            Some("FlowTesting.Invoice_After_Save.Draft_invoice_is_not_flagged".into());
        flow_b.file = None;
        let mut flow_missing = flow_a.clone();
        flow_missing.name = "Voided_invoice_is_ignored".into();
        flow_missing.reasons = vec![reason(
            &[
                "Flow:Invoice_After_Save",
                "FlowTest:Voided_invoice_is_ignored",
            ],
            "force-app/main/default/flowtests/Voided_invoice_is_ignored.flowtest-meta.xml:5",
        )];
        flow_missing.rank = 5;
        flow_missing.run_name = None;
        flow_missing.file = None;
        let trigger_test = test(
            "InvoiceTriggerTest",
            "apex",
            6,
            Some(2),
            vec![reason(
                &[
                    "ApexTrigger:InvoiceTrigger",
                    "CustomObject:Invoice__c",
                    "ApexClass:InvoiceTriggerTest",
                ],
                &format!("{classes}/InvoiceTriggerTest.cls:20"),
            )],
        );
        let mut smoke = test("SmokeTest", "apex", 7, None, Vec::new());
        smoke.reasons.push(Reason {
            path: Vec::new(),
            edges: Vec::new(),
            note: Some("always run (impact.toml)".into()),
        });
        let lwc = test(
            "force-app/main/default/lwc/invoiceSummary/__tests__/invoiceSummary.test.js",
            "lwc",
            8,
            Some(1),
            vec![reason(
                &[
                    "ApexMethod:InvoiceService.summary",
                    "LightningComponentBundle:invoiceSummary",
                ],
                "force-app/main/default/lwc/invoiceSummary/invoiceSummary.js:3",
            )],
        );
        let tests = vec![
            invoice_test,
            tax,
            flow_a,
            flow_b,
            flow_missing,
            trigger_test,
            smoke,
            lwc,
        ];
        Plan {
            schema: SCHEMA.to_string(),
            base: "1111111111111111111111111111111111111111".into(),
            head: "2222222222222222222222222222222222222222".into(),
            test_level: "RunSpecifiedTests".to_string(),
            fallback: None,
            changes: vec![
                change(
                    "ApexClass",
                    "InvoiceService",
                    "modified",
                    &format!("{classes}/InvoiceService.cls"),
                ),
                change(
                    "ApexTrigger",
                    "InvoiceTrigger",
                    "modified",
                    "force-app/main/default/triggers/InvoiceTrigger.trigger",
                ),
                change(
                    "ApexClass",
                    "VolumePricing",
                    "added",
                    &format!("{classes}/VolumePricing.cls"),
                ),
                change(
                    "Flow",
                    "Invoice_After_Save",
                    "modified",
                    "force-app/main/default/flows/Invoice_After_Save.flow-meta.xml",
                ),
            ],
            uncovered: vec![ComponentRef {
                type_name: "ApexClass".into(),
                name: "VolumePricing".into(),
            }],
            stats: Stats {
                components: 120,
                tests_total: 40,
                tests_total_by_kind: KindCounts {
                    apex: 30,
                    flow: 6,
                    lwc: 4,
                },
                selected: tests.len(),
                elapsed_ms: 0,
                unresolved_calls: 0,
            },
            tests,
            flaky: Vec::new(),
            deferred: Vec::new(),
            coverage_risk: Vec::new(),
            confidence: None,
            warnings: Vec::new(),
            manifest: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use quick_xml::events::Event;
    use quick_xml::Reader;

    use super::fixtures::{data_path, golden, results, sample_plan};
    use super::*;
    use crate::results::parse_results;

    /// A parsed XML element, enough to check attributes and structure.
    #[derive(Debug, Default)]
    struct Node {
        name: String,
        attrs: BTreeMap<String, String>,
        children: Vec<Node>,
        text: String,
    }

    impl Node {
        fn attr(&self, key: &str) -> Option<&str> {
            self.attrs.get(key).map(String::as_str)
        }

        fn count(&self, key: &str) -> u64 {
            self.attr(key)
                .unwrap_or_else(|| panic!("<{}> has no {key}", self.name))
                .parse()
                .expect("count")
        }

        fn time_ms(&self) -> u64 {
            let time = self.attr("time").expect("time");
            let (whole, fraction) = time.split_once('.').expect("three decimals");
            assert_eq!(fraction.len(), 3, "time {time} has three decimals");
            whole.parse::<u64>().expect("seconds") * 1000 + fraction.parse::<u64>().expect("ms")
        }

        fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
            self.children.iter().filter(move |c| c.name == name)
        }
    }

    /// Parses XML into a tree with quick-xml, failing on malformed input.
    fn parse_tree(xml: &str) -> Node {
        let mut reader = Reader::from_str(xml);
        let mut stack: Vec<Node> = vec![Node::default()];
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(start) => stack.push(node_of(&start)),
                Event::Empty(start) => {
                    let node = node_of(&start);
                    stack.last_mut().expect("parent").children.push(node);
                }
                Event::End(_) => {
                    let node = stack.pop().expect("open element");
                    stack.last_mut().expect("parent").children.push(node);
                }
                Event::Text(text) => {
                    let text = text.decode().expect("utf-8").into_owned();
                    stack.last_mut().expect("node").text.push_str(&text);
                }
                Event::GeneralRef(reference) => {
                    let name = reference.decode().expect("utf-8").into_owned();
                    let resolved = if let Some(code) = name.strip_prefix("#") {
                        char::from_u32(code.parse().expect("decimal reference"))
                            .expect("char")
                            .to_string()
                    } else {
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .expect("predefined entity")
                            .to_string()
                    };
                    stack.last_mut().expect("node").text.push_str(&resolved);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(stack.len(), 1, "every element is closed");
        let mut document = stack.pop().expect("document");
        assert_eq!(document.children.len(), 1, "one root element");
        document.children.pop().expect("root")
    }

    fn node_of(start: &quick_xml::events::BytesStart<'_>) -> Node {
        let mut node = Node {
            name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
            ..Node::default()
        };
        for attribute in start.attributes() {
            let attribute = attribute.expect("attribute");
            let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
            let value = attribute.unescape_value().expect("value").into_owned();
            assert!(
                node.attrs.insert(key, value).is_none(),
                "no duplicate attribute"
            );
        }
        node
    }

    /// Checks the Jenkins/Ant shape the XSD describes, element by element, and that
    /// every count on suites and root adds up from the cases.
    fn check_structure(root: &Node) {
        assert_eq!(root.name, "testsuites");
        let mut total = [0u64; 5];
        for suite in &root.children {
            assert_eq!(suite.name, "testsuite", "only suites under the root");
            assert!(suite.attr("name").is_some_and(|n| !n.trim().is_empty()));
            let order: Vec<&str> = suite.children.iter().map(|c| c.name.as_str()).collect();
            let first_case = order.iter().position(|n| *n == "testcase").unwrap_or(0);
            assert!(
                order[..first_case].iter().all(|n| *n == "properties")
                    && first_case <= 1
                    && order[first_case..].iter().all(|n| *n == "testcase"),
                "suite children in order: {order:?}"
            );
            let mut counts = [0u64; 5];
            for case in suite.children_named("testcase") {
                assert!(case.attr("name").is_some());
                assert_eq!(case.attr("classname"), suite.attr("name"));
                counts[0] += 1;
                counts[4] += case.time_ms();
                let kinds: Vec<&str> = case.children.iter().map(|c| c.name.as_str()).collect();
                let results: Vec<&&str> = kinds.iter().filter(|k| **k != "properties").collect();
                assert!(
                    kinds.iter().position(|k| *k == "properties").unwrap_or(0) == 0,
                    "properties first in a case: {kinds:?}"
                );
                assert!(results.len() <= 1, "one result element per case: {kinds:?}");
                match results.first().map(|k| **k) {
                    Some("failure") => counts[1] += 1,
                    Some("error") => counts[2] += 1,
                    Some("skipped") => counts[3] += 1,
                    None => {}
                    Some(other) => panic!("unexpected <{other}> in a testcase"),
                }
                if let Some(line) = case.attr("line") {
                    assert!(line.parse::<u32>().expect("line") > 0);
                }
            }
            for properties in suite.children_named("properties") {
                assert!(properties.children.iter().all(|p| p.name == "property"
                    && p.attr("name").is_some()
                    && p.attr("value").is_some()));
            }
            assert_eq!(
                [
                    suite.count("tests"),
                    suite.count("failures"),
                    suite.count("errors"),
                    suite.count("skipped"),
                    suite.time_ms()
                ],
                counts,
                "suite {:?} totals add up",
                suite.attr("name")
            );
            for (t, c) in total.iter_mut().zip(counts) {
                *t += c;
            }
        }
        // The root's time is the runs' own total when they give one (checked in
        // `root_time_is_the_runs_total`), else the suites' sum.
        assert_eq!(
            [
                root.count("tests"),
                root.count("failures"),
                root.count("errors"),
                root.count("skipped"),
            ],
            total[..4],
            "root totals add up"
        );
        assert!(root.attr("time").is_some());
    }

    /// Validates against tests/data/junit/junit.xsd with `xmllint` when it is
    /// installed (CI installs libxml2-utils); the structural walk runs in every case.
    fn validate(xml: &str) {
        check_structure(&parse_tree(xml));
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("junit.xml");
        std::fs::write(&file, xml).expect("write");
        let output = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(data_path("junit/junit.xsd"))
            .arg(&file)
            .output();
        match output {
            Ok(output) => assert!(
                output.status.success(),
                "xmllint rejects the output:\n{}\n{xml}",
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("xmllint not installed: schema validation skipped");
            }
            Err(error) => panic!("xmllint: {error}"),
        }
    }

    /// Every case of the document, by (classname, name), in document order.
    fn cases(root: &Node) -> Vec<&Node> {
        root.children
            .iter()
            .flat_map(|suite| suite.children_named("testcase"))
            .collect()
    }

    /// The index the lead builds from the graph, for the sample files.
    fn sample_sources() -> SourceIndex {
        let classes = "force-app/main/default/classes";
        let mut sources = SourceIndex::new();
        for class in [
            "InvoiceServiceTest",
            "TaxCalculatorTest",
            "ReminderJobTest",
            "LedgerServiceTest",
        ] {
            sources.add_class(class, &format!("{classes}/{class}.cls"));
        }
        sources.add_method("InvoiceServiceTest", "createsInvoice", 8);
        sources.add_method("invoiceservicetest", "REJECTSNEGATIVE", 15);
        sources.add_method("ReminderJobTest", "retriesOnError", 30);
        sources.add_flow_test(
            "Draft_invoice_is_not_flagged",
            "force-app/main/default/flowtests/Draft_invoice_is_not_flagged.flowtest-meta.xml",
        );
        sources
    }

    const RESULT_FILES: [&str; 7] = [
        "apex-get-test-coverage.json",
        "apex-run-test-sync-namespaced.json",
        "deploy-report-string-typed.json",
        "deploy-report-typed.json",
        "logic-run-test-flows.json",
        "junit-sf-apex.xml",
        "junit-single-suite-compile.xml",
    ];

    #[test]
    fn every_result_format_matches_its_golden_and_its_input() {
        let mut files: Vec<&str> = RESULT_FILES.to_vec();
        files.push("junit-surefire-nested.xml");
        for name in files {
            let run = results(name);
            let xml = render_junit(std::slice::from_ref(&run), None, &[], &sample_sources());
            let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            golden(&format!("junit/{stem}.xml"), &xml);
            validate(&xml);
            let root = parse_tree(&xml);
            assert_eq!(root.attr("name"), Some("impact"));
            let written = cases(&root);
            assert_eq!(
                written.len(),
                run.tests.len(),
                "{name}: one case per result"
            );
            // Every input result has exactly one case with its attributes.
            for result in &run.tests {
                let suite = match (&result.kind, &result.namespace) {
                    (TestKind::Apex, Some(ns)) => format!("{ns}.{}", result.class_name),
                    (TestKind::Apex, None) => result.class_name.clone(),
                    (TestKind::Flow, _) => format!("FlowTesting.{}", result.class_name),
                };
                let matching: Vec<&&Node> = written
                    .iter()
                    .filter(|c| {
                        c.attr("classname") == Some(suite.as_str())
                            && c.attr("name") == Some(result.method_name.as_str())
                    })
                    .collect();
                assert_eq!(matching.len(), 1, "{name}: {suite}.{}", result.method_name);
                let case = matching[0];
                assert_eq!(case.time_ms(), result.duration_ms.unwrap_or(0));
                let element = case.children.iter().find(|c| c.name != "properties");
                match result.outcome {
                    Outcome::Pass => assert!(element.is_none()),
                    Outcome::Skip => assert_eq!(element.map(|e| e.name.as_str()), Some("skipped")),
                    Outcome::Fail => {
                        let failure = element.expect("failure");
                        assert_eq!(failure.name, "failure");
                        let attr = failure.attr("message").unwrap_or_default();
                        assert!(!attr.is_empty(), "{name}: a failure always explains itself");
                        let Some(message) = result.message.clone() else {
                            continue;
                        };
                        assert_eq!(message, attr, "{name}: the whole message");
                        assert_eq!(failure.attr("type"), None, "{name}: no type");
                        if let Some(trace) = &result.stack_trace {
                            assert!(failure.text.contains(trace.as_str()));
                        }
                    }
                    Outcome::CompileFail => {
                        let error = element.expect("error");
                        assert_eq!(error.name, "error");
                        assert_eq!(error.attr("type"), Some("CompileFail"));
                        if let Some(message) = &result.message {
                            assert_eq!(error.attr("message"), Some(message.as_str()));
                        }
                    }
                }
            }
            // The root's time is the run's own total when the file gives one.
            let sum: u64 = run.tests.iter().filter_map(|t| t.duration_ms).sum();
            assert_eq!(
                root.time_ms(),
                run.total_time_ms.unwrap_or(sum),
                "{name}: root time"
            );
        }
    }

    #[test]
    fn reading_the_output_back_gives_the_same_results() {
        for name in RESULT_FILES {
            let run = results(name);
            let xml = render_junit(std::slice::from_ref(&run), None, &[], &SourceIndex::new());
            let back = parse_results(Path::new("back.xml"), xml.as_bytes()).expect("reads back");
            let key = |t: &TestResult| {
                (
                    t.kind,
                    t.class_name.clone(),
                    t.namespace.clone(),
                    t.method_name.clone(),
                    t.outcome,
                    t.duration_ms.unwrap_or(0),
                )
            };
            let mut expected: Vec<_> = run.tests.iter().map(key).collect();
            let mut actual: Vec<_> = back.tests.iter().map(key).collect();
            expected.sort();
            actual.sort();
            assert_eq!(actual, expected, "{name}");
        }
    }

    #[test]
    fn file_and_line_come_from_the_index_and_the_stack_trace() {
        let run = results("deploy-report-typed.json");
        let xml = render_junit(&[run], None, &[], &sample_sources());
        let root = parse_tree(&xml);
        let suite = root
            .children
            .iter()
            .find(|s| s.attr("name") == Some("InvoiceServiceTest"))
            .expect("suite");
        assert_eq!(
            suite.attr("file"),
            Some("force-app/main/default/classes/InvoiceServiceTest.cls")
        );
        let case = |method: &str| {
            suite
                .children_named("testcase")
                .find(|c| c.attr("name") == Some(method))
                .expect("case")
        };
        // The passing test: the line that declares the method.
        assert_eq!(case("createsInvoice").attr("line"), Some("8"));
        // The failing test: the frame of the trace in the test class, not the declaration.
        assert_eq!(case("rejectsNegative").attr("line"), Some("17"));
        let failure = case("rejectsNegative")
            .children_named("failure")
            .next()
            .expect("failure");
        // The whole message, type included, and no `type`: mikepenz ignores `type`.
        assert_eq!(failure.attr("type"), None);
        assert_eq!(
            failure.attr("message"),
            Some("System.AssertException: Assertion Failed: Expected: 0, Actual: -5")
        );
        // dorny reads locations only from Java frames: the test's own line comes first.
        assert_eq!(
            failure.text.lines().next(),
            Some("at force-app.main.default.classes.InvoiceServiceTest.rejectsNegative(InvoiceServiceTest.cls:17)")
        );
        assert!(failure
            .text
            .contains("Class.InvoiceServiceTest.rejectsNegative: line 17"));
        // A class the index does not know has no file.
        let tax = root
            .children
            .iter()
            .find(|s| s.attr("name") == Some("TaxCalculatorTest"))
            .expect("suite");
        assert!(tax.attr("file").is_some());
        assert_eq!(tax.attr("timestamp"), Some("2024-06-06T12:00:05.000Z"));
    }

    #[test]
    fn frame_lines() {
        let trace = "Class.InvoiceService.post: line 42, column 1\nClass.InvoiceServiceTest.rejectsNegative: line 17, column 1";
        assert_eq!(frame_line_in(trace, "invoiceservicetest"), Some(17));
        assert_eq!(frame_line_in(trace, "InvoiceService"), Some(42));
        assert_eq!(frame_line_in(trace, "Other"), None);
        assert_eq!(
            frame_line_in(
                "Class.acme.LedgerServiceTest.Inner.run: line 9, column 3",
                "LedgerServiceTest"
            ),
            Some(9)
        );
        assert_eq!(
            frame_line_in("Trigger.InvoiceTrigger: line 3, column 1", "InvoiceTrigger"),
            None
        );
        assert_eq!(frame_line_in("Class.X.m: line , column", "X"), None);
        assert_eq!(frame_line_in("", "X"), None);
    }

    #[test]
    fn plan_adds_properties_and_planned_tests_that_did_not_run() {
        let plan = sample_plan();
        let runs = [
            results("deploy-report-typed.json"),
            results("logic-run-test-flows.json"),
        ];
        let xml = render_junit(&runs, Some(&plan), &[], &sample_sources());
        golden("junit/with-plan.xml", &xml);
        validate(&xml);
        let root = parse_tree(&xml);
        let suite = |name: &str| {
            root.children
                .iter()
                .find(|s| s.attr("name") == Some(name))
                .unwrap_or_else(|| panic!("suite {name}"))
        };
        let properties = |node: &Node| -> BTreeMap<String, String> {
            node.children_named("properties")
                .flat_map(|p| p.children.iter())
                .map(|p| {
                    (
                        p.attr("name").unwrap_or_default().to_string(),
                        p.attr("value").unwrap_or_default().to_string(),
                    )
                })
                .collect()
        };
        let invoice = suite("InvoiceServiceTest");
        let expected: BTreeMap<String, String> = [
            ("impact.rank".to_string(), "1".to_string()),
            (
                "impact.reason".to_string(),
                "ApexMethod:InvoiceService.post → ApexClass:InvoiceServiceTest".to_string(),
            ),
        ]
        .into();
        assert_eq!(properties(invoice), expected);
        for case in invoice.children_named("testcase") {
            assert_eq!(properties(case), expected);
        }
        // ReminderJobTest ran but was not planned: no properties.
        let reminder = suite("ReminderJobTest");
        assert!(properties(reminder).is_empty());
        assert!(reminder
            .children_named("testcase")
            .all(|c| properties(c).is_empty()));

        // Planned Apex classes without results fail as "planned but not run".
        for (name, rank) in [("InvoiceTriggerTest", "6"), ("SmokeTest", "7")] {
            let missing = suite(name);
            assert_eq!(missing.count("tests"), 1);
            assert_eq!(missing.count("failures"), 1);
            let case = missing.children_named("testcase").next().expect("case");
            assert_eq!(case.attr("name"), Some(name));
            let failure = case.children_named("failure").next().expect("failure");
            assert_eq!(failure.attr("message"), Some(NOT_RUN_MESSAGE));
            assert_eq!(properties(case)["impact.rank"], rank);
        }
        assert_eq!(
            properties(suite("SmokeTest"))["impact.reason"],
            "always run (impact.toml)"
        );
        // The planned Flow test without result joins its flow's suite.
        let flow = suite("FlowTesting.Invoice_After_Save");
        assert_eq!(flow.count("tests"), 3);
        assert_eq!(flow.count("failures"), 2);
        let voided = flow
            .children_named("testcase")
            .find(|c| c.attr("name") == Some("Voided_invoice_is_ignored"))
            .expect("not-run flow test");
        assert_eq!(properties(voided)["impact.rank"], "5");
        let draft = flow
            .children_named("testcase")
            .find(|c| c.attr("name") == Some("Draft_invoice_is_not_flagged"))
            .expect("flow test");
        assert_eq!(
            draft.attr("file"),
            Some("force-app/main/default/flowtests/Draft_invoice_is_not_flagged.flowtest-meta.xml")
        );
        let approved = flow
            .children_named("testcase")
            .find(|c| c.attr("name") == Some("Approved_invoice_is_flagged"))
            .expect("flow test");
        // The plan's own file fills in what the index lacks.
        assert_eq!(
            approved.attr("file"),
            Some("force-app/main/default/flowtests/Approved_invoice_is_flagged.flowtest-meta.xml")
        );
        // The LWC test is never a case.
        assert!(!xml.contains("invoiceSummary.test.js"));
        // Apex suites come first, then flows, each sorted.
        let names: Vec<&str> = root
            .children
            .iter()
            .filter_map(|s| s.attr("name"))
            .collect();
        assert_eq!(
            names,
            [
                "InvoiceServiceTest",
                "InvoiceTriggerTest",
                "ReminderJobTest",
                "SmokeTest",
                "TaxCalculatorTest",
                "FlowTesting.Invoice_After_Save"
            ]
        );
    }

    #[test]
    fn output_is_deterministic_and_sorted() {
        let plan = sample_plan();
        let runs = [
            results("logic-run-test-flows.json"),
            results("junit-sf-apex.xml"),
        ];
        let first = render_junit(&runs, Some(&plan), &[], &sample_sources());
        assert_eq!(
            first,
            render_junit(&runs, Some(&plan), &[], &sample_sources())
        );
        let root = parse_tree(&first);
        for suite in &root.children {
            let names: Vec<String> = suite
                .children_named("testcase")
                .filter_map(|c| c.attr("name"))
                .map(str::to_lowercase)
                .collect();
            let mut sorted = names.clone();
            sorted.sort();
            assert_eq!(names, sorted);
        }
    }

    #[test]
    fn hostile_text_stays_valid_xml_and_reads_back() {
        let message = "Bad <tag> & \"quote\" 'apos'\nsecond line\twith tab \u{1}\u{FFFF} ]]> end";
        let run = TestRun {
            format: crate::results::ResultFormat::SfTestRun,
            run_id: "x".into(),
            started_at: None,
            tests: vec![TestResult {
                kind: TestKind::Apex,
                class_name: "Weird<Class>".into(),
                method_name: "m&\"1\"".into(),
                outcome: Outcome::Fail,
                duration_ms: Some(1234567),
                message: Some(message.into()),
                stack_trace: Some("Class.Weird.m: line 3, column 1\n]]>".into()),
                namespace: None,
            }],
            class_coverage: Vec::new(),
            test_coverage: Vec::new(),
            org_wide_coverage: None,
            coverage_warnings: Vec::new(),
            total_time_ms: None,
        };
        let xml = render_junit(&[run], None, &[], &SourceIndex::new());
        validate(&xml);
        let root = parse_tree(&xml);
        let case = cases(&root)[0];
        assert_eq!(case.attr("classname"), Some("Weird<Class>"));
        assert_eq!(case.attr("name"), Some("m&\"1\""));
        assert_eq!(case.attr("time"), Some("1234.567"));
        let failure = case.children_named("failure").next().expect("failure");
        let expected = message.replace(['\u{1}', '\u{FFFF}'], "\u{FFFD}");
        assert_eq!(failure.attr("message"), Some(expected.as_str()));
        assert!(failure.text.contains("\n]]>"));
    }

    #[test]
    fn no_results_and_no_plan_is_an_empty_valid_document() {
        let xml = render_junit(&[], None, &[], &SourceIndex::new());
        validate(&xml);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"impact\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\"/>\n"
        );
    }

    #[test]
    fn planned_methods_that_did_not_run_fail_one_by_one() {
        // The run has createsInvoice and rejectsNegative; the plan names four methods.
        let run = results("deploy-report-typed.json");
        let mut planned = fixtures::test("InvoiceServiceTest", "apex", 1, Some(1), Vec::new());
        planned.methods = [
            "createsInvoice",
            "refundsInvoice",
            "voidsInvoice",
            "REJECTSNEGATIVE",
        ]
        .map(String::from)
        .to_vec();
        let mut plan = sample_plan();
        plan.tests = vec![planned];
        let mut sources = sample_sources();
        sources.add_method("InvoiceServiceTest", "voidsInvoice", 33);
        let xml = render_junit(std::slice::from_ref(&run), Some(&plan), &[], &sources);
        validate(&xml);
        let root = parse_tree(&xml);
        let not_run: Vec<(&str, Option<&str>)> = cases(&root)
            .into_iter()
            .filter(|c| {
                c.children_named("failure")
                    .any(|f| f.attr("message") == Some(NOT_RUN_MESSAGE))
            })
            .map(|c| (c.attr("name").unwrap_or_default(), c.attr("line")))
            .collect();
        assert_eq!(
            not_run,
            [("refundsInvoice", None), ("voidsInvoice", Some("33"))]
        );
    }

    #[test]
    fn coverage_failures_make_a_suite_of_their_own_after_the_tests() {
        let mut run = results("deploy-report-typed.json");
        run.tests.retain(|t| !t.outcome.is_failure());
        let coverage = [
            CoverageFailure {
                subject: "InvoiceService".into(),
                message: "InvoiceService: 20.0% < 75.0%".into(),
            },
            CoverageFailure {
                subject: crate::gate::ORG_WIDE.into(),
                message: "org-wide coverage 60.0% < 75.0%".into(),
            },
        ];
        let mut sources = sample_sources();
        sources.add_class(
            "InvoiceService",
            "force-app/main/default/classes/InvoiceService.cls",
        );
        let passing = render_junit(std::slice::from_ref(&run), None, &[], &sources);
        assert!(parse_tree(&passing).count("failures") == 0);
        let xml = render_junit(std::slice::from_ref(&run), None, &coverage, &sources);
        validate(&xml);
        let root = parse_tree(&xml);
        assert_eq!(root.count("failures"), 2, "the deploy is red");
        let last = root.children.last().expect("suite");
        assert_eq!(last.attr("name"), Some(COVERAGE_SUITE));
        let names: Vec<&str> = last
            .children_named("testcase")
            .map(|c| c.attr("name").unwrap_or_default())
            .collect();
        assert_eq!(names, ["InvoiceService", crate::gate::ORG_WIDE]);
        let service = last.children_named("testcase").next().expect("case");
        assert_eq!(
            service.attr("file"),
            Some("force-app/main/default/classes/InvoiceService.cls")
        );
        assert_eq!(service.attr("line"), Some("1"));
        let failure = service.children_named("failure").next().expect("failure");
        assert_eq!(
            failure.attr("message"),
            Some("InvoiceService: 20.0% < 75.0%")
        );
        assert_eq!(
            failure.text,
            "at force-app.main.default.classes.InvoiceService.InvoiceService(InvoiceService.cls:1)"
        );
    }

    #[test]
    fn java_frames_name_the_file_the_way_dorny_resolves_it() {
        assert_eq!(
            java_frame(
                "rejectsNegative",
                "force-app/main/default/classes/InvoiceTest.cls",
                41
            ),
            "at force-app.main.default.classes.InvoiceTest.rejectsNegative(InvoiceTest.cls:41)"
        );
        // Directories from the first one that does not start lowercase are left out:
        // dorny stops the package at the first capitalized part.
        assert_eq!(
            java_frame("m", "src/Billing/classes/A.cls", 3),
            "at classes.A.m(A.cls:3)"
        );
        assert_eq!(java_frame("m", "A.cls", 1), "at A.m(A.cls:1)");
        assert_eq!(
            java_frame("Voided invoice (old)", "x/flowtests/V.flowtest-meta.xml", 1),
            "at x.flowtests.V.Voided_invoice__old_(V.flowtest-meta.xml:1)"
        );
    }
}
