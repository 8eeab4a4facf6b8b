//! Opening, migrating and repairing a store: schema versions, runs left
//! `running` by a dead mlci, the default location.

use super::sink_tests::{at, key, new_run, run_started, TestClock};
use super::*;
use crate::report::events::{EventSink, LineKind, Outcome, RunEvent};

/// The pid of a process that has exited and been reaped.
fn dead_pid() -> i64 {
    let mut child = std::process::Command::new("true").spawn().expect("spawn true");
    let pid = i64::from(child.id());
    child.wait().expect("wait for true");
    pid
}

#[test]
fn runs_count_up_newest_first() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (clock, time) = TestClock::new();
    let store = Store::open_with_clock(dir.path(), time).expect("open the store");
    let first = store.begin_run(&new_run()).expect("begin a run");
    clock.set(5);
    let second = store
        .begin_run(&NewRun {
            event: "workflow_dispatch".into(),
            rerun_of: Some(first),
            ..new_run()
        })
        .expect("begin a rerun");
    clock.set(9);
    store.finish_run(first, Outcome::Success, 0).expect("finish a run");
    assert_eq!((first, second), (1, 2));
    let runs = store.runs(10).expect("list runs");
    let summary: Vec<_> = runs
        .iter()
        .map(|r| {
            (
                r.id,
                r.event.as_str(),
                r.status,
                r.result,
                r.exit_code,
                r.rerun_of,
                r.seconds(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (2, "workflow_dispatch", Status::Running, None, None, Some(1), None),
            (
                1,
                "push",
                Status::Finished,
                Some(Outcome::Success),
                Some(0),
                None,
                Some(9.0)
            ),
        ]
    );
    assert_eq!(runs[0].started_at, at(5).unwrap());
    assert_eq!(store.runs(1).expect("list one run").len(), 1);
}

#[test]
fn a_run_whose_mlci_died_becomes_interrupted() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    let dead = store.begin_run(&new_run()).expect("begin a run");
    let sink = store.sink().expect("a sink");
    let train = key("train", 0, "train");
    sink.emit(&run_started(dead));
    sink.emit(&RunEvent::JobStarted {
        job: train.clone(),
        attempt: 1,
        attempts: 1,
        backend: "host".into(),
        image: None,
        gpus: Vec::new(),
    });
    sink.emit(&RunEvent::StepStarted {
        job: train.clone(),
        step: 0,
        name: "Train".into(),
    });
    sink.emit(&RunEvent::Output {
        job: train.clone().into(),
        step: Some(0),
        kind: LineKind::Output,
        line: "epoch 1".into(),
    });
    drop(sink);
    let alive = store.begin_run(&new_run()).expect("begin a second run");
    let finished = store.begin_run(&new_run()).expect("begin a third run");
    store
        .conn
        .execute(
            "UPDATE runs SET pid = ?1 WHERE id IN (?2, ?3)",
            (dead_pid(), dead, finished),
        )
        .expect("kill");
    store
        .finish_run(finished, Outcome::Success, 0)
        .expect("finish the third run");

    assert_eq!(store.mark_abandoned().expect("mark abandoned runs"), vec![dead]);
    assert_eq!(store.mark_abandoned().expect("mark again"), Vec::<i64>::new());

    let reopened = Store::open(dir.path()).expect("reopen the store");
    let detail = reopened.run(dead).expect("read the run").expect("the run exists");
    assert_eq!(detail.run.status, Status::Interrupted);
    assert_eq!(detail.run.result, None);
    assert_eq!(detail.jobs[0].status, Status::Interrupted);
    assert_eq!(detail.jobs[0].steps[0].status, Status::Interrupted);
    let log = dir.path().join(detail.jobs[0].steps[0].log.as_deref().expect("a log"));
    assert_eq!(
        std::fs::read_to_string(log).expect("the log"),
        "epoch 1\n",
        "nothing reported is lost"
    );
    let status = |id| reopened.run(id).expect("read").expect("exists").run.status;
    assert_eq!(status(alive), Status::Running);
    assert_eq!(status(finished), Status::Finished);
}

#[test]
fn a_runs_job_graph_is_read_back_and_a_run_before_schema_6_has_none() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    let run = store.begin_run(&new_run()).expect("begin a run");
    let needs = store.run_needs(run).expect("read").expect("a graph");
    assert_eq!(needs, new_run().needs);
    assert_eq!(needs["test"], ["build"]);
    // As mlci before schema 6 recorded it.
    store
        .conn
        .execute("UPDATE runs SET needs = NULL WHERE id = ?1", [run])
        .expect("forget the graph");
    assert_eq!(store.run_needs(run).expect("read"), None);
    assert_eq!(store.run_needs(run + 1).expect("read"), None);
}

#[test]
fn reopening_keeps_the_schema_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    assert!(!Store::exists(dir.path()));
    let store = Store::open(dir.path()).expect("open the store");
    store.begin_run(&new_run()).expect("begin a run");
    drop(store);
    assert!(Store::exists(dir.path()));
    let store = Store::open(dir.path()).expect("reopen the store");
    assert_eq!(store.runs(10).expect("list runs").len(), 1);
    let version: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("the version");
    assert_eq!(version, 6);
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .expect("the journal mode");
    assert_eq!(mode, "wal");
    store
        .conn
        .pragma_update(None, "user_version", 7)
        .expect("pretend to be newer");
    drop(store);
    let Err(error) = Store::open(dir.path()) else {
        panic!("a newer schema is refused")
    };
    assert_eq!(
        error.to_string(),
        format!(
            "the run database {} has schema version 7, newer than this mlci knows (6); use a newer mlci",
            dir.path().join("mlci.db").display()
        )
    );
}

#[test]
fn a_damaged_value_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    let id = store.begin_run(&new_run()).expect("begin a run");
    store
        .conn
        .execute("UPDATE runs SET result = 'great'", [])
        .expect("damage");
    let error = store.run(id).expect_err("a damaged result is an error");
    assert_eq!(
        error.to_string(),
        "the run database holds an unreadable result: `great`"
    );
}

#[test]
fn the_default_store_is_at_the_repository_root() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("src/deep")).expect("create folders");
    git2::Repository::init(&repo).expect("init a repository");
    let found = store_dir_for(&repo.join("src/deep"));
    assert_eq!(
        found
            .canonicalize()
            .unwrap_or(found.clone())
            .parent()
            .map(|p| p.to_path_buf()),
        Some(repo.canonicalize().expect("the repository")),
    );
    assert!(found.ends_with(".mlci"));
    let outside = dir.path().join("plain");
    std::fs::create_dir_all(&outside).expect("create a folder");
    // A temporary folder is not inside a repository on a test machine.
    if git2::Repository::discover(&outside).is_err() {
        assert_eq!(store_dir_for(&outside), outside.join(".mlci"));
    }
}
