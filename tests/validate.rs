//! `mlci validate`: exact diagnostics for broken workflows.

use crate::support::Test;

#[test]
fn valid_workflow_passes() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - run: echo hi
            ",
        )
        .args(&["validate"])
        .stdout("1 workflow file valid\n")
        .run();
}

#[test]
fn misspelled_key_points_at_it_with_a_suggestion() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              build:
                runs_on: ubuntu-latest
                steps:
                  - run: echo hi
            ",
        )
        .args(&["validate"])
        .status(3)
        .stderr(
            "
            error: job `build` is missing the required key `runs-on`
             --> .github/workflows/ci.yml:3:3
              |
            3 |   build:
              |   ^^^^^
            error: unknown key `runs_on` in job `build`
             --> .github/workflows/ci.yml:4:5
              |
            4 |     runs_on: ubuntu-latest
              |     ^^^^^^^
              = help: did you mean `runs-on`?
            2 errors in 1 file
            ",
        )
        .run();
}

#[test]
fn tabs_in_yaml() {
    Test::new()
        .write("bad.yml", "on: push\njobs:\n\tbuild:\n")
        .args(&["validate", "bad.yml"])
        .status(3)
        .stderr_contains(" --> bad.yml:3:")
        .stderr_contains("= help: YAML indentation must use spaces, not tabs")
        .run();
}

#[test]
fn empty_file() {
    Test::new()
        .write("empty.yml", "")
        .args(&["validate", "empty.yml"])
        .status(3)
        .stderr("error: the workflow file is empty\n --> empty.yml:1:1\n  |\n1 | \n  | ^\n1 error in 1 file\n")
        .run();
}

#[test]
fn missing_file() {
    Test::new()
        .args(&["validate", "nope.yml"])
        .status(3)
        .stderr("error: nope.yml: no such file or directory\n")
        .run();
}

#[test]
fn huge_file_is_refused_at_once() {
    let big = format!("on: push\n# {}\n", "x".repeat(10 * 1024 * 1024));
    Test::new()
        .write("big.yml", big)
        .args(&["validate", "big.yml"])
        .status(3)
        .stderr_contains("error: the file is 10.0 MiB; mlci reads workflow files of up to 5 MiB\n --> big.yml:1:1\n")
        .run();
}

#[test]
fn every_error_in_a_file_is_reported() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on:
              pushh:
            jobs:
              build:
                runs-on: ubuntu-latest
                timeout-minutes: soon
                steps:
                  - run: echo
                    uses: actions/checkout@v4
            ",
        )
        .args(&["validate"])
        .status(3)
        .stderr_contains("error: unknown event `pushh`\n --> .github/workflows/ci.yml:2:3\n")
        .stderr_contains("= help: did you mean `push`?")
        .stderr_contains("error: `timeout-minutes` must be a number or a ${{ }} expression, but it is a string\n --> .github/workflows/ci.yml:6:22\n")
        .stderr_contains("error: step 1 of job `build` has both `run` and `uses`; a step does one or the other\n --> .github/workflows/ci.yml:8:14\n")
        .stderr_contains("3 errors in 1 file\n")
        .run();
}

#[test]
fn mlci_extension_keys_are_valid_but_not_portable() {
    let workflow = "
        on: push
        jobs:
          train:
            runs-on: ubuntu-latest
            retries: 2
            retry-delay: 30s
            steps:
              - run: python train.py
        ";
    Test::new()
        .workflow("ci.yml", workflow)
        .args(&["validate"])
        .stdout("1 workflow file valid\n")
        .run();
    Test::new()
        .workflow("ci.yml", workflow)
        .args(&["validate", "--github"])
        .status(3)
        .stderr_contains("error: `retries` in job `train` is an mlci extension; GitHub rejects it\n --> .github/workflows/ci.yml:5:14\n")
        .stderr_contains("error: `retry-delay` in job `train` is an mlci extension; GitHub rejects it\n --> .github/workflows/ci.yml:6:18\n")
        .run();
}

/// Shapes GitHub accepts that mlci used to refuse (issue 11).
#[test]
fn keys_github_accepts_are_valid() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on:
              repository_dispatch:
                types: [deploy-docs, rebuild]
            concurrency:
              group: docs
              queue: max
            permissions:
              contents: read
              copilot-requests: write
            jobs:
              build:
                runs-on: ubuntu-latest
                timeout-minutes: ${{ fromJSON('30') }}
                strategy:
                  max-parallel: 2
                  matrix:
                    a: [1, 2]
                    exclude:
                      - a: 1
                concurrency:
                  group: build
                  queue: single
                  cancel-in-progress: true
                steps:
                  - run: echo hi
                    timeout-minutes: 3.5
            ",
        )
        .args(&["validate"])
        .stdout("1 workflow file valid\n")
        .run();
}

#[test]
fn queue_max_with_cancel_in_progress_is_refused() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            concurrency:
              group: ci
              cancel-in-progress: true
              queue: max
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - run: echo hi
            ",
        )
        .args(&["validate"])
        .status(3)
        .stderr_contains(
            "error: `queue: max` cannot be used with `cancel-in-progress: true`\n --> .github/workflows/ci.yml:5:10\n",
        )
        .run();
}

#[test]
fn numbers_out_of_github_ranges_are_refused_where_written() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                timeout-minutes: 1e300
                strategy:
                  max-parallel: 1.5
                  matrix:
                    a: [1]
                retry-delay: 9999h
                steps:
                  - run: echo hi
                    timeout-minutes: 7201
            ",
        )
        .args(&["validate"])
        .status(3)
        .stderr_contains(
            "error: `timeout-minutes` must be at most 7200 (5 days), but it is 1e300\n --> .github/workflows/ci.yml:5:22\n",
        )
        .stderr_contains(
            "error: `max-parallel` must be a whole number from 1 to 4294967295, but it is 1.5\n --> .github/workflows/ci.yml:7:21\n",
        )
        .stderr_contains("error: `retry-delay` must be at most 24h, but it is `9999h`\n  --> .github/workflows/ci.yml:10:18\n")
        .stderr_contains(
            "error: `timeout-minutes` must be at most 7200 (5 days), but it is 7201\n  --> .github/workflows/ci.yml:13:26\n",
        )
        .stderr_contains("4 errors in 1 file\n")
        .run();
}

#[test]
fn a_literal_matrix_is_expanded_by_validate() {
    let hundred: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    let vector = format!("[{}]", hundred.join(", "));
    Test::new()
        .workflow(
            "ci.yml",
            &format!(
                "
                on: push
                jobs:
                  big:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        a: {vector}
                        b: {vector}
                    steps:
                      - run: echo hi
                  typo:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        os: [linux]
                        exclude:
                          - os: linux
                            pyhton: '3.12'
                    steps:
                      - run: echo hi
                "
            ),
        )
        .args(&["validate"])
        .status(3)
        .stderr_contains(
            "error: the matrix of job `big`: Strategy produced 10000 configurations which exceeds the maximum of 256 configurations\n --> .github/workflows/ci.yml:7:9\n",
        )
        .stderr_contains(
            "error: the matrix of job `typo`: Matrix exclude key 'pyhton' does not match any key within the matrix\n  --> .github/workflows/ci.yml:18:13\n",
        )
        .run();
}
