//! Ranking: order the selected tests by how likely they are to fail for this change, per
//! second of run time, and cut the order to a budget.
//!
//! Each test gets an estimated failure probability `p` from:
//! - **distance**: the prior halves with every component hop from the change
//!   (`0.5` for a changed test, `0.25` for a direct test, …; `0.02` for a test selected by
//!   policy alone), so without history direct tests come first;
//! - **churn**: recent commits that changed the changed components the test reaches, plus
//!   those that changed the test itself, on a log scale against the busiest component of
//!   the window; it scales the prior by `0.5 ..= 1`, never by more than one distance step;
//! - **coverage**: the largest share of a changed class's lines the test covered in the
//!   last recorded run raises the prior up to twofold (it did run that code);
//! - **named**: a test named for a changed class (`FooTest` for `Foo`, as `named-test`
//!   edges match) has its prior doubled, one distance step: it is the class's own test;
//! - **co-failures**: each recorded run in which the test failed on a commit that changed
//!   one of this change's components multiplies the prior by one more (at most
//!   `1 + CO_FAILURE_CAP`): it failed when this code changed before;
//! - **history**: the test's recency-weighted failure rate, its flaky part removed
//!   (`rate × (1 − flakiness)`), against the mean of every recorded test, smoothed as if
//!   the mean were [`PRIOR_WEIGHT_RUNS`] runs of its own: the prior is multiplied by this
//!   relative risk, so a test that keeps catching failures rises, a test that passed
//!   fifty times sinks, and the distance of this change still counts;
//! - **flakiness** (flip rate): a flaky test's `p` is further scaled by
//!   `1 − FLAKY_PENALTY × flakiness`; tests flaky by [`FlakyRule::DEFAULT`] are
//!   reported as flaky.
//!
//! The score is `p` per expected second, damped: `p / seconds^DURATION_EXPONENT` (0.5,
//! see [`DURATION_EXPONENT`]), where seconds is the recorded mean duration, or for a test
//! without one the median of the known ones; with no duration known at all the score is
//! `p` per test. Scores are rounded to six significant digits and
//! sorted descending, ties by test id, so equal inputs give equal order and the order
//! is explained by the printed numbers. Every factor is kept for the plan. No I/O.

use std::collections::HashMap;
use std::time::Duration;

use crate::churn::Churn;
use crate::impact::{SelectedTest, TestKind};
use crate::metadata::types;

use crate::history::FlakyRule;
/// How much of a flaky test's probability its flakiness takes away (at flip rate 1).
pub const FLAKY_PENALTY: f64 = 0.75;
/// How many runs of evidence the average test's failure rate is worth against a test's
/// own recorded history.
pub const PRIOR_WEIGHT_RUNS: f64 = 4.0;
/// The smallest base failure rate a history ratio divides by.
const MIN_BASE_RATE: f64 = 0.01;
/// Recorded runs beyond this many do not add weight to the history side of the blend.
const MAX_EVIDENCE_RUNS: f64 = 50.0;
/// Prior of a test selected by policy alone (critical, always-run, mapping).
const POLICY_PRIOR: f64 = 0.02;
/// The shortest run time the score divides by: recorded durations of a few
/// milliseconds would otherwise dominate every order.
const MIN_SECONDS: f64 = 0.05;
/// The score divides by the expected seconds to this power. Ordering by probability per
/// second (exponent 1) is optimal for time-to-failure only when the probability is
/// exact; an estimated one is not, and at 1 cheap unlikely tests jump ahead of likely
/// ones. The ranking benchmark (`benches/ranking.rs`) measured 0.5 above both random
/// and distance-only order in APFD and APFDc, where 1 loses APFD to distance-only.
pub const DURATION_EXPONENT: f64 = 0.5;
/// Expected seconds of a test when no duration is known at all (budgets only).
pub const DEFAULT_TEST_SECONDS: f64 = 10.0;
/// How much a test named for a changed class (`FooTest` for `Foo`) raises its prior:
/// one distance step. A class's own unit test is the test its author changes with it
/// (measured on public repositories, see README "How precise, measured").
pub const NAMED_TEST_BOOST: f64 = 2.0;
/// Co-failures beyond this many add nothing more: the prior at most quadruples.
pub const CO_FAILURE_CAP: u32 = 3;

/// What the history knows about one test (an Apex test class, or a Flow test).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestHistory {
    /// Recorded runs of the test.
    pub runs: u32,
    /// Recency-weighted failure rate in `[0, 1]`.
    pub failure_rate: f64,
    /// Flip rate over its recent runs, in `[0, 1]`.
    pub flakiness: f64,
    /// Mean run time, when recorded.
    pub duration_ms: Option<f64>,
}

/// Everything ranking uses besides the selected tests.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Commits per component in the churn window.
    pub churn: Churn,
    /// History per test, by the test's case-folded id key (`apexclass:invoiceservicetest`,
    /// `flowtest:invoice_test`).
    pub history: HashMap<String, TestHistory>,
    /// Per test key: the largest share (0–1) of a changed class's lines it covered in the
    /// last recorded run with per-test coverage.
    pub covers_changed: HashMap<String, f64>,
    /// The changed component (id key) each changed node belongs to, by node key: how a
    /// reason's first path element maps to the change it comes from.
    pub change_of_node: HashMap<String, String>,
    /// Per test key: recorded runs in which the test failed on a commit that changed one
    /// of the components this change changes ([`crate::history::History::co_failures`]).
    pub co_failures: HashMap<String, u32>,
}

/// The history of every recorded test, by the id key of the test it belongs to: Apex
/// classes as `apexclass:<class>`, Flow tests as `flowtest:<test>`.
pub fn test_history(
    history: &crate::history::History,
) -> crate::error::Result<HashMap<String, TestHistory>> {
    use crate::metadata::component::ComponentId;
    use crate::results::TestKind as Kind;
    let mut out = HashMap::new();
    for class in history.class_stats(crate::history::WINDOW)? {
        if class.kind != Kind::Apex {
            continue;
        }
        out.insert(
            ComponentId::new(types::APEX_CLASS, &class.class_name)
                .key()
                .to_string(),
            TestHistory {
                runs: class.runs,
                failure_rate: class.failure_rate,
                flakiness: class.flakiness,
                duration_ms: class.duration_ms,
            },
        );
    }
    // A Flow test is one "method" (the test) of its flow.
    for test in history.test_stats(crate::history::WINDOW)? {
        if test.kind != Kind::Flow {
            continue;
        }
        out.insert(
            ComponentId::new(types::FLOW_TEST, &test.method_name)
                .key()
                .to_string(),
            TestHistory {
                runs: test.runs,
                failure_rate: test.failure_rate,
                flakiness: test.flakiness,
                duration_ms: test.mean_duration_ms,
            },
        );
    }
    Ok(out)
}

/// Which changed component each seed node belongs to (node key → component key).
pub fn change_of_node(changes: &[crate::changes::Change]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for change in changes {
        let component = change.component.key().to_string();
        for seed in change.head_seeds.iter().chain(change.base_seeds.iter()) {
            out.entry(seed.key().to_string())
                .or_insert_with(|| component.clone());
        }
        out.insert(component.clone(), component);
    }
    out
}

/// The factors behind a test's score.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Factors {
    /// Component-level hops from the nearest change (`None` for tests selected by policy
    /// alone).
    pub distance: Option<u32>,
    /// Commits in the churn window that changed the busiest changed component the test
    /// reaches, plus those that changed the test itself.
    pub churn: u32,
    /// Recency-weighted failure rate from the history (`None`: never recorded).
    pub failure_rate: Option<f64>,
    /// Flip rate from the history (`None`: never recorded).
    pub flaky: Option<f64>,
    /// Recorded mean duration (`None`: unknown).
    pub duration_ms: Option<u64>,
    /// Largest share of a changed class's lines the test covered in the last recorded
    /// run (`None`: no recorded coverage of the changed classes by this test).
    pub covers_changed: Option<f64>,
    /// True when the test is named for a changed class.
    pub named: bool,
    /// Recorded failures of the test on commits that changed what this change changes
    /// (`None`: none).
    pub co_failures: Option<u32>,
    /// The estimated failure probability the score is built from.
    pub probability: f64,
}

/// A selected test with its score.
#[derive(Clone, Debug)]
pub struct RankedTest {
    /// The test as the walk and the policy selected it.
    pub test: SelectedTest,
    /// 1-based position in the plan.
    pub rank: usize,
    /// Estimated failure probability per (damped) expected second; per test without
    /// durations.
    pub score: f64,
    /// The inputs of the score.
    pub factors: Factors,
    /// True when the history says the test is flaky.
    pub flaky: bool,
    /// Expected run time in seconds (recorded, else the median of the known ones, else
    /// [`DEFAULT_TEST_SECONDS`]), for time budgets.
    pub expected_seconds: f64,
}

/// Limits on what a plan runs now; the rest is deferred.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Budget {
    /// Keep at most this many tests.
    pub max_tests: Option<usize>,
    /// Keep tests while their expected run time fits in this.
    pub time: Option<Duration>,
    /// Keep only the Apex test classes of this test suite (`--suite`).
    pub suite: Option<String>,
    /// Keep the shortest prefix estimated to catch a failure with this chance
    /// (`--confidence`, see [`crate::confidence`]).
    pub confidence: Option<f64>,
}

impl Budget {
    /// True when any limit is set.
    pub fn is_set(&self) -> bool {
        self.max_tests.is_some()
            || self.time.is_some()
            || self.suite.is_some()
            || self.confidence.is_some()
    }
}

/// A test the budget left out, and which limit did.
#[derive(Clone, Debug)]
pub struct Deferred {
    /// The test, with its rank in the full order.
    pub test: RankedTest,
    /// `max-tests`, `time-budget`, `suite` or `confidence`.
    pub reason: &'static str,
}

/// Scores and orders the selected tests.
pub fn rank(tests: Vec<SelectedTest>, inputs: &Inputs) -> Vec<RankedTest> {
    let known: Vec<f64> = tests
        .iter()
        .filter_map(|test| inputs.history.get(test.id.key()))
        .filter_map(|history| history.duration_ms)
        .map(|ms| ms / 1000.0)
        .collect();
    let median = median(&known);
    let max_churn = inputs.churn.max();
    let base_rate = base_rate(inputs);
    let changed = changed_class_names(inputs);
    let mut ranked: Vec<RankedTest> = tests
        .into_iter()
        .map(|test| score(test, inputs, max_churn, median, base_rate, &changed))
        .collect();
    // Tests in the plan only to cover deployed classes come after every test that
    // reaches a behaviour change.
    ranked.sort_by(|a, b| {
        crate::deployed::only_covers_deployed(&a.test)
            .cmp(&crate::deployed::only_covers_deployed(&b.test))
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.test.id.cmp(&b.test.id))
    });
    for (position, test) in ranked.iter_mut().enumerate() {
        test.rank = position + 1;
    }
    ranked
}

/// The mean failure signal (`rate × (1 − flakiness)`) over every recorded test: what
/// a test with no history of its own is assumed to have. Floored so one quiet history
/// does not turn every ratio into infinity.
fn base_rate(inputs: &Inputs) -> f64 {
    let signals: Vec<f64> = inputs
        .history
        .values()
        .filter(|h| h.runs > 0)
        .map(|h| h.failure_rate * (1.0 - h.flakiness))
        .collect();
    if signals.is_empty() {
        return MIN_BASE_RATE;
    }
    (signals.iter().sum::<f64>() / signals.len() as f64).max(MIN_BASE_RATE)
}

/// The case-folded names of the changed Apex classes (what a test may be named for).
fn changed_class_names(inputs: &Inputs) -> std::collections::HashSet<String> {
    inputs
        .change_of_node
        .values()
        .filter_map(|key| key.strip_prefix("apexclass:"))
        .map(str::to_string)
        .collect()
}

/// One test's factors and score.
fn score(
    test: SelectedTest,
    inputs: &Inputs,
    max_churn: u32,
    median: Option<f64>,
    base_rate: f64,
    changed: &std::collections::HashSet<String>,
) -> RankedTest {
    let key = test.id.key().to_string();
    let distance = (test.distance != u32::MAX).then_some(test.distance);
    let prior = match distance {
        Some(hops) => 0.5 * 0.5f64.powi(i32::try_from(hops.min(30)).unwrap_or(30)),
        None => POLICY_PRIOR,
    };
    let churn = reached_churn(&test, inputs).saturating_add(inputs.churn.count_key(&key));
    let churn_share = if max_churn == 0 {
        0.0
    } else {
        (f64::from(churn).ln_1p() / f64::from(max_churn).ln_1p()).min(1.0)
    };
    let covers = inputs.covers_changed.get(&key).copied();
    let named = test.kind == TestKind::Apex
        && crate::graph::named_for(&test.id.full_name().to_lowercase(), changed);
    let co_failures = inputs.co_failures.get(&key).copied().filter(|n| *n > 0);
    let structural = (prior * (1.0 + churn_share) / 2.0
        * (1.0 + covers.unwrap_or(0.0))
        * if named { NAMED_TEST_BOOST } else { 1.0 }
        * (1.0 + f64::from(co_failures.unwrap_or(0).min(CO_FAILURE_CAP))))
    .min(0.95);
    let history = inputs.history.get(&key);
    let probability = match history {
        Some(history) if history.runs > 0 => {
            // How much likelier than the average recorded test this one fails,
            // smoothed towards 1 as if the average were PRIOR_WEIGHT_RUNS runs.
            let evidence = f64::from(history.runs).min(MAX_EVIDENCE_RUNS);
            let signal = history.failure_rate * (1.0 - history.flakiness);
            let relative = (signal * evidence + base_rate * PRIOR_WEIGHT_RUNS)
                / (evidence + PRIOR_WEIGHT_RUNS)
                / base_rate;
            (structural * relative).min(0.95) * (1.0 - FLAKY_PENALTY * history.flakiness)
        }
        _ => structural,
    };
    let probability = significant(probability.clamp(0.0, 1.0), 4);
    let recorded = history.and_then(|h| h.duration_ms);
    let seconds = recorded.map(|ms| ms / 1000.0).or(median);
    let score = match seconds {
        Some(seconds) => probability / seconds.max(MIN_SECONDS).powf(DURATION_EXPONENT),
        None => probability,
    };
    let flaky = history.is_some_and(|h| FlakyRule::DEFAULT.is_flaky(h.runs, h.flakiness));
    RankedTest {
        rank: 0,
        score: significant(score, 6),
        factors: Factors {
            distance,
            churn,
            failure_rate: history.map(|h| round_to(h.failure_rate, 4)),
            flaky: history.map(|h| round_to(h.flakiness, 4)),
            duration_ms: recorded.map(|ms| ms.round().max(0.0) as u64),
            covers_changed: covers.map(|c| round_to(c, 4)),
            named,
            co_failures,
            probability,
        },
        flaky,
        expected_seconds: seconds.unwrap_or(DEFAULT_TEST_SECONDS),
        test,
    }
}

/// The largest churn among the changed components the test's reasons start from.
fn reached_churn(test: &SelectedTest, inputs: &Inputs) -> u32 {
    test.reasons
        .iter()
        .filter_map(|reason| reason.path.first())
        .map(|first| {
            let change = inputs
                .change_of_node
                .get(first.key())
                .map(String::as_str)
                .unwrap_or(first.key());
            inputs.churn.count_key(change)
        })
        .max()
        .unwrap_or(0)
}

/// Keeps the ranked tests the budget allows, in rank order, and defers the rest.
///
/// `max_tests` keeps the first N. The time budget walks the order and keeps each test
/// whose expected time still fits, so one long test does not shut out cheaper ones
/// ranked after it. Kept tests are renumbered 1..; deferred ones keep their rank in the
/// full order.
pub fn apply_budget(ranked: Vec<RankedTest>, budget: &Budget) -> (Vec<RankedTest>, Vec<Deferred>) {
    apply_budget_within(ranked, budget, None)
}

/// [`apply_budget`], keeping only the tests of `suite` (Apex test class keys) when given:
/// the others are deferred with the reason `suite`.
pub fn apply_budget_within(
    ranked: Vec<RankedTest>,
    budget: &Budget,
    suite: Option<&std::collections::HashSet<String>>,
) -> (Vec<RankedTest>, Vec<Deferred>) {
    let mut kept = Vec::new();
    let mut deferred = Vec::new();
    let (ranked, outside): (Vec<RankedTest>, Vec<RankedTest>) = match suite {
        Some(members) => ranked
            .into_iter()
            .partition(|test| members.contains(test.test.id.key())),
        None => (ranked, Vec::new()),
    };
    for test in outside {
        deferred.push(Deferred {
            test,
            reason: "suite",
        });
    }
    let limit = budget.time.map(|time| time.as_secs_f64());
    let mut spent = 0.0;
    for test in ranked {
        if budget.max_tests.is_some_and(|max| kept.len() >= max) {
            deferred.push(Deferred {
                test,
                reason: "max-tests",
            });
            continue;
        }
        if let Some(limit) = limit {
            if spent + test.expected_seconds > limit {
                deferred.push(Deferred {
                    test,
                    reason: "time-budget",
                });
                continue;
            }
            spent += test.expected_seconds;
        }
        kept.push(test);
    }
    for (position, test) in kept.iter_mut().enumerate() {
        test.rank = position + 1;
    }
    (kept, deferred)
}

/// Parses a duration such as `10m`, `90s`, `1h30m`, `600` (seconds).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let value: u64 = number.parse().ok()?;
        number.clear();
        let unit = match c.to_ascii_lowercase() {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(value.checked_mul(unit)?)?;
    }
    if !number.is_empty() {
        return None;
    }
    Some(Duration::from_secs(total))
}

/// The kind name a test has in the history (`apex` or `flow`); LWC tests have none.
pub fn history_kind(kind: TestKind) -> Option<crate::results::TestKind> {
    match kind {
        TestKind::Apex => Some(crate::results::TestKind::Apex),
        TestKind::Flow => Some(crate::results::TestKind::Flow),
        TestKind::Lwc => None,
    }
}

/// The median of the values (`None` when empty).
fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    })
}

/// Rounds to `decimals` decimals so the plan does not print float noise.
fn round_to(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

/// Rounds to `digits` significant digits (scores span many orders of magnitude).
fn significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return 0.0;
    }
    let magnitude = value.abs().log10().floor() as i32;
    round_to(value, digits - 1 - magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::impact::Reason;
    use crate::metadata::component::ComponentId;

    fn test(name: &str, distance: u32, from: &str) -> SelectedTest {
        let id = ComponentId::new("ApexClass", name);
        SelectedTest {
            id: id.clone(),
            kind: TestKind::Apex,
            flow: None,
            methods: Vec::new(),
            distance,
            reasons: vec![Reason {
                path: vec![ComponentId::parse(from).expect("id"), id],
                edges: Vec::new(),
                note: None,
            }],
            file: None,
        }
    }

    fn names(ranked: &[RankedTest]) -> Vec<&str> {
        ranked.iter().map(|t| t.test.id.full_name()).collect()
    }

    fn history(runs: u32, failure_rate: f64, flakiness: f64, ms: Option<f64>) -> TestHistory {
        TestHistory {
            runs,
            failure_rate,
            flakiness,
            duration_ms: ms,
        }
    }

    #[test]
    fn without_history_distance_orders_then_name() {
        let tests = vec![
            test("ZTest", 1, "ApexClass:A"),
            test("FarTest", 3, "ApexClass:A"),
            test("ATest", 1, "ApexClass:A"),
            SelectedTest {
                distance: u32::MAX,
                ..test("PolicyTest", 0, "ApexClass:PolicyTest")
            },
            test("ChangedTest", 0, "ApexClass:ChangedTest"),
        ];
        let ranked = rank(tests, &Inputs::default());
        assert_eq!(
            names(&ranked),
            ["ChangedTest", "ATest", "ZTest", "FarTest", "PolicyTest"]
        );
        assert_eq!(ranked[0].rank, 1);
        assert_eq!(ranked[3].factors.distance, Some(3));
        assert_eq!(ranked[4].factors.distance, None);
        assert_eq!(ranked[1].factors.failure_rate, None);
        // No durations known: the score is the probability.
        assert_eq!(ranked[1].score, ranked[1].factors.probability);
    }

    #[test]
    fn churn_breaks_ties_but_never_beats_a_distance_step() {
        let mut counts = HashMap::new();
        counts.insert("apexclass:hot".to_string(), 40);
        counts.insert("apexclass:cold".to_string(), 1);
        let mut inputs = Inputs {
            churn: Churn::from_counts(counts, 100),
            ..Inputs::default()
        };
        inputs
            .change_of_node
            .insert("apexmethod:hot.run".into(), "apexclass:hot".into());
        let ranked = rank(
            vec![
                test("ColdTest", 1, "ApexClass:Cold"),
                test("HotTest", 1, "ApexMethod:Hot.run"),
                test("HotFarTest", 2, "ApexMethod:Hot.run"),
            ],
            &inputs,
        );
        assert_eq!(names(&ranked), ["HotTest", "ColdTest", "HotFarTest"]);
        assert_eq!(ranked[0].factors.churn, 40);
        assert_eq!(ranked[1].factors.churn, 1);
    }

    #[test]
    fn recent_failures_rise_and_long_clean_history_sinks() {
        let mut inputs = Inputs::default();
        inputs
            .history
            .insert("apexclass:failingtest".into(), history(10, 0.6, 0.1, None));
        inputs
            .history
            .insert("apexclass:cleantest".into(), history(50, 0.0, 0.0, None));
        let ranked = rank(
            vec![
                test("CleanTest", 1, "ApexClass:A"),
                test("FailingTest", 2, "ApexClass:A"),
                test("NewTest", 2, "ApexClass:A"),
            ],
            &inputs,
        );
        assert_eq!(names(&ranked), ["FailingTest", "NewTest", "CleanTest"]);
        assert_eq!(ranked[0].factors.failure_rate, Some(0.6));
        assert_eq!(ranked[0].factors.flaky, Some(0.1));
        assert!(!ranked[0].flaky);
    }

    #[test]
    fn a_flaky_test_ranks_below_an_equal_stable_one_and_is_flagged() {
        let mut inputs = Inputs::default();
        // Both failed half of their runs; one flips every run, one failed in a block.
        inputs
            .history
            .insert("apexclass:flakytest".into(), history(10, 0.5, 1.0, None));
        inputs
            .history
            .insert("apexclass:brokentest".into(), history(10, 0.5, 0.1, None));
        let ranked = rank(
            vec![
                test("FlakyTest", 1, "ApexClass:A"),
                test("BrokenTest", 1, "ApexClass:A"),
            ],
            &inputs,
        );
        assert_eq!(names(&ranked), ["BrokenTest", "FlakyTest"]);
        assert!(ranked[1].flaky && !ranked[0].flaky);
        // Too few runs to call it flaky.
        inputs
            .history
            .insert("apexclass:flakytest".into(), history(3, 0.5, 1.0, None));
        let ranked = rank(vec![test("FlakyTest", 1, "ApexClass:A")], &inputs);
        assert!(!ranked[0].flaky);
    }

    #[test]
    fn a_test_named_for_the_changed_class_and_one_that_failed_with_it_rise() {
        let mut inputs = Inputs::default();
        inputs.change_of_node.insert(
            "apexclass:invoiceservice".into(),
            "apexclass:invoiceservice".into(),
        );
        let ranked = rank(
            vec![
                test("BillingTest", 1, "ApexClass:InvoiceService"),
                test("InvoiceServiceTest", 1, "ApexClass:InvoiceService"),
                test("ZedTest", 1, "ApexClass:InvoiceService"),
            ],
            &inputs,
        );
        assert_eq!(
            names(&ranked),
            ["InvoiceServiceTest", "BillingTest", "ZedTest"]
        );
        assert!(ranked[0].factors.named && !ranked[1].factors.named);
        assert_eq!(
            ranked[0].factors.probability,
            ranked[1].factors.probability * NAMED_TEST_BOOST
        );
        // Failing before on commits that changed InvoiceService lifts ZedTest above both,
        // and the lift stops at the cap.
        inputs.co_failures.insert("apexclass:zedtest".into(), 9);
        let ranked = rank(
            vec![
                test("BillingTest", 1, "ApexClass:InvoiceService"),
                test("InvoiceServiceTest", 1, "ApexClass:InvoiceService"),
                test("ZedTest", 1, "ApexClass:InvoiceService"),
            ],
            &inputs,
        );
        assert_eq!(
            names(&ranked),
            ["ZedTest", "InvoiceServiceTest", "BillingTest"]
        );
        assert_eq!(ranked[0].factors.co_failures, Some(9));
        assert_eq!(
            ranked[0].factors.probability,
            ranked[2].factors.probability * f64::from(1 + CO_FAILURE_CAP)
        );
    }

    #[test]
    fn score_is_per_expected_second() {
        let mut inputs = Inputs::default();
        inputs.history.insert(
            "apexclass:slowtest".into(),
            history(5, 0.0, 0.0, Some(60_000.0)),
        );
        inputs.history.insert(
            "apexclass:fasttest".into(),
            history(5, 0.0, 0.0, Some(1_000.0)),
        );
        let ranked = rank(
            vec![
                test("SlowTest", 1, "ApexClass:A"),
                test("FastTest", 2, "ApexClass:A"),
                test("UnknownTest", 1, "ApexClass:A"),
            ],
            &inputs,
        );
        assert_eq!(names(&ranked), ["FastTest", "UnknownTest", "SlowTest"]);
        let unknown = &ranked[1];
        assert_eq!(unknown.factors.duration_ms, None);
        // Unknown takes the median of the known ones: (1 + 60) / 2 s.
        assert_eq!(unknown.expected_seconds, 30.5);
        assert_eq!(ranked[0].factors.duration_ms, Some(1_000));
    }

    #[test]
    fn coverage_of_the_changed_class_raises_a_test() {
        let mut inputs = Inputs::default();
        inputs
            .covers_changed
            .insert("apexclass:coveringtest".into(), 0.8);
        let ranked = rank(
            vec![
                test("AnotherTest", 1, "ApexClass:A"),
                test("CoveringTest", 1, "ApexClass:A"),
            ],
            &inputs,
        );
        assert_eq!(names(&ranked), ["CoveringTest", "AnotherTest"]);
        assert_eq!(ranked[0].factors.covers_changed, Some(0.8));
    }

    #[test]
    fn equal_inputs_give_equal_order() {
        let tests: Vec<SelectedTest> = (0..50)
            .map(|i| test(&format!("T{:02}Test", (i * 37) % 50), i % 3, "ApexClass:A"))
            .collect();
        let mut reversed = tests.clone();
        reversed.reverse();
        let a = rank(tests, &Inputs::default());
        let b = rank(reversed, &Inputs::default());
        assert_eq!(names(&a), names(&b));
    }

    #[test]
    fn budgets_keep_the_top_and_defer_the_rest() {
        let mut inputs = Inputs::default();
        for (name, ms) in [("a", 300_000.0), ("b", 400_000.0), ("c", 100_000.0)] {
            inputs.history.insert(
                format!("apexclass:{name}test"),
                history(5, 0.0, 0.0, Some(ms)),
            );
        }
        let ranked = rank(
            vec![
                test("ATest", 0, "ApexClass:ATest"),
                test("BTest", 1, "ApexClass:A"),
                test("CTest", 4, "ApexClass:A"),
            ],
            &inputs,
        );
        assert_eq!(names(&ranked), ["ATest", "BTest", "CTest"]);
        let (kept, deferred) = apply_budget(
            ranked.clone(),
            &Budget {
                max_tests: Some(1),
                time: None,
                suite: None,
                confidence: None,
            },
        );
        assert_eq!(names(&kept), ["ATest"]);
        assert_eq!(deferred.len(), 2);
        assert_eq!(
            (deferred[0].test.rank, deferred[0].reason),
            (2, "max-tests")
        );
        // 10 minutes: A (5 min) fits, B (6.7 min) does not, C (1.7 min) still does.
        let (kept, deferred) = apply_budget(
            ranked,
            &Budget {
                max_tests: None,
                time: parse_duration("10m"),
                suite: None,
                confidence: None,
            },
        );
        assert_eq!(names(&kept), ["ATest", "CTest"]);
        assert_eq!(kept[1].rank, 2);
        assert_eq!(deferred[0].test.test.id.full_name(), "BTest");
        assert_eq!(deferred[0].reason, "time-budget");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("600"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("10x"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("10m5"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(0.000123456789, 6), 0.000123457);
        assert_eq!(significant(12345.6789, 6), 12345.7);
        assert_eq!(significant(0.0, 6), 0.0);
    }
}
