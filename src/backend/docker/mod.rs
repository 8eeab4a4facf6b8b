//! The Docker backend: each job attempt gets a job container (idling on
//! `tail -f /dev/null`, as GitHub's runner does) with the workspace and temp
//! directories mounted at `/github/workspace` and `/github/runner_temp`; its
//! steps run in it with `docker exec`. Jobs with `services:` also get their
//! own network, where each service answers to its id. Everything created is
//! labelled with the run, job, mlci's pid and host, so that a run can be
//! removed as a whole and leftovers of a crashed mlci swept.

mod archive;
mod build;
mod cleanup;
mod config;
mod connect;
mod errors;
mod exec;
mod gpus;
mod image_step;
mod images;
mod job;
mod names;
mod network;
mod node_volume;
mod output;
mod ports;
mod services;
mod start;
mod steps;
mod stop;

#[cfg(test)]
mod archive_tests;
#[cfg(test)]
mod backend_tests;
#[cfg(test)]
mod job_tests;
#[cfg(test)]
mod services_tests;
#[cfg(test)]
pub mod test_support;

pub use config::{TEMP, WORKSPACE};
pub use connect::{AddressSource, DEFAULT_SOCKET};
pub use images::LocalImage;
pub use job::DockerJob;

use crate::backend::{Backend, BackendError, JobEnv, JobSpec};
use async_trait::async_trait;
use bollard::Docker;
use std::sync::Arc;

/// A connection to one Docker Engine. Cheap to clone.
#[derive(Clone)]
pub struct DockerBackend {
    docker: Docker,
    endpoint: Arc<str>,
    /// This machine's host name, for the `mlci.host` label.
    host: Arc<str>,
}

#[async_trait]
impl Backend for DockerBackend {
    fn name(&self) -> &'static str {
        "docker"
    }

    async fn start_job(&self, spec: &JobSpec) -> Result<Box<dyn JobEnv>, BackendError> {
        Ok(Box::new(DockerJob::start(self, spec).await?))
    }
}
