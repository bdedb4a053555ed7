//! Statistics over recorded test results, for ranking, `impact history` and the gate.
//!
//! Per test (kind, class, method) and per test class:
//! - `runs` / `failures`: all recorded runs that contain it, and those where it failed
//!   (`Fail` or `CompileFail`; for a class, any of its methods).
//! - `flakiness`: the flip rate over its last `window` runs: the number of pass↔fail
//!   changes between consecutive runs divided by (runs − 1). Skipped runs carry no
//!   pass/fail information and are left out. 0 with fewer than two such runs.
//! - `failure_rate`: a recency-weighted failure rate. The k-th most recent run of the
//!   test (k = 0 for the latest) weighs `0.5^(k / DECAY_HALF_LIFE_RUNS)`, so a failure
//!   ten runs ago counts half as much as one in the latest run; the rate is
//!   Σ weight·failed / Σ weight over non-skipped runs among the last
//!   max(`window`, [`DECAY_HORIZON_RUNS`]) runs (older weights are below 3 %).
//! - `mean_duration_ms`: the mean of the known run times over the last `window` runs;
//!   a class's duration is the sum of its methods' means, over the methods that ran in
//!   the class's latest run (so deleted methods do not count).
//!
//! Results come sorted by kind, then class key, then method key. This module does not
//! decide what is flaky enough to matter; ranking and the gate apply thresholds.

use std::collections::{BTreeMap, HashMap};

use rusqlite::params;

use super::History;
use crate::error::Result;
use crate::results::{Outcome, TestKind};

/// Runs after which a past result's weight in `failure_rate` halves.
pub const DECAY_HALF_LIFE_RUNS: f64 = 10.0;

/// How many of a test's most recent runs `failure_rate` looks at (at least).
pub const DECAY_HORIZON_RUNS: usize = 50;

/// History of one test method or Flow test.
#[derive(Clone, Debug, PartialEq)]
pub struct TestStats {
    /// Apex or Flow.
    pub kind: TestKind,
    /// The test class (or flow), as written in its latest run.
    pub class_name: String,
    /// The method (or Flow test), as written in its latest run.
    pub method_name: String,
    /// Recorded runs that contain this test.
    pub runs: u32,
    /// Of those, runs where it failed.
    pub failures: u32,
    /// Its outcome in its latest run.
    pub last_outcome: Outcome,
    /// Mean run time over the last `window` runs that reported one.
    pub mean_duration_ms: Option<f64>,
    /// Flip rate over the non-skipped runs among its last `window` (0 = stable, 1 = flips
    /// every run).
    pub flakiness: f64,
    /// Recency-weighted failure rate in [0, 1] (see the module doc).
    pub failure_rate: f64,
}

/// History of one test class (or flow), rolled up from its methods.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassStats {
    /// Apex or Flow.
    pub kind: TestKind,
    /// The test class (or flow), as written in its latest run.
    pub class_name: String,
    /// Methods that ran in the class's latest run.
    pub methods: u32,
    /// Recorded runs that contain any of its methods.
    pub runs: u32,
    /// Of those, runs where any method failed.
    pub failures: u32,
    /// The class's outcome in its latest run: failed if any method failed, else passed
    /// if any passed, else skipped.
    pub last_outcome: Outcome,
    /// Estimated run time of the class: the sum of its methods' mean durations.
    pub duration_ms: Option<f64>,
    /// Flip rate of the class outcome over the non-skipped runs among its last `window`.
    pub flakiness: f64,
    /// Recency-weighted failure rate of the class outcome in [0, 1].
    pub failure_rate: f64,
}

/// A method's latest run and its mean duration, for the class estimate.
type MethodMean = (i64, Option<f64>);

/// One stored result, newest first within its test.
struct Row {
    kind: TestKind,
    name: String,
    method: String,
    key: (String, String, String),
    outcome: Outcome,
    duration_ms: Option<i64>,
    run: i64,
    total: i64,
    failed: i64,
}

impl History {
    /// Statistics per test method and Flow test; `window` is how many recent runs the
    /// flip rate and mean duration look at (see the module doc for every field).
    pub fn test_stats(&self, window: usize) -> Result<Vec<TestStats>> {
        Ok(self
            .test_rows(window)?
            .into_iter()
            .filter_map(|rows| summarize_test(&rows, window))
            .collect())
    }

    /// Runs at or after `since_ms` (milliseconds since the epoch, by the run's time) in
    /// which each test failed, by the test's id key: `apexclass:<class>` for an Apex test
    /// class (any method failed), `flowtest:<name>` for a Flow test. Also returns how
    /// many runs there are in that window.
    pub fn failures_since(&self, since_ms: i64) -> Result<(HashMap<String, u32>, usize)> {
        let runs: i64 = self
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM runs WHERE at >= ?1",
                params![since_ms],
                |row| row.get(0),
            )
            .map_err(|e| self.bad(&e))?;
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT CASE t.kind WHEN 'flow' THEN 'flowtest:' || t.method_key
                                    ELSE 'apexclass:' || t.class_key END AS test,
                        COUNT(DISTINCT t.run)
                 FROM test_results t JOIN runs r ON r.id = t.run
                 WHERE r.at >= ?1 AND t.outcome IN ('fail', 'compile_fail')
                 GROUP BY test",
            )
            .map_err(|e| self.bad(&e))?;
        let failures = stmt
            .query_map(params![since_ms], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.bad(&e))?
            .into_iter()
            .map(|(test, count)| (test, u32::try_from(count).unwrap_or(u32::MAX)))
            .collect();
        Ok((failures, usize::try_from(runs).unwrap_or(0)))
    }

    /// Per Apex test class (by id key, `apexclass:<class>`): recorded runs in which it
    /// failed on a commit that changed one of `changed` (component id keys). A run's
    /// commit counts when the churn cache knows what it changed (the plans' churn walks
    /// fill it for the commits of their window), so failures of pull-request commits that
    /// never reached the default branch's history do not count.
    pub fn co_failures(&self, changed: &[String]) -> Result<HashMap<String, u32>> {
        let mut out: HashMap<String, u32> = HashMap::new();
        let keys: Vec<String> = changed.iter().map(|key| super::fold(key)).collect();
        for chunk in keys.chunks(super::IN_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT 'apexclass:' || t.class_key, t.run
                 FROM test_results t JOIN runs r ON r.id = t.run
                 WHERE t.kind = 'apex' AND t.outcome IN ('fail', 'compile_fail')
                   AND EXISTS (SELECT 1 FROM churn c WHERE c.commit_sha = r.commit_sha
                                                       AND c.component_key IN ({marks}))
                 GROUP BY t.class_key, t.run"
            );
            let mut stmt = self.conn().prepare(&sql).map_err(|e| self.bad(&e))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(chunk.iter()), |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.bad(&e))?;
            for (test, _run) in rows {
                *out.entry(test).or_insert(0) += 1;
            }
        }
        // A run found through two chunks counted twice; with at most IN_CHUNK changed
        // components per chunk this only happens for changes of over 500 components,
        // which fall back to all tests anyway.
        Ok(out)
    }

    /// Statistics per test class (and per flow), rolled up from its methods.
    pub fn class_stats(&self, window: usize) -> Result<Vec<ClassStats>> {
        // The class's duration needs each method's mean and the run it last ran in.
        let mut method_means: BTreeMap<(String, String), Vec<MethodMean>> = BTreeMap::new();
        for rows in self.test_rows(window)? {
            let Some(first) = rows.first() else { continue };
            let mean = mean_duration(&rows[..window.max(1).min(rows.len())]);
            method_means
                .entry((first.key.0.clone(), first.key.1.clone()))
                .or_default()
                .push((first.run, mean));
        }
        let horizon = window.max(DECAY_HORIZON_RUNS);
        let mut stmt = self
            .conn()
            .prepare(
                "WITH per_run AS (
                     SELECT kind, class_key, run, MAX(class) AS class,
                            MAX(CASE outcome WHEN 'compile_fail' THEN 3 WHEN 'fail' THEN 2
                                             WHEN 'pass' THEN 1 ELSE 0 END) AS level,
                            MAX(ord) AS ord
                     FROM (SELECT t.*, o.ord FROM test_results t JOIN run_order o ON o.run = t.run)
                     GROUP BY kind, class_key, run)
                 SELECT kind, class, class_key, level, run, total, failed FROM (
                     SELECT *, ROW_NUMBER() OVER (PARTITION BY kind, class_key ORDER BY ord DESC) AS rn,
                            COUNT(*) OVER (PARTITION BY kind, class_key) AS total,
                            SUM(level >= 2) OVER (PARTITION BY kind, class_key) AS failed
                     FROM per_run)
                 WHERE rn <= ?1 ORDER BY kind, class_key, rn",
            )
            .map_err(|e| self.bad(&e))?;
        let rows = stmt
            .query_map(params![i64::try_from(horizon).unwrap_or(i64::MAX)], |row| {
                let level: i64 = row.get(3)?;
                let outcome = match level {
                    3 => Outcome::CompileFail,
                    2 => Outcome::Fail,
                    1 => Outcome::Pass,
                    _ => Outcome::Skip,
                };
                let kind: String = row.get(0)?;
                let class_key: String = row.get(2)?;
                Ok(Row {
                    kind: TestKind::from_name(&kind).unwrap_or(TestKind::Apex),
                    name: row.get(1)?,
                    method: String::new(),
                    key: (kind, class_key, String::new()),
                    outcome,
                    duration_ms: None,
                    run: row.get(4)?,
                    total: row.get(5)?,
                    failed: row.get(6)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Row>>>())
            .map_err(|e| self.bad(&e))?;
        let mut out = Vec::new();
        for rows in group(rows) {
            let Some(first) = rows.first() else { continue };
            let outcomes: Vec<Outcome> = rows.iter().map(|r| r.outcome).collect();
            let latest: Vec<Option<f64>> = method_means
                .get(&(first.key.0.clone(), first.key.1.clone()))
                .map(|methods| {
                    methods
                        .iter()
                        .filter(|(run, _)| *run == first.run)
                        .map(|(_, mean)| *mean)
                        .collect()
                })
                .unwrap_or_default();
            let known: Vec<f64> = latest.iter().flatten().copied().collect();
            out.push(ClassStats {
                kind: first.kind,
                class_name: first.name.clone(),
                methods: count(latest.len()),
                runs: count_i64(first.total),
                failures: count_i64(first.failed),
                last_outcome: first.outcome,
                duration_ms: (!known.is_empty()).then(|| known.iter().sum()),
                flakiness: flip_rate(&outcomes[..window.min(outcomes.len())]),
                failure_rate: decayed_failure_rate(&outcomes),
            });
        }
        Ok(out)
    }

    /// The stored results per test, newest first, at most max(window, horizon) each.
    fn test_rows(&self, window: usize) -> Result<Vec<Vec<Row>>> {
        let horizon = window.max(DECAY_HORIZON_RUNS);
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT kind, class, method, class_key, method_key, outcome, duration_ms, run, total, failed FROM (
                     SELECT *,
                            ROW_NUMBER() OVER (PARTITION BY kind, class_key, method_key ORDER BY ord DESC) AS rn,
                            COUNT(*) OVER (PARTITION BY kind, class_key, method_key) AS total,
                            SUM(outcome IN ('fail', 'compile_fail'))
                                OVER (PARTITION BY kind, class_key, method_key) AS failed
                     FROM (SELECT t.*, o.ord FROM test_results t JOIN run_order o ON o.run = t.run))
                 WHERE rn <= ?1 ORDER BY kind, class_key, method_key, rn",
            )
            .map_err(|e| self.bad(&e))?;
        let rows = stmt
            .query_map(params![i64::try_from(horizon).unwrap_or(i64::MAX)], |row| {
                let kind: String = row.get(0)?;
                let outcome: String = row.get(5)?;
                Ok(Row {
                    kind: TestKind::from_name(&kind).unwrap_or(TestKind::Apex),
                    name: row.get(1)?,
                    method: row.get(2)?,
                    key: (kind, row.get(3)?, row.get(4)?),
                    // Only this module writes the column; an unknown value reads as skip.
                    outcome: Outcome::from_name(&outcome).unwrap_or(Outcome::Skip),
                    duration_ms: row.get(6)?,
                    run: row.get(7)?,
                    total: row.get(8)?,
                    failed: row.get(9)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Row>>>())
            .map_err(|e| self.bad(&e))?;
        Ok(group(rows))
    }
}

/// Splits rows sorted by key into one group per key.
fn group(rows: Vec<Row>) -> Vec<Vec<Row>> {
    let mut groups: Vec<Vec<Row>> = Vec::new();
    for row in rows {
        match groups.last_mut() {
            Some(last) if last.first().is_some_and(|f| f.key == row.key) => last.push(row),
            _ => groups.push(vec![row]),
        }
    }
    groups
}

/// One test's statistics from its rows (newest first).
fn summarize_test(rows: &[Row], window: usize) -> Option<TestStats> {
    let first = rows.first()?;
    let recent = &rows[..window.max(1).min(rows.len())];
    let outcomes: Vec<Outcome> = rows.iter().map(|r| r.outcome).collect();
    Some(TestStats {
        kind: first.kind,
        class_name: first.name.clone(),
        method_name: first.method.clone(),
        runs: count_i64(first.total),
        failures: count_i64(first.failed),
        last_outcome: first.outcome,
        mean_duration_ms: mean_duration(recent),
        flakiness: flip_rate(&outcomes[..window.min(outcomes.len())]),
        failure_rate: decayed_failure_rate(&outcomes),
    })
}

/// Mean of the known durations.
fn mean_duration(rows: &[Row]) -> Option<f64> {
    let known: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.duration_ms)
        .map(|d| d as f64)
        .collect();
    (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
}

/// Pass↔fail changes between consecutive non-skipped outcomes / (their number − 1).
pub fn flip_rate(outcomes: &[Outcome]) -> f64 {
    let decided: Vec<bool> = outcomes
        .iter()
        .filter(|o| **o != Outcome::Skip)
        .map(|o| o.is_failure())
        .collect();
    if decided.len() < 2 {
        return 0.0;
    }
    let flips = decided.windows(2).filter(|w| w[0] != w[1]).count();
    flips as f64 / (decided.len() - 1) as f64
}

/// Recency-weighted failure rate of outcomes given newest first (see the module doc).
pub fn decayed_failure_rate(outcomes: &[Outcome]) -> f64 {
    let mut weighted = 0.0;
    let mut weights = 0.0;
    for (age, outcome) in outcomes.iter().enumerate() {
        if *outcome == Outcome::Skip {
            continue;
        }
        let weight = 0.5f64.powf(age as f64 / DECAY_HALF_LIFE_RUNS);
        weights += weight;
        if outcome.is_failure() {
            weighted += weight;
        }
    }
    if weights > 0.0 {
        weighted / weights
    } else {
        0.0
    }
}

/// A row count as `u32`, saturating.
fn count(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// A SQL count as `u32`, saturating (negative cannot happen; it reads as 0).
fn count_i64(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::{CompileFail, Fail, Pass, Skip};

    #[test]
    fn flip_rate_counts_changes_between_decided_runs() {
        assert_eq!(flip_rate(&[]), 0.0);
        assert_eq!(flip_rate(&[Fail]), 0.0);
        assert_eq!(flip_rate(&[Pass, Pass, Pass]), 0.0);
        assert_eq!(flip_rate(&[Pass, Fail, Pass, Fail, Pass]), 1.0);
        assert_eq!(flip_rate(&[Fail, Pass, Pass, Fail, Pass]), 0.75);
        // Skips are left out; a compile failure is a failure.
        assert_eq!(flip_rate(&[Pass, Skip, Pass, CompileFail]), 0.5);
    }

    #[test]
    fn failure_rate_decays_with_age() {
        assert_eq!(decayed_failure_rate(&[]), 0.0);
        assert_eq!(decayed_failure_rate(&[Skip, Skip]), 0.0);
        assert_eq!(decayed_failure_rate(&[Fail, Fail]), 1.0);
        // The same single failure weighs more when recent than when old.
        let recent = decayed_failure_rate(&[Fail, Pass, Pass, Pass]);
        let old = decayed_failure_rate(&[Pass, Pass, Pass, Fail]);
        assert!(
            recent > 0.25 && old < 0.25 && recent > old,
            "{recent} {old}"
        );
        // Ten runs back a result weighs exactly half.
        let mut outcomes = vec![Pass];
        outcomes.extend(std::iter::repeat_n(Skip, 9));
        outcomes.push(Fail);
        assert!((decayed_failure_rate(&outcomes) - 0.5 / 1.5).abs() < 1e-12);
    }
}
