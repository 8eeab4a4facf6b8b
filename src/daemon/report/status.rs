//! Which commit status a run event means: `mlci/<workflow>` for the whole
//! run, `mlci/<workflow>/<job>` for each job leg, in the four states GitHub
//! and Gitea know.

use crate::report::events::{Outcome, RunEvent};
use serde::Serialize;

/// GitHub caps a status description at 140 characters (and refuses longer).
const MAX_DESCRIPTION: usize = 140;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Success,
    Failure,
    Error,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Success => "success",
            State::Failure => "failure",
            State::Error => "error",
        }
    }
}

/// One status for one context of a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitStatus {
    pub context: String,
    pub state: State,
    pub description: String,
}

impl CommitStatus {
    fn new(context: String, state: State, description: String) -> CommitStatus {
        CommitStatus {
            context,
            state,
            description: shorten(description),
        }
    }
}

/// The status an event means for the run of `workflow`, if any: runs and
/// jobs report when they start and when they finish; a job's retries do not
/// report again, its context is already pending.
pub fn for_event(workflow: &str, event: &RunEvent) -> Option<CommitStatus> {
    let run_context = format!("mlci/{workflow}");
    let job_context = |name: &str| format!("{run_context}/{name}");
    Some(match event {
        RunEvent::RunStarted { .. } => CommitStatus::new(run_context, State::Pending, "running".into()),
        RunEvent::JobStarted { job, attempt: 1, .. } => {
            CommitStatus::new(job_context(&job.name), State::Pending, "running".into())
        }
        RunEvent::JobSkipped { job, reason } => {
            CommitStatus::new(job_context(&job.name), State::Success, format!("skipped: {reason}"))
        }
        RunEvent::JobFinished {
            job,
            result,
            seconds,
            reason,
            ..
        } => {
            let (state, description) = finished(*result, *seconds, reason.as_deref());
            CommitStatus::new(job_context(&job.name), state, description)
        }
        RunEvent::RunFinished { result, seconds, .. } => {
            let (state, description) = finished(*result, *seconds, None);
            CommitStatus::new(run_context, state, description)
        }
        _ => return None,
    })
}

/// The status of a run that could not start (an invalid workflow at that
/// commit, say).
pub fn run_error(workflow: &str, description: &str) -> CommitStatus {
    CommitStatus::new(format!("mlci/{workflow}"), State::Error, description.to_string())
}

/// A finished run's or job's state and description. A cancelled one is an
/// `error`: nothing in the commit failed. A skipped one is a `success` so
/// that a required context skipped by its `if` does not block a merge, as
/// on GitHub. The reason, when mlci knows one, explains failures and skips.
fn finished(result: Outcome, seconds: f64, reason: Option<&str>) -> (State, String) {
    let (state, description) = match result {
        Outcome::Success => return (State::Success, format!("succeeded in {seconds:.0}s")),
        Outcome::Failure => (State::Failure, format!("failed after {seconds:.0}s")),
        Outcome::Cancelled => (State::Error, format!("cancelled after {seconds:.0}s")),
        Outcome::Skipped => (State::Success, "skipped".to_string()),
    };
    match reason {
        Some(reason) => (state, format!("{description}: {reason}")),
        None => (state, description),
    }
}

/// Cuts a description to the forge's limit, marking the cut.
fn shorten(description: String) -> String {
    if description.chars().count() <= MAX_DESCRIPTION {
        return description;
    }
    let mut short: String = description.chars().take(MAX_DESCRIPTION - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod status_tests;
