//! The shared directory between the controller (`mlci run`) and the agent
//! (`mlci slurm-agent`, inside the Slurm job). Files, not sockets, because
//! the directory is the one thing every node of a cluster shares with the
//! submit host (see docs/scale-out.md):
//!
//! - `job.json`: what the agent starts on the node ([`NodeJob`]): the
//!   node's own processes, or a job container of the node's Docker Engine;
//! - `ready`: the agent is running; JSON [`Ready`] (node, GPUs, job id, the
//!   paths and contexts steps see);
//! - `steps/N.json`: a request for the agent ([`Request`]): a step's
//!   process, a `docker://` step, a Docker action's build, a copy;
//! - `steps/N.out`: its output, lines as they come;
//! - `steps/N.exit`: its exit code, written once it ended (`error: …` when
//!   it could not run at all);
//! - `signals/K`: `term` or `kill` for the running steps, each read once;
//! - `alive`: a counter the controller raises every [`HEARTBEAT`]; when it
//!   stops changing for [`HEARTBEAT_LOST`] (mlci was killed), the agent
//!   stops the steps and ends the job, so no job keeps its GPUs unwatched;
//! - `done`: the controller is finished; the agent cleans up and exits.
//!
//! Every file the other side waits for is written whole under a temporary
//! name and renamed, so a reader never sees half of it.

use crate::backend::{ContainerConfig, ExecSpec, ImageStepSpec, ServiceSpec};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::io;
use std::path::{Path, PathBuf};

/// How often each side looks at the directory. Polling works on every
/// shared filesystem (NFS, Lustre), where inotify does not.
pub const POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// How often the controller raises `alive`.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(2);
/// How long `alive` may stay the same before the agent gives up on the
/// controller. The agent measures it with its own clock (the counter's
/// change, not a timestamp), so the nodes' clocks need not agree.
pub const HEARTBEAT_LOST: std::time::Duration = std::time::Duration::from_secs(30);

/// The job the agent starts on its node: the parts of
/// [`crate::backend::JobSpec`] a node needs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NodeJob {
    pub run_id: String,
    pub job_id: String,
    pub leg_name: String,
    pub attempt: u32,
    /// The `container:` image; empty when steps run as the node's own
    /// processes.
    pub image: String,
    pub job_container: bool,
    /// Folders on the shared filesystem.
    pub workspace: PathBuf,
    pub temp: PathBuf,
    pub container: ContainerConfig,
    pub services: Vec<ServiceSpec>,
}

/// What the agent reports when it starts on the allocated node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ready {
    pub slurm_job_id: String,
    pub node: String,
    /// The job's GPUs as Slurm named them on the node (empty without GPUs).
    pub gpus: String,
    /// `GITHUB_WORKSPACE` and `RUNNER_TEMP` as steps see them.
    pub workspace: String,
    pub temp: String,
    /// Whether steps run in a job container on the node's Docker Engine.
    pub in_container: bool,
    /// The `job.container` and `job.services` contexts (empty on the node's
    /// own processes).
    pub container: Map<String, Value>,
    pub services: Map<String, Value>,
    /// The job container user's home, when the agent could read it.
    pub home: Option<String>,
}

/// One request to the agent; each has an output file and an exit file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// A step's process.
    Exec(ExecSpec),
    /// A `docker://` step or a Docker action's container.
    Image(ImageStepSpec),
    /// A Docker action's image, built on the node (exit 0 once it exists).
    Build {
        context: PathBuf,
        dockerfile: String,
        tag: String,
    },
    /// The job's own `path` copied into `into` (a folder on the shared
    /// filesystem): exit 0 when copied, 1 when nothing is at `path`.
    CopyOut { path: String, into: PathBuf },
    /// What is in the shared folder `from` copied into the job's `dir`.
    CopyIn { from: PathBuf, dir: String },
}

/// The paths of one job's shared directory.
#[derive(Clone, Debug)]
pub struct JobDir {
    pub root: PathBuf,
}

impl JobDir {
    pub fn new(root: impl Into<PathBuf>) -> JobDir {
        JobDir { root: root.into() }
    }

    pub fn job(&self) -> PathBuf {
        self.root.join("job.json")
    }

    pub fn ready(&self) -> PathBuf {
        self.root.join("ready")
    }

    pub fn alive(&self) -> PathBuf {
        self.root.join("alive")
    }

    pub fn done(&self) -> PathBuf {
        self.root.join("done")
    }

    pub fn steps(&self) -> PathBuf {
        self.root.join("steps")
    }

    pub fn signals(&self) -> PathBuf {
        self.root.join("signals")
    }

    pub fn request(&self, step: u64) -> PathBuf {
        self.steps().join(format!("{step}.json"))
    }

    pub fn output(&self, step: u64) -> PathBuf {
        self.steps().join(format!("{step}.out"))
    }

    pub fn exit(&self, step: u64) -> PathBuf {
        self.steps().join(format!("{step}.exit"))
    }

    /// Slurm's own output for the job (what the agent printed, errors of
    /// the batch script).
    pub fn slurm_output(&self) -> PathBuf {
        self.root.join("slurm.out")
    }

    pub fn script(&self) -> PathBuf {
        self.root.join("job.sh")
    }

    pub fn create(&self) -> io::Result<()> {
        std::fs::create_dir_all(self.steps())?;
        std::fs::create_dir_all(self.signals())
    }
}

/// Writes `data` to `path` whole: under a temporary name, then renamed.
pub fn write_whole(path: &Path, data: &[u8]) -> io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&temporary, data)?;
    std::fs::rename(&temporary, path)
}

/// The step number in a request's file name (`7.json` → 7).
pub fn request_number(file_name: &str) -> Option<u64> {
    file_name.strip_suffix(".json")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_numbers_come_from_request_files_only() {
        assert_eq!(request_number("7.json"), Some(7));
        assert_eq!(request_number(".7.json.tmp"), None);
        assert_eq!(request_number("7.out"), None);
        assert_eq!(request_number("x.json"), None);
    }

    #[test]
    fn a_whole_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ready");
        write_whole(&path, b"{}").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["ready".to_string()]);
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
    }
}
