use super::*;
use crate::backend::{DeviceMapping as Device, GpuAssignment, Ulimit};
use bollard::models::PortBinding;
use std::path::PathBuf;

fn labels() -> HashMap<String, String> {
    HashMap::from([("mlci.run".to_string(), "r".to_string())])
}

fn job() -> JobSpec {
    JobSpec {
        run_id: "r".into(),
        job_id: "test".into(),
        image: "mlci/runner:bookworm".into(),
        workspace: PathBuf::from("/w/ws"),
        temp: PathBuf::from("/w/tmp"),
        ..JobSpec::default()
    }
}

#[test]
fn job_container_idles_with_workspace_and_temp_mounted() {
    let body = job_container(&job(), &Attachment::default(), labels(), None).unwrap();
    assert_eq!(body.image.as_deref(), Some("mlci/runner:bookworm"));
    assert_eq!(body.entrypoint, Some(vec!["tail".to_string()]));
    assert_eq!(body.cmd, Some(vec!["-f".to_string(), "/dev/null".to_string()]));
    assert_eq!(body.working_dir.as_deref(), Some("/github/workspace"));
    assert_eq!(
        body.env,
        Some(vec!["GITHUB_ACTIONS=true".to_string(), "CI=true".to_string()])
    );
    assert_eq!(body.labels, Some(labels()));
    let host = body.host_config.unwrap();
    assert_eq!(
        host.binds,
        Some(vec![
            "/w/ws:/github/workspace".to_string(),
            "/w/tmp:/github/runner_temp".to_string()
        ])
    );
    assert_eq!(host.network_mode, None);
    assert_eq!(host.device_requests, None);
    assert_eq!(host.port_bindings, None);
    assert_eq!(body.networking_config, None);
}

#[test]
fn job_container_takes_env_volumes_ports_and_options() {
    let mut spec = job();
    spec.container = ContainerConfig {
        env: vec![("CI".into(), "no".into()), ("A".into(), "1".into())],
        volumes: vec!["/data:/data:ro".into(), "cache:/cache".into(), "/anon".into()],
        ports: vec!["8000".into(), "9090:90".into()],
        shm_size: Some(1 << 30),
        ipc: Some("host".into()),
        ulimits: vec![Ulimit {
            name: "memlock".into(),
            soft: -1,
            hard: -1,
        }],
        nano_cpus: Some(1_500_000_000),
        memory: Some(1 << 31),
        devices: vec![Device {
            host: "/dev/fuse".into(),
            container: "/dev/fuse".into(),
            permissions: "rwm".into(),
        }],
        user: Some("1000:1000".into()),
        privileged: true,
        workdir: Some("/src".into()),
        hostname: Some("box".into()),
        ..ContainerConfig::default()
    };
    let body = job_container(&spec, &Attachment::default(), labels(), None).unwrap();
    assert_eq!(
        body.env,
        Some(vec![
            "CI=no".to_string(),
            "A=1".to_string(),
            "GITHUB_ACTIONS=true".to_string()
        ])
    );
    assert_eq!(body.working_dir.as_deref(), Some("/src"));
    assert_eq!(body.user.as_deref(), Some("1000:1000"));
    assert_eq!(body.hostname.as_deref(), Some("box"));
    assert_eq!(body.volumes, Some(vec!["/anon".to_string()]));
    assert_eq!(
        body.exposed_ports,
        Some(vec!["8000/tcp".to_string(), "90/tcp".to_string()])
    );
    let host = body.host_config.unwrap();
    assert_eq!(
        host.binds.unwrap()[2..],
        ["/data:/data:ro".to_string(), "cache:/cache".to_string()]
    );
    let ports = host.port_bindings.unwrap();
    let binding = |port: &str| PortBinding {
        host_ip: Some(String::new()),
        host_port: Some(port.to_string()),
    };
    assert_eq!(ports["8000/tcp"], Some(vec![binding("")]));
    assert_eq!(ports["90/tcp"], Some(vec![binding("9090")]));
    assert_eq!(host.shm_size, Some(1 << 30));
    assert_eq!(host.ipc_mode.as_deref(), Some("host"));
    assert_eq!(
        host.ulimits,
        Some(vec![ResourcesUlimits {
            name: Some("memlock".into()),
            soft: Some(-1),
            hard: Some(-1)
        }])
    );
    assert_eq!(host.nano_cpus, Some(1_500_000_000));
    assert_eq!(host.memory, Some(1 << 31));
    assert_eq!(
        host.devices,
        Some(vec![DeviceMapping {
            path_on_host: Some("/dev/fuse".into()),
            path_in_container: Some("/dev/fuse".into()),
            cgroup_permissions: Some("rwm".into()),
        }])
    );
    assert_eq!(host.privileged, Some(true));
}

#[test]
fn job_container_gets_its_gpus_as_a_device_request() {
    let mut spec = job();
    spec.gpus = GpuAssignment::Devices(vec!["1".into(), "3".into()]);
    let body = job_container(&spec, &Attachment::default(), labels(), None).unwrap();
    let requests = body.host_config.unwrap().device_requests.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].driver.as_deref(), Some("nvidia"));
    assert_eq!(requests[0].device_ids, Some(vec!["1".to_string(), "3".to_string()]));
    assert_eq!(requests[0].capabilities, Some(vec![vec!["gpu".to_string()]]));
}

#[test]
fn bad_port_fails_the_job_container() {
    let mut spec = job();
    spec.container.ports = vec!["web".into()];
    let err = job_container(&spec, &Attachment::default(), labels(), None).unwrap_err();
    assert_eq!(
        err,
        BackendError::Other("invalid port `web`: the container port must be a number from 1 to 65535".into())
    );
}

#[test]
fn job_network_or_explicit_network() {
    let config = ContainerConfig::default();
    let on_job = Attachment::for_job(&config, Some("net1"));
    assert_eq!(
        on_job,
        Attachment {
            network_mode: Some("net1".into()),
            job_network: true
        }
    );
    let body = job_container(&job(), &on_job, labels(), None).unwrap();
    assert_eq!(body.host_config.unwrap().network_mode.as_deref(), Some("net1"));
    let endpoints = body.networking_config.unwrap().endpoints_config.unwrap();
    assert_eq!(endpoints["net1"].aliases, None);

    let host = ContainerConfig {
        network: Some("host".into()),
        ..ContainerConfig::default()
    };
    let explicit = Attachment::for_job(&host, Some("net1"));
    assert_eq!(explicit.network_mode.as_deref(), Some("host"));
    assert!(!explicit.job_network);
    assert_eq!(Attachment::for_job(&config, None), Attachment::default());
}

#[test]
fn service_is_reachable_by_its_id_with_its_command() {
    let service = ServiceSpec {
        id: "web".into(),
        image: "mlci/runner:bookworm".into(),
        config: ContainerConfig {
            env: vec![("PORT".into(), "8000".into())],
            ports: vec!["8000".into()],
            memory: Some(1 << 28),
            ..ContainerConfig::default()
        },
        command: Some(vec!["-m".into(), "http.server".into()]),
        entrypoint: Some("python3".into()),
    };
    let attachment = Attachment::for_job(&ContainerConfig::default(), Some("net1"));
    let body = service_container(&service, &attachment, labels()).unwrap();
    assert_eq!(body.entrypoint, Some(vec!["python3".to_string()]));
    assert_eq!(body.cmd, Some(vec!["-m".to_string(), "http.server".to_string()]));
    assert_eq!(
        body.env,
        Some(vec![
            "PORT=8000".to_string(),
            "GITHUB_ACTIONS=true".to_string(),
            "CI=true".to_string()
        ])
    );
    assert_eq!(body.exposed_ports, Some(vec!["8000/tcp".to_string()]));
    assert_eq!(body.working_dir, None);
    let host = body.host_config.unwrap();
    assert_eq!(host.network_mode.as_deref(), Some("net1"));
    assert_eq!(host.memory, Some(1 << 28));
    assert_eq!(host.binds, None);
    let endpoints = body.networking_config.unwrap().endpoints_config.unwrap();
    assert_eq!(endpoints["net1"].aliases, Some(vec!["web".to_string()]));
}

#[test]
fn health_options_reach_docker_and_what_they_leave_out_stays_the_images() {
    let mut config = ContainerConfig::default();
    crate::backend::options::parse_options(
        "--health-cmd 'test -f /tmp/ready' --health-interval 1s --health-retries 7 --health-start-period 500ms",
        &mut config,
    )
    .unwrap();
    let service = ServiceSpec {
        id: "db".into(),
        image: "mlci/runner:bookworm".into(),
        config,
        command: None,
        entrypoint: None,
    };
    let body = service_container(&service, &Attachment::default(), labels()).unwrap();
    assert_eq!(
        body.healthcheck,
        Some(HealthConfig {
            test: Some(vec!["CMD-SHELL".to_string(), "test -f /tmp/ready".to_string()]),
            interval: Some(1_000_000_000),
            timeout: None,
            retries: Some(7),
            start_period: Some(500_000_000),
            start_interval: None,
        })
    );

    let mut config = ContainerConfig::default();
    crate::backend::options::parse_options("--no-healthcheck", &mut config).unwrap();
    let spec = JobSpec {
        container: config,
        ..job()
    };
    let body = job_container(&spec, &Attachment::default(), labels(), None).unwrap();
    assert_eq!(body.healthcheck.and_then(|h| h.test), Some(vec!["NONE".to_string()]));
    assert_eq!(
        job_container(&job(), &Attachment::default(), labels(), None)
            .unwrap()
            .healthcheck,
        None
    );
}

#[test]
fn image_step_shares_mounts_and_network() {
    let step = ImageStepSpec {
        image: "alpine:latest".into(),
        args: vec!["-c".into(), "echo hi".into()],
        entrypoint: Some("sh".into()),
        env: vec![("A".into(), "1".into())],
        gpus: GpuAssignment::Devices(vec!["1".into()]),
        memory: Some(256 << 20),
        pids_limit: Some(321),
    };
    let binds = job_mounts(Path::new("/w/ws"), Path::new("/w/tmp")).unwrap();
    let attachment = Attachment::for_job(&ContainerConfig::default(), Some("net1"));
    let body = image_step_container(&step, &binds, &attachment, labels());
    assert_eq!(body.image.as_deref(), Some("alpine:latest"));
    assert_eq!(body.entrypoint, Some(vec!["sh".to_string()]));
    assert_eq!(body.cmd, Some(vec!["-c".to_string(), "echo hi".to_string()]));
    assert_eq!(body.env, Some(vec!["A=1".to_string()]));
    assert_eq!(body.working_dir.as_deref(), Some("/github/workspace"));
    let host = body.host_config.unwrap();
    assert_eq!(host.binds, Some(binds));
    assert_eq!(host.network_mode.as_deref(), Some("net1"));
    // The job's GPUs and limits reach its step containers too.
    let devices = host.device_requests.unwrap();
    assert_eq!(devices[0].device_ids, Some(vec!["1".to_string()]));
    assert_eq!((host.memory, host.pids_limit), (Some(256 << 20), Some(321)));

    let no_args = ImageStepSpec {
        image: "alpine:latest".into(),
        ..ImageStepSpec::default()
    };
    let body = image_step_container(&no_args, &[], &Attachment::default(), labels());
    assert_eq!(body.cmd, None);
    assert_eq!(body.entrypoint, None);
}
