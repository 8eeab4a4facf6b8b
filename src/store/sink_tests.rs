//! A whole run fed to a [`StoreSink`]: the exact rows and log files it
//! leaves, read back through a fresh [`Store`].

use super::*;
use crate::report::events::{EventSink, JobKey, LineKind, Outcome, RunEvent};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Map, Value};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A clock the test sets: `2025-01-02T03:04:00Z` plus the seconds set.
pub(super) struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub(super) fn new() -> (TestClock, Clock) {
        let seconds = Arc::new(AtomicI64::new(0));
        let shared = Arc::clone(&seconds);
        let clock: Clock = Arc::new(move || base() + chrono::Duration::seconds(shared.load(Ordering::SeqCst)));
        (TestClock(seconds), clock)
    }

    pub(super) fn set(&self, seconds: i64) {
        self.0.store(seconds, Ordering::SeqCst);
    }
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 0)
        .single()
        .expect("a valid time")
}

/// The timestamp the store writes at second `s` of the test clock.
pub(super) fn at(s: i64) -> Option<String> {
    Some(format!("2025-01-02T03:{:02}:{:02}.000Z", 4 + s / 60, s % 60))
}

pub(super) fn key(job: &str, leg: usize, name: &str) -> JobKey {
    JobKey {
        job: job.into(),
        leg,
        name: name.into(),
    }
}

/// The `RunStarted` a sink needs before a run's other events.
pub(super) fn run_started(run_id: i64) -> RunEvent {
    RunEvent::RunStarted {
        run_id,
        workflow: "CI".into(),
        path: String::new(),
        event: "push".into(),
        git_ref: String::new(),
        sha: String::new(),
        rerun_of: None,
    }
}

pub(super) fn new_run() -> NewRun {
    NewRun {
        workflow: "CI".into(),
        path: ".github/workflows/ci.yml".into(),
        event: "push".into(),
        git_ref: "refs/heads/main".into(),
        sha: "0123456789abcdef0123456789abcdef01234567".into(),
        rerun_of: None,
        needs: [("build", vec![]), ("test", vec!["build".to_string()])]
            .into_iter()
            .map(|(job, needs)| (job.to_string(), needs))
            .collect(),
    }
}

pub(super) fn started(job: &JobKey, attempt: u32, attempts: u32, gpus: &[&str]) -> RunEvent {
    RunEvent::JobStarted {
        job: job.clone(),
        attempt,
        attempts,
        backend: "docker".into(),
        image: Some("mlci/ubuntu:24.04".into()),
        gpus: gpus.iter().map(|g| g.to_string()).collect(),
    }
}

fn step_started(job: &JobKey, step: usize, name: &str) -> RunEvent {
    RunEvent::StepStarted {
        job: job.clone(),
        step,
        name: name.into(),
    }
}

fn line(job: &JobKey, step: Option<usize>, kind: LineKind, line: &str) -> RunEvent {
    RunEvent::Output {
        job: job.clone().into(),
        step,
        kind,
        line: line.into(),
    }
}

fn step_finished(job: &JobKey, step: usize, name: &str, outcome: Outcome, conclusion: Outcome, code: i64) -> RunEvent {
    RunEvent::StepFinished {
        job: job.clone(),
        step,
        name: name.into(),
        outcome,
        conclusion,
        exit_code: Some(code),
        seconds: 1.0,
    }
}

fn job_finished(job: &JobKey, result: Outcome, attempts: u32, outputs: Value, reason: Option<&str>) -> RunEvent {
    RunEvent::JobFinished {
        job: job.clone(),
        result,
        attempts,
        seconds: 1.0,
        outputs: outputs.as_object().cloned().unwrap_or_default(),
        reason: reason.map(str::to_string),
    }
}

/// Records a run of `CI` into the store in `dir`: `build` (three steps, one
/// skipped), a matrix `test` with two legs (the second fails), `train`
/// retried once, and `deploy` skipped. Returns the run id.
pub(super) fn record_run(dir: &Path) -> i64 {
    let (clock, time) = TestClock::new();
    let store = Store::open_with_clock(dir, time).expect("open the store");
    let run_id = store.begin_run(&new_run()).expect("begin a run");
    let sink = store.sink().expect("a sink");
    let build = key("build", 0, "build");
    let py310 = key("test", 0, "test (3.10)");
    let py311 = key("test", 1, "test (3.11)");
    let train = key("train", 0, "Train the model");
    let deploy = key("deploy", 0, "deploy");
    let feed = |second: i64, event: RunEvent| {
        clock.set(second);
        sink.emit(&event);
    };
    feed(
        0,
        RunEvent::RunStarted {
            run_id,
            workflow: "CI".into(),
            path: ".github/workflows/ci.yml".into(),
            event: "push".into(),
            git_ref: "refs/heads/main".into(),
            sha: "0123456789abcdef0123456789abcdef01234567".into(),
            rerun_of: None,
        },
    );
    feed(1, started(&build, 1, 1, &[]));
    feed(1, step_started(&build, 0, "Checkout"));
    feed(1, line(&build, Some(0), LineKind::Output, "checked out 0123456"));
    feed(
        2,
        step_finished(&build, 0, "Checkout", Outcome::Success, Outcome::Success, 0),
    );
    feed(2, step_started(&build, 1, "Compile"));
    feed(2, line(&build, Some(1), LineKind::Group, "cargo build"));
    feed(3, line(&build, Some(1), LineKind::Output, "Compiling mlci v0.1.0"));
    // mlci's own heading is a mark; the tool's look-alike is its text.
    feed(3, line(&build, Some(1), LineKind::Runner, "▶ inner step"));
    feed(3, line(&build, Some(1), LineKind::Output, "Error: from the tool"));
    feed(3, line(&build, Some(1), LineKind::EndGroup, ""));
    feed(3, line(&build, Some(1), LineKind::Warning, "unused variable: `x`"));
    feed(
        5,
        step_finished(&build, 1, "Compile", Outcome::Success, Outcome::Success, 0),
    );
    feed(
        5,
        RunEvent::StepSkipped {
            job: build.clone(),
            step: 2,
            name: "Upload".into(),
            reason: "if: failure() was false".into(),
        },
    );
    feed(
        5,
        job_finished(&build, Outcome::Success, 1, json!({"version": "1.2"}), None),
    );
    // The two legs of `test` run at once; the first waits for a GPU.
    feed(
        6,
        RunEvent::JobWaiting {
            job: py310.clone(),
            reason: "waiting for 1 GPU".into(),
        },
    );
    feed(6, started(&py311, 1, 1, &[]));
    feed(7, started(&py310, 1, 1, &["0"]));
    feed(7, line(&py310, None, LineKind::Runner, "leased GPU 0"));
    feed(7, step_started(&py310, 0, "pytest"));
    feed(7, step_started(&py311, 0, "pytest"));
    feed(8, line(&py311, Some(0), LineKind::Output, "1 failed"));
    feed(8, line(&py310, Some(0), LineKind::Output, "12 passed"));
    feed(8, line(&py311, Some(0), LineKind::Error, "test_io.py:3: assert 1 == 2"));
    feed(
        9,
        step_finished(&py311, 0, "pytest", Outcome::Failure, Outcome::Failure, 1),
    );
    feed(9, job_finished(&py311, Outcome::Failure, 1, json!({}), None));
    feed(
        10,
        step_finished(&py310, 0, "pytest", Outcome::Success, Outcome::Success, 0),
    );
    feed(10, job_finished(&py310, Outcome::Success, 1, json!({}), None));
    // `train` fails its first attempt and passes its second.
    feed(10, started(&train, 1, 2, &["0", "1"]));
    feed(10, step_started(&train, 0, "Train"));
    feed(11, line(&train, Some(0), LineKind::Output, "epoch 1: loss nan"));
    feed(
        12,
        step_finished(&train, 0, "Train", Outcome::Failure, Outcome::Failure, 137),
    );
    feed(12, line(&train, None, LineKind::Runner, "attempt 1 failed; retrying"));
    feed(13, started(&train, 2, 2, &["0", "1"]));
    feed(13, step_started(&train, 0, "Train"));
    feed(14, line(&train, Some(0), LineKind::Output, "epoch 1: loss 0.31"));
    feed(
        16,
        step_finished(&train, 0, "Train", Outcome::Success, Outcome::Success, 0),
    );
    feed(
        16,
        job_finished(&train, Outcome::Success, 2, json!({"model": "runs/7/model.pt"}), None),
    );
    feed(
        16,
        RunEvent::JobSkipped {
            job: deploy.clone(),
            reason: "a job it needs failed: test".into(),
        },
    );
    feed(
        17,
        RunEvent::RunFinished {
            run_id,
            result: Outcome::Failure,
            seconds: 17.0,
        },
    );
    assert_eq!(sink.take_error(), None);
    drop(sink);
    clock.set(18);
    store.finish_run(run_id, Outcome::Failure, 1).expect("finish the run");
    run_id
}

#[allow(clippy::too_many_arguments)]
fn step(
    attempt: u32,
    step: usize,
    name: &str,
    result: Outcome,
    exit_code: i64,
    from: i64,
    to: i64,
    log: &str,
) -> StepRow {
    StepRow {
        attempt,
        step,
        name: name.into(),
        status: Status::Finished,
        outcome: Some(result),
        conclusion: Some(result),
        exit_code: Some(exit_code),
        started_at: at(from),
        finished_at: at(to),
        reason: None,
        log: Some(log.into()),
    }
}

fn job(key: &JobKey, result: Outcome, attempts: u32, from: i64, to: i64, gpus: &[&str]) -> JobRow {
    JobRow {
        job: key.job.clone(),
        leg: key.leg,
        name: key.name.clone(),
        status: Status::Finished,
        result: Some(result),
        attempts,
        max_attempts: Some(attempts),
        backend: Some("docker".into()),
        image: Some("mlci/ubuntu:24.04".into()),
        gpus: gpus.iter().map(|g| g.to_string()).collect(),
        started_at: at(from),
        finished_at: at(to),
        outputs: Map::new(),
        reason: None,
        log_dir: format!("runs/1/{}-{}", key.job, key.leg),
        slurm: None,
        steps: Vec::new(),
    }
}

fn expected_detail() -> RunDetail {
    let run = RunRow {
        id: 1,
        workflow: "CI".into(),
        path: ".github/workflows/ci.yml".into(),
        event: "push".into(),
        git_ref: "refs/heads/main".into(),
        sha: "0123456789abcdef0123456789abcdef01234567".into(),
        status: Status::Finished,
        result: Some(Outcome::Failure),
        started_at: at(0).unwrap(),
        finished_at: at(17),
        exit_code: Some(1),
        pid: i64::from(std::process::id()),
        rerun_of: None,
    };
    let build = JobRow {
        outputs: json!({"version": "1.2"}).as_object().cloned().unwrap(),
        steps: vec![
            step(1, 0, "Checkout", Outcome::Success, 0, 1, 2, "runs/1/build-0/0.log"),
            step(1, 1, "Compile", Outcome::Success, 0, 2, 5, "runs/1/build-0/1.log"),
            StepRow {
                attempt: 1,
                step: 2,
                name: "Upload".into(),
                status: Status::Finished,
                outcome: Some(Outcome::Skipped),
                conclusion: Some(Outcome::Skipped),
                exit_code: None,
                started_at: None,
                finished_at: at(5),
                reason: Some("if: failure() was false".into()),
                log: None,
            },
        ],
        ..job(&key("build", 0, "build"), Outcome::Success, 1, 1, 5, &[])
    };
    let py311 = JobRow {
        steps: vec![step(1, 0, "pytest", Outcome::Failure, 1, 7, 9, "runs/1/test-1/0.log")],
        ..job(&key("test", 1, "test (3.11)"), Outcome::Failure, 1, 6, 9, &[])
    };
    let py310 = JobRow {
        steps: vec![step(1, 0, "pytest", Outcome::Success, 0, 7, 10, "runs/1/test-0/0.log")],
        ..job(&key("test", 0, "test (3.10)"), Outcome::Success, 1, 7, 10, &["0"])
    };
    let train = JobRow {
        outputs: json!({"model": "runs/7/model.pt"}).as_object().cloned().unwrap(),
        steps: vec![
            step(1, 0, "Train", Outcome::Failure, 137, 10, 12, "runs/1/train-0/0.log"),
            step(
                2,
                0,
                "Train",
                Outcome::Success,
                0,
                13,
                16,
                "runs/1/train-0/0.attempt2.log",
            ),
        ],
        ..job(
            &key("train", 0, "Train the model"),
            Outcome::Success,
            2,
            10,
            16,
            &["0", "1"],
        )
    };
    let deploy = JobRow {
        job: "deploy".into(),
        leg: 0,
        name: "deploy".into(),
        status: Status::Finished,
        result: Some(Outcome::Skipped),
        attempts: 0,
        max_attempts: None,
        backend: None,
        image: None,
        gpus: Vec::new(),
        started_at: None,
        finished_at: at(16),
        outputs: Map::new(),
        reason: Some("a job it needs failed: test".into()),
        log_dir: "runs/1/deploy-0".into(),
        slurm: None,
        steps: Vec::new(),
    };
    // `test (3.10)` was first reported (waiting) before `test (3.11)` started.
    RunDetail {
        run,
        jobs: vec![build, py310, py311, train, deploy],
    }
}

/// Every file under `dir/runs`, relative, with its content.
fn log_tree(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("read a log folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("under the root")
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, std::fs::read_to_string(&path).expect("read a log")));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &dir.join("runs"), &mut files);
    files.sort();
    files
}

fn file(path: &str, content: &str) -> (String, String) {
    (path.to_string(), content.to_string())
}

#[test]
fn a_recorded_run_reads_back_row_for_row() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store_dir = dir.path().join("store");
    let run_id = record_run(&store_dir);
    assert_eq!(run_id, 1);
    let store = Store::open(&store_dir).expect("reopen the store");
    let detail = store.run(1).expect("read the run").expect("run 1 exists");
    assert_eq!(detail, expected_detail());
    assert_eq!(store.runs(10).expect("list runs"), vec![expected_detail().run]);
    assert_eq!(store.run(2).expect("read run 2"), None);
}

#[test]
fn output_goes_to_one_log_per_step_and_attempt() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    record_run(dir.path());
    assert_eq!(
        log_tree(dir.path()),
        vec![
            file("runs/1/build-0/0.log", "checked out 0123456\n"),
            file(
                "runs/1/build-0/1.log",
                "▶ cargo build\nCompiling mlci v0.1.0\n▶ inner step\n\x1b[0mError: from the tool\n◀\nWarning: unused variable: `x`\n"
            ),
            file("runs/1/test-0/0.log", "12 passed\n"),
            file("runs/1/test-0/job.log", "leased GPU 0\n"),
            file("runs/1/test-1/0.log", "1 failed\nError: test_io.py:3: assert 1 == 2\n"),
            file("runs/1/train-0/0.attempt2.log", "epoch 1: loss 0.31\n"),
            file("runs/1/train-0/0.log", "epoch 1: loss nan\n"),
            file("runs/1/train-0/job.log", "attempt 1 failed; retrying\n"),
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitignore")).expect("the store's .gitignore"),
        "*\n"
    );
}

#[test]
fn log_files_follow_legs_attempts_and_steps() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    record_run(dir.path());
    let store = Store::open(dir.path()).expect("open the store");
    let detail = store.run(1).expect("read the run").expect("run 1 exists");
    let listed = |job: Option<&str>| -> Vec<(String, u32, Option<String>, String)> {
        detail
            .log_files(dir.path(), job)
            .into_iter()
            .map(|f| {
                let path = f
                    .path
                    .strip_prefix(dir.path())
                    .expect("under the store")
                    .display()
                    .to_string();
                (f.leg_name, f.attempt, f.step_name, path)
            })
            .collect()
    };
    let entry = |leg: &str, attempt: u32, step: Option<&str>, path: &str| {
        (leg.to_string(), attempt, step.map(str::to_string), path.to_string())
    };
    assert_eq!(
        listed(None),
        vec![
            entry("build", 1, Some("Checkout"), "runs/1/build-0/0.log"),
            entry("build", 1, Some("Compile"), "runs/1/build-0/1.log"),
            entry("test (3.10)", 1, None, "runs/1/test-0/job.log"),
            entry("test (3.10)", 1, Some("pytest"), "runs/1/test-0/0.log"),
            entry("test (3.11)", 1, Some("pytest"), "runs/1/test-1/0.log"),
            entry("Train the model", 1, None, "runs/1/train-0/job.log"),
            entry("Train the model", 1, Some("Train"), "runs/1/train-0/0.log"),
            entry("Train the model", 2, Some("Train"), "runs/1/train-0/0.attempt2.log"),
        ]
    );
    assert_eq!(
        listed(Some("test (3.11)")),
        vec![entry("test (3.11)", 1, Some("pytest"), "runs/1/test-1/0.log")]
    );
    assert_eq!(listed(Some("test")).len(), 3);
    assert_eq!(listed(Some("deploy")), vec![]);
    assert_eq!(listed(Some("nope")), vec![]);
    assert_eq!(detail.legs(Some("test")).len(), 2);
}

#[test]
fn lines_reach_the_disk_before_the_step_ends() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    let run_id = store.begin_run(&new_run()).expect("begin a run");
    let sink = store.sink().expect("a sink");
    let build = key("build", 0, "build");
    sink.emit(&run_started(run_id));
    sink.emit(&started(&build, 1, 1, &[]));
    sink.emit(&step_started(&build, 0, "Train"));
    sink.emit(&line(&build, Some(0), LineKind::Output, "epoch 1"));
    let log = dir.path().join("runs/1/build-0/0.log");
    // The flusher writes the line within 200 ms; allow a slow machine 10 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_to_string(&log).unwrap_or_default().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&log).expect("the step's log"), "epoch 1\n");
    let detail = store.run(run_id).expect("read the run").expect("the run exists");
    assert_eq!(detail.run.status, Status::Running);
    assert_eq!(detail.jobs[0].status, Status::Running);
    assert_eq!(detail.jobs[0].steps[0].status, Status::Running);
    assert_eq!(sink.take_error(), None);
}

#[test]
fn events_before_run_started_are_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    let sink = store.sink().expect("a sink");
    let build = key("build", 0, "build");
    sink.emit(&started(&build, 1, 1, &[]));
    sink.emit(&line(&build, None, LineKind::Output, "hello"));
    assert_eq!(
        sink.take_error().as_deref(),
        Some("the run store got an event before RunStarted and recorded nothing")
    );
    assert_eq!(sink.take_error(), None, "an error is handed over once");
    assert!(!dir.path().join("runs").exists());
}

#[test]
fn a_failed_write_is_kept_and_recording_goes_on() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    let run_id = store.begin_run(&new_run()).expect("begin a run");
    // A file where the run's log folder should be: no log can be opened.
    std::fs::create_dir_all(dir.path().join("runs")).expect("create runs/");
    std::fs::write(dir.path().join("runs").join(run_id.to_string()), "").expect("block the run folder");
    let sink = store.sink().expect("a sink");
    let build = key("build", 0, "build");
    sink.emit(&run_started(run_id));
    sink.emit(&started(&build, 1, 1, &[]));
    sink.emit(&step_started(&build, 0, "Build"));
    sink.emit(&step_finished(
        &build,
        0,
        "Build",
        Outcome::Success,
        Outcome::Success,
        0,
    ));
    let error = sink.take_error().expect("the failed open is kept");
    assert!(
        error.starts_with(&format!(
            "failed to open {}",
            dir.path().join("runs/1/build-0/0.log").display()
        )),
        "{error}"
    );
    let detail = store.run(run_id).expect("read the run").expect("the run exists");
    assert_eq!(
        detail.jobs[0].steps[0].conclusion,
        Some(Outcome::Success),
        "the step's end is recorded"
    );
}
