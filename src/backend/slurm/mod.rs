//! The Slurm backend: each job leg becomes one Slurm job. The job runs
//! `mlci slurm-agent DIR` on the node Slurm allocates; the agent runs the
//! steps this process hands it through DIR, as the node's own processes
//! (the host backend) or, for a `container:` job, in a container of the
//! node's Docker Engine. Steps keep mlci's own step engine (file commands,
//! masking, timeouts) and see the GPUs Slurm leased (`CUDA_VISIBLE_DEVICES`,
//! `MLCI_GPU_IDS`).

pub mod agent;
mod control;
mod job;
pub mod orphans;
mod placement;
pub mod protocol;
mod watch;

pub use control::{partitions_blocking as cluster_partitions, JobState};
pub use placement::{Placement, KEYS as PLACEMENT_KEYS};

use crate::backend::{Backend, BackendError, JobEnv, JobSpec};
use async_trait::async_trait;
use control::Submission;
use job::SlurmJob;
use protocol::{JobDir, NodeJob, Ready, POLL};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How often Slurm is asked about a job while mlci waits on it (each ask
/// is a call to slurmctld, which a busy cluster feels).
const STATE_EVERY: Duration = Duration::from_secs(2);

/// Submits job legs to Slurm.
#[derive(Clone, Debug)]
pub struct SlurmBackend {
    /// The `mlci` binary the agent runs as: it must be at this path on the
    /// nodes too (a shared filesystem, or the same install everywhere).
    agent: PathBuf,
    placement: Placement,
    /// Cancelling stops waiting for a job that Slurm has not started yet.
    cancel: CancellationToken,
}

impl SlurmBackend {
    pub fn new(agent: PathBuf, placement: Placement, cancel: CancellationToken) -> SlurmBackend {
        SlurmBackend {
            agent,
            placement,
            cancel,
        }
    }

    /// This backend for the legs of one label: its placement over this
    /// one's, waits cancelled by `cancel` (the run's).
    pub fn placed(&self, placement: &Placement, cancel: CancellationToken) -> SlurmBackend {
        SlurmBackend {
            agent: self.agent.clone(),
            placement: placement.over(&self.placement),
            cancel,
        }
    }
}

#[async_trait]
impl Backend for SlurmBackend {
    fn name(&self) -> &'static str {
        "slurm"
    }

    /// Steps run as the node's processes unless the job has a `container:`.
    fn runs_steps_on_host(&self, spec: &JobSpec) -> bool {
        spec.image.is_empty()
    }

    fn runs_containers(&self) -> bool {
        true
    }

    fn schedules_gpus(&self) -> bool {
        true
    }

    async fn start_job(&self, spec: &JobSpec) -> Result<Box<dyn JobEnv>, BackendError> {
        if !spec.services.is_empty() && spec.image.is_empty() {
            return Err(BackendError::Other(format!(
                "job `{}` has services, which on Slurm need a `container:` for the job (they run on the node's \
                 Docker Engine beside it)",
                spec.leg_name
            )));
        }
        // The attempt's folder is in the store, which the nodes must share.
        let root = spec.workspace.parent().unwrap_or(&spec.workspace).join("slurm");
        let dir = JobDir::new(root);
        let failed = |what: &str, e: std::io::Error| BackendError::Other(format!("failed to {what}: {e}"));
        dir.create().map_err(|e| failed("create the Slurm job's folder", e))?;
        let job = serde_json::to_vec(&node_job(spec))
            .map_err(|e| BackendError::Other(format!("failed to encode the Slurm job: {e}")))?;
        std::fs::write(dir.job(), job).map_err(|e| failed("write the Slurm job's description", e))?;
        let script = format!(
            "#!/bin/sh\n# Written by mlci: the agent runs this leg's steps on the node.\nexec '{}' slurm-agent '{}'\n",
            self.agent.display(),
            dir.root.display(),
        );
        std::fs::write(dir.script(), script).map_err(|e| failed("write the Slurm batch script", e))?;
        let submission = Submission {
            job_name: spec.leg_name.clone(),
            gpus: spec.gpus.clone(),
            time_minutes: self.placement.time_minutes(spec.time_limit_minutes),
            placement: self.placement.clone(),
        };
        let id = control::submit(&submission, &dir.root, &dir.slurm_output(), &dir.script()).await?;
        tracing::info!(slurm_job = %id, leg = %spec.leg_name, "submitted as Slurm job {id}");
        let mut job = SlurmJob::new(id, dir, spec);
        match self.wait_until_ready(&job).await {
            Ok(ready) => {
                job.watch.saw(&JobState::running(), Some(&ready.node));
                job.started(ready);
                Ok(Box::new(job))
            }
            Err(e) => {
                job.cancel_now().await;
                Err(e)
            }
        }
    }
}

/// What the agent starts on the node. The GPUs are not in it: Slurm
/// leases them (`--gres`), and the agent reads them on the node.
fn node_job(spec: &JobSpec) -> NodeJob {
    NodeJob {
        run_id: spec.run_id.clone(),
        job_id: spec.job_id.clone(),
        leg_name: spec.leg_name.clone(),
        attempt: spec.attempt,
        image: spec.image.clone(),
        job_container: spec.job_container,
        workspace: spec.workspace.clone(),
        temp: spec.temp.clone(),
        container: spec.container.clone(),
        services: spec.services.clone(),
    }
}

impl SlurmBackend {
    /// Waits for the agent to start on its node, or for the job to end
    /// first (then the error says how Slurm ended it).
    async fn wait_until_ready(&self, job: &SlurmJob) -> Result<Ready, BackendError> {
        let mut asked: Option<Instant> = None;
        loop {
            if let Ok(text) = std::fs::read_to_string(job.dir.ready()) {
                return serde_json::from_str(&text)
                    .map_err(|e| BackendError::Other(format!("the agent's `ready` file is not valid: {e}")));
            }
            if asked.is_none_or(|at| at.elapsed() >= STATE_EVERY) {
                asked = Some(Instant::now());
                match control::state(&job.id).await? {
                    Some(state) if state.ended() => return Err(self.ended_early(job, &state)),
                    Some(state) => job.watch.saw(&state, None),
                    None => {
                        return Err(BackendError::Other(format!(
                            "Slurm job {} vanished before it started",
                            job.id
                        )))
                    }
                }
            }
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                () = self.cancel.cancelled() => {
                    return Err(BackendError::Other(format!(
                        "cancelled while Slurm job {} waited to start",
                        job.id
                    )))
                }
            }
        }
    }

    fn ended_early(&self, job: &SlurmJob, state: &JobState) -> BackendError {
        let mut message = control::ended_reason(&job.id, state);
        // What the batch script printed says why the agent did not start.
        if let Ok(output) = std::fs::read_to_string(job.dir.slurm_output()) {
            let tail: Vec<&str> = output.lines().rev().take(5).collect();
            if !tail.is_empty() {
                message.push_str("; its output ends with:");
                for line in tail.into_iter().rev() {
                    message.push_str("\n  ");
                    message.push_str(line);
                }
            }
        }
        BackendError::Other(message)
    }
}
