//! One step: its `if`, its environment, its script through the shell
//! template, its timeout, and the file commands it leaves behind
//! (gha-semantics §3.4–3.7).

use super::default_env::{fixed_variables, is_fixed, runner_context};
use super::files::{join_path, parse_env_file, parse_path_file, prepend_paths};
use super::job::{flag, number};
use super::scope::{Scope, Status};
use super::shared::RunShared;
use super::shell::{resolve_shell, ShellCommand};
use super::step_files::StepFiles;
use super::step_output::StepOutput;
use crate::actions::action_file::Runs;
use crate::actions::builtins::{builtin, inputs, run_builtin};
use crate::actions::cache::CacheOptions;
use crate::actions::composite_run::{run_composite, Call};
use crate::actions::docker_action::{docker_action_env, docker_action_image, docker_args};
use crate::actions::javascript::{action_env, action_inputs, node_program, node_version, script_path, stage};
use crate::actions::located::{locate_local, locate_published, Located};
use crate::backend::options::split_words;
use crate::backend::{ExecSpec, ImageStepSpec, JobEnv, JobSpec, LineSink, StopSignal};
use crate::model::{Step, Text, Uses};
use crate::report::events::{JobKey, LineKind, Outcome, RunEvent};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
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
    fn saved_state(&self, action_id: &str) -> Vec<(String, String)> {
        self.states
            .get(action_id)
            .into_iter()
            .flatten()
            .map(|(name, value)| (format!("STATE_{name}"), value.clone()))
            .collect()
    }

    fn save_state(&mut self, action_id: &str, pairs: Vec<(String, String)>) {
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
    } else if let Some(uses) = &step.uses {
        let uses = scope.string(uses)?;
        let located = match Uses::parse(&uses)? {
            Uses::Image(image) => {
                let with = |key: &str| step.with.get(key).map(|t| scope.string(t)).transpose();
                let mut inputs = Vec::new();
                for (name, value) in &step.with {
                    inputs.push((format!("INPUT_{}", name.to_ascii_uppercase()), scope.string(value)?));
                }
                let run = ImageRun {
                    image,
                    // Split as GitHub's runner does, honouring quotes.
                    args: with("args")?.map(|a| split_words(&a)).transpose()?.unwrap_or_default(),
                    entrypoint: with("entrypoint")?,
                };
                return run_program(
                    cx,
                    state,
                    scope,
                    index,
                    &env,
                    step_deadline,
                    Program::Image { run, env: inputs },
                )
                .await;
            }
            Uses::Published(action) => {
                let builtin =
                    builtin(&action.name()).filter(|_| !shared.settings.actions.runs_published(&action.name()));
                if let Some(which) = builtin {
                    let with = inputs(step, scope)?;
                    return run_builtin(cx, state, scope, index, which, with).await;
                }
                locate_published(cx, state, index, &action).await?
            }
            Uses::Local(path) => Arc::new(locate_local(cx, &path)?),
        };
        match &located.action.runs {
            Runs::Composite { .. } => {
                let call = Call {
                    uses: &uses,
                    step,
                    index,
                    action_id,
                    env: step_env_only(step, scope)?,
                    depth,
                };
                return Box::pin(run_composite(cx, state, scope, call, &located)).await;
            }
            Runs::Node(node) => {
                let (version, note) = node_version(&node.using);
                if let Some(note) = note {
                    shared.say(cx.key, Some(index), LineKind::Warning, &note);
                }
                let inputs = action_inputs(&located.action, step, scope)?;
                let program = node_program(version, state.on_host, shared.settings.actions.host_node.as_deref())?;
                let env = action_env(&located, &inputs);
                if let Some((script, condition)) = stage(node, true) {
                    state.posts.push(PostStep {
                        name: format!("Post {}", step_title(step, scope)),
                        condition: condition.cloned(),
                        action_id: action_id.to_string(),
                        program: Program::Node {
                            node: program.clone(),
                            script: script_path(&located, script),
                            env: env.clone(),
                        },
                    });
                }
                Program::Node {
                    node: program,
                    script: script_path(&located, &node.main),
                    env,
                }
            }
            Runs::Docker(docker) => {
                let inputs = action_inputs(&located.action, step, scope)?;
                let image = docker_action_image(cx, index, &located, docker).await?;
                let mut action_scope = scope.clone();
                action_scope.insert("inputs", &json!(inputs));
                let env = docker_action_env(&located, &inputs, docker, &action_scope)?;
                let args = docker_args(docker, step, &action_scope)?;
                if let Some(entrypoint) = &docker.post_entrypoint {
                    state.posts.push(PostStep {
                        name: format!("Post {}", step_title(step, scope)),
                        condition: docker.post_if.clone(),
                        action_id: action_id.to_string(),
                        program: Program::Image {
                            run: ImageRun {
                                image: image.clone(),
                                args: Vec::new(),
                                entrypoint: Some(entrypoint.clone()),
                            },
                            env: env.clone(),
                        },
                    });
                }
                let entrypoint = step
                    .with
                    .get("entrypoint")
                    .map(|t| scope.string(t))
                    .transpose()?
                    .or_else(|| docker.entrypoint.clone());
                Program::Image {
                    run: ImageRun {
                        image,
                        args,
                        entrypoint,
                    },
                    env,
                }
            }
        }
    } else {
        return Err("the step has neither `run` nor `uses`".into());
    };
    run_program(cx, state, scope, index, &env, step_deadline, program).await
}

/// The `pre` stages of the job's JavaScript actions, before its first
/// step, as `Pre <step name>` (GitHub's "Set up job" resolves every action
/// first; here an action that cannot be resolved fails its own step).
pub async fn run_pres(cx: &StepContext<'_>, state: &mut JobState, scope: &mut Scope, steps: &[Step]) -> usize {
    let mut index = steps.len();
    for (n, step) in steps.iter().enumerate() {
        let Some(uses) = step.uses.as_ref().and_then(|u| scope.string(u).ok()) else {
            continue;
        };
        let Ok(Uses::Published(action)) = Uses::parse(&uses) else {
            continue;
        };
        if builtin(&action.name()).is_some() && !cx.shared.settings.actions.runs_published(&action.name()) {
            continue;
        }
        let Ok(located) = locate_published(cx, state, n, &action).await else {
            continue;
        };
        let Runs::Node(node) = &located.action.runs else {
            continue;
        };
        let Some((script, condition)) = stage(node, false) else {
            continue;
        };
        let action_id = state.step_ids.get(n).cloned().unwrap_or_default();
        let program = (|| {
            let (version, _) = node_version(&node.using);
            let inputs = action_inputs(&located.action, step, scope)?;
            Ok::<_, String>(Program::Node {
                node: node_program(version, state.on_host, cx.shared.settings.actions.host_node.as_deref())?,
                script: script_path(&located, script),
                env: action_env(&located, &inputs),
            })
        })();
        let stage = Stage {
            name: format!("Pre {}", step_title(step, scope)),
            condition: condition.cloned(),
            action_id,
        };
        run_stage(cx, state, scope, index, stage, program).await;
        index += 1;
    }
    index
}

/// The `post` stages of the actions that ran, last first, after the job's
/// steps (after a failure too: `post-if` is `always()` unless it says
/// otherwise), numbered from `first`.
pub async fn run_posts(cx: &StepContext<'_>, state: &mut JobState, scope: &mut Scope, first: usize) {
    let posts = std::mem::take(&mut state.posts);
    for (n, post) in posts.into_iter().rev().enumerate() {
        let stage = Stage {
            name: post.name,
            condition: post.condition,
            action_id: post.action_id,
        };
        run_stage(cx, state, scope, first + n, stage, Ok(post.program)).await;
    }
}

struct Stage {
    name: String,
    condition: Option<Text>,
    action_id: String,
}

/// A `pre` or `post` stage as a step of its own: its condition, events and
/// outcome; a failure fails the job, as on GitHub.
async fn run_stage(
    cx: &StepContext<'_>,
    state: &mut JobState,
    scope: &mut Scope,
    index: usize,
    stage: Stage,
    program: Result<Program, String>,
) {
    let shared = cx.shared;
    prepare_scope(cx, state, scope, &stage.action_id);
    let always = Text::detached("always()");
    let job = cx.key.clone();
    let name = stage.name;
    match scope.condition(Some(stage.condition.as_ref().unwrap_or(&always))) {
        Ok(true) => {}
        Ok(false) => {
            let reason = format!("`{}` is false", stage.condition.map_or(always.value, |c| c.value));
            shared.emit(RunEvent::StepSkipped {
                job,
                step: index,
                name,
                reason,
            });
            return;
        }
        Err(e) => {
            shared.emit(RunEvent::StepStarted {
                job: job.clone(),
                step: index,
                name: name.clone(),
            });
            shared.say(cx.key, Some(index), LineKind::Error, &format!("`if`: {e}"));
            state.failed = true;
            return;
        }
    }
    let started = std::time::Instant::now();
    shared.emit(RunEvent::StepStarted {
        job: job.clone(),
        step: index,
        name: name.clone(),
    });
    let env = state.env.clone();
    let ended = match program {
        Ok(program) => run_program(cx, state, scope, index, &env, None, program)
            .await
            .map(|(ended, _)| ended),
        Err(e) => Err(e),
    };
    let (outcome, exit_code) = match ended {
        Ok(Ended::Exited(0)) => (Outcome::Success, Some(0)),
        Ok(Ended::Exited(code)) => {
            let message = format!("Process completed with exit code {code}.");
            shared.say(cx.key, Some(index), LineKind::Error, &message);
            (Outcome::Failure, Some(code))
        }
        Ok(Ended::Cancelled) => (Outcome::Cancelled, None),
        Ok(Ended::Error(message)) | Err(message) => {
            shared.say(cx.key, Some(index), LineKind::Error, &message);
            (Outcome::Failure, None)
        }
        Ok(Ended::StepTimeout | Ended::JobTimeout) => {
            state.timed_out = true;
            (Outcome::Failure, None)
        }
    };
    if outcome == Outcome::Failure {
        state.failed = true;
    }
    shared.emit(RunEvent::StepFinished {
        job,
        step: index,
        name,
        outcome,
        conclusion: outcome,
        exit_code,
        seconds: started.elapsed().as_secs_f64(),
    });
}

/// What a step runs once its action is known.
#[derive(Clone, Debug)]
pub enum Program {
    /// A `run:` script through its shell.
    Script {
        script: String,
        shell: ShellCommand,
        working_directory: String,
    },
    /// A JavaScript action's script: `node script`, with the action's
    /// inputs and paths in `env`.
    Node {
        node: String,
        script: String,
        env: Vec<(String, String)>,
    },
    /// A container of its own: `docker://` steps and Docker actions.
    Image { run: ImageRun, env: Vec<(String, String)> },
}

/// An image step's container.
#[derive(Clone, Debug)]
pub struct ImageRun {
    pub image: String,
    pub args: Vec<String>,
    pub entrypoint: Option<String>,
}

/// An action's `post` stage, run at the end of the job (last first).
#[derive(Clone, Debug)]
pub struct PostStep {
    /// `Post <step name>`, as GitHub shows it.
    pub name: String,
    /// `post-if`; `always()` when absent.
    pub condition: Option<Text>,
    /// The main step's `GITHUB_ACTION`: its `STATE_*` are this one's.
    pub action_id: String,
    pub program: Program,
}

/// Runs `program` as step `index` with `env` (workflow, job and step
/// `env`): its file commands, the fixed variables, its timeout (the
/// step's, if it has one, and the job's); then reads what it left behind.
pub async fn run_program(
    cx: &StepContext<'_>,
    state: &mut JobState,
    scope: &mut Scope,
    index: usize,
    env: &IndexMap<String, String>,
    step_deadline: Option<Instant>,
    program: Program,
) -> Result<(Ended, Map<String, Value>), String> {
    let shared = cx.shared;
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
    let action_id = github
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut process_env = process_env(state, env, github.as_object().cloned().unwrap_or_default(), &runner);
    process_env.extend(state.saved_state(&action_id));
    let unsecure = env.get("ACTIONS_ALLOW_UNSECURE_COMMANDS").is_some_and(|v| v == "true");
    let mut output = StepOutput::new(shared, cx.key, index, unsecure);
    let ended = match program {
        Program::Script {
            script,
            shell,
            working_directory,
        } => {
            let script_path = files
                .write_script(index, &script, shell.extension)
                .map_err(|e| e.to_string())?;
            let spec = ExecSpec {
                argv: shell.argv(&script_path),
                env: process_env,
                working_directory,
                records_pid: false,
            };
            supervise(cx, step_deadline, cx.env.exec(&spec, &mut output)).await
        }
        Program::Node { node, script, env } => {
            process_env.extend(env);
            let preload = files.write_pid_preload().map_err(|e| e.to_string())?;
            let spec = ExecSpec {
                argv: vec![node, "--require".into(), preload, script],
                env: process_env,
                working_directory: cx.env.workspace(),
                records_pid: true,
            };
            supervise(cx, step_deadline, cx.env.exec(&spec, &mut output)).await
        }
        Program::Image { run, env } => {
            process_env.extend(env);
            let spec = ImageStepSpec {
                image: run.image,
                args: run.args,
                entrypoint: run.entrypoint,
                env: process_env,
                gpus: cx.spec.gpus.clone(),
            };
            supervise(cx, step_deadline, cx.env.run_image(&spec, &mut output)).await
        }
    };
    output.flush();
    let mut outputs = std::mem::take(&mut output.outputs);
    for (name, value) in std::mem::take(&mut output.env) {
        if !is_fixed(&name) {
            state.env.insert(name, value);
        }
    }
    prepend_paths(&mut state.paths, &output.paths);
    state.save_state(&action_id, std::mem::take(&mut output.state));
    let command_failed = output.failed;
    drop(output);
    let files_failed = !apply_file_commands(cx, state, &files, index, &action_id, &mut outputs);
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
    action_id: &str,
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
    match files
        .read("state")
        .map_err(|e| e.to_string())
        .and_then(|t| parse_env_file(&t))
    {
        Ok(pairs) => state.save_state(action_id, pairs),
        Err(e) => {
            warn(format!("Unable to process file command 'state' successfully. {e}"));
            ok = false;
        }
    }
    if let Ok(text) = files.read("path") {
        prepend_paths(&mut state.paths, &parse_path_file(&text));
    }
    if let Ok(markdown) = files.read("step_summary") {
        if !markdown.trim().is_empty() {
            shared.emit(RunEvent::StepSummary {
                job: cx.key.clone(),
                step: index,
                markdown: shared.mask(&markdown),
            });
        }
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

/// How a step is shown: its `name` evaluated, else its `uses` or `run`.
pub fn step_title(step: &Step, scope: &Scope) -> String {
    match &step.name {
        Some(name) => scope.string(name).unwrap_or_else(|_| name.value.clone()),
        None => step.display_name(),
    }
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
