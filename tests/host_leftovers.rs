//! `mlci run --backend host`: what a step starts in a new session, or as a
//! double-forked daemon, does not outlive the run.

use crate::support::daemon::wait_until;
use crate::support::Test;
use std::time::Duration;

/// Whether process `pid` is gone (or a zombie waiting for its parent).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_host_jobs_setsid_and_double_forked_processes_end_with_the_job() {
    let output = Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              serve:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      setsid sleep 1000 </dev/null >/dev/null 2>&1 &
                      echo \"session=$!\"
                      sh -c 'sleep 1001 </dev/null >/dev/null 2>&1 & echo \"daemon=$!\"' </dev/null
            ",
        )
        .args(&["run", "--backend", "host", "--json", "--store", "store"])
        .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let pid = |name: &str| {
        let at = stdout.find(&format!("{name}=")).expect("the step printed its pid") + name.len() + 1;
        stdout[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    };
    let (session, daemon) = (pid("session"), pid("daemon"));
    assert!(!session.is_empty() && !daemon.is_empty(), "{stdout}");
    // Killed before mlci exited; a bounded wait only lets the kernel finish
    // delivering SIGKILL (a sleep left alone would run for 1000 s).
    wait_until("the leftovers to end", Duration::from_secs(10), || {
        gone(&session) && gone(&daemon)
    });
}
