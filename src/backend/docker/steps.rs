//! The steps running in a job now, so that `stop_steps` can reach them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// How to reach a running step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum RunningStep {
    /// A `docker exec`: its wrapper writes its process id (in the
    /// container) to this file on this machine.
    Exec { pid_file: PathBuf },
    /// A `docker://` step's container.
    Container { id: String },
}

#[derive(Debug, Default)]
pub(super) struct RunningSteps {
    next: AtomicU64,
    running: Mutex<HashMap<u64, RunningStep>>,
}

impl RunningSteps {
    /// A number for a new step, unique in the job.
    pub fn next_number(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Records a running step until the guard is dropped.
    pub fn enter(&self, number: u64, step: RunningStep) -> StepGuard<'_> {
        self.lock().insert(number, step);
        StepGuard { steps: self, number }
    }

    /// The steps running now, oldest first.
    pub fn snapshot(&self) -> Vec<(u64, RunningStep)> {
        let mut steps: Vec<_> = self.lock().iter().map(|(n, s)| (*n, s.clone())).collect();
        steps.sort_by_key(|(n, _)| *n);
        steps
    }

    pub fn is_running(&self, number: u64) -> bool {
        self.lock().contains_key(&number)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, RunningStep>> {
        // The map stays consistent even if a holder panicked.
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Forgets the step when it ends, however it ends; an exec step's pid file
/// goes with it.
pub(super) struct StepGuard<'a> {
    steps: &'a RunningSteps,
    number: u64,
}

impl Drop for StepGuard<'_> {
    fn drop(&mut self) {
        if let Some(RunningStep::Exec { pid_file }) = self.steps.lock().remove(&self.number) {
            let _ = std::fs::remove_file(pid_file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_forgets_the_step_and_its_pid_file() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("0");
        std::fs::write(&pid_file, "12\n").unwrap();
        let steps = RunningSteps::default();
        let (a, b) = (steps.next_number(), steps.next_number());
        assert_eq!((a, b), (0, 1));
        let guard = steps.enter(
            a,
            RunningStep::Exec {
                pid_file: pid_file.clone(),
            },
        );
        let other = steps.enter(b, RunningStep::Container { id: "c".into() });
        assert_eq!(steps.snapshot().len(), 2);
        drop(guard);
        assert!(!pid_file.exists());
        assert!(!steps.is_running(a));
        assert_eq!(steps.snapshot(), [(b, RunningStep::Container { id: "c".into() })]);
        drop(other);
        assert!(steps.snapshot().is_empty());
    }
}
