//! The gate's history: `<store>/metrics.db`, a SQLite file of its own (WAL)
//! beside the run store's `mlci.db`, so the gate works without a run (`mlci
//! gate` in any CI) and the run store's schema stays the run store's.
//!
//! Every gate on a branch is recorded with whether it passed; a branch's
//! baseline is its last passing record (the "blessed" model). Records are
//! ordered by id, the order they were made, not by their timestamps.

use super::metrics::Metrics;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The database's file name inside the store directory.
pub const DB_FILE: &str = "metrics.db";

/// How long a write waits for another mlci writing the same file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Each migration takes the schema from its index to the next version.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE gate_records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        branch TEXT NOT NULL,
        run_id INTEGER,
        recorded_at TEXT NOT NULL,
        metrics TEXT NOT NULL,
        passed INTEGER NOT NULL
    );
    CREATE INDEX gate_records_by_branch ON gate_records(branch, passed, id);",
    // 1 → 2: the record the candidate was compared with and the whole
    // verdict (rules, baseline values, results), so the web view can draw
    // each run's baseline and thresholds and show the gate's table later.
    "ALTER TABLE gate_records ADD COLUMN baseline_id INTEGER;
    ALTER TABLE gate_records ADD COLUMN verdict TEXT;
    CREATE INDEX gate_records_by_run ON gate_records(run_id);",
];

/// One gate's metrics as recorded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    pub id: i64,
    pub branch: String,
    /// The run whose gate step made the record (None for `mlci gate`).
    pub run_id: Option<i64>,
    /// RFC 3339, UTC, milliseconds.
    pub recorded_at: String,
    /// The whole metrics object of the candidate.
    pub metrics: Value,
    pub passed: bool,
    /// The record whose metrics were the baseline (None: no baseline, or a file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_id: Option<i64>,
    /// The gate's verdict as JSON (None for records made before mlci kept it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Value>,
}

/// What a gate recorded besides its metrics.
pub struct Recorded<'a> {
    pub branch: &'a str,
    pub run_id: Option<i64>,
    pub recorded_at: &'a str,
    pub passed: bool,
    pub baseline_id: Option<i64>,
    pub verdict: Option<&'a super::Verdict>,
}

/// An open `metrics.db`.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens `<dir>/metrics.db`, creating the folder (with the store's
    /// `.gitignore`) and the database as needed.
    pub fn open(dir: &Path) -> Result<History, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("failed to create {}: {e}", dir.display()))?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "*\n").map_err(|e| format!("failed to write {}: {e}", ignore.display()))?;
        }
        let path = dir.join(DB_FILE);
        let fail = |e: rusqlite::Error| format!("failed to open {}: {e}", path.display());
        let conn = Connection::open(&path).map_err(fail)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(fail)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(fail)?;
        let mut history = History { conn, path };
        history.migrate()?;
        Ok(history)
    }

    /// Opens `<dir>/metrics.db` only if it exists: reading never creates it.
    pub fn open_existing(dir: &Path) -> Result<Option<History>, String> {
        if dir.join(DB_FILE).is_file() {
            History::open(dir).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Records a gate's metrics on its branch and returns the record's id.
    pub fn record(&self, what: &Recorded<'_>, metrics: &Metrics) -> Result<i64, String> {
        let json = serde_json::to_string(metrics).map_err(|e| self.error("encode the metrics", e))?;
        let verdict = what
            .verdict
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| self.error("encode the verdict", e))?;
        self.conn
            .execute(
                "INSERT INTO gate_records (branch, run_id, recorded_at, metrics, passed, baseline_id, verdict)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    what.branch,
                    what.run_id,
                    what.recorded_at,
                    json,
                    what.passed,
                    what.baseline_id,
                    verdict
                ],
            )
            .map_err(|e| self.error("record the metrics", e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The records a run's gate steps made, in order.
    pub fn records_of_run(&self, run_id: i64) -> Result<Vec<Record>, String> {
        let read = |e| self.error("read the recorded metrics", e);
        let mut statement = self
            .conn
            .prepare(&format!("{SELECT} WHERE run_id = ?1 ORDER BY id"))
            .map_err(read)?;
        let rows = statement.query_map([run_id], raw).map_err(read)?;
        rows.map(|row| row.map_err(read).and_then(|r| self.decode(r))).collect()
    }

    /// Whether each of these runs' gates passed (all of a run's gates must);
    /// runs without a gate are absent.
    pub fn gate_results(&self, runs: &[i64]) -> Result<std::collections::HashMap<i64, bool>, String> {
        let read = |e| self.error("read the recorded gates", e);
        let marks = vec!["?"; runs.len()].join(",");
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT run_id, min(passed) FROM gate_records WHERE run_id IN ({marks}) GROUP BY run_id"
            ))
            .map_err(read)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(runs), |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?))
            })
            .map_err(read)?;
        rows.map(|row| row.map_err(read)).collect()
    }

    /// One record by id.
    pub fn record_by_id(&self, id: i64) -> Result<Option<Record>, String> {
        self.conn
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id], raw)
            .optional()
            .map_err(|e| self.error("read a record", e))?
            .map(|r| self.decode(r))
            .transpose()
    }

    /// The baseline of `branch`: its last passing record.
    pub fn last_passing(&self, branch: &str) -> Result<Option<Record>, String> {
        self.conn
            .query_row(
                &format!("{SELECT} WHERE branch = ?1 AND passed = 1 ORDER BY id DESC LIMIT 1"),
                [branch],
                raw,
            )
            .optional()
            .map_err(|e| self.error("read the baseline", e))?
            .map(|r| self.decode(r))
            .transpose()
    }

    /// Every record, oldest first, of one branch or of all.
    pub fn records(&self, branch: Option<&str>) -> Result<Vec<Record>, String> {
        let read = |e| self.error("read the recorded metrics", e);
        let mut statement = self
            .conn
            .prepare(&format!("{SELECT} WHERE ?1 IS NULL OR branch = ?1 ORDER BY id"))
            .map_err(read)?;
        let rows = statement.query_map([branch], raw).map_err(read)?;
        rows.map(|row| row.map_err(read).and_then(|r| self.decode(r))).collect()
    }

    fn decode(&self, (record, metrics, verdict): (Record, String, Option<String>)) -> Result<Record, String> {
        let bad = |e| self.error(&format!("read record {}", record.id), e);
        let metrics = serde_json::from_str(&metrics).map_err(bad)?;
        let verdict = verdict.map(|v| serde_json::from_str(&v)).transpose().map_err(bad)?;
        Ok(Record {
            metrics,
            verdict,
            ..record
        })
    }

    fn error(&self, what: &str, e: impl std::fmt::Display) -> String {
        format!("failed to {what} in {}: {e}", self.path.display())
    }

    /// Brings the schema up to date; refuses a file written by a newer mlci.
    fn migrate(&mut self) -> Result<(), String> {
        let path = self.path.display().to_string();
        let fail = |e: rusqlite::Error| format!("failed to set up {path}: {e}");
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(fail)?;
            let found: i64 = tx
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .map_err(fail)?;
            let known = MIGRATIONS.len() as i64;
            if found > known {
                return Err(format!(
                    "{path} was written by a newer mlci (schema {found}; this one knows up to {known})"
                ));
            }
            let Some(migration) = usize::try_from(found).ok().and_then(|i| MIGRATIONS.get(i)) else {
                return Ok(());
            };
            tx.execute_batch(migration).map_err(fail)?;
            tx.pragma_update(None, "user_version", found + 1).map_err(fail)?;
            tx.commit().map_err(fail)?;
        }
    }
}

const SELECT: &str = "SELECT id, branch, run_id, recorded_at, metrics, passed, baseline_id, verdict FROM gate_records";

/// A row, its metrics and verdict still text.
fn raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Record, String, Option<String>)> {
    Ok((
        Record {
            id: row.get(0)?,
            branch: row.get(1)?,
            run_id: row.get(2)?,
            recorded_at: row.get(3)?,
            metrics: Value::Null,
            passed: row.get(5)?,
            baseline_id: row.get(6)?,
            verdict: None,
        },
        row.get(4)?,
        row.get(7)?,
    ))
}
