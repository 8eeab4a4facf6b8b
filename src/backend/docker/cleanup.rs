//! Removing what jobs created: one job at its end, a whole run on cancel,
//! and the leftovers of mlci processes that died without cleaning up.

use super::errors::{failed, is_not_found};
use super::job::DockerJob;
use super::names::{self, HOST_LABEL, PID_LABEL, RUN_LABEL};
use super::steps::RunningStep;
use super::DockerBackend;
use crate::backend::BackendError;
use bollard::query_parameters::{ListContainersOptions, ListNetworksOptions, RemoveContainerOptions};
use futures_util::future::join_all;
use std::collections::HashMap;

impl DockerJob {
    /// Force-removes the job container, the services and any `docker://`
    /// step container still there, then the network. Things already gone
    /// count as removed, so this can run any number of times.
    pub(super) async fn remove_all(&self) -> Result<(), BackendError> {
        let mut containers: Vec<String> = self.container.iter().cloned().collect();
        containers.extend(self.services.iter().map(|s| s.container.clone()));
        containers.extend(self.steps.snapshot().into_iter().filter_map(|(_, step)| match step {
            RunningStep::Container { id } => Some(id),
            RunningStep::Exec { .. } => None,
        }));
        let networks: Vec<String> = self.network.iter().cloned().collect();
        remove(&self.backend, &containers, &networks).await.map(|_| ())
    }
}

impl DockerBackend {
    /// Removes the containers and networks of mlci processes on this host
    /// that are no longer alive; returns how many things were removed.
    pub async fn sweep_leftovers(&self) -> Result<usize, BackendError> {
        let host = self.host.to_string();
        let orphaned = move |labels: &HashMap<String, String>| {
            labels.get(HOST_LABEL) == Some(&host) && !labels.get(PID_LABEL).is_some_and(|pid| names::process_alive(pid))
        };
        let (containers, networks) = self.labelled(RUN_LABEL, &orphaned).await?;
        remove(self, &containers, &networks).await
    }

    /// Removes every container and network of the run `run_id` (a safety
    /// net on cancel); returns how many things were removed.
    pub async fn remove_run(&self, run_id: &str) -> Result<usize, BackendError> {
        let (containers, networks) = self.labelled(&format!("{RUN_LABEL}={run_id}"), &|_| true).await?;
        remove(self, &containers, &networks).await
    }

    /// Containers (running or not) and networks matching the label filter
    /// and `keep`.
    async fn labelled(
        &self,
        filter: &str,
        keep: &(dyn Fn(&HashMap<String, String>) -> bool + Sync),
    ) -> Result<(Vec<String>, Vec<String>), BackendError> {
        let filters = HashMap::from([("label".to_string(), vec![filter.to_string()])]);
        let options = ListContainersOptions {
            all: true,
            filters: Some(filters.clone()),
            ..ListContainersOptions::default()
        };
        let containers = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(|e| failed("list mlci's containers", e))?;
        let networks = self
            .docker
            .list_networks(Some(ListNetworksOptions { filters: Some(filters) }))
            .await
            .map_err(|e| failed("list mlci's networks", e))?;
        let empty = HashMap::new();
        let containers = containers
            .into_iter()
            .filter(|c| keep(c.labels.as_ref().unwrap_or(&empty)))
            .filter_map(|c| c.id)
            .collect();
        let networks = networks
            .into_iter()
            .filter(|n| keep(n.labels.as_ref().unwrap_or(&empty)))
            .filter_map(|n| n.id)
            .collect();
        Ok((containers, networks))
    }
}

/// Force-removes the containers (all at once), then the networks (which
/// Docker refuses while a container is attached). Returns how many were
/// removed; errors are collected into one.
async fn remove(backend: &DockerBackend, containers: &[String], networks: &[String]) -> Result<usize, BackendError> {
    let removals = containers.iter().map(|id| async move {
        match backend.docker.remove_container(id, Some(force_remove())).await {
            Ok(()) => Ok(true),
            Err(e) if is_not_found(&e) || is_removal_in_progress(&e) => Ok(false),
            Err(e) => Err(failed(&format!("remove container {}", short(id)), e).to_string()),
        }
    });
    let mut results = join_all(removals).await;
    for network in networks {
        results.push(match backend.docker.remove_network(network).await {
            Ok(()) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(failed(&format!("remove network {}", short(network)), e).to_string()),
        });
    }
    let removed = results.iter().filter(|r| matches!(r, Ok(true))).count();
    let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    if errors.is_empty() {
        Ok(removed)
    } else {
        Err(BackendError::Other(errors.join("; ")))
    }
}

/// `docker rm --force --volumes`: anonymous volumes go with the container.
pub(super) fn force_remove() -> RemoveContainerOptions {
    RemoveContainerOptions {
        force: true,
        v: true,
        ..RemoveContainerOptions::default()
    }
}

/// Another `remove()` of the same job got there first.
fn is_removal_in_progress(error: &bollard::errors::Error) -> bool {
    matches!(error, bollard::errors::Error::DockerResponseServerError { status_code: 409, message }
        if message.contains("already in progress"))
}

/// The short form of an id, as `docker ps` shows it.
fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
