//! mlci's node for `container:` jobs whose image has none: a named volume
//! filled once from the runner image's `/__e`, mounted read-only at `/__e`
//! in the job container, as GitHub's runner mounts its own externals there.
//! The volume is named by the runner image's id, so a rebuilt runner image
//! fills a new one.

use super::cleanup::force_remove;
use super::errors::failed;
use super::DockerBackend;
use crate::actions::javascript::CONTAINER_NODE_ROOT;
use crate::backend::BackendError;
use crate::plan::labels::RUNNER_IMAGE;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{CreateContainerOptions, WaitContainerOptions};
use futures_util::StreamExt;
use tokio::sync::Mutex;

/// One filling at a time in this process: a second job waits for the
/// first instead of mounting a half-filled volume.
static FILLING: Mutex<()> = Mutex::const_new(());

impl DockerBackend {
    /// `VOLUME:/__e:ro`, the volume filled; None when there is no runner
    /// image to fill it from (a JavaScript action then says node is missing).
    pub(super) async fn node_mount(&self) -> Result<Option<String>, BackendError> {
        let Ok(image) = self.docker.inspect_image(RUNNER_IMAGE).await else {
            return Ok(None);
        };
        let id = image.id.unwrap_or_default();
        let short: String = id.trim_start_matches("sha256:").chars().take(12).collect();
        let volume = format!("mlci-node-{short}");
        let mount = format!("{volume}:{CONTAINER_NODE_ROOT}:ro");
        let _filling = FILLING.lock().await;
        if self.docker.inspect_volume(&volume).await.is_ok() {
            return Ok(Some(mount));
        }
        match self.fill_node_volume(&volume).await {
            Ok(()) => Ok(Some(mount)),
            Err(e) => {
                let _ = self
                    .docker
                    .remove_volume(&volume, None::<bollard::query_parameters::RemoveVolumeOptions>)
                    .await;
                Err(e)
            }
        }
    }

    async fn fill_node_volume(&self, volume: &str) -> Result<(), BackendError> {
        let body = ContainerCreateBody {
            image: Some(RUNNER_IMAGE.to_string()),
            entrypoint: Some(vec!["cp".into()]),
            cmd: Some(vec!["-a".into(), format!("{CONTAINER_NODE_ROOT}/."), "/into/".into()]),
            host_config: Some(HostConfig {
                binds: Some(vec![format!("{volume}:/into")]),
                network_mode: Some("none".into()),
                ..HostConfig::default()
            }),
            labels: Some([("mlci.node".to_string(), volume.to_string())].into()),
            ..ContainerCreateBody::default()
        };
        let what = "fill the volume of mlci's node";
        let created = self
            .docker
            .create_container(None::<CreateContainerOptions>, body)
            .await
            .map_err(|e| failed(what, e))?;
        let result = async {
            self.docker
                .start_container(&created.id, None)
                .await
                .map_err(|e| failed(what, e))?;
            let options = WaitContainerOptions {
                condition: "not-running".into(),
            };
            match self.docker.wait_container(&created.id, Some(options)).next().await {
                Some(Ok(response)) if response.status_code == 0 => Ok(()),
                Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. }))
                | Some(Ok(bollard::models::ContainerWaitResponse { status_code: code, .. })) => Err(
                    BackendError::Other(format!("copying mlci's node into {volume} exited with {code}")),
                ),
                Some(Err(e)) => Err(failed(what, e)),
                None => Err(BackendError::Other(format!(
                    "Docker did not say how filling {volume} ended"
                ))),
            }
        }
        .await;
        let _ = self.docker.remove_container(&created.id, Some(force_remove())).await;
        result
    }
}
