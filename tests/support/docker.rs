//! The real Docker Engine for the tests that run containers. When it does
//! not answer, a test fails under CI (`CI=true`) and is skipped elsewhere.

use std::process::Command;

pub const RUNNER_IMAGE: &str = "mlci/runner:bookworm";

/// Whether Docker and the runner image are there; panics under CI when not.
pub fn docker_ready() -> bool {
    let answers = Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", RUNNER_IMAGE])
        .output()
        .is_ok_and(|o| o.status.success());
    if answers {
        return true;
    }
    let message = format!(
        "the Docker Engine does not answer or has no {RUNNER_IMAGE} (build it with runner-images/build-debian.sh)"
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

/// Tags the runner image under the names act's fixtures use (nothing can be
/// pulled here). Returns false when the test must be skipped.
pub fn runner_images(names: &[&str]) -> bool {
    if !docker_ready() {
        return false;
    }
    for name in names {
        let status = Command::new("docker").args(["tag", RUNNER_IMAGE, name]).status();
        assert!(status.is_ok_and(|s| s.success()), "docker tag {RUNNER_IMAGE} {name}");
    }
    true
}
