//! One leg's Slurm job, once its agent runs: each step is a request file
//! for the agent, and its output file is read back as it grows.

use super::control::{self, ended_reason};
use super::protocol::{write_whole, JobDir, Ready, Request, HEARTBEAT, POLL};
use super::watch::Watch;
use super::STATE_EVERY;
use crate::backend::lines::LineSplitter;
use crate::backend::{host, BackendError, ExecSpec, ImageStepSpec, JobEnv, JobSpec, LineSink, StopSignal};
use async_trait::async_trait;
use serde_json::{Map, Value};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long the agent gets to clean up and end the job after `done`
/// before the job is cancelled.
const END_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct SlurmJob {
    pub id: String,
    pub dir: JobDir,
    ready: Ready,
    next_step: AtomicU64,
    next_signal: AtomicU64,
    removed: AtomicBool,
    /// Raises `alive` while this job is watched.
    heartbeat: tokio::task::JoinHandle<()>,
    /// Tells the run the job's state as it changes.
    pub watch: Watch,
}

impl SlurmJob {
    pub fn new(id: String, dir: JobDir, spec: &JobSpec) -> SlurmJob {
        let dir_alive = dir.alive();
        SlurmJob {
            watch: Watch::new(&id, spec),
            id,
            dir,
            ready: Ready::default(),
            next_step: AtomicU64::new(0),
            next_signal: AtomicU64::new(0),
            removed: AtomicBool::new(false),
            heartbeat: tokio::spawn(heartbeat(dir_alive)),
        }
    }

    pub fn started(&mut self, ready: Ready) {
        self.ready = ready;
    }

    /// Cancels the job and waits until Slurm says it ended.
    pub async fn cancel_now(&self) {
        self.removed.store(true, Ordering::SeqCst);
        self.heartbeat.abort();
        if let Err(e) = control::cancel(&self.id).await {
            tracing::warn!(slurm_job = %self.id, "failed to cancel: {e}");
        }
        self.wait_ended(END_WAIT * 3).await;
    }

    /// Waits up to `limit` for the job to end; whether it did.
    async fn wait_ended(&self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            match control::state(&self.id).await {
                Ok(Some(state)) if !state.ended() => {}
                Ok(state) => {
                    if let Some(state) = state {
                        self.watch.saw(&state, None);
                    }
                    return true;
                }
                Err(e) => {
                    tracing::warn!(slurm_job = %self.id, "failed to ask Slurm about the job: {e}");
                    return false;
                }
            }
            tokio::time::sleep(POLL * 2).await;
        }
        false
    }

    /// The job's end, as an error, if Slurm ended it. Any change of its
    /// state meanwhile (`SUSPENDED`, back to `RUNNING`) is told to the run.
    async fn check_alive(&self) -> Result<(), BackendError> {
        let state = control::state(&self.id).await?;
        if let Some(state) = &state {
            self.watch.saw(state, None);
        }
        match state {
            Some(state) if state.ended() => Err(BackendError::Other(ended_reason(&self.id, &state))),
            Some(_) => Ok(()),
            None => Err(BackendError::Other(format!("Slurm job {} vanished", self.id))),
        }
    }

    /// A step that failed may have been killed by Slurm ending the job
    /// (`scancel`, a time limit): its exit code (143) races Slurm's state.
    /// The job's end, as an error, when Slurm is ending it; the step's code
    /// otherwise.
    async fn step_ended(&self, code: i64) -> Result<i64, BackendError> {
        if code == 0 {
            return Ok(code);
        }
        let start = Instant::now();
        loop {
            match control::state(&self.id).await? {
                Some(state) if state.ended() => return Err(BackendError::Other(ended_reason(&self.id, &state))),
                // Being killed: its end state follows within Slurm's KillWait.
                Some(state) if state.state == "COMPLETING" && start.elapsed() < END_WAIT => {}
                _ => return Ok(code),
            }
            tokio::time::sleep(POLL * 2).await;
        }
    }
}

/// Raises the counter in `alive` every [`HEARTBEAT`] until aborted.
async fn heartbeat(path: PathBuf) {
    let mut beat: u64 = 0;
    loop {
        beat += 1;
        if let Err(e) = write_whole(&path, beat.to_string().as_bytes()) {
            tracing::warn!("failed to write the Slurm job's heartbeat {}: {e}", path.display());
        }
        tokio::time::sleep(HEARTBEAT).await;
    }
}

/// Reads a growing output file from where it was read up to.
struct Tail {
    path: PathBuf,
    read: u64,
    lines: LineSplitter,
}

impl Tail {
    fn read_new(&mut self, sink: &mut dyn LineSink) -> std::io::Result<()> {
        let mut file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        file.seek(SeekFrom::Start(self.read))?;
        let mut data = Vec::new();
        file.read_to_end(&mut data)?;
        if !data.is_empty() {
            self.read += data.len() as u64;
            self.lines.push(&data, sink);
            sink.flush();
        }
        Ok(())
    }
}

fn read_exit(path: &Path) -> Option<Result<i64, BackendError>> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    // The agent writes `error: …` when it could not run the step at all.
    if let Some(message) = text.strip_prefix("error: ") {
        return Some(Err(BackendError::Other(message.to_string())));
    }
    Some(
        text.parse()
            .map_err(|_| BackendError::Other(format!("the agent wrote `{text}` as a step's exit code"))),
    )
}

impl SlurmJob {
    /// Whether steps run in a job container on the node (its files are the
    /// container's, reached through the agent).
    fn in_container(&self) -> bool {
        self.ready.in_container
    }

    /// Hands `request` to the agent and streams its output into `sink`
    /// until its exit code comes back.
    async fn request(&self, request: &Request, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        let number = self.next_step.fetch_add(1, Ordering::SeqCst);
        let json = serde_json::to_vec(request)
            .map_err(|e| BackendError::Other(format!("failed to encode a request for the agent: {e}")))?;
        write_whole(&self.dir.request(number), &json)
            .map_err(|e| BackendError::Other(format!("failed to hand a step to Slurm job {}: {e}", self.id)))?;
        let mut tail = Tail {
            path: self.dir.output(number),
            read: 0,
            lines: LineSplitter::default(),
        };
        let failed_read = |e: std::io::Error| BackendError::Other(format!("failed to read a step's output: {e}"));
        let mut asked = Instant::now();
        loop {
            // The exit code is written after the last output: look first.
            let exit = read_exit(&self.dir.exit(number));
            tail.read_new(sink).map_err(failed_read)?;
            if let Some(code) = exit {
                tail.lines.finish(sink);
                sink.flush();
                return code;
            }
            if asked.elapsed() >= STATE_EVERY {
                asked = Instant::now();
                self.check_alive().await?;
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// Output of requests that print nothing worth showing (copies).
struct Ignored;

impl LineSink for Ignored {
    fn line(&mut self, _line: &str) {}
}

// `home`, `copy_out` and `copy_in` of a job on the node's own processes
// are this machine's files: right on a one-node cluster; on a larger one
// only for paths on a filesystem every node shares (docs/scale-out.md).
// A job container's files are reached through the agent.
#[async_trait]
impl JobEnv for SlurmJob {
    // The agent reports both (the shared folders, or their mounts in the
    // job container) before this job is handed to the run.
    fn workspace(&self) -> String {
        self.ready.workspace.clone()
    }

    fn temp(&self) -> String {
        self.ready.temp.clone()
    }

    fn container_context(&self) -> Map<String, Value> {
        self.ready.container.clone()
    }

    fn services_context(&self) -> Map<String, Value> {
        self.ready.services.clone()
    }

    fn notes(&self) -> Vec<String> {
        let gpus = match self.ready.gpus.as_str() {
            "" => String::new(),
            ids => format!(" with GPUs {ids}"),
        };
        let container = match self.in_container() {
            true => " in a container of its Docker Engine",
            false => "",
        };
        vec![format!(
            "submitted as Slurm job {}; running on node {}{gpus}{container}",
            self.id, self.ready.node
        )]
    }

    async fn exec(&self, spec: &ExecSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        let code = self.request(&Request::Exec(spec.clone()), sink).await?;
        self.step_ended(code).await
    }

    async fn run_image(&self, spec: &ImageStepSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        if !self.in_container() {
            return Err(BackendError::Other(
                "`docker://` steps and Docker actions on Slurm need a job with a `container:` (they run on the \
                 node's Docker Engine beside it); this job runs as the node's own processes"
                    .to_string(),
            ));
        }
        let code = self.request(&Request::Image(spec.clone()), sink).await?;
        self.step_ended(code).await
    }

    async fn build_image(
        &self,
        context: &Path,
        dockerfile: &str,
        tag: &str,
        sink: &mut dyn LineSink,
    ) -> Result<(), BackendError> {
        if !self.in_container() {
            return Err(BackendError::Other(
                "Docker actions on Slurm need a job with a `container:` (they are built and run on the node's \
                 Docker Engine); this job runs as the node's own processes"
                    .to_string(),
            ));
        }
        let request = Request::Build {
            context: context.to_path_buf(),
            dockerfile: dockerfile.to_string(),
            tag: tag.to_string(),
        };
        match self.request(&request, sink).await? {
            0 => Ok(()),
            code => Err(BackendError::Other(format!(
                "building `{tag}` on the node ended with {code}"
            ))),
        }
    }

    async fn home(&self) -> Result<String, BackendError> {
        match (&self.ready.home, self.in_container()) {
            (Some(home), _) => Ok(home.clone()),
            (None, false) => host::copy::home(),
            (None, true) => Err(BackendError::Other(format!(
                "the agent of Slurm job {} could not tell the job container's home folder",
                self.id
            ))),
        }
    }

    async fn copy_out(&self, path: &str, into: &Path) -> Result<bool, BackendError> {
        if !self.in_container() {
            return host::copy::copy_out_of_job(path, into).await;
        }
        let request = Request::CopyOut {
            path: path.to_string(),
            into: into.to_path_buf(),
        };
        Ok(self.request(&request, &mut Ignored).await? == 0)
    }

    async fn copy_in(&self, from: &Path, dir: &str) -> Result<(), BackendError> {
        if !self.in_container() {
            return host::copy::copy_into_job(from, dir).await;
        }
        let request = Request::CopyIn {
            from: from.to_path_buf(),
            dir: dir.to_string(),
        };
        self.request(&request, &mut Ignored).await.map(drop)
    }

    async fn stop_steps(&self, signal: StopSignal) {
        let word = match signal {
            StopSignal::Terminate => "term",
            StopSignal::Kill => "kill",
        };
        let number = self.next_signal.fetch_add(1, Ordering::SeqCst);
        if let Err(e) = write_whole(&self.dir.signals().join(number.to_string()), word.as_bytes()) {
            tracing::warn!(slurm_job = %self.id, "failed to signal the steps: {e}; cancelling the job");
            let _ = control::cancel(&self.id).await;
        }
    }

    async fn remove(&self) -> Result<(), BackendError> {
        if self.removed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let _ = write_whole(&self.dir.done(), b"");
        self.heartbeat.abort();
        if self.wait_ended(END_WAIT).await {
            return Ok(());
        }
        // The agent did not end the job: SIGTERM, KillWait, then SIGKILL.
        control::cancel(&self.id).await?;
        if self.wait_ended(END_WAIT * 3).await {
            Ok(())
        } else {
            Err(BackendError::Other(format!(
                "Slurm job {} did not end after scancel",
                self.id
            )))
        }
    }
}

impl Drop for SlurmJob {
    /// A job whose environment was dropped without `remove` (a panic, an
    /// aborted task) must not keep its GPUs: cancel it.
    fn drop(&mut self) {
        self.heartbeat.abort();
        if !self.removed.load(Ordering::SeqCst) {
            let _ = std::process::Command::new("scancel")
                .arg(&self.id)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}
