//! The Slurm cluster of tests/slurm/setup.sh. When it does not answer, a
//! test fails under CI (`CI=true`) and is skipped elsewhere.

use std::process::Command;

/// Whether Slurm's node is up; panics under CI when not.
pub fn slurm_ready() -> bool {
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
