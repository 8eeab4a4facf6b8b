//! Finding the action a `uses:` names — in the workspace (`./path`) or in
//! the action cache (`OWNER/REPO[/PATH]@REF`) — and putting its files
//! where the job's steps can read them: `RUNNER_TEMP/_actions/...`, as
//! GitHub's runner puts them in `_actions`. Each job gets its own copy, so
//! a job that rewrites an action's files changes neither the cache nor
//! another job.

use super::action_file::{has_action_file, load_local_action, missing_local_action, read_action_dir, Action};
use crate::exec::job_dir::JobDir;
use crate::exec::step::{JobState, StepContext};
use crate::model::ActionRef;
use crate::report::events::{LineKind, RunEvent};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An action ready to run in this job.
#[derive(Debug)]
pub struct Located {
    pub action: Action,
    /// `GITHUB_ACTION_PATH`: the action's folder as the step sees it.
    pub visible_dir: String,
    /// The same folder on this machine (a Docker action's build context).
    pub host_dir: PathBuf,
    /// `GITHUB_ACTION_REPOSITORY` (`OWNER/REPO`; empty for a local action).
    pub repository: String,
    /// `GITHUB_ACTION_REF` (empty for a local action).
    pub git_ref: String,
    /// The resolved commit, for published actions: names Docker images.
    pub sha: Option<String>,
}

/// A published action of this job, resolved (once per run), its files
/// copied into the job (once per job).
pub async fn locate_published(
    cx: &StepContext<'_>,
    state: &mut JobState,
    index: usize,
    action: &ActionRef,
) -> Result<Arc<Located>, String> {
    let key = action.to_string();
    if let Some(found) = state.located.get(&key) {
        return Ok(found.clone());
    }
    let resolver = cx.shared.settings.actions.resolver.clone();
    let wanted = action.clone();
    let resolved = tokio::task::spawn_blocking(move || resolver.resolve(&wanted))
        .await
        .map_err(|e| format!("resolving {key} stopped unexpectedly: {e}"))?
        .map_err(|e| e.to_string())?;
    let no_token = !cx
        .shared
        .settings
        .secrets
        .iter()
        .any(|(n, v)| n == "GITHUB_TOKEN" && !v.is_empty());
    if state.located.is_empty() && no_token {
        let note = "github.token is empty: pass --secret GITHUB_TOKEN (or --token-file FILE) to give actions a token";
        cx.shared.say(cx.key, Some(index), LineKind::Runner, note);
    }
    let how = if resolved.fetched {
        "Download action repository"
    } else {
        "Using cached action"
    };
    let note = format!("{how} '{key}' (SHA:{})", resolved.sha);
    cx.shared.say(cx.key, Some(index), LineKind::Runner, &note);
    cx.shared.emit(RunEvent::ActionResolved {
        job: cx.key.clone(),
        step: index,
        action: key.clone(),
        sha: resolved.sha.clone(),
        source: resolved.source.clone(),
    });
    let metadata = read_action_dir(&resolved.dir(), Path::new(&action.name()))?;
    // The whole commit, not only the action's folder: an action may use
    // files elsewhere in its repository (`actions/cache/restore` runs `../dist`).
    let inside = Path::new("_actions")
        .join(&action.owner)
        .join(&action.repo)
        .join(&resolved.sha);
    let temp = JobDir::open(&cx.spec.temp).map_err(|e| format!("cannot open the job's temp folder: {e}"))?;
    if !temp.exists(&inside) {
        temp.copy_in(&resolved.root, &inside)
            .map_err(|e| format!("cannot copy {key} into the job: {e}"))?;
    }
    let within = |root: &str| {
        let mut dir = format!("{}/{}", root.trim_end_matches('/'), inside.display());
        if let Some(path) = &action.path {
            dir = format!("{dir}/{path}");
        }
        dir
    };
    let located = Arc::new(Located {
        action: metadata,
        visible_dir: within(&cx.env.temp()),
        host_dir: PathBuf::from(within(&cx.spec.temp.display().to_string())),
        repository: action.repository(),
        git_ref: action.git_ref.clone(),
        sha: Some(resolved.sha),
    });
    state.located.insert(key, located.clone());
    Ok(located)
}

/// A local action (`uses: ./path`): in the job's workspace, else in the
/// repository mlci runs from (the workspace is empty until a checkout).
pub fn locate_local(cx: &StepContext<'_>, uses: &str) -> Result<Located, String> {
    let repository = cx
        .shared
        .settings
        .contexts
        .get("github")
        .and_then(|g| g.get("workspace"))
        .and_then(Value::as_str)
        .map(PathBuf::from);
    let mut roots = vec![cx.spec.workspace.clone()];
    roots.extend(repository);
    for root in &roots {
        let dir = root.join(uses.strip_prefix("./").unwrap_or(uses));
        if has_action_file(&dir) {
            let action = load_local_action(root, uses)?;
            let (visible_dir, host_dir) = visible_dir(cx, &dir);
            return Ok(Located {
                action,
                visible_dir,
                host_dir,
                repository: String::new(),
                git_ref: String::new(),
                sha: None,
            });
        }
    }
    Err(missing_local_action(uses))
}

/// The action's folder as steps see it, and on this machine: under the
/// workspace it is already mounted; from the repository it is copied into
/// the job's temp folder so a container step can read its files.
fn visible_dir(cx: &StepContext<'_>, dir: &Path) -> (String, PathBuf) {
    if let Ok(rest) = dir.strip_prefix(&cx.spec.workspace) {
        return (
            PathBuf::from(cx.env.workspace()).join(rest).display().to_string(),
            dir.to_path_buf(),
        );
    }
    let name = dir
        .file_name()
        .map_or_else(|| "action".into(), |n| n.to_string_lossy().into_owned());
    let inside = Path::new("_actions").join(&name);
    let copied = JobDir::open(&cx.spec.temp).and_then(|temp| temp.copy_in(dir, &inside));
    if copied.is_err() {
        return (dir.display().to_string(), dir.to_path_buf());
    }
    (
        PathBuf::from(cx.env.temp()).join(&inside).display().to_string(),
        cx.spec.temp.join(inside),
    )
}
