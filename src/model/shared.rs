//! Keys that appear at both workflow and job level: `defaults`,
//! `concurrency`, `permissions`, and the job's `environment`.

use super::reader::Reader;
use super::{Dynamic, Spanned, Text};
use crate::diag::Diagnostic;
use crate::load::{Node, NodeValue};
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Defaults {
    pub shell: Option<Text>,
    pub working_directory: Option<Text>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Concurrency {
    pub group: Text,
    pub cancel_in_progress: Option<Spanned<Dynamic<bool>>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Environment {
    pub name: Text,
    pub url: Option<Text>,
}

pub fn read_defaults(r: &mut Reader, node: &Node, owner: &str) -> Option<Defaults> {
    let what = format!("`defaults` of {owner}");
    let mapping = r.mapping(node, &what)?;
    r.check_keys(mapping, &["run"], &what);
    let run = mapping.get("run")?;
    let run = r.mapping(run, "`defaults.run`")?;
    r.check_keys(run, &["shell", "working-directory"], "`defaults.run`");
    Some(Defaults {
        shell: run.get("shell").and_then(|n| r.non_empty_text(n, "`shell`")),
        working_directory: run
            .get("working-directory")
            .and_then(|n| r.non_empty_text(n, "`working-directory`")),
    })
}

pub fn read_concurrency(r: &mut Reader, node: &Node) -> Option<Concurrency> {
    if let NodeValue::Scalar(_) = node.value {
        return r.non_empty_text(node, "`concurrency`").map(|group| Concurrency {
            group,
            cancel_in_progress: None,
        });
    }
    let mapping = r.mapping(node, "`concurrency`")?;
    r.check_keys(mapping, &["group", "cancel-in-progress", "queue"], "`concurrency`");
    r.require_keys(mapping, &["group"], node.span, "`concurrency`");
    let cancel_in_progress = mapping
        .get("cancel-in-progress")
        .and_then(|c| r.bool_or_expression(c, "`cancel-in-progress`"));
    if let Some(queue) = mapping.get("queue") {
        check_queue(r, queue, cancel_in_progress.as_ref());
    }
    Some(Concurrency {
        group: mapping.get("group").and_then(|g| r.non_empty_text(g, "`group`"))?,
        cancel_in_progress,
    })
}

/// `queue: single` (GitHub's default: one pending run) or `max` (up to 100
/// pending, first in first out); the schema refuses `max` with
/// `cancel-in-progress: true`. mlci's queue keeps one pending run either way.
fn check_queue(r: &mut Reader, queue: &Node, cancel_in_progress: Option<&Spanned<Dynamic<bool>>>) {
    match queue.as_str() {
        Some("single") => {}
        Some("max") => {
            if let Some(cancel) = cancel_in_progress.filter(|c| matches!(c.value, Dynamic::Fixed(true))) {
                r.push(
                    Diagnostic::error(
                        queue.span,
                        "`queue: max` cannot be used with `cancel-in-progress: true`",
                    )
                    .with_help(format!(
                        "cancel-in-progress is set at line {}; a run that cancels the others has no queue to wait in",
                        cancel.span.line
                    )),
                );
            }
        }
        _ => r.error(
            queue.span,
            format!(
                "`queue` must be single or max, not `{}`",
                queue.as_str().unwrap_or(queue.kind_name())
            ),
        ),
    }
}

pub fn read_environment(r: &mut Reader, node: &Node) -> Option<Environment> {
    if let NodeValue::Scalar(_) = node.value {
        return r
            .non_empty_text(node, "`environment`")
            .map(|name| Environment { name, url: None });
    }
    let mapping = r.mapping(node, "`environment`")?;
    r.check_keys(mapping, &["name", "url", "deployment"], "`environment`");
    Some(Environment {
        name: mapping.get("name").and_then(|n| r.non_empty_text(n, "`name`"))?,
        url: mapping.get("url").and_then(|u| r.text(u, "`url`")),
    })
}

const PERMISSION_SCOPES: &[&str] = &[
    "actions",
    "attestations",
    "artifact-metadata",
    "checks",
    "code-quality",
    "contents",
    "copilot-requests",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
];

pub fn read_permissions(r: &mut Reader, node: &Node) -> Option<serde_json::Value> {
    match &node.value {
        NodeValue::Scalar(s) if matches!(s.text.as_str(), "read-all" | "write-all") => {}
        NodeValue::Scalar(s) if s.text.is_empty() => {}
        NodeValue::Scalar(s) => r.error(
            node.span,
            format!(
                "`permissions` must be read-all, write-all or a mapping of scopes, not `{}`",
                s.text
            ),
        ),
        NodeValue::Mapping(mapping) => {
            r.check_keys(mapping, PERMISSION_SCOPES, "`permissions`");
            for (scope, _, level) in mapping.iter() {
                let text = level.as_str().unwrap_or_default();
                if !["read", "write", "none"].contains(&text) {
                    r.error(
                        level.span,
                        format!("permission `{scope}` must be read, write or none, not `{text}`"),
                    );
                }
            }
        }
        NodeValue::Sequence(_) => r.error(
            node.span,
            "`permissions` must be read-all, write-all or a mapping of scopes",
        ),
    }
    Some(node.to_json())
}
