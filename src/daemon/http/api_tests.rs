//! Dispatch and the read API through a real server, with and without the
//! runner's API token.

use super::test_server::{TestServer, TOKEN};
use crate::daemon::config::Secret;
use crate::daemon::queue::{NewEvent, NewQueuedRun};
use crate::report::events::{EventSink, JobKey, LineKind, RunEvent};
use crate::store::{NewRun, Store};
use serde_json::{json, Value};

async fn get(server: &TestServer, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = server.client.get(format!("{}{path}", server.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("a response");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

async fn dispatch(server: &TestServer, body: Value) -> (u16, Value) {
    let response = server
        .client
        .post(format!("{}/api/dispatch", server.url))
        .json(&body)
        .send()
        .await
        .expect("a response");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

fn new_run() -> NewRun {
    NewRun {
        workflow: "Train".into(),
        path: ".github/workflows/train.yml".into(),
        event: "push".into(),
        git_ref: "refs/heads/main".into(),
        sha: "2222222222222222222222222222222222222222".into(),
        rerun_of: None,
        needs: Default::default(),
    }
}

#[tokio::test]
async fn a_dispatch_is_stored_with_its_workflow_and_inputs() {
    let server = TestServer::start(|_| {}).await;
    let (status, answer) = dispatch(
        &server,
        json!({"repo": "vision", "workflow": "train.yml", "ref": "dev", "inputs": {"lr": "0.1", "epochs": 3}}),
    )
    .await;
    let (status_default, _) = dispatch(&server, json!({"repo": "speech", "workflow": "eval.yml"})).await;
    let events = server.queue.events(10).expect("list the events");
    assert_eq!((status, answer), (202, json!({"event": events[1].id})));
    assert_eq!(status_default, 202);
    let stored: Vec<NewEvent> = events
        .iter()
        .rev()
        .map(|e| NewEvent {
            repo: e.repo.clone(),
            name: e.name.clone(),
            git_ref: e.git_ref.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
            payload: e.payload.clone(),
            source: e.source.clone(),
        })
        .collect();
    let dispatched = |repo: &str, git_ref: &str, payload: Value| NewEvent {
        repo: repo.into(),
        name: "workflow_dispatch".into(),
        git_ref: git_ref.into(),
        before: None,
        after: None,
        payload: Some(payload),
        source: "api".into(),
    };
    assert_eq!(
        stored,
        [
            dispatched(
                "vision",
                "refs/heads/dev",
                json!({"workflow": "train.yml", "inputs": {"lr": "0.1", "epochs": 3}})
            ),
            dispatched(
                "speech",
                "refs/heads/main",
                json!({"workflow": "eval.yml", "inputs": {}})
            ),
        ]
    );
    server.stop().await;
}

#[tokio::test]
async fn a_dispatch_to_an_unknown_repository_or_with_a_typo_is_refused() {
    let server = TestServer::start(|_| {}).await;
    let (status, answer) = dispatch(&server, json!({"repo": "nlp", "workflow": "train.yml"})).await;
    assert_eq!(
        (status, answer),
        (404, json!({"error": "no configured repository is named `nlp`"}))
    );
    let (status, answer) = dispatch(&server, json!({"repo": "vision", "workflow": "t.yml", "input": {}})).await;
    assert_eq!(status, 422);
    let message = answer["error"].as_str().expect("an error message");
    assert!(message.contains("unknown field `input`"), "{message}");
    assert_eq!(server.queue.events(10).expect("list the events"), []);
    server.stop().await;
}

#[tokio::test]
async fn a_dispatch_github_would_refuse_is_refused_at_once_and_queues_nothing() {
    let server = TestServer::start(|_| {}).await;
    assert_eq!(
        dispatch(
            &server,
            json!({"repo": "vision", "workflow": "train.yml", "inputs": {"lr": "0.5", "bogus": "1"}})
        )
        .await,
        (
            422,
            json!({"error": ".github/workflows/train.yml: the workflow has no input `bogus` (its inputs: lr, epochs)"})
        )
    );
    assert_eq!(
        dispatch(
            &server,
            json!({"repo": "vision", "workflow": "train.yml", "inputs": {"epochs": "many"}})
        )
        .await,
        (
            422,
            json!({"error": ".github/workflows/train.yml: input `epochs` is a number, not `many`"})
        )
    );
    assert_eq!(
        dispatch(&server, json!({"repo": "vision", "workflow": "nope.yml"})).await,
        (
            404,
            json!({"error": "there is no workflow `nope.yml` in refs/heads/main"})
        )
    );
    assert_eq!(
        dispatch(&server, json!({"repo": "speech", "workflow": "ci.yml"})).await,
        (
            422,
            json!({"error": ".github/workflows/ci.yml does not have a `workflow_dispatch` trigger"})
        )
    );
    assert_eq!(
        dispatch(
            &server,
            json!({"repo": "vision", "workflow": "train.yml", "ref": "gone"})
        )
        .await,
        (422, json!({"error": "no ref `refs/heads/gone` in repository `vision`"}))
    );
    assert_eq!(server.queue.events(10).expect("list the events"), []);
    server.stop().await;
}

#[tokio::test]
async fn the_read_api_needs_the_token_when_the_runner_has_one() {
    let server = TestServer::start(|config| config.api_token = Some(Secret::new(TOKEN))).await;
    let refused = |message: &str| (401, json!({"error": message}));
    for path in ["/api/runs", "/api/runs/1", "/api/runs/1/logs", "/api/events"] {
        assert_eq!(
            get(&server, path, None).await,
            refused("this endpoint needs `Authorization: Bearer <token>` with the runner's API token"),
            "{path}"
        );
        assert_eq!(
            get(&server, path, Some("api-t0keN")).await,
            refused("the bearer token is not the runner's API token"),
            "{path}"
        );
    }
    let (status, _) = dispatch(&server, json!({"repo": "vision", "workflow": "train.yml"})).await;
    assert_eq!(status, 401);
    assert_eq!(server.queue.events(10).expect("list the events"), []);

    assert_eq!(
        get(&server, "/api/runs", Some(TOKEN)).await,
        (200, json!({"runs": [], "queued": [], "running": []}))
    );
    // The scheme is case-insensitive (RFC 9110), the token is not.
    for scheme in ["bearer", "BEARER"] {
        let response = server
            .client
            .get(format!("{}/api/events", server.url))
            .header("Authorization", format!("{scheme} {TOKEN}"))
            .send()
            .await
            .expect("a response");
        assert_eq!(response.status().as_u16(), 200, "{scheme}");
    }
    assert_eq!(
        get(&server, "/api/events", Some(TOKEN)).await,
        (200, json!({"events": []}))
    );
    server.stop().await;
}

#[tokio::test]
async fn runs_list_the_store_and_the_queue_without_a_token_on_loopback() {
    let server = TestServer::start(|_| {}).await;
    let store = Store::open(&server.store).expect("open the store");
    let first = store.begin_run(&new_run()).expect("begin a run");
    let second = store.begin_run(&new_run()).expect("begin a run");
    let event = server
        .queue
        .push_event(&NewEvent {
            repo: "vision".into(),
            name: "push".into(),
            git_ref: "refs/heads/main".into(),
            source: "hook".into(),
            ..NewEvent::default()
        })
        .expect("store an event");
    let waiting = NewQueuedRun {
        repo: "vision".into(),
        workflow: ".github/workflows/train.yml".into(),
        git_ref: "refs/heads/main".into(),
        sha: "2222222222222222222222222222222222222222".into(),
        ..NewQueuedRun::default()
    };
    let ids = server
        .queue
        .accept_event(event, &[waiting.clone(), waiting], "2 runs")
        .expect("queue runs");
    server.queue.mark_running(ids[0], second).expect("start a run");

    let (status, answer) = get(&server, "/api/runs?limit=1", None).await;
    assert_eq!(status, 200);
    let ids_of = |list: &Value| -> Vec<i64> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|row| row["id"].as_i64().expect("an id"))
            .collect()
    };
    assert_eq!(ids_of(&answer["runs"]), [second]);
    assert_eq!(ids_of(&answer["running"]), [ids[0]]);
    assert_eq!(answer["running"][0]["run_id"], json!(second));
    assert_eq!(ids_of(&answer["queued"]), [ids[1]]);
    assert_eq!(
        ids_of(&get(&server, "/api/runs", None).await.1["runs"]),
        [second, first]
    );
    let (_, events) = get(&server, "/api/events", None).await;
    assert_eq!(events["events"][0]["note"], json!("2 runs"));

    let (status, answer) = get(&server, "/api/runs?limit=many", None).await;
    assert_eq!(status, 400);
    assert!(
        answer["error"].as_str().is_some_and(|m| m.contains("limit")),
        "{answer}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_run_and_its_logs_are_read_from_the_store() {
    let server = TestServer::start(|_| {}).await;
    let store = Store::open(&server.store).expect("open the store");
    let run_id = store.begin_run(&new_run()).expect("begin a run");
    let sink = store.sink().expect("a sink");
    let train = JobKey {
        job: "train".into(),
        leg: 0,
        name: "train".into(),
    };
    let output = |step, line: &str| RunEvent::Output {
        job: train.clone().into(),
        step,
        kind: LineKind::Output,
        line: line.into(),
    };
    for event in [
        RunEvent::RunStarted {
            run_id,
            workflow: "Train".into(),
            path: ".github/workflows/train.yml".into(),
            event: "push".into(),
            git_ref: "refs/heads/main".into(),
            sha: "2222222222222222222222222222222222222222".into(),
            rerun_of: None,
        },
        RunEvent::JobStarted {
            job: train.clone(),
            attempt: 1,
            attempts: 1,
            backend: "host".into(),
            image: None,
            gpus: vec!["0".into()],
        },
        RunEvent::StepStarted {
            job: train.clone(),
            step: 0,
            name: "Train".into(),
        },
        output(Some(0), "epoch 1: loss 0.5"),
        output(Some(0), "epoch 2: loss 0.2"),
    ] {
        sink.emit(&event);
    }
    sink.flush();
    assert_eq!(sink.take_error(), None);

    let (status, detail) = get(&server, &format!("/api/runs/{run_id}"), None).await;
    assert_eq!(status, 200);
    let expected = store.run(run_id).expect("read the run").expect("the run");
    assert_eq!(detail, serde_json::to_value(&expected).expect("JSON"));
    assert_eq!(
        (&detail["run"]["status"], &detail["jobs"][0]["steps"][0]["name"]),
        (&json!("running"), &json!("Train"))
    );

    let (status, logs) = get(&server, &format!("/api/runs/{run_id}/logs?job=train"), None).await;
    assert_eq!(
        (status, logs),
        (
            200,
            json!({"logs": [{
                "job": "train", "leg": 0, "leg_name": "train", "attempt": 1, "step": 0,
                "name": "Train", "text": "epoch 1: loss 0.5\nepoch 2: loss 0.2\n"
            }]})
        )
    );
    assert_eq!(
        get(&server, &format!("/api/runs/{run_id}/logs?job=eval"), None).await,
        (404, json!({"error": format!("run {run_id} has no job `eval`")}))
    );
    assert_eq!(
        get(&server, "/api/runs/99", None).await,
        (404, json!({"error": "no run 99 in the store"}))
    );
    assert_eq!(
        get(&server, "/api/runs/99/logs", None).await,
        (404, json!({"error": "no run 99 in the store"}))
    );
    assert_eq!(get(&server, "/api/runs/latest", None).await.0, 400);
    assert_eq!(
        get(&server, "/api/nothing", None).await,
        (404, json!({"error": "no such endpoint"}))
    );
    server.stop().await;
}
