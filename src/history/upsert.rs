//! How a stored row meets another version of itself: the one rule every writer follows.
//!
//! The same run can reach a history from several sources: a result file, the org's
//! `ApexTestResult` records (queried again and again, with overlapping date windows),
//! another runner's database (`impact history --merge`). For the history to come out the
//! same whatever the order, every write is a *join*: a run, a test result or a coverage
//! row that is already there is combined with the incoming one by a rule that is
//! commutative, associative and idempotent.
//!
//! - A run (by `run_id`): its time `at` and the start it reports are the latest seen
//!   (`MAX`), its first import the earliest (`MIN`), its commit, format and org-wide
//!   coverage the least/greatest known value; `NULL` never wins over a value.
//! - A test result (by run, kind, class, method): the greater row by the most severe
//!   outcome, then record id, duration, message and names, so two different rows still
//!   have one answer.
//! - Class coverage (by run, class): the greater by lines total, then covered, then names.
//! - Per-test coverage (by run, covered class, test method): the newest record first
//!   (`record_at`), then record id, counts, line list and names.
//!
//! So re-recording anything adds nothing, and recording or merging A, B and C in any
//! order gives the same rows (`History::dump` prints them canonically).

/// `INSERT` tail for `runs`: the join of two versions of one run.
pub(super) const RUN_CONFLICT: &str = "ON CONFLICT (run_id) DO UPDATE SET
    commit_sha = CASE WHEN commit_sha IS NULL THEN excluded.commit_sha
                      WHEN excluded.commit_sha IS NULL THEN commit_sha
                      ELSE MIN(commit_sha, excluded.commit_sha) END,
    imported_at = MIN(imported_at, excluded.imported_at),
    started_at = CASE WHEN started_at IS NULL THEN excluded.started_at
                      WHEN excluded.started_at IS NULL THEN started_at
                      ELSE MAX(started_at, excluded.started_at) END,
    format = MIN(format, excluded.format),
    org_wide_coverage = CASE WHEN org_wide_coverage IS NULL THEN excluded.org_wide_coverage
                             WHEN excluded.org_wide_coverage IS NULL THEN org_wide_coverage
                             ELSE MAX(org_wide_coverage, excluded.org_wide_coverage) END,
    at = MAX(at, excluded.at)";

/// The order of two versions of one test result, as an SQL row value over a prefix
/// (`excluded.` for the incoming row, empty for the stored one).
fn result_precedence(prefix: &str) -> String {
    format!(
        "(CASE {p}outcome WHEN 'compile_fail' THEN 3 WHEN 'fail' THEN 2 WHEN 'skip' THEN 1 ELSE 0 END,
          COALESCE({p}record_id, ''), COALESCE({p}duration_ms, -1), COALESCE({p}message, ''),
          {p}class, {p}method, COALESCE({p}namespace, ''))",
        p = prefix
    )
}

/// `INSERT` tail for `test_results`: keep the greater of two versions.
pub(super) fn result_conflict() -> String {
    format!(
        "ON CONFLICT (run, kind, class_key, method_key) DO UPDATE SET
            class = excluded.class, method = excluded.method, namespace = excluded.namespace,
            outcome = excluded.outcome, duration_ms = excluded.duration_ms,
            message = excluded.message, record_id = excluded.record_id
         WHERE {} > {}",
        result_precedence("excluded."),
        result_precedence("")
    )
}

/// `INSERT` tail for `class_coverage`.
pub(super) const CLASS_COVERAGE_CONFLICT: &str = "ON CONFLICT (run, class_key) DO UPDATE SET
    class = excluded.class, kind = excluded.kind, covered = excluded.covered, total = excluded.total
    WHERE (excluded.total, excluded.covered, excluded.class, excluded.kind)
        > (total, covered, class, kind)";

/// `INSERT` tail for `test_coverage`.
pub(super) const TEST_COVERAGE_CONFLICT: &str =
    "ON CONFLICT (run, covered_key, test_class_key, test_method_key) DO UPDATE SET
    test_class = excluded.test_class, test_method = excluded.test_method,
    covered = excluded.covered, covered_lines = excluded.covered_lines, total = excluded.total,
    lines = excluded.lines, record_id = excluded.record_id, record_at = excluded.record_at
    WHERE (COALESCE(excluded.record_at, -1), COALESCE(excluded.record_id, ''),
           excluded.covered_lines, excluded.total, excluded.lines,
           excluded.covered, excluded.test_class, excluded.test_method)
        > (COALESCE(record_at, -1), COALESCE(record_id, ''), covered_lines, total, lines,
           covered, test_class, test_method)";
