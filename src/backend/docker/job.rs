//! A started job: its job container, services and network, and the steps
//! running in it now.

use super::config::{Attachment, TEMP, WORKSPACE};
use super::steps::RunningSteps;
use crate::backend::{BackendError, ExecSpec, ImageStepSpec, JobEnv, LineSink, StopSignal};
use async_trait::async_trait;
use bollard::Docker;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One attempt of one job leg in Docker. Made by
/// [`DockerBackend::start_job`](crate::backend::Backend::start_job).
pub struct DockerJob {
    pub(super) backend: super::DockerBackend,
    /// `mlci-<run>-<job>-<leg>-a<attempt>`: the job container's and the
    /// network's name, and the prefix of the others.
    pub(super) base_name: String,
    /// The labels every container of the job gets (the role is added).
    pub(super) labels: HashMap<String, String>,
    /// The job container's id, once created.
    pub(super) container: Option<String>,
    /// The job network, when the job has services.
    pub(super) network: Option<String>,
    pub(super) attachment: Attachment,
    /// The workspace and temp binds, shared with `docker://` steps.
    pub(super) binds: Vec<String>,
    pub(super) services: Vec<StartedService>,
    /// `<temp>/.mlci/pids` on this machine: each running step's process id.
    pub(super) pid_dir: PathBuf,
    pub(super) steps: RunningSteps,
}

/// A running service container.
#[derive(Clone, Debug)]
pub(super) struct StartedService {
    pub id: String,
    pub container: String,
    /// Container port → host port.
    pub ports: BTreeMap<u16, String>,
}

impl DockerJob {
    pub(super) fn docker(&self) -> &Docker {
        &self.backend.docker
    }

    /// The labels for a container with `role` (`job`, `service`, `step`).
    pub(super) fn labels_for(&self, role: &str) -> HashMap<String, String> {
        let mut labels = self.labels.clone();
        labels.insert(super::names::ROLE_LABEL.to_string(), role.to_string());
        labels
    }

    fn network_name(&self) -> String {
        self.network
            .clone()
            .or_else(|| self.attachment.network_mode.clone())
            .unwrap_or_default()
    }
}

#[async_trait]
impl JobEnv for DockerJob {
    fn workspace(&self) -> String {
        WORKSPACE.to_string()
    }

    fn temp(&self) -> String {
        TEMP.to_string()
    }

    fn container_context(&self) -> Map<String, Value> {
        let mut context = Map::new();
        context.insert("id".into(), json!(self.container.clone().unwrap_or_default()));
        context.insert("network".into(), json!(self.network_name()));
        context
    }

    fn services_context(&self) -> Map<String, Value> {
        let network = self.network_name();
        self.services
            .iter()
            .map(|service| {
                let ports: Map<String, Value> = service
                    .ports
                    .iter()
                    .map(|(port, host)| (port.to_string(), json!(host)))
                    .collect();
                let context = json!({"id": service.container, "network": network, "ports": ports});
                (service.id.clone(), context)
            })
            .collect()
    }

    async fn exec(&self, spec: &ExecSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        self.exec_step(spec, sink).await
    }

    async fn run_image(&self, spec: &ImageStepSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        self.run_image_step(spec, sink).await
    }

    async fn build_image(
        &self,
        context: &Path,
        dockerfile: &str,
        tag: &str,
        sink: &mut dyn LineSink,
    ) -> Result<(), BackendError> {
        self.build_action_image(context, dockerfile, tag, sink).await
    }

    async fn stop_steps(&self, signal: StopSignal) {
        self.stop_running_steps(signal).await
    }

    async fn remove(&self) -> Result<(), BackendError> {
        self.remove_all().await
    }

    async fn home(&self) -> Result<String, BackendError> {
        self.container_home().await
    }

    async fn copy_out(&self, path: &str, into: &Path) -> Result<bool, BackendError> {
        self.copy_out_of_container(path, into).await
    }

    async fn copy_in(&self, from: &Path, dir: &str) -> Result<(), BackendError> {
        self.copy_into_container(from, dir).await
    }
}
