//! `mlci plan`: trigger decisions from a real git repository (made with
//! git2), matrix legs, images, JSON and DOT output.

use crate::support::git::commit_all;
use crate::support::Test;

const PIPELINE: &str = "
    name: train
    on:
      push:
        branches: [main]
        paths: ['src/model/**']
    jobs:
      prepare:
        runs-on: ubuntu-latest
        steps:
          - run: echo
      train:
        needs: prepare
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-latest, macos-latest]
            lr: [0.1, 0.01]
            exclude:
              - os: macos-latest
                lr: 0.1
        steps:
          - run: echo
    ";

#[test]
fn push_touching_the_filtered_path_plans_every_leg() {
    let test = Test::new()
        .workflow("train.yml", PIPELINE)
        .write("src/model/net.py", "w = 1\n");
    commit_all(test.path(), "main", "first");
    test.args(&["plan"])
        .stdout(
            "
            event: push

            train (.github/workflows/train.yml): runs
              why: branch 'main' matches 'main' in branches [main]; changed file 'src/model/net.py' matches 'src/model/**' in paths [src/model/**]
              job prepare
                - prepare  runs-on: ubuntu-latest  image: mlci/runner:bookworm
              job train  needs: prepare
                - train (ubuntu-latest, 0.1)  runs-on: ubuntu-latest  image: mlci/runner:bookworm
                - train (ubuntu-latest, 0.01)  runs-on: ubuntu-latest  image: mlci/runner:bookworm
                - train (macos-latest, 0.01)  runs-on: macos-latest  image: no image for these labels (map one with -P LABEL=IMAGE)
            ",
        )
        .run();
}

#[test]
fn push_touching_other_paths_triggers_nothing() {
    let test = Test::new()
        .workflow("train.yml", PIPELINE)
        .write("src/model/net.py", "w = 1\n");
    commit_all(test.path(), "main", "first");
    std::fs::write(test.path().join("README.md"), "docs\n").expect("write");
    commit_all(test.path(), "main", "docs only");
    test.args(&["plan"])
        .status(4)
        .stdout(
            "
            event: push

            train (.github/workflows/train.yml): skipped
              why: no changed file matches paths [src/model/**] (1 file changed: README.md)
            ",
        )
        .run();
}

#[test]
fn another_branch_is_skipped_with_the_reason() {
    let test = Test::new()
        .workflow("train.yml", PIPELINE)
        .write("src/model/net.py", "w = 1\n");
    commit_all(test.path(), "dev", "first");
    test.args(&["plan", "--json"])
        .status(4)
        .stdout_contains("\"reason\": \"branch 'dev' does not match branches [main]\"")
        .run();
}

#[test]
fn json_has_exact_legs_and_platform_overrides_apply() {
    let test = Test::new()
        .workflow("train.yml", PIPELINE)
        .write("src/model/net.py", "w = 1\n");
    commit_all(test.path(), "main", "first");
    let output = test
        .args(&["plan", "--json", "-j", "train", "-P", "macos-latest=mlci/mac:1"])
        .run();
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let jobs = &plan["workflows"][0]["jobs"];
    assert_eq!(jobs.as_array().map(Vec::len), Some(2), "train and the job it needs");
    let legs: Vec<(String, String)> = jobs[1]["legs"]
        .as_array()
        .expect("legs")
        .iter()
        .map(|l| {
            (
                l["matrix"].to_string(),
                l["image"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect();
    assert_eq!(
        legs,
        [
            (
                r#"{"os":"ubuntu-latest","lr":0.1}"#.to_string(),
                "mlci/runner:bookworm".to_string()
            ),
            (
                r#"{"os":"ubuntu-latest","lr":0.01}"#.to_string(),
                "mlci/runner:bookworm".to_string()
            ),
            (
                r#"{"os":"macos-latest","lr":0.01}"#.to_string(),
                "mlci/mac:1".to_string()
            ),
        ]
    );
}

#[test]
fn matrix_from_needs_outputs_waits_and_dot_shows_the_graph() {
    let test = Test::new().workflow(
        "sweep.yml",
        "
        on: workflow_dispatch
        jobs:
          prepare:
            runs-on: ubuntu-latest
            outputs:
              grid: ${{ steps.g.outputs.grid }}
            steps:
              - id: g
                run: echo 'grid=[1,2]' >> $GITHUB_OUTPUT
          train:
            needs: prepare
            runs-on: ubuntu-latest
            strategy:
              matrix:
                seed: ${{ fromJSON(needs.prepare.outputs.grid) }}
            steps:
              - run: echo
        ",
    );
    let test = test.args(&["plan", "--event", "workflow_dispatch", "--dot"]);
    test.stdout(
        r#"
        digraph jobs {
          rankdir=LR;
          node [shape=box];
          subgraph cluster_0 {
            label=".github/workflows/sweep.yml";
            "0:prepare" [label="prepare"];
            "0:train" [label="train (matrix from needs)"];
            "0:prepare" -> "0:train";
          }
        }
        "#,
    )
    .run();
}

#[test]
fn outside_a_git_repository_nothing_is_invented() {
    Test::new()
        .workflow("train.yml", PIPELINE)
        .args(&["plan"])
        .status(4)
        .stdout_contains("note: ")
        .stdout_contains("is not in a git repository: branch and changed files are unknown\n")
        .stdout_contains("why: push: no branch or tag to match")
        .run();
}

#[test]
fn unknown_job_is_a_clear_error() {
    let test = Test::new()
        .workflow("train.yml", PIPELINE)
        .write("src/model/net.py", "w = 1\n");
    commit_all(test.path(), "main", "first");
    test.args(&["plan", "-j", "trian"])
        .status(3)
        .stderr("error: .github/workflows/train.yml: there is no job `trian` in train; its jobs are prepare, train\n")
        .run();
}

const DEPLOY: &str = "
    on:
      workflow_dispatch:
        inputs:
          target: {required: true}
          dry: {type: boolean}
    jobs:
      deploy:
        name: deploy ${{ github.event.inputs.target }} ${{ github.event.inputs.dry }} ${{ inputs.dry == false }}
        runs-on: ubuntu-latest
        steps:
          - run: echo
    ";

const OTHER: &str = "
    on: workflow_dispatch
    jobs:
      other:
        runs-on: ubuntu-latest
        steps:
          - run: echo
    ";

#[test]
fn dispatch_inputs_fill_github_event_inputs_as_strings_and_apply_where_declared() {
    Test::new()
        .workflow("deploy.yml", DEPLOY)
        .workflow("other.yml", OTHER)
        .args(&["plan", "--event", "workflow_dispatch", "--input", "target=prod"])
        .stdout_contains("    - deploy prod false true  runs-on: ubuntu-latest")
        .stdout_contains("    - other  runs-on: ubuntu-latest")
        .run();
}

#[test]
fn a_missing_required_input_or_an_undeclared_one_is_an_error_naming_the_workflow() {
    Test::new()
        .workflow("deploy.yml", DEPLOY)
        .workflow("other.yml", OTHER)
        .args(&["plan", "--event", "workflow_dispatch"])
        .status(2)
        .stderr(
            "error: .github/workflows/deploy.yml: input `target` is required and has no default; \
             give it with --input target=VALUE\n",
        )
        .run();
    Test::new()
        .workflow("deploy.yml", DEPLOY)
        .args(&["plan", "--event", "workflow_dispatch", "--input", "tagret=prod"])
        .status(2)
        .stderr("error: --input tagret: no workflow declares a workflow_dispatch input `tagret`\n")
        .run();
}
