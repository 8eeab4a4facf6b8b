use super::*;
use crate::check::analyze;
use crate::diag::SourceFile;
use serde_json::json;
use std::sync::Arc;

fn analysis(path: &str, text: &str) -> Analysis {
    analyze(Arc::new(SourceFile::new(path, text)))
}

const TRAIN: &str = "on:
  workflow_dispatch:
    inputs:
      lr:
        type: number
        default: 0.1
      epochs:
        default: '3'
      fast:
        type: boolean
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.lr }}
";

const PUSH_ONLY: &str = "on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
";

fn workflows() -> Vec<Analysis> {
    vec![
        analysis(".github/workflows/train.yml", TRAIN),
        analysis(".github/workflows/ci.yml", PUSH_ONLY),
    ]
}

#[test]
fn declared_inputs_and_defaults_reach_the_run() {
    let inputs =
        check_dispatch(&workflows(), "train.yml", Some(&json!({"inputs": {"lr": "0.5"}}))).expect("dispatchable");
    assert_eq!(Value::Object(inputs), json!({"lr": 0.5, "epochs": "3", "fast": false}));
}

#[test]
fn an_undeclared_input_is_refused() {
    let refusal = check_dispatch(
        &workflows(),
        ".github/workflows/train.yml",
        Some(&json!({"inputs": {"lr": "0.5", "bogus": "1"}})),
    )
    .expect_err("refused");
    assert_eq!(
        refusal,
        Refusal::Unprocessable(
            ".github/workflows/train.yml: the workflow has no input `bogus` (its inputs: lr, epochs, fast)".into()
        )
    );
}

#[test]
fn an_unknown_workflow_or_one_without_workflow_dispatch_is_refused() {
    assert_eq!(
        check_dispatch(&workflows(), "nope.yml", None),
        Err(Refusal::NoWorkflow("nope.yml".into()))
    );
    assert_eq!(
        check_dispatch(&workflows(), "ci.yml", None),
        Err(Refusal::Unprocessable(
            ".github/workflows/ci.yml does not have a `workflow_dispatch` trigger".into()
        ))
    );
}

#[test]
fn an_invalid_workflow_is_refused_with_its_first_error_and_where() {
    let broken = [analysis(
        ".github/workflows/train.yml",
        "on: workflow_dispatch\njobs:\n  a:\n    runs_on: x\n",
    )];
    let Err(Refusal::Unprocessable(why)) = check_dispatch(&broken, "train.yml", None) else {
        panic!("an invalid workflow was accepted");
    };
    assert_eq!(
        why,
        ".github/workflows/train.yml:3:3: job `a` is missing the required key `runs-on`"
    );
}
