//! The backend's own operations on the real Docker Engine: what the job
//! container is created with, images, and sweeping leftovers.

use super::job_tests::{containers, networks};
use super::names;
use super::test_support::{docker_or_skip, job_spec, unique_run_id, RunCleanup};
use crate::backend::{GpuAssignment, Ulimit};
use crate::plan::labels::RUNNER_IMAGE;
use bollard::models::{ContainerCreateBody, HostConfig, NetworkCreateRequest, ResourcesUlimits};
use bollard::query_parameters::{CreateContainerOptions, RemoveImageOptions};
use std::collections::HashMap;

/// The `HostConfig` Docker stored for the job container of `spec`.
async fn created_host_config(docker: &super::DockerBackend, spec: &crate::backend::JobSpec) -> HostConfig {
    let id = docker
        .create_job_container(spec)
        .await
        .expect("create the job container");
    let inspected = docker.docker.inspect_container(&id, None).await.unwrap();
    inspected.host_config.unwrap()
}

#[tokio::test]
async fn gpus_reach_the_container_as_device_requests() {
    let Some(docker) = docker_or_skip().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let run_id = unique_run_id("gpus");
    let _cleanup = RunCleanup {
        docker: docker.clone(),
        run_id: run_id.clone(),
    };
    let mut spec = job_spec(&run_id, dir.path());
    spec.gpus = GpuAssignment::Devices(vec!["1".into(), "3".into()]);
    let requests = created_host_config(&docker, &spec).await.device_requests.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].driver.as_deref(), Some("nvidia"));
    assert_eq!(requests[0].device_ids, Some(vec!["1".to_string(), "3".to_string()]));
    assert_eq!(requests[0].capabilities, Some(vec![vec!["gpu".to_string()]]));

    spec.gpus = GpuAssignment::Count(2);
    spec.attempt = 2;
    let requests = created_host_config(&docker, &spec).await.device_requests.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].driver.as_deref(), Some("nvidia"));
    assert_eq!(requests[0].count, Some(2));
    assert_eq!(requests[0].device_ids.as_deref().unwrap_or_default(), &[] as &[String]);
    assert_eq!(requests[0].capabilities, Some(vec![vec!["gpu".to_string()]]));
}

#[tokio::test]
async fn options_reach_the_host_config() {
    let Some(docker) = docker_or_skip().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let run_id = unique_run_id("options");
    let _cleanup = RunCleanup {
        docker: docker.clone(),
        run_id: run_id.clone(),
    };
    let mut spec = job_spec(&run_id, dir.path());
    spec.container.shm_size = Some(256 << 20);
    spec.container.nano_cpus = Some(500_000_000);
    spec.container.memory = Some(512 << 20);
    spec.container.ulimits = vec![Ulimit {
        name: "nofile".into(),
        soft: 1024,
        hard: 2048,
    }];
    spec.container.ipc = Some("private".into());
    let host = created_host_config(&docker, &spec).await;
    assert_eq!(host.shm_size, Some(256 << 20));
    assert_eq!(host.nano_cpus, Some(500_000_000));
    assert_eq!(host.memory, Some(512 << 20));
    assert_eq!(host.ipc_mode.as_deref(), Some("private"));
    assert_eq!(
        host.ulimits,
        Some(vec![ResourcesUlimits {
            name: Some("nofile".into()),
            soft: Some(1024),
            hard: Some(2048)
        }])
    );
    assert_eq!(host.device_requests.unwrap_or_default(), []);
}

#[tokio::test]
async fn tagged_images_are_listed_by_prefix() {
    let Some(docker) = docker_or_skip().await else { return };
    let repo = format!("mlci/test-list-{}", std::process::id());
    docker.tag_image(RUNNER_IMAGE, &format!("{repo}:one")).await.unwrap();
    let listed = docker.list_images(&repo).await;
    let _ = docker
        .docker
        .remove_image(&format!("{repo}:one"), None::<RemoveImageOptions>, None)
        .await;
    let listed = listed.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].tag, format!("{repo}:one"));
    assert!(listed[0].size > 0);
    assert!(docker
        .has_image(&format!("{repo}:one"))
        .await
        .is_ok_and(|present| !present));
}

/// A container and a network labelled as a job of `run_id` of mlci process `pid`.
async fn labelled_leftovers(docker: &super::DockerBackend, run_id: &str, pid: &str) {
    let labels = HashMap::from([
        (names::RUN_LABEL.to_string(), run_id.to_string()),
        (names::PID_LABEL.to_string(), pid.to_string()),
        (names::HOST_LABEL.to_string(), docker.host.to_string()),
    ]);
    let body = ContainerCreateBody {
        image: Some(RUNNER_IMAGE.into()),
        cmd: Some(vec!["true".into()]),
        labels: Some(labels.clone()),
        ..ContainerCreateBody::default()
    };
    docker
        .docker
        .create_container(None::<CreateContainerOptions>, body)
        .await
        .unwrap();
    let network = NetworkCreateRequest {
        name: format!("mlci-{run_id}"),
        labels: Some(labels),
        ..NetworkCreateRequest::default()
    };
    docker.docker.create_network(network).await.unwrap();
}

#[tokio::test]
async fn sweep_removes_only_what_dead_mlci_processes_left() {
    let Some(docker) = docker_or_skip().await else { return };
    let dead_run = unique_run_id("sweep-dead");
    let live_run = unique_run_id("sweep-live");
    let _cleanup = (
        RunCleanup {
            docker: docker.clone(),
            run_id: dead_run.clone(),
        },
        RunCleanup {
            docker: docker.clone(),
            run_id: live_run.clone(),
        },
    );
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id().to_string();
    child.wait().unwrap();
    labelled_leftovers(&docker, &dead_run, &dead_pid).await;
    labelled_leftovers(&docker, &live_run, &std::process::id().to_string()).await;

    let removed = docker.sweep_leftovers().await.unwrap();
    assert!(removed >= 2, "removed {removed}");
    let dead = format!("mlci.run={dead_run}");
    assert!(containers(&docker, &dead).await.is_empty());
    assert!(networks(&docker, &dead).await.is_empty());
    let live = format!("mlci.run={live_run}");
    assert_eq!(containers(&docker, &live).await.len(), 1);
    assert_eq!(networks(&docker, &live).await.len(), 1);

    assert_eq!(docker.remove_run(&live_run).await.unwrap(), 2);
    assert!(containers(&docker, &live).await.is_empty());
    assert_eq!(docker.remove_run(&live_run).await.unwrap(), 0);
}

#[tokio::test]
async fn endpoint_is_the_address_used() {
    let Some(docker) = docker_or_skip().await else { return };
    let expected = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| super::DEFAULT_SOCKET.to_string());
    assert_eq!(docker.endpoint(), expected);
}
