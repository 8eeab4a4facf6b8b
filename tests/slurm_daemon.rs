//! The runner daemon (`mlci runner start`) on Slurm, with the cluster of
//! tests/slurm/setup.sh, the daemon's store as the shared folder and the
//! mlci binary as the agent: a label mapped to Slurm in runner.yml sends
//! that label's job there while the other stays on this machine, and
//! `backend: slurm` sends every job.

use crate::support::daemon::{free_port, wait_until, Origin, Runner};
use crate::support::docker::docker_ready;
use crate::support::slurm::slurm_cluster;
use mlci::daemon::queue::{Queue, RunState};
use mlci::report::events::Outcome;
use mlci::store::Store;
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(180);

const WORKFLOW: &str = "on: push
jobs:
  train:
    runs-on: gpu-a100
    steps:
      - run: echo \"in slurm job $SLURM_JOB_ID on $SLURM_JOB_PARTITION with $MLCI_GPU_IDS\"
  lint:
    runs-on: cpu
    steps:
      - run: echo \"lint in slurm job ${SLURM_JOB_ID:-none}\"
";

/// Runs WORKFLOW in a daemon whose runner.yml has `settings` (lines
/// before `repos:`); the run's result and the logs of `train` and `lint`.
fn daemon_run(settings: &str) -> (Option<Outcome>, String, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let config = dir.path().join("runner.yml");
    let text = format!(
        "store: store\ncapacity: 2\nlisten: 127.0.0.1:{}\n{settings}repos:\n  - name: vision\n    path: {}\n    \
         default_branch: main\n",
        free_port(),
        origin.bare.display()
    );
    std::fs::write(&config, text).expect("write runner.yml");
    let installed = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["hook", "install", "--repo"])
        .arg(&origin.bare)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("run mlci hook install");
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let runner = Runner::start(&config);
    origin.commit(&[(".github/workflows/ci.yml", WORKFLOW)], "start");
    origin.push("main");

    let store_dir = dir.path().join("store");
    let queue = Queue::open(&store_dir).expect("open the queue");
    wait_until(&format!("the run to finish: {}", runner.log_text()), LIMIT, || {
        queue.events(10).is_ok_and(|e| e.len() == 1 && e[0].status != "queued")
            && queue.runs_in(RunState::Queued).is_ok_and(|r| r.is_empty())
            && queue.runs_in(RunState::Running).is_ok_and(|r| r.is_empty())
    });
    let store = Store::open(&store_dir).expect("open the store");
    let runs = store.runs(10).expect("list runs");
    let detail = store.run(runs[0].id).expect("read the run").expect("the run");
    let log_of = |job: &str| -> String {
        detail
            .log_files(&store_dir, Some(job))
            .iter()
            .map(|f| std::fs::read_to_string(&f.path).unwrap_or_default())
            .collect()
    };
    (runs[0].result, log_of("train"), log_of("lint"))
}

/// The Slurm job id in a leg's log (`submitted as Slurm job N`).
fn slurm_job(log: &str) -> String {
    log.split("submitted as Slurm job ")
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[test]
fn the_daemon_runs_a_slurm_mapped_label_as_a_slurm_job() {
    if !docker_ready() {
        return;
    }
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let (result, train, lint) =
        daemon_run("slurm:\n  partition: debug\nlabels:\n  gpu-a100: { slurm: { gpus: 1, mem: 100M } }\n  cpu: host\n");
    assert_eq!(result, Some(Outcome::Success), "train: {train}\nlint: {lint}");
    let id = slurm_job(&train);
    assert!(!id.is_empty(), "no Slurm job in the train log: {train}");
    assert!(train.contains(&format!("in slurm job {id} on debug with ")), "{train}");
    assert!(lint.contains("lint in slurm job none"), "{lint}");
    assert!(!lint.contains("submitted as Slurm job"), "{lint}");
}

/// `backend: slurm`: every job is a Slurm job, the `host` label's too.
#[test]
fn the_daemon_with_backend_slurm_runs_every_job_on_slurm() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let (result, train, lint) = daemon_run(
        "backend: slurm\nslurm:\n  partition: debug\nlabels:\n  gpu-a100: { slurm: { gpus: 1 } }\n  cpu: host\n",
    );
    assert_eq!(result, Some(Outcome::Success), "train: {train}\nlint: {lint}");
    let (train_id, lint_id) = (slurm_job(&train), slurm_job(&lint));
    assert!(
        !train_id.is_empty() && !lint_id.is_empty(),
        "train: {train}\nlint: {lint}"
    );
    assert_ne!(train_id, lint_id);
    assert!(
        train.contains(&format!("in slurm job {train_id} on debug with ")),
        "{train}"
    );
    assert!(lint.contains(&format!("lint in slurm job {lint_id}")), "{lint}");
}

/// `mlci runner check` asks Slurm for the partitions the Slurm labels name:
/// a missing one is an error before the daemon starts (sbatch would refuse
/// the first job), a label without one takes the cluster's default.
#[test]
fn runner_check_names_a_slurm_partition_the_cluster_lacks() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    origin.commit(&[(".github/workflows/ci.yml", WORKFLOW)], "start");
    let config = dir.path().join("runner.yml");
    let text = format!(
        "store: store\nlisten: 127.0.0.1:{}\nlabels:\n  gpu-a100: {{ slurm: {{ partition: nosuch }} }}\n  \
         big: {{ slurm: {{ partition: debug }} }}\n  cpu: {{ slurm: true }}\nrepos:\n  - name: vision\n    path: {}\n",
        free_port(),
        origin.bare.display()
    );
    std::fs::write(&config, text).expect("write runner.yml");
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["runner", "check", "--config"])
        .arg(&config)
        .output()
        .expect("run mlci runner check");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("slurm: partitions debug\n"), "{stdout}");
    assert!(stdout.contains("partition debug: present (labels big)\n"), "{stdout}");
    assert!(
        stdout.contains("slurm: the cluster's default partition (labels cpu)\n"),
        "{stdout}"
    );
    assert!(
        stderr.contains("error: partition nosuch (labels gpu-a100) is not one of this cluster's: debug\n"),
        "{stderr}"
    );
}
