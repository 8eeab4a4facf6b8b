//! What `mlci runner status` reads beside the queue itself: the job legs
//! running now (each holds a job slot and its GPU leases), and how many
//! events wait for intake.

use super::Queue;
use crate::store::{sql, SlurmJobRow, StoreError};
use rusqlite::Row;
use serde::Serialize;

/// A job leg running in a run the store records as running.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunningJob {
    /// The store's run.
    pub run_id: i64,
    pub job: String,
    pub leg: usize,
    /// The leg's display name (`test (3.11)`).
    pub name: String,
    /// `docker` or `host`.
    pub backend: Option<String>,
    pub image: Option<String>,
    /// The GPUs leased to it.
    pub gpus: Vec<String>,
    /// When its first attempt started (RFC 3339, UTC).
    pub started_at: Option<String>,
    /// Its latest attempt's Slurm job (id, state, pending reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slurm: Option<SlurmJobRow>,
}

impl Queue {
    /// The job legs of running runs that hold a job slot (running, or
    /// waiting in Slurm's queue), by run, then in the order they were first
    /// reported.
    pub fn running_jobs(&self) -> Result<Vec<RunningJob>, StoreError> {
        let query = "SELECT jobs.run_id, jobs.job, jobs.leg, jobs.name, jobs.backend, jobs.image, jobs.gpus,
                     jobs.started_at, slurm.attempt, slurm.slurm_id, slurm.state, slurm.reason, slurm.node
                     FROM jobs JOIN runs ON runs.id = jobs.run_id
                     LEFT JOIN slurm_jobs AS slurm ON slurm.run_id = jobs.run_id AND slurm.job = jobs.job
                       AND slurm.leg = jobs.leg AND slurm.attempt = (SELECT MAX(attempt) FROM slurm_jobs
                       WHERE run_id = jobs.run_id AND job = jobs.job AND leg = jobs.leg)
                     WHERE runs.status = 'running' AND (jobs.status = 'running'
                       OR (jobs.status = 'waiting' AND slurm.slurm_id IS NOT NULL))
                     ORDER BY jobs.run_id, jobs.rowid";
        self.select("list running jobs", query, [], running_job)?
            .into_iter()
            .collect()
    }

    /// How many events wait for intake.
    pub fn waiting_events(&self) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM events WHERE status = 'queued'", [], |row| {
                row.get(0)
            })
            .map_err(sql("count waiting events"))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }
}

/// A row, or the value the store could not read (a GPU list that is not
/// JSON, a negative leg).
fn running_job(row: &Row) -> rusqlite::Result<Result<RunningJob, StoreError>> {
    let (leg, gpus): (i64, Option<String>) = (row.get(2)?, row.get(6)?);
    let job = RunningJob {
        run_id: row.get(0)?,
        job: row.get(1)?,
        leg: 0,
        name: row.get(3)?,
        backend: row.get(4)?,
        image: row.get(5)?,
        gpus: Vec::new(),
        started_at: row.get(7)?,
        slurm: match row.get::<_, Option<String>>(9)? {
            None => None,
            Some(id) => Some(SlurmJobRow {
                attempt: row.get::<_, i64>(8)?.try_into().unwrap_or_default(),
                id,
                state: row.get(10)?,
                reason: row.get(11)?,
                node: row.get(12)?,
            }),
        },
    };
    let Ok(leg) = usize::try_from(leg) else {
        return Ok(Err(corrupt("leg", &leg.to_string())));
    };
    let gpus = match gpus {
        None => Vec::new(),
        Some(text) => match serde_json::from_str(&text) {
            Ok(gpus) => gpus,
            Err(_) => return Ok(Err(corrupt("GPU list", &text))),
        },
    };
    Ok(Ok(RunningJob { leg, gpus, ..job }))
}

fn corrupt(what: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.to_string(),
    }
}
