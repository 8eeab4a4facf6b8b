//! Running a step with `docker exec`: one create, one start (attached to
//! stdout and stderr), one inspect for the exit code, as the Docker CLI
//! does; nothing else per step.
//!
//! Stopping a step must reach every process it started. runc makes each
//! exec'd process the leader of a new session and process group (its
//! `nsexec` calls `setsid()`; checked with `ps -o pid,pgid,sid` under
//! `docker exec`), so the step's processes share the group whose id is the
//! step's pid. The step is wrapped in `sh -c` that writes that pid to a file
//! in `RUNNER_TEMP` and `exec`s the step, keeping the pid. `setsid(1)` is not
//! needed, and would hurt: called by a group leader it forks, and with `-w`
//! a step killed by SIGTERM exits 143 only by setsid's own mapping. See
//! `stop.rs` for the images where the group does not exist.

use super::config::TEMP;
use super::errors::failed;
use super::job::DockerJob;
use super::output::stream_lines;
use super::start::PID_DIR;
use super::steps::RunningStep;
use crate::backend::{BackendError, ExecSpec, LineSink};
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use std::time::Duration;

/// Read buffer for a step's output: Docker sends frames of up to 32 KiB.
const OUTPUT_BUFFER: usize = 64 * 1024;

impl DockerJob {
    pub(super) async fn exec_step(&self, spec: &ExecSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        if spec.argv.is_empty() {
            return Err(BackendError::Other("the step has no command to run".into()));
        }
        let container = self.container.as_deref().unwrap_or_default();
        let number = self.steps.next_number();
        let _running = self.steps.enter(
            number,
            RunningStep::Exec {
                pid_file: self.pid_dir.join(number.to_string()),
            },
        );
        let mut env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let cmd = if spec.records_pid {
            env.push(format!("MLCI_PID_FILE={}", pid_file(number)));
            spec.argv.clone()
        } else {
            wrapped(number, &spec.argv)
        };
        let options = CreateExecOptions {
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            env: Some(env),
            cmd: Some(cmd),
            working_dir: Some(spec.working_directory.clone()).filter(|d| !d.is_empty()),
            ..CreateExecOptions::default()
        };
        let exec = self
            .docker()
            .create_exec(container, options)
            .await
            .map_err(|e| failed("start the step", e))?;
        let start = StartExecOptions {
            output_capacity: Some(OUTPUT_BUFFER),
            ..StartExecOptions::default()
        };
        match self.docker().start_exec(&exec.id, Some(start)).await {
            Ok(StartExecResults::Attached { output, .. }) => stream_lines(output, sink, "the step").await?,
            Ok(StartExecResults::Detached) => {}
            Err(e) => return Err(failed("start the step", e)),
        }
        self.exec_exit_code(&exec.id).await
    }

    /// The exec's exit code. Docker may close the output a moment before it
    /// has recorded the exit, so a still-running answer is asked again.
    async fn exec_exit_code(&self, exec: &str) -> Result<i64, BackendError> {
        let mut pause = Duration::from_millis(2);
        let mut waited = Duration::ZERO;
        loop {
            let inspected = self
                .docker()
                .inspect_exec(exec)
                .await
                .map_err(|e| failed("get the step's exit code", e))?;
            match (inspected.running, inspected.exit_code) {
                (Some(false) | None, Some(code)) => return Ok(code),
                _ if waited >= Duration::from_secs(10) => {
                    return Err(BackendError::Other(
                        "the step's output ended but Docker reports it still running after 10 s".into(),
                    ));
                }
                _ => {}
            }
            tokio::time::sleep(pause).await;
            waited += pause;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }
}

/// `sh -c '{ echo $$ >PIDFILE; } 2>/dev/null; exec "$@"' sh ARGV…`: records
/// the pid (quietly: a read-only temp must not fail the step) and becomes
/// the step.
fn wrapped(number: u64, argv: &[String]) -> Vec<String> {
    let script = format!("{{ echo $$ >{}; }} 2>/dev/null; exec \"$@\"", pid_file(number));
    let mut cmd = vec!["sh".to_string(), "-c".to_string(), script, "sh".to_string()];
    cmd.extend(argv.iter().cloned());
    cmd
}

/// Where step `number` records its pid, as the container sees it.
fn pid_file(number: u64) -> String {
    format!("{TEMP}/{PID_DIR}/{number}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapper_records_the_pid_and_execs_the_argv_unchanged() {
        let argv = vec!["bash".to_string(), "-e".to_string(), "/tmp/it's here.sh".to_string()];
        assert_eq!(
            wrapped(7, &argv),
            [
                "sh",
                "-c",
                "{ echo $$ >/github/runner_temp/.mlci/pids/7; } 2>/dev/null; exec \"$@\"",
                "sh",
                "bash",
                "-e",
                "/tmp/it's here.sh"
            ]
        );
    }
}
