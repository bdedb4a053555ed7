//! The history store: test results, coverage and change frequency in one SQLite file.
//!
//! [`History`] wraps one connection to the file (default `.impact/history.db`). It is
//! written by `impact record` ([`History::record`]) and by the churn walk
//! ([`History::record_commit_changes`]), and read by ranking, coverage prediction and the
//! gate ([`History::test_stats`], [`History::class_stats`], [`History::covering_tests`],
//! [`History::coverage_by_test`], [`History::churn_counts`]).
//!
//! - Names are compared case-insensitively: every name is stored twice, as written and
//!   as a lowercase key, and queries take and match keys.
//! - Recency is the run's time (`runs.at`): when it started as the file says (the org's
//!   `TestTimestamp`, a file's start time, read as UTC when it names no zone), else when
//!   it was first recorded; ties go by run id. So histories recorded or merged in any
//!   order agree (`upsert.rs` has the join rule, `merge.rs` the merge). The `run_order`
//!   view numbers the runs in that order; statistics read it instead of row ids.
//! - Each import is one transaction (`BEGIN IMMEDIATE`); the file is in WAL mode with a
//!   5 s busy timeout, so a concurrent reader keeps reading and two importers take turns.
//!
//! The schema and the checks on open are in `db.rs`; the statistics in [`stats`], and
//! what `impact history` lists in `summary.rs`. This module does not read result files
//! (that is [`crate::results`]) nor walk git (it only finds a repository's root for the
//! default file, [`path_for_repo`]).

mod db;
mod merge;
mod org;
pub mod stats;
mod summary;
mod upsert;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::error::{Error, Result};
use crate::results::{TestResult, TestRun};

pub use merge::MergeOutcome;
pub use org::OrgOutcome;
pub use stats::{ClassStats, TestStats, DECAY_HALF_LIFE_RUNS};
pub use summary::{FlakyRule, Summary};

/// Recent runs over which flakiness and mean durations are computed.
pub const WINDOW: usize = 20;

/// The history file of a repository when none is given: `.impact/history.db` under its
/// root. The only place that spells it.
pub fn default_path(git_root: &Path) -> PathBuf {
    git_root.join(".impact").join("history.db")
}

/// The history file `explicit` names, else the default file of the repository that
/// contains `repo` (which must have a working tree).
pub fn path_for_repo(explicit: Option<&PathBuf>, repo: &Path) -> Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.clone());
    }
    let git = crate::git::Repo::discover(repo)?;
    let root = git.workdir().ok_or_else(|| Error::BareRepository {
        path: repo.to_path_buf(),
    })?;
    Ok(default_path(root))
}

/// An open history file.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

/// What [`History::record`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordOutcome {
    /// False when a run with the same id was already recorded (this one was joined
    /// with it).
    pub new: bool,
    /// Test results stored or changed by this call (0 when the run was recorded before
    /// with the same results).
    pub tests: usize,
}

/// SQLite's default limit on bound parameters is 32766; stay far below it.
const IN_CHUNK: usize = 500;

impl History {
    /// Opens the history at `path`, creating the file, its parent directories and the
    /// schema when missing; a file that is not a usable history is [`Error::BadHistory`].
    pub fn open(path: &Path) -> Result<History> {
        let conn = db::open(path)?;
        Ok(History {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens the history for a plan, which mostly reads: like [`History::open`], but
    /// when the file system refuses writes (a full disk, a read-only directory) the
    /// file is read without writing, with a warning, and the churn cache is not kept.
    pub fn open_for_reading(path: &Path) -> Result<History> {
        match History::open(path) {
            Err(Error::CannotWrite { reason, .. }) if path.is_file() => {
                let conn = db::open_read_only(path)?;
                crate::error::warn_local(format_args!(
                    "cannot write the history `{}` ({reason}): it is read without writing",
                    path.display()
                ));
                Ok(History {
                    conn,
                    path: path.to_path_buf(),
                })
            }
            other => other,
        }
    }

    /// The file this history lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stores one run in one transaction. A run whose id is already recorded is joined
    /// with this one (see `upsert.rs`): re-recording the same file adds nothing, and
    /// two files of one run (a JSON and a JUnit of the same test run id) give the same
    /// rows in either order. `commit` is the revision the tests ran on, when known.
    ///
    /// A test that appears several times in one run (retries in JUnit) is stored once,
    /// with its most severe outcome.
    pub fn record(&mut self, run: &TestRun, commit: Option<&str>) -> Result<RecordOutcome> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| Error::CannotWrite {
            path: path.clone(),
            reason: db::describe(&e),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let imported_at = now_seconds();
        let at = run
            .started_at
            .as_deref()
            .and_then(crate::results::timestamp_ms)
            .unwrap_or(imported_at.saturating_mul(1000));
        let (run_row, new) = upsert_run(
            &tx,
            &RunRow {
                run_id: &run.run_id,
                commit: commit.map(str::to_lowercase),
                imported_at,
                started_at: run.started_at.as_deref(),
                at,
                format: run.format.as_str(),
                org_wide_coverage: run.org_wide_coverage,
            },
        )
        .map_err(fail)?;
        let mut stored = 0;
        for test in dedupe(&run.tests) {
            stored += upsert_result(&tx, run_row, test, None).map_err(fail)?;
        }
        for coverage in &run.class_coverage {
            upsert_class_coverage(&tx, run_row, coverage).map_err(fail)?;
        }
        for coverage in &run.test_coverage {
            upsert_test_coverage(&tx, run_row, coverage, None, None).map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        Ok(RecordOutcome { new, tests: stored })
    }

    /// Number of runs recorded.
    pub fn run_count(&self) -> Result<usize> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM runs", [], |row| row.get(0))
            .map_err(|e| self.bad(&e))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Caches which components commit `commit` changed (an empty list is a valid answer:
    /// the commit is then known and not walked again). `commit_time` is the commit's
    /// time in seconds since the epoch. Recording a commit again replaces its list.
    pub fn record_commit_changes(
        &mut self,
        commit: &str,
        commit_time: i64,
        components: &[String],
    ) -> Result<()> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| Error::CannotWrite {
            path: path.clone(),
            reason: db::describe(&e),
        };
        let commit = fold(commit);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        tx.execute(
            "INSERT INTO churn_commits (commit_sha, commit_time) VALUES (?1, ?2)
             ON CONFLICT (commit_sha) DO UPDATE SET commit_time = excluded.commit_time",
            params![commit, commit_time],
        )
        .map_err(fail)?;
        tx.execute("DELETE FROM churn WHERE commit_sha = ?1", params![commit])
            .map_err(fail)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR IGNORE INTO churn (commit_sha, component, component_key) VALUES (?1, ?2, ?3)",
                )
                .map_err(fail)?;
            for component in components {
                insert
                    .execute(params![commit, component, fold(component)])
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }

    /// The commits whose changed components are cached (lowercase ids).
    pub fn known_commits(&self) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT commit_sha FROM churn_commits")
            .map_err(|e| self.bad(&e))?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<HashSet<String>>>())
            .map_err(|e| self.bad(&e))?;
        Ok(rows)
    }

    /// How many of `commits` changed each component, keyed by the component's
    /// lowercase name (the [`crate::metadata::component::ComponentId::key`] form when
    /// components were recorded as `Type:FullName`). Commits not cached count nothing;
    /// a commit listed twice counts once.
    pub fn churn_counts(&self, commits: &[String]) -> Result<HashMap<String, u32>> {
        let unique: Vec<String> = commits
            .iter()
            .map(|c| fold(c))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut counts: HashMap<String, u32> = HashMap::new();
        for chunk in unique.chunks(IN_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT component_key, COUNT(*) FROM churn WHERE commit_sha IN ({marks}) GROUP BY component_key"
            );
            let mut stmt = self.conn.prepare(&sql).map_err(|e| self.bad(&e))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(chunk.iter()), |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.bad(&e))?;
            for (key, count) in rows {
                let count = u32::try_from(count).unwrap_or(u32::MAX);
                let entry = counts.entry(key).or_insert(0);
                *entry = entry.saturating_add(count);
            }
        }
        Ok(counts)
    }

    /// The most recent aggregate coverage of a class or trigger: `(covered, total)`.
    pub fn last_coverage(&self, class: &str) -> Result<Option<(u32, u32)>> {
        self.conn
            .query_row(
                "SELECT c.covered, c.total FROM class_coverage c JOIN run_order o ON o.run = c.run
                 WHERE c.class_key = ?1 ORDER BY o.ord DESC LIMIT 1",
                params![fold(class)],
                |row| Ok((row.get::<_, u32>(0)?, row.get::<_, u32>(1)?)),
            )
            .optional()
            .map_err(|e| self.bad(&e))
    }

    /// Which test classes cover which classes or triggers: `(covered, test_class)` pairs
    /// from, for each covered class, the most recent run that recorded per-test coverage
    /// of it; only tests that covered at least one line. Sorted by keys.
    pub fn covering_tests(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare(
                "WITH tc AS (SELECT t.*, o.ord FROM test_coverage t JOIN run_order o ON o.run = t.run),
                      latest AS (SELECT covered_key, MAX(ord) AS ord FROM tc GROUP BY covered_key)
                 SELECT MIN(tc.covered), MIN(tc.test_class)
                 FROM tc JOIN latest l ON tc.covered_key = l.covered_key AND tc.ord = l.ord
                 WHERE tc.covered_lines > 0
                 GROUP BY tc.covered_key, tc.test_class_key
                 ORDER BY tc.covered_key, tc.test_class_key",
            )
            .map_err(|e| self.bad(&e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.bad(&e))?;
        Ok(rows)
    }

    /// Per test class, the lines of `covered` it covered in the most recent run that
    /// recorded per-test coverage of `covered`: `(test_class, covered_lines, total)`,
    /// sorted by test class key. Over several methods of one class the count is the
    /// union of their line numbers when the run listed them, else the largest count.
    pub fn coverage_by_test(&self, covered: &str) -> Result<Vec<(String, u32, u32)>> {
        let rows = self.latest_test_coverage(covered)?;
        let mut by_class: BTreeMap<String, Vec<CoverageRow>> = BTreeMap::new();
        for row in rows {
            by_class
                .entry(row.test_class_key.clone())
                .or_default()
                .push(row);
        }
        Ok(by_class
            .into_values()
            .filter_map(|rows| {
                let name = rows.first()?.test_class.clone();
                let (covered, total) = combine(&rows);
                Some((name, covered, total))
            })
            .collect())
    }

    /// The predicted coverage of `covered` if only `test_classes` run: the union of the
    /// lines they covered in the most recent run with per-test coverage of `covered`
    /// (exact when the run listed line numbers, else the best single test method's count,
    /// a lower bound). `None` when no run recorded per-test coverage of `covered`.
    pub fn predicted_coverage(
        &self,
        covered: &str,
        test_classes: &[String],
    ) -> Result<Option<(u32, u32)>> {
        let rows = self.latest_test_coverage(covered)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let total = rows.iter().map(|r| r.total).max().unwrap_or(0);
        let wanted: HashSet<String> = test_classes.iter().map(|t| fold(t)).collect();
        let chosen: Vec<CoverageRow> = rows
            .into_iter()
            .filter(|r| wanted.contains(&r.test_class_key))
            .collect();
        let (covered_lines, _) = combine(&chosen);
        Ok(Some((covered_lines.min(total), total)))
    }

    /// The per-test coverage rows of `covered` from the latest run that has any.
    fn latest_test_coverage(&self, covered: &str) -> Result<Vec<CoverageRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT test_class, test_class_key, covered_lines, total, lines FROM test_coverage
                 WHERE covered_key = ?1
                   AND run = (SELECT t.run FROM test_coverage t JOIN run_order o ON o.run = t.run
                              WHERE t.covered_key = ?1 ORDER BY o.ord DESC LIMIT 1)
                 ORDER BY test_class_key, test_method_key",
            )
            .map_err(|e| self.bad(&e))?;
        let rows = stmt
            .query_map(params![fold(covered)], |row| {
                Ok(CoverageRow {
                    test_class: row.get(0)?,
                    test_class_key: row.get(1)?,
                    covered_lines: row.get(2)?,
                    total: row.get(3)?,
                    lines: row.get(4)?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.bad(&e))?;
        Ok(rows)
    }

    /// A query failure: the file is not what it should be.
    fn bad(&self, error: &rusqlite::Error) -> Error {
        Error::BadHistory {
            path: self.path.clone(),
            reason: db::describe(error),
        }
    }

    /// The connection, for the statistics queries.
    fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// A run's own columns, as one writer gives them.
struct RunRow<'a> {
    run_id: &'a str,
    commit: Option<String>,
    imported_at: i64,
    started_at: Option<&'a str>,
    /// The run's time in milliseconds since the epoch: what orders runs.
    at: i64,
    format: &'a str,
    org_wide_coverage: Option<f64>,
}

/// Inserts a run or joins it with the stored one; returns its row id and whether it is
/// new.
fn upsert_run(tx: &Connection, run: &RunRow) -> rusqlite::Result<(i64, bool)> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM runs WHERE run_id = ?1",
            params![run.run_id],
            |row| row.get(0),
        )
        .optional()?;
    tx.execute(
        &format!(
            "INSERT INTO runs (run_id, commit_sha, imported_at, started_at, format, org_wide_coverage, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) {}",
            upsert::RUN_CONFLICT
        ),
        params![
            run.run_id,
            run.commit,
            run.imported_at,
            run.started_at,
            run.format,
            run.org_wide_coverage,
            run.at,
        ],
    )?;
    match existing {
        Some(id) => Ok((id, false)),
        None => Ok((tx.last_insert_rowid(), true)),
    }
}

/// Inserts a test result or keeps the greater of it and the stored one; returns 1 when
/// the stored rows changed.
fn upsert_result(
    tx: &Connection,
    run: i64,
    test: &TestResult,
    record_id: Option<&str>,
) -> rusqlite::Result<usize> {
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO test_results
         (run, kind, class, class_key, method, method_key, namespace, outcome, duration_ms, message, record_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) {}",
        upsert::result_conflict()
    ))?;
    insert.execute(params![
        run,
        test.kind.as_str(),
        test.class_name,
        fold(&test.class_name),
        test.method_name,
        fold(&test.method_name),
        test.namespace,
        test.outcome.as_str(),
        test.duration_ms
            .map(|d| i64::try_from(d).unwrap_or(i64::MAX)),
        test.message,
        record_id,
    ])
}

/// Inserts a class's aggregate coverage or keeps the greater version.
fn upsert_class_coverage(
    tx: &Connection,
    run: i64,
    coverage: &crate::results::ClassCoverage,
) -> rusqlite::Result<usize> {
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO class_coverage (run, class, class_key, kind, covered, total)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) {}",
        upsert::CLASS_COVERAGE_CONFLICT
    ))?;
    insert.execute(params![
        run,
        coverage.name,
        fold(&coverage.name),
        coverage.kind.as_str(),
        coverage.lines_covered,
        coverage.lines_total,
    ])
}

/// Inserts one test method's coverage of one class or keeps the greater version
/// (`record_at`: the org record's time, newest wins).
fn upsert_test_coverage(
    tx: &Connection,
    run: i64,
    coverage: &crate::results::TestCoverage,
    record_id: Option<&str>,
    record_at: Option<i64>,
) -> rusqlite::Result<usize> {
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO test_coverage
         (run, test_class, test_class_key, test_method, test_method_key, covered, covered_key,
          covered_lines, total, lines, record_id, record_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) {}",
        upsert::TEST_COVERAGE_CONFLICT
    ))?;
    let lines: Vec<String> = coverage.lines.iter().map(u32::to_string).collect();
    insert.execute(params![
        run,
        coverage.test_class,
        fold(&coverage.test_class),
        coverage.test_method,
        fold(&coverage.test_method),
        coverage.covered,
        fold(&coverage.covered),
        coverage.lines_covered,
        coverage.lines_total,
        lines.join(","),
        record_id,
        record_at,
    ])
}

/// One stored per-test coverage row.
struct CoverageRow {
    test_class: String,
    test_class_key: String,
    covered_lines: u32,
    total: u32,
    lines: String,
}

/// Combines coverage rows of one covered class: the union of listed lines when every row
/// that covered something listed them, else the largest single count. Returns
/// `(covered, total)`.
fn combine(rows: &[CoverageRow]) -> (u32, u32) {
    let total = rows.iter().map(|r| r.total).max().unwrap_or(0);
    let all_listed = rows
        .iter()
        .all(|r| r.covered_lines == 0 || !r.lines.is_empty());
    let covered = if all_listed {
        let union: HashSet<u32> = rows
            .iter()
            .flat_map(|r| {
                r.lines
                    .split(',')
                    .filter_map(|l| l.trim().parse::<u32>().ok())
            })
            .collect();
        u32::try_from(union.len()).unwrap_or(u32::MAX)
    } else {
        rows.iter().map(|r| r.covered_lines).max().unwrap_or(0)
    };
    (covered, total)
}

/// One result per (kind, class, method) key, keeping the most severe outcome (the first
/// of equals), in first-seen order.
fn dedupe(tests: &[TestResult]) -> Vec<&TestResult> {
    let mut index: HashMap<(crate::results::TestKind, String, String), usize> = HashMap::new();
    let mut kept: Vec<&TestResult> = Vec::new();
    for test in tests {
        let key = (test.kind, fold(&test.class_name), fold(&test.method_name));
        match index.get(&key) {
            Some(&at) => {
                if test.outcome.severity() > kept[at].outcome.severity() {
                    kept[at] = test;
                }
            }
            None => {
                index.insert(key, kept.len());
                kept.push(test);
            }
        }
    }
    kept
}

/// The case-folded key of a name.
pub(crate) fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Seconds since the epoch; 0 if the clock is before 1970.
fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{read_results, Outcome, ResultFormat, TestKind};

    /// Reads one of the files under `tests/data/results/`.
    fn data(name: &str) -> TestRun {
        read_results(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/results")
                .join(name),
        )
        .expect("fixture reads")
    }

    /// A synthetic run of Apex tests `(class, method, outcome, duration)`.
    fn run(id: &str, tests: &[(&str, &str, Outcome, Option<u64>)]) -> TestRun {
        TestRun {
            format: ResultFormat::SfTestRun,
            run_id: id.into(),
            started_at: None,
            tests: tests
                .iter()
                .map(|(class, method, outcome, duration)| TestResult {
                    kind: TestKind::Apex,
                    class_name: (*class).into(),
                    method_name: (*method).into(),
                    outcome: *outcome,
                    duration_ms: *duration,
                    message: outcome.is_failure().then(|| "boom".to_string()),
                    stack_trace: None,
                    namespace: None,
                })
                .collect(),
            class_coverage: Vec::new(),
            test_coverage: Vec::new(),
            org_wide_coverage: None,
            coverage_warnings: Vec::new(),
            total_time_ms: None,
        }
    }

    /// Row count of a table.
    fn rows(history: &History, table: &str) -> i64 {
        history
            .conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    }

    /// A fresh history in a temporary directory (kept alive by the returned guard).
    fn fresh() -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().expect("tempdir");
        let history = History::open(&dir.path().join("nested/dir/history.db")).expect("open");
        (dir, history)
    }

    /// The reason of a `BadHistory` error, or a panic naming what came instead.
    fn bad_reason(result: Result<History>) -> String {
        match result {
            Err(Error::BadHistory { reason, .. }) => reason,
            Err(other) => panic!("expected BadHistory, got {other:?}"),
            Ok(_) => panic!("expected BadHistory, the file opened"),
        }
    }

    #[test]
    fn open_creates_parents_schema_and_wal() {
        let (dir, history) = fresh();
        assert!(dir.path().join("nested/dir/history.db").is_file());
        let version: i64 = history
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, db::SCHEMA_VERSION);
        let mode: String = history
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        assert_eq!(history.run_count().expect("count"), 0);
        drop(history);
        // Opening again keeps what is there.
        let again = History::open(&dir.path().join("nested/dir/history.db")).expect("reopen");
        assert_eq!(again.run_count().expect("count"), 0);
    }

    #[test]
    fn records_a_test_run_and_reimport_adds_nothing() {
        let (_dir, mut history) = fresh();
        let run = data("apex-get-test-coverage.json");
        let outcome = history.record(&run, Some("ABCDEF0123")).expect("record");
        assert_eq!(
            outcome,
            RecordOutcome {
                new: true,
                tests: 4
            }
        );
        assert_eq!(rows(&history, "runs"), 1);
        assert_eq!(rows(&history, "test_results"), 4);
        assert_eq!(rows(&history, "class_coverage"), 3);
        assert_eq!(rows(&history, "test_coverage"), 5);
        let (commit, format, org): (String, String, f64) = history
            .conn
            .query_row(
                "SELECT commit_sha, format, org_wide_coverage FROM runs WHERE run_id = '7075g00000KpQrsAAF'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("run row");
        assert_eq!(
            (commit.as_str(), format.as_str(), org),
            ("abcdef0123", "sf_test_run", 78.0)
        );
        let stored: (String, String, String, Option<i64>, Option<String>) = history
            .conn
            .query_row(
                "SELECT class, class_key, outcome, duration_ms, message FROM test_results WHERE method = 'rejectsNegative'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .expect("result row");
        assert_eq!(
            stored,
            (
                "InvoiceServiceTest".to_string(),
                "invoiceservicetest".to_string(),
                "fail".to_string(),
                Some(95),
                Some(
                    "System.AssertException: Assertion Failed: Expected: 0, Actual: -5".to_string()
                )
            )
        );

        let again = history.record(&run, Some("other")).expect("re-record");
        assert_eq!(
            again,
            RecordOutcome {
                new: false,
                tests: 0
            }
        );
        assert_eq!(rows(&history, "runs"), 1);
        assert_eq!(rows(&history, "test_results"), 4);
        assert_eq!(rows(&history, "test_coverage"), 5);
    }

    #[test]
    fn records_every_fixture_format() {
        let (_dir, mut history) = fresh();
        let mut total = 0;
        for (name, new, tests) in [
            ("apex-get-test-coverage.json", true, 4),
            ("apex-run-test-sync-namespaced.json", true, 3),
            ("logic-run-test-flows.json", true, 3),
            ("deploy-report-typed.json", true, 3),
            ("deploy-report-string-typed.json", true, 2),
            // The sf JUnit carries the run id of the JSON test run: it is the same run,
            // joined: it adds the test the JSON lacks and the longer run time it reports
            // for the failure (durations 100 against 95 ms).
            ("junit-sf-apex.xml", false, 2),
            ("junit-surefire-nested.xml", true, 6),
            ("junit-single-suite-compile.xml", true, 3),
        ] {
            let outcome = history.record(&data(name), None).expect(name);
            assert_eq!(outcome, RecordOutcome { new, tests }, "{name}");
            total += outcome.tests;
        }
        assert_eq!(history.run_count().expect("count"), 7);
        // One of the JUnit's two changes replaced a row rather than adding one.
        assert_eq!(rows(&history, "test_results"), total as i64 - 1);
        let flows: i64 = history
            .conn
            .query_row(
                "SELECT COUNT(*) FROM test_results WHERE kind = 'flow'",
                [],
                |r| r.get(0),
            )
            .expect("flows");
        assert_eq!(flows, 3);
    }

    #[test]
    fn duplicate_results_in_one_run_keep_the_worst() {
        let (_dir, mut history) = fresh();
        let retried = run(
            "r1",
            &[
                ("A", "m", Outcome::Fail, Some(10)),
                ("a", "M", Outcome::Pass, Some(12)),
                ("A", "n", Outcome::Pass, Some(5)),
            ],
        );
        assert_eq!(history.record(&retried, None).expect("record").tests, 2);
        let stats = history.test_stats(10).expect("stats");
        assert_eq!(stats.len(), 2);
        assert_eq!(stats[0].last_outcome, Outcome::Fail);
    }

    #[test]
    fn test_and_class_stats_follow_the_documented_formulas() {
        let (_dir, mut history) = fresh();
        use Outcome::{Fail, Pass, Skip};
        // Oldest first. `flaky` goes P F P P F; `stable` always passes; `gone` ran once.
        let outcomes = [Pass, Fail, Pass, Pass, Fail];
        for (i, outcome) in outcomes.iter().enumerate() {
            let mut tests = vec![
                (
                    "InvoiceServiceTest",
                    "flaky",
                    *outcome,
                    Some(100 + 10 * i as u64),
                ),
                ("InvoiceServiceTest", "stable", Pass, Some(50)),
                ("TaxTest", "skipped", Skip, None),
            ];
            if i == 0 {
                tests.push(("InvoiceServiceTest", "gone", Pass, Some(1000)));
            }
            history
                .record(&run(&format!("run{i}"), &tests), None)
                .expect("record");
        }
        // Case differs in the newest run: still the same test.
        history
            .record(
                &run("run5", &[("invoiceservicetest", "FLAKY", Pass, Some(150))]),
                None,
            )
            .expect("record");

        let stats = history.test_stats(5).expect("stats");
        let names: Vec<(&str, &str)> = stats
            .iter()
            .map(|s| (s.class_name.as_str(), s.method_name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("invoiceservicetest", "FLAKY"),
                ("InvoiceServiceTest", "gone"),
                ("InvoiceServiceTest", "stable"),
                ("TaxTest", "skipped"),
            ]
        );
        let flaky = &stats[0];
        assert_eq!(
            (flaky.runs, flaky.failures, flaky.last_outcome),
            (6, 2, Pass)
        );
        // Window 5, newest first: P F P P F → 3 flips over 4 gaps.
        assert_eq!(flaky.flakiness, 0.75);
        // Mean of the last five durations: 150, 140, 130, 120, 110.
        assert_eq!(flaky.mean_duration_ms, Some(130.0));
        let newest_first = [Pass, Fail, Pass, Pass, Fail, Pass];
        assert_eq!(
            flaky.failure_rate,
            stats::decayed_failure_rate(&newest_first)
        );
        let w = |k: f64| 0.5f64.powf(k / DECAY_HALF_LIFE_RUNS);
        let expected = (w(1.0) + w(4.0)) / (0..6).map(|k| w(k as f64)).sum::<f64>();
        assert!((flaky.failure_rate - expected).abs() < 1e-12);

        let stable = &stats[2];
        assert_eq!(
            (
                stable.runs,
                stable.failures,
                stable.flakiness,
                stable.failure_rate
            ),
            (5, 0, 0.0, 0.0)
        );
        let skipped = &stats[3];
        assert_eq!(
            (
                skipped.last_outcome,
                skipped.mean_duration_ms,
                skipped.flakiness
            ),
            (Skip, None, 0.0)
        );

        let classes = history.class_stats(5).expect("class stats");
        assert_eq!(classes.len(), 2);
        let invoice = &classes[0];
        assert_eq!(invoice.class_name.to_lowercase(), "invoiceservicetest");
        assert_eq!(
            (invoice.runs, invoice.failures, invoice.last_outcome),
            (6, 2, Pass)
        );
        // Only `flaky` ran in the class's latest run; its mean is the class estimate.
        assert_eq!(invoice.methods, 1);
        assert_eq!(invoice.duration_ms, Some(130.0));
        assert_eq!(invoice.flakiness, 0.75);
        assert_eq!(invoice.failure_rate, flaky.failure_rate);
        let tax = &classes[1];
        assert_eq!(
            (
                tax.class_name.as_str(),
                tax.runs,
                tax.last_outcome,
                tax.duration_ms
            ),
            ("TaxTest", 5, Skip, None)
        );
    }

    #[test]
    fn class_duration_sums_methods_of_the_latest_run() {
        let (_dir, mut history) = fresh();
        history
            .record(
                &run(
                    "a",
                    &[
                        ("T", "one", Outcome::Pass, Some(100)),
                        ("T", "two", Outcome::Pass, Some(300)),
                    ],
                ),
                None,
            )
            .expect("record");
        history
            .record(
                &run(
                    "b",
                    &[
                        ("T", "one", Outcome::Pass, Some(200)),
                        ("T", "two", Outcome::Fail, None),
                    ],
                ),
                None,
            )
            .expect("record");
        let classes = history.class_stats(10).expect("stats");
        assert_eq!(classes.len(), 1);
        assert_eq!(classes[0].methods, 2);
        assert_eq!(classes[0].duration_ms, Some(150.0 + 300.0));
        assert_eq!(classes[0].last_outcome, Outcome::Fail);
        assert_eq!(classes[0].flakiness, 1.0);
    }

    #[test]
    fn coverage_queries_use_the_latest_run_and_fold_names() {
        let (_dir, mut history) = fresh();
        history
            .record(&data("apex-get-test-coverage.json"), None)
            .expect("record");
        assert_eq!(
            history.covering_tests().expect("covering"),
            vec![
                (
                    "InvoiceService".to_string(),
                    "InvoiceServiceTest".to_string()
                ),
                (
                    "InvoiceService".to_string(),
                    "TaxCalculatorTest".to_string()
                ),
                (
                    "InvoiceTrigger".to_string(),
                    "InvoiceServiceTest".to_string()
                ),
                ("TaxCalculator".to_string(), "TaxCalculatorTest".to_string()),
            ]
        );
        assert_eq!(
            history.last_coverage("INVOICESERVICE").expect("last"),
            Some((8, 10))
        );
        assert_eq!(history.last_coverage("Nope").expect("last"), None);
        // createsInvoice covers 3-7 and rejectsNegative 3,4,8,9,10: the class covers 8.
        assert_eq!(
            history.coverage_by_test("invoiceservice").expect("by test"),
            vec![
                ("InvoiceServiceTest".to_string(), 8, 10),
                ("TaxCalculatorTest".to_string(), 3, 10)
            ]
        );
        assert_eq!(
            history
                .predicted_coverage("InvoiceService", &["taxcalculatortest".to_string()])
                .expect("predict"),
            Some((3, 10))
        );
        assert_eq!(
            history
                .predicted_coverage(
                    "InvoiceService",
                    &[
                        "TaxCalculatorTest".to_string(),
                        "InvoiceServiceTest".to_string()
                    ]
                )
                .expect("predict"),
            Some((8, 10))
        );
        assert_eq!(
            history
                .predicted_coverage("InvoiceService", &[])
                .expect("predict"),
            Some((0, 10))
        );
        assert_eq!(
            history.predicted_coverage("Unknown", &[]).expect("predict"),
            None
        );

        // A later deploy updates the aggregate but has no per-test coverage.
        history
            .record(&data("deploy-report-typed.json"), None)
            .expect("record");
        assert_eq!(
            history.last_coverage("InvoiceService").expect("last"),
            Some((18, 20))
        );
        assert_eq!(
            history.last_coverage("InvoiceTrigger").expect("last"),
            Some((0, 6))
        );
        assert_eq!(history.covering_tests().expect("covering").len(), 4);
    }

    #[test]
    fn coverage_without_line_numbers_falls_back_to_the_best_method() {
        let (_dir, mut history) = fresh();
        let mut with_counts = run("c", &[]);
        for (method, covered) in [("a", 4), ("b", 6)] {
            with_counts
                .test_coverage
                .push(crate::results::TestCoverage {
                    test_class: "T".into(),
                    test_method: method.into(),
                    covered: "C".into(),
                    lines_covered: covered,
                    lines_total: 10,
                    lines: Vec::new(),
                });
        }
        history.record(&with_counts, None).expect("record");
        assert_eq!(
            history.coverage_by_test("c").expect("by test"),
            vec![("T".to_string(), 6, 10)]
        );
        assert_eq!(
            history
                .predicted_coverage("C", &["t".to_string()])
                .expect("predict"),
            Some((6, 10))
        );
    }

    #[test]
    fn churn_cache_counts_per_component() {
        let (_dir, mut history) = fresh();
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        history
            .record_commit_changes(
                "C1",
                100,
                &list(&["ApexClass:InvoiceService", "Flow:Invoice_After_Save"]),
            )
            .expect("c1");
        history
            .record_commit_changes(
                "c2",
                200,
                &list(&["apexclass:invoiceservice", "ApexClass:InvoiceService"]),
            )
            .expect("c2");
        history.record_commit_changes("c3", 300, &[]).expect("c3");
        let known = history.known_commits().expect("known");
        assert_eq!(
            known,
            ["c1", "c2", "c3"].iter().map(|s| s.to_string()).collect()
        );
        let counts = history
            .churn_counts(&list(&["c1", "c2", "c3", "C1", "missing"]))
            .expect("counts");
        let expected: HashMap<String, u32> = [
            ("apexclass:invoiceservice".to_string(), 2),
            ("flow:invoice_after_save".to_string(), 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(counts, expected);
        assert_eq!(
            history
                .churn_counts(&list(&["c2"]))
                .expect("counts")
                .get("apexclass:invoiceservice"),
            Some(&1)
        );
        // Recording a commit again replaces its list.
        history
            .record_commit_changes("c1", 100, &list(&["Flow:Invoice_After_Save"]))
            .expect("c1 again");
        let counts = history.churn_counts(&list(&["c1", "c2"])).expect("counts");
        assert_eq!(counts.get("apexclass:invoiceservice"), Some(&1));
        assert_eq!(counts.get("flow:invoice_after_save"), Some(&1));
    }

    #[test]
    fn co_failures_count_failed_runs_on_commits_that_changed_the_component() {
        let (_dir, mut history) = fresh();
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        history
            .record_commit_changes("c1", 100, &list(&["ApexClass:InvoiceService"]))
            .expect("c1");
        history
            .record_commit_changes("c2", 200, &list(&["ApexClass:TaxCalculator"]))
            .expect("c2");
        let failing = |id: &str| {
            run(
                id,
                &[
                    ("InvoiceServiceTest", "a", Outcome::Fail, None),
                    ("InvoiceServiceTest", "b", Outcome::Fail, None),
                    ("TaxTest", "a", Outcome::Pass, None),
                ],
            )
        };
        history.record(&failing("r1"), Some("c1")).expect("r1");
        history.record(&failing("r2"), Some("C1")).expect("r2");
        history.record(&failing("r3"), Some("c2")).expect("r3");
        history.record(&failing("r4"), None).expect("r4");
        let co = history
            .co_failures(&list(&["ApexClass:InvoiceService"]))
            .expect("co");
        // Two runs on c1, each counted once however many methods failed; passes and
        // runs on other or unknown commits do not count.
        assert_eq!(
            co,
            [("apexclass:invoiceservicetest".to_string(), 2)]
                .into_iter()
                .collect::<HashMap<_, _>>()
        );
        assert!(history
            .co_failures(&list(&["ApexClass:Nope"]))
            .expect("co")
            .is_empty());
    }

    #[test]
    fn churn_counts_over_more_commits_than_one_query_binds() {
        let (_dir, mut history) = fresh();
        let commits: Vec<String> = (0..1_200).map(|i| format!("{i:040x}")).collect();
        for (i, commit) in commits.iter().enumerate() {
            let mut changed = vec!["ApexClass:Hub".to_string()];
            if i % 3 == 0 {
                changed.push("ApexClass:Rare".to_string());
            }
            history
                .record_commit_changes(commit, i as i64, &changed)
                .expect("record");
        }
        let counts = history.churn_counts(&commits).expect("counts");
        assert_eq!(counts.get("apexclass:hub"), Some(&1_200));
        assert_eq!(counts.get("apexclass:rare"), Some(&400));
        assert_eq!(history.known_commits().expect("known").len(), 1_200);
    }

    #[test]
    fn two_connections_import_concurrently() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shared.db");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|worker| {
                let path = path.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || -> Result<usize> {
                    barrier.wait();
                    // Both open the new file at once: one creates the schema.
                    let mut history = History::open(&path)?;
                    let mut stored = 0;
                    for i in 0..25 {
                        let tests: Vec<(String, String)> = (0..40)
                            .map(|m| (format!("Class{worker}_{}", m % 4), format!("m{m}")))
                            .collect();
                        let refs: Vec<(&str, &str, Outcome, Option<u64>)> = tests
                            .iter()
                            .map(|(c, m)| (c.as_str(), m.as_str(), Outcome::Pass, Some(5)))
                            .collect();
                        stored += history
                            .record(&run(&format!("w{worker}-{i}"), &refs), None)?
                            .tests;
                        history.record_commit_changes(
                            &format!("{worker}{i}"),
                            i,
                            &[format!("ApexClass:C{i}")],
                        )?;
                    }
                    Ok(stored)
                })
            })
            .collect();
        for handle in handles {
            let stored = handle.join().expect("thread").expect("import");
            assert_eq!(stored, 25 * 40);
        }
        let history = History::open(&path).expect("open");
        assert_eq!(history.run_count().expect("count"), 50);
        assert_eq!(rows(&history, "test_results"), 2 * 25 * 40);
        assert_eq!(history.known_commits().expect("known").len(), 50);
    }

    #[test]
    fn a_schema_1_file_is_migrated_and_keeps_its_runs_in_import_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.db");
        {
            // A history as the first schema wrote it: two runs, the later import failing.
            let conn = Connection::open(&path).expect("raw open");
            conn.execute_batch(db::MIGRATIONS[0]).expect("schema 1");
            conn.execute_batch(
                "INSERT INTO runs (id, run_id, imported_at, format) VALUES
                     (1, 'b-first', 100, 'junit'), (2, 'a-second', 200, 'junit');
                 INSERT INTO test_results (run, kind, class, class_key, method, method_key, outcome)
                 VALUES (1, 'apex', 'T', 't', 'm', 'm', 'pass'), (2, 'apex', 'T', 't', 'm', 'm', 'fail');
                 PRAGMA user_version = 1;",
            )
            .expect("rows");
        }
        let history = History::open(&path).expect("migrates");
        let version: i64 = history
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, db::SCHEMA_VERSION);
        // The import time orders them, not the run id: the failing run stays the latest.
        let stats = history.test_stats(10).expect("stats");
        assert_eq!(stats.len(), 1);
        assert_eq!(stats[0].last_outcome, Outcome::Fail);
        assert_eq!((stats[0].runs, stats[0].failures), (2, 1));
        assert!(history
            .dump()
            .expect("dump")
            .contains("run\ta-second\t-\t-\tjunit\t-\t200000"));
    }

    #[test]
    fn random_bytes_are_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.db");
        // A fixed xorshift stream: random-looking, the same on every run.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let bytes: Vec<u8> = (0..8192)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        std::fs::write(&path, &bytes).expect("write");
        let reason = bad_reason(History::open(&path));
        assert_eq!(reason, "it is not a SQLite database");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            bytes,
            "the file was changed"
        );
    }

    #[test]
    fn damaged_pages_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.db");
        {
            let mut history = History::open(&path).expect("open");
            for i in 0..30 {
                let tests: Vec<(String, String)> = (0..50)
                    .map(|m| (format!("Class{m}"), format!("method{i}")))
                    .collect();
                let refs: Vec<(&str, &str, Outcome, Option<u64>)> = tests
                    .iter()
                    .map(|(c, m)| (c.as_str(), m.as_str(), Outcome::Pass, Some(1)))
                    .collect();
                history
                    .record(&run(&format!("r{i}"), &refs), None)
                    .expect("record");
            }
        }
        let mut bytes = std::fs::read(&path).expect("read");
        assert!(
            bytes.len() > 4096 * 8,
            "needs several pages, has {}",
            bytes.len()
        );
        // Overwrite pages 3 to 6 (page size 4096), keeping the header page intact.
        for b in &mut bytes[4096 * 2..4096 * 6] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).expect("write");
        let reason = bad_reason(History::open(&path));
        assert!(
            reason.contains("corrupt") || reason.contains("malformed"),
            "{reason}"
        );
    }

    #[test]
    fn newer_schema_version_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.db");
        drop(History::open(&path).expect("open"));
        {
            let conn = Connection::open(&path).expect("raw open");
            conn.pragma_update(None, "user_version", db::SCHEMA_VERSION + 1)
                .expect("bump");
        }
        let reason = bad_reason(History::open(&path));
        assert!(reason.contains("newer impact"), "{reason}");
        assert!(
            reason.contains(&format!("schema version {}", db::SCHEMA_VERSION + 1)),
            "{reason}"
        );
    }

    #[test]
    fn foreign_and_incomplete_databases_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let foreign = dir.path().join("foreign.db");
        Connection::open(&foreign)
            .and_then(|c| {
                c.execute_batch(
                    "CREATE TABLE invoices (id INTEGER); CREATE TABLE lines (id INTEGER);",
                )
            })
            .expect("foreign db");
        let reason = bad_reason(History::open(&foreign));
        assert_eq!(
            reason,
            "it is a SQLite database but not an impact history (it holds tables invoices, lines)"
        );

        let incomplete = dir.path().join("incomplete.db");
        drop(History::open(&incomplete).expect("open"));
        Connection::open(&incomplete)
            .and_then(|c| c.execute_batch("DROP TABLE churn;"))
            .expect("drop");
        assert_eq!(
            bad_reason(History::open(&incomplete)),
            "table `churn` is missing"
        );

        assert_eq!(bad_reason(History::open(dir.path())), "it is a directory");
    }
}
