//! `mlci runs`, `show` and `logs` on a store written through the library
//! (`Store` and `StoreSink` fed the events of a run), as `mlci run` will.

use crate::support::Test;
use chrono::{DateTime, TimeZone, Utc};
use mlci::report::events::{EventSink, JobKey, LineKind, Outcome, RunEvent};
use mlci::store::{Clock, NewRun, Store};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tempfile::TempDir;

/// Second 0 of every recorded run's clock.
fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 0)
        .single()
        .expect("a valid time")
}

fn key(job: &str, leg: usize, name: &str) -> JobKey {
    JobKey {
        job: job.into(),
        leg,
        name: name.into(),
    }
}

/// Feeds events to a sink, each at a second of the store's clock.
struct Feed {
    seconds: Arc<AtomicI64>,
    sink: mlci::store::StoreSink,
}

impl Feed {
    fn at(&self, second: i64, event: RunEvent) {
        self.seconds.store(second, Ordering::SeqCst);
        self.sink.emit(&event);
    }

    fn line(&self, second: i64, job: &JobKey, step: Option<usize>, kind: LineKind, line: &str) {
        self.at(
            second,
            RunEvent::Output {
                job: job.clone().into(),
                step,
                kind,
                line: line.into(),
            },
        );
    }

    fn job(&self, second: i64, job: &JobKey, attempt: u32, attempts: u32, gpus: &[&str]) {
        self.at(
            second,
            RunEvent::JobStarted {
                job: job.clone(),
                attempt,
                attempts,
                backend: "docker".into(),
                image: Some("mlci/ubuntu:24.04".into()),
                gpus: gpus.iter().map(|g| g.to_string()).collect(),
            },
        );
    }

    fn step(&self, second: i64, job: &JobKey, step: usize, name: &str) {
        self.at(
            second,
            RunEvent::StepStarted {
                job: job.clone(),
                step,
                name: name.into(),
            },
        );
    }

    /// A step that exited with `code` (its outcome), concluded as `conclusion`.
    fn step_done(&self, second: i64, job: &JobKey, step: usize, name: &str, code: i64, conclusion: Outcome) {
        let outcome = if code == 0 { Outcome::Success } else { Outcome::Failure };
        self.at(
            second,
            RunEvent::StepFinished {
                job: job.clone(),
                step,
                name: name.into(),
                outcome,
                conclusion,
                exit_code: Some(code),
                seconds: 0.0,
            },
        );
    }

    fn job_done(&self, second: i64, job: &JobKey, result: Outcome, attempts: u32) {
        self.at(
            second,
            RunEvent::JobFinished {
                job: job.clone(),
                result,
                attempts,
                seconds: 0.0,
                outputs: Default::default(),
                reason: None,
            },
        );
    }
}

/// A store holding two runs of `CI`: run 1 finished (a failed matrix leg, a
/// retried job, a skipped step and job), run 2 still going on (begun by this
/// test process, which is alive while `mlci` reads it).
fn store() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    record(dir.path());
    dir
}

/// Records the two runs of [`store`] into the store in `dir`.
fn record(dir: &Path) {
    let seconds = Arc::new(AtomicI64::new(0));
    let shared = Arc::clone(&seconds);
    let clock: Clock = Arc::new(move || base() + chrono::Duration::seconds(shared.load(Ordering::SeqCst)));
    let store = Store::open_with_clock(dir, clock).expect("open the store");
    let run = NewRun {
        workflow: "CI".into(),
        path: ".github/workflows/ci.yml".into(),
        event: "push".into(),
        git_ref: "refs/heads/main".into(),
        sha: "0123456789abcdef0123456789abcdef01234567".into(),
        rerun_of: None,
        needs: Default::default(),
    };
    let run_id = store.begin_run(&run).expect("begin run 1");
    let feed = Feed {
        seconds: Arc::clone(&seconds),
        sink: store.sink().expect("a sink"),
    };
    let build = key("build", 0, "build");
    let py310 = key("test", 0, "test (3.10)");
    let py311 = key("test", 1, "test (3.11)");
    let train = key("train", 0, "Train the model");
    feed.at(
        0,
        RunEvent::RunStarted {
            run_id,
            workflow: run.workflow.clone(),
            path: run.path.clone(),
            event: run.event.clone(),
            git_ref: run.git_ref.clone(),
            sha: run.sha.clone(),
            rerun_of: None,
        },
    );
    feed.job(1, &build, 1, 1, &[]);
    feed.step(1, &build, 1, "Checkout");
    feed.line(1, &build, Some(1), LineKind::Output, "checked out 0123456");
    feed.step_done(2, &build, 1, "Checkout", 0, Outcome::Success);
    feed.step(2, &build, 2, "Lint");
    feed.line(2, &build, Some(2), LineKind::Group, "ruff check");
    feed.line(3, &build, Some(2), LineKind::Output, "src/io.py:1: unused import");
    feed.line(3, &build, Some(2), LineKind::EndGroup, "");
    feed.line(3, &build, Some(2), LineKind::Warning, "lint found 1 problem");
    feed.step_done(4, &build, 2, "Lint", 1, Outcome::Success);
    feed.at(
        4,
        RunEvent::StepSkipped {
            job: build.clone(),
            step: 3,
            name: "Upload".into(),
            reason: "if: failure() was false".into(),
        },
    );
    feed.job_done(4, &build, Outcome::Success, 1);
    feed.job(5, &py310, 1, 1, &["0"]);
    feed.job(5, &py311, 1, 1, &["1"]);
    feed.step(5, &py310, 1, "pytest");
    feed.step(5, &py311, 1, "pytest");
    feed.line(6, &py311, Some(1), LineKind::Error, "test_io.py:3: assert 1 == 2");
    feed.line(7, &py310, Some(1), LineKind::Output, "12 passed");
    feed.step_done(7, &py311, 1, "pytest", 1, Outcome::Failure);
    feed.job_done(7, &py311, Outcome::Failure, 1);
    feed.step_done(8, &py310, 1, "pytest", 0, Outcome::Success);
    feed.job_done(8, &py310, Outcome::Success, 1);
    feed.job(8, &train, 1, 2, &["0", "1"]);
    feed.step(8, &train, 1, "Train");
    feed.line(9, &train, Some(1), LineKind::Output, "epoch 1: loss nan");
    feed.step_done(10, &train, 1, "Train", 137, Outcome::Failure);
    feed.line(10, &train, None, LineKind::Runner, "attempt 1 failed; retrying");
    feed.job(11, &train, 2, 2, &["0", "1"]);
    feed.step(11, &train, 1, "Train");
    feed.line(12, &train, Some(1), LineKind::Output, "epoch 1: loss 0.31");
    feed.step_done(80, &train, 1, "Train", 0, Outcome::Success);
    feed.job_done(80, &train, Outcome::Success, 2);
    feed.at(
        80,
        RunEvent::JobSkipped {
            job: key("deploy", 0, "deploy"),
            reason: "a job it needs failed: test".into(),
        },
    );
    feed.at(
        81,
        RunEvent::RunFinished {
            run_id,
            result: Outcome::Failure,
            seconds: 81.0,
        },
    );
    assert_eq!(feed.sink.take_error(), None);
    store.finish_run(run_id, Outcome::Failure, 1).expect("finish run 1");
    seconds.store(3600, Ordering::SeqCst);
    store
        .begin_run(&NewRun {
            event: "workflow_dispatch".into(),
            git_ref: "refs/tags/v1.0".into(),
            rerun_of: Some(run_id),
            ..run
        })
        .expect("begin run 2");
}

fn arg(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn runs_lists_newest_first() {
    let store = store();
    Test::new()
        .args(&["runs", "--store", &arg(store.path())])
        .stdout(
            "
            ID  WORKFLOW  EVENT              REF   SHA      RESULT   STARTED (UTC)        DURATION
            2   CI        workflow_dispatch  v1.0  0123456  running  2025-01-02 04:04:00  -
            1   CI        push               main  0123456  failure  2025-01-02 03:04:00  1m 21s
            ",
        )
        .run();
    Test::new()
        .args(&["runs", "-n", "1", "--store", &arg(store.path())])
        .stdout(
            "
            ID  WORKFLOW  EVENT              REF   SHA      RESULT   STARTED (UTC)        DURATION
            2   CI        workflow_dispatch  v1.0  0123456  running  2025-01-02 04:04:00  -
            ",
        )
        .run();
}

#[test]
fn runs_as_json() {
    let store = store();
    let output = Test::new()
        .args(&["runs", "--json", "--store", &arg(store.path())])
        .run();
    let runs: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        runs[1],
        json!({
            "id": 1,
            "workflow": "CI",
            "path": ".github/workflows/ci.yml",
            "event": "push",
            "git_ref": "refs/heads/main",
            "sha": "0123456789abcdef0123456789abcdef01234567",
            "status": "finished",
            "result": "failure",
            "started_at": "2025-01-02T03:04:00.000Z",
            "finished_at": "2025-01-02T03:05:21.000Z",
            "exit_code": 1,
            "pid": std::process::id(),
            "rerun_of": null,
        })
    );
    assert_eq!(runs[0]["rerun_of"], json!(1));
    assert_eq!(runs.as_array().map(Vec::len), Some(2));
}

#[test]
fn runs_in_an_empty_store() {
    let test = Test::new();
    let dir = test.path().join("nothing-here");
    let message = format!("no runs recorded in {}\n", dir.display());
    test.args(&["runs", "--store", &arg(&dir)])
        .stdout("")
        .stderr(&message)
        .run();
}

#[test]
fn runs_reads_the_store_at_the_repository_root_by_default() {
    let test = Test::new();
    git2::Repository::init(test.path()).expect("init a repository");
    record(&test.path().join(".mlci"));
    test.args(&["runs", "-n", "1"])
        .stdout(
            "
            ID  WORKFLOW  EVENT              REF   SHA      RESULT   STARTED (UTC)        DURATION
            2   CI        workflow_dispatch  v1.0  0123456  running  2025-01-02 04:04:00  -
            ",
        )
        .run();
}

#[test]
fn show_lists_jobs_attempts_and_steps() {
    let store = store();
    Test::new()
        .args(&["show", "1", "--store", &arg(store.path())])
        .stdout(
            "
            run 1: CI (.github/workflows/ci.yml)
            event:    push
            ref:      refs/heads/main
            sha:      0123456789abcdef0123456789abcdef01234567
            result:   failure, exit code 1
            started:  2025-01-02 03:04:00 UTC
            duration: 1m 21s

            build  success  1 attempt  3.0s
              1  Checkout  success                    exit 0  1.0s
              2  Lint      success (outcome failure)  exit 1  2.0s
              3  Upload    skipped                                  (if: failure() was false)

            test (3.10)  success  1 attempt  3.0s  GPUs 0
              1  pytest  success  exit 0  3.0s

            test (3.11)  failure  1 attempt  2.0s  GPUs 1
              1  pytest  failure  exit 1  2.0s

            Train the model  success  2 attempts  1m 12s  GPUs 0, 1
              attempt 1
                1  Train  failure  exit 137  2.0s
              attempt 2
                1  Train  success  exit 0  1m 09s

            deploy  skipped  (a job it needs failed: test)
            ",
        )
        .run();
    Test::new()
        .args(&["show", "2", "--store", &arg(store.path())])
        .stdout(&format!(
            "
            run 2: CI (.github/workflows/ci.yml)
            event:    workflow_dispatch
            ref:      refs/tags/v1.0
            sha:      0123456789abcdef0123456789abcdef01234567
            result:   running (mlci pid {})
            started:  2025-01-02 04:04:00 UTC
            duration: -
            rerun of: 1
            ",
            std::process::id()
        ))
        .run();
}

#[test]
fn show_as_json() {
    let store = store();
    let output = Test::new()
        .args(&["show", "1", "--json", "--store", &arg(store.path())])
        .run();
    let detail: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let train = &detail["jobs"][3];
    assert_eq!(train["job"], "train");
    assert_eq!(train["attempts"], 2);
    assert_eq!(train["gpus"], json!(["0", "1"]));
    assert_eq!(
        train["steps"][1],
        json!({
            "attempt": 2,
            "step": 1,
            "name": "Train",
            "status": "finished",
            "outcome": "success",
            "conclusion": "success",
            "exit_code": 0,
            "started_at": "2025-01-02T03:04:11.000Z",
            "finished_at": "2025-01-02T03:05:20.000Z",
            "reason": null,
            "log": "runs/1/train-0/1.attempt2.log",
        })
    );
}

#[test]
fn show_an_unknown_run() {
    let store = store();
    let message = format!(
        "error: no run 9 in {}; the latest runs are 2, 1\n",
        store.path().display()
    );
    Test::new()
        .args(&["show", "9", "--store", &arg(store.path())])
        .status(2)
        .stderr(&message)
        .run();
    let test = Test::new();
    let empty = test.path().join("empty");
    let message = format!("error: no run 1: {} holds no runs\n", empty.display());
    test.args(&["show", "1", "--store", &arg(&empty)])
        .status(2)
        .stderr(&message)
        .run();
}

#[test]
fn logs_of_every_step() {
    let store = store();
    Test::new()
        .args(&["logs", "1", "--store", &arg(store.path())])
        .stdout(
            "
            ==> build / Checkout <==
            checked out 0123456

            ==> build / Lint <==
            ▶ ruff check
            src/io.py:1: unused import
            Warning: lint found 1 problem

            ==> test (3.10) / pytest <==
            12 passed

            ==> test (3.11) / pytest <==
            Error: test_io.py:3: assert 1 == 2

            ==> Train the model, attempt 1 <==
            attempt 1 failed; retrying

            ==> Train the model, attempt 1 / Train <==
            epoch 1: loss nan

            ==> Train the model, attempt 2 / Train <==
            epoch 1: loss 0.31
            ",
        )
        .run();
}

#[test]
fn logs_of_one_job_or_leg() {
    let store = store();
    Test::new()
        .args(&["logs", "1", "test", "--store", &arg(store.path())])
        .stdout(
            "
            ==> test (3.10) / pytest <==
            12 passed

            ==> test (3.11) / pytest <==
            Error: test_io.py:3: assert 1 == 2
            ",
        )
        .run();
    Test::new()
        .args(&["logs", "1", "test (3.11)", "--store", &arg(store.path())])
        .stdout(
            "
            ==> test (3.11) / pytest <==
            Error: test_io.py:3: assert 1 == 2
            ",
        )
        .run();
    Test::new()
        .args(&["logs", "1", "deploy", "--store", &arg(store.path())])
        .stdout("")
        .run();
}

#[test]
fn logs_of_an_unknown_job_or_run() {
    let store = store();
    Test::new()
        .args(&["logs", "1", "tset", "--store", &arg(store.path())])
        .status(2)
        .stderr(
            "error: run 1 has no job `tset`; its jobs: build, test, train, deploy; \
             legs: test (3.10), test (3.11), Train the model\n",
        )
        .run();
    let message = format!(
        "error: no run 3 in {}; the latest runs are 2, 1\n",
        store.path().display()
    );
    Test::new()
        .args(&["logs", "3", "--store", &arg(store.path())])
        .status(2)
        .stderr(&message)
        .run();
}
