//! The reporter against a stand-in forge on 127.0.0.1: the exact requests
//! a run's events turn into, retries, refusals, replaced states and
//! notifications.

use super::test_forge::{Answer, Recorded, TestForge};
use super::{Backoff, ReportedRun, Reporter};
use crate::daemon::config::{Forge, NotifyConfig, Secret, StatusConfig};
use crate::report::events::{JobKey, Outcome, RunEvent};
use serde_json::{json, Map};
use std::time::Duration;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const USER_AGENT: &str = concat!("mlci/", env!("CARGO_PKG_VERSION"));
const RUN_URL: &str = "http://127.0.0.1:8080/api/runs/7";
/// Only a bound for a broken test; flush returns as soon as all is sent.
const WAIT: Duration = Duration::from_secs(30);

fn quick() -> Backoff {
    Backoff {
        first: Duration::from_millis(1),
        max: Duration::from_millis(4),
        attempts: 5,
    }
}

fn github(forge: &TestForge) -> StatusConfig {
    StatusConfig {
        forge: Forge::Github,
        api_url: forge.url.clone(),
        token: Secret::new("t0ken"),
    }
}

fn run(previous: Option<Outcome>) -> ReportedRun {
    ReportedRun {
        slug: "acme/model".into(),
        sha: SHA.into(),
        workflow: "CI".into(),
        git_ref: "refs/heads/main".into(),
        target_url: Some(RUN_URL.into()),
        previous,
    }
}

fn job() -> JobKey {
    JobKey {
        job: "test".into(),
        leg: 1,
        name: "test (3.11)".into(),
    }
}

fn run_started() -> RunEvent {
    RunEvent::RunStarted {
        run_id: 7,
        workflow: "CI".into(),
        path: ".github/workflows/ci.yml".into(),
        event: "push".into(),
        git_ref: "refs/heads/main".into(),
        sha: SHA.into(),
        rerun_of: None,
    }
}

fn job_started(attempt: u32) -> RunEvent {
    RunEvent::JobStarted {
        job: job(),
        attempt,
        attempts: 2,
        backend: "docker".into(),
        image: None,
        gpus: vec![],
    }
}

fn job_finished(result: Outcome, seconds: f64) -> RunEvent {
    RunEvent::JobFinished {
        job: job(),
        result,
        attempts: 1,
        seconds,
        outputs: Map::new(),
        reason: None,
    }
}

fn run_finished(result: Outcome, seconds: f64) -> RunEvent {
    RunEvent::RunFinished {
        run_id: 7,
        result,
        seconds,
    }
}

/// A commit status request as GitHub should receive it.
fn github_status(context: &str, state: &str, description: &str) -> Recorded {
    Recorded {
        path: format!("/repos/acme/model/statuses/{SHA}"),
        authorization: Some("Bearer t0ken".into()),
        accept: Some("application/vnd.github+json".into()),
        user_agent: Some(USER_AGENT.into()),
        body: json!({ "state": state, "description": description, "context": context, "target_url": RUN_URL }),
        answered: 201,
    }
}

/// Requests for different contexts go out side by side: ordered by context.
fn by_context(mut requests: Vec<Recorded>) -> Vec<Recorded> {
    requests.sort_by_key(|r| r.body["context"].as_str().map(str::to_string));
    requests
}

/// (state, what the forge answered) of each request, in order.
fn states(requests: &[Recorded]) -> Vec<(&str, u16)> {
    requests
        .iter()
        .map(|r| (r.body["state"].as_str().unwrap_or("?"), r.answered))
        .collect()
}

#[tokio::test]
async fn github_gets_pending_then_the_result_for_the_run_and_its_job() {
    let forge = TestForge::start(vec![]).await;
    let reporter = Reporter::with_backoff(Some(github(&forge)), vec![], quick());
    assert!(!format!("{reporter:?}").contains("t0ken"));
    let sink = reporter.run_sink(run(None));

    sink.emit(&run_started());
    sink.emit(&job_started(1));
    reporter.flush(WAIT).await;
    assert_eq!(
        by_context(forge.take()),
        [
            github_status("mlci/CI", "pending", "running"),
            github_status("mlci/CI/test (3.11)", "pending", "running"),
        ]
    );

    // A retry of the job does not report again: its context is pending.
    sink.emit(&job_started(2));
    reporter.flush(WAIT).await;
    assert_eq!(forge.take(), []);

    sink.emit(&job_finished(Outcome::Success, 3.4));
    sink.emit(&run_finished(Outcome::Success, 5.6));
    reporter.flush(WAIT).await;
    assert_eq!(
        by_context(forge.take()),
        [
            github_status("mlci/CI", "success", "succeeded in 6s"),
            github_status("mlci/CI/test (3.11)", "success", "succeeded in 3s"),
        ]
    );
}

#[tokio::test]
async fn gitea_gets_its_token_header_under_its_api_path() {
    let forge = TestForge::start(vec![]).await;
    let gitea = StatusConfig {
        forge: Forge::Gitea,
        api_url: format!("{}/api/v1/", forge.url),
        token: Secret::new("t0ken"),
    };
    let reporter = Reporter::with_backoff(Some(gitea), vec![], quick());
    reporter.run_error(&run(None), "the workflow is invalid: jobs.test has no runs-on");
    reporter.flush(WAIT).await;
    assert_eq!(
        forge.requests(),
        [Recorded {
            path: format!("/api/v1/repos/acme/model/statuses/{SHA}"),
            authorization: Some("token t0ken".into()),
            accept: Some("application/json".into()),
            user_agent: Some(USER_AGENT.into()),
            body: json!({
                "state": "error",
                "description": "the workflow is invalid: jobs.test has no runs-on",
                "context": "mlci/CI",
                "target_url": RUN_URL,
            }),
            answered: 201,
        }]
    );
}

#[tokio::test]
async fn a_status_is_retried_after_5xx_and_429_until_the_forge_takes_it() {
    let forge = TestForge::start(vec![Answer::Now(503), Answer::Now(502), Answer::Now(429)]).await;
    let reporter = Reporter::with_backoff(Some(github(&forge)), vec![], quick());
    reporter.run_sink(run(None)).emit(&run_started());
    reporter.flush(WAIT).await;
    let pending = github_status("mlci/CI", "pending", "running");
    let answered = |answered| Recorded {
        answered,
        ..pending.clone()
    };
    assert_eq!(
        forge.requests(),
        [answered(503), answered(502), answered(429), answered(201)]
    );
}

#[tokio::test]
async fn a_refused_status_is_not_retried() {
    let forge = TestForge::start(vec![Answer::Now(404)]).await;
    let reporter = Reporter::with_backoff(Some(github(&forge)), vec![], quick());
    reporter.run_sink(run(None)).emit(&run_started());
    reporter.flush(WAIT).await;
    assert_eq!(states(&forge.requests()), [("pending", 404)]);
}

#[tokio::test]
async fn a_status_is_given_up_after_its_attempts() {
    let forge = TestForge::answering(vec![], 503).await;
    let reporter = Reporter::with_backoff(Some(github(&forge)), vec![], quick());
    reporter.run_sink(run(None)).emit(&run_started());
    reporter.flush(WAIT).await;
    assert_eq!(states(&forge.requests()), [("pending", 503); 5]);
}

#[tokio::test]
async fn a_newer_state_replaces_the_one_being_retried() {
    // The forge holds the first try of `pending` until the run has finished.
    let forge = TestForge::start(vec![Answer::Held(503)]).await;
    let reporter = Reporter::with_backoff(Some(github(&forge)), vec![], quick());
    let sink = reporter.run_sink(run(None));
    sink.emit(&run_started());
    forge.seen(1).await;
    sink.emit(&run_finished(Outcome::Success, 2.0));
    forge.release();
    reporter.flush(WAIT).await;
    assert_eq!(states(&forge.requests()), [("pending", 503), ("success", 201)]);
}

#[tokio::test]
async fn a_queued_state_not_yet_sent_is_replaced() {
    let forge = TestForge::start(vec![]).await;
    let reporter = Reporter::with_backoff(Some(github(&forge)), vec![], quick());
    let sink = reporter.run_sink(run(None));
    // Both queued before the delivery task first runs (one-thread runtime).
    sink.emit(&run_started());
    sink.emit(&run_finished(Outcome::Failure, 2.0));
    reporter.flush(WAIT).await;
    assert_eq!(states(&forge.requests()), [("failure", 201)]);
}

#[tokio::test]
async fn flush_gives_up_waiting_after_its_timeout() {
    let forge = TestForge::start(vec![Answer::Held(201)]).await;
    let reporter = Reporter::with_backoff(Some(github(&forge)), vec![], quick());
    reporter.run_sink(run(None)).emit(&run_started());
    let flushed = tokio::time::timeout(WAIT, reporter.flush(Duration::from_millis(20))).await;
    assert!(flushed.is_ok(), "flush waited past its timeout");
    assert_eq!(states(&forge.requests()), [("pending", 201)]);
}

fn hook(forge: &TestForge, path: &str, on_failure: bool, on_recovery: bool) -> NotifyConfig {
    NotifyConfig {
        url: format!("{}{path}", forge.url),
        on_failure,
        on_recovery,
    }
}

/// The notification requests: (path, text).
fn notifications(requests: &[Recorded]) -> Vec<(&str, &str)> {
    requests
        .iter()
        .map(|r| (r.path.as_str(), r.body["text"].as_str().unwrap_or("?")))
        .collect()
}

#[tokio::test]
async fn a_failed_run_is_notified_with_its_branch_commit_and_link() {
    let forge = TestForge::start(vec![]).await;
    let hooks = vec![
        hook(&forge, "/services/T0/B0/x", true, true),
        hook(&forge, "/quiet", false, true),
    ];
    let reporter = Reporter::with_backoff(None, hooks, quick());
    let sink = reporter.run_sink(run(None));
    sink.emit(&run_started());
    sink.emit(&job_finished(Outcome::Failure, 11.0));
    sink.emit(&run_finished(Outcome::Failure, 12.4));
    reporter.flush(WAIT).await;
    assert_eq!(
        forge.requests(),
        [Recorded {
            path: "/services/T0/B0/x".into(),
            authorization: None,
            accept: Some("application/json".into()),
            user_agent: Some(USER_AGENT.into()),
            body: json!({ "text": format!("mlci: ✗ CI failed on main at 0123456 (12s) {RUN_URL}") }),
            answered: 201,
        }]
    );
}

#[tokio::test]
async fn a_success_is_notified_as_recovered_only_after_a_failure() {
    let forge = TestForge::start(vec![]).await;
    let hooks = vec![hook(&forge, "/team", true, true), hook(&forge, "/quiet", true, false)];
    let reporter = Reporter::with_backoff(None, hooks, quick());
    for previous in [None, Some(Outcome::Success), Some(Outcome::Cancelled)] {
        reporter
            .run_sink(run(previous))
            .emit(&run_finished(Outcome::Success, 5.0));
    }
    reporter
        .run_sink(run(Some(Outcome::Failure)))
        .emit(&run_finished(Outcome::Cancelled, 5.0));
    reporter.flush(WAIT).await;
    assert_eq!(forge.take(), []);

    let unlinked = ReportedRun {
        target_url: None,
        git_ref: "refs/heads/feature/<gpu>".into(),
        ..run(Some(Outcome::Failure))
    };
    reporter.run_sink(unlinked).emit(&run_finished(Outcome::Success, 5.0));
    reporter.flush(WAIT).await;
    assert_eq!(
        notifications(&forge.requests()),
        [("/team", "mlci: ✓ CI recovered on feature/&lt;gpu&gt; at 0123456 (5s)")]
    );
}
