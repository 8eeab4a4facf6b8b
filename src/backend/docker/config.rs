//! The create-container requests of a job: its job container, its services
//! and its `docker://` steps. Pure functions of the spec, so that what mlci
//! asks Docker for can be tested without Docker.

use super::gpus::device_requests;
use super::ports;
use crate::backend::{BackendError, ContainerConfig, GpuAssignment, Healthcheck, ImageStepSpec, JobSpec, ServiceSpec};
use bollard::models::{
    ContainerCreateBody, DeviceMapping, EndpointSettings, HealthConfig, HostConfig, NetworkingConfig, ResourcesUlimits,
};
use std::collections::HashMap;
use std::path::Path;

/// `GITHUB_WORKSPACE` inside containers.
pub const WORKSPACE: &str = "/github/workspace";
/// `RUNNER_TEMP` inside containers.
pub const TEMP: &str = "/github/runner_temp";

/// Where a job's containers attach: the job network when the job has
/// services, the `--network` of its options, or Docker's default bridge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Attachment {
    /// `HostConfig.NetworkMode`; `None` is the default bridge.
    pub network_mode: Option<String>,
    /// Whether `network_mode` is the job's own network, where services get
    /// their id as a host name.
    pub job_network: bool,
}

impl Attachment {
    /// The job container's attachment: an explicit `--network` wins (GitHub
    /// forbids it with services, Docker then decides), else the job network.
    pub fn for_job(config: &ContainerConfig, job_network: Option<&str>) -> Attachment {
        match (&config.network, job_network) {
            (Some(mode), _) => Attachment {
                network_mode: Some(mode.clone()),
                job_network: Some(mode.as_str()) == job_network,
            },
            (None, Some(network)) => Attachment {
                network_mode: Some(network.to_string()),
                job_network: true,
            },
            (None, None) => Attachment::default(),
        }
    }
}

/// The job container: it idles on `tail -f /dev/null` (as GitHub's runner
/// does) while steps run in it with `docker exec`. `node` mounts mlci's
/// node (`VOLUME:/__e:ro`) into a `container:` job's image.
pub(super) fn job_container(
    spec: &JobSpec,
    attachment: &Attachment,
    labels: HashMap<String, String>,
    node: Option<&str>,
) -> Result<ContainerCreateBody, BackendError> {
    let config = &spec.container;
    let mut binds = job_mounts(&spec.workspace, &spec.temp)?;
    binds.extend(node.map(str::to_string));
    let anonymous = split_volumes(&config.volumes, &mut binds);
    let (exposed, port_bindings) = ports::publish(&config.ports)?;
    let mut host = host_config(config, &spec.gpus);
    host.binds = Some(binds);
    host.port_bindings = Some(port_bindings).filter(|p| !p.is_empty());
    host.network_mode = attachment.network_mode.clone();
    Ok(ContainerCreateBody {
        image: Some(spec.image.clone()),
        entrypoint: Some(vec!["tail".into()]),
        cmd: Some(vec!["-f".into(), "/dev/null".into()]),
        env: Some(container_env(&config.env)),
        working_dir: Some(config.workdir.clone().unwrap_or_else(|| WORKSPACE.to_string())),
        user: config.user.clone(),
        hostname: config.hostname.clone(),
        volumes: Some(anonymous).filter(|v| !v.is_empty()),
        exposed_ports: Some(exposed).filter(|p| !p.is_empty()),
        healthcheck: config.healthcheck.as_ref().map(health_config),
        labels: Some(labels),
        host_config: Some(host),
        networking_config: endpoint(attachment, None),
        ..ContainerCreateBody::default()
    })
}

/// A service container on the job network, reachable by its id.
pub(super) fn service_container(
    service: &ServiceSpec,
    attachment: &Attachment,
    labels: HashMap<String, String>,
) -> Result<ContainerCreateBody, BackendError> {
    let config = &service.config;
    let mut binds = Vec::new();
    let anonymous = split_volumes(&config.volumes, &mut binds);
    let (exposed, port_bindings) = ports::publish(&config.ports)?;
    let mut host = host_config(config, &GpuAssignment::None);
    host.binds = Some(binds).filter(|b| !b.is_empty());
    host.port_bindings = Some(port_bindings).filter(|p| !p.is_empty());
    host.network_mode = config.network.clone().or_else(|| attachment.network_mode.clone());
    Ok(ContainerCreateBody {
        image: Some(service.image.clone()),
        entrypoint: service.entrypoint.clone().map(|e| vec![e]),
        cmd: service.command.clone(),
        env: Some(container_env(&config.env)),
        working_dir: config.workdir.clone(),
        user: config.user.clone(),
        hostname: config.hostname.clone(),
        volumes: Some(anonymous).filter(|v| !v.is_empty()),
        exposed_ports: Some(exposed).filter(|p| !p.is_empty()),
        healthcheck: config.healthcheck.as_ref().map(health_config),
        labels: Some(labels),
        host_config: Some(host),
        networking_config: endpoint(attachment, Some(&service.id)),
        ..ContainerCreateBody::default()
    })
}

/// A `docker://` step: a sibling of the job container with the same
/// workspace and temp directories, on the same network.
pub(super) fn image_step_container(
    step: &ImageStepSpec,
    binds: &[String],
    attachment: &Attachment,
    labels: HashMap<String, String>,
) -> ContainerCreateBody {
    let env = step.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    ContainerCreateBody {
        image: Some(step.image.clone()),
        entrypoint: step.entrypoint.clone().map(|e| vec![e]),
        cmd: Some(step.args.clone()).filter(|a| !a.is_empty()),
        env: Some(env),
        working_dir: Some(WORKSPACE.to_string()),
        labels: Some(labels),
        host_config: Some(HostConfig {
            binds: Some(binds.to_vec()),
            network_mode: attachment.network_mode.clone(),
            // A Docker action trains on the job's GPUs like its other steps,
            // under the same limits.
            device_requests: device_requests(&step.gpus),
            memory: step.memory,
            pids_limit: step.pids_limit,
            ..HostConfig::default()
        }),
        networking_config: endpoint(attachment, None),
        ..ContainerCreateBody::default()
    }
}

/// The workspace and temp directories as binds.
pub(super) fn job_mounts(workspace: &Path, temp: &Path) -> Result<Vec<String>, BackendError> {
    let path = |p: &Path, what: &str| {
        p.to_str().map(str::to_string).ok_or_else(|| {
            BackendError::Other(format!(
                "the {what} directory {} is not valid UTF-8; Docker cannot mount it",
                p.display()
            ))
        })
    };
    Ok(vec![
        format!("{}:{WORKSPACE}", path(workspace, "workspace")?),
        format!("{}:{TEMP}", path(temp, "temp")?),
    ])
}

/// `SOURCE:TARGET[:MODE]` volumes are binds (a host path or a named
/// volume); a lone `TARGET` is an anonymous volume, which Docker takes in
/// `Config.Volumes` instead. Returns the anonymous ones.
fn split_volumes(volumes: &[String], binds: &mut Vec<String>) -> Vec<String> {
    let mut anonymous = Vec::new();
    for volume in volumes {
        if volume.contains(':') {
            binds.push(volume.clone());
        } else {
            anonymous.push(volume.clone());
        }
    }
    anonymous
}

/// `container.env` plus what GitHub's runner adds to every container it
/// starts: `GITHUB_ACTIONS=true`, and `CI=true` unless `env` sets `CI`.
fn container_env(env: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if !env.iter().any(|(k, _)| k == "GITHUB_ACTIONS") {
        out.push("GITHUB_ACTIONS=true".into());
    }
    if !env.iter().any(|(k, _)| k == "CI") {
        out.push("CI=true".into());
    }
    out
}

/// The `HostConfig` fields that `container.options` can set, and the GPUs.
fn host_config(config: &ContainerConfig, gpus: &GpuAssignment) -> HostConfig {
    let ulimits = config
        .ulimits
        .iter()
        .map(|u| ResourcesUlimits {
            name: Some(u.name.clone()),
            soft: Some(u.soft),
            hard: Some(u.hard),
        })
        .collect::<Vec<_>>();
    let devices = config
        .devices
        .iter()
        .map(|d| DeviceMapping {
            path_on_host: Some(d.host.clone()),
            path_in_container: Some(d.container.clone()),
            cgroup_permissions: Some(d.permissions.clone()),
        })
        .collect::<Vec<_>>();
    HostConfig {
        shm_size: config.shm_size,
        ipc_mode: config.ipc.clone(),
        ulimits: Some(ulimits).filter(|u| !u.is_empty()),
        nano_cpus: config.nano_cpus,
        memory: config.memory,
        pids_limit: config.pids_limit,
        devices: Some(devices).filter(|d| !d.is_empty()),
        privileged: config.privileged.then_some(true),
        device_requests: device_requests(gpus),
        ..HostConfig::default()
    }
}

/// `--health-*` as Docker's API takes them. What the options leave out
/// stays `None`, so the image's own `HEALTHCHECK` supplies it, as with
/// `docker run`.
fn health_config(check: &Healthcheck) -> HealthConfig {
    HealthConfig {
        test: Some(check.test.clone()).filter(|t| !t.is_empty()),
        interval: check.interval,
        timeout: check.timeout,
        retries: check.retries,
        start_period: check.start_period,
        start_interval: check.start_interval,
    }
}

/// On the job network, the endpoint with the service's id as its alias.
fn endpoint(attachment: &Attachment, alias: Option<&str>) -> Option<NetworkingConfig> {
    let network = attachment.network_mode.as_ref().filter(|_| attachment.job_network)?;
    let settings = EndpointSettings {
        aliases: alias.map(|a| vec![a.to_string()]),
        ..EndpointSettings::default()
    };
    Some(NetworkingConfig {
        endpoints_config: Some(HashMap::from([(network.clone(), settings)])),
    })
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
