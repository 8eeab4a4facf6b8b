//! The database file: connection settings and the schema, migrated by
//! `PRAGMA user_version` so a newer mlci can extend an older store.

use super::error::{sql, StoreError};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The database's file name inside the store directory.
pub(crate) const DB_FILE: &str = "mlci.db";

/// How long a write waits for another mlci writing the same store. Writes
/// are single short statements, so waits are milliseconds in practice.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Each migration takes the schema from its index to the next version.
const MIGRATIONS: &[&str] = &[
    // 0 → 1
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workflow TEXT NOT NULL,
        path TEXT NOT NULL,
        event TEXT NOT NULL,
        git_ref TEXT NOT NULL,
        sha TEXT NOT NULL,
        status TEXT NOT NULL,
        result TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        exit_code INTEGER,
        pid INTEGER NOT NULL,
        pid_started INTEGER,
        rerun_of INTEGER
    );
    CREATE TABLE jobs (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        job TEXT NOT NULL,
        leg INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        result TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER,
        backend TEXT,
        image TEXT,
        gpus TEXT,
        started_at TEXT,
        finished_at TEXT,
        outputs TEXT,
        reason TEXT,
        log_dir TEXT NOT NULL,
        PRIMARY KEY (run_id, job, leg)
    );
    CREATE TABLE steps (
        run_id INTEGER NOT NULL,
        job TEXT NOT NULL,
        leg INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        step INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT,
        conclusion TEXT,
        exit_code INTEGER,
        started_at TEXT,
        finished_at TEXT,
        reason TEXT,
        log TEXT,
        PRIMARY KEY (run_id, job, leg, attempt, step),
        FOREIGN KEY (run_id, job, leg) REFERENCES jobs(run_id, job, leg)
    );
    CREATE INDEX runs_by_status ON runs(status);",
    // 1 → 2: the runner daemon's queue. An event is stored before it is
    // acknowledged; intake turns it into queued runs in one transaction.
    "CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        repo TEXT NOT NULL,
        name TEXT NOT NULL,
        git_ref TEXT NOT NULL,
        before TEXT,
        after TEXT,
        payload TEXT,
        source TEXT NOT NULL,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX events_by_status ON events(status);
    CREATE TABLE queued_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id INTEGER NOT NULL REFERENCES events(id),
        repo TEXT NOT NULL,
        workflow TEXT NOT NULL,
        git_ref TEXT NOT NULL,
        sha TEXT NOT NULL,
        concurrency_group TEXT,
        cancel_in_progress INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        queued_at TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX queued_runs_by_status ON queued_runs(status);
    CREATE TABLE cron_fires (
        repo TEXT NOT NULL,
        workflow TEXT NOT NULL,
        cron TEXT NOT NULL,
        fire_time TEXT NOT NULL,
        status TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (repo, workflow, cron, fire_time)
    );
    CREATE TABLE daemon_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    // 2 → 3: a forge's delivery id (`X-GitHub-Delivery`, `X-Gitea-Delivery`),
    // so a webhook delivered twice is stored, and runs, once.
    "ALTER TABLE events ADD COLUMN delivery TEXT;
    CREATE UNIQUE INDEX events_by_delivery ON events(source, delivery) WHERE delivery IS NOT NULL;",
    // 3 → 4: the commit each published action of a run resolved to.
    "CREATE TABLE actions (
        run_id INTEGER NOT NULL,
        job TEXT NOT NULL,
        leg INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        step INTEGER NOT NULL,
        action TEXT NOT NULL,
        sha TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (run_id, job, leg, attempt, step, action)
    );",
    // 4 → 5: each attempt's Slurm job (a retry submits a new one), with the
    // state and reason Slurm last gave, so a restart can cancel the jobs of
    // a dead mlci and `mlci show` can name them.
    "CREATE TABLE slurm_jobs (
        run_id INTEGER NOT NULL,
        job TEXT NOT NULL,
        leg INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        slurm_id TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        node TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (run_id, job, leg, attempt)
    );",
    // 5 → 6: each job's `needs:` (JSON), so a run's graph is drawn from
    // the run itself, not from a workflow file that may have changed or
    // that the daemon's store cannot see.
    "ALTER TABLE runs ADD COLUMN needs TEXT;",
];

/// The schema version this mlci writes.
pub(crate) const VERSION: i64 = MIGRATIONS.len() as i64;

/// The path of the database of the store in `dir`.
pub(crate) fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

/// Opens a connection with the store's settings: WAL, so readers (`mlci
/// logs` while a run goes on) never wait for the writer; `synchronous=NORMAL`,
/// which in WAL mode commits without an fsync and loses nothing when the
/// process is killed (only a power cut may drop the last commits).
pub(crate) fn connect(dir: &Path) -> Result<Connection, StoreError> {
    let path = db_path(dir);
    let open = |source| StoreError::Open {
        path: path.clone(),
        source,
    };
    let conn = Connection::open(&path).map_err(open)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(open)?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(open)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(open)?;
    Ok(conn)
}

/// Brings the schema up to [`VERSION`], each migration in its own
/// transaction; refuses a database written by a newer mlci. The version is
/// read inside a write transaction, so two mlci processes creating the same
/// store at once apply each migration once.
pub(crate) fn migrate(conn: &mut Connection, dir: &Path) -> Result<(), StoreError> {
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin a migration"))?;
        let found: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(sql("read the schema version"))?;
        if found > VERSION {
            return Err(StoreError::NewerSchema {
                path: db_path(dir),
                found,
                known: VERSION,
            });
        }
        let Some(migration) = usize::try_from(found).ok().and_then(|i| MIGRATIONS.get(i)) else {
            return Ok(());
        };
        tx.execute_batch(migration).map_err(sql("create the tables"))?;
        tx.pragma_update(None, "user_version", found + 1)
            .map_err(sql("set the schema version"))?;
        tx.commit().map_err(sql("commit a migration"))?;
    }
}
