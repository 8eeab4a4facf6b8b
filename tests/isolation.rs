//! A job cannot touch the host (issue 14): container jobs try each escape
//! through mlci's own built-in actions (absolute host paths, `~`, `..`,
//! symbolic links made in the container, links planted in the runner temp
//! folder, checkout through a link, rewritten git objects), and the host's
//! victim files must stay as they were and never show in any output. Paths
//! in `with:` are the job's (issue 10): `${{ github.workspace }}/models`
//! and `~/.cache/x` work in a Docker job and on the host backend.

use crate::support::docker::docker_ready;
use crate::support::git::commit_all;
use crate::support::Test;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

const SECRET: &str = "LEAKED=host-only-secret";

/// Files of the host's that no job may read or change: `secret`, and the
/// folder `folder` holding `keep`.
struct Victims {
    dir: TempDir,
}

impl Victims {
    fn new() -> Victims {
        let dir = tempfile::tempdir().expect("a temporary directory");
        fs::write(dir.path().join("secret"), format!("{SECRET}\n")).expect("write");
        fs::create_dir(dir.path().join("folder")).expect("mkdir");
        fs::write(dir.path().join("folder/keep"), "kept\n").expect("write");
        Victims { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Puts the victims' paths into a workflow's text.
    fn fill(&self, workflow: &str) -> String {
        workflow.replace("VICTIM", &self.dir.path().display().to_string())
    }

    fn assert_untouched(&self, output: &Output) {
        let secret = fs::read_to_string(self.dir.path().join("secret")).expect("the secret is still there");
        assert_eq!(secret, format!("{SECRET}\n"), "the host's file was changed");
        let folder: Vec<String> = fs::read_dir(self.dir.path().join("folder"))
            .expect("the folder is still there")
            .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(folder, ["keep"], "the host's folder was changed");
        assert_eq!(
            fs::read_to_string(self.dir.path().join("folder/keep")).expect("read"),
            "kept\n"
        );
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!shown.contains("host-only-secret"), "the host's file was read: {shown}");
    }
}

/// Runs `mlci run` with `args` in the test's folder; `home` is mlci's HOME.
fn run(test: &Test, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlci"))
        .arg("run")
        .args(args)
        .env("HOME", home)
        .current_dir(test.path())
        .output()
        .expect("run mlci")
}

fn text(output: &Output) -> String {
    format!(
        "--- stdout:\n{}\n--- stderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn has(output: &Output, expected: &str) {
    assert!(text(output).contains(expected), "lacks {expected:?}:\n{}", text(output));
}

#[test]
fn upload_artifact_takes_the_containers_files_never_the_hosts() {
    if !docker_ready() {
        return;
    }
    let victims = Victims::new();
    let test = Test::new().workflow(
        "ci.yml",
        &victims.fill(
            "
            on: push
            jobs:
              leak:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      mkdir -p models && echo weights > models/w.bin
                      ln -s VICTIM/secret models/host-link
                      ln -s ../../../../VICTIM/secret models/climbing-link
                      echo container-own > /etc/mlci-own
                      mkdir -p ~/notes && echo container-home > ~/notes/n.txt
                  - uses: actions/upload-artifact@v4
                    with: {name: models, path: '${{ github.workspace }}/models'}
                  - uses: actions/upload-artifact@v4
                    with: {name: host-path, path: VICTIM/secret}
                  - uses: actions/upload-artifact@v4
                    with: {name: own, path: /etc/mlci-own}
                  - uses: actions/upload-artifact@v4
                    with: {name: home, path: ~/notes}
              read:
                needs: leak
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/download-artifact@v4
                    with: {path: got}
                  - run: 'find got -type f | sort | while read f; do echo \"$f: $(cat $f)\"; done'
            ",
        ),
    );
    let home = tempfile::tempdir().expect("a temporary directory");
    let output = run(&test, home.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    has(&output, "got/models/w.bin: weights");
    has(&output, "got/own/mlci-own: container-own");
    has(&output, "got/home/n.txt: container-home");
    has(
        &output,
        "skipped `/github/workspace/models/host-link`: it is a symbolic link that leads out of the workspace \
         (/github/workspace), and mlci never follows those",
    );
    has(&output, "skipped `/github/workspace/models/climbing-link`");
    has(
        &output,
        &format!(
            "No files were found with the provided path: {}. No artifacts will be uploaded.",
            victims.path("secret")
        ),
    );
    victims.assert_untouched(&output);
}

#[test]
fn download_artifact_writes_only_inside_the_job() {
    if !docker_ready() {
        return;
    }
    let victims = Victims::new();
    let test = Test::new().workflow(
        "ci.yml",
        &victims.fill(
            "
            on: push
            jobs:
              make:
                runs-on: ubuntu-latest
                steps:
                  - run: echo payload > payload.txt
                  - uses: actions/upload-artifact@v4
                    with: {name: payload, path: payload.txt}
              absolute:
                needs: make
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/download-artifact@v4
                    with: {name: payload, path: VICTIM/folder}
                  - run: 'echo \"in the container: $(cat VICTIM/folder/payload.txt)\"'
              climb:
                needs: make
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/download-artifact@v4
                    with: {name: payload, path: ../../..}
              planted:
                needs: make
                runs-on: ubuntu-latest
                steps:
                  - run: ln -s VICTIM/folder planted
                  - uses: actions/download-artifact@v4
                    with: {name: payload, path: planted}
            ",
        ),
    );
    let home = tempfile::tempdir().expect("a temporary directory");
    let output = run(&test, home.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    has(&output, "in the container: payload");
    has(
        &output,
        "the `path` input `../../..` climbs out of the workspace (/github/workspace) with `..`",
    );
    has(&output, "cannot create `/github/workspace/planted`");
    victims.assert_untouched(&output);
}

#[test]
fn a_cache_restore_never_writes_through_a_planted_link() {
    if !docker_ready() {
        return;
    }
    let victims = Victims::new();
    let test = Test::new().workflow(
        "ci.yml",
        &victims.fill(
            "
            on: push
            jobs:
              save:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/cache@v4
                    with: {key: data-1, path: deps/data}
                  - run: mkdir -p deps/data && echo cached > deps/data/f
              restore:
                needs: save
                runs-on: ubuntu-latest
                steps:
                  - run: ln -s VICTIM/folder deps
                  - uses: actions/cache@v4
                    with: {key: data-1, path: deps/data}
            ",
        ),
    );
    let home = tempfile::tempdir().expect("a temporary directory");
    let output = run(&test, home.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    has(&output, "cache saved with key data-1");
    has(&output, "a path led outside of the filesystem");
    victims.assert_untouched(&output);
}

#[test]
fn links_planted_in_runner_temp_are_never_followed() {
    if !docker_ready() {
        return;
    }
    let victims = Victims::new();
    let test = Test::new().workflow(
        "ci.yml",
        &victims.fill(
            "
            on: push
            jobs:
              plant:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      for i in 1 2 3 4; do
                        ln -sf VICTIM/secret \"$RUNNER_TEMP/step-$i.sh\"
                        for f in set_env_ set_output_ add_path_ save_state_ step_summary_; do
                          ln -sf VICTIM/secret \"$RUNNER_TEMP/_runner_file_commands/$f$i\"
                        done
                      done
                  - run: echo \"second step ran\"
                  - run: echo \"LEAKED=${LEAKED:-absent}\"
              own-env:
                runs-on: ubuntu-latest
                steps:
                  - run: ln -sf VICTIM/secret \"$GITHUB_ENV\"
            ",
        ),
    );
    let home = tempfile::tempdir().expect("a temporary directory");
    let output = run(&test, home.path(), &[]);
    has(&output, "second step ran");
    has(&output, "LEAKED=absent");
    // A link in place of the step's own env file is refused, not read.
    has(
        &output,
        "Unable to process file command 'env' successfully. a path led outside of the filesystem",
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    victims.assert_untouched(&output);
}

#[test]
fn checkout_never_follows_a_link_and_never_shares_the_users_objects() {
    if !docker_ready() {
        return;
    }
    let victims = Victims::new();
    let test = Test::new().write("src/model.py", "print('model')\n").workflow(
        "ci.yml",
        &victims.fill(
            "
                on: push
                jobs:
                  poison:
                    runs-on: ubuntu-latest
                    steps:
                      - run: ln -s VICTIM/folder link
                      - uses: actions/checkout@v4
                        with: {path: link/sub}
                        continue-on-error: true
                      - uses: actions/checkout@v4
                        with: {path: '${{ github.workspace }}/repo'}
                      - run: cat repo/src/model.py
                      - uses: actions/checkout@v4
                      - run: |
                          chmod -R u+w .git/objects
                          find .git/objects -type f | while read f; do echo garbage > \"$f\"; done
                          chown -R 12345:12345 .
                          echo rewritten
                ",
        ),
    );
    commit_all(test.path(), "main", "a model");
    let objects = test.path().join(".git/objects");
    let owner_before = owners(&objects);
    let home = tempfile::tempdir().expect("a temporary directory");
    let output = run(&test, home.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    has(
        &output,
        "refusing to check out into `link/sub`: `link` is a symbolic link, and mlci never writes through links in the workspace",
    );
    has(&output, "print('model')");
    has(&output, "rewritten");
    victims.assert_untouched(&output);
    let fsck = Command::new("git")
        .args(["fsck", "--full", "--strict"])
        .current_dir(test.path())
        .output()
        .expect("git fsck");
    assert!(
        fsck.status.success(),
        "git fsck: {}",
        String::from_utf8_lossy(&fsck.stderr)
    );
    assert_eq!(
        owners(&objects),
        owner_before,
        "the job changed the owner of the user's objects"
    );
}

/// The owner of every file below `dir`.
fn owners(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = fs::symlink_metadata(&path).expect("metadata");
        if meta.is_dir() {
            stack.extend(fs::read_dir(&path).expect("list").map(|e| e.expect("entry").path()));
        }
        found.push((path, meta.uid()));
    }
    found.sort();
    found
}

/// The paths of issue 10, in a workflow run on either backend: a workspace
/// path written with `github.workspace`, and a cache under `~`.
const JOB_PATHS: &str = "
on: push
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - id: c
        uses: actions/cache@v4
        with: {key: x-1, path: ~/.cache/x}
      - run: echo \"hit=${{ steps.c.outputs.cache-hit }} got=$(cat ~/.cache/x/f 2>/dev/null)\"
      - run: |
          mkdir -p ~/.cache/x && echo from-the-job > ~/.cache/x/f
          mkdir -p models && echo weights > models/w.bin
          echo '{\"accuracy\": 0.91}' > metrics.json
          echo '{\"accuracy\": 0.90}' > ~/baseline.json
      - uses: actions/upload-artifact@v4
        with: {name: models, path: '${{ github.workspace }}/models', if-no-files-found: error}
      - uses: mlci/gate@v1
        with:
          metrics: ${{ github.workspace }}/metrics.json
          baseline: ~/baseline.json
          rules: accuracy max-drop 0.005
  use:
    needs: train
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with: {name: models, path: '${{ github.workspace }}/in'}
      - run: 'echo \"model: $(cat in/w.bin)\"'
";

#[test]
fn workspace_and_home_paths_work_in_a_docker_job() {
    if !docker_ready() {
        return;
    }
    let test = Test::new().workflow("ci.yml", JOB_PATHS);
    let home = tempfile::tempdir().expect("a temporary directory");
    let first = run(&test, home.path(), &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    has(&first, "hit=false got=");
    has(&first, "model: weights");
    has(&first, "cache saved with key x-1");
    has(&first, "accuracy max-drop 0.005  pass");
    has(&first, "baseline: file ~/baseline.json");
    let second = run(&test, home.path(), &[]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    has(&second, "hit=true got=from-the-job");
    assert!(
        !home.path().join(".cache/x").exists(),
        "`~` in a container job is the container's home, not mlci's"
    );
}

#[test]
fn workspace_and_home_paths_work_on_the_host_backend() {
    let test = Test::new().workflow("ci.yml", JOB_PATHS);
    let home = tempfile::tempdir().expect("a temporary directory");
    let env = format!("HOME={}", home.path().display());
    let args = ["--backend", "host", "--env", &env];
    let first = run(&test, home.path(), &args);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    has(&first, "hit=false got=");
    has(&first, "model: weights");
    has(&first, "baseline: file ~/baseline.json");
    fs::remove_dir_all(home.path().join(".cache/x")).expect("the job wrote to its home");
    let second = run(&test, home.path(), &args);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    has(&second, "hit=true got=from-the-job");
    assert_eq!(
        fs::read_to_string(home.path().join(".cache/x/f")).expect("restored on the host"),
        "from-the-job\n"
    );
}
