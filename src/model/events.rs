//! The events a workflow can be triggered by, their activity types and the
//! filters each accepts (from GitHub's workflow schema).

pub struct EventKind {
    pub name: &'static str,
    pub types: &'static [&'static str],
    /// Filter keys besides `types` (for the events that take a mapping of filters).
    pub filters: &'static [&'static str],
}

const BRANCH_AND_PATH: &[&str] = &["branches", "branches-ignore", "paths", "paths-ignore"];

pub const EVENTS: &[EventKind] = &[
    ev("branch_protection_rule", &["created", "edited", "deleted"]),
    ev(
        "check_run",
        &["created", "rerequested", "completed", "requested_action"],
    ),
    ev("check_suite", &["completed", "requested", "rerequested"]),
    ev("create", &[]),
    ev("delete", &[]),
    ev("deployment", &[]),
    ev("deployment_status", &[]),
    ev(
        "discussion",
        &[
            "created",
            "edited",
            "deleted",
            "transferred",
            "pinned",
            "unpinned",
            "labeled",
            "unlabeled",
            "locked",
            "unlocked",
            "category_changed",
            "answered",
            "unanswered",
        ],
    ),
    ev("discussion_comment", &["created", "edited", "deleted"]),
    ev("fork", &[]),
    ev("gollum", &[]),
    EventKind {
        name: "image_version",
        types: &["created", "ready", "deleted"],
        filters: &["names", "versions"],
    },
    ev("issue_comment", &["created", "edited", "deleted"]),
    ev(
        "issues",
        &[
            "opened",
            "edited",
            "deleted",
            "transferred",
            "pinned",
            "unpinned",
            "closed",
            "reopened",
            "assigned",
            "unassigned",
            "labeled",
            "unlabeled",
            "locked",
            "unlocked",
            "milestoned",
            "demilestoned",
            "typed",
            "untyped",
        ],
    ),
    ev("label", &["created", "edited", "deleted"]),
    EventKind {
        name: "merge_group",
        types: &["checks_requested"],
        filters: &["branches", "branches-ignore"],
    },
    ev("milestone", &["created", "closed", "opened", "edited", "deleted"]),
    ev("page_build", &[]),
    ev(
        "project",
        &["created", "updated", "closed", "reopened", "edited", "deleted"],
    ),
    ev("project_card", &["created", "moved", "converted", "edited", "deleted"]),
    ev("project_column", &["created", "updated", "moved", "deleted"]),
    ev("public", &[]),
    EventKind {
        name: "pull_request",
        types: PULL_REQUEST_TYPES,
        filters: BRANCH_AND_PATH,
    },
    ev("pull_request_review", &["submitted", "edited", "dismissed"]),
    ev("pull_request_review_comment", &["created", "edited", "deleted"]),
    EventKind {
        name: "pull_request_target",
        types: PULL_REQUEST_TYPES,
        filters: BRANCH_AND_PATH,
    },
    EventKind {
        name: "push",
        types: &[],
        filters: &[
            "branches",
            "branches-ignore",
            "tags",
            "tags-ignore",
            "paths",
            "paths-ignore",
        ],
    },
    ev("registry_package", &["published", "updated"]),
    ev(
        "release",
        &[
            "published",
            "unpublished",
            "created",
            "edited",
            "deleted",
            "prereleased",
            "released",
        ],
    ),
    ev("repository_dispatch", &[]),
    EventKind {
        name: "schedule",
        types: &[],
        filters: &[],
    },
    ev("status", &[]),
    ev("watch", &["started"]),
    EventKind {
        name: "workflow_call",
        types: &[],
        filters: &[],
    },
    EventKind {
        name: "workflow_dispatch",
        types: &[],
        filters: &[],
    },
    EventKind {
        name: "workflow_run",
        types: &["requested", "completed", "in_progress"],
        filters: &["workflows", "branches", "branches-ignore"],
    },
];

const PULL_REQUEST_TYPES: &[&str] = &[
    "assigned",
    "unassigned",
    "labeled",
    "unlabeled",
    "opened",
    "edited",
    "closed",
    "reopened",
    "synchronize",
    "converted_to_draft",
    "ready_for_review",
    "locked",
    "unlocked",
    "milestoned",
    "demilestoned",
    "review_requested",
    "review_request_removed",
    "auto_merge_enabled",
    "auto_merge_disabled",
    "enqueued",
    "dequeued",
];

const fn ev(name: &'static str, types: &'static [&'static str]) -> EventKind {
    EventKind {
        name,
        types,
        filters: &[],
    }
}

pub fn event(name: &str) -> Option<&'static EventKind> {
    EVENTS.iter().find(|e| e.name == name)
}

/// Which events accept a filter key, for "not available for this event" errors.
pub fn events_with_filter(filter: &str) -> Vec<&'static str> {
    let mut names: Vec<_> = EVENTS
        .iter()
        .filter(|e| e.filters.contains(&filter))
        .map(|e| e.name)
        .collect();
    names.sort_unstable();
    names
}

/// Every filter key any event accepts.
pub fn is_known_filter(key: &str) -> bool {
    EVENTS.iter().any(|e| e.filters.contains(&key))
}
