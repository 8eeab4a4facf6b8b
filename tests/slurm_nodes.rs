//! Slurm acting on a running job: a node that goes down fails the leg with
//! Slurm's reason and `retries:` runs it again once the node is back; a
//! suspended job is recorded as such until Slurm resumes it.

use crate::support::daemon::wait_until;
use crate::support::slurm::{job_state, node_state, slurm_cluster, takes_jobs};
use crate::support::Test;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Sets the cluster's node's state (`down`, `resume`); false when Slurm
/// refused (a node already back in service refuses `resume`).
fn set_node(state: &str) -> bool {
    Command::new("scontrol")
        .args(["update", "nodename=vm", &format!("state={state}"), "reason=mlci-test"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The node set down; back in service when dropped, also when the test
/// failed, so that the other tests find it up.
struct NodeDown;

impl NodeDown {
    fn new() -> NodeDown {
        assert!(set_node("down"), "scontrol refused to set the node down");
        NodeDown
    }
}

impl Drop for NodeDown {
    /// Resumes the node and waits (up to a minute) until it takes jobs;
    /// never panics, as it may run while a failed test unwinds.
    fn drop(&mut self) {
        for _ in 0..600 {
            let _ = set_node("resume");
            if takes_jobs(&node_state()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("the Slurm node is still {} after a minute", node_state());
    }
}

/// Starts `mlci run --backend slurm` in `test` with `MARKS` naming `marks`
/// (a folder the test and the step share to say where the step is).
fn start_on_slurm(test: &Test, marks: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "--backend", "slurm", "--env"])
        .arg(format!("MARKS={}", marks.display()))
        .current_dir(test.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mlci")
}

#[test]
fn a_node_down_under_a_job_fails_its_leg_with_node_fail_and_retries_runs_it_again() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          train:
            runs-on: ubuntu-latest
            retries: 1
            steps:
              - run: |
                  if [ -e "$MARKS/first" ]; then echo "second try on job $SLURM_JOB_ID"; exit 0; fi
                  echo "$SLURM_JOB_ID" > "$MARKS/first"
                  sleep 300
        "#,
    );
    // Outside the test's folder, which mlci's run does not own.
    let marks = tempfile::tempdir().unwrap();
    let mlci = start_on_slurm(&test, marks.path());
    let first = marks.path().join("first");
    // The step writes its Slurm job id there (the file may exist empty for
    // an instant).
    let written = || std::fs::read_to_string(&first).unwrap_or_default().trim().to_string();
    wait_until("the first try to start", Duration::from_secs(120), || {
        !written().is_empty()
    });
    let job = written();
    let down = NodeDown::new();
    wait_until("Slurm to end the job NODE_FAIL", Duration::from_secs(60), || {
        job_state(&job).as_deref() == Some("NODE_FAIL")
    });
    // Back in service, so that the retry can run.
    drop(down);
    let output = mlci.wait_with_output().expect("mlci ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("Slurm job {job} ended: its node failed (NODE_FAIL)")),
        "{stdout}"
    );
    assert!(stdout.contains("[train] attempt 1 of 2 failed; retrying"), "{stdout}");
    let second = stdout
        .lines()
        .find_map(|l| l.strip_prefix("[train]   second try on job "))
        .unwrap_or_else(|| panic!("no second try: {stdout}"));
    assert_ne!(second, job, "the retry is a new Slurm job");
    assert!(stdout.contains("run 1: success"), "{stdout}");
    assert_eq!(output.status.code(), Some(0), "{stdout}");
}

/// `scontrol suspend` under a running leg: the run records `SUSPENDED` as
/// the leg's Slurm state while it lasts, then `RUNNING` again, and the leg
/// finishes once Slurm resumes it.
#[test]
fn a_suspended_job_is_recorded_as_suspended_until_slurm_resumes_it() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          paused:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo "$SLURM_JOB_ID" > "$MARKS/started"
                  while [ ! -e "$MARKS/go" ]; do sleep 0.1; done
        "#,
    );
    let marks = tempfile::tempdir().unwrap();
    let mlci = start_on_slurm(&test, marks.path());
    let started = marks.path().join("started");
    let written = || std::fs::read_to_string(&started).unwrap_or_default().trim().to_string();
    wait_until("the step to start", Duration::from_secs(120), || !written().is_empty());
    let id = written();
    let slurm_state = || -> String {
        let shown = Command::new(env!("CARGO_BIN_EXE_mlci"))
            .args(["show", "1", "--json"])
            .current_dir(test.path())
            .output()
            .expect("mlci show");
        let json: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap_or_default();
        json["jobs"][0]["slurm"]["state"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let scontrol = |verb: &str| {
        let status = Command::new("scontrol").args([verb, &id]).status().expect("scontrol");
        assert!(status.success(), "scontrol {verb} {id}");
    };
    scontrol("suspend");
    wait_until("the run to record SUSPENDED", Duration::from_secs(30), || {
        slurm_state() == "SUSPENDED"
    });
    scontrol("resume");
    wait_until("the run to record RUNNING again", Duration::from_secs(30), || {
        slurm_state() == "RUNNING"
    });
    std::fs::write(marks.path().join("go"), "").unwrap();
    let output = mlci.wait_with_output().expect("mlci ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_eq!(slurm_state(), "COMPLETED");
}
