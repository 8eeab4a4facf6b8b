//! Queued runs: waiting, running, finished or superseded.

use super::rows::{QueuedRun, RunState};
use super::Queue;
use crate::store::{sql, StoreError};
use rusqlite::{params, OptionalExtension, Row};

const RUN_COLUMNS: &str = "id, event_id, repo, workflow, git_ref, sha, concurrency_group, cancel_in_progress, \
     status, run_id, queued_at, note";

impl Queue {
    /// Queued runs in one state, oldest first.
    pub fn runs_in(&self, state: RunState) -> Result<Vec<QueuedRun>, StoreError> {
        let query = format!("SELECT {RUN_COLUMNS} FROM queued_runs WHERE status = ?1 ORDER BY id");
        self.select("list queued runs", &query, [state.as_str()], queued_run)
    }

    /// The newest queued runs in any state, newest first.
    pub fn recent_runs(&self, limit: usize) -> Result<Vec<QueuedRun>, StoreError> {
        let query = format!("SELECT {RUN_COLUMNS} FROM queued_runs ORDER BY id DESC LIMIT ?1");
        self.select("list queued runs", &query, [limit as i64], queued_run)
    }

    /// The queued runs that may start now, oldest first: those whose
    /// concurrency group has no running run (one per group at most). A
    /// group is scoped to its repository, as on GitHub: two repositories
    /// whose groups evaluate to the same string never wait on each other.
    pub fn startable(&self) -> Result<Vec<QueuedRun>, StoreError> {
        let mut busy: Vec<(String, String)> = self
            .runs_in(RunState::Running)?
            .into_iter()
            .filter_map(|r| Some((r.repo, r.concurrency_group?)))
            .collect();
        let mut startable = Vec::new();
        for run in self.runs_in(RunState::Queued)? {
            if let Some(group) = &run.concurrency_group {
                let key = (run.repo.clone(), group.clone());
                if busy.contains(&key) {
                    continue;
                }
                busy.push(key);
            }
            startable.push(run);
        }
        Ok(startable)
    }

    /// The running runs of a concurrency group of repository `repo`.
    pub fn running_in_group(&self, repo: &str, group: &str) -> Result<Vec<QueuedRun>, StoreError> {
        Ok(self
            .runs_in(RunState::Running)?
            .into_iter()
            .filter(|r| r.repo == repo && r.concurrency_group.as_deref() == Some(group))
            .collect())
    }

    /// Takes a queued run for starting: it becomes running in the same
    /// statement that checks it is still queued, so a run is started once
    /// even when the next loop turn (or a superseding event) sees it first.
    /// Returns false when it was no longer queued.
    pub fn claim(&self, id: i64) -> Result<bool, StoreError> {
        let claimed = self
            .conn()
            .query_row(
                "UPDATE queued_runs SET status = 'running' WHERE id = ?1 AND status = 'queued' RETURNING id",
                [id],
                |row| row.get::<_, i64>(0),
            )
            .optional()
            .map_err(sql("claim a queued run"))?;
        Ok(claimed.is_some())
    }

    /// Records that a queued run started (or was resumed) as store run `run_id`.
    pub fn mark_running(&self, id: i64, run_id: i64) -> Result<(), StoreError> {
        self.set_state(id, RunState::Running, Some(run_id), None)
    }

    /// Records that a queued run's run finished, or that it never could
    /// start (then `note` says why).
    pub fn mark_finished(&self, id: i64, note: Option<&str>) -> Result<(), StoreError> {
        self.set_state(id, RunState::Finished, None, note)
    }

    fn set_state(&self, id: i64, state: RunState, run_id: Option<i64>, note: Option<&str>) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE queued_runs SET status = ?2, run_id = COALESCE(?3, run_id), note = COALESCE(?4, note)
                 WHERE id = ?1",
                params![id, state.as_str(), run_id, note],
            )
            .map_err(sql("update a queued run"))?;
        Ok(())
    }
}

fn queued_run(row: &Row) -> rusqlite::Result<QueuedRun> {
    let status: String = row.get(8)?;
    Ok(QueuedRun {
        id: row.get(0)?,
        event_id: row.get(1)?,
        repo: row.get(2)?,
        workflow: row.get(3)?,
        git_ref: row.get(4)?,
        sha: row.get(5)?,
        concurrency_group: row.get(6)?,
        cancel_in_progress: row.get(7)?,
        state: RunState::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                8,
                rusqlite::types::Type::Text,
                format!("state `{status}`").into(),
            )
        })?,
        run_id: row.get(9)?,
        queued_at: row.get(10)?,
        note: row.get(11)?,
    })
}
