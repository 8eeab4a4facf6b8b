//! Intake: what an event runs. The commit is fetched (for mirrored
//! repositories) and its workflows read from git; each is decided with the
//! engine's trigger rules against the real diff of the push, and the ones
//! that run are queued with their concurrency group.

use super::context::{run_contexts, RunFor};
use super::dispatch::{check_dispatch, names_workflow};
use super::queue::{EventRow, NewQueuedRun};
use super::repos::RepoHandle;
use super::workflows_at::{first_error, workflow_name, workflows_at};
use crate::exec::job::flag;
use crate::exec::scope::{Scope, Status};
use crate::expr::JsonContext;
use crate::model::Workflow;
use crate::trigger::git::changed_files;
use crate::trigger::{decide, ChangedFiles, Event, RefKind};
use git2::{Oid, Repository};
use serde_json::{Map, Value};

/// The runs an event queues, and a note saying what was decided and why.
pub struct Triage {
    pub runs: Vec<NewQueuedRun>,
    pub note: String,
    /// The commit looked at (None: a deleted ref).
    pub sha: Option<String>,
    /// The workflows invalid at that commit, which did not run: their
    /// names and first errors, for an `error` commit status each.
    pub invalid: Vec<(String, String)>,
}

/// Decides what `event` runs in `repo`; an error says why the event could
/// not be looked at (a commit that is not there, a broken repository).
pub fn triage(repo: &RepoHandle, workflows_folder: &str, slug: &str, event: &EventRow) -> Result<Triage, String> {
    repo.fetch().map_err(|e| e.to_string())?;
    let git = repo.repository().map_err(|e| e.to_string())?;
    // A dispatch without a ref runs on the default branch.
    let mut event = event.clone();
    if event.git_ref.is_empty() {
        let branch = repo
            .default_branch()
            .ok_or_else(|| format!("repository {} has no default branch to run on", repo.name()))?;
        event.git_ref = format!("refs/heads/{branch}");
    }
    let event = &event;
    if event.after.as_deref().is_some_and(is_zero) {
        return Ok(Triage {
            runs: Vec::new(),
            note: format!("{} was deleted: nothing runs", event.git_ref),
            sha: None,
            invalid: Vec::new(),
        });
    }
    let sha = match &event.after {
        Some(sha) => Oid::from_str(sha).map_err(|_| format!("`{sha}` is not a commit sha"))?,
        None => tip_of(&git, &event.git_ref)?,
    };
    git.find_commit(sha)
        .map_err(|_| format!("commit {sha} is not in repository {}", repo.name()))?;
    let analyses =
        workflows_at(&git, sha, workflows_folder).map_err(|e| format!("failed to read the workflows: {e}"))?;
    let default_branch = repo.default_branch();
    let trigger_event = trigger_event(&git, event, sha, default_branch.as_deref());
    let wanted = event
        .payload
        .as_ref()
        .and_then(|p| p.get("workflow"))
        .and_then(Value::as_str)
        .filter(|_| matches!(event.name.as_str(), "workflow_dispatch" | "schedule"));
    if let (Some(wanted), "workflow_dispatch") = (wanted, event.name.as_str()) {
        // Refused here too, at the commit: an undeclared input runs nothing.
        check_dispatch(&analyses, wanted, event.payload.as_ref()).map_err(|refusal| refusal.to_string())?;
    }
    let mut runs = Vec::new();
    let mut notes = Vec::new();
    let mut invalid = Vec::new();
    for analysis in &analyses {
        let path = analysis.source.path.display().to_string();
        if wanted.is_some_and(|w| !names_workflow(&path, w)) {
            continue;
        }
        let Some(workflow) = analysis.valid_workflow() else {
            let why = first_error(analysis);
            notes.push(format!("{path}: invalid, not run: {why}"));
            invalid.push((workflow_name(analysis), why));
            continue;
        };
        let decision = decide(workflow, &trigger_event);
        notes.push(format!("{path}: {}", decision.reason()));
        if !decision.runs() {
            continue;
        }
        let for_run = RunFor {
            event,
            slug,
            default_branch: default_branch.as_deref(),
            git_ref: &event.git_ref,
            sha: &sha.to_string(),
            workflow: &workflow.display_name(),
            run_id: 0,
        };
        let contexts = run_contexts(&git, &for_run, workflow);
        let (group, cancel_in_progress) = concurrency(workflow, contexts)?;
        runs.push(NewQueuedRun {
            repo: repo.name().to_string(),
            workflow: path,
            git_ref: event.git_ref.clone(),
            sha: sha.to_string(),
            concurrency_group: group,
            cancel_in_progress,
        });
    }
    if let (Some(wanted), true) = (wanted, notes.is_empty()) {
        return Err(format!(
            "there is no workflow `{wanted}` in {workflows_folder} at {sha}"
        ));
    }
    if analyses.is_empty() {
        notes.push(format!("no workflows in {workflows_folder}"));
    }
    Ok(Triage {
        runs,
        note: notes.join("; "),
        sha: Some(sha.to_string()),
        invalid,
    })
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

fn tip_of(git: &Repository, git_ref: &str) -> Result<Oid, String> {
    git.revparse_single(git_ref)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|_| format!("there is no {git_ref} in the repository"))
}

/// The event as the trigger rules see it: the ref, and the files the push
/// changed (a new branch against the default branch, a force push against
/// the merge base).
fn trigger_event(git: &Repository, event: &EventRow, sha: Oid, default_branch: Option<&str>) -> Event {
    let git_ref = if let Some(branch) = event.git_ref.strip_prefix("refs/heads/") {
        Some(RefKind::Branch(branch.to_string()))
    } else {
        event
            .git_ref
            .strip_prefix("refs/tags/")
            .map(|tag| RefKind::Tag(tag.to_string()))
    };
    let payload = event.payload.clone().unwrap_or_default();
    let base_branch = payload
        .pointer("/pull_request/base/ref")
        .and_then(Value::as_str)
        .map(str::to_string);
    let changed: Option<ChangedFiles> = match event.name.as_str() {
        "push" => {
            let before = event.before.as_deref().and_then(|b| Oid::from_str(b).ok());
            changed_files(git, before, sha, default_branch).ok()
        }
        "pull_request" | "pull_request_target" => {
            changed_files(git, None, sha, base_branch.as_deref().or(default_branch)).ok()
        }
        _ => None,
    };
    Event {
        name: event.name.clone(),
        git_ref,
        changed,
        base_branch,
        activity: payload.get("action").and_then(Value::as_str).map(str::to_string),
    }
}

/// The workflow's `concurrency:` group and `cancel-in-progress`, evaluated
/// with the contexts known before the run (§3.6: github, inputs, vars).
fn concurrency(workflow: &Workflow, contexts: Map<String, Value>) -> Result<(Option<String>, bool), String> {
    let Some(concurrency) = &workflow.concurrency else {
        return Ok((None, false));
    };
    let scope = Scope::new(JsonContext::new(contexts), Status::default());
    let group = scope
        .string(&concurrency.group)
        .map_err(|e| format!("{}: concurrency group: {e}", workflow.path.display()))?;
    let cancel = flag(&scope, concurrency.cancel_in_progress.as_ref(), false);
    Ok((Some(group).filter(|g| !g.is_empty()), cancel))
}
