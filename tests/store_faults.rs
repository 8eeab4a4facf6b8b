//! A run whose store fails under it: a table dropped or the database file
//! deleted while a job runs. The run goes on, but its exit says its record
//! is incomplete (7) and why, instead of 0 with records lost. And what a
//! `kill -9` leaves: step scripts only their owner can read, removed at the
//! next start.

use crate::support::daemon::wait_until;
use crate::support::Test;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A job whose first step waits for the file `$GO`, so the test can break
/// the store while the run is under way.
const WAITING_JOB: &str = "
on: push
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: while [ ! -f \"$GO\" ]; do sleep 0.05; done
      - run: echo trained
";

fn start_run(test: &Test) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "--backend", "host", "--store", "store", "--env"])
        .arg(format!("GO={}", test.path().join("go").display()))
        .current_dir(test.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mlci run")
}

/// Waits until the first step is recorded as running.
fn wait_for_first_step(dir: &Path) {
    let db = dir.join("store").join("mlci.db");
    wait_until("the first step to be recorded", Duration::from_secs(60), || {
        let Ok(conn) = rusqlite::Connection::open(&db) else {
            return false;
        };
        conn.query_row("SELECT count(*) FROM steps WHERE status = 'running'", [], |r| {
            r.get::<_, i64>(0)
        })
        .is_ok_and(|n| n == 1)
    });
}

fn finish(test: &Test, child: Child) -> (Option<i32>, String) {
    std::fs::write(test.path().join("go"), "").expect("write go");
    let output = child.wait_with_output().expect("wait for mlci");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_store_write_that_fails_mid_run_makes_the_exit_say_so() {
    let test = Test::new().workflow("ci.yml", WAITING_JOB);
    let child = start_run(&test);
    wait_for_first_step(test.path());
    let conn = rusqlite::Connection::open(test.path().join("store").join("mlci.db")).expect("open");
    conn.execute_batch("DROP TABLE steps").expect("drop the steps table");
    let (code, stderr) = finish(&test, child);
    assert_eq!(code, Some(7), "{stderr}");
    assert!(
        stderr.contains(
            "error: the run ended (success), but its record is incomplete: failed to record the run: \
             failed to record a step's end in the run database: no such table: steps"
        ),
        "{stderr}"
    );
}

#[test]
fn a_store_deleted_mid_run_makes_the_exit_say_so() {
    let test = Test::new().workflow("ci.yml", WAITING_JOB);
    let child = start_run(&test);
    wait_for_first_step(test.path());
    for file in ["mlci.db", "mlci.db-wal", "mlci.db-shm"] {
        let _ = std::fs::remove_file(test.path().join("store").join(file));
    }
    let (code, stderr) = finish(&test, child);
    assert_eq!(code, Some(7), "{stderr}");
    let db = test.path().join("store").join("mlci.db");
    let expected = format!(
        "the run database {} was deleted or replaced while mlci was writing to it",
        db.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn step_scripts_are_private_and_removed_at_the_next_start_after_kill_9() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new().workflow("ci.yml", WAITING_JOB);
    let mut child = start_run(&test);
    wait_for_first_step(test.path());
    let attempt = test.path().join("store/runs/1/work/train-0/attempt-1");
    let script = attempt.join("temp/step-0.sh");
    // The step is recorded as started a moment before its script is written.
    wait_until("the step's script", Duration::from_secs(60), || script.exists());
    let mode = |path: &Path| std::fs::metadata(path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&script), 0o600);
    assert_eq!(mode(&attempt), 0o700);
    child.kill().expect("kill -9 mlci");
    child.wait().expect("reap mlci");
    assert!(script.exists(), "kill -9 leaves the script behind");

    let (code, stderr) = finish(&test, start_run(&test));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!test.path().join("store/runs/1/work").exists());
}
