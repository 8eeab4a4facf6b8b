use super::*;
use crate::backend::options::parse_options;
use crate::backend::ServiceSpec;

fn job(options: &str, volumes: &[&str]) -> JobSpec {
    let mut container = ContainerConfig::default();
    parse_options(options, &mut container).unwrap();
    container.volumes.extend(volumes.iter().map(|v| v.to_string()));
    JobSpec {
        container,
        ..JobSpec::default()
    }
}

fn policy(allow: &[Allowance]) -> ContainerPolicy {
    ContainerPolicy {
        repository: "acme".into(),
        allow: allow.to_vec(),
        limits: ContainerLimits::default(),
    }
}

fn refused(spec: &JobSpec, allow: &[Allowance]) -> Vec<(String, Allowance)> {
    policy(allow)
        .check(spec)
        .into_iter()
        .map(|r| (r.option, r.needs))
        .collect()
}

#[test]
fn isolating_options_pass() {
    let spec = job(
        "--shm-size 2g --ipc private --network bridge --cpus 2 -v data:/data --ulimit nofile=1024",
        &["cache:/cache", "/anonymous"],
    );
    assert_eq!(refused(&spec, &[]), vec![]);
}

#[test]
fn each_way_out_is_refused_by_name() {
    let spec = job(
        "--privileged -v /etc:/host-etc --network host --ipc host --device /dev/sda",
        &["./here:/x", "~/.ssh:/ssh:ro"],
    );
    assert_eq!(
        refused(&spec, &[]),
        vec![
            ("--privileged".to_string(), Allowance::Privileged),
            ("-v /etc:/host-etc".to_string(), Allowance::HostVolumes),
            ("-v ./here:/x".to_string(), Allowance::HostVolumes),
            ("-v ~/.ssh:/ssh:ro".to_string(), Allowance::HostVolumes),
            ("--network host".to_string(), Allowance::HostNetwork),
            ("--ipc host".to_string(), Allowance::HostIpc),
            ("--device /dev/sda".to_string(), Allowance::Devices),
        ]
    );
    let all = Allowance::ALL;
    assert_eq!(refused(&spec, &all), vec![]);
    // Allowing one kind leaves the others refused.
    let left = refused(&spec, &[Allowance::HostVolumes]);
    assert_eq!(left.len(), 4);
    assert!(left.iter().all(|(_, needs)| *needs != Allowance::HostVolumes));
}

#[test]
fn another_containers_namespace_is_the_hosts_way_in() {
    let spec = job("--network container:abc --ipc container:abc", &[]);
    assert_eq!(
        refused(&spec, &[]),
        vec![
            ("--network container:abc".to_string(), Allowance::HostNetwork),
            ("--ipc container:abc".to_string(), Allowance::HostIpc),
        ]
    );
}

#[test]
fn services_are_checked_and_named() {
    let mut spec = job("", &[]);
    spec.services.push(ServiceSpec {
        id: "db".into(),
        config: job("--privileged", &[]).container,
        ..ServiceSpec::default()
    });
    let refusals = policy(&[]).check(&spec);
    assert_eq!(refusals.len(), 1);
    assert_eq!(
        refusals[0].to_string(),
        "service `db`: `--privileged` would give the job the host's devices and kernel capabilities, \
         which this runner refuses; to allow it, add `allow: [privileged]` to repository `acme` in runner.yml"
    );
}

#[test]
fn a_leased_gpus_device_nodes_are_allowed_and_no_other() {
    let mut spec = job(
        "--device /dev/nvidia1 --device /dev/nvidiactl --device /dev/nvidia-uvm --device /dev/nvidia2",
        &[],
    );
    spec.gpus = GpuAssignment::Devices(vec!["1".into()]);
    assert_eq!(
        refused(&spec, &[]),
        vec![("--device /dev/nvidia2".to_string(), Allowance::Devices)]
    );
    // Before the lease, any GPU's nodes pass for a job that asks for GPUs.
    spec.container.gpus = Some(crate::backend::GpuRequest::Count(1));
    assert_eq!(policy(&[]).check_before_lease(&spec), vec![]);
    spec.container.gpus = None;
    assert_eq!(policy(&[]).check_before_lease(&spec).len(), 4);
    // Without a GPU, not even the control node.
    spec.gpus = GpuAssignment::None;
    assert_eq!(refused(&spec, &[]).len(), 4);
}

#[test]
fn limits_apply_to_every_container_and_memory_only_goes_down() {
    let mut spec = job("--memory 1g", &[]);
    spec.services.push(ServiceSpec {
        id: "db".into(),
        config: job("--memory 64g", &[]).container,
        ..ServiceSpec::default()
    });
    spec.services.push(ServiceSpec {
        id: "cache".into(),
        ..ServiceSpec::default()
    });
    let mut policy = policy(&[]);
    policy.limits = ContainerLimits {
        pids: Some(4096),
        memory: Some(8 << 30),
    };
    policy.limit(&mut spec);
    assert_eq!(spec.container.pids_limit, Some(4096));
    assert_eq!(spec.container.memory, Some(1 << 30));
    assert_eq!(spec.services[0].config.memory, Some(8 << 30));
    assert_eq!(spec.services[1].config.memory, Some(8 << 30));
    assert_eq!(spec.services[1].config.pids_limit, Some(4096));
}

#[test]
fn allowances_read_back_from_their_keys() {
    for allowance in Allowance::ALL {
        assert_eq!(Allowance::from_key(allowance.key()), Some(allowance));
    }
    assert_eq!(Allowance::from_key("root"), None);
}
