//! The plan JSON, schema `impact.plan/v1`: the contract tests and users rely on.
//!
//! Field names and meanings may not change; new fields may be added. Internal types
//! convert into these; only this module derives `Serialize` for output.

use serde::{Deserialize, Serialize};

/// The schema name written into every plan.
pub const SCHEMA: &str = "impact.plan/v1";

/// A whole plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    pub schema: String,
    /// 40-hex sha of the base commit.
    pub base: String,
    /// 40-hex sha of the head commit, or `WORKTREE`.
    pub head: String,
    /// `RunSpecifiedTests`, `RunLocalTests` or `NoTestRun`.
    pub test_level: String,
    pub fallback: Option<Fallback>,
    pub changes: Vec<Change>,
    pub tests: Vec<Test>,
    pub uncovered: Vec<ComponentRef>,
    /// Selected (or deferred) tests the history judges flaky: they still run, ranked
    /// lower, and their failures may be noise.
    pub flaky: Vec<FlakyTest>,
    /// Tests a budget (`--max-tests`, `--time-budget`) left out, in rank order: never
    /// dropped silently.
    pub deferred: Vec<DeferredTest>,
    /// Changed Apex classes and triggers whose predicted coverage from the plan's tests
    /// (from the last recorded run) is below the threshold.
    pub coverage_risk: Vec<CoverageRisk>,
    /// `--confidence`: the level asked for, the estimate of what runs, and the curve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    pub stats: Stats,
    /// Files that could not be read completely, with what went wrong (warnings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The package.xml the changes came from (`--manifest`), instead of a git diff; the
    /// base and head then only say which revisions were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// Why the plan runs all local tests.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fallback {
    pub reason: String,
    pub paths: Vec<String>,
}

/// A changed component.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Change {
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    /// `added`, `modified`, `deleted` (a rename is the old component deleted and the new
    /// one added: git pairs files by content, which can cross components).
    pub change: String,
    pub paths: Vec<String>,
    pub semantic: bool,
    /// True when the change could not be located to members or children (added,
    /// deleted, unparseable, or a class header, field or initializer changed): the whole
    /// component counts as changed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole: bool,
}

/// A selected test.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Test {
    /// Apex: the class; Flow: the FlowTest; LWC: the Jest test file path.
    pub name: String,
    /// `apex`, `flow`, `lwc`.
    pub kind: String,
    pub rank: usize,
    pub score: f64,
    /// Flow tests: the flow's API name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    /// Flow tests: `FlowTesting.<Flow>.<Test>`, the name `sf logic run test` takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_name: Option<String>,
    /// Apex: the test methods the change reaches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// Where the test is declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub factors: Factors,
    pub reasons: Vec<Reason>,
}

/// The ranking factors of a test: `score` is `probability` per expected second.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Factors {
    /// Component-level hops from the nearest change; null for tests selected by policy.
    pub distance: Option<u32>,
    /// Recent commits (churn window) that changed the busiest changed component the
    /// test reaches, plus those that changed the test itself.
    pub churn: u32,
    /// Recency-weighted failure rate from the history; null when never recorded.
    pub failure_rate: Option<f64>,
    /// Flip rate (flakiness) from the history, 0–1; null when never recorded.
    pub flaky: Option<f64>,
    /// Recorded mean duration; null when unknown.
    pub duration_ms: Option<u64>,
    /// Largest share (0–1) of a changed class's lines the test covered in the last
    /// recorded run; null when none is recorded.
    pub covers_changed: Option<f64>,
    /// True when the test is named for a changed class (`FooTest` for `Foo`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub named: bool,
    /// Recorded runs in which the test failed on a commit that changed one of the
    /// components this change changes; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_failures: Option<u32>,
    /// The estimated failure probability the score divides by the expected seconds.
    pub probability: f64,
}

/// A test the history judges flaky.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FlakyTest {
    pub name: String,
    pub kind: String,
    /// Flip rate over its recent runs, 0–1.
    pub flakiness: f64,
    /// Recency-weighted failure rate.
    pub failure_rate: Option<f64>,
}

/// A test left out by a budget.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeferredTest {
    pub name: String,
    pub kind: String,
    /// Its rank in the full order, before the budget.
    pub rank: usize,
    pub score: f64,
    /// `max-tests` or `time-budget`.
    pub reason: String,
    /// Flow tests: `FlowTesting.<Flow>.<Test>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_name: Option<String>,
}

/// A changed class or trigger predicted to stay below the coverage threshold.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CoverageRisk {
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    /// Predicted coverage in percent, one decimal.
    pub predicted_percent: f64,
    pub covered_lines: u32,
    pub total_lines: u32,
}

/// One explanation: a path from a changed node to the test, or a policy note.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reason {
    pub path: Vec<String>,
    pub edges: Vec<Edge>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One edge of a path.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Edge {
    pub kind: String,
    /// `file:line` where the reference was found.
    pub at: String,
}

/// A component named in the plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ComponentRef {
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
}

/// The confidence cut of `--confidence` (see `src/confidence.rs` for the estimate).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Confidence {
    /// The level asked for, in `(0, 1]`.
    pub level: f64,
    /// The estimated chance that the tests of the plan catch a failure caused by the
    /// change: the share of the selected tests' summed failure probability they hold.
    pub estimate: f64,
    /// The estimate for the first N tests of the full ranked order (at most 100 points).
    pub curve: Vec<CurvePoint>,
}

/// One point of the confidence curve.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CurvePoint {
    /// The first `tests` tests of the ranked order.
    pub tests: usize,
    /// Their expected run time in minutes.
    pub minutes: f64,
    /// Their estimated chance of catching a failure caused by the change.
    pub confidence: f64,
}

/// Counts and timing.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stats {
    /// Components in the head revision's graph (members excluded).
    pub components: usize,
    /// Tests the head revision declares.
    pub tests_total: usize,
    /// `tests_total` by kind, so totals never mix Apex, Flow and Jest tests.
    #[serde(default)]
    pub tests_total_by_kind: KindCounts,
    pub selected: usize,
    pub elapsed_ms: u64,
    /// Calls whose receiver type could not be resolved and fell back to every method of
    /// that name.
    pub unresolved_calls: usize,
}

/// A count per test kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub apex: usize,
    pub flow: usize,
    pub lwc: usize,
}

impl Plan {
    /// The LWC Jest tests (their paths), in plan order.
    pub fn jest_tests(&self) -> impl Iterator<Item = &Test> {
        self.tests.iter().filter(|test| test.kind == "lwc")
    }

    /// The selected tests by kind.
    pub fn selected_by_kind(&self) -> KindCounts {
        let count = |kind: &str| self.tests.iter().filter(|test| test.kind == kind).count();
        KindCounts {
            apex: count("apex"),
            flow: count("flow"),
            lwc: count("lwc"),
        }
    }

    /// The Apex test classes, in plan order.
    pub fn apex_tests(&self) -> impl Iterator<Item = &Test> {
        self.tests.iter().filter(|test| test.kind == "apex")
    }

    /// The Flow tests, in plan order.
    pub fn flow_tests(&self) -> impl Iterator<Item = &Test> {
        self.tests.iter().filter(|test| test.kind == "flow")
    }

    /// Writes `--format json` (pretty, with a final newline) to `out` as it is
    /// serialized, never whole in memory first.
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    }
}

impl Plan {
    /// Reads a plan written by `impact plan --format json`.
    pub fn read(path: &std::path::Path) -> crate::error::Result<Plan> {
        let unreadable = |reason: String| crate::error::Error::UnreadableFile {
            path: path.to_path_buf(),
            reason,
        };
        let bytes =
            std::fs::read(path).map_err(|error| unreadable(error.to_string().to_lowercase()))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| unreadable("it is not JSON from `impact plan --format json`".into()))?;
        if value.get("schema").and_then(|schema| schema.as_str()) != Some(SCHEMA) {
            return Err(unreadable(format!(
                "it is not a plan (`schema` is not `{SCHEMA}`)"
            )));
        }
        serde_json::from_value(value)
            .map_err(|error| unreadable(format!("it is not a complete plan: {error}")))
    }
}
