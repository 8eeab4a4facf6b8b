//! A `timeout-minutes` that comes from an expression is checked when the
//! leg runs: out of range, it fails that leg with a message, never a panic.

use crate::support::Test;

#[test]
fn a_timeout_from_an_expression_out_of_range_fails_the_leg() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              job:
                runs-on: ubuntu-latest
                timeout-minutes: ${{ matrix.t }}
                strategy:
                  # The other leg must run to show that only this one failed.
                  fail-fast: false
                  matrix:
                    t: [1e300, 5]
                steps:
                  - run: echo ran
                    timeout-minutes: ${{ matrix.t }}
            ",
        )
        .args(&["run", "--backend", "host", "--max-parallel", "1"])
        .status(1)
        .stdout_contains("`timeout-minutes` must be a number greater than 0 and at most 7200, but it is 1e300")
        .stdout_contains("[job (5)]   ran\n")
        .run();
}
