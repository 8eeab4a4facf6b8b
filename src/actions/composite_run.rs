//! Running a local composite action (`uses: ./path`): its steps run inside
//! the calling step, with their own `steps` context and `inputs`, the
//! caller's `env`, and the action's `outputs` as the step's outputs.
//! `$GITHUB_ENV` and `$GITHUB_PATH` writes reach the rest of the job.

use super::action_file::{has_action_file, load_local_action, missing_local_action, Action};
use crate::exec::job::flag;
use crate::exec::job_dir::JobDir;
use crate::exec::scope::{Scope, Status};
use crate::exec::step::{execute, record_step, Ended, JobState, StepContext};
use crate::model::Step;
use crate::report::events::{LineKind, Outcome};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// How deep `uses: ./x` may nest inside composite actions.
const MAX_DEPTH: usize = 10;

pub struct Call<'a> {
    pub uses: &'a str,
    pub step: &'a Step,
    pub index: usize,
    pub action_id: &'a str,
    /// The calling step's `env`, already evaluated.
    pub env: IndexMap<String, String>,
    pub depth: usize,
}

pub async fn run_composite(
    cx: &StepContext<'_>,
    state: &mut JobState,
    scope: &Scope,
    call: Call<'_>,
) -> Result<(Ended, Map<String, Value>), String> {
    if call.depth >= MAX_DEPTH {
        return Err(format!(
            "`uses: {}`: composite actions nest deeper than {MAX_DEPTH} levels",
            call.uses
        ));
    }
    let (action, dir) = find_action(cx, call.uses)?;
    let mut inner = scope.clone();
    inner.insert("inputs", &inputs(&action, call.step, scope)?);
    let mut github = inner.json("github");
    if let Some(github) = github.as_object_mut() {
        github.insert("action_path".into(), json!(dir.display().to_string()));
    }
    inner.insert("github", &github);
    // The caller's `env` is the base of every inner step; inner steps'
    // `$GITHUB_ENV` writes still reach the job.
    let saved: Vec<(String, Option<String>)> = call
        .env
        .iter()
        .map(|(k, v)| {
            let before = state.env.insert(k.clone(), v.clone());
            (k.clone(), before)
        })
        .collect();
    let result = run_steps(cx, state, &mut inner, &action, &call).await;
    for (name, before) in saved {
        if state.env.get(&name) == call.env.get(&name) {
            match before {
                Some(value) => state.env.insert(name, value),
                None => state.env.shift_remove(&name),
            };
        }
    }
    let (ended, steps) = result?;
    inner.insert("steps", &Value::Object(steps));
    let mut outputs = Map::new();
    for (name, text) in &action.outputs {
        outputs.insert(name.clone(), Value::String(inner.string(text)?));
    }
    Ok((ended, outputs))
}

async fn run_steps(
    cx: &StepContext<'_>,
    state: &mut JobState,
    inner: &mut Scope,
    action: &Action,
    call: &Call<'_>,
) -> Result<(Ended, Map<String, Value>), String> {
    let mut steps = Map::new();
    let mut failed = false;
    for step in action.steps() {
        inner.insert("steps", &Value::Object(steps.clone()));
        inner.insert("env", &Value::Object(state.env_json()));
        inner.set_status(Status {
            failed,
            skipped: false,
            cancelled: cx.cancel.is_cancelled(),
        });
        let name = match &step.name {
            Some(name) => inner.string(name).unwrap_or_else(|_| name.value.clone()),
            None => step.display_name(),
        };
        if !inner.condition(step.condition.as_ref())? {
            record_step(&mut steps, step, Map::new(), Outcome::Skipped, Outcome::Skipped);
            continue;
        }
        cx.shared
            .say(cx.key, Some(call.index), LineKind::Runner, &format!("▶ {name}"));
        let (ended, outputs) = Box::pin(execute(
            cx,
            state,
            inner,
            call.index,
            step,
            call.action_id,
            call.depth + 1,
        ))
        .await?;
        let outcome = match ended {
            Ended::Exited(0) => Outcome::Success,
            Ended::Exited(code) => {
                let message = format!("{name}: process completed with exit code {code}.");
                cx.shared.say(cx.key, Some(call.index), LineKind::Error, &message);
                Outcome::Failure
            }
            // A timeout, a cancel or a backend error ends the whole action.
            other => return Ok((other, steps)),
        };
        let continue_on_error = flag(inner, step.continue_on_error.as_ref(), false);
        let conclusion = match (outcome, continue_on_error) {
            (Outcome::Failure, true) => Outcome::Success,
            (outcome, _) => outcome,
        };
        failed |= conclusion == Outcome::Failure;
        record_step(&mut steps, step, outputs, outcome, conclusion);
    }
    Ok((Ended::Exited(i64::from(failed)), steps))
}

/// `inputs`: the step's `with`, else the input's default; every declared
/// input is there (empty when neither).
fn inputs(action: &Action, step: &Step, scope: &Scope) -> Result<Value, String> {
    let mut inputs = Map::new();
    for input in &action.inputs {
        let given = step
            .with
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&input.name))
            .map(|(_, v)| scope.string(v))
            .transpose()?;
        let value = given.or_else(|| input.default.clone()).unwrap_or_default();
        inputs.insert(input.name.clone(), Value::String(value));
    }
    Ok(Value::Object(inputs))
}

/// The action in the job's workspace, else in the repository mlci runs from
/// (the workspace is empty until a checkout step).
fn find_action(cx: &StepContext<'_>, uses: &str) -> Result<(Action, PathBuf), String> {
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
            return Ok((action, visible_dir(cx, &dir)));
        }
    }
    Err(missing_local_action(uses))
}

/// The action's directory as steps see it: under the workspace it is
/// already mounted; from the repository it is copied into the job's temp
/// directory so a container step can read its files.
fn visible_dir(cx: &StepContext<'_>, dir: &Path) -> PathBuf {
    if let Ok(rest) = dir.strip_prefix(&cx.spec.workspace) {
        return PathBuf::from(cx.env.workspace()).join(rest);
    }
    let name = dir
        .file_name()
        .map_or_else(|| "action".into(), |n| n.to_string_lossy().into_owned());
    let copied = JobDir::open(&cx.spec.temp).and_then(|temp| temp.copy_in(dir, &Path::new("_actions").join(&name)));
    if copied.is_err() {
        return dir.to_path_buf();
    }
    PathBuf::from(cx.env.temp()).join("_actions").join(name)
}
