//! The whole gate on real files: baselines recorded in `metrics.db`, the
//! exact table, and the inputs it refuses.

use super::{history, run_gate, run_gate_with_clock, BaselineSource, GateInput, Verdict, DB_FILE};
use crate::store::Clock;
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tempfile::TempDir;

const RULES: &str = "accuracy >= 0.90\nloss <= 0.35\naccuracy max-drop 0.01\nf1 max-drop 2%\nlatency_ms max-rise 10%\n";

/// A store and a metrics file in a temporary folder, and a clock that
/// advances one minute per gate from 2025-01-02 03:04:05 UTC.
struct Bench {
    dir: TempDir,
    minutes: Arc<AtomicI64>,
}

impl Bench {
    fn new() -> Bench {
        Bench {
            dir: tempfile::tempdir().expect("a temporary directory"),
            minutes: Arc::new(AtomicI64::new(0)),
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join(".mlci")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    fn clock(&self) -> Clock {
        let minutes = Arc::clone(&self.minutes);
        Arc::new(move || {
            let base = Utc
                .with_ymd_and_hms(2025, 1, 2, 3, 4, 5)
                .single()
                .expect("a valid time");
            base + chrono::Duration::minutes(minutes.fetch_add(1, Ordering::SeqCst))
        })
    }

    fn input(&self, metrics: serde_json::Value, baseline: BaselineSource, branch: Option<&str>) -> GateInput {
        GateInput {
            metrics_path: self.write("metrics.json", &metrics.to_string()),
            rules: RULES.to_string(),
            baseline,
            branch: branch.map(str::to_string),
            run_id: None,
        }
    }

    fn gate(&self, metrics: serde_json::Value, baseline: &str, branch: Option<&str>) -> Verdict {
        let input = self.input(metrics, BaselineSource::Branch(baseline.into()), branch);
        run_gate_with_clock(&self.store(), &input, &self.clock()).expect("a verdict")
    }
}

fn good() -> serde_json::Value {
    json!({"accuracy": 0.93, "loss": 0.3, "f1": 0.8, "latency_ms": 100})
}

#[test]
fn a_first_run_passes_without_a_baseline_and_becomes_it() {
    let bench = Bench::new();
    let verdict = bench.gate(good(), "main", Some("main"));
    assert!(verdict.passed && verdict.recorded);
    assert_eq!(verdict.baseline_label, None);
    assert_eq!(
        verdict.table(),
        "\
METRIC      BASELINE  CANDIDATE  CHANGE  CHANGE %  RULE                     RESULT
accuracy           -       0.93       -         -  accuracy >= 0.90         pass
loss               -        0.3       -         -  loss <= 0.35             pass
accuracy           -       0.93       -         -  accuracy max-drop 0.01   skipped: no baseline
f1                 -        0.8       -         -  f1 max-drop 2%           skipped: no baseline
latency_ms         -        100       -         -  latency_ms max-rise 10%  skipped: no baseline
note: no baseline: comparison skipped (no passing gate recorded on branch `main` yet)
note: recorded as the new baseline of branch `main`
gate passed: 2 passed, 0 failed, 3 skipped; baseline: none
"
    );
    let records = history(&bench.store(), None).expect("the history reads");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].branch, "main");
    assert_eq!(records[0].recorded_at, "2025-01-02T03:04:05.000Z");
    assert_eq!(records[0].metrics, good());
    assert!(records[0].passed);
    assert_eq!(records[0].run_id, None);
}

#[test]
fn a_drop_beyond_max_drop_fails_against_the_recorded_baseline() {
    let bench = Bench::new();
    bench.gate(good(), "main", Some("main"));
    let worse = json!({"accuracy": 0.915, "loss": 0.31, "f1": 0.79, "latency_ms": 112});
    let verdict = bench.gate(worse, "main", Some("main"));
    assert!(!verdict.passed);
    assert_eq!(
        verdict.baseline_label.as_deref(),
        Some("branch main (2025-01-02 03:04:05 UTC)")
    );
    assert_eq!(
        verdict.table(),
        "\
METRIC      BASELINE  CANDIDATE  CHANGE  CHANGE %  RULE                     RESULT
accuracy        0.93      0.915  -0.015    -1.61%  accuracy >= 0.90         pass
loss             0.3       0.31   +0.01    +3.33%  loss <= 0.35             pass
accuracy        0.93      0.915  -0.015    -1.61%  accuracy max-drop 0.01   FAIL: dropped 0.015, more than 0.01
f1               0.8       0.79   -0.01    -1.25%  f1 max-drop 2%           pass
latency_ms       100        112     +12   +12.00%  latency_ms max-rise 10%  FAIL: rose 12%, more than 10%
note: recorded in the history of branch `main`; its baseline is unchanged
gate FAILED: 3 passed, 2 failed, 0 skipped; baseline: branch main (2025-01-02 03:04:05 UTC)
"
    );
    assert_eq!(
        verdict.markdown(),
        "\
### Quality gate: FAILED

| Metric | Baseline | Candidate | Change | Change % | Rule | Result |
|:--|--:|--:|--:|--:|:--|:--|
| accuracy | 0.93 | 0.915 | -0.015 | -1.61% | accuracy >= 0.90 | pass |
| loss | 0.3 | 0.31 | +0.01 | +3.33% | loss <= 0.35 | pass |
| accuracy | 0.93 | 0.915 | -0.015 | -1.61% | accuracy max-drop 0.01 | FAIL: dropped 0.015, more than 0.01 |
| f1 | 0.8 | 0.79 | -0.01 | -1.25% | f1 max-drop 2% | pass |
| latency_ms | 100 | 112 | +12 | +12.00% | latency_ms max-rise 10% | FAIL: rose 12%, more than 10% |

- recorded in the history of branch `main`; its baseline is unchanged

gate FAILED: 3 passed, 2 failed, 0 skipped; baseline: branch main (2025-01-02 03:04:05 UTC)
"
    );
    // The failing gate is in the history but did not move the baseline.
    let records = history(&bench.store(), Some("main")).expect("the history reads");
    assert_eq!(records.iter().map(|r| r.passed).collect::<Vec<_>>(), vec![true, false]);
    let again = bench.gate(good(), "main", Some("main"));
    assert_eq!(
        again.baseline_label.as_deref(),
        Some("branch main (2025-01-02 03:04:05 UTC)")
    );
    assert!(again.passed);
    // Now the third gate is the baseline.
    let fourth = bench.gate(good(), "main", None);
    assert_eq!(
        fourth.baseline_label.as_deref(),
        Some("branch main (2025-01-02 03:06:05 UTC)")
    );
    assert!(!fourth.recorded);
}

#[test]
fn branches_have_their_own_baselines() {
    let bench = Bench::new();
    bench.gate(good(), "main", Some("main"));
    let feature = json!({"accuracy": 0.95, "loss": 0.2, "f1": 0.85, "latency_ms": 90});
    let verdict = bench.gate(feature.clone(), "main", Some("feature"));
    assert!(verdict.passed);
    assert_eq!(
        verdict.baseline_label.as_deref(),
        Some("branch main (2025-01-02 03:04:05 UTC)")
    );
    // main's baseline is still main's own; feature's is feature's.
    let on_main = bench.gate(good(), "main", None);
    assert_eq!(on_main.rows[0].baseline, Some(0.93));
    let on_feature = bench.gate(good(), "feature", None);
    assert_eq!(on_feature.rows[0].baseline, Some(0.95));
    assert_eq!(
        on_feature.baseline_label.as_deref(),
        Some("branch feature (2025-01-02 03:05:05 UTC)")
    );
    let none = bench.gate(good(), "release", None);
    assert_eq!(none.baseline_label, None);
    assert_eq!(
        none.notes,
        vec!["no baseline: comparison skipped (no passing gate recorded on branch `release` yet)"]
    );
    let branches: Vec<_> = history(&bench.store(), None)
        .expect("the history reads")
        .into_iter()
        .map(|r| r.branch)
        .collect();
    assert_eq!(branches, vec!["main", "feature"]);
    assert_eq!(history(&bench.store(), Some("feature")).expect("reads").len(), 1);
}

#[test]
fn a_file_baseline_and_the_run_id_recorded() {
    let bench = Bench::new();
    let base = bench.write("base.yaml", "accuracy: 0.99\nf1: 0.8\nlatency_ms: 100\n");
    let mut input = bench.input(good(), BaselineSource::File(base.clone()), Some("main"));
    input.run_id = Some(7);
    let verdict = run_gate_with_clock(&bench.store(), &input, &bench.clock()).expect("a verdict");
    assert!(!verdict.passed);
    assert_eq!(verdict.baseline_label, Some(format!("file {}", base.display())));
    assert_eq!(verdict.rows[2].reason.as_deref(), Some("dropped 0.06, more than 0.01"));
    assert_eq!(history(&bench.store(), None).expect("reads")[0].run_id, Some(7));

    input.baseline = BaselineSource::File(bench.dir.path().join("nope.json"));
    let error = run_gate(&bench.store(), &input).expect_err("a missing baseline file is an error");
    assert!(error.starts_with("cannot read "), "{error}");
}

#[test]
fn without_a_branch_nothing_is_written() {
    let bench = Bench::new();
    let verdict = bench.gate(good(), "main", None);
    assert!(verdict.passed && !verdict.recorded);
    assert!(!bench.store().exists(), "reading a baseline creates no store");
    assert_eq!(history(&bench.store(), None), Ok(vec![]));
}

#[test]
fn unusable_input_is_an_error_not_a_verdict() {
    let bench = Bench::new();
    let mut input = bench.input(good(), BaselineSource::Branch("main".into()), Some("main"));
    input.rules = "accuracy >= 0.9\n\nacc >> 0.9\nf1 max-dorp 2%\n".into();
    assert_eq!(
        run_gate(&bench.store(), &input),
        Err(
            "rules:3: cannot read `acc >> 0.9`: `>>` is not a comparison; use >=, <=, >, < or ==\n\
             rules:4: cannot read `f1 max-dorp 2%`: `max-dorp` is not a rule; did you mean `max-drop`?"
                .to_string()
        )
    );
    input.rules = "# nothing yet\n".into();
    assert_eq!(
        run_gate(&bench.store(), &input),
        Err("rules: no rules (every line is blank or a comment); a gate without rules would pass anything".into())
    );
    input.rules = RULES.into();
    input.metrics_path = bench.write("metrics.json", "[1, 2]");
    let error = run_gate(&bench.store(), &input).expect_err("an array is not metrics");
    assert!(
        error.ends_with("the metrics must be an object (`{\"accuracy\": 0.93}`), not an array"),
        "{error}"
    );
    input.metrics_path = bench.dir.path().join("missing.json");
    let error = run_gate(&bench.store(), &input).expect_err("a missing file is an error");
    assert!(
        error.starts_with(&format!("cannot read {}", input.metrics_path.display())),
        "{error}"
    );
    assert!(!bench.store().join(DB_FILE).exists(), "nothing was recorded");
}

#[test]
fn a_nan_metric_from_python_fails_its_rules_and_the_verdict_serializes() {
    let bench = Bench::new();
    let mut input = bench.input(good(), BaselineSource::Branch("main".into()), None);
    input.metrics_path = bench.write("metrics.json", r#"{"accuracy": NaN, "loss": 0.3, "f1": 0.8}"#);
    let verdict = run_gate(&bench.store(), &input).expect("a verdict");
    assert!(!verdict.passed);
    let json = serde_json::to_value(&verdict).expect("serializes");
    assert_eq!(
        json["rows"][0],
        json!({
            "metric": "accuracy", "baseline": null, "candidate": null, "change": null,
            "change_percent": null, "rule": "accuracy >= 0.90", "result": "fail", "reason": "value is NaN",
        })
    );
    assert_eq!(json["rows"][4]["reason"], "metric not found");
    assert_eq!(json["passed"], false);
    assert_eq!(json["baseline_label"], serde_json::Value::Null);
    assert!(verdict
        .table()
        .contains("accuracy           -        NaN       -         -  accuracy >= 0.90         FAIL: value is NaN\n"));
}

#[test]
fn a_store_written_by_a_newer_mlci_is_refused() {
    let bench = Bench::new();
    bench.gate(good(), "main", Some("main"));
    let path = bench.store().join(DB_FILE);
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", 99).expect("set version");
    drop(conn);
    assert_eq!(
        history(&bench.store(), None),
        Err(format!(
            "{} was written by a newer mlci (schema 99; this one knows up to 2)",
            path.display()
        ))
    );
}
