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

/// Cancels Slurm job `id` unless it ended, and waits until it has left the
/// running states. Blocks the thread: it runs when a command starts.
pub fn cancel_unwatched(id: &str) -> Result<Left, BackendError> {
    match control::state_blocking(id)? {
        None => return Ok(Left::Forgotten),
        Some(state) if state.ended() => return Ok(Left::Ended(state)),
        Some(_) => {}
    }
    if let Err(e) = control::tool_blocking("scancel", &[id.to_string()]) {
        // It may have ended between the two questions.
        match control::state_blocking(id)? {
            Some(state) if !state.ended() => return Err(e),
            Some(state) => return Ok(Left::Ended(state)),
            None => return Ok(Left::Forgotten),
        }
    }
    let start = Instant::now();
    loop {
        match control::state_blocking(id)? {
            None => return Ok(Left::Forgotten),
            Some(state) if state.ended() => return Ok(Left::Cancelled(state)),
            Some(state) if start.elapsed() >= LEAVE_WAIT => {
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
