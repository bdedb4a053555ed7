//! The release gate (`impact gate`): from test results, the plan and the history, a
//! yes/no answer with every reason, for a release manager.
//!
//! [`evaluate`] is a pure function: it reads no file, no clock and no environment. It
//! applies these rules, each reported as passed, failed or not checked:
//!
//! - `results-present`: the results contain at least one test, unless the plan selects
//!   no Apex or Flow test.
//! - `planned-tests-ran` (with a plan): every planned Apex test class and Flow test has a
//!   result that is not `Skip`. LWC Jest tests are not in `sf` results and not checked.
//! - `no-failures`: no test failed, except a `Fail` of a test the history calls flaky
//!   ([`FlakyRule`]: a flip rate at or above `flaky_threshold` over at least its minimum
//!   of runs) when `allow_flaky` permits it: `retry` excuses it if
//!   another result of the same test in the given files passed (the retry), `quarantine`
//!   excuses it outright. A `CompileFail` is never excused. The default, `never`,
//!   excuses nothing: it is the safe choice, since an excused failure can hide a real
//!   regression in a test that was flaky before; teams opt in to `retry` once their
//!   history is trustworthy.
//! - `class-coverage` (with a plan): every changed Apex class and trigger (semantic
//!   change, not deleted, not a test class of the plan) has at least `coverage` percent
//!   in the results and is named by no coverage warning. The percentage is the best of
//!   the aggregate coverage any file reports for it and the union of per-test covered
//!   lines; each is a lower bound of what all the given tests together cover.
//!   A class the coverage data does not list is at 0%; results without any coverage
//!   data fail the rule, since nothing shows the deploy would pass.
//! - `coverage-warnings`: the results (deploy reports) carry no coverage warning.
//! - `org-coverage`: when the results carry org-wide coverage, the lowest reported value
//!   is at least `org_coverage` percent.
//!
//! Thresholds come from [`GatePolicy`], read from the `[gate]` section of `impact.toml`
//! by [`crate::config`]; `[[gate.branch]]` entries override them for branches matching
//! a glob (first match wins). Renderers are in [`crate::report::gate`] (text, JSON of
//! schema `impact.gate/v1`, Markdown). Exit codes are the caller's: pass → 0, fail → 1.
//!
//! [`evaluate`] reads no file; [`check`] reads the inputs the command line names (result
//! files, the plan, `impact.toml`, the history) and evaluates them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::config::{AllowFlaky, GatePolicy, Thresholds};
use crate::history::stats::TestStats;
use crate::history::FlakyRule;
use crate::metadata::types;
use crate::report::escape::one_line;
use crate::report::plan::Plan;
use crate::results::{CoveredKind, Outcome, TestKind, TestResult, TestRun};

/// The schema name of the gate's JSON.
pub const SCHEMA: &str = "impact.gate/v1";

/// The history's flakiness score (flip rate) and number of runs per test method and
/// Flow test, by case-folded name.
#[derive(Clone, Debug, Default)]
pub struct Flakiness {
    scores: HashMap<(TestKind, String, String), (f64, u32)>,
}

impl Flakiness {
    /// No history: no test is flaky.
    pub fn new() -> Flakiness {
        Flakiness::default()
    }

    /// The flip rates of [`crate::history::History::test_stats`].
    pub fn from_test_stats(stats: &[TestStats]) -> Flakiness {
        let mut flakiness = Flakiness::new();
        for stat in stats {
            flakiness.insert(
                stat.kind,
                &stat.class_name,
                &stat.method_name,
                stat.flakiness,
                stat.runs,
            );
        }
        flakiness
    }

    /// Records the score and runs of one test (a class or flow, and a method or Flow
    /// test).
    pub fn insert(&mut self, kind: TestKind, class: &str, method: &str, score: f64, runs: u32) {
        self.scores
            .insert((kind, fold(class), fold(method)), (score, runs));
    }

    /// The score of one test when `rule` calls it flaky.
    pub fn flaky_score(
        &self,
        kind: TestKind,
        class: &str,
        method: &str,
        rule: FlakyRule,
    ) -> Option<f64> {
        let &(score, runs) = self.scores.get(&(kind, fold(class), fold(method)))?;
        rule.is_flaky(runs, score).then_some(score)
    }
}

/// The gate's answer.
#[derive(Clone, Debug, Serialize)]
pub struct GateDecision {
    pub schema: &'static str,
    /// True when no rule failed: the release may go on.
    pub pass: bool,
    /// The branch the thresholds were chosen for.
    pub branch: Option<String>,
    /// The `[[gate.branch]]` pattern that matched, if any.
    pub branch_pattern: Option<String>,
    /// The thresholds applied.
    pub thresholds: Thresholds,
    /// One entry per rule, in a fixed order.
    pub reasons: Vec<GateReason>,
}

/// The verdict of one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// The rule holds.
    Pass,
    /// The rule is broken: the gate fails.
    Fail,
    /// The rule could not be checked (no plan, no data) or is disabled; it does not
    /// fail the gate.
    NotChecked,
}

impl RuleStatus {
    /// `pass`, `fail`, `not checked`.
    pub fn label(self) -> &'static str {
        match self {
            RuleStatus::Pass => "pass",
            RuleStatus::Fail => "FAIL",
            RuleStatus::NotChecked => "not checked",
        }
    }
}

/// One rule's verdict, with a one-line message and the names it concerns.
#[derive(Clone, Debug, Serialize)]
pub struct GateReason {
    /// The rule's stable name (`no-failures`, `class-coverage`, …).
    pub rule: &'static str,
    pub status: RuleStatus,
    /// True unless the rule failed (so not-checked rules count as passed).
    pub passed: bool,
    /// One sentence, no final period.
    pub message: String,
    /// Every test or class the message is about, one line each.
    pub items: Vec<String>,
}

impl GateReason {
    /// A rule that could not be checked, and why (no plan, no data, off by policy).
    fn not_checked(rule: &'static str, why: &str) -> Self {
        GateReason::new(rule, RuleStatus::NotChecked, why.to_string(), Vec::new())
    }

    fn new(rule: &'static str, status: RuleStatus, message: String, items: Vec<String>) -> Self {
        GateReason {
            rule,
            status,
            passed: status != RuleStatus::Fail,
            message,
            items,
        }
    }
}

/// What `impact gate` is asked to check.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Result files (`sf` JSON or JUnit XML).
    pub results: Vec<std::path::PathBuf>,
    /// The plan the tests ran for.
    pub plan: Option<std::path::PathBuf>,
    /// The policy file; default: the repository's `impact.toml`, when there is one.
    pub policy: Option<std::path::PathBuf>,
    /// The branch being released; default: the current branch.
    pub branch: Option<String>,
    /// The history file; default: the repository's, when it exists.
    pub history: Option<std::path::PathBuf>,
    /// Any directory inside the repository (the gate also runs outside one).
    pub repo: std::path::PathBuf,
}

/// The gate's decision and the inputs it read (for annotations).
pub struct Checked {
    pub decision: GateDecision,
    pub runs: Vec<TestRun>,
    pub plan: Option<Plan>,
    /// The repository's working directory, when the gate runs inside one.
    pub root: Option<std::path::PathBuf>,
}

/// Reads the inputs the request names, every result file first (one bad file stops
/// the gate), and evaluates them.
pub fn check(request: &Request) -> crate::error::Result<Checked> {
    let runs = crate::results::read_all(&request.results)?;
    let plan = request.plan.as_deref().map(Plan::read).transpose()?;
    let repo = crate::git::Repo::discover(&request.repo).ok();
    let root = repo
        .as_ref()
        .and_then(|repo| repo.workdir().map(std::path::Path::to_path_buf));
    let policy = match (&request.policy, &root) {
        (Some(path), _) => GatePolicy::load(path)?,
        (None, Some(root)) => GatePolicy::load_or_default(&root.join(crate::config::CONFIG_FILE))?,
        (None, None) => GatePolicy::default(),
    };
    let branch = request
        .branch
        .clone()
        .or_else(|| repo.as_ref().and_then(|repo| repo.current_branch()));
    let history_path = match (&request.history, &root) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(root)) => Some(crate::history::default_path(root)).filter(|p| p.exists()),
        (None, None) => None,
    };
    let flakiness = match history_path {
        Some(path) => {
            let history = crate::history::History::open_for_reading(&path)?;
            Flakiness::from_test_stats(&history.test_stats(crate::history::WINDOW)?)
        }
        None => Flakiness::new(),
    };
    let decision = evaluate(&runs, plan.as_ref(), &flakiness, &policy, branch.as_deref());
    Ok(Checked {
        decision,
        runs,
        plan,
        root,
    })
}

/// Decides whether the release may go on. `branch` chooses the thresholds (see
/// [`GatePolicy::thresholds`]); `flakiness` comes from the history.
pub fn evaluate(
    runs: &[TestRun],
    plan: Option<&Plan>,
    flakiness: &Flakiness,
    policy: &GatePolicy,
    branch: Option<&str>,
) -> GateDecision {
    let (thresholds, pattern) = policy.thresholds(branch);
    let results = Results::new(runs);
    let reasons = vec![
        results_present(&results, plan),
        planned_tests_ran(&results, plan, &thresholds),
        no_failures(&results, flakiness, &thresholds),
        class_coverage(runs, plan, &thresholds),
        coverage_warnings(runs),
        org_coverage(runs, &thresholds),
    ];
    GateDecision {
        schema: SCHEMA,
        pass: reasons.iter().all(|r| r.passed),
        branch: branch.map(str::to_string),
        branch_pattern: pattern.map(str::to_string),
        thresholds,
        reasons,
    }
}

/// Test results of all runs, grouped by case-folded (kind, class, method).
struct Results<'r> {
    by_test: BTreeMap<(TestKind, String, String), Vec<&'r TestResult>>,
}

impl<'r> Results<'r> {
    fn new(runs: &'r [TestRun]) -> Results<'r> {
        let mut by_test: BTreeMap<_, Vec<&TestResult>> = BTreeMap::new();
        for result in runs.iter().flat_map(|run| &run.tests) {
            by_test
                .entry((
                    result.kind,
                    fold(&result.class_name),
                    fold(&result.method_name),
                ))
                .or_default()
                .push(result);
        }
        Results { by_test }
    }

    fn count(&self) -> usize {
        self.by_test.values().map(Vec::len).sum()
    }

    /// The results of a class (or flow), all methods.
    fn of_class(&self, kind: TestKind, class: &str) -> impl Iterator<Item = &&'r TestResult> {
        let class = fold(class);
        self.by_test
            .iter()
            .filter(move |((k, c, _), _)| *k == kind && *c == class)
            .flat_map(|(_, results)| results)
    }
}

fn results_present(results: &Results<'_>, plan: Option<&Plan>) -> GateReason {
    let rule = "results-present";
    let count = results.count();
    if count > 0 {
        return GateReason::new(
            rule,
            RuleStatus::Pass,
            format!("the results contain {}", plural(count, "test result")),
            Vec::new(),
        );
    }
    match plan {
        Some(plan) if runnable(plan).next().is_none() => GateReason::new(
            rule,
            RuleStatus::Pass,
            "the plan selects no Apex or Flow test and the results contain none".into(),
            Vec::new(),
        ),
        _ => GateReason::new(
            rule,
            RuleStatus::Fail,
            "the results contain no test result".into(),
            Vec::new(),
        ),
    }
}

/// The planned tests that `sf` results can contain.
fn runnable(plan: &Plan) -> impl Iterator<Item = &crate::report::plan::Test> {
    plan.tests
        .iter()
        .filter(|test| test.kind == "apex" || test.kind == "flow")
}

fn planned_tests_ran(
    results: &Results<'_>,
    plan: Option<&Plan>,
    thresholds: &Thresholds,
) -> GateReason {
    let rule = "planned-tests-ran";
    let Some(plan) = plan else {
        return GateReason::not_checked(rule, "no plan given");
    };
    if !thresholds.require_planned {
        return GateReason::not_checked(rule, "disabled by policy (require_planned = false)");
    }
    let mut missing = Vec::new();
    let mut total = 0;
    for test in runnable(plan) {
        total += 1;
        let found: Vec<&&TestResult> = match test.kind.as_str() {
            "apex" => results.of_class(TestKind::Apex, &test.name).collect(),
            _ => results
                .by_test
                .iter()
                .filter(|((kind, flow, name), _)| {
                    *kind == TestKind::Flow
                        && *name == fold(&test.name)
                        && test.flow.as_deref().is_none_or(|f| fold(f) == *flow)
                })
                .flat_map(|(_, results)| results)
                .collect(),
        };
        let label = match (&test.flow, test.kind.as_str()) {
            (Some(flow), "flow") => format!("{flow}.{} (Flow test)", test.name),
            _ => test.name.clone(),
        };
        if found.is_empty() {
            missing.push(format!("{label}: no result"));
        } else if found.iter().all(|r| r.outcome == Outcome::Skip) {
            missing.push(format!("{label}: skipped"));
        }
    }
    if missing.is_empty() {
        GateReason::new(
            rule,
            RuleStatus::Pass,
            format!("all {} ran", plural(total, "planned test")),
            Vec::new(),
        )
    } else {
        GateReason::new(
            rule,
            RuleStatus::Fail,
            format!(
                "{} of {} did not run",
                missing.len(),
                plural(total, "planned test")
            ),
            missing,
        )
    }
}

fn no_failures(
    results: &Results<'_>,
    flakiness: &Flakiness,
    thresholds: &Thresholds,
) -> GateReason {
    let rule = "no-failures";
    let mut failing = Vec::new();
    let mut excused = Vec::new();
    let mut tests = 0;
    for ((kind, _, _), group) in &results.by_test {
        tests += 1;
        let Some(worst) = group.iter().max_by_key(|r| r.outcome.severity()) else {
            continue;
        };
        if !worst.outcome.is_failure() {
            continue;
        }
        let name = display_name(worst);
        let message = worst
            .message
            .as_deref()
            .map(one_line)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| match kind {
                TestKind::Flow => {
                    "failed (the sf CLI reports no failure text for Flow tests)".into()
                }
                TestKind::Apex => "failed".into(),
            });
        let rule = FlakyRule::with_threshold(thresholds.flaky_threshold);
        let flaky = flakiness.flaky_score(*kind, &worst.class_name, &worst.method_name, rule);
        let retried = group.iter().any(|r| r.outcome == Outcome::Pass);
        let excuse = match (worst.outcome, flaky, thresholds.allow_flaky) {
            (Outcome::CompileFail, _, _) | (_, None, _) | (_, _, AllowFlaky::Never) => None,
            (_, Some(score), AllowFlaky::Quarantine) => {
                Some(format!("flaky ({score:.2}), quarantined"))
            }
            (_, Some(score), AllowFlaky::Retry) if retried => {
                Some(format!("flaky ({score:.2}), passed on retry"))
            }
            (_, Some(_), AllowFlaky::Retry) => None,
        };
        match excuse {
            Some(excuse) => excused.push(format!("{name}: {excuse}: {message}")),
            None => {
                let note = match (flaky, thresholds.allow_flaky) {
                    (Some(score), AllowFlaky::Never) if worst.outcome == Outcome::Fail => {
                        format!(" (flaky {score:.2}, but the policy allows no flaky failure)")
                    }
                    (Some(score), AllowFlaky::Retry) if worst.outcome == Outcome::Fail => {
                        format!(" (flaky {score:.2}, but no passing retry)")
                    }
                    _ => String::new(),
                };
                let what = if worst.outcome == Outcome::CompileFail {
                    "does not compile: "
                } else {
                    ""
                };
                failing.push(format!("{name}: {what}{message}{note}"));
            }
        }
    }
    let excused_note = if excused.is_empty() {
        String::new()
    } else {
        format!(
            "; {} excused as flaky ({})",
            plural(excused.len(), "failure"),
            thresholds.allow_flaky.as_str()
        )
    };
    if failing.is_empty() {
        GateReason::new(
            rule,
            RuleStatus::Pass,
            format!(
                "no failing test among {}{excused_note}",
                plural(tests, "test")
            ),
            excused,
        )
    } else {
        let mut items = failing;
        let count = items.len();
        items.extend(excused);
        GateReason::new(
            rule,
            RuleStatus::Fail,
            format!(
                "{} of {} failed{excused_note}",
                count,
                plural(tests, "test")
            ),
            items,
        )
    }
}

/// `ns.Class.method`, or `Flow.Test (Flow test)`.
fn display_name(result: &TestResult) -> String {
    let name = match &result.namespace {
        Some(ns) => format!("{ns}.{}.{}", result.class_name, result.method_name),
        None => format!("{}.{}", result.class_name, result.method_name),
    };
    match result.kind {
        TestKind::Apex => name,
        TestKind::Flow => format!("{name} (Flow test)"),
    }
}

/// Coverage known for one class or trigger: the best lower bound over the runs.
#[derive(Default)]
struct Known {
    /// Best aggregate percentage reported.
    aggregate: Option<f64>,
    /// Union of per-test covered lines, and the largest total seen.
    lines: BTreeSet<u32>,
    lines_total: u32,
}

fn class_coverage(runs: &[TestRun], plan: Option<&Plan>, thresholds: &Thresholds) -> GateReason {
    let rule = "class-coverage";
    let Some(plan) = plan else {
        return GateReason::not_checked(rule, "no plan given");
    };
    if thresholds.coverage <= 0.0 {
        return GateReason::not_checked(rule, "disabled by policy (coverage = 0)");
    }
    let threshold = thresholds.coverage;
    let judged = changed_coverage(runs, plan, threshold);
    if judged.changed == 0 {
        return GateReason::new(
            rule,
            RuleStatus::Pass,
            "no changed Apex class or trigger needs coverage".into(),
            Vec::new(),
        );
    }
    let item = |(label, detail): &(String, String)| format!("{label}: {detail}");
    if judged.low.is_empty() {
        GateReason::new(
            rule,
            RuleStatus::Pass,
            format!(
                "{} at or above {}",
                plural(judged.changed, "changed class or trigger"),
                pct(threshold)
            ),
            judged.ok.iter().map(item).collect(),
        )
    } else {
        let hint = if judged.has_data {
            ""
        } else {
            " (pass a deploy report, or run the tests with --code-coverage)"
        };
        GateReason::new(
            rule,
            RuleStatus::Fail,
            format!(
                "{} of {} below {}{hint}",
                judged.low.len(),
                plural(judged.changed, "changed class or trigger"),
                pct(threshold)
            ),
            judged.low.iter().map(item).collect(),
        )
    }
}

/// The coverage of the plan's changed Apex classes and triggers, judged against a
/// threshold: `(label, detail)` pairs of those below it and of those at or above it.
struct ChangedCoverage {
    /// Changed classes and triggers that need coverage.
    changed: usize,
    /// True when the results carry any coverage at all.
    has_data: bool,
    low: Vec<(String, String)>,
    ok: Vec<(String, String)>,
}

fn changed_coverage(runs: &[TestRun], plan: &Plan, threshold: f64) -> ChangedCoverage {
    let tests: BTreeSet<String> = plan
        .tests
        .iter()
        .filter(|t| t.kind == "apex")
        .map(|t| fold(&t.name))
        .collect();
    let changed: Vec<(CoveredKind, &str)> = plan
        .changes
        .iter()
        .filter(|c| c.semantic && c.change != "deleted")
        .filter_map(|c| match c.type_name.as_str() {
            types::APEX_CLASS if !tests.contains(&fold(&c.name)) => {
                Some((CoveredKind::Class, c.name.as_str()))
            }
            types::APEX_TRIGGER => Some((CoveredKind::Trigger, c.name.as_str())),
            _ => None,
        })
        .collect();
    let has_data = runs
        .iter()
        .any(|r| !r.class_coverage.is_empty() || !r.test_coverage.is_empty());
    let known = known_coverage(runs);
    let warned: BTreeMap<String, &str> = runs
        .iter()
        .flat_map(|r| &r.coverage_warnings)
        .filter_map(|w| w.name.as_deref().map(|n| (fold(n), w.message.as_str())))
        .collect();
    let mut judged = ChangedCoverage {
        changed: changed.len(),
        has_data,
        low: Vec::new(),
        ok: Vec::new(),
    };
    for (kind, name) in &changed {
        let label = match kind {
            CoveredKind::Trigger => format!("{name} (trigger)"),
            _ => name.to_string(),
        };
        let entry = known
            .get(&(*kind, fold(name)))
            .or_else(|| known.get(&(CoveredKind::Unknown, fold(name))));
        let percent = entry.and_then(percent_of);
        let warning = warned.get(&fold(name));
        let (low, detail) = match (warning, percent, has_data) {
            (Some(message), _, _) => (true, format!("coverage warning: {}", one_line(message))),
            (None, _, false) => (true, "the results carry no coverage".to_string()),
            (None, Some(p), true) if p >= threshold => (false, pct(p)),
            (None, Some(p), true) => (true, format!("{} < {}", pct(p), pct(threshold))),
            (None, None, true) if entry.is_some() => (false, "no coverable lines".to_string()),
            (None, None, true) => (true, "not covered by any test that ran".to_string()),
        };
        if low {
            judged.low.push((label, detail));
        } else {
            judged.ok.push((label, detail));
        }
    }
    judged
}

/// The subject of an org-wide coverage failure in [`deploy_coverage_failures`].
pub const ORG_WIDE: &str = "org-wide coverage";

/// A coverage rule a deploy broke: one changed class or trigger below Salesforce's 75%, a
/// coverage warning of the deploy, or org-wide coverage below 75%.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageFailure {
    /// The class or trigger (`Name (trigger)`), or [`ORG_WIDE`].
    pub subject: String,
    /// One line saying what is wrong.
    pub message: String,
}

/// The coverage failures of the deploys among `runs`, with Salesforce's own thresholds
/// (75% per class and trigger, 75% org-wide): what makes a deploy fail although every
/// test passed. A test run (`sf apex run test`) never fails on coverage, so only deploys
/// count. Without a plan, the deploy's own warnings are the only judge of single
/// classes (a class it does not deploy may be low without failing it).
pub fn deploy_coverage_failures(runs: &[TestRun], plan: Option<&Plan>) -> Vec<CoverageFailure> {
    let deploys: Vec<TestRun> = runs
        .iter()
        .filter(|run| run.format == crate::results::ResultFormat::SfDeploy)
        .cloned()
        .collect();
    let thresholds = Thresholds::default();
    let mut failures: BTreeMap<String, CoverageFailure> = BTreeMap::new();
    if let Some(plan) = plan {
        let judged = changed_coverage(&deploys, plan, thresholds.coverage);
        if judged.has_data {
            for (label, detail) in judged.low {
                failures.entry(fold(&label)).or_insert(CoverageFailure {
                    message: format!("{label}: {detail}"),
                    subject: label,
                });
            }
        }
    }
    for warning in deploys.iter().flat_map(|run| &run.coverage_warnings) {
        let subject = warning.name.clone().unwrap_or_else(|| ORG_WIDE.to_string());
        let trigger = format!("{subject} (trigger)");
        if failures.contains_key(&fold(&trigger)) {
            continue;
        }
        failures.entry(fold(&subject)).or_insert(CoverageFailure {
            message: one_line(&warning.message),
            subject,
        });
    }
    let lowest = deploys
        .iter()
        .filter_map(|r| r.org_wide_coverage)
        .filter(|p| p.is_finite())
        .reduce(f64::min);
    if let Some(lowest) = lowest.filter(|p| *p < thresholds.org_coverage) {
        failures.entry(fold(ORG_WIDE)).or_insert(CoverageFailure {
            subject: ORG_WIDE.to_string(),
            message: format!(
                "org-wide coverage {} < {}",
                pct(lowest),
                pct(thresholds.org_coverage)
            ),
        });
    }
    failures.into_values().collect()
}

/// Coverage per (kind, case-folded name) from every run.
fn known_coverage(runs: &[TestRun]) -> HashMap<(CoveredKind, String), Known> {
    let mut known: HashMap<(CoveredKind, String), Known> = HashMap::new();
    for run in runs {
        for class in &run.class_coverage {
            let entry = known.entry((class.kind, fold(&class.name))).or_default();
            if class.lines_total > 0 {
                let p = f64::from(class.lines_covered.min(class.lines_total)) * 100.0
                    / f64::from(class.lines_total);
                entry.aggregate = Some(entry.aggregate.map_or(p, |q| q.max(p)));
            }
        }
        for test in &run.test_coverage {
            // Per-test rows do not say class or trigger.
            let entry = known
                .entry((CoveredKind::Unknown, fold(&test.covered)))
                .or_default();
            entry.lines.extend(test.lines.iter().copied());
            entry.lines_total = entry.lines_total.max(test.lines_total);
            if test.lines.is_empty() && test.lines_total > 0 {
                let p = f64::from(test.lines_covered.min(test.lines_total)) * 100.0
                    / f64::from(test.lines_total);
                entry.aggregate = Some(entry.aggregate.map_or(p, |q| q.max(p)));
            }
        }
    }
    // A class listed with a known kind also gets what the per-test rows add.
    let unknown: Vec<(String, f64)> = known
        .iter()
        .filter(|((kind, _), _)| *kind == CoveredKind::Unknown)
        .filter_map(|((_, name), k)| percent_of(k).map(|p| (name.clone(), p)))
        .collect();
    for (name, p) in unknown {
        for kind in [CoveredKind::Class, CoveredKind::Trigger] {
            if let Some(entry) = known.get_mut(&(kind, name.clone())) {
                entry.aggregate = Some(entry.aggregate.map_or(p, |q| q.max(p)));
            }
        }
    }
    known
}

/// The best coverage percentage an entry shows; `None` when it has no coverable lines.
fn percent_of(known: &Known) -> Option<f64> {
    let from_lines = (known.lines_total > 0).then(|| {
        let covered = known.lines.len().min(known.lines_total as usize);
        covered as f64 * 100.0 / f64::from(known.lines_total)
    });
    match (known.aggregate, from_lines) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn coverage_warnings(runs: &[TestRun]) -> GateReason {
    let rule = "coverage-warnings";
    let items: Vec<String> = runs
        .iter()
        .flat_map(|r| &r.coverage_warnings)
        .map(|w| match &w.name {
            Some(name) => format!("{name}: {}", one_line(&w.message)),
            None => one_line(&w.message),
        })
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    if items.is_empty() {
        GateReason::new(
            rule,
            RuleStatus::Pass,
            "the results carry no coverage warning".into(),
            Vec::new(),
        )
    } else {
        GateReason::new(
            rule,
            RuleStatus::Fail,
            format!(
                "the deploy reported {}",
                plural(items.len(), "coverage warning")
            ),
            items,
        )
    }
}

fn org_coverage(runs: &[TestRun], thresholds: &Thresholds) -> GateReason {
    let rule = "org-coverage";
    let lowest = runs
        .iter()
        .filter_map(|r| r.org_wide_coverage)
        .filter(|p| p.is_finite())
        .reduce(f64::min);
    let Some(lowest) = lowest else {
        return GateReason::not_checked(rule, "the results carry no org-wide coverage");
    };
    if thresholds.org_coverage <= 0.0 {
        return GateReason::not_checked(rule, "disabled by policy (org_coverage = 0)");
    }
    let status = if lowest >= thresholds.org_coverage {
        RuleStatus::Pass
    } else {
        RuleStatus::Fail
    };
    let relation = if status == RuleStatus::Pass {
        ">="
    } else {
        "<"
    };
    GateReason::new(
        rule,
        status,
        format!(
            "org-wide coverage {} {relation} {}",
            pct(lowest),
            pct(thresholds.org_coverage)
        ),
        Vec::new(),
    )
}

/// A percentage with one decimal: `75%`, `70.5%`.
pub(crate) fn pct(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}%")
    } else {
        format!("{rounded:.1}%")
    }
}

/// `1 test`, `2 tests`; `entry` → `entries`, `class or trigger` → `classes or triggers`.
pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        return format!("1 {noun}");
    }
    let plural = match noun {
        "entry" => "entries".to_string(),
        "changed class or trigger" => "changed classes or triggers".to_string(),
        _ => format!("{noun}s"),
    };
    format!("{count} {plural}")
}

/// Case-folded key for Salesforce names, which are case-insensitive.
fn fold(name: &str) -> String {
    name.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::report::gate::{render_json, render_markdown, render_text};
    use crate::report::junit::fixtures::{change, golden, results, sample_plan, test};
    use crate::results::{ClassCoverage, CoverageWarning, ResultFormat, TestCoverage};
    use std::path::Path;

    fn result(kind: TestKind, class: &str, method: &str, outcome: Outcome) -> TestResult {
        TestResult {
            kind,
            class_name: class.into(),
            method_name: method.into(),
            outcome,
            duration_ms: Some(10),
            message: outcome
                .is_failure()
                .then(|| "System.AssertException: boom".into()),
            stack_trace: None,
            namespace: None,
        }
    }

    fn run(tests: Vec<TestResult>) -> TestRun {
        TestRun {
            format: ResultFormat::SfTestRun,
            run_id: "707".into(),
            started_at: None,
            tests,
            class_coverage: Vec::new(),
            test_coverage: Vec::new(),
            org_wide_coverage: None,
            coverage_warnings: Vec::new(),
            total_time_ms: None,
        }
    }

    fn reason<'d>(decision: &'d GateDecision, rule: &str) -> &'d GateReason {
        decision
            .reasons
            .iter()
            .find(|r| r.rule == rule)
            .unwrap_or_else(|| panic!("no rule {rule}"))
    }

    fn policy(text: &str) -> GatePolicy {
        match GatePolicy::parse(Path::new("impact.toml"), text) {
            Ok(policy) => policy,
            Err(error) => panic!("{error}"),
        }
    }

    fn flaky(class: &str, method: &str, score: f64) -> Flakiness {
        let mut flakiness = Flakiness::new();
        flakiness.insert(
            TestKind::Apex,
            class,
            method,
            score,
            FlakyRule::DEFAULT.min_runs,
        );
        flakiness
    }

    /// The sample plan reduced to what the typed deploy report ran.
    fn deploy_plan() -> Plan {
        let mut plan = sample_plan();
        plan.tests
            .retain(|t| t.name == "InvoiceServiceTest" || t.name == "TaxCalculatorTest");
        plan
    }

    #[test]
    fn deploy_with_coverage_warning_fails_and_names_the_class() {
        let runs = [results("deploy-report-typed.json")];
        let decision = evaluate(
            &runs,
            Some(&deploy_plan()),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        assert!(!decision.pass);
        let warnings = reason(&decision, "coverage-warnings");
        assert_eq!(warnings.status, RuleStatus::Fail);
        assert_eq!(warnings.message, "the deploy reported 1 coverage warning");
        assert_eq!(
            warnings.items,
            ["InvoiceTrigger: Test coverage of selected Apex Trigger is 0%, at least 75% test coverage is required"]
        );
        let coverage = reason(&decision, "class-coverage");
        assert_eq!(coverage.status, RuleStatus::Fail);
        assert_eq!(
            coverage.message,
            "2 of 3 changed classes or triggers below 75%"
        );
        // InvoiceService (18 of 20 lines, 90%) passes and is not listed among failures.
        assert_eq!(
            coverage.items,
            [
                "InvoiceTrigger (trigger): coverage warning: Test coverage of selected Apex Trigger is 0%, at least 75% test coverage is required",
                "VolumePricing: not covered by any test that ran",
            ]
        );
        let text = render_text(&decision);
        assert!(text.starts_with("impact gate: FAILED\n"), "{text}");
        assert!(text.contains("InvoiceTrigger"));
    }

    #[test]
    fn deploy_coverage_failures_are_what_fails_the_deploy() {
        let deploy = results("deploy-report-typed.json");
        let failures =
            deploy_coverage_failures(std::slice::from_ref(&deploy), Some(&deploy_plan()));
        assert_eq!(
            failures,
            [
                CoverageFailure {
                    subject: "InvoiceTrigger (trigger)".into(),
                    message: "InvoiceTrigger (trigger): coverage warning: Test coverage of selected Apex Trigger is 0%, at least 75% test coverage is required".into(),
                },
                CoverageFailure {
                    subject: "VolumePricing".into(),
                    message: "VolumePricing: not covered by any test that ran".into(),
                },
            ]
        );
        // Without a plan, the deploy's own warning is the judge.
        let failures = deploy_coverage_failures(std::slice::from_ref(&deploy), None);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].subject, "InvoiceTrigger");
        // A changed class at 20%, every test passed, and an org-wide warning.
        let mut low = deploy.clone();
        low.coverage_warnings = vec![CoverageWarning {
            name: None,
            message: "Average test coverage across all Apex Classes and Triggers is 60%, at least 75% test coverage is required.".into(),
        }];
        low.tests.retain(|t| !t.outcome.is_failure());
        for class in &mut low.class_coverage {
            class.lines_covered = class.lines_total / 5;
        }
        let failures = deploy_coverage_failures(std::slice::from_ref(&low), Some(&deploy_plan()));
        let subjects: Vec<&str> = failures.iter().map(|f| f.subject.as_str()).collect();
        assert!(subjects.contains(&"InvoiceService"), "{subjects:?}");
        assert!(subjects.contains(&ORG_WIDE), "{subjects:?}");
        let service = failures
            .iter()
            .find(|f| f.subject == "InvoiceService")
            .unwrap();
        assert_eq!(service.message, "InvoiceService: 20% < 75%");
        // A test run never fails on coverage: the same numbers from `sf apex run test`
        // are no failure.
        let mut run = low.clone();
        run.format = ResultFormat::SfTestRun;
        assert!(deploy_coverage_failures(&[run], Some(&deploy_plan())).is_empty());
    }

    #[test]
    fn results_present_rule() {
        let none = evaluate(&[], None, &Flakiness::new(), &GatePolicy::default(), None);
        let rule = reason(&none, "results-present");
        assert_eq!(rule.status, RuleStatus::Fail);
        assert_eq!(rule.message, "the results contain no test result");
        assert!(!none.pass);

        let mut plan = sample_plan();
        plan.tests.retain(|t| t.kind == "lwc");
        plan.changes.retain(|c| c.type_name == "Flow");
        let decision = evaluate(
            &[],
            Some(&plan),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        assert_eq!(
            reason(&decision, "results-present").status,
            RuleStatus::Pass
        );
        assert!(decision.pass, "{}", render_text(&decision));

        let some = evaluate(
            &[run(vec![result(TestKind::Apex, "A", "m", Outcome::Pass)])],
            None,
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        assert_eq!(
            reason(&some, "results-present").message,
            "the results contain 1 test result"
        );
        assert!(some.pass, "{}", render_text(&some));
    }

    #[test]
    fn planned_tests_ran_rule() {
        let plan = sample_plan();
        let runs = [
            results("deploy-report-typed.json"),
            results("logic-run-test-flows.json"),
        ];
        let decision = evaluate(
            &runs,
            Some(&plan),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        let rule = reason(&decision, "planned-tests-ran");
        assert_eq!(rule.status, RuleStatus::Fail);
        assert_eq!(rule.message, "3 of 7 planned tests did not run");
        assert_eq!(
            rule.items,
            [
                "Invoice_After_Save.Voided_invoice_is_ignored (Flow test): no result",
                "InvoiceTriggerTest: no result",
                "SmokeTest: no result",
            ]
        );

        // Every planned test has a result: the rule holds; a skipped one does not count.
        let mut plan = deploy_plan();
        let decision = evaluate(
            &runs,
            Some(&plan),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        assert_eq!(
            reason(&decision, "planned-tests-ran").status,
            RuleStatus::Pass
        );
        assert_eq!(
            reason(&decision, "planned-tests-ran").message,
            "all 2 planned tests ran"
        );
        plan.tests
            .push(test("LegacyTest", "apex", 3, Some(1), Vec::new()));
        let skipped = [results("apex-get-test-coverage.json")];
        let decision = evaluate(
            &skipped,
            Some(&plan),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        assert_eq!(
            reason(&decision, "planned-tests-ran").items,
            ["LegacyTest: skipped"]
        );

        let relaxed = policy("[gate]\nrequire_planned = false\n");
        let decision = evaluate(&skipped, Some(&plan), &Flakiness::new(), &relaxed, None);
        assert_eq!(
            reason(&decision, "planned-tests-ran").status,
            RuleStatus::NotChecked
        );

        let decision = evaluate(&runs, None, &Flakiness::new(), &GatePolicy::default(), None);
        assert_eq!(
            reason(&decision, "planned-tests-ran").status,
            RuleStatus::NotChecked
        );
        assert_eq!(
            reason(&decision, "planned-tests-ran").message,
            "no plan given"
        );
    }

    #[test]
    fn no_failures_rule_and_flaky_policies() {
        let failing = run(vec![
            result(
                TestKind::Apex,
                "InvoiceServiceTest",
                "createsInvoice",
                Outcome::Pass,
            ),
            result(
                TestKind::Apex,
                "InvoiceServiceTest",
                "rejectsNegative",
                Outcome::Fail,
            ),
        ]);
        let retry_pass = run(vec![result(
            TestKind::Apex,
            "invoiceservicetest",
            "REJECTSNEGATIVE",
            Outcome::Pass,
        )]);
        let none = Flakiness::new();
        let is_flaky = flaky("InvoiceServiceTest", "rejectsNegative", 0.4);
        let barely = flaky("InvoiceServiceTest", "rejectsNegative", 0.1);
        let never = GatePolicy::default();
        let retry = policy("[gate]\nallow_flaky = \"retry\"\n");
        let quarantine = policy("[gate]\nallow_flaky = \"quarantine\"\n");
        let check = |runs: &[TestRun], flakiness: &Flakiness, policy: &GatePolicy| {
            let decision = evaluate(runs, None, flakiness, policy, None);
            let rule = reason(&decision, "no-failures").clone();
            assert_eq!(decision.pass, rule.passed, "{}", render_text(&decision));
            rule
        };

        let rule = check(std::slice::from_ref(&failing), &none, &never);
        assert_eq!(rule.status, RuleStatus::Fail);
        assert_eq!(rule.message, "1 of 2 tests failed");
        assert_eq!(
            rule.items,
            ["InvoiceServiceTest.rejectsNegative: System.AssertException: boom"]
        );

        // Flaky, but the default policy excuses nothing.
        let rule = check(std::slice::from_ref(&failing), &is_flaky, &never);
        assert_eq!(rule.status, RuleStatus::Fail);
        assert!(rule.items[0].ends_with("(flaky 0.40, but the policy allows no flaky failure)"));

        // Retry: excused only when another result passed.
        let rule = check(std::slice::from_ref(&failing), &is_flaky, &retry);
        assert_eq!(rule.status, RuleStatus::Fail);
        assert!(rule.items[0].ends_with("(flaky 0.40, but no passing retry)"));
        let both = [failing.clone(), retry_pass.clone()];
        let rule = check(&both, &is_flaky, &retry);
        assert_eq!(rule.status, RuleStatus::Pass);
        assert_eq!(
            rule.message,
            "no failing test among 2 tests; 1 failure excused as flaky (retry)"
        );
        assert_eq!(
            rule.items,
            ["InvoiceServiceTest.rejectsNegative: flaky (0.40), passed on retry: System.AssertException: boom"]
        );
        // A retry that passed does not excuse a test the history does not call flaky.
        assert_eq!(check(&both, &none, &retry).status, RuleStatus::Fail);

        // Quarantine: excused without retry, if flaky enough.
        assert_eq!(
            check(std::slice::from_ref(&failing), &is_flaky, &quarantine).status,
            RuleStatus::Pass
        );
        assert_eq!(
            check(std::slice::from_ref(&failing), &barely, &quarantine).status,
            RuleStatus::Fail
        );
        let lower = policy("[gate]\nallow_flaky = \"quarantine\"\nflaky_threshold = 0.05\n");
        assert_eq!(
            check(std::slice::from_ref(&failing), &barely, &lower).status,
            RuleStatus::Pass
        );

        // A compile failure is never excused.
        let compile = run(vec![result(
            TestKind::Apex,
            "InvoiceServiceTest",
            "rejectsNegative",
            Outcome::CompileFail,
        )]);
        let rule = check(&[compile], &is_flaky, &quarantine);
        assert_eq!(rule.status, RuleStatus::Fail);
        assert!(rule.items[0].contains("does not compile"));

        // Skips are not failures.
        let skipped = run(vec![result(TestKind::Apex, "A", "m", Outcome::Skip)]);
        assert_eq!(check(&[skipped], &none, &never).status, RuleStatus::Pass);
    }

    #[test]
    fn flakiness_comes_from_history_stats() {
        let stats = vec![TestStats {
            kind: TestKind::Apex,
            class_name: "InvoiceServiceTest".into(),
            method_name: "rejectsNegative".into(),
            runs: 10,
            failures: 4,
            last_outcome: Outcome::Fail,
            mean_duration_ms: None,
            flakiness: 0.5,
            failure_rate: 0.4,
        }];
        let flakiness = Flakiness::from_test_stats(&stats);
        let rule = FlakyRule::DEFAULT;
        assert_eq!(
            flakiness.flaky_score(
                TestKind::Apex,
                "INVOICESERVICETEST",
                "rejectsnegative",
                rule
            ),
            Some(0.5)
        );
        assert_eq!(
            flakiness.flaky_score(
                TestKind::Flow,
                "InvoiceServiceTest",
                "rejectsNegative",
                rule
            ),
            None
        );
        // The one definition needs enough runs: a test seen flipping in 3 runs is not
        // flaky yet, however high its flip rate.
        let few = Flakiness::from_test_stats(&[TestStats {
            runs: 3,
            ..stats[0].clone()
        }]);
        assert_eq!(
            few.flaky_score(
                TestKind::Apex,
                "InvoiceServiceTest",
                "rejectsNegative",
                rule
            ),
            None
        );
    }

    #[test]
    fn class_coverage_from_test_run_and_per_branch_thresholds() {
        let runs = [results("apex-get-test-coverage.json")];
        let mut plan = deploy_plan();
        plan.changes.retain(|c| c.name != "VolumePricing");
        // InvoiceService 8/10 = 80%, InvoiceTrigger 2/4 = 50%.
        let decision = evaluate(
            &runs,
            Some(&plan),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        let rule = reason(&decision, "class-coverage");
        assert_eq!(rule.status, RuleStatus::Fail);
        assert_eq!(rule.items, ["InvoiceTrigger (trigger): 50% < 75%"]);

        let lenient = policy(
            "max_changes = 10\n[tests]\nalways_run = [\"SmokeTest\"]\n\n[gate]\ncoverage = 50\n\n[[gate.branch]]\npattern = \"release/*\"\ncoverage = 85\norg_coverage = 80\n",
        );
        let decision = evaluate(
            &runs,
            Some(&plan),
            &Flakiness::new(),
            &lenient,
            Some("feature/x"),
        );
        let rule = reason(&decision, "class-coverage");
        assert_eq!(rule.status, RuleStatus::Pass, "{}", render_text(&decision));
        assert_eq!(
            rule.message,
            "2 changed classes or triggers at or above 50%"
        );
        assert_eq!(
            rule.items,
            ["InvoiceService: 80%", "InvoiceTrigger (trigger): 50%"]
        );
        assert_eq!(decision.branch_pattern, None);

        let decision = evaluate(
            &runs,
            Some(&plan),
            &Flakiness::new(),
            &lenient,
            Some("refs/heads/release/2024.06"),
        );
        assert_eq!(decision.branch_pattern.as_deref(), Some("release/*"));
        assert_eq!(decision.thresholds.coverage, 85.0);
        let rule = reason(&decision, "class-coverage");
        assert_eq!(
            rule.items,
            [
                "InvoiceService: 80% < 85%",
                "InvoiceTrigger (trigger): 50% < 85%"
            ]
        );
        // Org-wide 78% is below the release branch's 80%.
        let org = reason(&decision, "org-coverage");
        assert_eq!(org.status, RuleStatus::Fail);
        assert_eq!(org.message, "org-wide coverage 78% < 80%");
        let text = render_text(&decision);
        assert!(
            text.starts_with(
                "impact gate: FAILED (branch refs/heads/release/2024.06, policy release/*)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn coverage_rule_skips_tests_deleted_and_cosmetic_changes() {
        let mut plan = deploy_plan();
        plan.changes = vec![
            change("ApexClass", "InvoiceServiceTest", "modified", "x"),
            change("ApexClass", "Gone", "deleted", "x"),
            change("CustomField", "Invoice__c.Amount__c", "modified", "x"),
        ];
        let mut cosmetic = change("ApexClass", "InvoiceService", "modified", "x");
        cosmetic.semantic = false;
        plan.changes.push(cosmetic);
        let runs = [results("junit-sf-apex.xml")];
        let decision = evaluate(
            &runs,
            Some(&plan),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        let rule = reason(&decision, "class-coverage");
        assert_eq!(rule.status, RuleStatus::Pass);
        assert_eq!(
            rule.message,
            "no changed Apex class or trigger needs coverage"
        );
    }

    #[test]
    fn results_without_coverage_fail_the_coverage_rule() {
        let runs = [results("junit-sf-apex.xml")];
        let decision = evaluate(
            &runs,
            Some(&deploy_plan()),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        let rule = reason(&decision, "class-coverage");
        assert_eq!(rule.status, RuleStatus::Fail);
        assert!(rule
            .message
            .ends_with("(pass a deploy report, or run the tests with --code-coverage)"));
        assert_eq!(
            rule.items[0],
            "InvoiceService: the results carry no coverage"
        );
        let off = policy("[gate]\ncoverage = 0\n");
        let decision = evaluate(&runs, Some(&deploy_plan()), &Flakiness::new(), &off, None);
        assert_eq!(
            reason(&decision, "class-coverage").status,
            RuleStatus::NotChecked
        );
    }

    #[test]
    fn per_test_lines_are_unioned_across_runs() {
        let mut plan = deploy_plan();
        plan.changes = vec![change("ApexClass", "Pricing", "modified", "x")];
        let mut first = run(vec![result(
            TestKind::Apex,
            "PricingTest",
            "a",
            Outcome::Pass,
        )]);
        first.test_coverage.push(TestCoverage {
            test_class: "PricingTest".into(),
            test_method: "a".into(),
            covered: "Pricing".into(),
            lines_covered: 5,
            lines_total: 10,
            lines: vec![1, 2, 3, 4, 5],
        });
        let mut second = run(vec![result(
            TestKind::Apex,
            "PricingTest",
            "b",
            Outcome::Pass,
        )]);
        second.test_coverage.push(TestCoverage {
            test_class: "PricingTest".into(),
            test_method: "b".into(),
            covered: "pricing".into(),
            lines_covered: 5,
            lines_total: 10,
            lines: vec![4, 5, 6, 7, 8],
        });
        // Neither alone reaches 75%; together they cover 8 of 10 lines.
        second.class_coverage.push(ClassCoverage {
            name: "Pricing".into(),
            kind: CoveredKind::Class,
            lines_covered: 5,
            lines_total: 10,
        });
        let decision = evaluate(
            &[first, second],
            Some(&plan),
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        let rule = reason(&decision, "class-coverage");
        assert_eq!(rule.status, RuleStatus::Pass, "{}", render_text(&decision));
        assert_eq!(rule.items, ["Pricing: 80%"]);
    }

    #[test]
    fn warnings_and_org_coverage_rules() {
        let mut warned = run(vec![result(TestKind::Apex, "A", "m", Outcome::Pass)]);
        warned.coverage_warnings.push(CoverageWarning {
            name: None,
            message: "Average test coverage across all Apex Classes and Triggers is 25%, at least 75% test coverage is required.".into(),
        });
        let decision = evaluate(
            &[warned],
            None,
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        assert!(!decision.pass);
        assert_eq!(
            reason(&decision, "coverage-warnings").status,
            RuleStatus::Fail
        );
        assert_eq!(
            reason(&decision, "org-coverage").status,
            RuleStatus::NotChecked
        );
        assert_eq!(
            reason(&decision, "class-coverage").status,
            RuleStatus::NotChecked
        );

        let mut org = run(vec![result(TestKind::Apex, "A", "m", Outcome::Pass)]);
        org.org_wide_coverage = Some(74.5);
        let decision = evaluate(
            std::slice::from_ref(&org),
            None,
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        assert_eq!(
            reason(&decision, "org-coverage").message,
            "org-wide coverage 74.5% < 75%"
        );
        assert!(!decision.pass);
        org.org_wide_coverage = Some(75.0);
        let decision = evaluate(
            &[org],
            None,
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        assert_eq!(
            reason(&decision, "org-coverage").message,
            "org-wide coverage 75% >= 75%"
        );
        assert!(decision.pass);
    }

    #[test]
    fn policy_parsing() {
        let default = policy("");
        assert_eq!(default.defaults, Thresholds::default());
        assert_eq!(default.defaults.allow_flaky, AllowFlaky::Never);
        let p = policy(
            "[gate]\nallow_flaky = \"retry\"\n[[gate.branch]]\npattern = \"release/*\"\ncoverage = 90\n[[gate.branch]]\npattern = \"hotfix/**\"\nallow_flaky = \"never\"\n",
        );
        assert_eq!(p.thresholds(Some("release/1.0")).0.coverage, 90.0);
        assert_eq!(
            p.thresholds(Some("release/1.0")).0.allow_flaky,
            AllowFlaky::Retry
        );
        assert_eq!(
            p.thresholds(Some("release/a/b")).1,
            None,
            "`*` stops at `/`"
        );
        assert_eq!(p.thresholds(Some("hotfix/a/b")).1, Some("hotfix/**"));
        assert_eq!(
            p.thresholds(Some("hotfix/a/b")).0.allow_flaky,
            AllowFlaky::Never
        );
        assert_eq!(p.thresholds(Some("main")).0.coverage, 75.0);
        assert_eq!(p.thresholds(None).1, None);

        for bad in [
            "[gate]\ncoverge = 80\n",
            "[gate]\ncoverage = 180\n",
            "[gate]\nflaky_threshold = 2\n",
            "[gate]\nallow_flaky = \"sometimes\"\n",
            "[[gate.branch]]\ncoverage = 80\n",
            "[[gate.branch]]\npattern = \"release/[\"\n",
            "[[gate.branch]]\npattern = \"x\"\norg_coverage = -1\n",
            "[gate\n",
        ] {
            match GatePolicy::parse(Path::new("impact.toml"), bad) {
                Err(Error::MalformedConfig { path, .. }) => {
                    assert_eq!(path, Path::new("impact.toml"))
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        let missing = GatePolicy::load_or_default(Path::new("/nonexistent/impact.toml"));
        assert!(missing.is_ok());
        assert!(matches!(
            GatePolicy::load(Path::new("/nonexistent/impact.toml")),
            Err(Error::UnreadableFile { .. })
        ));
    }

    #[test]
    fn renderers_match_goldens() {
        let runs = [
            results("deploy-report-typed.json"),
            results("logic-run-test-flows.json"),
        ];
        let p = policy("[[gate.branch]]\npattern = \"release/*\"\ncoverage = 85\n");
        let decision = evaluate(
            &runs,
            Some(&sample_plan()),
            &Flakiness::new(),
            &p,
            Some("release/summer"),
        );
        assert!(!decision.pass);
        golden("gate/failed.txt", &render_text(&decision));
        golden("gate/failed.md", &render_markdown(&decision));
        let json = render_json(&decision);
        golden("gate/failed.json", &json);
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(value["schema"], SCHEMA);
        assert_eq!(value["pass"], false);
        assert_eq!(value["thresholds"]["coverage"], 85.0);
        assert_eq!(value["reasons"].as_array().map(Vec::len), Some(6));
        assert_eq!(value["reasons"][2]["rule"], "no-failures");
        assert_eq!(value["reasons"][2]["status"], "fail");

        let passing = [run(vec![result(TestKind::Apex, "A|B", "m", Outcome::Pass)])];
        let decision = evaluate(
            &passing,
            None,
            &Flakiness::new(),
            &GatePolicy::default(),
            Some("main"),
        );
        assert!(decision.pass);
        golden("gate/passed.md", &render_markdown(&decision));
        golden("gate/passed.txt", &render_text(&decision));
    }

    #[test]
    fn markdown_stays_small_with_many_failures() {
        let tests: Vec<TestResult> = (0..5000)
            .map(|i| {
                let mut r = result(TestKind::Apex, &format!("Test{i}|<b>"), "m", Outcome::Fail);
                r.message = Some("x".repeat(2000));
                r
            })
            .collect();
        let decision = evaluate(
            &[run(tests)],
            None,
            &Flakiness::new(),
            &GatePolicy::default(),
            None,
        );
        let md = render_markdown(&decision);
        assert!(md.len() < 200_000, "{}", md.len());
        assert!(md.contains("… and 4900 more"));
        assert!(!md.contains("<b>"));
        let text = render_text(&decision);
        assert!(text.contains("… and 4980 more"));
    }
}
