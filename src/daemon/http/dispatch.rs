//! `POST /api/dispatch`: queue a `workflow_dispatch` of one workflow with
//! inputs, as GitHub's "Run workflow" button does.

use super::error::{blocking, ApiError};
use super::ApiState;
use crate::daemon::queue::NewEvent;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

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
    let queue = state.queue.clone();
    let id = blocking(move || queue.push_event(&event).map_err(|e| ApiError::internal(&e))).await?;
    state.wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(json!({"event": id}))))
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
