//! What a backend that queues legs in a batch scheduler (Slurm) tells the
//! run while it waits and runs: the scheduler's job id, its state and why it
//! waits. The backend sends notes down a channel the attempt drains, so the
//! backend needs no handle on the run's reporters.

use std::fmt;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// The scheduler's word on one leg's job, when it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerNote {
    /// The scheduler's job id (`42`).
    pub id: String,
    /// `PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED`, …
    pub state: String,
    /// Why it waits or ended (`Resources`, `Priority`, `None`).
    pub reason: String,
    /// The node it runs on, once it does.
    pub node: Option<String>,
    /// A line for the leg's log, when the user should see this change
    /// (`waiting for GPUs: Resources (Slurm job 42)`).
    pub message: Option<String>,
}

/// Where a backend sends its notes; sends nowhere by default (tests, the
/// Slurm agent's own host backend).
#[derive(Clone, Default)]
pub struct SchedulerNotes(Option<UnboundedSender<SchedulerNote>>);

impl SchedulerNotes {
    /// Notes sent to the returned receiver.
    pub fn channel() -> (SchedulerNotes, UnboundedReceiver<SchedulerNote>) {
        let (tx, rx) = unbounded_channel();
        (SchedulerNotes(Some(tx)), rx)
    }

    pub fn send(&self, note: SchedulerNote) {
        if let Some(tx) = &self.0 {
            // The attempt stopped listening: the note is for no one.
            let _ = tx.send(note);
        }
    }
}

impl fmt::Debug for SchedulerNotes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "SchedulerNotes(open)"
        } else {
            "SchedulerNotes(none)"
        })
    }
}
