//! `$GITHUB_STEP_SUMMARY` over GitHub's 1 MiB cap is not stored; the step
//! gets GitHub's error annotation with both sizes, and goes on.

use crate::support::Test;

#[test]
fn a_summary_over_one_mebibyte_is_dropped_with_githubs_error() {
    let test = Test::new().workflow(
        "ci.yml",
        "
        on: push
        jobs:
          report:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  head -c 1048576 /dev/zero | tr '\\0' x >> \"$GITHUB_STEP_SUMMARY\"
                  echo x >> \"$GITHUB_STEP_SUMMARY\"
              - run: echo '## fits' >> \"$GITHUB_STEP_SUMMARY\"
        ",
    );
    let store = tempfile::tempdir().expect("a store");
    let store_path = store.path().to_string_lossy().into_owned();
    let output = test
        .args(&["run", "--backend", "host", "--json", "--store", &store_path])
        .run();
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON event"))
        .collect();
    let summaries: Vec<(u64, &str)> = events
        .iter()
        .filter(|e| e["type"] == "step_summary")
        .map(|e| {
            (
                e["step"].as_u64().unwrap_or(99),
                e["markdown"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(summaries, [(1, "## fits\n")]);
    let errors: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "output" && e["kind"] == "error")
        .filter_map(|e| e["line"].as_str())
        .collect();
    assert_eq!(
        errors,
        ["$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got 1024k. \
          For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary"]
    );
    let finished: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "step_finished")
        .filter_map(|e| e["conclusion"].as_str())
        .collect();
    assert_eq!(finished, ["success", "success"]);
}
