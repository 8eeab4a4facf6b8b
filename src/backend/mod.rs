//! Where a job runs. A [`Backend`] starts a job's environment (a container
//! with its network and services, or a directory on the host); the
//! [`JobEnv`] it returns runs the job's steps and is removed at the end.
//!
//! The engine owns the semantics (env, shells, file commands, timeouts);
//! backends only start processes, stream their output and clean up.

pub mod docker;
pub mod host;
pub mod lines;
pub mod options;
pub mod scheduler;
pub mod slurm;

pub use crate::plan::GpuRequest;
use async_trait::async_trait;
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};

/// Everything a backend needs to start one attempt of one job leg.
#[derive(Clone, Debug, Default)]
pub struct JobSpec {
    /// Labels every container and network with `mlci.run=<run_id>`.
    pub run_id: String,
    pub job_id: String,
    /// The leg's display name, for container names and messages.
    pub leg_name: String,
    pub attempt: u32,
    /// The image of the job container (ignored by the host backend).
    pub image: String,
    /// Whether the job has its own `container:` (its default shell is `sh`).
    pub job_container: bool,
    /// Host directory mounted as the workspace (`GITHUB_WORKSPACE`).
    pub workspace: PathBuf,
    /// Host directory for scripts and file commands (`RUNNER_TEMP`).
    pub temp: PathBuf,
    /// `container.env`, `container.options` and the rest, already parsed.
    pub container: ContainerConfig,
    /// `services:`, each started before the job container.
    pub services: Vec<ServiceSpec>,
    /// The GPUs leased to this job.
    pub gpus: GpuAssignment,
    /// The job's `timeout-minutes` (or the runner's `job_timeout`) when one
    /// is set, for backends whose scheduler enforces a limit of its own
    /// (Slurm's `--time`); None when only GitHub's default applies.
    pub time_limit_minutes: Option<u64>,
    /// Where a scheduler's backend (Slurm) says its job's id and state.
    pub scheduler: scheduler::SchedulerNotes,
}

/// The parts of `docker run` that a job or service container can set,
/// from `container:` keys and `container.options` (Docker CLI forms).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContainerConfig {
    pub env: Vec<(String, String)>,
    /// `-v`/`volumes`: `SOURCE:TARGET[:ro]`, as Docker takes them.
    pub volumes: Vec<String>,
    /// `ports`: `CONTAINER`, `HOST:CONTAINER`, with an optional `/proto`.
    pub ports: Vec<String>,
    pub shm_size: Option<i64>,
    pub ipc: Option<String>,
    pub ulimits: Vec<Ulimit>,
    /// `--cpus` in units of 1e-9 CPUs, as the API takes it.
    pub nano_cpus: Option<i64>,
    pub memory: Option<i64>,
    /// Docker's `PidsLimit`: set by the daemon's `limits:`, not by options.
    pub pids_limit: Option<i64>,
    pub devices: Vec<DeviceMapping>,
    pub user: Option<String>,
    pub network: Option<String>,
    pub privileged: bool,
    /// The `--gpus` request written in the options, if any; the scheduler
    /// turns it into a [`GpuAssignment`].
    pub gpus: Option<GpuRequest>,
    pub workdir: Option<String>,
    pub hostname: Option<String>,
    /// `--health-*` options (services use them to say when they are ready).
    pub healthcheck: Option<Healthcheck>,
}

/// A container's health check, as `docker run --health-*` sets it. Durations
/// are in nanoseconds, as the API takes them; `None` keeps the image's value.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Healthcheck {
    /// `["CMD-SHELL", cmd]` from `--health-cmd`, `["NONE"]` from
    /// `--no-healthcheck`, empty to keep the image's command.
    pub test: Vec<String>,
    pub interval: Option<i64>,
    pub timeout: Option<i64>,
    pub start_period: Option<i64>,
    pub start_interval: Option<i64>,
    pub retries: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceMapping {
    pub host: String,
    pub container: String,
    pub permissions: String,
}

/// What the job gets: nothing, specific devices leased from the inventory,
/// or (with no inventory configured) a count request passed through.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GpuAssignment {
    #[default]
    None,
    /// Device indexes or UUIDs: `device_ids` in the device request.
    Devices(Vec<String>),
    /// No inventory: `count` in the device request (-1 for all).
    Count(i64),
}

impl GpuAssignment {
    /// The device ids, for `MLCI_GPU_IDS` and `CUDA_VISIBLE_DEVICES`.
    pub fn ids(&self) -> Vec<String> {
        match self {
            GpuAssignment::Devices(ids) => ids.clone(),
            _ => Vec::new(),
        }
    }
}

/// One `services:` entry.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ServiceSpec {
    /// The service id: also its host name on the job network.
    pub id: String,
    pub image: String,
    pub config: ContainerConfig,
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<String>,
}

/// A step's process.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ExecSpec {
    /// The program and its arguments (`bash -e /path/script.sh`), with
    /// paths as the step sees them.
    pub argv: Vec<String>,
    /// The step's whole environment (the engine has merged every level).
    pub env: Vec<(String, String)>,
    /// The directory the step starts in, as the step sees it.
    pub working_directory: String,
    /// The program writes its own pid to the file `MLCI_PID_FILE` names
    /// (mlci's node preload does), so a backend that must record the pid
    /// runs it as it is, with no `sh` in front: a shell would drop the
    /// variables whose names are not shell names (`INPUT_GITHUB-TOKEN`).
    pub records_pid: bool,
}

/// A `uses: docker://IMAGE` step or a Docker action: a sibling container
/// sharing the workspace, the temp folder and the job's network.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ImageStepSpec {
    pub image: String,
    /// `with.args` split as a shell would, or the action's `args`.
    pub args: Vec<String>,
    /// `with.entrypoint`, or the action's.
    pub entrypoint: Option<String>,
    pub env: Vec<(String, String)>,
    /// The job's GPU lease.
    pub gpus: GpuAssignment,
    /// The job container's memory and pids limits, which its step
    /// containers share (the daemon's `limits:`, or `--memory`).
    pub memory: Option<i64>,
    pub pids_limit: Option<i64>,
}

/// Where step output goes, one line at a time (without its newline).
pub trait LineSink: Send {
    fn line(&mut self, line: &str);

    /// Called after each chunk of output the backend read, so a sink may
    /// batch the lines of one chunk (a step can print millions of them).
    fn flush(&mut self) {}
}

/// How hard to stop the running steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGTERM to each step's process group: a chance to save a checkpoint.
    Terminate,
    /// SIGKILL.
    Kill,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendError {
    /// The Docker Engine does not answer; the text names the socket or
    /// `DOCKER_HOST` that was tried.
    Unreachable(String),
    /// The image is not there and could not be pulled; the text says how to
    /// build the runner images.
    ImageMissing(String),
    Other(String),
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            BackendError::Unreachable(m) | BackendError::ImageMissing(m) | BackendError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for BackendError {}

#[async_trait]
pub trait Backend: Send + Sync {
    /// `docker` or `host`, as shown in the log.
    fn name(&self) -> &'static str;

    /// Whether the steps of a job with this spec run as processes on a
    /// machine rather than in a container (the host's environment and
    /// `node` are theirs).
    fn runs_steps_on_host(&self, _spec: &JobSpec) -> bool {
        false
    }

    /// Whether jobs with a `container:` can run here.
    fn runs_containers(&self) -> bool {
        true
    }

    /// Whether the backend's scheduler leases the GPUs (Slurm's `--gres`),
    /// so mlci's own pool must not.
    fn schedules_gpus(&self) -> bool {
        false
    }

    /// Starts the job's environment: network, services, job container.
    async fn start_job(&self, spec: &JobSpec) -> Result<Box<dyn JobEnv>, BackendError>;
}

#[async_trait]
pub trait JobEnv: Send + Sync {
    /// `GITHUB_WORKSPACE` as steps see it.
    fn workspace(&self) -> String;

    /// `RUNNER_TEMP` as steps see it (the spec's `temp` directory).
    fn temp(&self) -> String;

    /// Lines for the job's log once it started (where it runs, the Slurm
    /// job id).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }

    /// The `job.container` context: `{id, network}` (empty on the host).
    fn container_context(&self) -> Map<String, Value>;

    /// The `job.services` context: `{<id>: {id, network, ports}}`.
    fn services_context(&self) -> Map<String, Value>;

    /// Runs a step's process to its end and returns its exit code. Output
    /// (stdout and stderr together, in order) goes to `sink` line by line
    /// as it comes.
    async fn exec(&self, spec: &ExecSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError>;

    /// Runs a `docker://` step or a Docker action. The host backend refuses it.
    async fn run_image(&self, spec: &ImageStepSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError>;

    /// Builds the image of a Docker action from `context` (its folder, with
    /// its Dockerfile at `dockerfile` inside it) as `tag`, unless an image
    /// with that tag exists. Output goes to `sink`. The host backend refuses it.
    async fn build_image(
        &self,
        context: &Path,
        dockerfile: &str,
        tag: &str,
        sink: &mut dyn LineSink,
    ) -> Result<(), BackendError>;

    /// Signals the process groups of the steps running now; `exec` then
    /// returns with their exit code.
    async fn stop_steps(&self, signal: StopSignal);

    /// Removes everything the job created (containers, network, services).
    /// Safe to call more than once.
    async fn remove(&self) -> Result<(), BackendError>;

    /// The home folder of the job's user as steps see it (what `~` means in
    /// a `with:` path): the container user's, or (by default, for the
    /// backends whose steps see this machine's files) the host's.
    async fn home(&self) -> Result<String, BackendError> {
        host::copy::home()
    }

    /// Copies the job's own file or folder `path` (as steps see it, outside
    /// the mounted folders) into the host folder `into`, as `into/<name>`.
    /// Links are copied as links, never followed on the host. Ok(false)
    /// when nothing is at `path`. Docker reads it through the archive API.
    async fn copy_out(&self, path: &str, into: &Path) -> Result<bool, BackendError> {
        host::copy::copy_out_of_job(path, into).await
    }

    /// Copies what is in the host folder `from` into the job's folder `dir`
    /// (as steps see it; created with its parents when missing), replacing
    /// files of the same names. Docker writes it through the archive API.
    async fn copy_in(&self, from: &Path, dir: &str) -> Result<(), BackendError> {
        host::copy::copy_into_job(from, dir).await
    }
}
