//! The host backend: a job's steps run as processes on this machine, in
//! the job's workspace directory, without a container. Each step runs in
//! its own process group so that stopping it also stops what it started.
//! What left the group (`setsid`, a double fork) is found at the job's end
//! through the job's own cgroup, where mlci can make one, and through the
//! job's mark, which every process of the job carries in its environment.

mod cgroup;
pub(crate) mod copy;
mod leftovers;
mod output;

use crate::backend::lines::LineSplitter;
use crate::backend::{Backend, BackendError, ExecSpec, ImageStepSpec, JobEnv, JobSpec, LineSink, StopSignal};
use async_trait::async_trait;
use cgroup::JobCgroup;
use output::Reader;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::process::Command;

/// How long output is still read after a step's process exits, for what a
/// background process it started writes (and what is still in flight).
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(100);

/// Runs jobs on the host.
#[derive(Clone, Debug, Default)]
pub struct HostBackend;

impl HostBackend {
    pub fn new() -> HostBackend {
        HostBackend
    }
}

#[async_trait]
impl Backend for HostBackend {
    fn name(&self) -> &'static str {
        "host"
    }

    fn runs_steps_on_host(&self, _spec: &JobSpec) -> bool {
        true
    }

    fn runs_containers(&self) -> bool {
        false
    }

    async fn start_job(&self, spec: &JobSpec) -> Result<Box<dyn JobEnv>, BackendError> {
        if !spec.services.is_empty() {
            return Err(BackendError::Other(format!(
                "job `{}` has services; services need the docker backend",
                spec.leg_name
            )));
        }
        // GPUs need nothing here: the engine sets CUDA_VISIBLE_DEVICES.
        for (what, dir) in [("workspace", &spec.workspace), ("temp directory", &spec.temp)] {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| BackendError::Other(format!("failed to create the {what} {}: {e}", dir.display())))?;
        }
        let mark = leftovers::new_mark();
        Ok(Box::new(HostJob {
            workspace: spec.workspace.clone(),
            temp: spec.temp.clone(),
            groups: Mutex::new(Groups::default()),
            cgroup: JobCgroup::create(&mark).map(Arc::new),
            mark,
        }))
    }
}

/// One job on the host.
#[derive(Debug)]
pub struct HostJob {
    workspace: PathBuf,
    temp: PathBuf,
    groups: Mutex<Groups>,
    /// [`leftovers::JOB_MARK`] of every process the job starts.
    mark: String,
    /// The cgroup every step joins, where this machine lets mlci make one.
    cgroup: Option<Arc<JobCgroup>>,
}

/// The process groups of the job's steps (a group's id is its step's pid).
#[derive(Debug, Default)]
struct Groups {
    /// Steps running now: what [`JobEnv::stop_steps`] signals.
    running: HashSet<i32>,
    /// Finished steps whose group still had processes in it (`server &`):
    /// what [`JobEnv::remove`] kills. While a group has a process its id
    /// cannot be given to a new process; only if all of them end by
    /// themselves before `remove` could the id be reused by someone else.
    leftover: HashSet<i32>,
}

impl HostJob {
    fn groups(&self) -> MutexGuard<'_, Groups> {
        // The sets stay consistent whatever panicked while they were held.
        self.groups.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn spawn(&self, spec: &ExecSpec) -> Result<(tokio::process::Child, Reader), BackendError> {
        let Some((program, args)) = spec.argv.split_first() else {
            return Err(BackendError::Other("a step has no command to run".to_string()));
        };
        let directory = match spec.working_directory.as_str() {
            "" => self.workspace.as_path(),
            dir => Path::new(dir),
        };
        if !directory.is_dir() {
            return Err(BackendError::Other(format!(
                "failed to start `{program}`: the working directory {} does not exist",
                directory.display()
            )));
        }
        let failed = |e: std::io::Error| BackendError::Other(format!("failed to start `{program}`: {e}"));
        let (read, write) = output::pipe().map_err(failed)?;
        // The command holds the parent's copies of the write end; it is
        // dropped at the end of this block so that only the step holds it.
        let child = {
            let mut command = Command::new(program);
            command
                .args(args)
                .env_clear()
                .envs(spec.env.iter().map(|(k, v)| (k, v)))
                .env(leftovers::JOB_MARK, &self.mark)
                .current_dir(directory)
                .process_group(0)
                .stdin(Stdio::null())
                .stdout(write.try_clone().map_err(failed)?)
                .stderr(write);
            if let Some(cgroup) = &self.cgroup {
                // SAFETY: the joiner makes only async-signal-safe calls.
                unsafe { command.pre_exec(cgroup.joiner()) };
            }
            command.spawn().map_err(failed)?
        };
        let reader = Reader::spawn(read).map_err(failed)?;
        Ok((child, reader))
    }
}

/// Removes a running step from the job's groups when `exec` ends, however
/// it ends; a step whose `exec` was dropped before the step finished is
/// killed, since nothing reads its output any more.
struct RunningStep<'a> {
    job: &'a HostJob,
    group: i32,
    finished: bool,
}

impl Drop for RunningStep<'_> {
    fn drop(&mut self) {
        let mut groups = self.job.groups();
        groups.running.remove(&self.group);
        if !self.finished {
            signal_group(self.group, libc::SIGKILL);
        } else if group_exists(self.group) {
            groups.leftover.insert(self.group);
        }
    }
}

#[async_trait]
impl JobEnv for HostJob {
    fn workspace(&self) -> String {
        self.workspace.display().to_string()
    }

    fn temp(&self) -> String {
        self.temp.display().to_string()
    }

    fn container_context(&self) -> Map<String, Value> {
        Map::new()
    }

    fn services_context(&self) -> Map<String, Value> {
        Map::new()
    }

    async fn exec(&self, spec: &ExecSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        let (mut child, mut reader) = self.spawn(spec)?;
        let Some(group) = child.id().and_then(|pid| i32::try_from(pid).ok()) else {
            return Err(BackendError::Other(
                "a step's process vanished as it started".to_string(),
            ));
        };
        self.groups().running.insert(group);
        let mut step = RunningStep {
            job: self,
            group,
            finished: false,
        };
        let mut lines = LineSplitter::default();
        let mut status: Option<ExitStatus> = None;
        let mut stopped = false;
        let drained = tokio::time::sleep(Duration::MAX);
        tokio::pin!(drained);
        let wait = child.wait();
        tokio::pin!(wait);
        loop {
            // The exit and the drain deadline come first: output that never
            // stops (`yes &`) must not keep them from being seen.
            tokio::select! {
                biased;
                exited = &mut wait, if status.is_none() => {
                    let exited = exited.map_err(|e| BackendError::Other(format!("failed to wait for a step: {e}")))?;
                    status = Some(exited);
                    step.finished = true;
                    drained.as_mut().reset(tokio::time::Instant::now() + DRAIN_AFTER_EXIT);
                }
                () = &mut drained, if status.is_some() && !stopped => {
                    reader.stop();
                    stopped = true;
                }
                chunk = reader.chunks.recv() => match chunk {
                    Some(chunk) => {
                        lines.push(&chunk, sink);
                        sink.flush();
                    }
                    None => break,
                },
            }
        }
        lines.finish(sink);
        sink.flush();
        let status = match status {
            Some(status) => status,
            None => {
                let exited = wait
                    .await
                    .map_err(|e| BackendError::Other(format!("failed to wait for a step: {e}")))?;
                step.finished = true;
                exited
            }
        };
        drop(step);
        Ok(exit_code(status))
    }

    async fn run_image(&self, _spec: &ImageStepSpec, _sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        Err(BackendError::Other(
            "`docker://` steps need the docker backend; this job runs on the host".to_string(),
        ))
    }

    async fn build_image(
        &self,
        _context: &std::path::Path,
        _dockerfile: &str,
        _tag: &str,
        _sink: &mut dyn LineSink,
    ) -> Result<(), BackendError> {
        Err(BackendError::Other(
            "Docker actions need the docker backend; this job runs on the host".to_string(),
        ))
    }

    async fn stop_steps(&self, signal: StopSignal) {
        let signal = match signal {
            StopSignal::Terminate => libc::SIGTERM,
            StopSignal::Kill => libc::SIGKILL,
        };
        for &group in &self.groups().running {
            signal_group(group, signal);
        }
    }

    async fn remove(&self) -> Result<(), BackendError> {
        {
            let mut groups = self.groups();
            let Groups { running, leftover } = &mut *groups;
            for group in running.iter().chain(leftover.iter()) {
                signal_group(*group, libc::SIGKILL);
            }
            leftover.clear();
        }
        // A scan of /proc and the cgroup's waits: off the async threads.
        let mark = self.mark.clone();
        let cgroup = self.cgroup.clone();
        let killed =
            tokio::task::spawn_blocking(move || cgroup.map_or(0, |c| c.kill_all()) + leftovers::kill_marked(&mark));
        if killed.await.is_err() {
            tracing::warn!("the scan for a host job's leftover processes failed");
        }
        Ok(())
    }
}

/// The exit code a shell would report: the process's own, or 128 plus the
/// signal that ended it.
fn exit_code(status: ExitStatus) -> i64 {
    match (status.code(), status.signal()) {
        (Some(code), _) => i64::from(code),
        (None, Some(signal)) => 128 + i64::from(signal),
        (None, None) => -1,
    }
}

fn signal_group(group: i32, signal: i32) {
    // SAFETY: kill has no memory effects; a group that is gone gives ESRCH,
    // which is fine (it has nothing left to stop).
    unsafe {
        libc::kill(-group, signal);
    }
}

/// Whether any process is still in the group.
fn group_exists(group: i32) -> bool {
    // SAFETY: signal 0 only checks that the group exists.
    unsafe { libc::kill(-group, 0) == 0 }
}

#[cfg(test)]
mod tests;
