//! Which status each event means, and how descriptions are kept short.

use super::{for_event, run_error, CommitStatus, State};
use crate::report::events::{JobKey, Outcome, RunEvent};
use serde_json::Map;

fn key() -> JobKey {
    JobKey {
        job: "train".into(),
        leg: 0,
        name: "train".into(),
    }
}

fn job_finished(result: Outcome, seconds: f64, reason: Option<&str>) -> RunEvent {
    RunEvent::JobFinished {
        job: key(),
        result,
        attempts: 1,
        seconds,
        outputs: Map::new(),
        reason: reason.map(str::to_string),
    }
}

fn status(context: &str, state: State, description: &str) -> Option<CommitStatus> {
    Some(CommitStatus {
        context: context.into(),
        state,
        description: description.into(),
    })
}

#[test]
fn finished_jobs_map_to_the_forge_states() {
    let cases = [
        (
            job_finished(Outcome::Success, 61.5, None),
            State::Success,
            "succeeded in 62s",
        ),
        (
            job_finished(Outcome::Failure, 600.0, Some("the job timed out")),
            State::Failure,
            "failed after 600s: the job timed out",
        ),
        (
            job_finished(Outcome::Failure, 3.0, None),
            State::Failure,
            "failed after 3s",
        ),
        (
            job_finished(Outcome::Cancelled, 9.2, None),
            State::Error,
            "cancelled after 9s",
        ),
        (job_finished(Outcome::Skipped, 0.0, None), State::Success, "skipped"),
    ];
    for (event, state, description) in cases {
        assert_eq!(for_event("CI", &event), status("mlci/CI/train", state, description));
    }
}

#[test]
fn a_job_skipped_by_its_if_is_a_success_with_the_reason() {
    let event = RunEvent::JobSkipped {
        job: key(),
        reason: "its `if` is false".into(),
    };
    assert_eq!(
        for_event("CI", &event),
        status("mlci/CI/train", State::Success, "skipped: its `if` is false")
    );
}

#[test]
fn a_cancelled_run_is_an_error() {
    let event = RunEvent::RunFinished {
        run_id: 1,
        result: Outcome::Cancelled,
        seconds: 42.0,
    };
    assert_eq!(
        for_event("CI", &event),
        status("mlci/CI", State::Error, "cancelled after 42s")
    );
}

#[test]
fn events_without_a_state_report_nothing() {
    let event = RunEvent::StepStarted {
        job: key(),
        step: 0,
        name: "checkout".into(),
    };
    assert_eq!(for_event("CI", &event), None);
}

#[test]
fn a_long_description_is_cut_to_140_characters() {
    let long = "é".repeat(200);
    let status = run_error("CI", &long);
    assert_eq!(status.description.chars().count(), 140);
    assert_eq!(status.description, format!("{}…", "é".repeat(139)));
    assert_eq!(run_error("CI", &"é".repeat(140)).description, "é".repeat(140));
}
