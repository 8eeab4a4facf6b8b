//! What the daemon lets a job's containers do. A job on a self-hosted
//! runner may come from anyone who can push, so the daemon refuses the
//! container options that open the host to it (`--privileged`, host
//! folders, the host's network, IPC or devices) unless `runner.yml` allows
//! them for the repository, and it caps every container's processes and
//! memory. `mlci run` has no policy: it runs on the user's own machine.

use crate::backend::{ContainerConfig, GpuAssignment, JobSpec};
use std::fmt;

/// One way out of the container that `runner.yml` may allow per repository
/// (`allow: [privileged, host-volumes, …]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowance {
    Privileged,
    HostVolumes,
    HostNetwork,
    HostIpc,
    Devices,
}

impl Allowance {
    pub const ALL: [Allowance; 5] = [
        Allowance::Privileged,
        Allowance::HostVolumes,
        Allowance::HostNetwork,
        Allowance::HostIpc,
        Allowance::Devices,
    ];

    /// The word in `allow:`.
    pub fn key(self) -> &'static str {
        match self {
            Allowance::Privileged => "privileged",
            Allowance::HostVolumes => "host-volumes",
            Allowance::HostNetwork => "host-network",
            Allowance::HostIpc => "host-ipc",
            Allowance::Devices => "devices",
        }
    }

    pub fn from_key(key: &str) -> Option<Allowance> {
        Allowance::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// Per-container limits: `limits:` in runner.yml.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContainerLimits {
    /// Docker's `PidsLimit`: a fork bomb stops here.
    pub pids: Option<i64>,
    /// Docker's `Memory`, in bytes: the most a container may hold; a job's
    /// own `--memory` may only lower it.
    pub memory: Option<i64>,
}

/// The daemon's rules for one repository's jobs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerPolicy {
    /// The repository's name in runner.yml, for the refusal's advice.
    pub repository: String,
    pub allow: Vec<Allowance>,
    pub limits: ContainerLimits,
}

/// A container option the policy refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// `the job container` or `service \`db\``.
    pub container: String,
    /// The option as the workflow gave it: `--privileged`, `-v /etc:/x`, …
    pub option: String,
    pub needs: Allowance,
    pub repository: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: `{}` would give the job the host's {}, which this runner refuses; \
             to allow it, add `allow: [{}]` to repository `{}` in runner.yml",
            self.container,
            self.option,
            what_it_opens(self.needs),
            self.needs.key(),
            self.repository
        )
    }
}

fn what_it_opens(allowance: Allowance) -> &'static str {
    match allowance {
        Allowance::Privileged => "devices and kernel capabilities",
        Allowance::HostVolumes => "files",
        Allowance::HostNetwork => "network",
        Allowance::HostIpc => "shared memory",
        Allowance::Devices => "device",
    }
}

impl ContainerPolicy {
    /// Every option of the job container and its services that the policy
    /// refuses, all at once.
    pub fn check(&self, spec: &JobSpec) -> Vec<Refusal> {
        self.check_with_gpus(spec, &spec.gpus)
    }

    /// [`check`](Self::check) before the job's GPUs are leased, so that a
    /// refused job fails without waiting for GPUs or a slot: the device
    /// nodes of any GPU pass if the job asks for GPUs, and `check` judges
    /// them again once the lease says which.
    pub fn check_before_lease(&self, spec: &JobSpec) -> Vec<Refusal> {
        let gpus = match spec.container.gpus {
            Some(_) => GpuAssignment::Count(-1),
            None => GpuAssignment::None,
        };
        self.check_with_gpus(spec, &gpus)
    }

    fn check_with_gpus(&self, spec: &JobSpec, gpus: &GpuAssignment) -> Vec<Refusal> {
        let mut found = Vec::new();
        breaches(&spec.container, gpus, "the job container", &mut found);
        for service in &spec.services {
            let name = format!("service `{}`", service.id);
            breaches(&service.config, &GpuAssignment::None, &name, &mut found);
        }
        found
            .into_iter()
            .filter(|(needs, _, _)| !self.allow.contains(needs))
            .map(|(needs, container, option)| Refusal {
                container,
                option,
                needs,
                repository: self.repository.clone(),
            })
            .collect()
    }

    /// Applies the limits to the job container and every service.
    pub fn limit(&self, spec: &mut JobSpec) {
        let configs = std::iter::once(&mut spec.container).chain(spec.services.iter_mut().map(|s| &mut s.config));
        for config in configs {
            if self.limits.pids.is_some() {
                config.pids_limit = self.limits.pids;
            }
            if let Some(most) = self.limits.memory {
                config.memory = Some(config.memory.map_or(most, |asked| asked.min(most)));
            }
        }
    }
}

/// (allowance needed, container, option) for each way out of `config`.
fn breaches(
    config: &ContainerConfig,
    gpus: &GpuAssignment,
    container: &str,
    found: &mut Vec<(Allowance, String, String)>,
) {
    let mut add = |needs, option: String| found.push((needs, container.to_string(), option));
    if config.privileged {
        add(Allowance::Privileged, "--privileged".into());
    }
    for volume in &config.volumes {
        if let Some((source, _)) = volume.split_once(':') {
            if !is_volume_name(source) {
                add(Allowance::HostVolumes, format!("-v {volume}"));
            }
        }
    }
    if let Some(network) = config.network.as_deref().filter(|n| shares_a_namespace(n)) {
        add(Allowance::HostNetwork, format!("--network {network}"));
    }
    if let Some(ipc) = config.ipc.as_deref().filter(|n| shares_a_namespace(n)) {
        add(Allowance::HostIpc, format!("--ipc {ipc}"));
    }
    for device in &config.devices {
        if !is_leased_gpu(&device.host, gpus) {
            add(Allowance::Devices, format!("--device {}", device.host));
        }
    }
}

/// `host`, or `container:<id>` (another container's, which may be the
/// host's in turn).
fn shares_a_namespace(mode: &str) -> bool {
    mode == "host" || mode.starts_with("container:")
}

/// Docker reads a `SOURCE:` that is a valid volume name as a named volume
/// (Docker's own storage, fine) and anything else as a host path.
fn is_volume_name(source: &str) -> bool {
    let mut chars = source.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// NVIDIA device nodes the job's GPUs need: `/dev/nvidiaN` of a leased
/// index, and the shared control nodes, when it has GPUs at all.
fn is_leased_gpu(host: &str, gpus: &GpuAssignment) -> bool {
    const CONTROL: &[&str] = &[
        "/dev/nvidiactl",
        "/dev/nvidia-uvm",
        "/dev/nvidia-uvm-tools",
        "/dev/nvidia-modeset",
    ];
    match gpus {
        GpuAssignment::None => false,
        _ if CONTROL.contains(&host) => true,
        // No inventory: nothing is leased, so no GPU is anyone else's.
        GpuAssignment::Count(_) => host.strip_prefix("/dev/nvidia").is_some_and(is_index),
        GpuAssignment::Devices(ids) => host
            .strip_prefix("/dev/nvidia")
            .is_some_and(|index| is_index(index) && ids.iter().any(|id| id == index)),
    }
}

fn is_index(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
