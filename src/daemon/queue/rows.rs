//! What the queue holds, as the daemon reads and writes it.

use serde::Serialize;
use serde_json::Value;

/// An event as it arrives, before intake looks at it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewEvent {
    /// The configured repository's name.
    pub repo: String,
    /// `push`, `pull_request`, `workflow_dispatch` or `schedule`.
    pub name: String,
    /// The full ref: `refs/heads/main`, `refs/tags/v1`.
    pub git_ref: String,
    /// push: the ref's commit before (None or zeros: a new ref).
    pub before: Option<String>,
    /// The commit to run (zeros: a deleted ref); None: the ref's tip at intake.
    pub after: Option<String>,
    /// The webhook payload, or a dispatch's `{"workflow": …, "inputs": {…}}`,
    /// or a schedule's `{"workflow": …, "schedule": …}`.
    pub payload: Option<Value>,
    /// Who sent it: `hook`, `github`, `gitea`, `api` or `cron`.
    pub source: String,
}

/// What storing a forge's delivery did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    /// A new event, with its id.
    New(i64),
    /// The delivery was stored before, as this event: nothing new.
    Again(i64),
}

impl Pushed {
    /// The event's id, new or not.
    pub fn id(self) -> i64 {
        match self {
            Pushed::New(id) | Pushed::Again(id) => id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub repo: String,
    pub name: String,
    pub git_ref: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub payload: Option<Value>,
    pub source: String,
    pub received_at: String,
    /// `queued`, `done` (intake queued its runs, maybe none) or `failed`.
    pub status: String,
    /// What intake decided, or why it failed.
    pub note: Option<String>,
}

/// A run intake decided on, waiting for capacity and its concurrency group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewQueuedRun {
    pub repo: String,
    /// The workflow file, relative to the repository root.
    pub workflow: String,
    pub git_ref: String,
    pub sha: String,
    pub concurrency_group: Option<String>,
    pub cancel_in_progress: bool,
}

/// Where a queued run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Waiting for capacity or its concurrency group.
    Queued,
    /// Started: `run_id` is its run in the store.
    Running,
    /// Its run finished (the run's own result says how).
    Finished,
    /// A newer run of the same concurrency group replaced it before it started.
    Superseded,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Finished => "finished",
            RunState::Superseded => "superseded",
        }
    }

    pub fn parse(text: &str) -> Option<RunState> {
        Some(match text {
            "queued" => RunState::Queued,
            "running" => RunState::Running,
            "finished" => RunState::Finished,
            "superseded" => RunState::Superseded,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueuedRun {
    pub id: i64,
    pub event_id: i64,
    pub repo: String,
    pub workflow: String,
    pub git_ref: String,
    pub sha: String,
    pub concurrency_group: Option<String>,
    pub cancel_in_progress: bool,
    pub state: RunState,
    /// The store's run, once started (the latest one when it was resumed).
    pub run_id: Option<i64>,
    pub queued_at: String,
    pub note: Option<String>,
}
