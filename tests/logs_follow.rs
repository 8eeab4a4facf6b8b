//! `mlci logs -f` following a run that another `mlci` process is recording:
//! it prints a step's lines as they come and exits by itself when the run ends.

use crate::support::Test;
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// No wait in this test lasts longer: a hung `mlci` fails it instead.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `mlci` whose stdout lines arrive on a channel (stderr goes to
/// a file, for failure messages). Killed if the test ends before it does.
struct Mlci {
    child: Child,
    lines: Receiver<String>,
    stderr: std::path::PathBuf,
    deadline: Instant,
}

impl Mlci {
    fn start(args: &[&str], dir: &Path, stderr: &str) -> Mlci {
        let stderr = dir.join(stderr);
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlci"))
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr).expect("create a stderr file"))
            .spawn()
            .expect("start mlci");
        let stdout = child.stdout.take().expect("a piped stdout");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Mlci {
            child,
            lines,
            stderr,
            deadline: Instant::now() + PATIENCE,
        }
    }

    /// The next line of stdout; None once it is closed.
    fn next_line(&self) -> Option<String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => Some(line),
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => panic!("mlci printed nothing for too long; stderr:\n{}", self.stderr()),
        }
    }

    /// Every line left on stdout, until it is closed.
    fn rest(&self) -> Vec<String> {
        std::iter::from_fn(|| self.next_line()).collect()
    }

    /// Its exit status, once it exits by itself.
    fn exit(&mut self) -> ExitStatus {
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for mlci") {
                return status;
            }
            assert!(
                Instant::now() < self.deadline,
                "mlci did not exit; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Mlci {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn logs_follow_prints_a_live_step_and_exits_when_the_run_ends() {
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          train:
            runs-on: ubuntu-latest
            steps:
              - name: fit
                run: |
                  echo first
                  # Waits for the test, which creates `go` once it saw `first`
                  # (for longer than the test waits for `first`).
                  for i in $(seq 2400); do [ -e "$GO_DIR/go" ] && break; sleep 0.05; done
                  test -e "$GO_DIR/go"
                  echo second
              - name: report
                run: echo third
        "#,
    );
    let dir = test.path();
    let store = dir.join("store").to_string_lossy().into_owned();
    let go_dir = format!("GO_DIR={}", dir.display());
    let mut run = Mlci::start(
        &[
            "run",
            "--backend",
            "host",
            "--json",
            "--store",
            &store,
            "--env",
            &go_dir,
        ],
        dir,
        "run.stderr",
    );
    // The run's id, from its first event.
    let started: Value = serde_json::from_str(&run.next_line().expect("a first event")).expect("JSON");
    assert_eq!(started["type"], "run_started");
    let run_id = started["run_id"].to_string();

    let mut follower = Mlci::start(&["logs", "-f", &run_id, "--store", &store], dir, "logs.stderr");
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("first") {
        let line = follower.next_line();
        seen.push(line.unwrap_or_else(|| panic!("`logs -f` ended before `first`: {seen:?}")));
    }
    std::fs::write(dir.join("go"), "").expect("create the go file");
    seen.extend(follower.rest());
    assert_eq!(
        seen.join("\n"),
        "==> train / fit <==\nfirst\nsecond\n\n==> train / report <==\nthird",
        "stderr of `logs -f`:\n{}",
        follower.stderr()
    );
    assert_eq!(follower.exit().code(), Some(0), "stderr:\n{}", follower.stderr());
    run.rest();
    assert_eq!(run.exit().code(), Some(0), "stderr of `run`:\n{}", run.stderr());
}
