//! `POST /api/dispatch`: queue a `workflow_dispatch` of one workflow with
//! inputs, as GitHub's "Run workflow" button does. As GitHub's API, it
//! refuses at once what cannot run: an unknown workflow (404), one without
//! `workflow_dispatch`, an undeclared or mistyped input, an unknown ref
//! (422); nothing is queued then. A mirrored repository is judged as last
//! fetched; intake judges it again at the commit (daemon::dispatch).

use super::error::{blocking, ApiError};
use super::ApiState;
use crate::daemon::config::{RepoConfig, RepoSource};
use crate::daemon::dispatch::{check_dispatch, Refusal};
use crate::daemon::queue::NewEvent;
use crate::daemon::repos::RepoHandle;
use crate::daemon::workflows_at::workflows_at;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use tracing::info;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchRequest {
    /// A configured repository's `name:`.
    repo: String,
    /// The workflow file, as `on: workflow_dispatch` workflows are named
    /// (`train.yml` or `.github/workflows/train.yml`).
    workflow: String,
    /// A branch, or a full ref; None: the repository's default branch.
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    #[serde(default)]
    inputs: Map<String, Value>,
}

pub async fn dispatch(
    State(state): State<ApiState>,
    request: Result<Json<DispatchRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(request) = request.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let Some(repo) = state.config.repos.iter().find(|r| r.name == request.repo) else {
        return Err(ApiError::not_found(format!(
            "no configured repository is named `{}`",
            request.repo
        )));
    };
    let event = NewEvent {
        repo: repo.name.clone(),
        name: "workflow_dispatch".into(),
        git_ref: dispatch_ref(request.git_ref.as_deref(), repo.default_branch.as_deref()),
        before: None,
        after: None,
        payload: Some(json!({"workflow": request.workflow, "inputs": request.inputs})),
        source: "api".into(),
    };
    let (repo, store) = (repo.clone(), state.config.store.clone());
    let queue = state.queue.clone();
    let (name, git_ref) = (repo.name.clone(), event.git_ref.clone());
    let id = blocking(move || {
        may_dispatch(&repo, store, &event)?;
        queue.push_event(&event).map_err(|e| ApiError::internal(&e))
    })
    .await?;
    info!(event_id = id, repo = %name, workflow = %request.workflow, git_ref = ?git_ref, "dispatch stored");
    state.wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(json!({"event": id}))))
}

/// Whether `event` may run in `repo` as its ref's tip is now: the
/// workflow is there, dispatchable, and takes the inputs given.
fn may_dispatch(repo: &RepoConfig, store: PathBuf, event: &NewEvent) -> Result<(), ApiError> {
    let handle = RepoHandle::open(repo, &store).map_err(|e| ApiError::internal(&e))?;
    let git = handle.repository().map_err(|e| ApiError::internal(&e))?;
    let git_ref = match (event.git_ref.as_str(), handle.default_branch()) {
        ("", Some(branch)) => format!("refs/heads/{branch}"),
        (given, _) => given.to_string(),
    };
    let tip = git.revparse_single(&git_ref).and_then(|o| o.peel_to_commit());
    let sha = match (tip, &repo.source) {
        (Ok(commit), _) => commit.id(),
        (Err(_), RepoSource::Path(_)) => {
            return Err(ApiError::unprocessable(format!(
                "no ref `{git_ref}` in repository `{}`",
                repo.name
            )));
        }
        // The mirror may not have fetched it yet: intake fetches, then judges.
        (Err(_), RepoSource::Url { .. }) => return Ok(()),
    };
    let analyses = workflows_at(&git, sha, &repo.workflows).map_err(|e| ApiError::internal(&e))?;
    let wanted = event
        .payload
        .as_ref()
        .and_then(|p| p.get("workflow"))
        .and_then(Value::as_str);
    match check_dispatch(&analyses, wanted.unwrap_or_default(), event.payload.as_ref()) {
        Ok(_) => Ok(()),
        Err(refusal @ Refusal::NoWorkflow(_)) => Err(ApiError::not_found(format!("{refusal} in {git_ref}"))),
        Err(refusal) => Err(ApiError::unprocessable(refusal.to_string())),
    }
}

/// The full ref to run: a branch name becomes `refs/heads/<name>`. With no
/// ref and no configured default branch it is empty, which intake reads as
/// the repository's default branch (only the repository knows it).
fn dispatch_ref(given: Option<&str>, default_branch: Option<&str>) -> String {
    match given.or(default_branch) {
        Some(name) if name.starts_with("refs/") => name.to_string(),
        Some(name) => format!("refs/heads/{name}"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::dispatch_ref;

    #[test]
    fn a_branch_becomes_a_full_ref_and_none_the_default_branch() {
        assert_eq!(dispatch_ref(Some("dev"), Some("main")), "refs/heads/dev");
        assert_eq!(dispatch_ref(Some("refs/tags/v1"), None), "refs/tags/v1");
        assert_eq!(dispatch_ref(None, Some("main")), "refs/heads/main");
        assert_eq!(dispatch_ref(None, None), "");
    }
}
