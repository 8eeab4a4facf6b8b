//! Whether an event runs a given workflow, and why (or why not): the
//! workflow's `on:` read into the filter types, then decided.

use super::filters::{ChangedFiles, Decision, PullRequestFilter, PushFilter, RefKind};
use super::pattern::{FilterPattern, PatternKind};
use crate::model::{EventTrigger, Workflow};

/// The event a run is for, as far as trigger rules care.
#[derive(Clone, Debug)]
pub struct Event {
    /// `push`, `pull_request`, `schedule`, `workflow_dispatch`, …
    pub name: String,
    /// The pushed ref (push), or the current branch (other events).
    pub git_ref: Option<RefKind>,
    /// Files changed by the event; None when there is no git repository to ask.
    pub changed: Option<ChangedFiles>,
    /// The target branch of a pull request.
    pub base_branch: Option<String>,
    /// The activity type (`opened`, `synchronize`, …) for events that have them.
    pub activity: Option<String>,
}

pub fn decide(workflow: &Workflow, event: &Event) -> Decision {
    let Some(trigger) = workflow.on.event(&event.name) else {
        let listed: Vec<&str> = workflow.on.events.iter().map(|e| e.name.value.as_str()).collect();
        return Decision::Skipped {
            reason: format!("not triggered by {} (it runs on {})", event.name, listed.join(", ")),
        };
    };
    match event.name.as_str() {
        "push" => match &event.git_ref {
            Some(git_ref) => push_filter(trigger).decide(git_ref, event.changed.as_ref()),
            // Without a ref, only a push with no filters at all can be said to run.
            None if trigger.filters.is_empty() => Decision::Runs {
                reason: "push: the workflow has no branch, tag or path filters".into(),
            },
            None => Decision::Skipped {
                reason: "push: no branch or tag to match (HEAD is detached and untagged)".into(),
            },
        },
        "pull_request" | "pull_request_target" => {
            let base = event.base_branch.as_deref().unwrap_or("main");
            let activity = event.activity.as_deref().unwrap_or("opened");
            pull_request_filter(trigger).decide(base, activity, event.changed.as_ref())
        }
        "schedule" => {
            let crons: Vec<&str> = trigger.schedules.iter().map(|s| s.cron.value.as_str()).collect();
            Decision::Runs {
                reason: format!("schedule: cron {}", crons.join(", ")),
            }
        }
        "workflow_dispatch" => Decision::Runs {
            reason: "workflow_dispatch: run by hand".into(),
        },
        name => match (&event.activity, trigger.types.is_empty()) {
            (Some(activity), false) if !trigger.types.iter().any(|t| &t.value == activity) => Decision::Skipped {
                reason: format!("{name}: activity `{activity}` is not among the workflow's types"),
            },
            _ => Decision::Runs {
                reason: format!("{name}: the workflow listens for it"),
            },
        },
    }
}

/// The patterns of one filter key; invalid ones were reported by `validate`
/// and are left out here.
fn patterns(trigger: &EventTrigger, key: &str, kind: PatternKind) -> Option<Vec<FilterPattern>> {
    let filter = trigger.filter(key)?;
    Some(
        filter
            .patterns
            .iter()
            .filter_map(|p| FilterPattern::parse(&p.value, kind).ok())
            .collect(),
    )
}

fn push_filter(trigger: &EventTrigger) -> PushFilter {
    PushFilter {
        branches: patterns(trigger, "branches", PatternKind::Ref),
        branches_ignore: patterns(trigger, "branches-ignore", PatternKind::Ref),
        tags: patterns(trigger, "tags", PatternKind::Ref),
        tags_ignore: patterns(trigger, "tags-ignore", PatternKind::Ref),
        paths: patterns(trigger, "paths", PatternKind::Path),
        paths_ignore: patterns(trigger, "paths-ignore", PatternKind::Path),
    }
}

fn pull_request_filter(trigger: &EventTrigger) -> PullRequestFilter {
    PullRequestFilter {
        branches: patterns(trigger, "branches", PatternKind::Ref),
        branches_ignore: patterns(trigger, "branches-ignore", PatternKind::Ref),
        paths: patterns(trigger, "paths", PatternKind::Path),
        paths_ignore: patterns(trigger, "paths-ignore", PatternKind::Path),
        types: (!trigger.types.is_empty()).then(|| trigger.types.iter().map(|t| t.value.clone()).collect()),
    }
}
