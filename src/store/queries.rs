//! Reading runs back: the latest runs, and one run with its job legs and
//! steps.

use super::error::{sql, StoreError};
use super::rows::{corrupt, parse_outcome, JobNeeds, JobRow, RunDetail, RunRow, Status, StepRow};
use super::store::Store;
use crate::report::events::Outcome;
use rusqlite::{params, OptionalExtension, Row};
use serde_json::{Map, Value};

pub(crate) const RUN_COLUMNS: &str =
    "id, workflow, path, event, git_ref, sha, status, result, started_at, finished_at, exit_code, pid, rerun_of";

impl Store {
    /// The latest `limit` runs, newest first.
    pub fn runs(&self, limit: usize) -> Result<Vec<RunRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut query = self
            .conn
            .prepare(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?1"))
            .map_err(sql("list runs"))?;
        let rows = query
            .query_map([limit], run_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("list runs"))?;
        rows.into_iter().collect()
    }

    /// The result of the last finished run of the workflow file `path` on
    /// `git_ref` before run `before`: whether a success is a recovery.
    pub fn previous_result(&self, path: &str, git_ref: &str, before: i64) -> Result<Option<Outcome>, StoreError> {
        let result: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT result FROM runs WHERE path = ?1 AND git_ref = ?2 AND id < ?3 AND result IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                params![path, git_ref, before],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql("read the previous run"))?;
        parse_outcome(result.flatten())
    }

    /// A run and the runs it repeated in turn (`rerun`, a daemon's resume),
    /// newest first: the runs whose artifacts a repeat may download.
    pub fn rerun_chain(&self, detail: &RunDetail) -> Vec<i64> {
        let mut runs = vec![detail.run.id];
        let mut next = detail.run.rerun_of;
        while let Some(id) = next.filter(|id| !runs.contains(id)) {
            runs.push(id);
            next = self.run(id).ok().flatten().and_then(|d| d.run.rerun_of);
        }
        runs
    }

    /// Run `id` with its job legs (in the order they were first reported)
    /// and their steps (by attempt, then index); None if there is no such run.
    pub fn run(&self, id: i64) -> Result<Option<RunDetail>, StoreError> {
        let run = self
            .conn
            .query_row(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"), [id], run_row)
            .optional()
            .map_err(sql("read a run"))?;
        let Some(run) = run.transpose()? else { return Ok(None) };
        let mut jobs = self.jobs(id)?;
        for job in &mut jobs {
            job.steps = self.steps(id, &job.job, job.leg)?;
            job.slurm = self.leg_slurm_job(id, &job.job, job.leg)?;
        }
        Ok(Some(RunDetail { run, jobs }))
    }

    /// Each job of run `id` with the jobs it needs, as recorded when it
    /// began; None for an unknown run or one recorded before schema 6.
    pub fn run_needs(&self, id: i64) -> Result<Option<JobNeeds>, StoreError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT needs FROM runs WHERE id = ?1", [id], |row| row.get(0))
            .optional()
            .map_err(sql("read a run's job graph"))?
            .flatten();
        text.map(|t| serde_json::from_str(&t).map_err(|_| corrupt("job graph", &t)))
            .transpose()
    }

    fn jobs(&self, run_id: i64) -> Result<Vec<JobRow>, StoreError> {
        let mut query = self
            .conn
            .prepare(
                "SELECT job, leg, name, status, result, attempts, max_attempts, backend, image, gpus,
                 started_at, finished_at, outputs, reason, log_dir
                 FROM jobs WHERE run_id = ?1 ORDER BY rowid",
            )
            .map_err(sql("read a run's jobs"))?;
        let rows = query
            .query_map([run_id], job_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("read a run's jobs"))?;
        rows.into_iter().collect()
    }

    fn steps(&self, run_id: i64, job: &str, leg: usize) -> Result<Vec<StepRow>, StoreError> {
        let mut query = self
            .conn
            .prepare(
                "SELECT attempt, step, name, status, outcome, conclusion, exit_code, started_at, finished_at,
                 reason, log FROM steps WHERE run_id = ?1 AND job = ?2 AND leg = ?3 ORDER BY attempt, step",
            )
            .map_err(sql("read a job's steps"))?;
        let rows = query
            .query_map(params![run_id, job, leg as i64], step_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("read a job's steps"))?;
        rows.into_iter().collect()
    }
}

/// A row's columns are read with SQLite's errors; the values mlci wrote as
/// text (statuses, results, JSON) are checked here, so a damaged database
/// gives an error naming the bad value instead of a wrong answer.
pub(crate) type Checked<T> = rusqlite::Result<Result<T, StoreError>>;

pub(crate) fn run_row(row: &Row) -> Checked<RunRow> {
    let status: String = row.get(6)?;
    let result: Option<String> = row.get(7)?;
    let run = RunRow {
        id: row.get(0)?,
        workflow: row.get(1)?,
        path: row.get(2)?,
        event: row.get(3)?,
        git_ref: row.get(4)?,
        sha: row.get(5)?,
        status: Status::Running,
        result: None,
        started_at: row.get(8)?,
        finished_at: row.get(9)?,
        exit_code: row.get(10)?,
        pid: row.get(11)?,
        rerun_of: row.get(12)?,
    };
    Ok((|| {
        Ok(RunRow {
            status: Status::parse(&status)?,
            result: parse_outcome(result)?,
            ..run
        })
    })())
}

fn job_row(row: &Row) -> Checked<JobRow> {
    let (leg, status, result): (i64, String, Option<String>) = (row.get(1)?, row.get(3)?, row.get(4)?);
    let (attempts, max_attempts): (i64, Option<i64>) = (row.get(5)?, row.get(6)?);
    let (gpus, outputs): (Option<String>, Option<String>) = (row.get(9)?, row.get(12)?);
    let job = JobRow {
        job: row.get(0)?,
        leg: 0,
        name: row.get(2)?,
        status: Status::Running,
        result: None,
        attempts: 0,
        max_attempts: None,
        backend: row.get(7)?,
        image: row.get(8)?,
        gpus: Vec::new(),
        started_at: row.get(10)?,
        finished_at: row.get(11)?,
        outputs: Map::new(),
        reason: row.get(13)?,
        log_dir: row.get(14)?,
        slurm: None,
        steps: Vec::new(),
    };
    Ok((|| {
        Ok(JobRow {
            leg: number("leg", leg)?,
            status: Status::parse(&status)?,
            result: parse_outcome(result)?,
            attempts: number("attempt count", attempts)?,
            max_attempts: max_attempts.map(|n| number("attempt count", n)).transpose()?,
            gpus: match gpus {
                None => Vec::new(),
                Some(text) => serde_json::from_str(&text).map_err(|_| corrupt("GPU list", &text))?,
            },
            outputs: match outputs {
                None => Map::new(),
                Some(text) => match serde_json::from_str(&text) {
                    Ok(Value::Object(map)) => map,
                    _ => return Err(corrupt("job outputs", &text)),
                },
            },
            ..job
        })
    })())
}

fn step_row(row: &Row) -> Checked<StepRow> {
    let (attempt, index, status): (i64, i64, String) = (row.get(0)?, row.get(1)?, row.get(3)?);
    let (outcome, conclusion): (Option<String>, Option<String>) = (row.get(4)?, row.get(5)?);
    let step = StepRow {
        attempt: 0,
        step: 0,
        name: row.get(2)?,
        status: Status::Running,
        outcome: None,
        conclusion: None,
        exit_code: row.get(6)?,
        started_at: row.get(7)?,
        finished_at: row.get(8)?,
        reason: row.get(9)?,
        log: row.get(10)?,
    };
    Ok((|| {
        Ok(StepRow {
            attempt: number("attempt", attempt)?,
            step: number("step index", index)?,
            status: Status::parse(&status)?,
            outcome: parse_outcome(outcome)?,
            conclusion: parse_outcome(conclusion)?,
            ..step
        })
    })())
}

/// A count or index, which mlci never writes negative.
fn number<T: TryFrom<i64>>(what: &'static str, value: i64) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| corrupt(what, &value.to_string()))
}
