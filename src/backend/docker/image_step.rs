//! `uses: docker://IMAGE` steps: a sibling container of the job container
//! with the same workspace, temp directory and network, attached before it
//! starts (as `docker run` does, so no output is lost and no log driver is
//! needed), waited for, and removed.

use super::cleanup::force_remove;
use super::config;
use super::errors::{failed, is_not_found};
use super::job::DockerJob;
use super::names;
use super::output::stream_lines;
use super::start::create;
use super::steps::RunningStep;
use crate::backend::{BackendError, ImageStepSpec, LineSink};
use bollard::query_parameters::{AttachContainerOptions, WaitContainerOptions};
use futures_util::StreamExt;
use std::time::Duration;

/// How long a step container may run: waiting for its exit is one request
/// whose answer comes when it exits.
const STEP_WAIT_TIMEOUT: Duration = Duration::from_secs(30 * 24 * 3600);

impl DockerJob {
    pub(super) async fn run_image_step(
        &self,
        spec: &ImageStepSpec,
        sink: &mut dyn LineSink,
    ) -> Result<i64, BackendError> {
        self.backend.ensure_image(&spec.image).await?;
        let number = self.steps.next_number();
        let body = config::image_step_container(spec, &self.binds, &self.attachment, self.labels_for("step"));
        let name = names::child_name(&self.base_name, &format!("step{number}"));
        let id = create(self.docker(), &name, body).await?;
        let result = {
            let _running = self.steps.enter(number, RunningStep::Container { id: id.clone() });
            self.attach_start_wait(&id, &spec.image, sink).await
        };
        match self.docker().remove_container(&id, Some(force_remove())).await {
            Ok(()) => result,
            Err(e) if is_not_found(&e) => result,
            // The step's own result matters more than a failed removal,
            // which `remove()` retries at the end of the job.
            Err(e) => result.and(Err(failed(&format!("remove the step container of {}", spec.image), e))),
        }
    }

    async fn attach_start_wait(&self, id: &str, image: &str, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        let attach = AttachContainerOptions {
            stream: true,
            stdout: true,
            stderr: true,
            ..AttachContainerOptions::default()
        };
        let attached = self
            .docker()
            .attach_container(id, Some(attach))
            .await
            .map_err(|e| failed(&format!("attach to the step container of {image}"), e))?;
        self.docker()
            .start_container(id, None)
            .await
            .map_err(|e| failed(&format!("start the step container of {image}"), e))?;
        stream_lines(attached.output, sink, "the step container").await?;
        let waiter = self.docker().clone().with_timeout(STEP_WAIT_TIMEOUT);
        let options = WaitContainerOptions {
            condition: "not-running".into(),
        };
        let mut wait = waiter.wait_container(id, Some(options));
        match wait.next().await {
            Some(Ok(response)) => Ok(response.status_code),
            // bollard turns a non-zero exit into an error carrying the code.
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
            Some(Err(e)) => Err(failed(&format!("wait for the step container of {image}"), e)),
            None => Err(BackendError::Other(format!(
                "Docker did not say how the step container of {image} exited"
            ))),
        }
    }
}
