//! Service containers: started (all at once) before the job container, on
//! the job network under their ids; a service with a health check is waited
//! for until it is healthy, as GitHub's runner does.

use super::config;
use super::errors::failed;
use super::job::{DockerJob, StartedService};
use super::names;
use super::ports;
use super::start::create;
use crate::backend::{BackendError, JobSpec, ServiceSpec};
use bollard::models::{ContainerInspectResponse, HealthStatusEnum};
use futures_util::future::join_all;
use std::time::Duration;

impl DockerJob {
    /// Starts every service with an image (`image: ''` means "not this
    /// time"). The ones created are recorded even when another fails.
    pub(super) async fn start_services(&mut self, spec: &JobSpec) -> Result<(), BackendError> {
        let services: Vec<&ServiceSpec> = spec.services.iter().filter(|s| !s.image.is_empty()).collect();
        let results = join_all(services.iter().map(|s| self.start_service(s))).await;
        let mut first_error = None;
        for result in results {
            match result {
                Ok(service) => self.services.push(service),
                Err((Some(service), e)) => {
                    self.services.push(service);
                    first_error.get_or_insert(e);
                }
                Err((None, e)) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Creates, starts and inspects one service. On failure, the service
    /// that was created (if any) comes back for removal.
    async fn start_service(
        &self,
        service: &ServiceSpec,
    ) -> Result<StartedService, (Option<StartedService>, BackendError)> {
        let body = config::service_container(service, &self.attachment, self.labels_for("service"))
            .map_err(|e| (None, in_service(&service.id, e)))?;
        let name = names::child_name(&self.base_name, &service.id);
        let id = create(self.docker(), &name, body).await.map_err(|e| (None, e))?;
        let mut started = StartedService {
            id: service.id.clone(),
            container: id.clone(),
            ports: Default::default(),
        };
        let what = format!("start service {} ({})", service.id, service.image);
        if let Err(e) = self.docker().start_container(&id, None).await {
            return Err((Some(started), failed(&what, e)));
        }
        match self.wait_until_healthy(&service.id, &id).await {
            Ok(inspected) => {
                let settings = inspected.network_settings.as_ref();
                started.ports = ports::published(settings.and_then(|s| s.ports.as_ref()));
                Ok(started)
            }
            Err(e) => Err((Some(started), e)),
        }
    }

    /// Inspects the service until its health check (if it has one, from
    /// the image or `--health-*`) leaves `starting`, as GitHub's runner does
    /// before the first step. Docker's own retries bound the wait: after
    /// `--health-retries` failures it reports `unhealthy`, which fails the job.
    async fn wait_until_healthy(&self, service: &str, id: &str) -> Result<ContainerInspectResponse, BackendError> {
        let mut pause = Duration::from_millis(100);
        loop {
            let inspected = self
                .docker()
                .inspect_container(id, None)
                .await
                .map_err(|e| failed(&format!("inspect service {service}"), e))?;
            match health_verdict(service, &inspected) {
                Health::Waiting => {}
                Health::Ready => return Ok(inspected),
                Health::Failed(message) => return Err(BackendError::Other(message)),
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }
}

/// What one inspection says about a service's readiness.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Health {
    /// No health check, or it passed.
    Ready,
    /// The check has not passed yet and may still.
    Waiting,
    /// The job cannot start: the message names the service and says why.
    Failed(String),
}

pub(super) fn health_verdict(service: &str, inspected: &ContainerInspectResponse) -> Health {
    let Some(state) = inspected.state.as_ref() else {
        return Health::Ready;
    };
    let Some(health) = state.health.as_ref() else {
        return Health::Ready;
    };
    let last_output = || {
        health
            .log
            .as_ref()
            .and_then(|log| log.last())
            .map(|r| {
                let output = r.output.as_deref().unwrap_or_default().trim();
                let code = r.exit_code.unwrap_or_default();
                if output.is_empty() {
                    format!("; the last check exited with {code}")
                } else {
                    format!("; the last check exited with {code}: {output}")
                }
            })
            .unwrap_or_default()
    };
    match health.status {
        Some(HealthStatusEnum::UNHEALTHY) => Health::Failed(format!(
            "service {service} is unhealthy: its health check kept failing{}",
            last_output()
        )),
        Some(HealthStatusEnum::STARTING) if state.running == Some(false) => Health::Failed(format!(
            "service {service} stopped (exit code {}) before its health check passed{}",
            state.exit_code.unwrap_or_default(),
            last_output()
        )),
        Some(HealthStatusEnum::STARTING) => Health::Waiting,
        _ => Health::Ready,
    }
}

fn in_service(id: &str, error: BackendError) -> BackendError {
    BackendError::Other(format!("service {id}: {error}"))
}
