//! Service containers on the real Docker Engine.

use super::job_tests::{containers, networks};
use super::test_support::{docker_or_skip, job_spec, step, unique_run_id, Lines, RunCleanup};
use crate::backend::{Backend, ContainerConfig, ServiceSpec};
use crate::plan::labels::RUNNER_IMAGE;

/// Fetches http://web:8000/ from the job container, retrying while the
/// server starts; prints the status.
const FETCH: &str = "
import time, urllib.request
for _ in range(100):
    try:
        print(urllib.request.urlopen('http://web:8000/', timeout=2).status)
        break
    except OSError:
        time.sleep(0.1)
";

#[tokio::test]
async fn service_answers_by_its_id_and_is_in_the_context() {
    let Some(docker) = docker_or_skip().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let run_id = unique_run_id("services");
    let _cleanup = RunCleanup {
        docker: docker.clone(),
        run_id: run_id.clone(),
    };
    let mut spec = job_spec(&run_id, dir.path());
    spec.services = vec![
        ServiceSpec {
            id: "web".into(),
            image: RUNNER_IMAGE.into(),
            config: ContainerConfig {
                ports: vec!["8000".into()],
                env: vec![("PYTHONDONTWRITEBYTECODE".into(), "1".into())],
                ..ContainerConfig::default()
            },
            command: Some(vec!["-m".into(), "http.server".into(), "8000".into()]),
            entrypoint: Some("python3".into()),
        },
        // `image: ''`: not started.
        ServiceSpec {
            id: "off".into(),
            ..ServiceSpec::default()
        },
    ];
    let job = docker.start_job(&spec).await.expect("start the job");

    let mut lines = Lines::default();
    let code = job
        .exec(&step(&["python3", "-c", FETCH], &[]), &mut lines)
        .await
        .unwrap();
    assert_eq!((code, lines.0.clone()), (0, vec!["200".to_string()]));

    let services = job.services_context();
    assert_eq!(services.keys().collect::<Vec<_>>(), ["web"]);
    let web = &services["web"];
    let network = job.container_context()["network"].as_str().unwrap().to_string();
    assert!(network.starts_with(&format!("mlci-{run_id}-test-")), "{network}");
    assert_eq!(web["network"], network.as_str());
    let filter = format!("mlci.run={run_id}");
    let all = containers(&docker, &filter).await;
    assert_eq!(all.len(), 2);
    assert!(all.contains(&web["id"].as_str().unwrap().to_string()));
    let host_port: u16 = web["ports"]["8000"].as_str().unwrap().parse().unwrap();
    assert_eq!(web["ports"].as_object().unwrap().len(), 1);
    // The published port answers on this machine too.
    assert!(std::net::TcpStream::connect(("127.0.0.1", host_port)).is_ok());

    job.remove().await.unwrap();
    assert!(containers(&docker, &filter).await.is_empty());
    assert!(networks(&docker, &filter).await.is_empty());
}

#[tokio::test]
async fn failing_service_removes_what_was_started() {
    let Some(docker) = docker_or_skip().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let run_id = unique_run_id("service-fails");
    let _cleanup = RunCleanup {
        docker: docker.clone(),
        run_id: run_id.clone(),
    };
    let mut spec = job_spec(&run_id, dir.path());
    spec.services = vec![ServiceSpec {
        id: "broken".into(),
        image: RUNNER_IMAGE.into(),
        entrypoint: Some("/no/such/program".into()),
        ..ServiceSpec::default()
    }];
    let Err(err) = docker.start_job(&spec).await else {
        panic!("the job started")
    };
    let message = err.to_string();
    assert!(
        message.starts_with("failed to start service broken (mlci/runner:bookworm): "),
        "{message}"
    );
    let filter = format!("mlci.run={run_id}");
    assert!(containers(&docker, &filter).await.is_empty());
    assert!(networks(&docker, &filter).await.is_empty());
}

mod health {
    use super::super::services::{health_verdict, Health};
    use bollard::models::{
        ContainerInspectResponse, ContainerState, Health as DockerHealth, HealthStatusEnum, HealthcheckResult,
    };

    fn inspected(status: HealthStatusEnum, running: bool, last: Option<(i64, &str)>) -> ContainerInspectResponse {
        ContainerInspectResponse {
            state: Some(ContainerState {
                running: Some(running),
                exit_code: Some(if running { 0 } else { 3 }),
                health: Some(DockerHealth {
                    status: Some(status),
                    failing_streak: None,
                    log: last.map(|(code, output)| {
                        vec![HealthcheckResult {
                            exit_code: Some(code),
                            output: Some(output.to_string()),
                            ..HealthcheckResult::default()
                        }]
                    }),
                }),
                ..ContainerState::default()
            }),
            ..ContainerInspectResponse::default()
        }
    }

    #[test]
    fn no_health_check_or_a_passing_one_is_ready_and_starting_waits() {
        assert_eq!(
            health_verdict("db", &ContainerInspectResponse::default()),
            Health::Ready
        );
        assert_eq!(
            health_verdict("db", &inspected(HealthStatusEnum::HEALTHY, true, None)),
            Health::Ready
        );
        assert_eq!(
            health_verdict("db", &inspected(HealthStatusEnum::STARTING, true, None)),
            Health::Waiting
        );
    }

    #[test]
    fn an_unhealthy_or_stopped_service_fails_naming_it_and_its_last_check() {
        assert_eq!(
            health_verdict(
                "db",
                &inspected(HealthStatusEnum::UNHEALTHY, true, Some((1, "not ready\n")))
            ),
            Health::Failed(
                "service db is unhealthy: its health check kept failing; the last check exited with 1: not ready"
                    .into()
            )
        );
        assert_eq!(
            health_verdict("db", &inspected(HealthStatusEnum::STARTING, false, None)),
            Health::Failed("service db stopped (exit code 3) before its health check passed".into())
        );
    }
}
