//! Processes a host job left behind that its process groups do not hold:
//! a step's `setsid server &` starts a new session and group, and a
//! double fork reparents its child away from the step, so neither the
//! step's group nor its process tree finds them at the job's end.
//!
//! Each step of a job is started with [`JOB_MARK`] set to a value unique
//! to the job, and every process inherits it through `setsid` and forks
//! alike. At the job's end mlci kills each process of its own user whose
//! environment holds the mark. A step that clears its environment on
//! purpose escapes the mark; the job's cgroup ([`super::cgroup`]) holds it
//! where mlci can make one (root, or a delegated subtree).

use std::sync::atomic::{AtomicU64, Ordering};

/// The variable that marks every process of a host job.
pub const JOB_MARK: &str = "MLCI_HOST_JOB";

/// A mark no other job of any mlci on this machine has.
pub fn new_mark() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Kills every process marked with `mark`, again until a scan finds none
/// (one may fork while the scan runs). Returns how many were killed.
pub fn kill_marked(mark: &str) -> usize {
    let wanted = format!("{JOB_MARK}={mark}");
    let mut killed = 0;
    // Bounded: a fork bomb could outpace the scans, and mlci must go on.
    for _ in 0..20 {
        let found = marked(wanted.as_bytes());
        if found.is_empty() {
            break;
        }
        for pid in found {
            // SAFETY: kill has no memory effects; a process already gone
            // gives ESRCH, which is fine.
            if unsafe { libc::kill(pid, libc::SIGKILL) } == 0 {
                killed += 1;
            }
        }
    }
    if killed > 0 {
        tracing::debug!(killed, "killed processes a host job left in other sessions");
    }
    killed
}

/// The live processes whose environment holds `wanted` (`NAME=value`).
/// Other users' processes cannot be read, and are not the job's.
fn marked(wanted: &[u8]) -> Vec<i32> {
    let own = std::process::id() as i32;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != own && !is_zombie(pid))
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|environ| environ.split(|&b| b == 0).any(|var| var == wanted))
        })
        .collect()
}

/// A zombie is dead already; killing it again would only count it twice.
pub(super) fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}
