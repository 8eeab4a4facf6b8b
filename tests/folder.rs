//! One invalid workflow file does not block the others (`plan`, `list`,
//! `run`): it is reported, left out, and the exit code says so.

use crate::support::Test;

const GOOD: &str = "
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: echo built
    ";

const BROKEN: &str = "
    on: push
    jobs:
      test:
        runs_on: ubuntu-latest
        steps:
          - run: echo never
    ";

fn folder() -> Test {
    Test::new()
        .workflow("a-broken.yml", BROKEN)
        .workflow("b-good.yml", GOOD)
}

const NOTE: &str = "note: 1 invalid workflow file left out; going on with the other 1\n";

#[test]
fn list_shows_the_valid_files_and_reports_the_invalid_one() {
    folder()
        .args(&["list"])
        .status(3)
        .stdout(
            ".github/workflows/b-good.yml  .github/workflows/b-good.yml  on: push\n  build  runs-on: ubuntu-latest\n",
        )
        .stderr_contains(
            "error: job `test` is missing the required key `runs-on`\n --> .github/workflows/a-broken.yml:3:3\n",
        )
        .stderr_contains(NOTE)
        .run();
}

#[test]
fn plan_plans_the_valid_files_and_exits_invalid() {
    folder()
        .args(&["plan"])
        .status(3)
        .stdout_contains("b-good.yml")
        .stderr_contains("error: unknown key `runs_on` in job `test`\n --> .github/workflows/a-broken.yml:4:5\n")
        .stderr_contains(NOTE)
        .run();
}

#[test]
fn run_runs_the_valid_files_and_exits_invalid() {
    folder()
        .args(&["run", "--backend", "host"])
        .status(3)
        .stdout_contains("[build]   built\n")
        .stderr_contains(NOTE)
        .run();
}

#[test]
fn validate_still_fails_and_a_folder_of_only_invalid_files_stops() {
    folder().args(&["validate"]).status(3).run();
    Test::new()
        .workflow("a-broken.yml", BROKEN)
        .args(&["plan"])
        .status(3)
        .stdout("")
        .run();
}
