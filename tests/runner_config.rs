//! `mlci runner check --config runner.yml` through the real binary: every
//! mistake in the file at once, a good file with real git repositories
//! (one local, one mirrored from a file:// URL), and Docker not answering.

use crate::support::daemon::free_port;
use crate::support::docker::{docker_ready, RUNNER_IMAGE};
use crate::support::Test;
use git2::{Oid, Repository, Signature};
use std::path::Path;
use std::process::Command;

/// A bare repository at `path` whose `branch` has one commit.
fn repository(path: &Path, branch: &str) -> Oid {
    let repo = Repository::init_bare(path).expect("init");
    repo.set_head(&format!("refs/heads/{branch}")).expect("HEAD");
    let blob = repo.blob(b"hello\n").expect("blob");
    let mut tree = repo.treebuilder(None).expect("tree");
    tree.insert("README", blob, 0o100644).expect("insert");
    let tree = repo.find_tree(tree.write().expect("write tree")).expect("tree");
    let who = Signature::now("Test", "test@example.com").expect("signature");
    repo.commit(Some(&format!("refs/heads/{branch}")), &who, &who, "first", &tree, &[])
        .expect("commit")
}

fn short(oid: Oid) -> String {
    oid.to_string()[..7].to_string()
}

/// A configuration with a local repository and a mirrored one; returns
/// the stdout lines about them.
fn good_config(test: Test) -> (Test, String) {
    good_config_on(test, free_port())
}

fn good_config_on(test: Test, port: u16) -> (Test, String) {
    let local = repository(&test.path().join("vision.git"), "main");
    let remote = repository(&test.path().join("origin/nlp.git"), "trunk");
    let config = format!(
        "store: store\ncapacity: 2\nlisten: 127.0.0.1:{port}\nlabels:\n  cpu: host\nrepos:\n  - name: vision\n    path: vision.git\n  \
         - name: nlp\n    url: file://{}/origin/nlp.git\n",
        test.path().display()
    );
    let lines = format!(
        "config ok: 2 repos, capacity 2, no GPUs, listening on 127.0.0.1:{port}\nrepo vision: main at {}\nrepo nlp: trunk at {}\n",
        short(local),
        short(remote)
    );
    (test.write("runner.yml", config), lines)
}

#[test]
fn every_mistake_in_the_file_is_reported_at_once() {
    Test::new()
        .write("vision/README", "a folder for `path:`")
        .write(
            "runner.yml",
            "store: store\ncapacty: 4\nrepos:\n  - name: vision\n    path: vision\n    workflows: ../flows\nshutdown_timeout: soon\n",
        )
        .args(&["runner", "check", "--config", "runner.yml"])
        .status(3)
        .stdout("")
        .stderr(
            "
            error: unknown key `capacty` in the configuration
             --> runner.yml:2:1
              |
            2 | capacty: 4
              | ^^^^^^^
              = help: did you mean `capacity`?
            error: `workflows:` of repository `vision` must be a folder inside the repository, such as .github/workflows, but it is `../flows`
             --> runner.yml:6:16
              |
            6 |     workflows: ../flows
              |                ^^^^^^^^
            error: `shutdown_timeout:` must be a duration such as 90s, 5m, 2h or 1h30m, or a number of seconds, but it is `soon`
             --> runner.yml:7:19
              |
            7 | shutdown_timeout: soon
              |                   ^^^^
            3 errors in runner.yml
            ",
        )
        .run();
}

#[test]
fn a_good_configuration_with_real_repositories_is_ok() {
    if !docker_ready() {
        return;
    }
    let (test, lines) = good_config(Test::new());
    let endpoint = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string());
    let store = test.path().join("store");
    // Run by hand rather than through the builder, whose directory goes with it.
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["runner", "check", "--config", "runner.yml"])
        .current_dir(test.path())
        .output()
        .expect("run mlci");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!(
            "{lines}docker: {endpoint} answers\nimage {RUNNER_IMAGE}: present (labels ubuntu-latest, ubuntu-24.04, ubuntu-22.04, linux, self-hosted)\n"
        )
    );
    assert_eq!(output.status.code(), Some(0));
    let mirror = Repository::open_bare(store.join("mirrors/nlp.git")).expect("the mirror");
    assert!(mirror.find_reference("refs/heads/trunk").is_ok());
}

#[test]
fn docker_not_answering_is_exit_6() {
    let (test, lines) = good_config(Test::new());
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["runner", "check", "--config", "runner.yml"])
        .env("DOCKER_HOST", "tcp://127.0.0.1:1")
        .current_dir(test.path())
        .output()
        .expect("run mlci");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), lines);
    assert!(
        stderr.starts_with("error: cannot reach the Docker Engine at tcp://127.0.0.1:1 (from DOCKER_HOST): "),
        "{stderr}"
    );
}

#[test]
fn a_taken_listen_port_fails_the_check() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let port = taken.local_addr().expect("its address").port();
    let (test, lines) = good_config_on(Test::new(), port);
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["runner", "check", "--config", "runner.yml"])
        .env("DOCKER_HOST", "tcp://127.0.0.1:1")
        .current_dir(test.path())
        .output()
        .expect("run mlci");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), lines);
    assert_eq!(
        stderr.lines().next(),
        Some(
            format!(
                "error: cannot listen on 127.0.0.1:{port}: Address already in use (os error 98) \
                 (is another runner, or another service, on that port?)"
            )
            .as_str()
        )
    );
    drop(taken);
}
