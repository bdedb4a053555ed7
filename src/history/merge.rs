//! Pooling histories: `impact history --merge OTHER.db`, and the canonical dump that
//! shows two histories hold the same thing.
//!
//! A merge copies every run of the other file through the same join as recording
//! (`upsert.rs`), matching runs by their run id, never by row id; the churn cache is a
//! union (a commit's changed components do not depend on who computed them). So merging
//! is commutative, associative and idempotent with recording: runners that record and
//! merge in any order end with the same [`History::dump`].

use std::path::Path;

use rusqlite::{params, TransactionBehavior};

use super::{db, upsert, History};
use crate::error::{Error, Result};

/// What [`History::merge`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    /// Runs of the other file.
    pub runs: usize,
    /// Of those, runs this history did not have.
    pub new_runs: usize,
    /// Test results stored or changed.
    pub tests: usize,
}

impl History {
    /// Merges the history at `other` into this one, in one transaction. `other` is
    /// opened (and checked) as a history first; it is not changed beyond a schema
    /// upgrade.
    pub fn merge(&mut self, other: &Path) -> Result<MergeOutcome> {
        if !other.is_file() {
            return Err(Error::NoHistory {
                path: other.to_path_buf(),
            });
        }
        // Opening checks the file and brings it to this schema.
        drop(History::open(other)?);
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same(other, &self.path) {
            // A history merged with itself is itself.
            return Ok(MergeOutcome {
                runs: self.run_count()?,
                ..MergeOutcome::default()
            });
        }
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| Error::CannotWrite {
            path: path.clone(),
            reason: db::describe(&e),
        };
        self.conn
            .execute(
                "ATTACH DATABASE ?1 AS other",
                params![other.to_string_lossy()],
            )
            .map_err(|e| Error::BadHistory {
                path: other.to_path_buf(),
                reason: db::describe(&e),
            })?;
        let result = self.merge_attached().map_err(fail);
        // Detaching can only fail if a statement is still open; none is.
        let _ = self.conn.execute("DETACH DATABASE other", []);
        result
    }

    /// The merge itself, with the other file attached as `other`.
    fn merge_attached(&mut self) -> rusqlite::Result<MergeOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let runs: i64 = tx.query_row("SELECT COUNT(*) FROM other.runs", [], |r| r.get(0))?;
        let new_runs: i64 = tx.query_row(
            "SELECT COUNT(*) FROM other.runs o WHERE NOT EXISTS
                 (SELECT 1 FROM main.runs m WHERE m.run_id = o.run_id)",
            [],
            |r| r.get(0),
        )?;
        // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT.
        tx.execute(
            &format!(
                "INSERT INTO main.runs (run_id, commit_sha, imported_at, started_at, format, org_wide_coverage, at)
                 SELECT run_id, commit_sha, imported_at, started_at, format, org_wide_coverage, at
                 FROM other.runs WHERE true ORDER BY run_id {}",
                upsert::RUN_CONFLICT
            ),
            [],
        )?;
        // Each of the other file's row ids maps to this file's row id of the same run id.
        let tests = tx.execute(
            &format!(
                "INSERT INTO main.test_results
                 (run, kind, class, class_key, method, method_key, namespace, outcome, duration_ms, message, record_id)
                 SELECT m.id, t.kind, t.class, t.class_key, t.method, t.method_key, t.namespace, t.outcome,
                        t.duration_ms, t.message, t.record_id
                 FROM other.test_results t JOIN other.runs o ON o.id = t.run JOIN main.runs m ON m.run_id = o.run_id
                 WHERE true ORDER BY o.run_id, t.kind, t.class_key, t.method_key {}",
                upsert::result_conflict()
            ),
            [],
        )?;
        tx.execute(
            &format!(
                "INSERT INTO main.class_coverage (run, class, class_key, kind, covered, total)
                 SELECT m.id, c.class, c.class_key, c.kind, c.covered, c.total
                 FROM other.class_coverage c JOIN other.runs o ON o.id = c.run JOIN main.runs m ON m.run_id = o.run_id
                 WHERE true {}",
                upsert::CLASS_COVERAGE_CONFLICT
            ),
            [],
        )?;
        tx.execute(
            &format!(
                "INSERT INTO main.test_coverage
                 (run, test_class, test_class_key, test_method, test_method_key, covered, covered_key,
                  covered_lines, total, lines, record_id, record_at)
                 SELECT m.id, c.test_class, c.test_class_key, c.test_method, c.test_method_key, c.covered,
                        c.covered_key, c.covered_lines, c.total, c.lines, c.record_id, c.record_at
                 FROM other.test_coverage c JOIN other.runs o ON o.id = c.run JOIN main.runs m ON m.run_id = o.run_id
                 WHERE true {}",
                upsert::TEST_COVERAGE_CONFLICT
            ),
            [],
        )?;
        tx.execute(
            "INSERT INTO main.churn_commits (commit_sha, commit_time)
             SELECT commit_sha, commit_time FROM other.churn_commits WHERE true
             ON CONFLICT (commit_sha) DO UPDATE SET commit_time = MAX(commit_time, excluded.commit_time)",
            [],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO main.churn (commit_sha, component, component_key)
             SELECT commit_sha, component, component_key FROM other.churn",
            [],
        )?;
        tx.commit()?;
        Ok(MergeOutcome {
            runs: usize::try_from(runs).unwrap_or(0),
            new_runs: usize::try_from(new_runs).unwrap_or(0),
            tests,
        })
    }

    /// Every stored row but row ids and import times, one per line, sorted: two
    /// histories that hold the same runs, results, coverage and churn print the same.
    pub fn dump(&self) -> Result<String> {
        let queries: [(&str, &str); 6] = [
            (
                "run",
                "SELECT run_id, COALESCE(commit_sha, '-'), COALESCE(started_at, '-'), format,
                        COALESCE(CAST(org_wide_coverage AS TEXT), '-'), at
                 FROM runs",
            ),
            (
                "result",
                "SELECT r.run_id, t.kind, t.class, t.method, COALESCE(t.namespace, '-'), t.outcome,
                        COALESCE(CAST(t.duration_ms AS TEXT), '-'), COALESCE(t.message, '-'),
                        COALESCE(t.record_id, '-')
                 FROM test_results t JOIN runs r ON r.id = t.run",
            ),
            (
                "class-coverage",
                "SELECT r.run_id, c.class, c.kind, c.covered, c.total
                 FROM class_coverage c JOIN runs r ON r.id = c.run",
            ),
            (
                "test-coverage",
                "SELECT r.run_id, c.covered, c.test_class, c.test_method, c.covered_lines, c.total,
                        c.lines, COALESCE(c.record_id, '-'), COALESCE(CAST(c.record_at AS TEXT), '-')
                 FROM test_coverage c JOIN runs r ON r.id = c.run",
            ),
            (
                "commit",
                "SELECT commit_sha, commit_time FROM churn_commits",
            ),
            ("churn", "SELECT commit_sha, component FROM churn"),
        ];
        let mut lines = Vec::new();
        for (label, sql) in queries {
            let mut stmt = self.conn.prepare(sql).map_err(|e| self.bad(&e))?;
            let columns = stmt.column_count();
            let rows = stmt
                .query_map([], |row| {
                    let mut fields = vec![label.to_string()];
                    for index in 0..columns {
                        let value: rusqlite::types::Value = row.get(index)?;
                        fields.push(match value {
                            rusqlite::types::Value::Null => "-".into(),
                            rusqlite::types::Value::Integer(i) => i.to_string(),
                            rusqlite::types::Value::Real(r) => r.to_string(),
                            rusqlite::types::Value::Text(t) => t.replace(['\t', '\n'], " "),
                            rusqlite::types::Value::Blob(_) => "<blob>".into(),
                        });
                    }
                    Ok(fields.join("\t"))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
                .map_err(|e| self.bad(&e))?;
            lines.extend(rows);
        }
        lines.sort();
        let mut text = lines.join("\n");
        text.push('\n');
        Ok(text)
    }
}
