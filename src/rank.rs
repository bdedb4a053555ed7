//! Ranking: order the selected tests by how likely they are to fail for this change.
//!
//! Each factor is kept so the plan can show why test A ranks above test B. Without
//! history the order is by graph distance (direct tests of a changed component first),
//! then by name. Equal inputs give equal order. No I/O.

use crate::impact::SelectedTest;

/// The factors behind a test's score.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Factors {
    /// Component-level hops from the nearest change (`None` for tests selected by policy
    /// alone).
    pub distance: Option<u32>,
}

/// A selected test with its score.
#[derive(Clone, Debug)]
pub struct RankedTest {
    pub test: SelectedTest,
    /// 1-based position in the plan.
    pub rank: usize,
    /// Estimated failure likelihood per expected second, in `[0, 1]` without history.
    pub score: f64,
    pub factors: Factors,
}

/// Scores and orders the selected tests.
pub fn rank(tests: Vec<SelectedTest>) -> Vec<RankedTest> {
    let mut ranked: Vec<RankedTest> = tests
        .into_iter()
        .map(|test| {
            let distance = (test.distance != u32::MAX).then_some(test.distance);
            let score = match distance {
                Some(hops) => 1.0 / (1.0 + f64::from(hops)),
                None => 0.05,
            };
            RankedTest {
                test,
                rank: 0,
                score: round(score),
                factors: Factors { distance },
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.test.id.cmp(&b.test.id))
    });
    for (position, test) in ranked.iter_mut().enumerate() {
        test.rank = position + 1;
    }
    ranked
}

/// Rounds to four decimals so the plan does not print float noise.
fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}
