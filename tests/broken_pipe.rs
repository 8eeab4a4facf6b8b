//! A command whose reader goes away (`mlci plan --json | head -c 10`)
//! exits quietly instead of panicking with exit 101.

use crate::support::Test;

const WORKFLOW: &str = "
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: echo hi
    ";

#[test]
fn commands_piped_into_a_closed_reader_exit_quietly() {
    for args in [
        &["plan", "--json"][..],
        &["plan"],
        &["list"],
        &["validate"],
        &["eval", "1 == 1"],
    ] {
        Test::new()
            .workflow("ci.yml", WORKFLOW)
            .args(args)
            .stdout_closed()
            .stderr("")
            .run();
    }
}
