//! Payloads read into events, and which configured repository they name.

use super::*;
use crate::daemon::http::test_server::repo;
use serde_json::json;

fn repos() -> Vec<RepoConfig> {
    vec![repo("vision", "acme/vision"), repo("speech", "acme/speech-models")]
}

fn read(forge: Forge, event: &str, payload: &Value) -> Result<Delivery, ApiError> {
    read_delivery(forge, event, payload.to_string().as_bytes(), &repos())
}

fn refusal(result: Result<Delivery, ApiError>) -> (u16, String) {
    let error = result.expect_err("a refusal");
    (error.status.as_u16(), error.message)
}

#[test]
fn a_pull_request_runs_its_merge_ref_from_base_to_head() {
    let payload = json!({
        "action": "synchronize",
        "number": 42,
        "pull_request": {"base": {"sha": "b1", "ref": "main"}, "head": {"sha": "h2", "ref": "feature"}},
        "repository": {"full_name": "acme/vision", "name": "vision"}
    });
    assert_eq!(
        read(Forge::Gitea, "pull_request", &payload).expect("an event"),
        Delivery::Event(NewEvent {
            repo: "vision".into(),
            name: "pull_request".into(),
            git_ref: "refs/pull/42/merge".into(),
            before: Some("b1".into()),
            after: Some("h2".into()),
            payload: Some(payload.clone()),
            source: "gitea".into(),
        })
    );
}

#[test]
fn a_repository_is_found_by_its_slug_in_any_case_then_by_its_name() {
    let push = |full_name: &str, name: &str| {
        json!({"ref": "refs/heads/main", "before": "a", "after": "b",
               "repository": {"full_name": full_name, "name": name}})
    };
    let repo_of = |payload: Value| match read(Forge::Github, "push", &payload) {
        Ok(Delivery::Event(event)) => event.repo,
        other => panic!("expected an event, got {other:?}"),
    };
    assert_eq!(repo_of(push("ACME/Speech-Models", "speech-models")), "speech");
    // Another owner's fork named like a configured repository.
    assert_eq!(repo_of(push("someone/vision", "vision")), "vision");
    assert_eq!(
        refusal(read(Forge::Github, "push", &push("acme/speech", "speech-models"))),
        (404, "no configured repository matches acme/speech".into())
    );
}

#[test]
fn a_payload_missing_what_the_event_needs_is_a_bad_request() {
    let payload = json!({"before": "a", "after": "b", "repository": {"full_name": "acme/vision"}});
    assert_eq!(
        refusal(read(Forge::Github, "push", &payload)),
        (
            400,
            "the push payload is not what GitHub sends: missing field `ref`".into()
        )
    );
    let payload = json!({"number": "7", "pull_request": {}, "repository": {}});
    assert_eq!(
        refusal(read(Forge::Gitea, "pull_request", &payload)),
        (
            400,
            "the pull_request payload is not what Gitea sends: invalid type: string \"7\", expected u64".into()
        )
    );
}

#[test]
fn ping_and_other_events_need_no_payload() {
    assert_eq!(
        read_delivery(Forge::Github, "ping", b"", &repos()).ok(),
        Some(Delivery::Ping)
    );
    assert_eq!(
        read_delivery(Forge::Github, "issues", b"not json", &repos()).ok(),
        Some(Delivery::Ignored("issues".into()))
    );
}
