//! What every job and step of one run shares: the settings it was started
//! with, the event sink, the masker, the backends, GPUs and cancellation.

use super::concurrency::ConcurrencyGroups;
use super::gpu::GpuPool;
use super::mask::Masker;
use crate::actions::settings::ActionSettings;
use crate::backend::options::policy::ContainerPolicy;
use crate::backend::slurm::SlurmBackend;
use crate::backend::Backend;
use crate::model::Workflow;
use crate::plan::LabelMap;
use crate::report::events::{JobKey, LineKind, RunEvent};
use crate::report::EventSender;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// How `mlci run` was asked to run.
#[derive(Clone)]
pub struct RunSettings {
    pub run_id: i64,
    /// Per-job workspaces and temp directories go under here.
    pub work_dir: PathBuf,
    /// Jobs at once across the run.
    pub max_parallel: usize,
    pub labels: LabelMap,
    /// `--backend host`: every job runs on the host.
    pub force_host: bool,
    /// `--secret`, `--secret-file`: the `secrets` context, masked everywhere.
    pub secrets: Vec<(String, String)>,
    /// SIGTERM → SIGKILL grace period for stopped steps.
    pub grace: Duration,
    /// `github`, `inputs`, `vars`, as planned.
    pub contexts: Map<String, Value>,
    /// `--env NAME=VALUE`: added to the workflow's `env`.
    pub extra_env: Vec<(String, String)>,
    /// Run only this job and the jobs it needs.
    pub only_job: Option<String>,
    /// The store directory: artifacts, baselines and the cache live there.
    pub store_dir: PathBuf,
    /// The repository the run is for (what `actions/checkout` checks out).
    pub repository: Option<PathBuf>,
    /// The repository's default branch: the gate's default baseline.
    pub default_branch: Option<String>,
    /// `mlci rerun --failed`: jobs that succeeded in the earlier run, with
    /// their outputs; they are not run again.
    pub reused: HashMap<String, Map<String, Value>>,
    /// Earlier runs whose artifacts this run may download (a rerun's chain).
    pub earlier_runs: Vec<i64>,
    /// The runner's `job_timeout`: a ceiling on every job's `timeout-minutes`.
    pub max_job_minutes: Option<f64>,
    /// Where published actions come from and are cached.
    pub actions: ActionSettings,
    /// The daemon's rules for job containers (refused options, limits);
    /// None for `mlci run`, where the machine is the user's own.
    pub container_policy: Option<ContainerPolicy>,
}

impl RunSettings {
    /// `<store>/runs/<id>`: where a run's artifacts are kept.
    pub fn run_dir(&self, run_id: i64) -> PathBuf {
        crate::store::run_dir(&self.store_dir, run_id)
    }
}

/// The backends a run may use. Docker is absent with `--backend host` or
/// when no job needs it; Slurm is there with `--backend slurm` or a label
/// mapped to Slurm.
#[derive(Clone)]
pub struct Backends {
    pub docker: Option<Arc<dyn Backend>>,
    pub host: Arc<dyn Backend>,
    /// What each Slurm-mapped label's legs are submitted through, with the
    /// label's placement over this one's.
    pub slurm: Option<SlurmBackend>,
}

/// Ctrl-C: the first cancels gracefully (SIGTERM, then SIGKILL after the
/// grace period), the second kills at once.
#[derive(Clone, Default)]
pub struct Cancel {
    pub graceful: CancellationToken,
    pub kill: CancellationToken,
}

pub struct RunShared {
    pub workflow: Arc<Workflow>,
    pub settings: RunSettings,
    pub backends: Backends,
    /// To the reporter thread: never blocks.
    pub events: EventSender,
    pub masker: RwLock<Masker>,
    pub gpus: GpuPool,
    pub slots: Arc<Semaphore>,
    /// Job-level `concurrency:` groups: the run's own, or the daemon's.
    pub groups: ConcurrencyGroups,
    pub cancel: Cancel,
}

impl RunShared {
    /// Sends an event to the reporters, every text in it masked: a secret
    /// in a step's name, a reason or an output never reaches a sink.
    pub fn emit(&self, mut event: RunEvent) {
        if let Ok(masker) = self.masker.read() {
            if !masker.is_empty() {
                event.map_text(&|text| masker.mask(text).into_owned());
            }
        }
        self.events.send(event);
    }

    /// A message from mlci about a job (or one of its steps), masked.
    pub fn say(&self, job: &JobKey, step: Option<usize>, kind: LineKind, text: &str) {
        let job = Arc::new(job.clone());
        for line in text.lines() {
            let line = self.mask(line);
            self.emit(RunEvent::Output {
                job: job.clone(),
                step,
                kind,
                line,
            });
        }
    }

    pub fn mask(&self, text: &str) -> String {
        match self.masker.read() {
            Ok(masker) => masker.mask(text).into_owned(),
            // A poisoned lock means a panic elsewhere; hide everything rather
            // than risk showing a secret.
            Err(_) => "***".to_string(),
        }
    }

    pub fn add_mask(&self, value: &str) {
        if let Ok(mut masker) = self.masker.write() {
            masker.add(value);
        }
    }
}
