//! One step: its `if`, its environment, its outcome and conclusion; what
//! it runs is a `run:` script through the shell template (gha-semantics
//! §3.4–3.7) or what its `uses:` names (the actions layer, `run_uses`).

use super::default_env::runner_context;
use super::job::{flag, number};
use super::program::{run_program, PostStep, Program};
use super::scope::{Scope, Status};
use super::shared::RunShared;
use super::shell::resolve_shell;
use crate::actions::cache::CacheOptions;
use crate::actions::located::Located;
use crate::actions::run_uses::{run_uses, StepCall};
use crate::backend::{JobEnv, JobSpec};
use crate::model::Step;
use crate::report::events::{JobKey, LineKind, Outcome, RunEvent};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// PATH inside a container when the image sets none we know of.
pub const CONTAINER_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What one attempt's steps share.
pub struct StepContext<'a> {
    pub shared: &'a RunShared,
    pub key: &'a JobKey,
    pub job_index: usize,
    pub env: &'a dyn JobEnv,
    pub spec: &'a JobSpec,
    pub cancel: &'a CancellationToken,
    /// The job's `timeout-minutes` deadline.
    pub deadline: Instant,
    pub job_timeout_minutes: f64,
}

/// What earlier steps left for later ones.
pub struct JobState {
    /// Workflow + job `env`, then `$GITHUB_ENV` writes.
    pub env: IndexMap<String, String>,
    /// `$GITHUB_PATH` entries, newest first.
    pub paths: Vec<String>,
    /// The `steps` context.
    pub steps: Map<String, Value>,
    /// A step failed without `continue-on-error`.
    pub failed: bool,
    pub timed_out: bool,
    /// `actions/cache` steps that missed: saved when the job succeeds.
    pub cache_saves: Vec<CacheOptions>,
    /// Auto ids handed out (`__run`, `__run_2`, …).
    action_ids: Vec<String>,
    /// Each step's `GITHUB_ACTION`, given out before the job's first step
    /// so that an action's `pre` stage has the id its `main` will have.
    pub step_ids: Vec<String>,
    /// The job's actions, by `uses`, each copied into the job once.
    pub located: HashMap<String, Arc<Located>>,
    /// `post` stages of the actions that ran, in the order they ran.
    pub posts: Vec<PostStep>,
    /// The composite actions running now, outermost first: (identity,
    /// `uses`), to catch one that calls itself.
    pub composites: Vec<(String, String)>,
    /// What each action saved with `$GITHUB_STATE`, by `GITHUB_ACTION`:
    /// its `pre`, `main` and `post` stages see it as `STATE_*`.
    states: HashMap<String, Vec<(String, String)>>,
    pub on_host: bool,
    pub(crate) gpu_ids: Vec<String>,
}

impl JobState {
    /// The `env` context: workflow and job `env` with `$GITHUB_ENV` writes.
    pub fn env_json(&self) -> Map<String, Value> {
        self.env
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect()
    }

    pub fn new(spec: &JobSpec, on_host: bool) -> JobState {
        JobState {
            env: IndexMap::new(),
            paths: Vec::new(),
            steps: Map::new(),
            failed: false,
            timed_out: false,
            cache_saves: Vec::new(),
            action_ids: Vec::new(),
            step_ids: Vec::new(),
            located: HashMap::new(),
            posts: Vec::new(),
            composites: Vec::new(),
            states: HashMap::new(),
            on_host,
            gpu_ids: spec.gpus.ids(),
        }
    }

    /// Gives every step of the job its `GITHUB_ACTION`.
    pub fn assign_ids(&mut self, steps: &[Step]) {
        self.step_ids = steps.iter().map(|step| self.action_id(step)).collect();
    }

    /// `STATE_<name>` for what the action `action_id` saved.
    pub(crate) fn saved_state(&self, action_id: &str) -> Vec<(String, String)> {
        self.states
            .get(action_id)
            .into_iter()
            .flatten()
            .map(|(name, value)| (format!("STATE_{name}"), value.clone()))
            .collect()
    }

    pub(crate) fn save_state(&mut self, action_id: &str, pairs: Vec<(String, String)>) {
        if !pairs.is_empty() {
            self.states.entry(action_id.to_string()).or_default().extend(pairs);
        }
    }

    /// `GITHUB_ACTION`: the step's id, else `__run`, `__run_2`, … (`__<image>`
    /// for docker:// steps) as GitHub's IdBuilder makes them.
    fn action_id(&mut self, step: &Step) -> String {
        if let Some(id) = &step.id {
            return id.value.clone();
        }
        let base = match step.uses.as_ref().map(|u| u.value.as_str()) {
            None => "__run".to_string(),
            Some(uses) if uses.starts_with("./") => "__self".to_string(),
            Some(uses) => {
                let name = uses.trim_start_matches("docker://");
                let name: String = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                format!("__{name}")
            }
        };
        let mut id = base.clone();
        let mut n = 2;
        while self.action_ids.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.action_ids.push(id.clone());
        id
    }
}

/// How a step's process ended.
pub enum Ended {
    Exited(i64),
    /// The backend could not run it at all.
    Error(String),
    StepTimeout,
    JobTimeout,
    Cancelled,
}

pub async fn run_step(cx: &StepContext<'_>, state: &mut JobState, scope: &mut Scope, index: usize, step: &Step) {
    let shared = cx.shared;
    let started = std::time::Instant::now();
    let action_id = state
        .step_ids
        .get(index)
        .cloned()
        .unwrap_or_else(|| state.action_id(step));
    prepare_scope(cx, state, scope, &action_id);
    let name = step_title(step, scope);
    let finish =
        |state: &mut JobState, outcome: Outcome, conclusion: Outcome, exit_code, outputs: Map<String, Value>| {
            record_step(&mut state.steps, step, outputs, outcome, conclusion);
            if conclusion == Outcome::Failure {
                state.failed = true;
            }
            shared.emit(RunEvent::StepFinished {
                job: cx.key.clone(),
                step: index,
                name: name.clone(),
                outcome,
                conclusion,
                exit_code,
                seconds: started.elapsed().as_secs_f64(),
            });
        };
    match scope.condition(step.condition.as_ref()) {
        Ok(true) => {}
        Ok(false) => {
            let reason = match &step.condition {
                Some(condition) => format!("`if: {}` is false", condition.value),
                None if cx.cancel.is_cancelled() => "the job was cancelled".to_string(),
                None => "an earlier step failed".to_string(),
            };
            shared.emit(RunEvent::StepSkipped {
                job: cx.key.clone(),
                step: index,
                name: name.clone(),
                reason,
            });
            record_step(&mut state.steps, step, Map::new(), Outcome::Skipped, Outcome::Skipped);
            return;
        }
        Err(e) => {
            shared.emit(RunEvent::StepStarted {
                job: cx.key.clone(),
                step: index,
                name: name.clone(),
            });
            shared.say(cx.key, Some(index), LineKind::Error, &format!("`if`: {e}"));
            finish(state, Outcome::Failure, Outcome::Failure, None, Map::new());
            return;
        }
    }
    shared.emit(RunEvent::StepStarted {
        job: cx.key.clone(),
        step: index,
        name: name.clone(),
    });
    let continue_on_error = flag(scope, step.continue_on_error.as_ref(), false);
    let (ended, outputs) = match execute(cx, state, scope, index, step, &action_id, 0).await {
        Ok(done) => done,
        Err(message) => (Ended::Error(message), Map::new()),
    };
    let (outcome, exit_code) = outcome_of(cx, state, index, ended, || {
        let minutes = step
            .timeout_minutes
            .as_ref()
            .and_then(|t| number(scope, t))
            .unwrap_or_default();
        format!("The action '{name}' has timed out after {minutes} minutes.")
    });
    // continue-on-error turns a failure (not a cancel) into a success.
    let conclusion = match (outcome, continue_on_error) {
        (Outcome::Failure, true) => Outcome::Success,
        (outcome, _) => outcome,
    };
    finish(state, outcome, conclusion, exit_code, outputs);
}

/// How a step's (or an action stage's) process ended, as its outcome and
/// exit code; why it failed goes to its log. `step_timeout` words the
/// step's own timeout.
pub(crate) fn outcome_of(
    cx: &StepContext<'_>,
    state: &mut JobState,
    index: usize,
    ended: Ended,
    step_timeout: impl FnOnce() -> String,
) -> (Outcome, Option<i64>) {
    let say = |message: &str| cx.shared.say(cx.key, Some(index), LineKind::Error, message);
    match ended {
        Ended::Exited(0) => (Outcome::Success, Some(0)),
        Ended::Exited(code) => {
            say(&format!("Process completed with exit code {code}."));
            (Outcome::Failure, Some(code))
        }
        Ended::Error(message) => {
            say(&message);
            (Outcome::Failure, None)
        }
        Ended::StepTimeout => {
            say(&step_timeout());
            (Outcome::Failure, None)
        }
        Ended::JobTimeout => {
            state.timed_out = true;
            say(&format!(
                "The job has exceeded the maximum execution time of {} minutes.",
                cx.job_timeout_minutes
            ));
            (Outcome::Failure, None)
        }
        Ended::Cancelled => (Outcome::Cancelled, None),
    }
}

/// `steps.<id>` for a step that has an id.
pub fn record_step(
    steps: &mut Map<String, Value>,
    step: &Step,
    outputs: Map<String, Value>,
    outcome: Outcome,
    conclusion: Outcome,
) {
    if let Some(id) = &step.id {
        steps.insert(
            id.value.clone(),
            json!({"outputs": outputs, "outcome": outcome.as_str(), "conclusion": conclusion.as_str()}),
        );
    }
}

/// The contexts a step sees: `env`, `steps`, `job`, `runner`, and its status.
pub(crate) fn prepare_scope(cx: &StepContext<'_>, state: &JobState, scope: &mut Scope, action_id: &str) {
    scope.insert("env", &env_json(&state.env));
    scope.insert("steps", &Value::Object(state.steps.clone()));
    let status = if cx.cancel.is_cancelled() {
        "cancelled"
    } else if state.failed {
        "failure"
    } else {
        "success"
    };
    scope.insert(
        "job",
        &json!({
            "status": status,
            "container": cx.env.container_context(),
            "services": cx.env.services_context(),
        }),
    );
    scope.insert("runner", &Value::Object(runner_context(&cx.env.temp(), state.on_host)));
    let mut github = scope.json("github");
    if let Some(github) = github.as_object_mut() {
        github.insert("action".into(), json!(action_id));
    }
    scope.insert("github", &github);
    scope.set_status(Status {
        failed: state.failed,
        skipped: false,
        cancelled: cx.cancel.is_cancelled(),
    });
}

/// Runs the step's process; returns how it ended and its outputs.
pub async fn execute(
    cx: &StepContext<'_>,
    state: &mut JobState,
    scope: &mut Scope,
    index: usize,
    step: &Step,
    action_id: &str,
    depth: usize,
) -> Result<(Ended, Map<String, Value>), String> {
    let shared = cx.shared;
    let job = &shared.workflow.jobs[cx.job_index];
    let mut env = state.env.clone();
    for (name, value) in &step.env {
        env.insert(
            name.clone(),
            scope.string(value).map_err(|e| format!("env `{name}`: {e}"))?,
        );
    }
    scope.insert("env", &env_json(&env));
    let step_deadline = step
        .timeout_minutes
        .as_ref()
        .and_then(|t| number(scope, t))
        .map(|m| crate::model::limits::timeout_duration(m).map(|d| Instant::now() + d))
        .transpose()
        .map_err(|e| e.to_string())?;
    let program = if let Some(run) = &step.run {
        let script = scope.string(run).map_err(|e| format!("run: {e}"))?;
        let shell_text = step
            .shell
            .as_ref()
            .or_else(|| job.defaults.as_ref().and_then(|d| d.shell.as_ref()))
            .or_else(|| shared.workflow.defaults.as_ref().and_then(|d| d.shell.as_ref()));
        let shell = match shell_text {
            Some(text) => Some(scope.string(text)?),
            None => None,
        };
        Program::Script {
            script,
            shell: resolve_shell(shell.as_deref(), cx.spec.job_container)?,
            working_directory: working_directory(cx, scope, step)?,
        }
    } else if step.uses.is_some() {
        let call = StepCall {
            index,
            step,
            action_id,
            depth,
        };
        return run_uses(cx, state, scope, call, &env, step_deadline).await;
    } else {
        return Err("the step has neither `run` nor `uses`".into());
    };
    run_program(cx, state, scope, index, &env, step_deadline, program).await
}

/// Step `working-directory`, else the job's default, else the workflow's,
/// joined to the workspace (an absolute path wins).
fn working_directory(cx: &StepContext<'_>, scope: &Scope, step: &Step) -> Result<String, String> {
    let job = &cx.shared.workflow.jobs[cx.job_index];
    let text = step
        .working_directory
        .as_ref()
        .or_else(|| job.defaults.as_ref().and_then(|d| d.working_directory.as_ref()))
        .or_else(|| {
            cx.shared
                .workflow
                .defaults
                .as_ref()
                .and_then(|d| d.working_directory.as_ref())
        });
    let workspace = cx.env.workspace();
    let Some(text) = text else { return Ok(workspace) };
    let dir = scope.string(text)?;
    Ok(if dir.starts_with('/') {
        dir
    } else if dir.is_empty() {
        workspace
    } else {
        format!("{}/{}", workspace.trim_end_matches('/'), dir)
    })
}

/// How a step is shown: its `name` evaluated, else its `uses` or `run`.
pub fn step_title(step: &Step, scope: &Scope) -> String {
    match &step.name {
        Some(name) => scope.string(name).unwrap_or_else(|_| name.value.clone()),
        None => step.display_name(),
    }
}

/// The step's own `env:`, evaluated (what a composite action's steps inherit).
pub fn step_env_only(step: &Step, scope: &Scope) -> Result<IndexMap<String, String>, String> {
    let mut env = IndexMap::new();
    for (name, value) in &step.env {
        env.insert(
            name.clone(),
            scope.string(value).map_err(|e| format!("env `{name}`: {e}"))?,
        );
    }
    Ok(env)
}

fn env_json(env: &IndexMap<String, String>) -> Value {
    Value::Object(env.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}
