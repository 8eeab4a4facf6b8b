//! Each attempt's Slurm job as the run last heard of it (id, state, pending
//! reason, node), and what a restart does with the jobs of a dead mlci:
//! cancels those Slurm still runs, so none keeps its GPUs unwatched.

use super::error::{sql, StoreError};
use super::Store;
use crate::backend::slurm::orphans::{cancel_unwatched, Left};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// A leg's Slurm job: of its latest attempt that submitted one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlurmJobRow {
    pub attempt: u32,
    /// Slurm's job id.
    pub id: String,
    /// `PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED`, … as last heard.
    pub state: String,
    /// Why it waited or ended (`Resources`, `None`).
    pub reason: String,
    pub node: Option<String>,
}

impl SlurmJobRow {
    /// `Slurm job 42 COMPLETED`, `Slurm job 43 PENDING (Resources)`.
    pub fn describe(&self) -> String {
        match self.reason.as_str() {
            "" | "None" => format!("Slurm job {} {}", self.id, self.state),
            reason => format!("Slurm job {} {} ({reason})", self.id, self.state),
        }
    }
}

/// One leg attempt's Slurm job, as an event tells it.
pub(crate) struct SlurmState<'a> {
    pub run_id: i64,
    pub job: &'a str,
    pub leg: i64,
    pub attempt: u32,
    pub id: &'a str,
    pub state: &'a str,
    pub reason: &'a str,
    pub node: Option<&'a str>,
}

/// Records what Slurm said; a note without a node keeps the one known.
pub(crate) fn record(conn: &Connection, s: &SlurmState<'_>, now: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO slurm_jobs (run_id, job, leg, attempt, slurm_id, state, reason, node, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT DO UPDATE SET slurm_id = excluded.slurm_id, state = excluded.state, reason = excluded.reason,
         node = COALESCE(excluded.node, node), updated_at = excluded.updated_at",
        params![s.run_id, s.job, s.leg, s.attempt, s.id, s.state, s.reason, s.node, now],
    )
}

/// A run that was marked interrupted, with the Slurm jobs it left running
/// that were cancelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbandonedRun {
    pub id: i64,
    pub cancelled_slurm_jobs: Vec<String>,
}

impl AbandonedRun {
    /// What the command that found it says, when there is something to say:
    /// `run 1 was interrupted (its mlci is gone); cancelled its Slurm job 42`.
    pub fn note(&self) -> Option<String> {
        let jobs = match self.cancelled_slurm_jobs.as_slice() {
            [] => return None,
            [one] => format!("its Slurm job {one}"),
            many => format!("its Slurm jobs {}", many.join(", ")),
        };
        Some(format!(
            "run {} was interrupted (its mlci is gone); cancelled {jobs}",
            self.id
        ))
    }
}

impl Store {
    /// The Slurm job of the leg's latest attempt that submitted one.
    pub(crate) fn leg_slurm_job(&self, run_id: i64, job: &str, leg: usize) -> Result<Option<SlurmJobRow>, StoreError> {
        let leg = i64::try_from(leg).unwrap_or(i64::MAX);
        self.conn
            .query_row(
                "SELECT attempt, slurm_id, state, reason, node FROM slurm_jobs
                 WHERE run_id = ?1 AND job = ?2 AND leg = ?3 ORDER BY attempt DESC LIMIT 1",
                params![run_id, job, leg],
                |row| {
                    Ok(SlurmJobRow {
                        attempt: row.get::<_, i64>(0)?.try_into().unwrap_or_default(),
                        id: row.get(1)?,
                        state: row.get(2)?,
                        reason: row.get(3)?,
                        node: row.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(sql("read a leg's Slurm job"))
    }

    /// Cancels the Slurm jobs of interrupted run `run_id` that Slurm still
    /// runs or queues, records the state each ended in, and returns the ids
    /// of those it cancelled. A job it cannot cancel is logged: the agent's
    /// heartbeat still ends it.
    pub(crate) fn cancel_slurm_jobs(&self, run_id: i64) -> Result<Vec<String>, StoreError> {
        let mut query = self
            .conn
            .prepare("SELECT job, leg, attempt, slurm_id FROM slurm_jobs WHERE run_id = ?1 ORDER BY rowid")
            .map_err(sql("find a run's Slurm jobs"))?;
        let jobs = query
            .query_map([run_id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, u32>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("find a run's Slurm jobs"))?;
        let ids: Vec<String> = jobs.iter().map(|(.., id)| id.clone()).collect();
        let mut cancelled = Vec::new();
        for ((job, leg, attempt, _), (id, left)) in jobs.into_iter().zip(cancel_unwatched(&ids)) {
            let left = match left {
                Ok(left) => left,
                Err(e) => {
                    tracing::warn!(run_id, slurm_job = %id, "failed to cancel Slurm job {id} of interrupted run {run_id}: {e}");
                    continue;
                }
            };
            if let Some(state) = left.state() {
                let now = super::timestamp(&self.clock);
                let row = SlurmState {
                    run_id,
                    job: &job,
                    leg,
                    attempt,
                    id: &id,
                    state: &state.state,
                    reason: &state.reason,
                    node: None,
                };
                record(&self.conn, &row, &now).map_err(sql("record a cancelled Slurm job"))?;
            }
            if let Left::Cancelled(_) = left {
                tracing::warn!(run_id, slurm_job = %id, "run {run_id} was interrupted (its mlci is gone); cancelled its Slurm job {id}");
                cancelled.push(id);
            }
        }
        Ok(cancelled)
    }
}
