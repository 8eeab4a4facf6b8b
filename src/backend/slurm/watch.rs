//! What the run hears about a leg's Slurm job: its id once submitted, each
//! change of state or pending reason, the node it runs on and the state it
//! ended in. The notes reach the terminal (a waiting leg says why) and the
//! run store (`mlci show`, `mlci runner status`, the API).

use super::control::JobState;
use crate::backend::scheduler::{SchedulerNote, SchedulerNotes};
use crate::backend::{GpuAssignment, JobSpec};
use std::sync::Mutex;

/// Tells the run about one Slurm job when its state or reason changes.
#[derive(Debug)]
pub struct Watch {
    id: String,
    notes: SchedulerNotes,
    /// Whether the leg asked for GPUs: `Resources` then means GPUs.
    gpus: bool,
    /// The last state and reason told, so each change is told once.
    told: Mutex<Option<(String, String)>>,
}

impl Watch {
    pub fn new(id: &str, spec: &JobSpec) -> Watch {
        Watch {
            id: id.to_string(),
            notes: spec.scheduler.clone(),
            gpus: asks_for_gpus(&spec.gpus),
            told: Mutex::new(None),
        }
    }

    /// Tells `state` (on `node`, once running) unless it was the last told.
    pub fn saw(&self, state: &JobState, node: Option<&str>) {
        let now = (state.state.clone(), state.reason.clone());
        {
            let Ok(mut told) = self.told.lock() else { return };
            if told.as_ref() == Some(&now) {
                return;
            }
            *told = Some(now);
        }
        let message = waiting_message(&self.id, state, self.gpus);
        tracing::info!(slurm_job = %self.id, state = %state.state, reason = %state.reason, "Slurm job {} is {}", self.id, state.state);
        self.notes.send(SchedulerNote {
            id: self.id.clone(),
            state: state.state.clone(),
            reason: state.reason.clone(),
            node: node.map(str::to_string),
            message,
        });
    }
}

fn asks_for_gpus(gpus: &GpuAssignment) -> bool {
    match gpus {
        GpuAssignment::None => false,
        GpuAssignment::Devices(ids) => !ids.is_empty(),
        GpuAssignment::Count(n) => *n != 0,
    }
}

/// The line a leg's log shows while its job waits in Slurm's queue
/// (`waiting for GPUs: Resources (Slurm job 42)`); None once it does not
/// wait (running, ended: the leg's own lines say so).
pub fn waiting_message(id: &str, state: &JobState, gpus: bool) -> Option<String> {
    if state.state != "PENDING" {
        return None;
    }
    let why = match state.reason.as_str() {
        "Resources" if gpus => "waiting for GPUs: Resources".to_string(),
        // Slurm has not looked at the job yet.
        "" | "None" => "waiting in Slurm's queue".to_string(),
        reason => format!("waiting in Slurm's queue: {reason}"),
    };
    Some(format!("{why} (Slurm job {id})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(reason: &str) -> JobState {
        JobState {
            state: "PENDING".to_string(),
            reason: reason.to_string(),
        }
    }

    #[test]
    fn a_leg_that_asked_for_gpus_waits_for_gpus_when_slurm_lacks_resources() {
        assert_eq!(
            waiting_message("42", &pending("Resources"), true).as_deref(),
            Some("waiting for GPUs: Resources (Slurm job 42)")
        );
        assert_eq!(
            waiting_message("42", &pending("Resources"), false).as_deref(),
            Some("waiting in Slurm's queue: Resources (Slurm job 42)")
        );
    }

    #[test]
    fn other_reasons_are_slurms_own_words() {
        assert_eq!(
            waiting_message("7", &pending("Priority"), true).as_deref(),
            Some("waiting in Slurm's queue: Priority (Slurm job 7)")
        );
        assert_eq!(
            waiting_message("7", &pending("None"), true).as_deref(),
            Some("waiting in Slurm's queue (Slurm job 7)")
        );
        let running = JobState {
            state: "RUNNING".to_string(),
            reason: "None".to_string(),
        };
        assert_eq!(waiting_message("7", &running, true), None);
    }

    #[tokio::test]
    async fn each_change_is_told_once() {
        let (notes, mut heard) = SchedulerNotes::channel();
        let spec = JobSpec {
            gpus: GpuAssignment::Count(2),
            scheduler: notes,
            ..JobSpec::default()
        };
        let watch = Watch::new("42", &spec);
        watch.saw(&pending("None"), None);
        watch.saw(&pending("Resources"), None);
        watch.saw(&pending("Resources"), None);
        let running = JobState {
            state: "RUNNING".to_string(),
            reason: "None".to_string(),
        };
        watch.saw(&running, Some("vm"));
        drop(watch);
        drop(spec);
        let mut told = Vec::new();
        while let Some(note) = heard.recv().await {
            told.push((note.state, note.reason, note.node, note.message));
        }
        assert_eq!(
            told,
            [
                (
                    "PENDING".to_string(),
                    "None".to_string(),
                    None,
                    Some("waiting in Slurm's queue (Slurm job 42)".to_string())
                ),
                (
                    "PENDING".to_string(),
                    "Resources".to_string(),
                    None,
                    Some("waiting for GPUs: Resources (Slurm job 42)".to_string())
                ),
                ("RUNNING".to_string(), "None".to_string(), Some("vm".to_string()), None),
            ]
        );
    }
}
