//! What a step runs — a `run:` script through its shell, a JavaScript
//! action's node program, or a container — and the machinery every kind
//! shares: the file command files, the environment, the timeouts and
//! cancellation, and what the step left behind (outputs, `$GITHUB_ENV`,
//! `$GITHUB_PATH`, `$GITHUB_STATE`, the summary).

use super::default_env::{fixed_variables, is_fixed, runner_context};
use super::files::{join_path, parse_env_file, parse_path_file, prepend_paths};
use super::scope::Scope;
use super::shell::ShellCommand;
use super::step::{Ended, JobState, StepContext, CONTAINER_PATH};
use super::step_files::StepFiles;
use super::step_output::StepOutput;
use super::step_summary::{too_large_message, StepSummary};
use crate::backend::{ExecSpec, ImageStepSpec, LineSink, StopSignal};
use crate::model::Text;
use crate::report::events::{LineKind, RunEvent};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

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
                memory: cx.spec.container.memory,
                pids_limit: cx.spec.container.pids_limit,
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
