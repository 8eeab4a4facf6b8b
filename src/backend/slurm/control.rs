//! Slurm's command-line tools: `sbatch --parsable` submits, `squeue` tells
//! a job's state and pending reason, `scancel` stops it. Why the tools and
//! not slurmrestd: docs/decisions.md ("Slurm through its command-line tools").

use super::placement::Placement;
use crate::backend::{BackendError, GpuAssignment};
use std::path::Path;
use tokio::process::Command;

/// One submission: what `sbatch` is told.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Submission {
    pub job_name: String,
    pub gpus: GpuAssignment,
    /// `--time`, in minutes; None leaves the partition's default.
    pub time_minutes: Option<u64>,
    pub placement: Placement,
}

impl Submission {
    /// `sbatch`'s options, before the script.
    pub fn args(&self, dir: &Path, output: &Path) -> Result<Vec<String>, BackendError> {
        let mut args = vec![
            "--parsable".to_string(),
            format!("--job-name={}", self.job_name),
            format!("--chdir={}", dir.display()),
            format!("--output={}", output.display()),
            // mlci's `retries:` decide what runs again; a job Slurm requeued
            // would restart the agent behind mlci's back.
            "--no-requeue".to_string(),
        ];
        match &self.gpus {
            GpuAssignment::None => {}
            GpuAssignment::Count(n) if *n > 0 => args.push(format!("--gres=gpu:{n}")),
            GpuAssignment::Count(_) => {
                return Err(BackendError::Other(
                    "`--gpus all` has no meaning on Slurm: ask for a number of GPUs (`--gpus 2`)".to_string(),
                ))
            }
            GpuAssignment::Devices(ids) => {
                return Err(BackendError::Other(format!(
                    "GPUs {} were named, but Slurm chooses the devices: ask for a number of GPUs (`--gpus {}`)",
                    ids.join(","),
                    ids.len()
                )))
            }
        }
        if let Some(minutes) = self.time_minutes {
            args.push(format!("--time={minutes}"));
        }
        args.extend(self.placement.args());
        Ok(args)
    }
}

/// The job id in `sbatch --parsable`'s answer: `42` or `42;cluster`.
pub fn parse_job_id(stdout: &str) -> Option<String> {
    let id = stdout.trim().split(';').next()?.trim();
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_string())
}

/// A job's state as `squeue` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobState {
    /// `PENDING`, `RUNNING`, `COMPLETED`, `TIMEOUT`, …
    pub state: String,
    /// Why it waits or ended (`Resources`, `Priority`, `None`).
    pub reason: String,
}

impl JobState {
    /// A job whose agent has started: running, waiting for nothing.
    pub fn running() -> JobState {
        JobState {
            state: "RUNNING".to_string(),
            reason: "None".to_string(),
        }
    }

    /// Whether the job will not run (any more).
    pub fn ended(&self) -> bool {
        !matches!(
            self.state.as_str(),
            "PENDING" | "RUNNING" | "CONFIGURING" | "COMPLETING" | "SUSPENDED" | "REQUEUED" | "RESIZING" | "SIGNALING"
        )
    }
}

/// `squeue -o '%T|%r'` output → state.
pub fn parse_state(stdout: &str) -> Option<JobState> {
    let line = stdout.lines().find(|l| !l.trim().is_empty())?;
    let (state, reason) = line.trim().split_once('|')?;
    Some(JobState {
        state: state.to_string(),
        reason: reason.to_string(),
    })
}

/// What a job that ended before its steps did tells the user.
pub fn ended_reason(job_id: &str, state: &JobState) -> String {
    let what = match state.state.as_str() {
        "TIMEOUT" => "it reached its time limit (TIMEOUT; --time comes from timeout-minutes and the label's `time=`)",
        "NODE_FAIL" => "its node failed (NODE_FAIL)",
        "PREEMPTED" => "it was preempted (PREEMPTED)",
        "CANCELLED" => "it was cancelled (CANCELLED; scancel or an administrator)",
        "OUT_OF_MEMORY" => "it ran out of memory (OUT_OF_MEMORY)",
        "BOOT_FAIL" => "its node failed to boot (BOOT_FAIL)",
        "DEADLINE" => "it missed its deadline (DEADLINE)",
        "FAILED" => "its batch script failed (FAILED)",
        "COMPLETED" => "the agent exited before the job's steps were done (COMPLETED)",
        other => return format!("Slurm job {job_id} ended: {other}"),
    };
    format!("Slurm job {job_id} ended: {what}")
}

/// Runs a Slurm tool to its end; its stdout, or an error naming it.
pub async fn tool(program: &str, args: &[String]) -> Result<String, BackendError> {
    let output = Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .await;
    answer(program, args, output)
}

/// [`tool`] for callers outside async code (a restart cleaning up after a
/// dead mlci), blocking the thread.
pub fn tool_blocking(program: &str, args: &[String]) -> Result<String, BackendError> {
    let output = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output();
    answer(program, args, output)
}

fn answer(
    program: &str,
    args: &[String],
    output: std::io::Result<std::process::Output>,
) -> Result<String, BackendError> {
    let output = output
        .map_err(|e| BackendError::Other(format!("failed to run `{program}` (is Slurm installed here?): {e}")))?;
    if !output.status.success() {
        return Err(BackendError::Other(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Submits `script`; the job id.
pub async fn submit(submission: &Submission, dir: &Path, output: &Path, script: &Path) -> Result<String, BackendError> {
    let mut args = submission.args(dir, output)?;
    args.push(script.display().to_string());
    let stdout = tool("sbatch", &args).await?;
    parse_job_id(&stdout)
        .ok_or_else(|| BackendError::Other(format!("sbatch answered `{}`, not a job id", stdout.trim())))
}

/// The job's state; `None` once Slurm has forgotten it.
pub async fn state(job_id: &str) -> Result<Option<JobState>, BackendError> {
    match queued_state(tool("squeue", &state_args(job_id)).await)? {
        Some(state) => Ok(Some(state)),
        None => Ok(accounted_state(tool("sacct", &accounting_args(job_id)).await)),
    }
}

/// [`state`], blocking the thread.
pub fn state_blocking(job_id: &str) -> Result<Option<JobState>, BackendError> {
    match queued_state(tool_blocking("squeue", &state_args(job_id)))? {
        Some(state) => Ok(Some(state)),
        None => Ok(accounted_state(tool_blocking("sacct", &accounting_args(job_id)))),
    }
}

fn state_args(job_id: &str) -> [String; 6] {
    ["-h", "--states=all", "-j", job_id, "-o", "%T|%r"].map(String::from)
}

/// `squeue`'s answer; `None` when it no longer knows the job.
fn queued_state(answer: Result<String, BackendError>) -> Result<Option<JobState>, BackendError> {
    match answer {
        Ok(stdout) => Ok(parse_state(&stdout)),
        // squeue refuses ids it no longer knows.
        Err(BackendError::Other(message)) if message.contains("Invalid job id") => Ok(None),
        Err(e) => Err(e),
    }
}

/// Where the site keeps accounting, `sacct` still knows a job `squeue` has
/// forgotten (`MinJobAge` after its end, 300 s by default).
fn accounting_args(job_id: &str) -> [String; 7] {
    ["-n", "-X", "-P", "-j", job_id, "-o", "State,Reason"].map(String::from)
}

/// `sacct`'s answer; `None` where the cluster keeps no accounting (`sacct`
/// then says so and fails) or has no record of the job.
fn accounted_state(answer: Result<String, BackendError>) -> Option<JobState> {
    parse_accounted(&answer.ok()?)
}

/// `sacct -P -o State,Reason` output → state. sacct writes `CANCELLED by
/// 0` for a cancelled job; the state is the first word.
pub fn parse_accounted(stdout: &str) -> Option<JobState> {
    let state = parse_state(stdout)?;
    Some(JobState {
        state: state.state.split_whitespace().next()?.to_string(),
        reason: state.reason,
    })
}

/// The cluster's partitions, as `sinfo` lists them.
pub fn partitions_blocking() -> Result<Vec<String>, BackendError> {
    let args = ["-h", "-o", "%P"].map(String::from);
    Ok(parse_partitions(&tool_blocking("sinfo", &args)?))
}

/// `sinfo -h -o %P` output → partition names, once each; the default
/// partition's `*` is dropped.
pub fn parse_partitions(stdout: &str) -> Vec<String> {
    let mut partitions: Vec<String> = Vec::new();
    for name in stdout.lines().map(|l| l.trim().trim_end_matches('*')) {
        if !name.is_empty() && !partitions.iter().any(|p| p == name) {
            partitions.push(name.to_string());
        }
    }
    partitions
}

/// Cancels the job: Slurm sends SIGTERM to its processes, waits
/// `KillWait` seconds, then sends SIGKILL.
pub async fn cancel(job_id: &str) -> Result<(), BackendError> {
    tool("scancel", &[job_id.to_string()]).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn args(submission: &Submission) -> Result<Vec<String>, BackendError> {
        submission.args(&PathBuf::from("/s/j"), &PathBuf::from("/s/j/slurm.out"))
    }

    #[test]
    fn a_gpu_leg_asks_for_gres_time_and_its_name() {
        let submission = Submission {
            job_name: "train (lr=0.1)".to_string(),
            gpus: GpuAssignment::Count(2),
            time_minutes: Some(31),
            placement: Placement {
                partition: Some("gpu".to_string()),
                constraint: Some("a100".to_string()),
                cpus: Some(4),
                mem: Some("100M".to_string()),
                ..Placement::default()
            },
        };
        assert_eq!(
            args(&submission).unwrap(),
            [
                "--parsable",
                "--job-name=train (lr=0.1)",
                "--chdir=/s/j",
                "--output=/s/j/slurm.out",
                "--no-requeue",
                "--gres=gpu:2",
                "--time=31",
                "--partition=gpu",
                "--constraint=a100",
                "--cpus-per-task=4",
                "--mem=100M",
            ]
        );
    }

    #[test]
    fn a_leg_without_a_timeout_or_placement_leaves_time_and_place_to_slurm() {
        let submission = Submission {
            job_name: "lint".to_string(),
            ..Submission::default()
        };
        assert_eq!(
            args(&submission).unwrap(),
            [
                "--parsable",
                "--job-name=lint",
                "--chdir=/s/j",
                "--output=/s/j/slurm.out",
                "--no-requeue",
            ]
        );
    }

    #[test]
    fn named_devices_and_all_gpus_are_refused_with_what_to_write() {
        let all = Submission {
            gpus: GpuAssignment::Count(-1),
            ..Submission::default()
        };
        assert!(args(&all).unwrap_err().to_string().contains("ask for a number of GPUs"));
        let named = Submission {
            gpus: GpuAssignment::Devices(vec!["0".into(), "1".into()]),
            ..Submission::default()
        };
        assert_eq!(
            args(&named).unwrap_err().to_string(),
            "GPUs 0,1 were named, but Slurm chooses the devices: ask for a number of GPUs (`--gpus 2`)"
        );
    }

    #[test]
    fn job_ids_come_from_parsable_output() {
        assert_eq!(parse_job_id("42\n").as_deref(), Some("42"));
        assert_eq!(parse_job_id("42;cluster\n").as_deref(), Some("42"));
        assert_eq!(parse_job_id("Submitted batch job 42"), None);
        assert_eq!(parse_job_id(""), None);
    }

    #[test]
    fn states_and_reasons() {
        let pending = parse_state("PENDING|Resources\n").unwrap();
        assert_eq!(pending.reason, "Resources");
        assert!(!pending.ended());
        let timeout = parse_state("TIMEOUT|TimeLimit").unwrap();
        assert!(timeout.ended());
        assert_eq!(
            ended_reason("42", &timeout),
            "Slurm job 42 ended: it reached its time limit (TIMEOUT; --time comes from timeout-minutes and the label's `time=`)"
        );
        assert_eq!(
            ended_reason("7", &parse_state("NODE_FAIL|None").unwrap()),
            "Slurm job 7 ended: its node failed (NODE_FAIL)"
        );
        assert_eq!(parse_state(""), None);
    }

    #[test]
    fn partitions_are_listed_once_without_the_default_mark() {
        assert_eq!(parse_partitions("debug*\ngpu\ngpu\n\n"), ["debug", "gpu"]);
        assert!(parse_partitions("").is_empty());
    }

    #[test]
    fn accounting_states_drop_who_cancelled() {
        let cancelled = parse_accounted("CANCELLED by 0|None\n").unwrap();
        assert_eq!(cancelled.state, "CANCELLED");
        assert!(cancelled.ended());
        assert_eq!(parse_accounted("COMPLETED|None").unwrap().state, "COMPLETED");
        assert_eq!(parse_accounted(""), None);
    }
}
