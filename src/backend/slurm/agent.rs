//! The agent: `mlci slurm-agent DIR` inside a Slurm job, on the allocated
//! node. It runs each step the controller writes into DIR with the host
//! backend, writes its output and exit code back, relays stop signals, and
//! ends when the controller writes `done`.

use super::protocol::{request_number, write_whole, JobDir, Ready, StepRequest, HEARTBEAT_LOST, POLL};
use crate::backend::host::HostBackend;
use crate::backend::{Backend, ExecSpec, JobEnv, JobSpec, LineSink, StopSignal};
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
    #[error("failed to report that the agent is ready in {path}")]
    Ready {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to prepare the job on this node: {0}")]
    Start(String),
    #[error("mlci stopped watching this job (no heartbeat for {} s); its steps were stopped", HEARTBEAT_LOST.as_secs())]
    Unwatched,
}

/// Runs the steps handed over in `dir` until the controller is done.
pub async fn run(dir: &Path, workspace: &Path, temp: &Path) -> Result<(), AgentError> {
    let dir = JobDir::new(dir);
    let spec = JobSpec {
        workspace: workspace.to_path_buf(),
        temp: temp.to_path_buf(),
        ..JobSpec::default()
    };
    let host: Arc<dyn JobEnv> = Arc::from(
        HostBackend::new()
            .start_job(&spec)
            .await
            .map_err(|e| AgentError::Start(e.to_string()))?,
    );
    let node_env = node_env(std::env::vars());
    let ready = Ready {
        slurm_job_id: std::env::var("SLURM_JOB_ID").unwrap_or_default(),
        node: std::env::var("SLURMD_NODENAME").unwrap_or_default(),
        gpus: std::env::var("CUDA_VISIBLE_DEVICES").unwrap_or_default(),
    };
    let json = serde_json::to_vec(&ready).unwrap_or_default();
    write_whole(&dir.ready(), &json).map_err(|source| AgentError::Ready {
        path: dir.ready(),
        source,
    })?;
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
        for step in new_requests(&dir, &started) {
            started.insert(step);
            let (host, dir, node_env) = (host.clone(), dir.clone(), node_env.clone());
            running.push(tokio::spawn(async move {
                run_step(host.as_ref(), &dir, step, &node_env).await
            }));
        }
        for (name, signal) in new_signals(&dir, &signalled) {
            signalled.insert(name);
            host.stop_steps(signal).await;
        }
        tokio::time::sleep(POLL).await;
    }
    let _ = host.remove().await;
    for step in running {
        step.abort();
    }
    if unwatched {
        return Err(AgentError::Unwatched);
    }
    Ok(())
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

async fn run_step(host: &dyn JobEnv, dir: &JobDir, step: u64, node_env: &[(String, String)]) {
    let result = match read_request(dir, step) {
        Ok(request) => {
            let spec = ExecSpec {
                argv: request.argv,
                env: step_env(request.env, node_env),
                working_directory: request.working_directory,
                records_pid: false,
            };
            match File::create(dir.output(step)) {
                Ok(file) => {
                    let mut sink = FileSink(BufWriter::new(file));
                    let code = host.exec(&spec, &mut sink).await;
                    sink.flush();
                    code.map(|c| c.to_string()).map_err(|e| e.to_string())
                }
                Err(e) => Err(format!("failed to create the step's output file: {e}")),
            }
        }
        Err(e) => Err(e),
    };
    let text = result.unwrap_or_else(|e| format!("error: {e}"));
    if let Err(e) = write_whole(&dir.exit(step), text.as_bytes()) {
        tracing::error!("failed to report step {step}'s end: {e}");
    }
}

fn read_request(dir: &JobDir, step: u64) -> Result<StepRequest, String> {
    let text = std::fs::read(dir.request(step)).map_err(|e| format!("failed to read step {step}: {e}"))?;
    serde_json::from_slice(&text).map_err(|e| format!("step {step} is not a valid request: {e}"))
}

/// The node's Slurm variables and GPU devices.
fn node_env(vars: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    vars.filter(|(name, _)| name.starts_with("SLURM") || FROM_THE_NODE.contains(&name.as_str()))
        .collect()
}

/// The step's environment with the node's variables over it; the GPUs are
/// the job's (Slurm's), named again in `MLCI_GPU_IDS`.
fn step_env(env: Vec<(String, String)>, node: &[(String, String)]) -> Vec<(String, String)> {
    let replaced =
        |name: &str| name == "MLCI_GPU_IDS" || FROM_THE_NODE.contains(&name) || node.iter().any(|(n, _)| n == name);
    let mut env: Vec<(String, String)> = env.into_iter().filter(|(name, _)| !replaced(name)).collect();
    env.extend(node.iter().cloned());
    if let Some((_, ids)) = node.iter().find(|(name, _)| name == "CUDA_VISIBLE_DEVICES") {
        env.push(("MLCI_GPU_IDS".to_string(), ids.clone()));
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
            step_env(step, &node),
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
        assert_eq!(step_env(step, &node), pairs(&[("PATH", "/bin"), ("SLURM_JOB_ID", "7")]));
    }
}
