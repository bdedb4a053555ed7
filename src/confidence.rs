//! `impact plan --confidence LEVEL`: run the shortest prefix of the ranked tests that is
//! estimated to catch a failure caused by the change with at least that chance.
//!
//! **The estimate.** Ranking gives every selected test an estimated failure probability
//! `p` (`factors.probability`, see [`crate::rank`]). Suppose the change breaks one of
//! the selected tests, and that the broken one is test `i` with a chance proportional to
//! its `p_i`. The chance that a prefix `S` of the order catches it is then
//!
//! ```text
//! confidence(S) = Σ_{i ∈ S} p_i / Σ_{all selected} p_i
//! ```
//!
//! the share of the change's expected failures that `S` runs. It is 0 for no test, 1 for
//! all of them, and grows with every test added, so a higher level never keeps fewer
//! tests. It is the conservative reading: assuming the tests fail independently
//! (`1 − Π(1 − p_i)`, normalised) would claim more for the same prefix, and failures of
//! one change are not independent. Its quality is the quality of `p`: without history the
//! `p`s are priors from graph distance, churn and coverage; recorded runs sharpen them.
//!
//! The cut is taken on the full ranked order, before `--max-tests`, `--time-budget` and
//! `--suite`; the estimate the plan states is that of what finally runs.

use crate::rank::{Deferred, RankedTest};

/// The reason a test left out by the confidence cut is deferred with.
pub const DEFERRED_REASON: &str = "confidence";

/// Most points a curve keeps; longer orders are sampled evenly (the last point stays).
pub const MAX_CURVE_POINTS: usize = 100;

/// One point of the curve: the first `tests` tests of the order.
#[derive(Clone, Debug, PartialEq)]
pub struct CurvePoint {
    /// How many tests, from the top of the order.
    pub tests: usize,
    /// Their expected run time in seconds.
    pub seconds: f64,
    /// Their estimated chance of catching a failure caused by the change, in `[0, 1]`.
    pub confidence: f64,
}

/// The estimated chance that `kept` catches a failure among `all` (see the module doc);
/// 1 when `all` has no probability at all (nothing can be missed).
pub fn estimate(kept: &[RankedTest], all: &[RankedTest]) -> f64 {
    let total: f64 = all.iter().map(probability).sum();
    if total <= 0.0 {
        return 1.0;
    }
    let caught: f64 = kept.iter().map(probability).sum();
    (caught / total).clamp(0.0, 1.0)
}

/// Splits the ranked order into the shortest prefix whose confidence is at least `level`
/// and the rest, deferred with [`DEFERRED_REASON`].
pub fn cut(ranked: Vec<RankedTest>, level: f64) -> (Vec<RankedTest>, Vec<Deferred>) {
    let points = curve_points(&ranked);
    let keep = points
        .iter()
        .find(|point| point.confidence >= level)
        .map_or(ranked.len(), |point| point.tests);
    let mut kept = ranked;
    let rest = kept.split_off(keep.min(kept.len()));
    let deferred = rest
        .into_iter()
        .map(|test| Deferred {
            test,
            reason: DEFERRED_REASON,
        })
        .collect();
    (kept, deferred)
}

/// The curve over the ranked order, sampled to at most [`MAX_CURVE_POINTS`] points,
/// confidence rounded to four decimals and seconds to one, for the plan.
pub fn curve(ranked: &[RankedTest]) -> Vec<CurvePoint> {
    let points = curve_points(ranked);
    let last = points.len().saturating_sub(1);
    let indices: Vec<usize> = if points.len() <= MAX_CURVE_POINTS {
        (0..points.len()).collect()
    } else {
        (0..MAX_CURVE_POINTS)
            .map(|i| i * last / (MAX_CURVE_POINTS - 1))
            .collect()
    };
    indices
        .into_iter()
        .map(|index| {
            let point = &points[index];
            CurvePoint {
                tests: point.tests,
                seconds: (point.seconds * 10.0).round() / 10.0,
                confidence: (point.confidence * 10_000.0).round() / 10_000.0,
            }
        })
        .collect()
}

/// One point per prefix length 1..=n, exact (the last is exactly 1, so float noise
/// cannot make a full order miss a level of 1).
fn curve_points(ranked: &[RankedTest]) -> Vec<CurvePoint> {
    let total: f64 = ranked.iter().map(probability).sum();
    let mut caught = 0.0;
    let mut seconds = 0.0;
    ranked
        .iter()
        .enumerate()
        .map(|(index, test)| {
            caught += probability(test);
            seconds += test.expected_seconds;
            let confidence = if index + 1 == ranked.len() || total <= 0.0 {
                1.0
            } else {
                (caught / total).min(1.0)
            };
            CurvePoint {
                tests: index + 1,
                seconds,
                confidence,
            }
        })
        .collect()
}

/// A test's estimated failure probability, never negative.
fn probability(test: &RankedTest) -> f64 {
    test.factors.probability.max(0.0)
}

/// Parses `--confidence`: a share in `(0, 1]` (`0.95`) or a percentage (`95%`).
pub fn parse_level(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let value = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
        None => text.parse::<f64>(),
    }
    .map_err(|_| "not a level: write it like `0.95` or `95%`".to_string())?;
    if value.is_finite() && value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        Err("a level is above 0 and at most 1 (`0.95`, `95%`)".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::impact::{SelectedTest, TestKind};
    use crate::metadata::component::ComponentId;
    use crate::rank::Factors;

    fn ranked(probabilities: &[f64]) -> Vec<RankedTest> {
        probabilities
            .iter()
            .enumerate()
            .map(|(i, p)| RankedTest {
                test: SelectedTest {
                    id: ComponentId::new("ApexClass", &format!("T{i}")),
                    kind: TestKind::Apex,
                    flow: None,
                    methods: Vec::new(),
                    distance: 1,
                    reasons: Vec::new(),
                    file: None,
                },
                rank: i + 1,
                score: *p,
                factors: Factors {
                    probability: *p,
                    ..Factors::default()
                },
                flaky: false,
                expected_seconds: 10.0,
            })
            .collect()
    }

    #[test]
    fn keeps_the_shortest_prefix_that_reaches_the_level() {
        // Shares (exact in binary): 0.5, 0.75, 0.875, 1.
        let order = ranked(&[0.5, 0.25, 0.125, 0.125]);
        let kept = |level: f64| cut(order.clone(), level).0.len();
        assert_eq!(kept(0.5), 1);
        assert_eq!(kept(0.51), 2);
        assert_eq!(kept(0.875), 3);
        assert_eq!(kept(0.95), 4);
        assert_eq!(kept(1.0), 4);
        let (kept, deferred) = cut(order.clone(), 0.7);
        assert_eq!(kept.len(), 2);
        assert_eq!(
            deferred
                .iter()
                .map(|d| (d.test.test.id.full_name().to_string(), d.reason))
                .collect::<Vec<_>>(),
            vec![
                ("T2".to_string(), DEFERRED_REASON),
                ("T3".to_string(), DEFERRED_REASON)
            ]
        );
        assert_eq!(estimate(&kept, &order), 0.75);
    }

    #[test]
    fn a_higher_level_never_keeps_fewer_tests() {
        let order = ranked(&[0.5, 0.25, 0.25, 0.125, 0.02, 0.02, 0.0625, 0.3]);
        let mut previous = 0;
        for step in 1..=100 {
            let level = f64::from(step) / 100.0;
            let (kept, _) = cut(order.clone(), level);
            assert!(kept.len() >= previous, "level {level} kept fewer");
            assert!(estimate(&kept, &order) >= level - 1e-12, "level {level}");
            previous = kept.len();
        }
        assert_eq!(previous, order.len());
    }

    #[test]
    fn curve_rises_to_one_and_is_sampled() {
        let points = curve(&ranked(&[0.5, 0.5]));
        assert_eq!(
            points,
            vec![
                CurvePoint {
                    tests: 1,
                    seconds: 10.0,
                    confidence: 0.5
                },
                CurvePoint {
                    tests: 2,
                    seconds: 20.0,
                    confidence: 1.0
                }
            ]
        );
        let long = curve(&ranked(&vec![0.1; 250]));
        assert_eq!(long.len(), MAX_CURVE_POINTS);
        assert_eq!(long.first().map(|p| p.tests), Some(1));
        assert_eq!(
            long.last().map(|p| (p.tests, p.confidence)),
            Some((250, 1.0))
        );
        assert!(long.windows(2).all(|w| w[0].confidence <= w[1].confidence));
        assert!(curve(&[]).is_empty());
        assert_eq!(estimate(&[], &[]), 1.0);
    }

    #[test]
    fn levels_parse_as_shares_or_percentages() {
        assert_eq!(parse_level("0.95"), Ok(0.95));
        assert_eq!(parse_level("95%"), Ok(0.95));
        assert_eq!(parse_level("1"), Ok(1.0));
        for bad in ["0", "1.5", "-0.2", "NaN", "high", "120%"] {
            assert!(parse_level(bad).is_err(), "{bad}");
        }
    }
}
