//! `status_report` over a real store filled through the queue and a run's
//! sink, as the daemon fills it, and the report rendered.

use super::*;
use crate::daemon::queue::{NewEvent, NewQueuedRun};
use crate::report::events::{EventSink, JobKey, Outcome, RunEvent};
use crate::store::{Clock, NewRun, StoreSink};
use chrono::TimeZone;
use serde_json::json;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A clock at `2026-11-23T10:00:00Z` plus the seconds the test sets.
fn clock() -> (Arc<AtomicI64>, Clock) {
    let seconds = Arc::new(AtomicI64::new(0));
    let shared = Arc::clone(&seconds);
    let base = Utc
        .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
        .single()
        .expect("a valid time");
    let clock: Clock = Arc::new(move || base + chrono::Duration::seconds(shared.load(Ordering::SeqCst)));
    (seconds, clock)
}

fn push(branch: &str) -> NewEvent {
    NewEvent {
        repo: "vision".into(),
        name: "push".into(),
        git_ref: format!("refs/heads/{branch}"),
        after: Some("9c1d2e3f".into()),
        source: "hook".into(),
        ..NewEvent::default()
    }
}

fn queued(workflow: &str, branch: &str, sha: &str) -> NewQueuedRun {
    NewQueuedRun {
        repo: "vision".into(),
        workflow: format!(".github/workflows/{workflow}"),
        git_ref: format!("refs/heads/{branch}"),
        sha: sha.into(),
        ..NewQueuedRun::default()
    }
}

fn key(job: &str, leg: usize, name: &str) -> JobKey {
    JobKey {
        job: job.into(),
        leg,
        name: name.into(),
    }
}

fn job_started(job: &JobKey, backend: &str, image: Option<&str>, gpus: &[&str]) -> RunEvent {
    RunEvent::JobStarted {
        job: job.clone(),
        attempt: 1,
        attempts: 1,
        backend: backend.into(),
        image: image.map(str::to_string),
        gpus: gpus.iter().map(|g| g.to_string()).collect(),
    }
}

/// Begins a store run and its sink, as the daemon does for a queued run.
fn begin(store: &Store) -> (i64, StoreSink) {
    let run_id = store.begin_run(&NewRun::default()).expect("begin a run");
    let sink = store.sink().expect("a sink");
    sink.emit(&RunEvent::RunStarted {
        run_id,
        workflow: "train".into(),
        path: ".github/workflows/train.yml".into(),
        event: "push".into(),
        git_ref: "refs/heads/main".into(),
        sha: "3f2a1c9".into(),
        rerun_of: None,
    });
    (run_id, sink)
}

/// A store with one running queued run (legs: `train` on GPU 1, `test
/// (3.11)` on the host, `lint` finished, `eval` waiting), a run outside the
/// daemon holding GPU 0, two queued runs and one event not taken yet.
fn fill(dir: &Path, daemon: bool) -> i64 {
    let (seconds, clock) = clock();
    let queue = Queue::open_with_clock(dir, clock.clone()).expect("open the queue");
    if daemon {
        queue
            .claim_daemon("127.0.0.1:8080")
            .expect("record")
            .expect("no other daemon");
    }
    let store = Store::open_with_clock(dir, clock).expect("open the store");
    let event = queue.push_event(&push("main")).expect("store an event");
    let first = queue
        .accept_event(event, &[queued("train.yml", "main", "3f2a1c9d")], "1 workflow")
        .expect("accept");
    let (run_id, sink) = begin(&store);
    queue.mark_running(first[0], run_id).expect("start");
    seconds.store(62, Ordering::SeqCst);
    sink.emit(&job_started(
        &key("lint", 0, "lint"),
        "docker",
        Some("mlci/runner:bookworm"),
        &[],
    ));
    sink.emit(&RunEvent::JobFinished {
        job: key("lint", 0, "lint"),
        result: Outcome::Success,
        attempts: 1,
        seconds: 0.0,
        outputs: Default::default(),
        reason: None,
    });
    sink.emit(&job_started(
        &key("train", 0, "train"),
        "docker",
        Some("mlci/runner:bookworm"),
        &["1"],
    ));
    seconds.store(63, Ordering::SeqCst);
    sink.emit(&job_started(&key("test", 1, "test (3.11)"), "slurm", None, &[]));
    for (state, reason) in [("PENDING", "Priority"), ("PENDING", "Resources")] {
        sink.emit(&RunEvent::SlurmJob {
            job: key("test", 1, "test (3.11)"),
            attempt: 1,
            id: "42".into(),
            state: state.into(),
            reason: reason.into(),
            node: None,
            message: None,
        });
    }
    sink.emit(&RunEvent::JobWaiting {
        job: key("eval", 0, "eval"),
        reason: "waiting for 1 GPU".into(),
    });
    let (_, outside) = begin(&store);
    outside.emit(&job_started(&key("bench", 0, "bench"), "docker", None, &["0"]));
    seconds.store(120, Ordering::SeqCst);
    let event = queue.push_event(&push("dev")).expect("store an event");
    let runs = [
        queued("train.yml", "dev", "9c1d2e3f"),
        queued("eval.yml", "dev", "9c1d2e3f"),
    ];
    queue.accept_event(event, &runs, "2 workflows").expect("accept");
    queue.push_event(&push("feature")).expect("store an event");
    run_id
}

fn gpus() -> Vec<String> {
    vec!["0".to_string(), "1".to_string()]
}

#[test]
fn the_report_shows_the_daemon_its_slots_gpus_running_legs_and_queue() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let run_id = fill(dir.path(), true);
    let mut report = status_report(dir.path(), 4, &gpus()).expect("a report");
    assert_eq!(report.running.len(), 1);
    assert_eq!(report.running[0].run.run_id, Some(run_id));
    report.as_of = "2026-11-23T10:05:00.000Z".into();
    let expected = format!(
        "daemon: running (pid {}, listening on 127.0.0.1:8080, up since 2026-11-23T10:00:00Z)
capacity: 2 of 4 job slots in use; GPUs: 1 of 2 leased (1)
running:
  run {run_id}  vision  train.yml  refs/heads/main  3f2a1c9
    train (leg 0)  docker mlci/runner:bookworm  gpus 1  since 10:01:02
    test (3.11) (leg 1)  slurm  Slurm job 42 PENDING (Resources)  since 10:01:03
queued: 2 runs (oldest 10:02:00), 1 event waiting for intake
  #2  vision  train.yml  refs/heads/dev  9c1d2e3
  #3  vision  eval.yml  refs/heads/dev  9c1d2e3
recent events:
  #2  vision  push refs/heads/dev  10:02:00  done: 2 workflows
  #1  vision  push refs/heads/main  10:00:00  done: 1 workflow
",
        std::process::id()
    );
    assert_eq!(render(&report), expected);
}

#[test]
fn the_json_report_holds_the_same_data() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let run_id = fill(dir.path(), true);
    let report = serde_json::to_value(status_report(dir.path(), 4, &gpus()).expect("a report")).expect("JSON");
    assert_eq!(
        report["daemon"],
        json!({"pid": std::process::id(), "listen": "127.0.0.1:8080", "started_at": "2026-11-23T10:00:00.000Z"})
    );
    assert_eq!(
        (
            &report["capacity"],
            &report["slots_in_use"],
            &report["gpus"],
            &report["gpus_leased"]
        ),
        (&json!(4), &json!(2), &json!(["0", "1"]), &json!(["1"]))
    );
    assert_eq!(
        report["running"][0]["jobs"][0],
        json!({"run_id": run_id, "job": "train", "leg": 0, "name": "train", "backend": "docker",
               "image": "mlci/runner:bookworm", "gpus": ["1"], "started_at": "2026-11-23T10:01:02.000Z"})
    );
    assert_eq!(
        report["running"][0]["jobs"][1]["slurm"],
        json!({"attempt": 1, "id": "42", "state": "PENDING", "reason": "Resources", "node": null})
    );
    assert_eq!(report["running"][0]["run"]["workflow"], ".github/workflows/train.yml");
    let queued: Vec<&Value> = report["queued"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(queued, [&json!(2), &json!(3)]);
    assert_eq!(report["events_waiting"], 1);
    let notes: Vec<&Value> = report["recent_events"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| &e["note"])
        .collect();
    assert_eq!(notes, [&json!("2 workflows"), &json!("1 workflow")]);
}

#[test]
fn without_a_daemon_its_started_runs_read_as_interrupted() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    fill(dir.path(), false);
    let text = render(&status_report(dir.path(), 4, &gpus()).expect("a report"));
    let lines: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(
        lines,
        [
            "daemon: not running",
            "capacity: 2 of 4 job slots in use; GPUs: 1 of 2 leased (1)",
            "interrupted (the daemon resumes them when it starts):"
        ]
    );
}

#[test]
fn a_missing_store_is_an_empty_report_and_is_not_created() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = dir.path().join("store");
    let report = status_report(&store, 4, &[]).expect("a report");
    assert_eq!(
        render(&report),
        "daemon: not running
capacity: 0 of 4 job slots in use; GPUs: none
running: none
queued: no runs, no events waiting for intake
recent events: none
"
    );
    assert!(!store.exists());
}
