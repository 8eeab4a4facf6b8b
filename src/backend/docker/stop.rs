//! Stopping the running steps: a signal to each exec step's process group
//! (one short `docker exec` for all of them), `docker kill` for each
//! `docker://` step's container.
//!
//! The group is there under runc, which makes every exec'd process a
//! session leader (see `exec.rs`). Where a runtime does not, `kill -SIG
//! -PID` finds no such group and the signal goes to the step's own pid
//! instead: the step's shell stops, children it started may stay until the
//! job container is removed. The kill uses the shell's `kill` builtin in
//! the `kill -SIG -PID` form, which dash and bash take (dash refuses
//! `kill -SIG -- -PID`); busybox's usage line has the same form.

use super::errors::failed;
use super::job::DockerJob;
use super::steps::RunningStep;
use crate::backend::{BackendError, StopSignal};
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::query_parameters::KillContainerOptions;
use futures_util::future::join_all;
use futures_util::StreamExt;
use std::path::Path;
use std::time::Duration;

/// How long a step that has just started may take to write its pid file.
const PID_FILE_WAIT: Duration = Duration::from_secs(2);

impl DockerJob {
    pub(super) async fn stop_running_steps(&self, signal: StopSignal) {
        let name = match signal {
            StopSignal::Terminate => "TERM",
            StopSignal::Kill => "KILL",
        };
        let mut pids = Vec::new();
        let mut containers = Vec::new();
        for (number, step) in self.steps.snapshot() {
            match step {
                RunningStep::Exec { pid_file } => pids.extend(self.read_pid(number, &pid_file).await),
                RunningStep::Container { id } => containers.push(id),
            }
        }
        let kills = containers.iter().map(|id| async move {
            let options = KillContainerOptions {
                signal: format!("SIG{name}"),
            };
            // Already exited: nothing to stop.
            let _ = self.docker().kill_container(id, Some(options)).await;
        });
        let (_, _) = tokio::join!(join_all(kills), async {
            if !pids.is_empty() {
                let _ = self.signal_groups(name, &pids).await;
            }
        });
    }

    /// The step's pid, once its wrapper has written it; `None` if the step
    /// ended first.
    async fn read_pid(&self, number: u64, pid_file: &Path) -> Option<u32> {
        let mut waited = Duration::ZERO;
        let pause = Duration::from_millis(10);
        loop {
            if let Ok(text) = std::fs::read_to_string(pid_file) {
                if let Ok(pid) = text.trim().parse::<u32>() {
                    return Some(pid);
                }
            }
            if !self.steps.is_running(number) || waited >= PID_FILE_WAIT {
                return None;
            }
            tokio::time::sleep(pause).await;
            waited += pause;
        }
    }

    /// `kill -SIG -PID || kill -SIG PID` for each pid, as root in the job
    /// container, waited for.
    async fn signal_groups(&self, signal: &str, pids: &[u32]) -> Result<(), BackendError> {
        let container = self.container.as_deref().unwrap_or_default();
        let script = format!("for p; do kill -{signal} -$p 2>/dev/null || kill -{signal} $p 2>/dev/null; done; true");
        let mut cmd = vec!["sh".to_string(), "-c".to_string(), script, "sh".to_string()];
        cmd.extend(pids.iter().map(u32::to_string));
        let options = CreateExecOptions {
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            cmd: Some(cmd),
            user: Some("0".to_string()),
            ..CreateExecOptions::default()
        };
        let exec = self
            .docker()
            .create_exec(container, options)
            .await
            .map_err(|e| failed("signal the steps", e))?;
        let started = self
            .docker()
            .start_exec(&exec.id, None::<StartExecOptions>)
            .await
            .map_err(|e| failed("signal the steps", e))?;
        if let StartExecResults::Attached { mut output, .. } = started {
            while output.next().await.is_some() {}
        }
        Ok(())
    }
}
