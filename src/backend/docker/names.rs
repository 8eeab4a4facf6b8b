//! Names and labels of what a job creates. Every container and network
//! carries `mlci.run`, `mlci.job`, `mlci.pid` and `mlci.host`, so that a run
//! can be removed as a whole and leftovers of a crashed mlci can be found.

use crate::backend::JobSpec;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub(super) const RUN_LABEL: &str = "mlci.run";
pub(super) const JOB_LABEL: &str = "mlci.job";
pub(super) const PID_LABEL: &str = "mlci.pid";
pub(super) const HOST_LABEL: &str = "mlci.host";
/// `job`, `service` or `step`: what the container is for, for `docker ps`.
pub(super) const ROLE_LABEL: &str = "mlci.role";

/// Docker names are at most this long in practice (longer ones work but
/// make `docker ps` unreadable); the run, job and leg parts share it.
const MAX_NAME: usize = 100;

/// The base name of a job attempt's containers and network:
/// `mlci-<run>-<job>-<leg hash>-a<attempt>`. The leg's display name may hold
/// anything (`build (3.10, cuda)`), so it enters as a short hash.
pub(super) fn base_name(spec: &JobSpec) -> String {
    let leg = Sha256::digest(spec.leg_name.as_bytes());
    let leg: String = leg.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let tail = format!("-{leg}-a{}", spec.attempt);
    let head = sanitize(&format!("mlci-{}-{}", spec.run_id, spec.job_id));
    let head: String = head.chars().take(MAX_NAME.saturating_sub(tail.len())).collect();
    format!("{head}{tail}")
}

/// A container or network name from `base` and a suffix (a service id).
pub(super) fn child_name(base: &str, suffix: &str) -> String {
    format!("{base}-{}", sanitize(suffix))
}

/// Docker's name rule is `[a-zA-Z0-9][a-zA-Z0-9_.-]*`: anything else
/// becomes `-`, and a name that would not start with a letter or digit gets
/// an `x` in front.
pub(super) fn sanitize(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        out.insert(0, 'x');
    }
    out
}

/// The labels of everything created for `spec`, with its `role`.
pub(super) fn labels(spec: &JobSpec, host: &str, role: &str) -> HashMap<String, String> {
    HashMap::from([
        (RUN_LABEL.to_string(), spec.run_id.clone()),
        (JOB_LABEL.to_string(), spec.job_id.clone()),
        (PID_LABEL.to_string(), std::process::id().to_string()),
        (HOST_LABEL.to_string(), host.to_string()),
        (ROLE_LABEL.to_string(), role.to_string()),
    ])
}

/// This machine's host name, for `mlci.host` (empty if the system has none).
pub(super) fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most
    // that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Whether a process with this id runs on this machine. `EPERM` means it
/// exists but belongs to someone else: alive.
pub(super) fn process_alive(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<libc::pid_t>() else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(run: &str, job: &str, leg: &str, attempt: u32) -> JobSpec {
        JobSpec {
            run_id: run.into(),
            job_id: job.into(),
            leg_name: leg.into(),
            attempt,
            ..JobSpec::default()
        }
    }

    #[test]
    fn base_name_follows_docker_name_rules() {
        let name = base_name(&spec("r1", "build/test", "build (3.10, cuda)", 2));
        let hash = &Sha256::digest(b"build (3.10, cuda)")[..4];
        let hash: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(name, format!("mlci-r1-build-test-{hash}-a2"));
    }

    #[test]
    fn legs_of_one_job_get_different_names() {
        assert_ne!(
            base_name(&spec("r", "j", "j (1)", 1)),
            base_name(&spec("r", "j", "j (2)", 1))
        );
    }

    #[test]
    fn long_ids_are_cut_but_keep_leg_and_attempt() {
        let name = base_name(&spec("r", &"j".repeat(300), "leg", 7));
        assert_eq!(name.len(), MAX_NAME);
        assert!(name.ends_with("-a7"));
    }

    #[test]
    fn sanitize_replaces_and_prefixes() {
        assert_eq!(sanitize("a b/c:d_e.f-g"), "a-b-c-d_e.f-g");
        assert_eq!(sanitize("_x"), "x_x");
        assert_eq!(sanitize("é"), "x-");
        assert_eq!(child_name("base", "redis db"), "base-redis-db");
    }

    #[test]
    fn labels_name_run_job_pid_host_and_role() {
        let labels = labels(&spec("run7", "job", "leg", 1), "box", "service");
        assert_eq!(labels[RUN_LABEL], "run7");
        assert_eq!(labels[JOB_LABEL], "job");
        assert_eq!(labels[PID_LABEL], std::process::id().to_string());
        assert_eq!(labels[HOST_LABEL], "box");
        assert_eq!(labels[ROLE_LABEL], "service");
    }

    #[test]
    fn this_process_is_alive_and_nonsense_is_not() {
        assert!(process_alive(&std::process::id().to_string()));
        assert!(!process_alive("not a pid"));
        assert!(!process_alive("0"));
        assert!(!process_alive("-1"));
    }
}
