use super::*;
use serde_json::json;

fn push(repo: &str, branch: &str, after: &str) -> NewEvent {
    NewEvent {
        repo: repo.into(),
        name: "push".into(),
        git_ref: format!("refs/heads/{branch}"),
        before: Some("0".repeat(40)),
        after: Some(after.into()),
        payload: Some(json!({"pusher": "ada"})),
        source: "hook".into(),
    }
}

fn queued(group: Option<&str>, sha: &str) -> NewQueuedRun {
    NewQueuedRun {
        repo: "vision".into(),
        workflow: ".github/workflows/train.yml".into(),
        git_ref: "refs/heads/main".into(),
        sha: sha.into(),
        concurrency_group: group.map(str::to_string),
        cancel_in_progress: group.is_some(),
    }
}

#[test]
fn events_are_taken_in_arrival_order_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let queue = Queue::open(dir.path()).expect("open the queue");
    let first = queue.push_event(&push("vision", "main", "a1")).expect("store");
    let second = queue.push_event(&push("vision", "dev", "b2")).expect("store");
    drop(queue);
    let queue = Queue::open(dir.path()).expect("reopen the queue");
    let next = queue.next_event().expect("read").expect("an event");
    assert_eq!(
        (next.id, next.git_ref.as_str(), next.status.as_str()),
        (first, "refs/heads/main", "queued")
    );
    assert_eq!(next.payload, Some(json!({"pusher": "ada"})));
    queue.accept_event(first, &[], "nothing triggered").expect("accept");
    assert_eq!(queue.next_event().expect("read").map(|e| e.id), Some(second));
    queue.fail_event(second, "no repository `x`").expect("fail");
    assert_eq!(queue.next_event().expect("read"), None);
    let all = queue.events(10).expect("list");
    let states: Vec<(&str, Option<&str>)> = all.iter().map(|e| (e.status.as_str(), e.note.as_deref())).collect();
    assert_eq!(
        states,
        [
            ("failed", Some("no repository `x`")),
            ("done", Some("nothing triggered"))
        ]
    );
}

#[test]
fn a_newer_run_supersedes_the_queued_run_of_its_group_and_waits_for_the_running_one() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let queue = Queue::open(dir.path()).expect("open the queue");
    let event = queue.push_event(&push("vision", "main", "a1")).expect("store");
    let ids = queue
        .accept_event(
            event,
            &[queued(Some("ci-main"), "a1"), queued(None, "a1")],
            "2 workflows",
        )
        .expect("accept");
    let startable: Vec<i64> = queue.startable().expect("startable").iter().map(|r| r.id).collect();
    assert_eq!(startable, ids);
    let store = crate::store::Store::open(dir.path()).expect("open the store");
    let run_id = store.begin_run(&crate::store::NewRun::default()).expect("begin a run");
    queue.mark_running(ids[0], run_id).expect("start");
    let event = queue.push_event(&push("vision", "main", "b2")).expect("store");
    let newer = queue
        .accept_event(event, &[queued(Some("ci-main"), "b2")], "1 workflow")
        .expect("accept");
    let event = queue.push_event(&push("vision", "main", "c3")).expect("store");
    let newest = queue
        .accept_event(event, &[queued(Some("ci-main"), "c3")], "1 workflow")
        .expect("accept");
    // The group's run is still running: only the ungrouped run may start.
    let startable: Vec<i64> = queue.startable().expect("startable").iter().map(|r| r.id).collect();
    assert_eq!(startable, [ids[1]]);
    let superseded: Vec<i64> = queue
        .runs_in(RunState::Superseded)
        .expect("list")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(superseded, newer);
    assert_eq!(
        queue.running_in_group("vision", "ci-main").expect("list")[0].run_id,
        Some(run_id)
    );
    queue.mark_finished(ids[0], None).expect("finish");
    let startable: Vec<i64> = queue.startable().expect("startable").iter().map(|r| r.id).collect();
    assert_eq!(startable, [ids[1], newest[0]]);
}

#[test]
fn a_fire_time_is_recorded_once() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let queue = Queue::open(dir.path()).expect("open the queue");
    let at = "2026-11-23T10:05:00Z";
    assert!(queue
        .record_fire("vision", "nightly.yml", "*/5 * * * *", at, Fire::Fired)
        .expect("record"));
    assert!(!queue
        .record_fire("vision", "nightly.yml", "*/5 * * * *", at, Fire::Missed)
        .expect("record"));
    assert_eq!(
        queue.fires("vision", "nightly.yml").expect("list"),
        [("*/5 * * * *".to_string(), at.to_string(), "fired".to_string())]
    );
    assert_eq!(queue.state("cron_checked_until").expect("read"), None);
    queue.set_state_value("cron_checked_until", at).expect("write");
    queue.set_state_value("cron_checked_until", "later").expect("write");
    assert_eq!(
        queue.state("cron_checked_until").expect("read").as_deref(),
        Some("later")
    );
}

#[test]
fn a_queued_run_is_claimed_once_and_a_superseded_one_never() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let queue = Queue::open(dir.path()).expect("open the queue");
    let event = queue.push_event(&push("vision", "main", "a1")).expect("store");
    let first = queue
        .accept_event(event, &[queued(Some("ci-main"), "a1")], "1 workflow")
        .expect("accept");
    // Read by one loop turn, then superseded before that turn claims it.
    let seen = queue.startable().expect("startable");
    let event = queue.push_event(&push("vision", "main", "b2")).expect("store");
    let second = queue
        .accept_event(event, &[queued(Some("ci-main"), "b2")], "1 workflow")
        .expect("accept");
    assert_eq!(seen[0].id, first[0]);
    assert!(!queue.claim(first[0]).expect("claim"));
    assert!(queue.claim(second[0]).expect("claim"));
    assert!(!queue.claim(second[0]).expect("claim again"));
    // Claimed is running: the next turn neither sees it nor its group's others.
    assert_eq!(queue.startable().expect("startable"), []);
    let running: Vec<i64> = queue
        .runs_in(RunState::Running)
        .expect("list")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(running, second);
}

#[test]
fn a_concurrency_group_is_scoped_to_its_repository() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let queue = Queue::open(dir.path()).expect("open the queue");
    let in_repo = |repo: &str, sha: &str| NewQueuedRun {
        repo: repo.into(),
        ..queued(Some("ci-refs/heads/main"), sha)
    };
    let event = queue.push_event(&push("vision", "main", "a1")).expect("store");
    let vision = queue
        .accept_event(event, &[in_repo("vision", "a1")], "1 workflow")
        .expect("accept");
    assert!(queue.claim(vision[0]).expect("claim"));
    let event = queue.push_event(&push("speech", "main", "b2")).expect("store");
    let speech = queue
        .accept_event(event, &[in_repo("speech", "b2")], "1 workflow")
        .expect("accept");
    // Same group string, other repository: not superseded, not waiting.
    let startable: Vec<i64> = queue.startable().expect("startable").iter().map(|r| r.id).collect();
    assert_eq!(startable, speech);
    assert_eq!(queue.runs_in(RunState::Superseded).expect("list"), []);
    let running: Vec<i64> = queue
        .running_in_group("speech", "ci-refs/heads/main")
        .expect("list")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(running, Vec::<i64>::new());
    let running: Vec<i64> = queue
        .running_in_group("vision", "ci-refs/heads/main")
        .expect("list")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(running, vision);
    // A second push to speech supersedes only speech's queued run.
    let event = queue.push_event(&push("speech", "main", "c3")).expect("store");
    let newer = queue
        .accept_event(event, &[in_repo("speech", "c3")], "1 workflow")
        .expect("accept");
    let superseded: Vec<i64> = queue
        .runs_in(RunState::Superseded)
        .expect("list")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(superseded, speech);
    let startable: Vec<i64> = queue.startable().expect("startable").iter().map(|r| r.id).collect();
    assert_eq!(startable, newer);
}

#[test]
fn a_delivery_is_stored_once_and_a_version_2_store_is_migrated_keeping_its_events() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // A store as mlci with schema version 2 left it, with one event.
    let queue = Queue::open(dir.path()).expect("open the queue");
    let old = queue.push_event(&push("vision", "main", "a1")).expect("store");
    queue
        .conn()
        .execute_batch(
            "ALTER TABLE runs DROP COLUMN needs; DROP TABLE slurm_jobs; DROP TABLE actions; \
             DROP INDEX events_by_delivery; ALTER TABLE events DROP COLUMN delivery; PRAGMA user_version = 2;",
        )
        .expect("go back to version 2");
    drop(queue);
    let queue = Queue::open(dir.path()).expect("reopen: migrate");
    let mut github = push("vision", "main", "b2");
    github.source = "github".into();
    let first = queue.push_delivery(&github, "d-1").expect("store");
    assert_eq!(
        queue.push_delivery(&github, "d-1").expect("store"),
        Pushed::Again(first.id())
    );
    let mut gitea = github.clone();
    gitea.source = "gitea".into();
    assert!(matches!(
        queue.push_delivery(&gitea, "d-1").expect("store"),
        Pushed::New(_)
    ));
    let ids: Vec<i64> = queue.events(10).expect("list").iter().rev().map(|e| e.id).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[..2], [old, first.id()]);
}
