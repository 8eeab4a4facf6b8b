//! [`Store`]: the run store of one directory. Opens (and creates) the
//! database, begins and finishes runs, and marks runs whose mlci died.

use super::clock::{system_clock, timestamp, Clock};
use super::error::{sql, StoreError};
use super::process;
use super::rows::JobNeeds;
use super::schema;
use super::sink::StoreSink;
use super::slurm_jobs::AbandonedRun;
use crate::report::events::Outcome;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

/// The run store in one directory. Each method commits at once.
pub struct Store {
    pub(crate) dir: PathBuf,
    pub(crate) conn: Connection,
    pub(crate) clock: Clock,
    /// The database file's device and inode when opened: a file deleted or
    /// replaced under a running mlci still takes writes, into nowhere.
    pub(crate) identity: Option<(u64, u64)>,
}

/// What `mlci run` knows about a run before its first job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewRun {
    /// The workflow's display name.
    pub workflow: String,
    /// The workflow file, as the user would name it.
    pub path: String,
    pub event: String,
    pub git_ref: String,
    pub sha: String,
    pub rerun_of: Option<i64>,
    /// Each job id of the workflow with the ids its `needs:` names.
    pub needs: JobNeeds,
}

impl Store {
    /// Opens the store in `dir`, creating the folder, its `.gitignore` and
    /// the database as needed, with the system clock.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with_clock(dir, system_clock())
    }

    /// Opens the store with a clock of the caller's (tests, replays): every
    /// timestamp the store and its sinks record comes from it.
    pub fn open_with_clock(dir: &Path, clock: Clock) -> Result<Store, StoreError> {
        let create = |source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(create)?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "*\n").map_err(create)?;
        }
        let mut conn = schema::connect(dir)?;
        schema::migrate(&mut conn, dir)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            conn,
            clock,
            identity: file_identity(&schema::db_path(dir)),
        })
    }

    /// Whether `dir` holds a store, so reading commands need not create one.
    pub fn exists(dir: &Path) -> bool {
        schema::db_path(dir).is_file()
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records a new run as `running` by this process and returns its id.
    pub fn begin_run(&self, info: &NewRun) -> Result<i64, StoreError> {
        let pid = i64::from(std::process::id());
        self.conn
            .execute(
                "INSERT INTO runs (workflow, path, event, git_ref, sha, status, started_at, pid, pid_started, rerun_of, needs)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7, ?8, ?9, ?10)",
                params![
                    info.workflow,
                    info.path,
                    info.event,
                    info.git_ref,
                    info.sha,
                    timestamp(&self.clock),
                    pid,
                    process::start_time(pid),
                    info.rerun_of,
                    serde_json::to_string(&info.needs).unwrap_or_default(),
                ],
            )
            .map_err(sql("record a new run"))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records a run's result and mlci's exit code. The finish time is the
    /// one its sink recorded at `RunFinished`, if it did.
    pub fn finish_run(&self, run_id: i64, result: Outcome, exit_code: i32) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE runs SET status = 'finished', result = ?2, exit_code = ?3,
                 finished_at = COALESCE(finished_at, ?4) WHERE id = ?1",
                params![run_id, result.as_str(), exit_code, timestamp(&self.clock)],
            )
            .map_err(sql("record the end of a run"))?;
        Ok(())
    }

    /// Whether the database is still the file this store opened, with its
    /// runs table: a run whose records went nowhere must not look recorded.
    pub fn check_intact(&self) -> Result<(), StoreError> {
        let path = schema::db_path(&self.dir);
        if self.identity.is_some() && file_identity(&path) != self.identity {
            return Err(StoreError::Gone { path });
        }
        self.conn
            .query_row("SELECT count(*) FROM runs", [], |_| Ok(()))
            .map_err(sql("read the runs table"))
    }

    /// A sink that records a run's events into this store, on its own
    /// connection. It learns the run id from `RunStarted`.
    pub fn sink(&self) -> Result<StoreSink, StoreError> {
        Ok(StoreSink::new(
            schema::connect(&self.dir)?,
            self.dir.clone(),
            self.clock.clone(),
        ))
    }

    /// Marks `interrupted` every run still `running` whose mlci process is
    /// gone (killed, or the machine restarted), with its unfinished job legs
    /// and steps, and cancels the Slurm jobs they left; returns their ids,
    /// oldest first.
    pub fn mark_abandoned(&self) -> Result<Vec<i64>, StoreError> {
        Ok(self.mark_abandoned_runs()?.into_iter().map(|run| run.id).collect())
    }

    /// [`Store::mark_abandoned`], with the Slurm jobs cancelled for each run.
    pub fn mark_abandoned_runs(&self) -> Result<Vec<AbandonedRun>, StoreError> {
        let mut query = self
            .conn
            .prepare("SELECT id, pid, pid_started FROM runs WHERE status = 'running' ORDER BY id")
            .map_err(sql("find running runs"))?;
        let running = query
            .query_map([], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get(2)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<(i64, i64, Option<i64>)>, _>>())
            .map_err(sql("find running runs"))?;
        let mut abandoned = Vec::new();
        for (id, pid, started) in running {
            if process::is_alive(pid, started) {
                continue;
            }
            // Rolled back on drop if marking fails half-way.
            let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
                .map_err(sql("mark a run interrupted"))?;
            let marked = interrupt(&tx, id)?;
            tx.commit().map_err(sql("mark a run interrupted"))?;
            if marked {
                // Before its folder goes: a Slurm job's agent works there.
                let cancelled_slurm_jobs = self.cancel_slurm_jobs(id)?;
                // Its step scripts may hold expanded secrets; nothing there
                // is needed again (a resumed run starts each job afresh).
                let _ = std::fs::remove_dir_all(run_dir(&self.dir, id).join("work"));
                abandoned.push(AbandonedRun {
                    id,
                    cancelled_slurm_jobs,
                });
            }
        }
        Ok(abandoned)
    }
}

/// Marks run `id` interrupted unless it finished meanwhile, with its
/// unfinished job legs and steps; returns whether it did.
fn interrupt(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    let changed = conn
        .execute(
            "UPDATE runs SET status = 'interrupted' WHERE id = ?1 AND status = 'running'",
            [id],
        )
        .map_err(sql("mark a run interrupted"))?;
    if changed == 0 {
        return Ok(false);
    }
    conn.execute(
        "UPDATE jobs SET status = 'interrupted' WHERE run_id = ?1 AND status IN ('waiting', 'running')",
        [id],
    )
    .map_err(sql("mark a run's jobs interrupted"))?;
    conn.execute(
        "UPDATE steps SET status = 'interrupted' WHERE run_id = ?1 AND status = 'running'",
        [id],
    )
    .map_err(sql("mark a run's steps interrupted"))?;
    Ok(true)
}

/// `<store>/runs/<id>`: a run's artifacts, and its jobs' folders while it runs.
pub fn run_dir(store_dir: &Path, run_id: i64) -> PathBuf {
    store_dir.join("runs").join(run_id.to_string())
}

fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}
