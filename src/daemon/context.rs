//! The `github` context of a daemon run, from the event as it arrived: a
//! forge's webhook payload is used as is (as on GitHub); a git hook's push,
//! a dispatch and a schedule get a payload made from the commit.

use super::queue::EventRow;
use crate::model::Workflow;
use crate::plan::dispatch_inputs;
use git2::{Commit, Repository};
use serde_json::{json, Map, Value};

/// What a run is for, once intake resolved the commit.
pub struct RunFor<'a> {
    pub event: &'a EventRow,
    /// `owner/name` on the forge.
    pub slug: &'a str,
    pub default_branch: Option<&'a str>,
    pub git_ref: &'a str,
    pub sha: &'a str,
    /// The workflow's display name.
    pub workflow: &'a str,
    /// The store's run id.
    pub run_id: i64,
}

/// The contexts known before a run's jobs: `github`, `inputs` (a
/// dispatch's, typed by the workflow's declared inputs) and `vars`.
pub fn run_contexts(repo: &Repository, run: &RunFor, workflow: &Workflow) -> Map<String, Value> {
    // Intake refused the dispatch when its inputs do not fit (daemon::dispatch).
    let inputs = dispatch_inputs(workflow, &[], run.event.payload.as_ref()).unwrap_or_default();
    let mut contexts = Map::new();
    contexts.insert("github".into(), Value::Object(github_context(repo, run, &inputs)));
    contexts.insert("inputs".into(), Value::Object(inputs));
    contexts.insert("vars".into(), json!({}));
    contexts
}

fn github_context(repo: &Repository, run: &RunFor, inputs: &Map<String, Value>) -> Map<String, Value> {
    let (owner, name) = run.slug.split_once('/').unwrap_or(("local", run.slug));
    let commit = git2::Oid::from_str(run.sha)
        .ok()
        .and_then(|oid| repo.find_commit(oid).ok());
    let event = run.event.payload.clone().filter(|_| is_forge(&run.event.source));
    let actor = event
        .as_ref()
        .and_then(|p| p.pointer("/sender/login").or_else(|| p.pointer("/pusher/name")))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| commit.as_ref().and_then(|c| c.author().name().map(str::to_string)))
        .unwrap_or_else(|| "mlci".into());
    let repository = json!({
        "name": name, "full_name": run.slug, "owner": {"login": owner, "name": owner},
        "default_branch": run.default_branch, "master_branch": run.default_branch,
    });
    let event = event.unwrap_or_else(|| made_up_payload(run, commit.as_ref(), &actor, repository, inputs));
    let (ref_type, ref_name) = match run.git_ref.strip_prefix("refs/heads/") {
        Some(branch) => (json!("branch"), branch.to_string()),
        None => match run.git_ref.strip_prefix("refs/tags/") {
            Some(tag) => (json!("tag"), tag.to_string()),
            None => (Value::Null, run.git_ref.trim_start_matches("refs/").to_string()),
        },
    };
    let pull = |key: &str| {
        event
            .pointer(&format!("/pull_request/{key}/ref"))
            .cloned()
            .unwrap_or(json!(""))
    };
    let mut context = Map::new();
    let mut put = |key: &str, value: Value| {
        context.insert(key.to_string(), value);
    };
    put("event_name", json!(run.event.name));
    put("ref", json!(run.git_ref));
    put("ref_name", json!(ref_name));
    put("ref_type", ref_type);
    put("ref_protected", json!(false));
    put("sha", json!(run.sha));
    put("base_ref", pull("base"));
    put("head_ref", pull("head"));
    put("event", event);
    put("repository", json!(run.slug));
    put("repository_owner", json!(owner));
    put("actor", json!(actor));
    put("triggering_actor", json!(actor));
    put("workflow", json!(run.workflow));
    put("run_id", json!(run.run_id.to_string()));
    put("run_number", json!(run.run_id.to_string()));
    put("run_attempt", json!("1"));
    put("server_url", json!("https://github.com"));
    put("api_url", json!("https://api.github.com"));
    put("graphql_url", json!("https://api.github.com/graphql"));
    context
}

fn is_forge(source: &str) -> bool {
    matches!(source, "github" | "gitea")
}

/// The payload a forge would have sent for this event, as far as the
/// commit tells: pushes get `before`, `after` and the head commit; a
/// dispatch its `inputs` (every declared one, defaults included, as
/// strings: §1.8); a schedule its cron.
fn made_up_payload(
    run: &RunFor,
    commit: Option<&Commit>,
    actor: &str,
    repository: Value,
    inputs: &Map<String, Value>,
) -> Value {
    let given = run.event.payload.clone().unwrap_or_default();
    let head_commit = commit.map(|c| {
        json!({
            "id": c.id().to_string(),
            "message": c.message().unwrap_or_default(),
            "timestamp": chrono::DateTime::from_timestamp(c.time().seconds(), 0).map(|t| t.to_rfc3339()),
            "author": {"name": c.author().name(), "email": c.author().email()},
        })
    });
    let mut payload = json!({"repository": repository, "sender": {"login": actor}});
    let fields = match run.event.name.as_str() {
        "push" => {
            let zero = "0".repeat(40);
            let before = run.event.before.clone().unwrap_or(zero.clone());
            json!({
                "ref": run.git_ref, "before": before, "after": run.sha,
                "created": before == zero, "deleted": false, "forced": false,
                "head_commit": head_commit, "commits": head_commit.iter().collect::<Vec<_>>(),
                "pusher": {"name": actor},
            })
        }
        "workflow_dispatch" => {
            let as_strings: Map<String, Value> = inputs
                .iter()
                .map(|(name, value)| {
                    let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
                    (name.clone(), Value::String(text))
                })
                .collect();
            json!({"ref": run.git_ref, "inputs": as_strings})
        }
        "schedule" => json!({"schedule": given.get("schedule").cloned().unwrap_or(Value::Null)}),
        _ => json!({}),
    };
    if let (Some(payload), Some(fields)) = (payload.as_object_mut(), fields.as_object()) {
        payload.extend(fields.clone());
    }
    payload
}
