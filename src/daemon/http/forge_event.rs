//! What a forge's webhook delivery means to the queue: a GitHub or Gitea
//! `push` or `pull_request` payload read into a [`NewEvent`] for one of the
//! configured repositories. Pure, so every rule is tested without a server.

use super::error::ApiError;
use crate::daemon::config::{Forge, RepoConfig};
use crate::daemon::queue::NewEvent;
use serde::Deserialize;
use serde_json::Value;

/// What a verified delivery asks of the daemon.
#[derive(Debug, PartialEq)]
pub enum Delivery {
    /// GitHub's hello when a webhook is created.
    Ping,
    /// An event that starts no runs (issues, stars, releases, …).
    Ignored(String),
    /// An event to queue.
    Event(NewEvent),
}

#[derive(Deserialize)]
struct Repository {
    full_name: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Push {
    #[serde(rename = "ref")]
    git_ref: String,
    before: Option<String>,
    after: Option<String>,
    repository: Repository,
}

#[derive(Deserialize)]
struct PullRequestEvent {
    number: u64,
    pull_request: PullRequest,
    repository: Repository,
}

#[derive(Deserialize)]
struct PullRequest {
    base: Commit,
    head: Commit,
}

#[derive(Deserialize)]
struct Commit {
    sha: String,
}

fn forge_name(forge: Forge) -> &'static str {
    match forge {
        Forge::Github => "GitHub",
        Forge::Gitea => "Gitea",
    }
}

/// The queue's `source` of a forge's deliveries.
pub fn forge_source(forge: Forge) -> &'static str {
    match forge {
        Forge::Github => "github",
        Forge::Gitea => "gitea",
    }
}

/// Reads a delivery whose signature was already verified. `event` is the
/// forge's event header; `body` the raw JSON body.
pub fn read_delivery(forge: Forge, event: &str, body: &[u8], repos: &[RepoConfig]) -> Result<Delivery, ApiError> {
    if event == "ping" {
        return Ok(Delivery::Ping);
    }
    if event != "push" && event != "pull_request" {
        return Ok(Delivery::Ignored(event.to_string()));
    }
    let payload: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("the payload is not JSON: {e}")))?;
    let shape = |e: serde_json::Error| {
        ApiError::bad_request(format!(
            "the {event} payload is not what {} sends: {e}",
            forge_name(forge)
        ))
    };
    let source = forge_source(forge).to_string();
    let event = if event == "push" {
        let push = Push::deserialize(&payload).map_err(shape)?;
        NewEvent {
            repo: configured_repo(&push.repository, repos)?,
            name: "push".into(),
            git_ref: push.git_ref,
            before: push.before,
            after: push.after,
            payload: Some(payload),
            source,
        }
    } else {
        let pull = PullRequestEvent::deserialize(&payload).map_err(shape)?;
        NewEvent {
            repo: configured_repo(&pull.repository, repos)?,
            name: "pull_request".into(),
            git_ref: format!("refs/pull/{}/merge", pull.number),
            before: Some(pull.pull_request.base.sha),
            after: Some(pull.pull_request.head.sha),
            payload: Some(payload),
            source,
        }
    };
    Ok(Delivery::Event(event))
}

/// The configured repository a payload's `repository` is: by its
/// `owner/name` against `slug:` (forges do not care about case there),
/// else by its bare name against `name:`.
fn configured_repo(repository: &Repository, repos: &[RepoConfig]) -> Result<String, ApiError> {
    let by_slug = repository
        .full_name
        .as_deref()
        .and_then(|full| repos.iter().find(|r| r.slug.eq_ignore_ascii_case(full)));
    let by_name = || {
        let name = repository.name.as_deref()?;
        repos.iter().find(|r| r.name == name)
    };
    match by_slug.or_else(by_name) {
        Some(repo) => Ok(repo.name.clone()),
        None => {
            let named = repository
                .full_name
                .as_deref()
                .or(repository.name.as_deref())
                .unwrap_or("(no name)");
            Err(ApiError::not_found(format!("no configured repository matches {named}")))
        }
    }
}

#[cfg(test)]
#[path = "forge_event_tests.rs"]
mod forge_event_tests;
