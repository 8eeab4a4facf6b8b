//! The Slurm cluster of tests/slurm/setup.sh. When it does not answer, a
//! test fails under CI (`CI=true`) and is skipped elsewhere.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

/// The cluster's 4 GPUs are shared: tests that count running and waiting
/// jobs, or set the node down, must not see another test's jobs, so they
/// take turns.
static CLUSTER: Mutex<()> = Mutex::new(());

/// The cluster is the machine's: test runs of other checkouts take turns
/// through this file's lock.
const MACHINE_LOCK: &str = "/tmp/mlci-slurm-tests.lock";

/// One test's turn on the cluster, while it lives.
pub struct ClusterTurn {
    _in_process: MutexGuard<'static, ()>,
    /// Holds the machine-wide `flock`; closing it releases the lock.
    _on_machine: File,
}

/// The cluster for one test at a time, while the guard lives; `None` when
/// it is not up (outside CI, where that panics instead).
pub fn slurm_cluster() -> Option<ClusterTurn> {
    if !slurm_ready() {
        return None;
    }
    // A test that failed while holding it leaves nothing that matters.
    let in_process = CLUSTER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let file = File::options()
        .create(true)
        .append(true)
        .open(MACHINE_LOCK)
        .expect("open the Slurm tests' lock file");
    // SAFETY: flock on a descriptor `file` owns, released when it closes.
    let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    assert_eq!(locked, 0, "flock {MACHINE_LOCK}: {}", std::io::Error::last_os_error());
    Some(ClusterTurn {
        _in_process: in_process,
        _on_machine: file,
    })
}

/// The node's state as `sinfo` tells it (`idle`, `alloc`, `down*`, …).
pub fn node_state() -> String {
    Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Whether a node in `state` takes jobs.
pub fn takes_jobs(state: &str) -> bool {
    ["idle", "mix", "alloc"].contains(&state.trim_end_matches('*'))
}

/// Whether Slurm's node is up; panics under CI when not.
fn slurm_ready() -> bool {
    let state = node_state();
    if takes_jobs(&state) {
        return true;
    }
    let message =
        format!("the Slurm cluster does not answer (sinfo says {state:?}); start it with tests/slurm/setup.sh");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

/// The lines of `squeue -h ARGS` (plain squeue: only queued and running
/// jobs are listed; an ended job's id gives nothing).
fn squeue(args: &[&str]) -> Vec<String> {
    let output = Command::new("squeue").arg("-h").args(args).output().expect("squeue");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

/// The states of the queued or running Slurm jobs named `name`.
pub fn squeue_names(name: &str) -> Vec<String> {
    squeue(&["-n", name, "-o", "%T"])
}

/// The state of Slurm job `id` while it is queued or running; None once it
/// ended.
pub fn squeue_job(id: &str) -> Option<String> {
    squeue(&["-j", id, "-o", "%T"]).into_iter().next()
}

/// The state of Slurm job `id`, ended ones too (for `MinJobAge`).
pub fn job_state(id: &str) -> Option<String> {
    squeue(&["--states=all", "-j", id, "-o", "%T"]).into_iter().next()
}

/// The ids of the queued or running Slurm jobs named `name`.
pub fn squeue_ids(name: &str) -> Vec<String> {
    squeue(&["-n", name, "-o", "%i"])
}
