//! What the store answers: runs, their job legs and steps, as recorded, and
//! the log files of a run.

use super::error::StoreError;
use super::layout::log_name;
use super::slurm_jobs::SlurmJobRow;
use crate::report::events::Outcome;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Each job id of a run's workflow with the job ids its `needs:` names.
pub type JobNeeds = BTreeMap<String, Vec<String>>;

/// Where a run, job leg or step stands. A finished one has a result
/// (an [`Outcome`]); one whose mlci died before finishing it is `interrupted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A job leg waiting for GPUs, a free slot, or in Slurm's queue.
    Waiting,
    Running,
    Finished,
    Interrupted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Running => "running",
            Status::Finished => "finished",
            Status::Interrupted => "interrupted",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Status, StoreError> {
        Ok(match s {
            "waiting" => Status::Waiting,
            "running" => Status::Running,
            "finished" => Status::Finished,
            "interrupted" => Status::Interrupted,
            _ => return Err(corrupt("status", s)),
        })
    }
}

pub(crate) fn parse_outcome(s: Option<String>) -> Result<Option<Outcome>, StoreError> {
    s.map(|s| Outcome::parse(&s).ok_or_else(|| corrupt("result", &s)))
        .transpose()
}

pub(crate) fn corrupt(what: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.to_string(),
    }
}

/// One recorded run. Timestamps are RFC 3339 in UTC.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub workflow: String,
    pub path: String,
    pub event: String,
    pub git_ref: String,
    pub sha: String,
    pub status: Status,
    pub result: Option<Outcome>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub exit_code: Option<i32>,
    /// The mlci process that ran it.
    pub pid: i64,
    pub rerun_of: Option<i64>,
}

impl RunRow {
    /// Seconds from start to finish; None until it finishes.
    pub fn seconds(&self) -> Option<f64> {
        seconds_between(Some(&self.started_at), self.finished_at.as_deref())
    }
}

/// A run with all its job legs and their steps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunDetail {
    pub run: RunRow,
    /// In the order they were first reported (waiting, started or skipped).
    pub jobs: Vec<JobRow>,
}

/// One leg of a job (the job itself when it has no matrix).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobRow {
    pub job: String,
    pub leg: usize,
    /// The leg's display name (`test (3.11)`).
    pub name: String,
    pub status: Status,
    pub result: Option<Outcome>,
    /// Attempts started (0 for a skipped job).
    pub attempts: u32,
    /// Attempts allowed, as the engine said when the job started.
    pub max_attempts: Option<u32>,
    pub backend: Option<String>,
    pub image: Option<String>,
    pub gpus: Vec<String>,
    /// When its first attempt started.
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub outputs: Map<String, Value>,
    /// Why it was skipped, waited, failed or was cancelled, when mlci knows.
    pub reason: Option<String>,
    /// Its log folder, relative to the store directory.
    pub log_dir: String,
    /// Its latest attempt's Slurm job, on the Slurm backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slurm: Option<SlurmJobRow>,
    /// By attempt, then index.
    pub steps: Vec<StepRow>,
}

impl JobRow {
    /// Seconds from its first attempt's start to its finish.
    pub fn seconds(&self) -> Option<f64> {
        seconds_between(self.started_at.as_deref(), self.finished_at.as_deref())
    }

    /// Whether `name` names this leg: its job id or its display name.
    pub fn is_named(&self, name: &str) -> bool {
        self.job == name || self.name == name
    }
}

/// One step of one attempt of a job leg.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepRow {
    pub attempt: u32,
    /// The step's index, as the engine numbers steps.
    pub step: usize,
    pub name: String,
    pub status: Status,
    /// Before `continue-on-error`.
    pub outcome: Option<Outcome>,
    /// After `continue-on-error`: what the job sees.
    pub conclusion: Option<Outcome>,
    pub exit_code: Option<i64>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Why it was skipped.
    pub reason: Option<String>,
    /// Its log file, relative to the store directory; None when skipped.
    pub log: Option<String>,
}

impl StepRow {
    pub fn seconds(&self) -> Option<f64> {
        seconds_between(self.started_at.as_deref(), self.finished_at.as_deref())
    }
}

/// One log file of a run: a step's output or a job leg's own messages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogFile {
    pub job: String,
    pub leg: usize,
    pub leg_name: String,
    pub attempt: u32,
    /// None for the job leg's own messages.
    pub step: Option<usize>,
    pub step_name: Option<String>,
    pub path: PathBuf,
}

impl RunDetail {
    /// The job legs that `job` names (by job id or leg name); all of them for None.
    pub fn legs(&self, job: Option<&str>) -> Vec<&JobRow> {
        self.jobs
            .iter()
            .filter(|j| job.is_none_or(|name| j.is_named(name)))
            .collect()
    }

    /// The log files of the legs that `job` names, in the order `show` lists
    /// them: per leg and attempt, the job's own messages (when it had any),
    /// then each step that ran. Paths are under `store_dir`.
    pub fn log_files(&self, store_dir: &Path, job: Option<&str>) -> Vec<LogFile> {
        let mut files = Vec::new();
        for leg in self.legs(job) {
            let file = |attempt: u32, step: Option<&StepRow>, path: PathBuf| LogFile {
                job: leg.job.clone(),
                leg: leg.leg,
                leg_name: leg.name.clone(),
                attempt,
                step: step.map(|s| s.step),
                step_name: step.map(|s| s.name.clone()),
                path,
            };
            let last = leg.steps.iter().map(|s| s.attempt).max().unwrap_or(1).max(leg.attempts);
            for attempt in 1..=last {
                let own = store_dir.join(&leg.log_dir).join(log_name(None, attempt));
                if own.is_file() {
                    files.push(file(attempt, None, own));
                }
                for step in leg.steps.iter().filter(|s| s.attempt == attempt) {
                    if let Some(log) = &step.log {
                        files.push(file(attempt, Some(step), store_dir.join(log)));
                    }
                }
            }
        }
        files
    }

    /// Jobs whose every leg succeeded (or was itself reused), with the
    /// outputs of their last leg: what `rerun --failed` and the daemon's
    /// resume keep.
    pub fn succeeded_jobs(&self) -> HashMap<String, Map<String, Value>> {
        let mut jobs: HashMap<String, (bool, Map<String, Value>)> = HashMap::new();
        for row in &self.jobs {
            let entry = jobs.entry(row.job.clone()).or_insert((true, Map::new()));
            entry.0 &= row.result == Some(Outcome::Success);
            entry.1.extend(row.outputs.clone());
        }
        jobs.into_iter()
            .filter(|(_, (ok, _))| *ok)
            .map(|(job, (_, outputs))| (job, outputs))
            .collect()
    }
}

fn seconds_between(start: Option<&str>, end: Option<&str>) -> Option<f64> {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc));
    let (start, end) = (parse(start?)?, parse(end?)?);
    Some((end - start).num_milliseconds() as f64 / 1000.0)
}
