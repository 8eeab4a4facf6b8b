//! `mlci gate` and `mlci metrics` through the real binary: two consecutive
//! gates in one folder (the second regresses beyond `max-drop` while still
//! above the threshold), exit codes, errors, and the recorded history.

use crate::support::Test;
use git2::{Repository, RepositoryInitOptions};
use regex::Regex;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const RULES: &str = "# the gate of the ML example\n\
                     accuracy >= 0.90\n\
                     loss <= 0.35\n\
                     accuracy max-drop 0.01   # absolute\n\
                     f1 max-drop 2%           # relative\n";

/// Runs `mlci` in `dir`: exit code, stdout and stderr, with every
/// time replaced by `YYYY-MM-DD hh:mm:ss` (as wide, so columns stay aligned).
fn mlci(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlci");
    let times = Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").expect("a regex");
    let text = |bytes: &[u8]| {
        times
            .replace_all(&String::from_utf8_lossy(bytes), "YYYY-MM-DD hh:mm:ss")
            .into_owned()
    };
    (
        output.status.code().unwrap_or(-1),
        text(&output.stdout),
        text(&output.stderr),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

const GATE: &[&str] = &[
    "gate",
    "--metrics",
    "metrics.json",
    "--rules-file",
    "gate.rules",
    "--branch",
    "main",
];

#[test]
fn a_second_run_that_drops_beyond_max_drop_fails_and_shows_the_baseline() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir = dir.path();
    write(dir, "gate.rules", RULES);
    write(dir, "metrics.json", r#"{"accuracy": 0.93, "loss": 0.30, "f1": 0.80}"#);
    let first = mlci(dir, GATE);
    assert_eq!(
        first,
        (
            0,
            "\
METRIC    BASELINE  CANDIDATE  CHANGE  CHANGE %  RULE                    RESULT
accuracy         -       0.93       -         -  accuracy >= 0.90        pass
loss             -        0.3       -         -  loss <= 0.35            pass
accuracy         -       0.93       -         -  accuracy max-drop 0.01  skipped: no baseline
f1               -        0.8       -         -  f1 max-drop 2%          skipped: no baseline
note: no baseline: comparison skipped (no passing gate recorded on branch `main` yet)
note: recorded as the new baseline of branch `main`
gate passed: 2 passed, 0 failed, 2 skipped; baseline: none
"
            .to_string(),
            String::new()
        )
    );
    assert!(dir.join(".mlci/metrics.db").is_file(), "recorded in the default store");

    // Still above 0.90, but 0.02 below the baseline.
    write(dir, "metrics.json", r#"{"accuracy": 0.91, "loss": 0.31, "f1": 0.79}"#);
    let second = mlci(dir, GATE);
    assert_eq!(
        second,
        (
            1,
            "\
METRIC    BASELINE  CANDIDATE  CHANGE  CHANGE %  RULE                    RESULT
accuracy      0.93       0.91   -0.02    -2.15%  accuracy >= 0.90        pass
loss           0.3       0.31   +0.01    +3.33%  loss <= 0.35            pass
accuracy      0.93       0.91   -0.02    -2.15%  accuracy max-drop 0.01  FAIL: dropped 0.02, more than 0.01
f1             0.8       0.79   -0.01    -1.25%  f1 max-drop 2%          pass
note: recorded in the history of branch `main`; its baseline is unchanged
gate FAILED: 3 passed, 1 failed, 0 skipped; baseline: branch main (YYYY-MM-DD hh:mm:ss UTC)
"
            .to_string(),
            String::new()
        )
    );

    // The same candidate as JSON; --no-record leaves the history alone.
    let no_record = [
        "gate",
        "--metrics",
        "metrics.json",
        "--rules-file",
        "gate.rules",
        "--no-record",
        "--json",
    ];
    let (code, json, _) = mlci(dir, &no_record);
    assert_eq!(code, 1);
    let verdict: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(verdict["passed"], false);
    assert_eq!(verdict["recorded"], false);
    assert_eq!(verdict["baseline_label"], "branch main (YYYY-MM-DD hh:mm:ss UTC)");
    assert_eq!(verdict["rows"][2]["reason"], "dropped 0.02, more than 0.01");
    assert_eq!(verdict["rows"][2]["baseline"], 0.93);

    let (code, out, err) = mlci(dir, &["metrics"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "\
RECORDED (UTC)       BRANCH  RUN  PASSED  accuracy  f1    loss
YYYY-MM-DD hh:mm:ss  main    -    yes     0.93      0.8   0.3
YYYY-MM-DD hh:mm:ss  main    -    no      0.91      0.79  0.31
",
            ""
        )
    );
    let (code, out, _) = mlci(dir, &["metrics", "--json", "--branch", "main"]);
    assert_eq!(code, 0);
    let records: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(records[1]["metrics"]["accuracy"], 0.91);
    assert_eq!(records[1]["passed"], false);
    assert_eq!(
        mlci(dir, &["metrics", "--branch", "dev"]),
        (
            0,
            String::new(),
            format!(
                "no metrics recorded for branch `dev` in {}\n",
                dir.join(".mlci").display()
            )
        )
    );
}

#[test]
fn metrics_with_nothing_recorded() {
    Test::new()
        .args(&["metrics", "--store", "none"])
        .stderr("no metrics recorded in none\n")
        .run();
}

#[test]
fn a_nested_key_a_missing_metric_and_nan_fail_the_gate() {
    Test::new()
        .write("m.json", r#"{"eval": {"accuracy": 0.95, "loss": NaN}}"#)
        .args(&[
            "gate",
            "--metrics",
            "m.json",
            "--rule",
            "eval.accuracy >= 0.9",
            "--rule",
            "eval.loss <= 0.35",
            "--rule",
            "eval.f1 >= 0.8",
        ])
        .status(1)
        .stdout(
            "
            METRIC         BASELINE  CANDIDATE  CHANGE  CHANGE %  RULE                  RESULT
            eval.accuracy         -       0.95       -         -  eval.accuracy >= 0.9  pass
            eval.loss             -        NaN       -         -  eval.loss <= 0.35     FAIL: value is NaN
            eval.f1               -          -       -         -  eval.f1 >= 0.8        FAIL: metric not found
            gate FAILED: 1 passed, 2 failed, 0 skipped; baseline: none
            ",
        )
        .stderr("")
        .run();
}

#[test]
fn rules_that_do_not_parse_are_usage_errors_naming_the_line() {
    Test::new()
        .write("m.json", r#"{"acc": 0.95}"#)
        .write("gate.rules", "acc >= 0.9\n\nacc >> 0.9\n")
        .args(&[
            "gate",
            "--metrics",
            "m.json",
            "--rules-file",
            "gate.rules",
            "--rule",
            "acc >= 1",
            "--rule",
            "acc max-dorp 1",
        ])
        .status(2)
        .stdout("")
        .stderr(
            "
            error: gate.rules:3: cannot read `acc >> 0.9`: `>>` is not a comparison; use >=, <=, >, < or ==
            error: --rule 2: cannot read `acc max-dorp 1`: `max-dorp` is not a rule; did you mean `max-drop`?
            ",
        )
        .run();
}

#[test]
fn no_rules_and_unreadable_files_are_usage_errors() {
    Test::new()
        .write("m.json", r#"{"acc": 0.95}"#)
        .write("gate.rules", "# nothing yet\n")
        .args(&["gate", "--metrics", "m.json", "--rules-file", "gate.rules"])
        .status(2)
        .stderr("error: gate.rules: no rules (every line is blank or a comment); a gate without rules would pass anything (give --rule RULE or --rules-file FILE)\n")
        .run();
    Test::new()
        .args(&["gate", "--metrics", "m.json"])
        .status(2)
        .stderr("error: mlci gate: no rules (every line is blank or a comment); a gate without rules would pass anything (give --rule RULE or --rules-file FILE)\n")
        .run();
    Test::new()
        .args(&["gate", "--metrics", "missing.json", "--rule", "acc >= 0.9"])
        .status(2)
        .stderr("error: cannot read missing.json: No such file or directory (os error 2)\n")
        .run();
    Test::new()
        .write("m.json", "[0.95]")
        .args(&["gate", "--metrics", "m.json", "--rule", "acc >= 0.9"])
        .status(2)
        .stderr("error: m.json: the metrics must be an object (`{\"accuracy\": 0.93}`), not an array\n")
        .run();
    Test::new()
        .write("m.json", r#"{"acc": 0.95}"#)
        .args(&["gate", "--metrics", "m.json", "--rules-file", "none.rules"])
        .status(2)
        .stderr("error: cannot read none.rules: No such file or directory (os error 2)\n")
        .run();
}

#[test]
fn a_file_baseline_in_yaml() {
    Test::new()
        .write("m.yaml", "accuracy: 0.95\nlatency_ms: 120\n")
        .write("base.json", r#"{"accuracy": 0.94, "latency_ms": 100}"#)
        .args(&[
            "gate",
            "--metrics",
            "m.yaml",
            "--baseline",
            "base.json",
            "--rule",
            "accuracy min-gain 0.005",
            "--rule",
            "latency_ms max-rise 10%",
        ])
        .status(1)
        .stdout(
            "
            METRIC      BASELINE  CANDIDATE  CHANGE  CHANGE %  RULE                     RESULT
            accuracy        0.94       0.95   +0.01    +1.06%  accuracy min-gain 0.005  pass
            latency_ms       100        120     +20   +20.00%  latency_ms max-rise 10%  FAIL: rose 20%, more than 10%
            gate FAILED: 1 passed, 1 failed, 0 skipped; baseline: file base.json
            ",
        )
        .run();
}

#[test]
fn in_a_git_repository_the_current_branch_is_gated_against_the_default_branch() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut options = RepositoryInitOptions::new();
    options.initial_head("main");
    Repository::init_opts(dir.path(), &options).expect("init a repository");
    std::fs::create_dir(dir.path().join("reports")).expect("mkdir");
    write(dir.path(), "reports/metrics.json", r#"{"accuracy": 0.93}"#);
    let reports = dir.path().join("reports");
    let rule = ["gate", "--metrics", "metrics.json", "--rule", "accuracy max-drop 0.01"];
    let (code, out, _) = mlci(&reports, &rule);
    assert_eq!(code, 0);
    assert!(
        out.contains("note: recorded as the new baseline of branch `main`\n"),
        "{out}"
    );
    assert!(
        dir.path().join(".mlci/metrics.db").is_file(),
        "the store is at the repository's root"
    );
    write(dir.path(), "reports/metrics.json", r#"{"accuracy": 0.9}"#);
    let (code, out, _) = mlci(&reports, &rule);
    assert_eq!(code, 1);
    assert!(
        out.ends_with("baseline: branch main (YYYY-MM-DD hh:mm:ss UTC)\n"),
        "{out}"
    );
}
