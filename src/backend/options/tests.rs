use super::*;
use crate::backend::{DeviceMapping, GpuRequest, Ulimit};

fn env(name: &str) -> Option<String> {
    (name == "HF_TOKEN").then(|| "secret".to_string())
}

fn parse(options: &str) -> Result<ContainerConfig, String> {
    let mut config = ContainerConfig::default();
    parse_options_with_env(options, &mut config, env)?;
    Ok(config)
}

fn error(options: &str) -> String {
    parse(options).unwrap_err()
}

#[test]
fn empty_options_change_nothing() {
    assert_eq!(parse(""), Ok(ContainerConfig::default()));
    assert_eq!(parse("  \n "), Ok(ContainerConfig::default()));
}

#[test]
fn gpus_in_every_form() {
    assert_eq!(parse("--gpus all").unwrap().gpus, Some(GpuRequest::All));
    assert_eq!(parse("--gpus=2").unwrap().gpus, Some(GpuRequest::Count(2)));
    let both = Some(GpuRequest::Devices(vec!["0".into(), "1".into()]));
    assert_eq!(parse(r#"--gpus '"device=0,1"'"#).unwrap().gpus, both);
    assert_eq!(parse(r#"--gpus "\"device=0,1\"""#).unwrap().gpus, both);
    assert_eq!(parse("--gpus device=0,1").unwrap().gpus, both);
    assert_eq!(parse(r#"--gpus='"device=0,1"'"#).unwrap().gpus, both);
    assert_eq!(parse("--gpus count=3").unwrap().gpus, Some(GpuRequest::Count(3)));
}

#[test]
fn sizes_cpus_and_ipc() {
    let config = parse("--shm-size 1g --memory=512m --cpus 1.5 --ipc host").unwrap();
    assert_eq!(config.shm_size, Some(1 << 30));
    assert_eq!(config.memory, Some(512 << 20));
    assert_eq!(config.nano_cpus, Some(1_500_000_000));
    assert_eq!(config.ipc.as_deref(), Some("host"));
    assert_eq!(parse("-m 2g").unwrap().memory, Some(2 << 30));
    assert_eq!(parse("-m2g").unwrap().memory, Some(2 << 30));
    assert_eq!(parse("--shm-size=1048576").unwrap().shm_size, Some(1_048_576));
    assert_eq!(
        parse("--ipc container:db").unwrap().ipc.as_deref(),
        Some("container:db")
    );
}

#[test]
fn ulimits_repeat_and_the_last_of_a_name_wins() {
    let config = parse("--ulimit memlock=-1 --ulimit stack=67108864 --ulimit nofile=1:2 --ulimit nofile=3").unwrap();
    assert_eq!(
        config.ulimits,
        [
            Ulimit {
                name: "memlock".into(),
                soft: -1,
                hard: -1
            },
            Ulimit {
                name: "stack".into(),
                soft: 67108864,
                hard: 67108864
            },
            Ulimit {
                name: "nofile".into(),
                soft: 3,
                hard: 3
            },
        ]
    );
}

#[test]
fn devices() {
    let config = parse("--device /dev/fuse --device=/dev/sda:/dev/xvda:r").unwrap();
    assert_eq!(
        config.devices,
        [
            DeviceMapping {
                host: "/dev/fuse".into(),
                container: "/dev/fuse".into(),
                permissions: "rwm".into()
            },
            DeviceMapping {
                host: "/dev/sda".into(),
                container: "/dev/xvda".into(),
                permissions: "r".into()
            },
        ]
    );
}

#[test]
fn env_values_and_passed_through_names() {
    let config = parse("-e A=1 --env B=x=y -e=C= -eD=4 --env=E=5 -e HF_TOKEN -e NOT_SET \"-e\" 'F=a b'").unwrap();
    let pairs: Vec<(&str, &str)> = config.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("A", "1"),
            ("B", "x=y"),
            ("C", ""),
            ("D", "4"),
            ("E", "5"),
            ("HF_TOKEN", "secret"),
            ("F", "a b")
        ]
    );
}

#[test]
fn options_add_to_what_container_keys_set() {
    let mut config = ContainerConfig {
        env: vec![("FROM_KEYS".into(), "1".into())],
        volumes: vec!["/data:/data".into()],
        ..ContainerConfig::default()
    };
    parse_options_with_env("-e A=1 -v /cache:/root/.cache:ro -p 8080:80", &mut config, env).unwrap();
    assert_eq!(
        config.env,
        [
            ("FROM_KEYS".to_string(), "1".to_string()),
            ("A".to_string(), "1".to_string())
        ]
    );
    assert_eq!(config.volumes, ["/data:/data", "/cache:/root/.cache:ro"]);
    assert_eq!(config.ports, ["8080:80"]);
}

#[test]
fn an_error_leaves_the_config_as_it_was() {
    let mut config = ContainerConfig::default();
    let result = parse_options_with_env("--cpus 2 --shm-size lots", &mut config, env);
    assert!(result.is_err());
    assert_eq!(config, ContainerConfig::default());
}

#[test]
fn user_network_workdir_hostname_privileged() {
    let config = parse("-u 1000:1000 --net host -w /work -h trainer --privileged").unwrap();
    assert_eq!(config.user.as_deref(), Some("1000:1000"));
    assert_eq!(config.network.as_deref(), Some("host"));
    assert_eq!(config.workdir.as_deref(), Some("/work"));
    assert_eq!(config.hostname.as_deref(), Some("trainer"));
    assert!(config.privileged);
    let config = parse("--user=root --network=bridge --workdir=/w --hostname=h --privileged=false").unwrap();
    assert_eq!(config.user.as_deref(), Some("root"));
    assert_eq!(config.network.as_deref(), Some("bridge"));
    assert_eq!(config.workdir.as_deref(), Some("/w"));
    assert_eq!(config.hostname.as_deref(), Some("h"));
    assert!(!config.privileged);
}

#[test]
fn rm_is_accepted_and_changes_nothing() {
    assert_eq!(parse("--rm"), Ok(ContainerConfig::default()));
}

#[test]
fn health_options_for_services() {
    let config = parse(
        "--health-cmd \"pg_isready -U postgres\" --health-interval 10s --health-timeout=5s \
         --health-start-period 1m --health-start-interval 500ms --health-retries 5",
    )
    .unwrap();
    assert_eq!(
        config.healthcheck,
        Some(Healthcheck {
            test: vec!["CMD-SHELL".into(), "pg_isready -U postgres".into()],
            interval: Some(10_000_000_000),
            timeout: Some(5_000_000_000),
            start_period: Some(60_000_000_000),
            start_interval: Some(500_000_000),
            retries: Some(5),
        })
    );
    assert_eq!(
        parse("--no-healthcheck").unwrap().healthcheck,
        Some(Healthcheck {
            test: vec!["NONE".into()],
            ..Healthcheck::default()
        })
    );
}

#[test]
fn unknown_options_list_what_is_supported() {
    let supported = "--gpus, --shm-size, --ipc, --ulimit, --cpus, --memory, --device, --env, --volume, --publish, \
                     --user, --network, --privileged, --workdir, --hostname, --health-cmd, --health-interval, \
                     --health-timeout, --health-start-period, --health-start-interval, --health-retries, \
                     --no-healthcheck, --rm";
    assert_eq!(
        error("--cpus 1 --cap-add SYS_PTRACE"),
        format!("unknown container option `--cap-add` (mlci supports: {supported})")
    );
    assert_eq!(
        error("--init"),
        format!("unknown container option `--init` (mlci supports: {supported})")
    );
    assert_eq!(
        error("-it"),
        format!("unknown container option `-i` (mlci supports: {supported})")
    );
    assert_eq!(
        error("--foo=bar"),
        format!("unknown container option `--foo` (mlci supports: {supported})")
    );
    assert_eq!(
        error("gpus all"),
        "unexpected `gpus` in container options: each option starts with `-` (like --shm-size 1g)"
    );
}

#[test]
fn bad_values_name_the_option_and_value() {
    let cases = [
        ("--shm-size", "container option `--shm-size` needs a value"),
        ("-e", "container option `-e` needs a value"),
        (
            "--shm-size lots",
            "`--shm-size` takes a size like 1g or 512m, not `lots`",
        ),
        ("--memory=-1", "`--memory` takes a size like 1g or 512m, not `-1`"),
        (
            "--cpus many",
            "`--cpus` takes a number of CPUs like 2 or 0.5, not `many`",
        ),
        (
            "--ipc shared",
            "`--ipc` takes host, private, shareable, none or container:NAME, not `shared`",
        ),
        (
            "--gpus none",
            "`--gpus` takes a count, `all` or `device=ID,...`, not `none`",
        ),
        ("--gpus 1 --gpus 2", "`--gpus` is given twice (the second is `2`)"),
        ("-e =1", "`--env` takes NAME=VALUE or NAME, not `1`"),
        ("-v ''", "container option `--volume` needs a value"),
        ("--user=", "container option `--user` needs a value"),
        ("-w work", "`--workdir` takes an absolute path, not `work`"),
        ("--privileged=yes", "`--privileged` takes true or false, not `yes`"),
        (
            "--health-interval 10",
            "`--health-interval` takes a duration like 10s or 1m30s, not `10`",
        ),
        (
            "--health-retries -1",
            "`--health-retries` takes a whole number like 5, not `-1`",
        ),
        (
            "--no-healthcheck --health-cmd true",
            "`--no-healthcheck` conflicts with the --health-* options",
        ),
        (
            "--ulimit nofile=9:1",
            "`--ulimit nofile=9:1`: the soft limit 9 is above the hard limit 1",
        ),
        ("-e 'A=1", "unclosed ' in container options `-e 'A=1`"),
    ];
    for (options, message) in cases {
        assert_eq!(error(options), message, "{options}");
    }
}

#[test]
fn the_real_environment_feeds_bare_env_names() {
    // PATH is set wherever tests run; `-e PATH` takes mlci's own value.
    let mut config = ContainerConfig::default();
    parse_options("-e PATH", &mut config).unwrap();
    assert_eq!(config.env, [("PATH".to_string(), std::env::var("PATH").unwrap())]);
}
