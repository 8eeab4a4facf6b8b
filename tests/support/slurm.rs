//! The Slurm cluster of tests/slurm/setup.sh. When it does not answer, a
//! test fails under CI (`CI=true`) and is skipped elsewhere.

use std::process::Command;
use std::sync::{Mutex, MutexGuard};

/// The cluster's 4 GPUs are shared: tests that count running and waiting
/// jobs must not see another test's jobs, so they take turns.
static CLUSTER: Mutex<()> = Mutex::new(());

/// The cluster for one test at a time, while the guard lives; `None` when
/// it is not up (outside CI, where that panics instead).
pub fn slurm_cluster() -> Option<MutexGuard<'static, ()>> {
    if !slurm_ready() {
        return None;
    }
    // A test that failed while holding it leaves nothing that matters.
    Some(CLUSTER.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// Whether Slurm's node is up; panics under CI when not.
fn slurm_ready() -> bool {
    let state = Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if ["idle", "mix", "alloc"].contains(&state.trim_end_matches('*')) {
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

/// The states of the queued or running Slurm jobs named `name` (plain
/// squeue: finished jobs are not listed).
pub fn squeue_names(name: &str) -> Vec<String> {
    let output = Command::new("squeue")
        .args(["-h", "-n", name, "-o", "%T"])
        .output()
        .expect("squeue");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}
