//! One step: its `if`, its environment, its script through the shell
//! template, its timeout, and the file commands it leaves behind
//! (gha-semantics §3.4–3.7).

use super::default_env::{fixed_variables, is_fixed, runner_context};
use super::files::{join_path, parse_env_file, parse_path_file, prepend_paths};
use super::job::{flag, number};
use super::scope::{Scope, Status};
use super::shared::RunShared;
use super::shell::resolve_shell;
use super::step_files::StepFiles;
use super::step_output::StepOutput;
use super::step_summary::{too_large_message, StepSummary};
use crate::actions::builtins::{builtin, inputs, run_builtin, BUILT_IN};
use crate::actions::cache::CacheOptions;
use crate::actions::composite_run::{run_composite, Call};
use crate::backend::options::split_words;
use crate::backend::{ExecSpec, ImageStepSpec, JobEnv, JobSpec, LineSink, StopSignal};
use crate::model::Step;
use crate::report::events::{JobKey, LineKind, Outcome, RunEvent};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::future::Future;
use std::time::Duration;
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
    on_host: bool,
    gpu_ids: Vec<String>,
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
            on_host,
            gpu_ids: spec.gpus.ids(),
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
    let action_id = state.action_id(step);
    prepare_scope(cx, state, scope, &action_id);
    let name = match &step.name {
        Some(name) => scope.string(name).unwrap_or_else(|_| name.value.clone()),
        None => step.display_name(),
    };
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
    let (outcome, exit_code) = match ended {
        Ended::Exited(0) => (Outcome::Success, Some(0)),
        Ended::Exited(code) => {
            let message = format!("Process completed with exit code {code}.");
            shared.say(cx.key, Some(index), LineKind::Error, &message);
            (Outcome::Failure, Some(code))
        }
        Ended::Error(message) => {
            shared.say(cx.key, Some(index), LineKind::Error, &message);
            (Outcome::Failure, None)
        }
        Ended::StepTimeout => {
            let minutes = step
                .timeout_minutes
                .as_ref()
                .and_then(|t| number(scope, t))
                .unwrap_or_default();
            let message = format!("The action '{name}' has timed out after {minutes} minutes.");
            shared.say(cx.key, Some(index), LineKind::Error, &message);
            (Outcome::Failure, None)
        }
        Ended::JobTimeout => {
            state.timed_out = true;
            let message = format!(
                "The job has exceeded the maximum execution time of {} minutes.",
                cx.job_timeout_minutes
            );
            shared.say(cx.key, Some(index), LineKind::Error, &message);
            (Outcome::Failure, None)
        }
        Ended::Cancelled => (Outcome::Cancelled, None),
    };
    // continue-on-error turns a failure (not a cancel) into a success.
    let conclusion = match (outcome, continue_on_error) {
        (Outcome::Failure, true) => Outcome::Success,
        (outcome, _) => outcome,
    };
    finish(state, outcome, conclusion, exit_code, outputs);
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
fn prepare_scope(cx: &StepContext<'_>, state: &JobState, scope: &mut Scope, action_id: &str) {
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
    let files = StepFiles::create(&cx.spec.temp, &cx.env.temp(), index).map_err(|e| e.to_string())?;
    let mut github = scope.json("github");
    if let Some(github) = github.as_object_mut() {
        for (key, path) in files.github_keys() {
            github.insert(key.into(), json!(path));
        }
        github.insert("event_path".into(), json!(files.event_path()));
    }
    files
        .write_event(shared.settings.contexts.get("github").and_then(|g| g.get("event")))
        .map_err(|e| e.to_string())?;
    scope.insert("github", &github);
    let runner = runner_context(&cx.env.temp(), state.on_host);
    let process_env = process_env(state, &env, github.as_object().cloned().unwrap_or_default(), &runner);
    let step_deadline = step
        .timeout_minutes
        .as_ref()
        .and_then(|t| number(scope, t))
        .map(|m| crate::model::limits::timeout_duration(m).map(|d| Instant::now() + d))
        .transpose()
        .map_err(|e| e.to_string())?;
    let unsecure = env.get("ACTIONS_ALLOW_UNSECURE_COMMANDS").is_some_and(|v| v == "true");
    let mut output = StepOutput::new(shared, cx.key, index, unsecure);
    let ended = if let Some(run) = &step.run {
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
        let shell = resolve_shell(shell.as_deref(), cx.spec.job_container)?;
        let script_path = files
            .write_script(index, &script, shell.extension)
            .map_err(|e| e.to_string())?;
        let spec = ExecSpec {
            argv: shell.argv(&script_path),
            env: process_env,
            working_directory: working_directory(cx, scope, step)?,
        };
        supervise(cx, step_deadline, cx.env.exec(&spec, &mut output)).await
    } else if let Some(uses) = &step.uses {
        let uses = scope.string(uses)?;
        if let Some(image) = uses.strip_prefix("docker://") {
            let with = |key: &str| step.with.get(key).map(|t| scope.string(t)).transpose();
            let mut env = process_env;
            for (name, value) in &step.with {
                env.push((format!("INPUT_{}", name.to_ascii_uppercase()), scope.string(value)?));
            }
            let spec = ImageStepSpec {
                image: image.to_string(),
                // Split as GitHub's runner does, honouring quotes.
                args: with("args")?.map(|a| split_words(&a)).transpose()?.unwrap_or_default(),
                entrypoint: with("entrypoint")?,
                env,
            };
            supervise(cx, step_deadline, cx.env.run_image(&spec, &mut output)).await
        } else if let Some(which) = builtin(&uses) {
            let with = inputs(step, scope)?;
            return run_builtin(cx, state, scope, index, which, with).await;
        } else if uses.starts_with("./") {
            let call = Call {
                uses: &uses,
                step,
                index,
                action_id,
                env: step_env_only(step, scope)?,
                depth,
            };
            return run_composite(cx, state, scope, call).await;
        } else {
            return Err(unknown_action(&uses));
        }
    } else {
        return Err("the step has neither `run` nor `uses`".into());
    };
    output.flush();
    let mut outputs = std::mem::take(&mut output.outputs);
    for (name, value) in std::mem::take(&mut output.env) {
        if !is_fixed(&name) {
            state.env.insert(name, value);
        }
    }
    prepend_paths(&mut state.paths, &output.paths);
    let command_failed = output.failed;
    drop(output);
    let files_failed = !apply_file_commands(cx, state, &files, index, &mut outputs);
    // A workflow command that failed (a disabled `set-env`, …) or a file
    // command that does not parse fails a step that otherwise succeeded.
    let ended = match ended {
        Ended::Exited(0) if command_failed || files_failed => Ended::Exited(1),
        ended => ended,
    };
    Ok((ended, outputs))
}

/// Runs a step's process under its timeout, the job's and cancellation:
/// SIGTERM first, SIGKILL after the grace period (or a second Ctrl-C).
async fn supervise<F>(cx: &StepContext<'_>, step_deadline: Option<Instant>, process: F) -> Ended
where
    F: Future<Output = Result<i64, crate::backend::BackendError>>,
{
    tokio::pin!(process);
    let deadline = step_deadline.map_or(cx.deadline, |d| d.min(cx.deadline));
    let stopped = tokio::select! {
        result = &mut process => return match result {
            Ok(code) => Ended::Exited(code),
            Err(e) => Ended::Error(e.to_string()),
        },
        _ = tokio::time::sleep_until(deadline) => {
            if step_deadline.is_some_and(|d| d < cx.deadline) { Ended::StepTimeout } else { Ended::JobTimeout }
        }
        _ = cx.cancel.cancelled() => Ended::Cancelled,
    };
    // The step's output is read on while its signals are sent: a step that
    // floods its output would otherwise fill Docker's buffers, and Docker
    // would hold the signal's own `exec` behind them.
    let grace = cx.shared.settings.grace;
    if !cx.shared.cancel.kill.is_cancelled() {
        let terminate = tokio::time::timeout(STOP_LIMIT, cx.env.stop_steps(StopSignal::Terminate));
        let ended = async {
            tokio::select! {
                _ = &mut process => true,
                _ = tokio::time::sleep(grace) => false,
                _ = cx.shared.cancel.kill.cancelled() => false,
            }
        };
        if tokio::join!(terminate, ended).1 {
            return stopped;
        }
    }
    let kill = tokio::time::timeout(STOP_LIMIT, cx.env.stop_steps(StopSignal::Kill));
    let _ = tokio::join!(kill, tokio::time::timeout(STOP_LIMIT, &mut process));
    stopped
}

/// The longest mlci waits for a signal to be delivered, or for a killed
/// step's process to be reported gone: an engine that stops answering must
/// not hold the run.
const STOP_LIMIT: Duration = Duration::from_secs(10);

/// Reads `$GITHUB_ENV`, `$GITHUB_OUTPUT`, `$GITHUB_PATH` and the summary;
/// false when a file does not parse (the step then fails, as on GitHub).
fn apply_file_commands(
    cx: &StepContext<'_>,
    state: &mut JobState,
    files: &StepFiles,
    index: usize,
    outputs: &mut Map<String, Value>,
) -> bool {
    let shared = cx.shared;
    let mut ok = true;
    let warn = |message: String| shared.say(cx.key, Some(index), LineKind::Error, &message);
    match files
        .read("env")
        .map_err(|e| e.to_string())
        .and_then(|t| parse_env_file(&t))
    {
        Ok(pairs) => {
            for (name, value) in pairs {
                if name.eq_ignore_ascii_case("NODE_OPTIONS") {
                    warn("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.".into());
                } else if !is_fixed(&name) {
                    state.env.insert(name, value);
                }
            }
        }
        Err(e) => {
            warn(format!("Unable to process file command 'env' successfully. {e}"));
            ok = false;
        }
    }
    match files
        .read("output")
        .map_err(|e| e.to_string())
        .and_then(|t| parse_env_file(&t))
    {
        Ok(pairs) => {
            for (name, value) in pairs {
                outputs.insert(name, Value::String(value));
            }
        }
        Err(e) => {
            warn(format!("Unable to process file command 'output' successfully. {e}"));
            ok = false;
        }
    }
    if let Ok(text) = files.read("path") {
        prepend_paths(&mut state.paths, &parse_path_file(&text));
    }
    match files.summary() {
        Ok(StepSummary::Markdown(markdown)) => shared.emit(RunEvent::StepSummary {
            job: cx.key.clone(),
            step: index,
            markdown: shared.mask(&markdown),
        }),
        Ok(StepSummary::TooLarge(size)) => warn(too_large_message(size)),
        Ok(StepSummary::Empty) | Err(_) => {}
    }
    ok
}

/// The process environment, lowest precedence first: the host's (host
/// backend only; a container has its image's), `CI=true`, workflow/job
/// `env` and `$GITHUB_ENV`, the step's `env`, then the fixed `GITHUB_*` and
/// `RUNNER_*` and the GPU lease.
fn process_env(
    state: &JobState,
    env: &IndexMap<String, String>,
    github: Map<String, Value>,
    runner: &Map<String, Value>,
) -> Vec<(String, String)> {
    let mut vars: IndexMap<String, String> = IndexMap::new();
    if state.on_host {
        vars.extend(std::env::vars());
    }
    vars.insert("CI".into(), "true".into());
    for (name, value) in env {
        if !is_fixed(name) {
            vars.insert(name.clone(), value.clone());
        }
    }
    vars.extend(fixed_variables(&github, runner));
    if !state.gpu_ids.is_empty() {
        vars.insert("MLCI_GPU_IDS".into(), state.gpu_ids.join(","));
        if state.on_host {
            vars.insert("CUDA_VISIBLE_DEVICES".into(), state.gpu_ids.join(","));
        }
    }
    if !state.paths.is_empty() {
        let base = vars.get("PATH").cloned().unwrap_or_else(|| CONTAINER_PATH.to_string());
        vars.insert("PATH".into(), join_path(&state.paths, &base));
    }
    vars.into_iter().collect()
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

/// The step's own `env:`, evaluated (what a composite action's steps inherit).
fn step_env_only(step: &Step, scope: &Scope) -> Result<IndexMap<String, String>, String> {
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

fn unknown_action(uses: &str) -> String {
    format!(
        "`uses: {uses}` is not built into mlci, and mlci does not download actions. \
         Built in: {BUILT_IN}, `docker://IMAGE` steps and local composite actions (`uses: ./path/to/action`)."
    )
}
