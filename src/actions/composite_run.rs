//! Running a composite action (local or published): its steps run inside
//! the calling step, with their own `steps` context and `inputs`, the
//! caller's `env`, and the action's `outputs` as the step's outputs.
//! `$GITHUB_ENV` and `$GITHUB_PATH` writes reach the rest of the job.

use super::action_file::Action;
use super::javascript::action_inputs;
use super::located::Located;
use crate::exec::job::flag;
use crate::exec::scope::{Scope, Status};
use crate::exec::step::{execute, record_step, Ended, JobState, StepContext};
use crate::model::Step;
use crate::report::events::{LineKind, Outcome};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};

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
    located: &Located,
) -> Result<(Ended, Map<String, Value>), String> {
    if call.depth >= MAX_DEPTH {
        return Err(format!(
            "`uses: {}`: composite actions nest deeper than {MAX_DEPTH} levels",
            call.uses
        ));
    }
    let identity = located.host_dir.display().to_string();
    if let Some(first) = state.composites.iter().position(|(id, _)| *id == identity) {
        let mut chain: Vec<&str> = state.composites[first..]
            .iter()
            .map(|(_, uses)| uses.as_str())
            .collect();
        chain.push(call.uses);
        return Err(format!(
            "composite actions call each other in a cycle: {}",
            chain.join(" → ")
        ));
    }
    state.composites.push((identity, call.uses.to_string()));
    let result = run_action_steps(cx, state, scope, &call, located).await;
    state.composites.pop();
    result
}

async fn run_action_steps(
    cx: &StepContext<'_>,
    state: &mut JobState,
    scope: &Scope,
    call: &Call<'_>,
    located: &Located,
) -> Result<(Ended, Map<String, Value>), String> {
    let action = &located.action;
    let mut inner = scope.clone();
    inner.insert("inputs", &json!(action_inputs(action, call.step, scope)?));
    let mut github = inner.json("github");
    if let Some(github) = github.as_object_mut() {
        github.insert("action_path".into(), json!(located.visible_dir));
        github.insert("action_repository".into(), json!(located.repository));
        github.insert("action_ref".into(), json!(located.git_ref));
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
    let result = run_steps(cx, state, &mut inner, action, call).await;
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
