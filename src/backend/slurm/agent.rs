//! The agent: `mlci slurm-agent DIR` inside a Slurm job, on the allocated
//! node. It starts the job DIR describes there (the node's own processes
//! through the host backend, or a `container:` through the node's Docker
//! Engine), answers each request the controller writes into DIR (steps,
//! `docker://` steps, Docker action builds, copies), writes their output
//! and exit codes back, relays stop signals, and ends when the controller
//! writes `done`.

use super::protocol::{request_number, write_whole, JobDir, NodeJob, Ready, Request, HEARTBEAT_LOST, POLL};
use crate::backend::docker::DockerBackend;
use crate::backend::host::HostBackend;
use crate::backend::{Backend, BackendError, ContainerConfig, GpuAssignment, JobEnv, JobSpec, LineSink, StopSignal};
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Variables the node's Slurm job sets that the steps must see as the
/// node has them, not as the submitting machine had them.
const FROM_THE_NODE: &[&str] = &["CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", "ROCR_VISIBLE_DEVICES"];

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("failed to read the job this agent runs from {path}: {reason}")]
    Job { path: PathBuf, reason: String },
    #[error("failed to report that the agent is ready in {path}")]
    Ready {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "job `{job}` has a `container:`, which on Slurm runs through the node's Docker Engine, and node {node} has \
         none that answers: {reason}"
    )]
    NoDocker { job: String, node: String, reason: String },
    #[error("failed to prepare the job on this node: {0}")]
    Start(String),
    #[error(
        "this Slurm job started again (requeued by Slurm after its first start); mlci never runs a leg's steps twice \
         in one job: its `retries:` submit a new one"
    )]
    Restarted,
    #[error("mlci stopped watching this job (no heartbeat for {} s); its steps were stopped", HEARTBEAT_LOST.as_secs())]
    Unwatched,
}

/// How the job's steps run on this node.
struct NodeSide {
    env: Arc<dyn JobEnv>,
    /// The node's Slurm variables and GPU variables.
    vars: Vec<(String, String)>,
    /// Whether steps run in a job container (the GPU variables are then
    /// the container runtime's, not the node's).
    in_container: bool,
}

/// Runs the requests handed over in `dir` until the controller is done.
pub async fn run(dir: &Path) -> Result<(), AgentError> {
    let dir = JobDir::new(dir);
    // `--no-requeue` keeps Slurm from starting a job twice, but an
    // administrator can still requeue it by hand.
    if dir.ready().exists() {
        return Err(AgentError::Restarted);
    }
    let job = read_job(&dir)?;
    let vars = node_env(std::env::vars());
    let node = std::env::var("SLURMD_NODENAME").unwrap_or_default();
    let side = Arc::new(start(&job, &node, vars).await?);
    let home = match side.in_container {
        true => side.env.home().await.ok(),
        false => None,
    };
    let ready = Ready {
        slurm_job_id: std::env::var("SLURM_JOB_ID").unwrap_or_default(),
        node,
        gpus: std::env::var("CUDA_VISIBLE_DEVICES").unwrap_or_default(),
        workspace: side.env.workspace(),
        temp: side.env.temp(),
        in_container: side.in_container,
        container: side.env.container_context(),
        services: side.env.services_context(),
        home,
    };
    let json = serde_json::to_vec(&ready).unwrap_or_default();
    if let Err(source) = write_whole(&dir.ready(), &json) {
        let _ = side.env.remove().await;
        return Err(AgentError::Ready {
            path: dir.ready(),
            source,
        });
    }
    let mut started: HashSet<u64> = HashSet::new();
    let mut signalled: HashSet<String> = HashSet::new();
    let mut running = Vec::new();
    let mut heartbeat = Heartbeat::default();
    let mut unwatched = false;
    while !dir.done().exists() {
        if heartbeat.lost(&dir) {
            unwatched = true;
            break;
        }
        for number in new_requests(&dir, &started) {
            started.insert(number);
            let (side, dir) = (side.clone(), dir.clone());
            running.push(tokio::spawn(async move { serve(&side, &dir, number).await }));
        }
        for (name, signal) in new_signals(&dir, &signalled) {
            signalled.insert(name);
            side.env.stop_steps(signal).await;
        }
        tokio::time::sleep(POLL).await;
    }
    let _ = side.env.remove().await;
    for request in running {
        request.abort();
    }
    if unwatched {
        return Err(AgentError::Unwatched);
    }
    Ok(())
}

fn read_job(dir: &JobDir) -> Result<NodeJob, AgentError> {
    let failed = |reason: String| AgentError::Job {
        path: dir.job(),
        reason,
    };
    let text = std::fs::read(dir.job()).map_err(|e| failed(e.to_string()))?;
    serde_json::from_slice(&text).map_err(|e| failed(e.to_string()))
}

/// Starts the job on this node: its own processes, or its container.
async fn start(job: &NodeJob, node: &str, vars: Vec<(String, String)>) -> Result<NodeSide, AgentError> {
    let in_container = !job.image.is_empty();
    let spec = JobSpec {
        run_id: job.run_id.clone(),
        job_id: job.job_id.clone(),
        leg_name: job.leg_name.clone(),
        attempt: job.attempt,
        image: job.image.clone(),
        job_container: job.job_container,
        workspace: job.workspace.clone(),
        temp: job.temp.clone(),
        container: within_allocation(job.container.clone(), &vars),
        services: job.services.clone(),
        // Slurm leased the devices; a container gets exactly those.
        gpus: slurm_gpus(&vars),
        ..JobSpec::default()
    };
    let started = if in_container {
        let docker = DockerBackend::connect().await.map_err(|e| AgentError::NoDocker {
            job: job.leg_name.clone(),
            node: node.to_string(),
            reason: e.to_string(),
        })?;
        docker.start_job(&spec).await
    } else {
        HostBackend::new().start_job(&spec).await
    };
    let env = started.map_err(|e| AgentError::Start(e.to_string()))?;
    Ok(NodeSide {
        env: Arc::from(env),
        vars,
        in_container,
    })
}

/// The job container held to the CPUs and memory Slurm gave the job: the
/// node's Docker Engine starts it outside the job's cgroup, where Slurm's
/// own limits do not reach. Options that ask for less keep their value.
fn within_allocation(mut container: ContainerConfig, vars: &[(String, String)]) -> ContainerConfig {
    let number = |name: &str| -> Option<i64> {
        let (_, value) = vars.iter().find(|(n, _)| n == name)?;
        value.parse().ok().filter(|n| *n > 0)
    };
    let tighter = |asked: Option<i64>, slurm: Option<i64>| match (asked, slurm) {
        (Some(asked), Some(slurm)) => Some(asked.min(slurm)),
        (asked, slurm) => asked.or(slurm),
    };
    let cpus = number("SLURM_CPUS_ON_NODE");
    // Megabytes, per node or per CPU (`--mem`, `--mem-per-cpu`).
    let megabytes = number("SLURM_MEM_PER_NODE").or_else(|| Some(number("SLURM_MEM_PER_CPU")? * cpus?));
    container.nano_cpus = tighter(container.nano_cpus, cpus.map(|c| c * 1_000_000_000));
    container.memory = tighter(container.memory, megabytes.map(|m| m * 1024 * 1024));
    container
}

/// The job's GPUs as the node's Docker Engine numbers them: Slurm's
/// `SLURM_JOB_GPUS` (the node's own indexes; `CUDA_VISIBLE_DEVICES` may be
/// renumbered inside the job's cgroup), else `CUDA_VISIBLE_DEVICES`.
fn slurm_gpus(vars: &[(String, String)]) -> GpuAssignment {
    let value = |name: &str| vars.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v);
    match value("SLURM_JOB_GPUS").or_else(|| value("CUDA_VISIBLE_DEVICES")) {
        Some(ids) => GpuAssignment::Devices(ids.split(',').map(str::to_string).collect()),
        None => GpuAssignment::None,
    }
}

/// The controller's heartbeat as this node sees it: when `alive` last
/// changed, by this node's clock.
struct Heartbeat {
    last: Option<String>,
    changed: std::time::Instant,
}

impl Default for Heartbeat {
    fn default() -> Heartbeat {
        Heartbeat {
            last: None,
            changed: std::time::Instant::now(),
        }
    }
}

impl Heartbeat {
    fn lost(&mut self, dir: &JobDir) -> bool {
        let now = std::fs::read_to_string(dir.alive()).ok();
        if now != self.last {
            self.last = now;
            self.changed = std::time::Instant::now();
        }
        self.changed.elapsed() > HEARTBEAT_LOST
    }
}

/// The step requests not started yet, in order.
fn new_requests(dir: &JobDir, started: &HashSet<u64>) -> Vec<u64> {
    let mut steps: Vec<u64> = names(&dir.steps())
        .iter()
        .filter_map(|name| request_number(name))
        .filter(|n| !started.contains(n))
        .collect();
    steps.sort_unstable();
    steps
}

fn new_signals(dir: &JobDir, seen: &HashSet<String>) -> Vec<(String, StopSignal)> {
    let mut signals: Vec<(String, StopSignal)> = names(&dir.signals())
        .into_iter()
        .filter(|name| !name.starts_with('.') && !seen.contains(name))
        .filter_map(|name| {
            let signal = match std::fs::read_to_string(dir.signals().join(&name)).ok()?.trim() {
                "kill" => StopSignal::Kill,
                _ => StopSignal::Terminate,
            };
            Some((name, signal))
        })
        .collect();
    signals.sort_by_key(|(name, _)| name.parse::<u64>().unwrap_or(u64::MAX));
    signals
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default()
}

/// Answers request `number`: its output into its output file, then its
/// exit file.
async fn serve(side: &NodeSide, dir: &JobDir, number: u64) {
    let result = match read_request(dir, number) {
        Ok(request) => match File::create(dir.output(number)) {
            Ok(file) => {
                let mut sink = FileSink(BufWriter::new(file));
                let code = answer(side, request, &mut sink).await;
                sink.flush();
                code.map(|c| c.to_string()).map_err(|e| e.to_string())
            }
            Err(e) => Err(format!("failed to create the request's output file: {e}")),
        },
        Err(e) => Err(e),
    };
    let text = result.unwrap_or_else(|e| format!("error: {e}"));
    if let Err(e) = write_whole(&dir.exit(number), text.as_bytes()) {
        tracing::error!("failed to report request {number}'s end: {e}");
    }
}

async fn answer(side: &NodeSide, request: Request, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
    let env = side.env.as_ref();
    match request {
        Request::Exec(mut spec) => {
            spec.env = step_env(spec.env, &side.vars, side.in_container);
            env.exec(&spec, sink).await
        }
        Request::Image(mut spec) => {
            spec.env = step_env(spec.env, &side.vars, true);
            spec.gpus = slurm_gpus(&side.vars);
            // Outside the Slurm job's cgroup too, like the job container.
            let asked = ContainerConfig {
                memory: spec.memory,
                ..ContainerConfig::default()
            };
            spec.memory = within_allocation(asked, &side.vars).memory;
            env.run_image(&spec, sink).await
        }
        Request::Build {
            context,
            dockerfile,
            tag,
        } => env.build_image(&context, &dockerfile, &tag, sink).await.map(|()| 0),
        Request::CopyOut { path, into } => env.copy_out(&path, &into).await.map(|copied| i64::from(!copied)),
        Request::CopyIn { from, dir } => env.copy_in(&from, &dir).await.map(|()| 0),
    }
}

fn read_request(dir: &JobDir, number: u64) -> Result<Request, String> {
    let text = std::fs::read(dir.request(number)).map_err(|e| format!("failed to read request {number}: {e}"))?;
    serde_json::from_slice(&text).map_err(|e| format!("request {number} is not valid: {e}"))
}

/// The node's Slurm variables and GPU devices.
fn node_env(vars: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    vars.filter(|(name, _)| name.starts_with("SLURM") || FROM_THE_NODE.contains(&name.as_str()))
        .collect()
}

/// The step's environment with the node's variables over it; the GPUs are
/// the job's (Slurm's), named again in `MLCI_GPU_IDS`. In a container the
/// node's GPU variables do not apply (the container runtime numbers the
/// devices it was given from 0), and `MLCI_GPU_IDS` names the node's
/// devices as the other backends name the host's.
fn step_env(env: Vec<(String, String)>, node: &[(String, String)], in_container: bool) -> Vec<(String, String)> {
    let replaced =
        |name: &str| name == "MLCI_GPU_IDS" || FROM_THE_NODE.contains(&name) || node.iter().any(|(n, _)| n == name);
    let mut env: Vec<(String, String)> = env.into_iter().filter(|(name, _)| !replaced(name)).collect();
    let shown = |name: &str| !in_container || !FROM_THE_NODE.contains(&name);
    env.extend(node.iter().filter(|(name, _)| shown(name)).cloned());
    let ids = match in_container {
        true => slurm_gpus(node).ids().join(","),
        false => node
            .iter()
            .find(|(name, _)| name == "CUDA_VISIBLE_DEVICES")
            .map(|(_, ids)| ids.clone())
            .unwrap_or_default(),
    };
    if !ids.is_empty() {
        env.push(("MLCI_GPU_IDS".to_string(), ids));
    }
    env
}

/// A step's output lines into its output file, flushed after each chunk
/// so the controller sees them as they come.
struct FileSink(BufWriter<File>);

impl LineSink for FileSink {
    fn line(&mut self, line: &str) {
        let _ = self.0.write_all(line.as_bytes());
        let _ = self.0.write_all(b"\n");
    }

    fn flush(&mut self) {
        let _ = self.0.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn the_node_decides_the_gpus_and_slurm_variables() {
        let node =
            node_env(pairs(&[("SLURM_JOB_ID", "42"), ("CUDA_VISIBLE_DEVICES", "2,3"), ("HOME", "/n")]).into_iter());
        assert_eq!(node, pairs(&[("SLURM_JOB_ID", "42"), ("CUDA_VISIBLE_DEVICES", "2,3")]));
        let step = pairs(&[("CUDA_VISIBLE_DEVICES", "0"), ("MLCI_GPU_IDS", "0"), ("CI", "true")]);
        assert_eq!(
            step_env(step, &node, false),
            pairs(&[
                ("CI", "true"),
                ("SLURM_JOB_ID", "42"),
                ("CUDA_VISIBLE_DEVICES", "2,3"),
                ("MLCI_GPU_IDS", "2,3"),
            ])
        );
    }

    #[test]
    fn a_job_without_gpus_hides_the_submitting_machines() {
        let node = node_env(pairs(&[("SLURM_JOB_ID", "7")]).into_iter());
        let step = pairs(&[("CUDA_VISIBLE_DEVICES", "0,1"), ("PATH", "/bin")]);
        assert_eq!(
            step_env(step, &node, false),
            pairs(&[("PATH", "/bin"), ("SLURM_JOB_ID", "7")])
        );
    }

    #[test]
    fn a_container_gets_the_nodes_device_indexes_not_its_gpu_variables() {
        let node = node_env(
            pairs(&[
                ("SLURM_JOB_ID", "42"),
                ("SLURM_JOB_GPUS", "2,3"),
                ("CUDA_VISIBLE_DEVICES", "0,1"),
            ])
            .into_iter(),
        );
        assert_eq!(slurm_gpus(&node), GpuAssignment::Devices(vec!["2".into(), "3".into()]));
        assert_eq!(
            step_env(pairs(&[("CI", "true")]), &node, true),
            pairs(&[
                ("CI", "true"),
                ("SLURM_JOB_ID", "42"),
                ("SLURM_JOB_GPUS", "2,3"),
                ("MLCI_GPU_IDS", "2,3"),
            ])
        );
        let without = node_env(pairs(&[("SLURM_JOB_ID", "7")]).into_iter());
        assert_eq!(slurm_gpus(&without), GpuAssignment::None);
    }

    #[test]
    fn a_container_gets_the_jobs_cpus_and_memory_unless_its_options_ask_less() {
        let slurm = pairs(&[("SLURM_CPUS_ON_NODE", "2"), ("SLURM_MEM_PER_NODE", "300")]);
        let held = within_allocation(ContainerConfig::default(), &slurm);
        assert_eq!(
            (held.nano_cpus, held.memory),
            (Some(2_000_000_000), Some(300 * 1024 * 1024))
        );
        let asked = ContainerConfig {
            nano_cpus: Some(500_000_000),
            memory: Some(1024 * 1024 * 1024),
            ..ContainerConfig::default()
        };
        let held = within_allocation(asked, &slurm);
        assert_eq!(
            (held.nano_cpus, held.memory),
            (Some(500_000_000), Some(300 * 1024 * 1024))
        );
        // Memory per CPU, and a job Slurm gave no memory to.
        let per_cpu = pairs(&[("SLURM_CPUS_ON_NODE", "4"), ("SLURM_MEM_PER_CPU", "100")]);
        assert_eq!(
            within_allocation(ContainerConfig::default(), &per_cpu).memory,
            Some(400 * 1024 * 1024)
        );
        let no_memory = within_allocation(ContainerConfig::default(), &pairs(&[("SLURM_CPUS_ON_NODE", "1")]));
        assert_eq!((no_memory.nano_cpus, no_memory.memory), (Some(1_000_000_000), None));
    }
}
