//! One attempt of one job leg: start its environment, run its steps in
//! order under the job's `timeout-minutes` (360 by default), evaluate its
//! `outputs`, and remove everything it created, whatever happened.

use super::job::number;
use super::scope::Scope;
use super::shared::RunShared;
use super::stages::{run_posts, run_pres};
use super::step::{run_step, JobState, StepContext};
use crate::actions::builtins::job_cache_scope;
use crate::actions::cache::save;
use crate::actions::job_files::JobFiles;
use crate::backend::scheduler::{SchedulerNote, SchedulerNotes};
use crate::backend::{Backend, JobEnv, JobSpec};
use crate::report::events::{JobKey, LineKind, Outcome, RunEvent};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

const DEFAULT_JOB_TIMEOUT_MINUTES: f64 = 360.0;

pub struct Attempt<'a> {
    pub shared: &'a RunShared,
    pub job_index: usize,
    pub key: &'a JobKey,
    pub number: u32,
    pub attempts: u32,
    pub backend: &'a dyn Backend,
    pub spec: &'a JobSpec,
    pub scope: &'a Scope,
    pub cancel: &'a CancellationToken,
}

pub struct AttemptResult {
    pub result: Outcome,
    pub outputs: Map<String, Value>,
    pub reason: Option<String>,
    pub attempt: u32,
}

impl AttemptResult {
    pub fn cancelled() -> AttemptResult {
        AttemptResult {
            result: Outcome::Cancelled,
            outputs: Map::new(),
            reason: None,
            attempt: 0,
        }
    }
}

pub async fn run_attempt(a: Attempt<'_>) -> AttemptResult {
    let shared = a.shared;
    let dir = attempt_dir(a.shared, a.key, a.number);
    let mut spec = a.spec.clone();
    spec.attempt = a.number;
    spec.workspace = dir.join("workspace");
    spec.temp = dir.join("temp");
    spec.time_limit_minutes = set_timeout_minutes(&a, a.scope).map(|m| m.ceil().max(1.0) as u64);
    let fail = |reason: String| {
        shared.say(a.key, None, LineKind::Error, &reason);
        AttemptResult {
            result: Outcome::Failure,
            outputs: Map::new(),
            reason: Some(reason),
            attempt: a.number,
        }
    };
    for path in [&spec.workspace, &spec.temp] {
        if let Err(e) = std::fs::create_dir_all(path) {
            return fail(format!("cannot create {}: {e}", path.display()));
        }
    }
    // Scripts in the temp folder may hold expanded secrets: no other user
    // of this machine may look inside (the job sees its two folders through
    // their own mounts).
    if let Err(e) = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)) {
        return fail(format!("cannot restrict {}: {e}", dir.display()));
    }
    shared.emit(RunEvent::JobStarted {
        job: a.key.clone(),
        attempt: a.number,
        attempts: a.attempts,
        backend: a.backend.name().to_string(),
        image: (!a.backend.runs_steps_on_host(&spec)).then(|| spec.image.clone()),
        gpus: spec.gpus.ids(),
    });
    if a.attempts > 1 {
        let note = format!("attempt {} of {}", a.number, a.attempts);
        shared.say(a.key, None, LineKind::Runner, &note);
    }
    let (notes, mut heard) = SchedulerNotes::channel();
    spec.scheduler = notes;
    let started = tell_while(&a, &mut heard, a.backend.start_job(&spec)).await;
    let env = match started {
        Ok(env) => env,
        // A backend that waits to start (a Slurm job pending) gives up
        // when the run is cancelled: the leg was cancelled, not failed.
        Err(e) if a.cancel.is_cancelled() => {
            remove_dir(&dir);
            return AttemptResult {
                result: Outcome::Cancelled,
                outputs: Map::new(),
                reason: Some(e.to_string()),
                attempt: a.number,
            };
        }
        Err(e) => {
            remove_dir(&dir);
            return fail(e.to_string());
        }
    };
    for note in env.notes() {
        shared.say(a.key, None, LineKind::Runner, &note);
    }
    let result = tell_while(&a, &mut heard, run_steps(&a, env.as_ref(), &spec)).await;
    if let Err(e) = tell_while(&a, &mut heard, env.remove()).await {
        shared.say(a.key, None, LineKind::Warning, &format!("cleaning up the job: {e}"));
    }
    remove_dir(&dir);
    if result.result == Outcome::Failure {
        if let Some(reason) = &result.reason {
            shared.say(a.key, None, LineKind::Error, reason);
        }
    }
    result
}

/// Runs `work`, telling the run what the backend's scheduler says about the
/// leg's job meanwhile (a Slurm job's id, state and pending reason), as it
/// comes, so a waiting leg says why while it waits.
async fn tell_while<T>(
    a: &Attempt<'_>,
    heard: &mut UnboundedReceiver<SchedulerNote>,
    work: impl std::future::Future<Output = T>,
) -> T {
    let tell = |note: SchedulerNote| {
        a.shared.emit(RunEvent::SlurmJob {
            job: a.key.clone(),
            attempt: a.number,
            id: note.id,
            state: note.state,
            reason: note.reason,
            node: note.node,
            message: note.message,
        })
    };
    tokio::pin!(work);
    let done = loop {
        tokio::select! {
            done = &mut work => break done,
            Some(note) = heard.recv() => tell(note),
        }
    };
    while let Ok(note) = heard.try_recv() {
        tell(note);
    }
    done
}

/// The job's `timeout-minutes` (360 when not given).
fn job_minutes(a: &Attempt<'_>, scope: &Scope) -> f64 {
    let job = &a.shared.workflow.jobs[a.job_index];
    job.timeout_minutes
        .as_ref()
        .and_then(|t| number(scope, t))
        .unwrap_or(DEFAULT_JOB_TIMEOUT_MINUTES)
}

/// The minutes the job may run: its `timeout-minutes`, or the runner's
/// `job_timeout` when that is lower.
fn timeout_minutes(a: &Attempt<'_>, scope: &Scope) -> f64 {
    let timeout = job_minutes(a, scope);
    a.shared
        .settings
        .max_job_minutes
        .filter(|max| *max < timeout)
        .unwrap_or(timeout)
}

/// The job's limit for a scheduler's own (Slurm's `--time`): only one the
/// workflow (`timeout-minutes`) or the runner (`job_timeout`) set. GitHub's
/// default of 360 minutes stays mlci's alone, so a partition with a lower
/// MaxTime still takes the job (docs/decisions.md).
fn set_timeout_minutes(a: &Attempt<'_>, scope: &Scope) -> Option<f64> {
    let job = &a.shared.workflow.jobs[a.job_index];
    let set = job.timeout_minutes.as_ref().and_then(|t| number(scope, t)).is_some();
    (set || a.shared.settings.max_job_minutes.is_some()).then(|| timeout_minutes(a, scope))
}

async fn run_steps(a: &Attempt<'_>, env: &dyn JobEnv, spec: &JobSpec) -> AttemptResult {
    let shared = a.shared;
    let job = &shared.workflow.jobs[a.job_index];
    let mut scope = a.scope.clone().with_workspace(&spec.workspace);
    let mut github = shared.settings.contexts.get("github").cloned().unwrap_or(json!({}));
    if let Some(github) = github.as_object_mut() {
        github.insert("workspace".into(), json!(env.workspace()));
        github.insert("job".into(), json!(a.key.job));
        github.insert("run_id".into(), json!(shared.settings.run_id.to_string()));
        github.insert("run_number".into(), json!(shared.settings.run_id.to_string()));
        github.insert("run_attempt".into(), json!(a.number.to_string()));
        // `github.token`: the GITHUB_TOKEN secret, empty when none was given.
        let token = shared.settings.secrets.iter().find(|(name, _)| name == "GITHUB_TOKEN");
        github.insert("token".into(), json!(token.map_or("", |(_, value)| value.as_str())));
    }
    scope.insert("github", &github);
    let mut state = JobState::new(spec, a.backend.runs_steps_on_host(spec));
    // Workflow `env` first, then the job's; each map's values may not refer
    // to each other, so each is evaluated against what came before it.
    let workflow_env = shared.workflow.env.iter().chain(job.env.iter());
    let mut job_env: IndexMap<String, String> = shared.settings.extra_env.iter().cloned().collect();
    for (name, value) in workflow_env {
        match scope.string(value) {
            Ok(v) => {
                job_env.insert(name.clone(), v);
            }
            Err(e) => return step_less_failure(a, format!("env `{name}`: {e}")),
        }
    }
    state.env = job_env;
    let ceiling = shared
        .settings
        .max_job_minutes
        .filter(|max| *max < job_minutes(a, &scope));
    let timeout = timeout_minutes(a, &scope);
    let deadline = match crate::model::limits::timeout_duration(timeout) {
        Ok(duration) => Instant::now() + duration,
        Err(e) => return step_less_failure(a, e.to_string()),
    };
    let mut scope = scope.with_stop(deadline, a.cancel.clone());
    let context = StepContext {
        shared,
        key: a.key,
        job_index: a.job_index,
        env,
        spec,
        cancel: a.cancel,
        deadline,
        job_timeout_minutes: timeout,
    };
    state.assign_ids(&job.steps);
    let after_pres = run_pres(&context, &mut state, &mut scope, &job.steps).await;
    for (index, step) in job.steps.iter().enumerate() {
        if state.timed_out {
            break;
        }
        run_step(&context, &mut state, &mut scope, index, step).await;
    }
    if !state.timed_out {
        run_posts(&context, &mut state, &mut scope, after_pres).await;
    }
    let result = if state.timed_out {
        Outcome::Failure
    } else if a.cancel.is_cancelled() {
        Outcome::Cancelled
    } else if state.failed {
        Outcome::Failure
    } else {
        Outcome::Success
    };
    let reason = state.timed_out.then(|| match ceiling {
        Some(_) => format!("the job has exceeded the runner's job_timeout of {timeout} minutes"),
        None => format!("the job has exceeded its maximum execution time of {timeout} minutes (timeout-minutes)"),
    });
    if result == Outcome::Success {
        save_caches(a, env, spec, &scope.json("github"), &mut state).await;
    }
    let outputs = job_outputs(a, &scope, &state);
    AttemptResult {
        result,
        outputs,
        reason,
        attempt: a.number,
    }
}

/// `outputs:`, evaluated at the end of the job. An output that holds a
/// secret is left out, as GitHub does.
fn job_outputs(a: &Attempt<'_>, scope: &Scope, state: &JobState) -> Map<String, Value> {
    let job = &a.shared.workflow.jobs[a.job_index];
    let mut scope = scope.clone();
    scope.insert("steps", &Value::Object(state.steps.clone()));
    let mut outputs = Map::new();
    for (name, text) in &job.outputs {
        match scope.string(text) {
            Ok(value) if a.shared.mask(&value) != value => {
                let note = format!("output `{name}` holds a secret and is left out");
                a.shared.say(a.key, None, LineKind::Warning, &note);
            }
            Ok(value) => {
                outputs.insert(name.clone(), Value::String(value));
            }
            Err(e) => {
                let note = format!("output `{name}`: {e}");
                a.shared.say(a.key, None, LineKind::Warning, &note);
            }
        }
    }
    outputs
}

/// `actions/cache`'s post step: a successful job saves the caches it missed
/// (a key, once saved, is never overwritten).
async fn save_caches(a: &Attempt<'_>, env: &dyn JobEnv, spec: &JobSpec, github: &Value, state: &mut JobState) {
    let saves = std::mem::take(&mut state.cache_saves);
    if saves.is_empty() {
        return;
    }
    let paths = saves
        .iter()
        .flat_map(|options| options.paths.iter().map(String::as_str));
    let files = JobFiles::of(env, spec, state.env.get("HOME").map(String::as_str), paths).await;
    for options in saves {
        let cache_scope = job_cache_scope(&a.shared.settings, github);
        let key = options.key.clone();
        let message = match save(&cache_scope, &files, &options).await {
            Ok(true) => format!("cache saved with key {key}"),
            Ok(false) => format!("cache key {key} exists already; not saved again"),
            Err(e) => format!("cache {key} not saved: {e}"),
        };
        a.shared.say(a.key, None, LineKind::Runner, &message);
    }
}

fn step_less_failure(a: &Attempt<'_>, reason: String) -> AttemptResult {
    AttemptResult {
        result: Outcome::Failure,
        outputs: Map::new(),
        reason: Some(reason),
        attempt: a.number,
    }
}

/// `<work dir>/<job>-<leg>/attempt-<n>`: every leg and attempt starts empty.
fn attempt_dir(shared: &RunShared, key: &JobKey, attempt: u32) -> PathBuf {
    shared
        .settings
        .work_dir
        .join(format!("{}-{}", key.job, key.leg))
        .join(format!("attempt-{attempt}"))
}

fn remove_dir(dir: &std::path::Path) {
    let _ = std::fs::remove_dir_all(dir);
}
