//! Recording the org's own test history (`sf data query --json` results, read by
//! [`crate::results::org`]).
//!
//! Each `AsyncApexJobId` is one run, joined with what is stored under the same id
//! (`upsert.rs`), so a later query that overlaps an earlier one, or a run recorded from
//! its `sf apex run test --json` file as well, adds only what is new. Coverage records
//! go into the one run [`COVERAGE_RUN_ID`], whose time is its newest record's.

use rusqlite::TransactionBehavior;

use super::{db, upsert_result, upsert_run, upsert_test_coverage, History, RunRow};
use crate::error::{Error, Result};
use crate::results::org::{OrgQuery, COVERAGE_RUN_ID};
use crate::results::ResultFormat;

/// What [`History::record_org`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrgOutcome {
    /// Runs (jobs) not recorded before.
    pub new_runs: usize,
    /// Runs (jobs) in the file.
    pub runs: usize,
    /// Test results stored or changed.
    pub tests: usize,
    /// Coverage rows stored or changed.
    pub coverage: usize,
}

impl History {
    /// Records the records of one query result file in one transaction.
    pub fn record_org(&mut self, query: &OrgQuery) -> Result<OrgOutcome> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| Error::CannotWrite {
            path: path.clone(),
            reason: db::describe(&e),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let imported_at = super::now_seconds();
        let mut outcome = OrgOutcome {
            runs: query.runs.len(),
            ..OrgOutcome::default()
        };
        for run in &query.runs {
            let (row, new) = upsert_run(
                &tx,
                &RunRow {
                    run_id: &run.job_id,
                    commit: None,
                    imported_at,
                    started_at: Some(&run.started_at),
                    at: run.at,
                    format: ResultFormat::OrgQuery.as_str(),
                    org_wide_coverage: None,
                },
            )
            .map_err(fail)?;
            outcome.new_runs += usize::from(new);
            for result in &run.results {
                outcome.tests += upsert_result(&tx, row, &result.result, Some(&result.record_id))
                    .map_err(fail)?;
            }
        }
        if !query.coverage.is_empty() {
            let newest = query.coverage.iter().filter_map(|c| c.at).max();
            let (row, _) = upsert_run(
                &tx,
                &RunRow {
                    run_id: COVERAGE_RUN_ID,
                    commit: None,
                    imported_at,
                    started_at: None,
                    at: newest.unwrap_or(imported_at.saturating_mul(1000)),
                    format: ResultFormat::OrgQuery.as_str(),
                    org_wide_coverage: None,
                },
            )
            .map_err(fail)?;
            for record in &query.coverage {
                outcome.coverage += upsert_test_coverage(
                    &tx,
                    row,
                    &record.coverage,
                    Some(&record.record_id),
                    record.at,
                )
                .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)?;
        Ok(outcome)
    }
}
