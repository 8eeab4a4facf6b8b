//! The container's own files through the archive API, on the real Docker
//! Engine: a folder copied out with its link kept as a link, copied back
//! into folders the container lacks, and nothing of the host's involved.

use super::test_support::{docker_or_skip, job_spec, step, unique_run_id, Lines, RunCleanup};
use crate::backend::{Backend, JobEnv};
use std::fs;
use std::path::Path;

async fn run(job: &dyn JobEnv, script: &str) -> Vec<String> {
    let mut lines = Lines::default();
    let code = job.exec(&step(&["sh", "-c", script], &[]), &mut lines).await.unwrap();
    assert_eq!(code, 0, "{script}: {:?}", lines.0);
    lines.0
}

#[tokio::test]
async fn the_containers_files_go_out_and_back_in_with_links_as_links() {
    let dir = tempfile::tempdir().unwrap();
    let Some(docker) = docker_or_skip().await else {
        return;
    };
    let run_id = unique_run_id("archive");
    let _cleanup = RunCleanup {
        docker: docker.clone(),
        run_id: run_id.clone(),
    };
    let job = docker.start_job(&job_spec(&run_id, dir.path())).await.unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, "host\n").unwrap();
    run(
        job.as_ref(),
        &format!(
            "mkdir -p /opt/data/sub && echo container > /opt/data/sub/f && chmod 500 /opt/data/sub \
             && ln -s {} /opt/data/link",
            victim.display()
        ),
    )
    .await;
    assert_eq!(job.home().await.unwrap(), "/root");

    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    assert!(job.copy_out("/opt/data", &out).await.unwrap());
    assert_eq!(fs::read_to_string(out.join("data/sub/f")).unwrap(), "container\n");
    assert_eq!(fs::read_link(out.join("data/link")).unwrap(), victim, "kept as a link");
    assert!(!job.copy_out("/opt/missing", &out).await.unwrap());

    job.copy_in(&out, "/new/deeper").await.unwrap();
    let listed = run(
        job.as_ref(),
        "cat /new/deeper/data/sub/f; readlink /new/deeper/data/link",
    )
    .await;
    assert_eq!(listed, ["container".to_string(), victim.display().to_string()]);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "host\n");
    assert!(
        !Path::new("/new/deeper").exists(),
        "written in the container, not on the host"
    );
    job.remove().await.unwrap();
}
