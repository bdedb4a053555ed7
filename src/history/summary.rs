//! What `impact history` shows: the flaky, failing and slow tests of a history.

use super::{ClassStats, History, TestStats, WINDOW};
use crate::error::Result;

/// The one definition of "flaky": a test whose outcome flips between consecutive
/// decided runs (its flip rate, [`super::stats::flip_rate`]) at or above `threshold`,
/// over at least `min_runs` recorded runs. Ranking, the plan's flaky list,
/// `impact history` and the gate all apply it; the gate's `[gate] flaky_threshold`
/// overrides the threshold only.
///
/// The default (0.3 over 4 runs) is the stricter of the two the tool once had (the
/// gate used 0.2 and no minimum): the gate excuses a flaky failure, so calling a test
/// flaky too easily would let a real failure through.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlakyRule {
    /// Flip rate at or above which a test is flaky.
    pub threshold: f64,
    /// Runs a test needs before its flip rate can call it flaky.
    pub min_runs: u32,
}

impl FlakyRule {
    /// The rule everyone applies unless `impact.toml` sets another threshold.
    pub const DEFAULT: FlakyRule = FlakyRule {
        threshold: 0.3,
        min_runs: 4,
    };

    /// The default rule with another flip-rate threshold (`[gate] flaky_threshold`).
    pub fn with_threshold(threshold: f64) -> FlakyRule {
        FlakyRule {
            threshold,
            ..FlakyRule::DEFAULT
        }
    }

    /// Whether a test with this many runs and this flip rate is flaky.
    pub fn is_flaky(self, runs: u32, flakiness: f64) -> bool {
        runs >= self.min_runs && flakiness >= self.threshold
    }
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
            .filter(|t| FlakyRule::DEFAULT.is_flaky(t.runs, t.flakiness))
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
