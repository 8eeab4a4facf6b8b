//! Whether the mlci process that recorded a run is still alive, so runs
//! left `running` by a killed mlci can be told from runs still going on.

/// The start time of process `pid` in clock ticks since boot (field 22 of
/// `/proc/<pid>/stat`), which with the pid names one process even after the
/// pid is reused. None where `/proc` cannot tell.
pub(crate) fn start_time(pid: i64) -> Option<i64> {
    stat_fields(pid)?.get(19)?.parse().ok()
}

/// Whether process `pid` is alive and, when `started` was recorded and
/// `/proc` can tell, is the same process that started then (not a later
/// process that got the same pid). A zombie is not alive.
pub(crate) fn is_alive(pid: i64, started: Option<i64>) -> bool {
    if !exists(pid) {
        return false;
    }
    match stat_fields(pid) {
        None => true,
        Some(fields) => {
            let zombie = fields.first().is_some_and(|state| *state == "Z");
            let reused = started.is_some_and(|started| fields.get(19).and_then(|t| t.parse().ok()) != Some(started));
            !zombie && !reused
        }
    }
}

/// The fields of `/proc/<pid>/stat` after the command name, which is in
/// parentheses and may itself hold spaces and parentheses: index 0 is the
/// state (field 3).
fn stat_fields(pid: i64) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = text.rsplit_once(')')?;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

#[cfg(unix)]
fn exists(pid: i64) -> bool {
    // kill() with pid 0 or below signals process groups: never ask about those.
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 checks that the process exists and sends nothing.
    if unsafe { libc::kill(pid, 0) } == 0 {
        return true;
    }
    // EPERM: it exists but belongs to someone else.
    std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn exists(_pid: i64) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_a_reaped_child_is_not() {
        let me = i64::from(std::process::id());
        let started = start_time(me);
        assert!(started.is_some());
        assert!(is_alive(me, started));
        assert!(is_alive(me, None));
        assert!(
            !is_alive(me, started.map(|s| s + 1)),
            "a different start time means a reused pid"
        );
        let mut child = std::process::Command::new("true").spawn().expect("spawn true");
        let pid = i64::from(child.id());
        child.wait().expect("wait for true");
        assert!(!is_alive(pid, None));
        assert!(!is_alive(0, None));
        assert!(!is_alive(-1, None));
        assert!(!is_alive(i64::MAX, None));
    }

    #[test]
    fn a_zombie_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().expect("spawn true");
        let pid = libc::pid_t::try_from(child.id()).expect("a pid");
        // Wait for it to exit without reaping it (WNOWAIT): it stays a zombie.
        // SAFETY: waitid writes only into `info`, which outlives the call.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let waited = unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WEXITED | libc::WNOWAIT) };
        assert_eq!(waited, 0);
        assert!(exists(i64::from(pid)), "a zombie still answers kill(pid, 0)");
        assert!(!is_alive(i64::from(pid), None));
        child.wait().expect("reap");
    }
}
