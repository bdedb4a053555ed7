//! Opening the history file: checks, pragmas, the schema and its migrations.
//!
//! The schema version lives in `PRAGMA user_version`. `MIGRATIONS` is an ordered list;
//! migration `i` takes the file from version `i` to `i + 1`, and all pending ones run in
//! one `BEGIN IMMEDIATE` transaction that re-reads the version first, so two processes
//! opening a new file at once do not both create it. A file that is not SQLite, fails
//! `PRAGMA quick_check`, was written by a newer `impact`, holds someone else's tables, or
//! lacks a table or column this code needs is refused with [`Error::BadHistory`]: the
//! history is never reset silently.
//!
//! This module does not read or write history rows.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use crate::error::{Error, Result};

/// How long a writer waits for another process's lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Schema migrations, in order; the file's `user_version` counts those applied.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: runs, results, coverage and the churn cache.
    r#"
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        commit_sha TEXT,
        imported_at INTEGER NOT NULL,
        started_at TEXT,
        format TEXT NOT NULL,
        org_wide_coverage REAL
    );
    CREATE TABLE test_results (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        class TEXT NOT NULL,
        class_key TEXT NOT NULL,
        method TEXT NOT NULL,
        method_key TEXT NOT NULL,
        namespace TEXT,
        outcome TEXT NOT NULL,
        duration_ms INTEGER,
        message TEXT,
        PRIMARY KEY (run, kind, class_key, method_key)
    ) WITHOUT ROWID;
    CREATE INDEX test_results_by_test ON test_results (kind, class_key, method_key, run);
    CREATE TABLE class_coverage (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        class TEXT NOT NULL,
        class_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        covered INTEGER NOT NULL,
        total INTEGER NOT NULL,
        PRIMARY KEY (run, class_key)
    ) WITHOUT ROWID;
    CREATE INDEX class_coverage_by_class ON class_coverage (class_key, run);
    CREATE TABLE test_coverage (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        test_class TEXT NOT NULL,
        test_class_key TEXT NOT NULL,
        test_method TEXT NOT NULL,
        test_method_key TEXT NOT NULL,
        covered TEXT NOT NULL,
        covered_key TEXT NOT NULL,
        covered_lines INTEGER NOT NULL,
        total INTEGER NOT NULL,
        lines TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run, covered_key, test_class_key, test_method_key)
    ) WITHOUT ROWID;
    CREATE INDEX test_coverage_by_covered ON test_coverage (covered_key, run);
    CREATE TABLE churn_commits (
        commit_sha TEXT PRIMARY KEY,
        commit_time INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE churn (
        commit_sha TEXT NOT NULL REFERENCES churn_commits(commit_sha) ON DELETE CASCADE,
        component TEXT NOT NULL,
        component_key TEXT NOT NULL,
        PRIMARY KEY (commit_sha, component_key)
    ) WITHOUT ROWID;
    CREATE INDEX churn_by_component ON churn (component_key);
    "#,
    // 2: runs ordered by their time, not by import order, so histories merged or recorded
    // in any order agree; record ids of org query results. Runs recorded before keep
    // their import time as their time.
    r#"
    ALTER TABLE runs ADD COLUMN at INTEGER NOT NULL DEFAULT 0;
    UPDATE runs SET at = imported_at * 1000;
    ALTER TABLE test_results ADD COLUMN record_id TEXT;
    ALTER TABLE test_coverage ADD COLUMN record_id TEXT;
    ALTER TABLE test_coverage ADD COLUMN record_at INTEGER;
    CREATE INDEX runs_by_time ON runs (at, run_id);
    CREATE VIEW run_order AS
        SELECT id AS run, ROW_NUMBER() OVER (ORDER BY at, run_id) AS ord FROM runs;
    "#,
];

/// The schema version this build writes and reads.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Tables and the columns the queries rely on; checked on every open.
const EXPECTED: &[(&str, &[&str])] = &[
    (
        "runs",
        &[
            "id",
            "run_id",
            "commit_sha",
            "imported_at",
            "started_at",
            "format",
            "org_wide_coverage",
            "at",
        ],
    ),
    (
        "test_results",
        &[
            "run",
            "kind",
            "class",
            "class_key",
            "method",
            "method_key",
            "namespace",
            "outcome",
            "duration_ms",
            "message",
            "record_id",
        ],
    ),
    (
        "class_coverage",
        &["run", "class", "class_key", "kind", "covered", "total"],
    ),
    (
        "test_coverage",
        &[
            "run",
            "test_class",
            "test_class_key",
            "test_method",
            "test_method_key",
            "covered",
            "covered_key",
            "covered_lines",
            "total",
            "lines",
            "record_id",
            "record_at",
        ],
    ),
    ("churn_commits", &["commit_sha", "commit_time"]),
    ("churn", &["commit_sha", "component", "component_key"]),
    ("run_order", &["run", "ord"]),
];

/// Opens (creating if needed) the history at `path` and brings its schema up to date.
///
/// A file system that refuses (full, read-only, no room for SQLite's shared-memory
/// file) is [`Error::CannotWrite`], not [`Error::BadHistory`]: the file itself is fine,
/// and [`open_read_only`] can still read it.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    let bad = |reason: String| Error::BadHistory {
        path: path.to_path_buf(),
        reason,
    };
    let refused = |error: &rusqlite::Error| Error::CannotWrite {
        path: path.to_path_buf(),
        reason: describe(error),
    };
    let fail = |error: rusqlite::Error| {
        if is_refusal(&error) {
            refused(&error)
        } else {
            bad(describe(&error))
        }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::CannotWrite {
            path: parent.to_path_buf(),
            reason: e.to_string().to_lowercase(),
        })?;
    }
    if path.is_dir() {
        return Err(bad("it is a directory".into()));
    }
    let conn = Connection::open(path).map_err(fail)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
    // The first read of the header is where a file that is not SQLite shows.
    let version = user_version(&conn).map_err(fail)?;
    if version > SCHEMA_VERSION {
        return Err(bad(newer(version)));
    }
    quick_check(&conn).map_err(bad)?;
    // WAL lets readers go on while another process imports. On file systems without
    // shared memory SQLite keeps its old mode; the busy timeout still serializes writers.
    enable_wal(&conn).map_err(fail)?;
    // In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last import,
    // which `impact record` can simply repeat. It spares an fsync per commit.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(fail)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(fail)?;
    if version < SCHEMA_VERSION {
        migrate(&conn).map_err(bad)?;
    }
    verify_schema(&conn).map_err(bad)?;
    Ok(conn)
}

/// Switches the file to WAL mode. When two connections open a new history at once, the
/// switch can fail with `SQLITE_BUSY` at once rather than after the busy handler's
/// [`BUSY_TIMEOUT`] (seen about once in 300 races of two threads, with Python's SQLite
/// 3.40 as with the bundled one: `history::tests::two_connections_import_concurrently`
/// failed so under load). It is retried until that timeout, as the handler would wait.
fn enable_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        }) {
            Err(error) if is_busy(&error) && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result.map(drop),
        }
    }
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked)
    )
}

/// Opens an existing history for reading only, without SQLite's shared-memory and
/// write-ahead files (`immutable`): for a plan when the file system refuses writes
/// ([`open`] gave [`Error::CannotWrite`]). Changes still in a write-ahead log that was
/// never checkpointed (a writer killed mid-way) are not seen. The same checks as
/// [`open`] apply; a file needing a migration cannot be migrated and is refused.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection> {
    use rusqlite::OpenFlags;
    let bad = |reason: String| Error::BadHistory {
        path: path.to_path_buf(),
        reason,
    };
    let uri = format!("file:{}?immutable=1", uri_path(path));
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(uri, flags).map_err(|e| bad(describe(&e)))?;
    let version = user_version(&conn).map_err(|e| bad(describe(&e)))?;
    if version > SCHEMA_VERSION {
        return Err(bad(newer(version)));
    }
    if version < SCHEMA_VERSION {
        return Err(bad(format!(
            "it needs a migration to schema version {SCHEMA_VERSION}, which cannot be written"
        )));
    }
    quick_check(&conn).map_err(bad)?;
    verify_schema(&conn).map_err(bad)?;
    Ok(conn)
}

/// A path as the path part of an SQLite `file:` URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            _ => out.push(ch),
        }
    }
    out
}

/// True when SQLite says the file system refused (full, read-only, cannot open or
/// create a file), rather than that the file's content is wrong.
fn is_refusal(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(
            ErrorCode::SystemIoFailure
                | ErrorCode::DiskFull
                | ErrorCode::CannotOpen
                | ErrorCode::ReadOnly
        )
    )
}

/// The file's `user_version`.
fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// The reason text for a file from a newer `impact`.
fn newer(version: i64) -> String {
    format!(
        "it was written by a newer impact (schema version {version}, this build reads up to {SCHEMA_VERSION})"
    )
}

/// Runs SQLite's structural check; the first problem it reports is the reason.
fn quick_check(conn: &Connection) -> std::result::Result<(), String> {
    let mut stmt = conn
        .prepare("PRAGMA quick_check")
        .map_err(|e| describe(&e))?;
    let rows: Vec<String> = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| describe(&e))?;
    match rows.first() {
        Some(first) if first == "ok" => Ok(()),
        Some(first) => Err(format!("it is corrupt (quick_check: {first})")),
        None => Err("it is corrupt (quick_check returned nothing)".into()),
    }
}

/// Applies the pending migrations in one immediate transaction.
fn migrate(conn: &Connection) -> std::result::Result<(), String> {
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
        .map_err(|e| describe(&e))?;
    // Another process may have migrated between our first look and our lock.
    let version = user_version(&tx).map_err(|e| describe(&e))?;
    if version > SCHEMA_VERSION {
        return Err(newer(version));
    }
    if version == 0 {
        let foreign = table_names(&tx).map_err(|e| describe(&e))?;
        if !foreign.is_empty() {
            return Err(format!(
                "it is a SQLite database but not an impact history (it holds tables {})",
                foreign.join(", ")
            ));
        }
    }
    let start = usize::try_from(version).unwrap_or(0);
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql).map_err(|e| {
            format!(
                "migration to schema version {} failed: {}",
                index + 1,
                describe(&e)
            )
        })?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(|e| describe(&e))?;
    tx.commit().map_err(|e| describe(&e))
}

/// The user tables in the file, sorted.
fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let names = stmt.query_map([], |row| row.get::<_, String>(0))?;
    names.collect()
}

/// Checks that every table and column the queries use is there.
fn verify_schema(conn: &Connection) -> std::result::Result<(), String> {
    for (table, columns) in EXPECTED {
        let mut stmt = conn
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .map_err(|e| describe(&e))?;
        let present: Vec<String> = stmt
            .query_map([table], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| describe(&e))?;
        if present.is_empty() {
            return Err(format!("table `{table}` is missing"));
        }
        if let Some(missing) = columns.iter().find(|c| !present.iter().any(|p| p == *c)) {
            return Err(format!("table `{table}` has no column `{missing}`"));
        }
    }
    Ok(())
}

/// A SQLite error as a reason: the well-known codes in words, others as SQLite says.
pub(crate) fn describe(error: &rusqlite::Error) -> String {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => "it is not a SQLite database".into(),
        Some(ErrorCode::DatabaseCorrupt) => "it is corrupt".into(),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => format!(
            "another process held it locked for more than {} s",
            BUSY_TIMEOUT.as_secs()
        ),
        _ => error.to_string().to_lowercase(),
    }
}
