//! What a [`super::StoreSink`] does with each event: job and step rows in
//! the database, output lines in log files. Each change is its own
//! statement, committed at once.

use super::clock::{timestamp, Clock};
use super::error::StoreError;
use super::layout::leg_dir;
use super::leg_logs::LegLogs;
use super::log_marks::{as_stored, DEBUG, ERROR, GROUP_END, GROUP_HEADING, NOTICE, WARNING};
use super::slurm_jobs::{record as record_slurm, SlurmState};
use crate::report::events::{JobKey, LineKind, Outcome, RunEvent};
use rusqlite::{params, Connection};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

/// The recording state of one run.
pub(crate) struct Recorder {
    conn: Connection,
    /// The store directory.
    dir: PathBuf,
    clock: Clock,
    /// Learnt from `RunStarted`; events before it cannot be recorded.
    run_id: Option<i64>,
    /// Keyed by the whole `JobKey`, so the hot path (a line of output) looks
    /// a leg up without copying its name.
    legs: HashMap<JobKey, usize>,
    logs: Vec<LegLogs>,
    /// The leg of the last output line: most lines come in runs from one
    /// step, and comparing one key is far cheaper than hashing it.
    last: Option<(JobKey, usize)>,
    /// The first error since the last [`Recorder::take_error`].
    error: Option<String>,
}

impl Recorder {
    pub(crate) fn new(conn: Connection, dir: PathBuf, clock: Clock) -> Recorder {
        Recorder {
            conn,
            dir,
            clock,
            run_id: None,
            legs: HashMap::new(),
            logs: Vec::new(),
            last: None,
            error: None,
        }
    }

    pub(crate) fn record(&mut self, event: &RunEvent) {
        if let Err(message) = self.apply(event) {
            self.note(message);
        }
    }

    /// Writes out every open log file's buffer.
    pub(crate) fn flush(&mut self) {
        let mut failed = Ok(());
        for leg in self.logs.iter_mut() {
            let flushed = leg.flush();
            if failed.is_ok() {
                failed = flushed;
            }
        }
        if let Err(message) = failed {
            self.note(message);
        }
    }

    pub(crate) fn take_error(&mut self) -> Option<String> {
        self.error.take()
    }

    pub(crate) fn note(&mut self, message: String) {
        self.error.get_or_insert(message);
    }

    fn apply(&mut self, event: &RunEvent) -> Result<(), String> {
        if let RunEvent::RunStarted { run_id, .. } = event {
            let closed = self.close_all();
            self.legs.clear();
            self.logs.clear();
            self.last = None;
            self.run_id = Some(*run_id);
            return closed;
        }
        let Some(run_id) = self.run_id else {
            return Err("the run store got an event before RunStarted and recorded nothing".to_string());
        };
        if let RunEvent::Output { job, step, kind, line } = event {
            return self.write_line(run_id, job, *step, *kind, line);
        }
        let now = timestamp(&self.clock);
        match event {
            // Handled above.
            RunEvent::RunStarted { .. } | RunEvent::Output { .. } => Ok(()),
            RunEvent::JobWaiting { job, reason } => {
                self.leg(run_id, job)?;
                self.update_job(
                    "UPDATE jobs SET status = 'waiting', reason = ?4 WHERE run_id = ?1 AND job = ?2 AND leg = ?3",
                    run_id,
                    job,
                    params![reason],
                )
            }
            RunEvent::JobStarted {
                job,
                attempt,
                attempts,
                backend,
                image,
                gpus,
            } => {
                let leg = self.leg(run_id, job)?;
                leg.attempt = *attempt;
                // The previous attempt's files, if a line came after its end.
                let closed = leg.close_all();
                let gpus = serde_json::to_string(gpus).unwrap_or_else(|_| "[]".to_string());
                self.update_job(
                    "UPDATE jobs SET status = 'running', result = NULL, finished_at = NULL, reason = NULL,
                     attempts = ?4, max_attempts = ?5, backend = ?6, image = ?7, gpus = ?8,
                     started_at = COALESCE(started_at, ?9) WHERE run_id = ?1 AND job = ?2 AND leg = ?3",
                    run_id,
                    job,
                    params![attempt, attempts, backend, image, gpus, now],
                )?;
                closed
            }
            RunEvent::SlurmJob {
                job,
                attempt,
                id,
                state,
                reason,
                node,
                message,
            } => {
                self.leg(run_id, job)?;
                // A job in Slurm's queue is a waiting leg, as one waiting
                // for GPUs or a concurrency group is; it runs once Slurm
                // starts it.
                match state.as_str() {
                    "PENDING" => self.update_job(
                        "UPDATE jobs SET status = 'waiting', reason = ?4
                         WHERE run_id = ?1 AND job = ?2 AND leg = ?3 AND status = 'running'",
                        run_id,
                        job,
                        params![message.as_deref().unwrap_or(reason)],
                    )?,
                    "RUNNING" => self.update_job(
                        "UPDATE jobs SET status = 'running', reason = NULL
                         WHERE run_id = ?1 AND job = ?2 AND leg = ?3 AND status = 'waiting'",
                        run_id,
                        job,
                        params![],
                    )?,
                    _ => {}
                }
                let row = SlurmState {
                    run_id,
                    job: &job.job,
                    leg: index(job.leg),
                    attempt: *attempt,
                    id,
                    state,
                    reason,
                    node: node.as_deref(),
                };
                record_slurm(&self.conn, &row, &now).map_err(|e| failed("record a Slurm job's state", e))?;
                Ok(())
            }
            RunEvent::JobSkipped { job, reason } => {
                self.leg(run_id, job)?;
                self.update_job(
                    "UPDATE jobs SET status = 'finished', result = 'skipped', reason = ?4, finished_at = ?5
                     WHERE run_id = ?1 AND job = ?2 AND leg = ?3",
                    run_id,
                    job,
                    params![reason, now],
                )
            }
            RunEvent::StepSummary { job, markdown, .. } => self.leg(run_id, job)?.append_summary(markdown),
            RunEvent::ActionResolved {
                job,
                step,
                action,
                sha,
                source,
            } => {
                let attempt = self.leg(run_id, job)?.attempt;
                self.conn
                    .execute(
                        "INSERT OR REPLACE INTO actions (run_id, job, leg, attempt, step, action, sha, source)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            run_id,
                            job.job,
                            index(job.leg),
                            attempt,
                            index(*step),
                            action,
                            sha,
                            source
                        ],
                    )
                    .map_err(|e| failed("record a resolved action", e))?;
                Ok(())
            }
            RunEvent::StepStarted { job, step, name } => {
                let leg = self.leg(run_id, job)?;
                let attempt = leg.attempt;
                let log = leg.path(Some(*step)).to_string_lossy().into_owned();
                // Created now, so `mlci logs` shows the step before its first line.
                let opened = leg.file(Some(*step)).map(|_| ());
                self.conn
                    .execute(
                        "INSERT INTO steps (run_id, job, leg, attempt, step, name, status, started_at, log)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7, ?8)
                         ON CONFLICT DO UPDATE SET name = excluded.name, status = 'running',
                         started_at = excluded.started_at, log = excluded.log",
                        params![run_id, job.job, index(job.leg), attempt, index(*step), name, now, log],
                    )
                    .map_err(|e| failed("record a step's start", e))?;
                opened
            }
            RunEvent::StepSkipped {
                job,
                step,
                name,
                reason,
            } => {
                let attempt = self.leg(run_id, job)?.attempt;
                self.conn
                    .execute(
                        "INSERT INTO steps (run_id, job, leg, attempt, step, name, status, outcome, conclusion,
                         finished_at, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'finished', 'skipped', 'skipped', ?7, ?8)
                         ON CONFLICT DO UPDATE SET name = excluded.name, status = 'finished', outcome = 'skipped',
                         conclusion = 'skipped', finished_at = excluded.finished_at, reason = excluded.reason",
                        params![
                            run_id,
                            job.job,
                            index(job.leg),
                            attempt,
                            index(*step),
                            name,
                            now,
                            reason
                        ],
                    )
                    .map_err(|e| failed("record a skipped step", e))?;
                Ok(())
            }
            RunEvent::StepFinished {
                job,
                step,
                name,
                outcome,
                conclusion,
                exit_code,
                ..
            } => {
                let leg = self.leg(run_id, job)?;
                let attempt = leg.attempt;
                let closed = leg.close(Some(*step));
                self.conn
                    .execute(
                        "INSERT INTO steps (run_id, job, leg, attempt, step, name, status, outcome, conclusion,
                         exit_code, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'finished', ?7, ?8, ?9, ?10)
                         ON CONFLICT DO UPDATE SET name = excluded.name, status = 'finished', outcome = excluded.outcome,
                         conclusion = excluded.conclusion, exit_code = excluded.exit_code,
                         finished_at = excluded.finished_at",
                        params![
                            run_id,
                            job.job,
                            index(job.leg),
                            attempt,
                            index(*step),
                            name,
                            outcome.as_str(),
                            conclusion.as_str(),
                            exit_code,
                            now
                        ],
                    )
                    .map_err(|e| failed("record a step's end", e))?;
                closed
            }
            RunEvent::JobFinished {
                job,
                result,
                attempts,
                outputs,
                reason,
                ..
            } => {
                let closed = self.leg(run_id, job)?.close_all();
                // A step still running when its leg ends never told its end:
                // the leg crashed or was killed under it. It failed there.
                self.conn
                    .execute(
                        "UPDATE steps SET status = 'finished', outcome = 'failure', conclusion = 'failure',
                         finished_at = ?4 WHERE run_id = ?1 AND job = ?2 AND leg = ?3 AND status = 'running'",
                        params![run_id, job.job, index(job.leg), now],
                    )
                    .map_err(|e| failed("record the end of a leg's steps", e))?;
                let outputs = serde_json::to_string(outputs).unwrap_or_else(|_| "{}".to_string());
                self.update_job(
                    "UPDATE jobs SET status = 'finished', result = ?4, attempts = ?5, outputs = ?6, reason = ?7,
                     finished_at = ?8 WHERE run_id = ?1 AND job = ?2 AND leg = ?3",
                    run_id,
                    job,
                    params![result.as_str(), attempts, outputs, reason, now],
                )?;
                closed
            }
            RunEvent::RunFinished { run_id, result, .. } => {
                let closed = self.close_all();
                finish(&self.conn, *run_id, *result, &now)?;
                closed
            }
        }
    }

    /// Appends a line to its step's (or the leg's own) log file.
    fn write_line(
        &mut self,
        run_id: i64,
        job: &JobKey,
        step: Option<usize>,
        kind: LineKind,
        line: &str,
    ) -> Result<(), String> {
        let prefix = prefix(kind);
        // An end has no text of its own: the mark is the whole line. A
        // step's own line that would read as a mark is stored as written;
        // mlci's own lines mean their marks (`▶ step` of a composite).
        let line = match kind {
            LineKind::EndGroup => Cow::Borrowed(""),
            LineKind::Runner => Cow::Borrowed(line),
            _ => as_stored(line, kind == LineKind::Output),
        };
        let index = match &self.last {
            Some((key, index)) if key == job => *index,
            _ => {
                let index = self.leg_index(run_id, job)?;
                self.last = Some((job.clone(), index));
                index
            }
        };
        self.logs[index].write(step, prefix, &line)
    }

    /// The leg's state, recording its job row the first time it is seen (as
    /// `waiting`; the event that brought it sets the real status).
    fn leg(&mut self, run_id: i64, job: &JobKey) -> Result<&mut LegLogs, String> {
        let index = self.leg_index(run_id, job)?;
        Ok(&mut self.logs[index])
    }

    fn leg_index(&mut self, run_id: i64, job: &JobKey) -> Result<usize, String> {
        if let Some(index) = self.legs.get(job) {
            return Ok(*index);
        }
        {
            let dir = leg_dir(run_id, &job.job, job.leg);
            self.conn
                .execute(
                    "INSERT INTO jobs (run_id, job, leg, name, status, log_dir) VALUES (?1, ?2, ?3, ?4, 'waiting', ?5)
                     ON CONFLICT DO NOTHING",
                    params![run_id, job.job, index(job.leg), job.name, dir.to_string_lossy()],
                )
                .map_err(|e| failed("record a job", e))?;
            self.logs.push(LegLogs::new(&self.dir, dir));
            self.legs.insert(job.clone(), self.logs.len() - 1);
        }
        Ok(self.logs.len() - 1)
    }

    fn update_job(
        &self,
        statement: &str,
        run_id: i64,
        job: &JobKey,
        rest: &[&dyn rusqlite::ToSql],
    ) -> Result<(), String> {
        let leg = index(job.leg);
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&run_id, &job.job, &leg];
        values.extend_from_slice(rest);
        self.conn
            .execute(statement, values.as_slice())
            .map_err(|e| failed("record a job's state", e))?;
        Ok(())
    }

    fn close_all(&mut self) -> Result<(), String> {
        let mut result = Ok(());
        for leg in self.logs.iter_mut() {
            let closed = leg.close_all();
            if result.is_ok() {
                result = closed;
            }
        }
        result
    }
}

/// Records the end of a run as its events tell it (the exit code comes
/// later, from [`super::Store::finish_run`]).
fn finish(conn: &Connection, run_id: i64, result: Outcome, now: &str) -> Result<(), String> {
    conn.execute(
        "UPDATE runs SET status = 'finished', result = ?2, finished_at = ?3 WHERE id = ?1",
        params![run_id, result.as_str(), now],
    )
    .map_err(|e| failed("record the end of a run", e))?;
    Ok(())
}

/// How a line starts in a log file: group headings and ends marked,
/// annotations named (see [`super::log_marks`]).
fn prefix(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Output | LineKind::Runner => "",
        LineKind::Group => GROUP_HEADING,
        LineKind::EndGroup => GROUP_END,
        LineKind::Error => ERROR,
        LineKind::Warning => WARNING,
        LineKind::Notice => NOTICE,
        LineKind::Debug => DEBUG,
    }
}

/// A step or leg index as SQLite stores it.
fn index(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

fn failed(action: &'static str, source: rusqlite::Error) -> String {
    let error = StoreError::Sql { action, source };
    match std::error::Error::source(&error) {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}
