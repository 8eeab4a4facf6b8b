//! Helpers for the tests that run against the real Docker Engine: skip
//! (or fail under CI) when it does not answer, unique run ids, a guard that
//! removes a test's containers even when the test panics, a line collector.

use super::DockerBackend;
use crate::backend::{JobSpec, LineSink};
use crate::plan::labels::RUNNER_IMAGE;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

/// The engine, when it answers and has the runner image. Otherwise a test
/// fails under CI (`CI=true`) and is skipped elsewhere.
pub async fn docker_or_skip() -> Option<DockerBackend> {
    let problem = match DockerBackend::connect().await {
        Ok(docker) => match docker.has_image(RUNNER_IMAGE).await {
            Ok(true) => return Some(docker),
            Ok(false) => {
                format!("the Docker Engine has no {RUNNER_IMAGE}; build it with runner-images/build-debian.sh")
            }
            Err(e) => e.to_string(),
        },
        Err(e) => e.to_string(),
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{problem}");
    }
    eprintln!("skipped: {problem}");
    None
}

/// A run id no other test (or test process) uses: `test-<name>-<pid>-<n>`.
pub fn unique_run_id(name: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "test-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A job on the runner image with `workspace` and `temp` under `dir`.
pub fn job_spec(run_id: &str, dir: &Path) -> JobSpec {
    let workspace = dir.join("workspace");
    let temp = dir.join("temp");
    std::fs::create_dir_all(&workspace).expect("create the workspace");
    std::fs::create_dir_all(&temp).expect("create the temp directory");
    JobSpec {
        run_id: run_id.to_string(),
        job_id: "test".into(),
        leg_name: "test".into(),
        attempt: 1,
        image: RUNNER_IMAGE.into(),
        workspace,
        temp,
        ..JobSpec::default()
    }
}

/// Removes everything labelled with the run when dropped, panic or not.
pub struct RunCleanup {
    pub docker: DockerBackend,
    pub run_id: String,
}

impl Drop for RunCleanup {
    fn drop(&mut self) {
        let docker = self.docker.clone();
        let run_id = self.run_id.clone();
        // Drop cannot await, and the test's runtime may be shutting down: a
        // thread with its own runtime does the removal.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                let _ = runtime.block_on(docker.remove_run(&run_id));
            }
        })
        .join();
    }
}

/// Collects a step's output lines.
#[derive(Debug, Default)]
pub struct Lines(pub Vec<String>);

impl LineSink for Lines {
    fn line(&mut self, line: &str) {
        self.0.push(line.to_string());
    }
}

/// `argv` as an exec step in `/github/workspace` with `env`.
pub fn step(argv: &[&str], env: &[(&str, &str)]) -> crate::backend::ExecSpec {
    crate::backend::ExecSpec {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        working_directory: super::WORKSPACE.to_string(),
        records_pid: false,
    }
}
