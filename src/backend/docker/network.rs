//! The job network: created only for jobs with services (a network costs
//! time, and a job without services is fine on the default bridge).

use super::errors::failed;
use super::job::DockerJob;
use crate::backend::BackendError;
use bollard::models::NetworkCreateRequest;

impl DockerJob {
    /// Creates the bridge network `name`, labelled like the containers, and
    /// records it for removal.
    pub(super) async fn create_network(&mut self, name: &str) -> Result<(), BackendError> {
        let request = NetworkCreateRequest {
            name: name.to_string(),
            driver: Some("bridge".into()),
            labels: Some(self.labels_for("network")),
            ..NetworkCreateRequest::default()
        };
        self.docker()
            .create_network(request)
            .await
            .map_err(|e| failed(&format!("create the job network {name}"), e))?;
        self.network = Some(name.to_string());
        Ok(())
    }
}
