//! A job container on the real Docker Engine: steps, their output, exit
//! codes, environment, stopping, `docker://` steps and removal.

use super::test_support::{docker_or_skip, job_spec, step, unique_run_id, Lines, RunCleanup};
use super::DockerBackend;
use crate::backend::{Backend, BackendError, ImageStepSpec, JobEnv, StopSignal};
use crate::plan::labels::RUNNER_IMAGE;
use bollard::query_parameters::{ListContainersOptions, ListNetworksOptions};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Starts a job for `name`; the guard removes it whatever happens.
async fn started(name: &str, dir: &Path) -> Option<(Box<dyn JobEnv>, RunCleanup, DockerBackend)> {
    let docker = docker_or_skip().await?;
    let run_id = unique_run_id(name);
    let cleanup = RunCleanup {
        docker: docker.clone(),
        run_id: run_id.clone(),
    };
    let job = docker.start_job(&job_spec(&run_id, dir)).await.expect("start the job");
    Some((job, cleanup, docker))
}

/// Waits until the step's wrapper has written its pid: the step runs.
async fn step_running(temp: &Path) {
    let pids = temp.join(".mlci/pids");
    for _ in 0..500 {
        if std::fs::read_dir(&pids).is_ok_and(|mut d| d.next().is_some()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the step never started");
}

#[tokio::test]
async fn step_output_lines_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let Some((job, _cleanup, _)) = started("output", dir.path()).await else {
        return;
    };
    let mut lines = Lines::default();
    let code = job
        .exec(
            &step(
                &["sh", "-c", "echo out; echo err >&2; printf 'no newline'; exit 3"],
                &[],
            ),
            &mut lines,
        )
        .await
        .unwrap();
    assert_eq!(code, 3);
    let mut got = lines.0.clone();
    got.sort();
    assert_eq!(got, ["err", "no newline", "out"]);
}

#[tokio::test]
async fn step_env_working_dir_and_workspace_files() {
    let dir = tempfile::tempdir().unwrap();
    let Some((job, _cleanup, _)) = started("env", dir.path()).await else {
        return;
    };
    assert_eq!(job.workspace(), "/github/workspace");
    assert_eq!(job.temp(), "/github/runner_temp");
    std::fs::create_dir_all(dir.path().join("workspace/sub")).unwrap();
    let mut spec = step(
        &[
            "sh",
            "-c",
            "pwd; echo \"$GREETING\" > hello.txt; echo t > $RUNNER_TEMP/t.txt",
        ],
        &[],
    );
    spec.env = vec![
        ("GREETING".into(), "hi there".into()),
        ("RUNNER_TEMP".into(), "/github/runner_temp".into()),
    ];
    spec.working_directory = "/github/workspace/sub".into();
    let mut lines = Lines::default();
    assert_eq!(job.exec(&spec, &mut lines).await.unwrap(), 0);
    assert_eq!(lines.0, ["/github/workspace/sub"]);
    let written = std::fs::read_to_string(dir.path().join("workspace/sub/hello.txt")).unwrap();
    assert_eq!(written, "hi there\n");
    assert_eq!(std::fs::read_to_string(dir.path().join("temp/t.txt")).unwrap(), "t\n");
    // The step's pid file is gone with the step.
    assert_eq!(
        std::fs::read_dir(dir.path().join("temp/.mlci/pids")).unwrap().count(),
        0
    );
}

#[tokio::test]
async fn missing_command_is_exit_127_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let Some((job, _cleanup, _)) = started("missing-command", dir.path()).await else {
        return;
    };
    let mut lines = Lines::default();
    let code = job.exec(&step(&["no-such-program"], &[]), &mut lines).await.unwrap();
    assert_eq!(code, 127);
    assert_eq!(lines.0.len(), 1, "{:?}", lines.0);
    assert!(lines.0[0].contains("no-such-program: not found"), "{:?}", lines.0);
}

#[tokio::test]
async fn terminate_stops_a_sleeping_step_and_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let Some((job, _cleanup, _)) = started("terminate", dir.path()).await else {
        return;
    };
    let temp = dir.path().join("temp");
    let mut lines = Lines::default();
    // The shell waits for its child: both must get the signal.
    let spec = step(&["sh", "-c", "sleep 60; echo never"], &[]);
    let (code, ()) = tokio::join!(
        tokio::time::timeout(Duration::from_secs(10), job.exec(&spec, &mut lines)),
        async {
            step_running(&temp).await;
            job.stop_steps(StopSignal::Terminate).await;
        }
    );
    assert_eq!(code.expect("the step ended").unwrap(), 143);
    assert!(lines.0.is_empty(), "{:?}", lines.0);
    assert_eq!(processes(job.as_ref(), "sleep").await, 0);
}

#[tokio::test]
async fn kill_stops_a_step_that_ignores_terminate() {
    let dir = tempfile::tempdir().unwrap();
    let Some((job, _cleanup, _)) = started("kill", dir.path()).await else {
        return;
    };
    let temp = dir.path().join("temp");
    let mut lines = Lines::default();
    let spec = step(&["sh", "-c", "trap '' TERM; sleep 60; echo survived"], &[]);
    let process = job.exec(&spec, &mut lines);
    tokio::pin!(process);
    tokio::select! {
        _ = &mut process => panic!("the step ended before it was stopped"),
        () = step_running(&temp) => {}
    }
    job.stop_steps(StopSignal::Terminate).await;
    // TERM is ignored: the step is still running a while later.
    tokio::select! {
        _ = &mut process => panic!("the step ignored TERM yet ended"),
        () = tokio::time::sleep(Duration::from_millis(500)) => {}
    }
    job.stop_steps(StopSignal::Kill).await;
    let code = tokio::time::timeout(Duration::from_secs(10), process)
        .await
        .expect("the step ended");
    assert_eq!(code.unwrap(), 137);
    assert_eq!(processes(job.as_ref(), "sleep").await, 0);
}

/// How many processes named `name` run in the job container. Killed ones
/// whose shell died first stay as zombies (`tail`, PID 1, reaps nothing,
/// as with GitHub's runner): they do not count.
async fn processes(job: &dyn JobEnv, name: &str) -> usize {
    let mut lines = Lines::default();
    let code = job
        .exec(&step(&["ps", "-eo", "stat=,comm="], &[]), &mut lines)
        .await
        .unwrap();
    assert_eq!(code, 0);
    lines
        .0
        .iter()
        .filter_map(|l| l.trim().split_once(' '))
        .filter(|(stat, comm)| !stat.starts_with('Z') && comm.trim() == name)
        .count()
}

#[tokio::test]
async fn docker_step_writes_into_the_workspace_and_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let Some((job, cleanup, docker)) = started("image-step", dir.path()).await else {
        return;
    };
    let image = "mlci-test/docker-step:latest";
    docker.tag_image(RUNNER_IMAGE, image).await.unwrap();
    let spec = ImageStepSpec {
        image: image.into(),
        args: vec![
            "-c".into(),
            "echo from-step; pwd; echo $FOO > step.txt; echo oops >&2; exit 4".into(),
        ],
        entrypoint: Some("sh".into()),
        env: vec![("FOO".into(), "bar".into())],
        ..ImageStepSpec::default()
    };
    let mut lines = Lines::default();
    let code = job.run_image(&spec, &mut lines).await.unwrap();
    assert_eq!(code, 4);
    let mut got = lines.0.clone();
    got.sort();
    assert_eq!(got, ["/github/workspace", "from-step", "oops"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("workspace/step.txt")).unwrap(),
        "bar\n"
    );
    let steps = containers(&docker, &format!("mlci.run={}", cleanup.run_id)).await;
    assert_eq!(steps.len(), 1, "only the job container is left: {steps:?}");
}

#[tokio::test]
async fn terminate_stops_a_docker_step() {
    let dir = tempfile::tempdir().unwrap();
    let Some((job, _cleanup, docker)) = started("image-step-stop", dir.path()).await else {
        return;
    };
    let image = "mlci-test/docker-step:latest";
    docker.tag_image(RUNNER_IMAGE, image).await.unwrap();
    // PID 1 ignores signals it has no handler for: the step traps TERM.
    let spec = ImageStepSpec {
        image: image.into(),
        args: vec![
            "-c".into(),
            "trap 'exit 9' TERM; echo ready; while :; do sleep 0.1; done".into(),
        ],
        entrypoint: Some("sh".into()),
        env: vec![],
        ..ImageStepSpec::default()
    };
    struct Ready(Option<tokio::sync::oneshot::Sender<()>>);
    impl crate::backend::LineSink for Ready {
        fn line(&mut self, _: &str) {
            if let Some(ready) = self.0.take() {
                let _ = ready.send(());
            }
        }
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut sink = Ready(Some(tx));
    let (code, ()) = tokio::join!(
        tokio::time::timeout(Duration::from_secs(10), job.run_image(&spec, &mut sink)),
        async {
            rx.await.unwrap();
            job.stop_steps(StopSignal::Terminate).await;
        }
    );
    assert_eq!(code.expect("the step ended").unwrap(), 9);
}

#[tokio::test]
async fn remove_leaves_nothing_and_can_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let Some((job, cleanup, docker)) = started("remove", dir.path()).await else {
        return;
    };
    let filter = format!("mlci.run={}", cleanup.run_id);
    assert_eq!(containers(&docker, &filter).await.len(), 1);
    let context = job.container_context();
    assert_eq!(context["network"], "");
    assert_eq!(
        containers(&docker, &filter).await,
        [context["id"].as_str().unwrap().to_string()]
    );
    job.remove().await.unwrap();
    job.remove().await.unwrap();
    assert!(containers(&docker, &filter).await.is_empty());
    assert!(networks(&docker, &filter).await.is_empty());
}

#[tokio::test]
async fn missing_image_says_how_to_build_it() {
    let Some(docker) = docker_or_skip().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let run_id = unique_run_id("missing-image");
    let _cleanup = RunCleanup {
        docker: docker.clone(),
        run_id: run_id.clone(),
    };
    let mut spec = job_spec(&run_id, dir.path());
    spec.image = "mlci-test/no-such-image:1".into();
    let Err(err) = docker.start_job(&spec).await else {
        panic!("the job started")
    };
    let BackendError::ImageMissing(message) = err else {
        panic!("expected ImageMissing, got {err:?}")
    };
    assert!(
        message.starts_with("image mlci-test/no-such-image:1 is not on this machine, and pulling it failed: "),
        "{message}"
    );
    assert!(
        message.ends_with(
            ". Build mlci's runner images with `mlci images build`, or run the job on another local image with \
             `-P LABEL=IMAGE`."
        ),
        "{message}"
    );
}

/// Ids of the containers (running or not) with the label `filter`.
pub(super) async fn containers(docker: &DockerBackend, filter: &str) -> Vec<String> {
    let options = ListContainersOptions {
        all: true,
        filters: Some(HashMap::from([("label".to_string(), vec![filter.to_string()])])),
        ..ListContainersOptions::default()
    };
    let list = docker.docker.list_containers(Some(options)).await.unwrap();
    list.into_iter().filter_map(|c| c.id).collect()
}

/// Ids of the networks with the label `filter`.
pub(super) async fn networks(docker: &DockerBackend, filter: &str) -> Vec<String> {
    let filters = HashMap::from([("label".to_string(), vec![filter.to_string()])]);
    let options = ListNetworksOptions { filters: Some(filters) };
    let list = docker.docker.list_networks(Some(options)).await.unwrap();
    list.into_iter().filter_map(|n| n.id).collect()
}
