//! The event a local command acts on, read from the git repository around
//! the current directory: which ref, which files changed, and the `github`
//! context. Nothing is invented when there is no repository: the changed
//! files are then unknown, and `plan` says so.

use crate::trigger::git::{changed_files, head_commit_files};
use crate::trigger::github_context::{default_branch, local_github_context, local_run_id};
use crate::trigger::{Event, RefKind};
use git2::Repository;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

pub struct LocalEvent {
    pub event: Event,
    /// The repository's root, when there is one.
    pub repo_root: Option<PathBuf>,
    /// Why the changed files are unknown, when they are.
    pub note: Option<String>,
    /// The repository's default branch, when there is a repository.
    pub default_branch: Option<String>,
}

pub fn local_event(dir: &Path, name: &str) -> LocalEvent {
    let mut event = Event {
        name: name.to_string(),
        git_ref: None,
        changed: None,
        base_branch: None,
        activity: None,
    };
    let Ok(repo) = Repository::discover(dir) else {
        let note = format!(
            "{} is not in a git repository: branch and changed files are unknown",
            dir.display()
        );
        return LocalEvent {
            event,
            repo_root: None,
            note: Some(note),
            default_branch: None,
        };
    };
    let repo_root = repo.workdir().map(Path::to_path_buf);
    event.git_ref = current_ref(&repo);
    let base = default_branch(&repo);
    let changed = match name {
        "pull_request" | "pull_request_target" => {
            event.base_branch = base.clone();
            event.activity = Some("opened".into());
            head_oid(&repo).and_then(|head| changed_files(&repo, None, head, base.as_deref()).ok())
        }
        _ => head_commit_files(&repo).ok(),
    };
    let note = changed
        .is_none()
        .then(|| "the repository has no commit yet: changed files are unknown".to_string());
    event.changed = changed;
    LocalEvent {
        event,
        repo_root,
        note,
        default_branch: base,
    }
}

fn head_oid(repo: &Repository) -> Option<git2::Oid> {
    repo.head().ok()?.target()
}

/// The branch HEAD is on, else a tag pointing at HEAD.
fn current_ref(repo: &Repository) -> Option<RefKind> {
    let head = repo.head().ok()?;
    if head.is_branch() {
        return head.shorthand().map(|b| RefKind::Branch(b.to_string()));
    }
    let oid = head.target()?;
    let tags = repo.tag_names(None).ok()?;
    let tag = tags.iter().flatten().find(|t| {
        repo.revparse_single(&format!("refs/tags/{t}"))
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
            .is_some_and(|c| c.id() == oid)
    })?;
    Some(RefKind::Tag(tag.to_string()))
}

/// The contexts known before anything runs: `github`, `inputs`, `vars`.
pub fn plan_contexts(
    local: &LocalEvent,
    workflow_name: &str,
    payload: Option<Value>,
    event_path: Option<&Path>,
    inputs: crate::plan::DispatchInputs,
) -> Map<String, Value> {
    let github = local
        .repo_root
        .as_deref()
        .and_then(|root| {
            local_github_context(
                root,
                &local.event.name,
                payload.clone(),
                event_path,
                workflow_name,
                local_run_id(),
                1,
            )
            .ok()
        })
        .unwrap_or_else(|| {
            let cwd = std::env::current_dir().unwrap_or_default();
            let repo = cwd
                .file_name()
                .map_or("local".into(), |n| format!("local/{}", n.to_string_lossy()));
            let map = json!({
                "event_name": local.event.name, "workflow": workflow_name, "repository": repo,
                "workspace": cwd.display().to_string(), "event": payload.unwrap_or(json!({})),
                "ref": "", "sha": "", "ref_name": "", "actor": "mlci",
            });
            map.as_object().cloned().unwrap_or_default()
        });
    let mut github = github;
    if local.event.name == "workflow_dispatch" {
        // GitHub sends a dispatch's inputs in the payload too, all strings;
        // many workflows read them there.
        let event = github.entry("event").or_insert_with(|| json!({}));
        if let Some(event) = event.as_object_mut() {
            event.insert("inputs".into(), Value::Object(inputs.strings));
        }
    }
    let mut contexts = Map::new();
    contexts.insert("github".into(), Value::Object(github));
    contexts.insert("inputs".into(), Value::Object(inputs.typed));
    contexts.insert("vars".into(), Value::Object(Map::new()));
    contexts
}

/// Each `--input NAME=…` must be declared by at least one of the workflows
/// (over a folder, it applies to those that declare it), so a typo is not
/// silently dropped.
pub fn inputs_declared(workflows: &[&crate::model::Workflow], flags: &[String]) -> Result<(), String> {
    for flag in flags {
        let Some((name, _)) = flag.split_once('=') else {
            return Err(format!("--input takes NAME=VALUE, not `{flag}`"));
        };
        if !workflows.iter().any(|w| crate::plan::declares_input(w, name)) {
            return Err(format!(
                "--input {name}: no workflow declares a workflow_dispatch input `{name}`"
            ));
        }
    }
    Ok(())
}

/// A workflow's dispatch inputs for `plan` and `run`; an error names the
/// workflow file. A dispatch must give every required input that has no
/// default, as GitHub requires.
pub fn workflow_inputs(
    workflow: &crate::model::Workflow,
    event: &str,
    flags: &[String],
    payload: Option<&Value>,
) -> Result<crate::plan::DispatchInputs, String> {
    let path = workflow.path.display();
    if event == "workflow_dispatch" {
        if let Some(name) = crate::plan::missing_required_input(workflow, flags, payload) {
            return Err(format!(
                "{path}: input `{name}` is required and has no default; give it with --input {name}=VALUE"
            ));
        }
    }
    crate::plan::resolve_inputs(workflow, flags, payload).map_err(|e| format!("{path}: {e}"))
}
