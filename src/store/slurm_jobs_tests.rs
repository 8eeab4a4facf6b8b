//! Each attempt's Slurm job in the store: what `SlurmJob` events record,
//! what a leg reads back, the v4 → v5 migration, and the restart's words.

use super::sink_tests::{key, new_run, run_started, started as job_started};
use super::*;
use crate::report::events::{EventSink, JobKey, RunEvent};

fn started(sink: &StoreSink, run_id: i64) {
    sink.emit(&run_started(run_id));
}

/// A store in a new folder, with a run begun and its sink told so.
fn recording() -> (tempfile::TempDir, Store, i64, StoreSink) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    let run = store.begin_run(&new_run()).expect("begin a run");
    let sink = store.sink().expect("a sink");
    started(&sink, run);
    (dir, store, run, sink)
}

fn slurm(job: &JobKey, attempt: u32, id: &str, state: &str, reason: &str, node: Option<&str>) -> RunEvent {
    RunEvent::SlurmJob {
        job: job.clone(),
        attempt,
        id: id.into(),
        state: state.into(),
        reason: reason.into(),
        node: node.map(str::to_string),
        message: None,
    }
}

#[test]
fn a_legs_slurm_job_is_its_latest_attempts_and_keeps_its_node() {
    let (_dir, store, run, sink) = recording();
    let train = key("train", 0, "train");
    sink.emit(&slurm(&train, 1, "41", "PENDING", "Resources", None));
    sink.emit(&slurm(&train, 1, "41", "RUNNING", "None", Some("vm")));
    sink.emit(&slurm(&train, 1, "41", "NODE_FAIL", "None", None));
    let first = store.run(run).expect("read").expect("the run").jobs[0].slurm.clone();
    assert_eq!(
        first,
        Some(SlurmJobRow {
            attempt: 1,
            id: "41".into(),
            state: "NODE_FAIL".into(),
            reason: "None".into(),
            node: Some("vm".into()),
        })
    );
    // A retry submits a new job: that one is the leg's now.
    sink.emit(&slurm(&train, 2, "42", "PENDING", "Priority", None));
    let leg = &store.run(run).expect("read").expect("the run").jobs[0];
    let second = leg.slurm.as_ref().expect("a Slurm job");
    assert_eq!((second.attempt, second.id.as_str()), (2, "42"));
    assert_eq!(second.describe(), "Slurm job 42 PENDING (Priority)");
    assert_eq!(first.expect("the first").describe(), "Slurm job 41 NODE_FAIL");
    drop(sink);
    let json = serde_json::to_value(leg).expect("JSON");
    assert_eq!(
        json["slurm"],
        serde_json::json!({"attempt": 2, "id": "42", "state": "PENDING", "reason": "Priority", "node": null})
    );
}

#[test]
fn a_leg_without_a_slurm_job_has_none_and_no_json_key() {
    let (_dir, store, run, sink) = recording();
    sink.emit(&RunEvent::JobWaiting {
        job: key("lint", 0, "lint"),
        reason: "waiting for 1 GPU".into(),
    });
    drop(sink);
    let leg = &store.run(run).expect("read").expect("the run").jobs[0];
    assert_eq!(leg.slurm, None);
    let json = serde_json::to_value(leg).expect("JSON");
    assert!(json.get("slurm").is_none(), "{json}");
}

#[test]
fn a_version_4_store_gains_the_slurm_jobs_table_and_keeps_its_runs() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    let run = store.begin_run(&new_run()).expect("begin a run");
    // As mlci before schema 5 left it.
    store
        .conn
        .execute_batch("DROP TABLE slurm_jobs; ALTER TABLE runs DROP COLUMN needs; PRAGMA user_version = 4;")
        .expect("go back to version 4");
    drop(store);
    let store = Store::open(dir.path()).expect("reopen the store");
    let version: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("the version");
    assert_eq!(version, super::schema::VERSION);
    let sink = store.sink().expect("a sink");
    started(&sink, run);
    sink.emit(&slurm(&key("train", 0, "train"), 1, "7", "RUNNING", "None", Some("n1")));
    drop(sink);
    let leg = &store.run(run).expect("read").expect("the run").jobs[0];
    assert_eq!(leg.slurm.as_ref().map(|s| s.id.as_str()), Some("7"));
}

#[test]
fn the_restart_says_which_slurm_jobs_it_cancelled() {
    let run = |jobs: &[&str]| AbandonedRun {
        id: 3,
        cancelled_slurm_jobs: jobs.iter().map(|j| j.to_string()).collect(),
    };
    assert_eq!(run(&[]).note(), None);
    assert_eq!(
        run(&["42"]).note().as_deref(),
        Some("run 3 was interrupted (its mlci is gone); cancelled its Slurm job 42")
    );
    assert_eq!(
        run(&["42", "43"]).note().as_deref(),
        Some("run 3 was interrupted (its mlci is gone); cancelled its Slurm jobs 42, 43")
    );
}

#[test]
fn a_leg_in_slurms_queue_is_waiting_with_its_reason_until_slurm_starts_it() {
    let (_dir, store, run, sink) = recording();
    let train = key("train", 0, "train");
    sink.emit(&job_started(&train, 1, 1, &[]));
    let mut pending = slurm(&train, 1, "43", "PENDING", "Resources", None);
    if let RunEvent::SlurmJob { message, .. } = &mut pending {
        *message = Some("waiting for GPUs: Resources (Slurm job 43)".into());
    }
    sink.emit(&pending);
    let leg = store.run(run).expect("read").expect("the run").jobs[0].clone();
    assert_eq!(leg.status, Status::Waiting);
    assert_eq!(
        leg.reason.as_deref(),
        Some("waiting for GPUs: Resources (Slurm job 43)")
    );
    sink.emit(&slurm(&train, 1, "43", "RUNNING", "None", Some("vm")));
    let leg = store.run(run).expect("read").expect("the run").jobs[0].clone();
    assert_eq!((leg.status, leg.reason), (Status::Running, None));
}
