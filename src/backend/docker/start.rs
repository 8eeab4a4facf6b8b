//! Starting a job: images, the network (with services only), the services,
//! then the job container. Whatever was created before a failure is
//! removed again.

use super::config::{self, Attachment};
use super::errors::failed;
use super::job::DockerJob;
use super::names;
use super::steps::RunningSteps;
use super::DockerBackend;
use crate::backend::{BackendError, JobSpec};
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::CreateContainerOptions;
use futures_util::future::try_join_all;
use std::path::Path;

/// Where the wrapper of each step writes its process id, under `RUNNER_TEMP`.
pub(super) const PID_DIR: &str = ".mlci/pids";

impl DockerJob {
    /// Starts everything of `spec`; on failure removes what was made.
    pub(super) async fn start(backend: &DockerBackend, spec: &JobSpec) -> Result<DockerJob, BackendError> {
        let pid_dir = spec.temp.join(PID_DIR);
        make_pid_dir(&pid_dir)?;
        let services = spec.services.iter().filter(|s| !s.image.is_empty());
        let images = std::iter::once(spec.image.as_str()).chain(services.map(|s| s.image.as_str()));
        try_join_all(images.map(|image| backend.ensure_image(image))).await?;

        let mut job = DockerJob {
            backend: backend.clone(),
            base_name: names::base_name(spec),
            labels: names::labels(spec, &backend.host, "job"),
            container: None,
            network: None,
            attachment: Attachment::default(),
            binds: config::job_mounts(&spec.workspace, &spec.temp)?,
            services: Vec::new(),
            pid_dir,
            steps: RunningSteps::default(),
        };
        match job.start_containers(spec).await {
            Ok(()) => Ok(job),
            Err(e) => {
                // The start error is what the user needs; a cleanup error
                // would only hide it (leftovers are swept later).
                let _ = job.remove_all().await;
                Err(e)
            }
        }
    }

    async fn start_containers(&mut self, spec: &JobSpec) -> Result<(), BackendError> {
        if spec.services.iter().any(|s| !s.image.is_empty()) {
            let name = self.base_name.clone();
            self.create_network(&name).await?;
        }
        self.attachment = Attachment::for_job(&spec.container, self.network.as_deref());
        self.start_services(spec).await?;
        // The runner image has node under /__e; a `container:` image gets
        // the same, mounted read-only, for JavaScript actions.
        let node = if spec.job_container {
            self.backend.node_mount().await?
        } else {
            None
        };
        let body = config::job_container(spec, &self.attachment, self.labels_for("job"), node.as_deref())?;
        let name = self.base_name.clone();
        let id = create(self.docker(), &name, body).await?;
        self.container = Some(id.clone());
        self.docker()
            .start_container(&id, None)
            .await
            .map_err(|e| failed(&format!("start the job container ({})", spec.image), e))
    }
}

impl DockerBackend {
    /// Creates (without starting) the job container of `spec` on the
    /// default network and returns its id: what Docker makes of the request
    /// can then be inspected (GPUs need a GPU to start, not to create). The
    /// caller removes it.
    pub async fn create_job_container(&self, spec: &JobSpec) -> Result<String, BackendError> {
        self.ensure_image(&spec.image).await?;
        let attachment = Attachment::for_job(&spec.container, None);
        let body = config::job_container(spec, &attachment, names::labels(spec, &self.host, "job"), None)?;
        create(&self.docker, &names::base_name(spec), body).await
    }
}

/// Creates a container named `name`; returns its id.
pub(super) async fn create(
    docker: &bollard::Docker,
    name: &str,
    body: ContainerCreateBody,
) -> Result<String, BackendError> {
    let image = body.image.clone().unwrap_or_default();
    let options = CreateContainerOptions {
        name: Some(name.to_string()),
        ..CreateContainerOptions::default()
    };
    docker
        .create_container(Some(options), body)
        .await
        .map(|created| created.id)
        .map_err(|e| failed(&format!("create container {name} ({image})"), e))
}

/// The pid directory is written by steps running as any user (`--user`).
fn make_pid_dir(dir: &Path) -> Result<(), BackendError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)))
        .map_err(|e| BackendError::Other(format!("failed to create {}: {e}", dir.display())))
}
