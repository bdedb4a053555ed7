//! What `impact history` shows: the flaky, failing and slow tests of a history.

use super::{ClassStats, History, TestStats, WINDOW};
use crate::error::Result;

/// Flip rate at or above which a test is reported as flaky (ranking and
/// `impact history`).
pub const FLAKY_THRESHOLD: f64 = 0.3;
/// Runs a test needs before its flip rate can call it flaky.
pub const FLAKY_MIN_RUNS: u32 = 4;

/// Whether a test with this many runs and this flip rate is flaky, for a flip-rate
/// `threshold`: the one definition that ranking, `impact history` and the gate apply
/// (the gate with its own `[gate] flaky_threshold` and no minimum of runs).
pub fn is_flaky(runs: u32, flakiness: f64, threshold: f64, min_runs: u32) -> bool {
    runs >= min_runs && flakiness >= threshold
}

/// The tests a history knows, sorted for people.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Recorded runs.
    pub runs: usize,
    /// Test methods and Flow tests recorded.
    pub tests: usize,
    /// Flaky tests, the most flaky first.
    pub flaky: Vec<TestStats>,
    /// Tests that failed in their latest run, the highest failure rate first.
    pub failing: Vec<TestStats>,
    /// Test classes with a known duration, the slowest first.
    pub slow: Vec<ClassStats>,
}

impl History {
    /// The flaky, failing and slow tests over the recent [`WINDOW`] runs.
    pub fn summary(&self) -> Result<Summary> {
        let runs = self.run_count()?;
        let tests = self.test_stats(WINDOW)?;
        let classes = self.class_stats(WINDOW)?;
        let mut flaky: Vec<TestStats> = tests
            .iter()
            .filter(|t| is_flaky(t.runs, t.flakiness, FLAKY_THRESHOLD, FLAKY_MIN_RUNS))
            .cloned()
            .collect();
        flaky.sort_by(|a, b| b.flakiness.total_cmp(&a.flakiness));
        let mut failing: Vec<TestStats> = tests
            .iter()
            .filter(|t| t.last_outcome.is_failure())
            .cloned()
            .collect();
        failing.sort_by(|a, b| b.failure_rate.total_cmp(&a.failure_rate));
        let mut slow: Vec<ClassStats> = classes
            .into_iter()
            .filter(|c| c.duration_ms.is_some())
            .collect();
        slow.sort_by(|a, b| {
            b.duration_ms
                .unwrap_or(0.0)
                .total_cmp(&a.duration_ms.unwrap_or(0.0))
        });
        Ok(Summary {
            runs,
            tests: tests.len(),
            flaky,
            failing,
            slow,
        })
    }
}
