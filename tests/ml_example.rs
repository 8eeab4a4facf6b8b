//! The ML pipeline example (`examples/ml-pipeline/`) run as a user would:
//! copied into a git repository of its own (made with git2), then `mlci run`
//! on the real Docker Engine — the seed workflow unchanged, and the full
//! train → gate → deploy pipeline with a good model, a bad one and a drift.

use crate::support::docker::docker_ready;
use git2::{Repository, Signature};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The example as the only commit on `main` of a new repository.
pub(crate) fn example_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ml-pipeline"),
        dir.path(),
    );
    let repo = Repository::init(dir.path()).expect("init");
    let mut index = repo.index().expect("index");
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add");
    index.write().expect("write index");
    let tree = repo.find_tree(index.write_tree().expect("tree")).expect("find tree");
    let who = Signature::now("Ada", "ada@example.com").expect("signature");
    repo.commit(Some("refs/heads/main"), &who, &who, "ML pipeline", &tree, &[])
        .expect("commit");
    repo.set_head("refs/heads/main").expect("head");
    dir
}

fn mlci(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlci")
}

/// `job name=result` of every job leg of a `--json` run, sorted.
fn results(output: &Output) -> Vec<String> {
    let mut jobs: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|e| match e["type"].as_str()? {
            "job_finished" => Some(format!("{}={}", e["job"]["name"].as_str()?, e["result"].as_str()?)),
            "job_skipped" => Some(format!("{}=skipped", e["job"]["name"].as_str()?)),
            _ => None,
        })
        .collect();
    jobs.sort();
    jobs
}

fn text(output: &Output) -> String {
    let lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|e| e["line"].as_str().map(str::to_string))
        .collect();
    lines.join("\n")
}

#[test]
fn the_seed_workflow_runs_unchanged_and_models_keep_githubs_layout() {
    if !docker_ready() {
        return;
    }
    let repo = example_repository();
    let output = mlci(
        repo.path(),
        &["run", "--json", "-W", ".github/workflows/ml-pipeline.yml"],
    );
    assert_eq!(
        results(&output),
        [
            "deploy=success",
            "evaluate=success",
            "train=success",
            "validate-data=success"
        ],
        "{}\n{}",
        text(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(0));
    // evaluate found models/model.npz where GitHub puts it (not models/models/).
    let got = mlci(repo.path(), &["artifacts", "get", "1", "trained-model", "-o", "got"]);
    assert_eq!(got.status.code(), Some(0), "{}", String::from_utf8_lossy(&got.stderr));
    assert!(repo.path().join("got/model.npz").is_file());
}

#[test]
fn a_good_model_deploys_a_bad_one_is_stopped_by_the_gate_and_a_drift_fails_max_drop() {
    if !docker_ready() {
        return;
    }
    let repo = example_repository();
    let workflow = ".github/workflows/train-gate-deploy.yml";
    let good = mlci(repo.path(), &["run", "--json", "-W", workflow]);
    let all = text(&good);
    assert_eq!(
        good.status.code(),
        Some(0),
        "{all}\n{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(all.contains("gate passed"), "{all}");
    assert!(results(&good).contains(&"deploy=success".to_string()));

    let bad = mlci(
        repo.path(),
        &["run", "--json", "-W", workflow, "--env", "MLCI_EXAMPLE_BAD_MODEL=1"],
    );
    assert_eq!(bad.status.code(), Some(1));
    let jobs = results(&bad);
    assert!(jobs.contains(&"gate=failure".to_string()), "{jobs:?}");
    assert!(jobs.contains(&"deploy=skipped".to_string()), "{jobs:?}");

    let drift = mlci(
        repo.path(),
        &["run", "--json", "-W", workflow, "--env", "MLCI_EXAMPLE_BAD_MODEL=drift"],
    );
    assert_eq!(drift.status.code(), Some(1));
    let table = text(&drift);
    assert!(table.contains("max-drop 0.02"), "{table}");
    assert!(table.contains("baseline: branch main"), "{table}");
}

#[test]
fn rerun_failed_after_a_failing_evaluate_reuses_the_trained_models() {
    if !docker_ready() {
        return;
    }
    let repo = example_repository();
    let workflow = ".github/workflows/train-gate-deploy.yml";
    let failed = mlci(
        repo.path(),
        &["run", "--json", "-W", workflow, "--env", "MLCI_EXAMPLE_FAIL_EVALUATE=1"],
    );
    assert_eq!(failed.status.code(), Some(1));
    assert!(results(&failed).contains(&"evaluate=failure".to_string()));
    let rerun = mlci(repo.path(), &["rerun", "1", "--failed", "--json"]);
    let all = text(&rerun);
    assert_eq!(
        rerun.status.code(),
        Some(0),
        "{all}\n{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let events: Vec<Value> = String::from_utf8_lossy(&rerun.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // train is not run again: no leg of it starts, and its result is reused.
    assert!(!events
        .iter()
        .any(|e| e["type"] == "job_started" && e["job"]["job"] == "train"));
    assert!(events
        .iter()
        .any(|e| e["type"] == "job_finished" && e["job"]["job"] == "train" && e["attempts"] == 0));
    assert!(results(&rerun).contains(&"evaluate=success".to_string()));
    assert!(results(&rerun).contains(&"deploy=success".to_string()));
}

#[test]
fn on_another_branch_deploy_is_skipped_by_its_if() {
    if !docker_ready() {
        return;
    }
    let repo = example_repository();
    let git = Repository::open(repo.path()).expect("open");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    git.branch("experiment", &head, false).expect("branch");
    git.set_head("refs/heads/experiment").expect("switch");
    let output = mlci(
        repo.path(),
        &[
            "run",
            "--json",
            "-W",
            ".github/workflows/train-gate-deploy.yml",
            "--event",
            "workflow_dispatch",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let skipped = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|e| e["type"] == "job_skipped" && e["job"]["job"] == "deploy")
        .expect("deploy skipped");
    assert_eq!(skipped["reason"], "`if: github.ref == 'refs/heads/main'` is false");
    assert!(results(&output).contains(&"gate=success".to_string()));
}
