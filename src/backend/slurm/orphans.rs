//! The Slurm jobs of a dead mlci: nobody hands their steps over or reads
//! their end, so a restart cancels them (docs/decisions.md, "A restart
//! cancels a dead mlci's Slurm jobs"). The agent's heartbeat ends them too,
//! 30 s later: this is the first net, that the second.

use super::control::{self, JobState};
use crate::backend::BackendError;
use std::time::{Duration, Instant};

/// How long a cancelled job may take to leave the running states: Slurm
/// sends SIGTERM, waits `KillWait` (30 s by default), then SIGKILL.
const LEAVE_WAIT: Duration = Duration::from_secs(90);

const POLL: Duration = Duration::from_millis(250);

/// What became of a job a dead mlci left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Left {
    /// It still ran or waited; it was cancelled and has now ended.
    Cancelled(JobState),
    /// It had ended already (the heartbeat, or it finished).
    Ended(JobState),
    /// Slurm no longer knows it.
    Forgotten,
}

impl Left {
    /// Its state now, as far as Slurm says.
    pub fn state(&self) -> Option<&JobState> {
        match self {
            Left::Cancelled(state) | Left::Ended(state) => Some(state),
            Left::Forgotten => None,
        }
    }
}

/// Cancels Slurm jobs `ids` (one run's) unless they ended, and waits until
/// each has left the running states: all are cancelled first, then waited
/// for under one deadline, so a run's jobs cost [`LEAVE_WAIT`] at most
/// together. Blocks the thread: it runs when a command starts. Each id
/// comes back with what became of it, in the order given.
pub fn cancel_unwatched(ids: &[String]) -> Vec<(String, Result<Left, BackendError>)> {
    let asked: Vec<_> = ids.iter().map(|id| (id.clone(), ask_to_end(id))).collect();
    let deadline = Instant::now() + LEAVE_WAIT;
    asked
        .into_iter()
        .map(|(id, asked)| {
            let left = match asked {
                Ok(None) => wait_until_ended(&id, deadline),
                Ok(Some(left)) => Ok(left),
                Err(e) => Err(e),
            };
            (id, left)
        })
        .collect()
}

/// Sends `scancel` unless the job ended: None when it was sent, else what
/// became of the job.
fn ask_to_end(id: &str) -> Result<Option<Left>, BackendError> {
    match control::state_blocking(id)? {
        None => return Ok(Some(Left::Forgotten)),
        Some(state) if state.ended() => return Ok(Some(Left::Ended(state))),
        Some(_) => {}
    }
    if let Err(e) = control::tool_blocking("scancel", &[id.to_string()]) {
        // It may have ended between the two questions.
        return match control::state_blocking(id)? {
            Some(state) if !state.ended() => Err(e),
            Some(state) => Ok(Some(Left::Ended(state))),
            None => Ok(Some(Left::Forgotten)),
        };
    }
    Ok(None)
}

/// Waits for a cancelled job to leave the running states.
fn wait_until_ended(id: &str, deadline: Instant) -> Result<Left, BackendError> {
    loop {
        match control::state_blocking(id)? {
            None => return Ok(Left::Forgotten),
            Some(state) if state.ended() => return Ok(Left::Cancelled(state)),
            Some(state) if Instant::now() >= deadline => {
                return Err(BackendError::Other(format!(
                    "Slurm job {id} is still {} {}s after scancel",
                    state.state,
                    LEAVE_WAIT.as_secs()
                )))
            }
            Some(_) => std::thread::sleep(POLL),
        }
    }
}
