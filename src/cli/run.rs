//! `mlci run`: runs the workflows an event triggers, each job in its own
//! container (or on the host), and records the run in the store.

use super::action_args::ActionArgs;
use super::event::{local_event, plan_contexts};
use super::run_checks::check_gpu_requests;
use super::run_secrets::{read_env_files, read_secrets};
use super::{exit, workflows};
use crate::actions::settings::ActionSettings;
use crate::backend::docker::DockerBackend;
use crate::backend::host::HostBackend;
use crate::backend::slurm::{Placement, SlurmBackend};
use crate::backend::Backend;
use crate::exec::concurrency::ConcurrencyGroups;
use crate::exec::gpu::{parse_inventory, GpuPool};
use crate::exec::launch::{launch, Launch, LaunchError};
use crate::exec::shared::{Backends, Cancel, RunSettings};
use crate::model::Workflow;
use crate::plan::LabelMap;
use crate::report::error_chain;
use crate::report::events::{EventSink, Outcome};
use crate::report::terminal::{Buffered, JsonLines, Terminal};
use crate::store::{default_store_dir, NewRun, Store};
use crate::trigger::decide;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// What `mlci rerun` hands a run: the run it repeats and what to reuse.
pub struct Rerun {
    pub of: i64,
    /// Jobs not to run again, with their outputs (`--failed`).
    pub reused: std::collections::HashMap<String, serde_json::Map<String, serde_json::Value>>,
    /// The run repeated and the runs it repeated in turn: their artifacts.
    pub earlier_runs: Vec<i64>,
}

#[derive(clap::Args)]
pub struct Args {
    /// A workflow file or folder (default: .github/workflows/).
    #[arg(short = 'W', long = "workflows")]
    pub workflows: Option<PathBuf>,
    /// The event to run for.
    #[arg(short, long, default_value = "push")]
    pub event: String,
    /// Run only this job and the jobs it needs.
    #[arg(short, long)]
    job: Option<String>,
    /// A JSON file with the event payload (`github.event`).
    #[arg(long)]
    eventpath: Option<PathBuf>,
    /// A workflow_dispatch input, NAME=VALUE (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    inputs: Vec<String>,
    /// Map a runs-on label: LABEL=IMAGE, LABEL=host, LABEL=IMAGE,gpus=N, or
    /// LABEL=slurm:KEY=VALUE,… (keys partition, account, qos, constraint,
    /// cpus, mem, gpus, time) to run its jobs as Slurm jobs (repeatable).
    #[arg(short = 'P', long = "platform", value_name = "LABEL=IMAGE")]
    platforms: Vec<String>,
    /// Where jobs run: `docker` (default), `host` (every job as host
    /// processes) or `slurm` (every job as a Slurm job; see docs/scale-out.md).
    #[arg(long, default_value = "docker", value_parser = ["docker", "host", "slurm"])]
    backend: String,
    /// With `--backend slurm`: the partition jobs are submitted to.
    #[arg(long, value_name = "PARTITION")]
    slurm_partition: Option<String>,
    /// With `--backend slurm`: the node features jobs need (`--constraint`).
    #[arg(long, value_name = "FEATURES")]
    slurm_constraint: Option<String>,
    /// Jobs running at once (default: four per CPU, at least 8; a matrix's
    /// `max-parallel` still bounds its legs).
    #[arg(long)]
    max_parallel: Option<usize>,
    /// The GPUs jobs may lease: indexes or UUIDs (`0,1,2,3`), or `auto` (nvidia-smi).
    #[arg(long)]
    gpus: Option<String>,
    /// A secret, NAME=VALUE or NAME (taken from the environment) (repeatable).
    #[arg(short, long = "secret", value_name = "NAME[=VALUE]")]
    secrets: Vec<String>,
    /// A dotenv file of secrets (repeatable).
    #[arg(long = "secret-file", value_name = "FILE")]
    secret_files: Vec<PathBuf>,
    /// An environment variable for every job, NAME=VALUE (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// A dotenv file of environment variables for every job (repeatable).
    #[arg(long = "env-file", value_name = "FILE")]
    env_files: Vec<PathBuf>,
    /// `github.actor` (default: git's user.name).
    #[arg(long)]
    actor: Option<String>,
    /// The run store: database, logs and work directories (default: .mlci/ at the repository root).
    #[arg(long)]
    store: Option<PathBuf>,
    /// Seconds a stopped step gets between SIGTERM and SIGKILL.
    #[arg(long, default_value_t = 10.0)]
    grace_period: f64,
    /// Print a JSON Lines event stream instead of the terminal view.
    #[arg(long)]
    json: bool,
    /// Show `::debug::` lines.
    #[arg(long)]
    debug: bool,
    #[command(flatten)]
    actions: ActionArgs,
}

pub fn run(args: Args) -> i32 {
    run_with(args, None)
}

impl Args {
    /// The store directory, absolute: work directories under it are
    /// bind-mounted into containers.
    pub fn store_dir(&self) -> PathBuf {
        let dir = self.store.clone().unwrap_or_else(default_store_dir);
        std::path::absolute(&dir).unwrap_or(dir)
    }
}

pub fn run_with(args: Args, rerun: Option<Rerun>) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}"), exit::FAILURE),
    };
    let loaded = match workflows::load_valid(args.workflows.as_deref()) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let code = runtime.block_on(run_async(args, rerun, loaded.valid));
    workflows::Loaded::exit_code(loaded.invalid_files, code)
}

async fn run_async(args: Args, rerun: Option<Rerun>, analyses: Vec<crate::check::Analysis>) -> i32 {
    let mut labels = LabelMap::default();
    for platform in &args.platforms {
        if let Err(e) = labels.parse_and_set(platform) {
            return fail(&e, exit::USAGE);
        }
    }
    let mut secrets = match read_secrets(&args.secrets, &args.secret_files) {
        Ok(secrets) => secrets,
        Err(e) => return fail(&e, exit::USAGE),
    };
    let actions = match args.actions.settings(&args.store_dir(), &mut secrets) {
        Ok(actions) => actions,
        Err(e) => return fail(&e, exit::USAGE),
    };
    let mut extra_env = match read_env_files(&args.env_files) {
        Ok(env) => env,
        Err(e) => return fail(&e, exit::USAGE),
    };
    for pair in &args.env {
        match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => extra_env.push((name.to_string(), value.to_string())),
            _ => return fail(&format!("--env takes NAME=VALUE, not `{pair}`"), exit::USAGE),
        }
    }
    let gpus = match args.gpus.as_deref().map(parse_inventory).transpose() {
        Ok(ids) => GpuPool::new(ids.unwrap_or_default()),
        Err(e) => return fail(&e, exit::USAGE),
    };
    let payload = match &args.eventpath {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(value) => Some(value),
            Err(e) => {
                return fail(
                    &format!("failed to read the event payload {}: {e}", path.display()),
                    exit::USAGE,
                )
            }
        },
    };
    let all: Vec<&Workflow> = analyses.iter().filter_map(|a| a.workflow.as_ref()).collect();
    if let Err(e) = super::event::inputs_declared(&all, &args.inputs) {
        return fail(&e, exit::USAGE);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let local = local_event(&cwd, &args.event);
    let triggered: Vec<&Workflow> = analyses
        .iter()
        .filter_map(|a| a.workflow.as_ref())
        // A rerun repeats the run whatever the repository looks like now.
        .filter(|w| rerun.is_some() || decide(w, &local.event).runs())
        .collect();
    if triggered.is_empty() {
        eprintln!("nothing to run: no workflow is triggered by `{}`", args.event);
        return exit::NOTHING_TRIGGERED;
    }
    let store_dir = args.store_dir();
    let store = match Store::open(&store_dir) {
        Ok(store) => store,
        Err(e) => {
            return fail(
                &format!("cannot open the run store {}: {e}", store_dir.display()),
                exit::FAILURE,
            )
        }
    };
    super::stored::say_abandoned(store.mark_abandoned_runs());
    let docker = if args.backend != "docker" {
        None
    } else {
        match DockerBackend::connect().await {
            Ok(docker) => {
                // Containers of runs whose mlci process died (kill -9, a crash).
                let _ = docker.sweep_leftovers().await;
                Some(docker)
            }
            Err(e) => return fail(&e.to_string(), exit::BACKEND_UNREACHABLE),
        }
    };
    let cancel = Cancel::default();
    let slurm = match slurm_backend(&args, &labels, &cancel) {
        Ok(slurm) => slurm,
        Err(e) => return fail(&e, exit::USAGE),
    };
    let backends = Backends {
        docker: docker.clone().map(|d| Arc::new(d) as Arc<dyn Backend>),
        host: match &slurm {
            Some(slurm) if args.backend == "slurm" => Arc::new(slurm.clone()),
            _ => Arc::new(HostBackend::new()),
        },
        slurm,
    };
    install_ctrl_c(&cancel);
    let out = Buffered::stdout();
    let mut code = exit::SUCCESS;
    for workflow in triggered {
        let run = RunOne {
            args: &args,
            workflow,
            labels: &labels,
            secrets: &secrets,
            actions: &actions,
            extra_env: &extra_env,
            gpus: &gpus,
            store: &store,
            store_dir: &store_dir,
            backends: &backends,
            docker: docker.as_ref(),
            cancel: &cancel,
            out: &out,
            local: &local,
            rerun: rerun.as_ref(),
            payload: payload.clone(),
        };
        let result = match run.run().await {
            Ok(result) => result,
            Err(code) => return code,
        };
        code = code.max(exit::of_outcome(result));
        if cancel.graceful.is_cancelled() {
            break;
        }
    }
    out.flush();
    code
}

struct RunOne<'a> {
    args: &'a Args,
    workflow: &'a Workflow,
    labels: &'a LabelMap,
    secrets: &'a [(String, String)],
    actions: &'a ActionSettings,
    extra_env: &'a [(String, String)],
    gpus: &'a GpuPool,
    store: &'a Store,
    store_dir: &'a std::path::Path,
    backends: &'a Backends,
    docker: Option<&'a DockerBackend>,
    cancel: &'a Cancel,
    out: &'a Buffered,
    local: &'a super::event::LocalEvent,
    rerun: Option<&'a Rerun>,
    payload: Option<serde_json::Value>,
}

impl RunOne<'_> {
    async fn run(self) -> Result<Outcome, i32> {
        let args = self.args;
        let name = self.workflow.display_name();
        let inputs = super::event::workflow_inputs(self.workflow, &args.event, &args.inputs, self.payload.as_ref())
            .map_err(|e| fail(&e, exit::USAGE))?;
        let mut contexts = plan_contexts(self.local, &name, self.payload, args.eventpath.as_deref(), inputs);
        if let (Some(actor), Some(github)) = (&args.actor, contexts.get_mut("github").and_then(|g| g.as_object_mut())) {
            github.insert("actor".into(), actor.clone().into());
            github.insert("triggering_actor".into(), actor.clone().into());
        }
        let graph = crate::check::graph_of(self.workflow).ok_or(exit::INVALID)?;
        let gpu_errors = check_gpu_requests(self.workflow, self.gpus);
        if !gpu_errors.is_empty() {
            for error in gpu_errors {
                eprint!("{error}");
            }
            return Err(exit::INVALID);
        }
        if let Some(job) = &args.job {
            if graph.index_of(job).is_none() {
                return Err(fail(&format!("{name} has no job `{job}`"), exit::USAGE));
            }
        }
        let github = contexts.get("github").cloned().unwrap_or_default();
        let text = |key: &str| github.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let new_run = NewRun {
            workflow: name.clone(),
            path: self.workflow.path.display().to_string(),
            event: args.event.clone(),
            git_ref: text("ref"),
            sha: text("sha"),
            rerun_of: self.rerun.map(|r| r.of),
            needs: graph.needs_by_id(),
        };
        let run_id = self
            .store
            .begin_run(&new_run)
            .map_err(|e| fail(&format!("cannot record the run: {e}"), exit::FAILURE))?;
        let max_parallel = args
            .max_parallel
            .unwrap_or_else(|| default_max_parallel(std::thread::available_parallelism().map_or(2, |n| n.get())))
            .max(1);
        let view: Arc<dyn EventSink> = if args.json {
            Arc::new(JsonLines(self.out.clone()))
        } else {
            Arc::new(Terminal::new(self.out.clone(), args.debug))
        };
        let settings = RunSettings {
            run_id,
            work_dir: PathBuf::new(),
            max_parallel,
            labels: self.labels.clone(),
            // Slurm runs every job as host processes on its nodes.
            force_host: args.backend != "docker",
            secrets: self.secrets.to_vec(),
            grace: Duration::from_secs_f64(args.grace_period.max(0.0)),
            contexts,
            extra_env: self.extra_env.to_vec(),
            only_job: args.job.clone(),
            store_dir: self.store_dir.to_path_buf(),
            repository: self.local.repo_root.clone(),
            default_branch: self.local.default_branch.clone(),
            reused: self.rerun.map(|r| r.reused.clone()).unwrap_or_default(),
            earlier_runs: self.rerun.map(|r| r.earlier_runs.clone()).unwrap_or_default(),
            max_job_minutes: None,
            actions: self.actions.fresh(),
            // The user's own machine: every container option is theirs to use.
            container_policy: None,
        };
        let run = Launch {
            workflow: Arc::new(self.workflow.clone()),
            graph,
            record: new_run,
            settings,
            backends: self.backends.clone(),
            docker: self.docker.cloned(),
            gpus: self.gpus.clone(),
            slots: Arc::new(Semaphore::new(max_parallel)),
            groups: ConcurrencyGroups::default(),
            cancel: self.cancel.clone(),
            sinks: vec![view],
        };
        let store =
            Store::open(self.store_dir).map_err(|e| fail(&format!("cannot record the run: {e}"), exit::FAILURE))?;
        match launch(store, run_id, run).await {
            Ok(result) => Ok(result),
            Err(e @ LaunchError::Record { .. }) => Err(fail(&error_chain(&e), exit::RECORD_FAILED)),
            Err(e) => Err(fail(&error_chain(&e), exit::FAILURE)),
        }
    }
}

/// With `--backend slurm` (where it stands in for the host) or a label
/// mapped to Slurm, the Slurm backend: jobs run on Slurm's nodes, with the
/// agent being this same binary.
fn slurm_backend(args: &Args, labels: &LabelMap, cancel: &Cancel) -> Result<Option<SlurmBackend>, String> {
    if args.backend != "slurm" {
        if args.slurm_partition.is_some() || args.slurm_constraint.is_some() {
            return Err(
                "--slurm-partition and --slurm-constraint need --backend slurm (for one label, write \
                        -P LABEL=slurm:partition=P,constraint=C)"
                    .to_string(),
            );
        }
        if !labels.uses_slurm() {
            return Ok(None);
        }
    }
    let placement = Placement {
        partition: args.slurm_partition.clone(),
        constraint: args.slurm_constraint.clone(),
        ..Placement::default()
    };
    let agent = std::env::current_exe().map_err(|e| format!("cannot find the mlci binary for the Slurm agent: {e}"))?;
    Ok(Some(SlurmBackend::new(agent, placement, cancel.graceful.clone())))
}

/// Ctrl-C once: cancel gracefully. Twice: kill at once.
fn install_ctrl_c(cancel: &Cancel) {
    let cancel = cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if cancel.graceful.is_cancelled() {
            cancel.kill.cancel();
        } else {
            eprintln!("\ncancelling: stopping running steps (Ctrl-C again to kill them at once)");
            cancel.graceful.cancel();
        }
    });
}

fn fail(message: &str, code: i32) -> i32 {
    eprintln!("error: {message}");
    code
}

/// Jobs at once when `--max-parallel` is not given. Jobs mostly wait (on
/// containers starting, the network, `sleep`), not on the CPU, so one per
/// CPU held back legs that a workflow's own `max-parallel` allows (see
/// docs/decisions.md); four per CPU, and never fewer than 8, keeps a small
/// machine busy while still bounding how many containers a run starts.
pub fn default_max_parallel(cpus: usize) -> usize {
    cpus.saturating_mul(4).max(8)
}

#[cfg(test)]
mod tests {
    use super::default_max_parallel;

    #[test]
    fn the_default_is_four_jobs_per_cpu_and_at_least_eight() {
        assert_eq!(default_max_parallel(1), 8);
        assert_eq!(default_max_parallel(2), 8);
        assert_eq!(default_max_parallel(3), 12);
        assert_eq!(default_max_parallel(16), 64);
        assert_eq!(default_max_parallel(usize::MAX), usize::MAX);
    }
}
