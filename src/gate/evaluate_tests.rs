//! Deciding rules: values, comparisons, and every way a metric can be unusable.

use super::evaluate::evaluate;
use super::metrics::Metrics;
use super::{parse_rules, Row, RowResult};
use serde_json::{json, Value};

fn object(value: Value) -> Metrics {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn run(rules: &str, candidate: Value, baseline: Option<Value>) -> (Vec<Row>, Vec<String>) {
    let rules = parse_rules(rules).expect("the rules parse");
    let baseline = baseline.map(object);
    evaluate(&rules, &object(candidate), baseline.as_ref())
}

/// `(result, reason)` of each row.
fn outcomes(rows: &[Row]) -> Vec<(RowResult, Option<&str>)> {
    rows.iter().map(|r| (r.result, r.reason.as_deref())).collect()
}

use RowResult::{Fail, Pass, Skipped};

#[test]
fn value_rules_hold_or_say_how_they_missed() {
    let rules = "a >= 0.9\na > 0.9\na <= 0.9\na < 0.9\na == 0.9\nb >= 0.9\nb <= 0.35\nb == 1";
    let (rows, notes) = run(rules, json!({"a": 0.9, "b": 0.5}), None);
    assert_eq!(
        outcomes(&rows),
        vec![
            (Pass, None),
            (Fail, Some("not above 0.9")),
            (Pass, None),
            (Fail, Some("not below 0.9")),
            (Pass, None),
            (Fail, Some("below 0.9")),
            (Fail, Some("above 0.35")),
            (Fail, Some("not equal to 1")),
        ]
    );
    assert!(notes.is_empty());
    assert_eq!(rows[0].candidate, Some(0.9));
    assert_eq!(rows[0].baseline, None);
    assert_eq!(rows[0].change, None);
}

#[test]
fn values_on_a_bound_pass_despite_float_noise() {
    // 0.1 + 0.2 is 0.30000000000000004.
    let (rows, _) = run("x <= 0.3\nx == 0.3", json!({"x": 0.1 + 0.2}), None);
    assert_eq!(outcomes(&rows), vec![(Pass, None), (Pass, None)]);
    // 0.93 - 0.01 is 0.9200000000000002, above the candidate 0.92.
    let (rows, _) = run("acc max-drop 0.01", json!({"acc": 0.92}), Some(json!({"acc": 0.93})));
    assert_eq!(outcomes(&rows), vec![(Pass, None)]);
}

#[test]
fn unusable_candidates_fail_every_rule_on_them() {
    let rules = "missing >= 0\nnan >= 0\ninf <= 1\nneg >= 0\nnull >= 0\ntext >= 0\nflag >= 0\nlist >= 0\nnested >= 0\nmissing max-drop 1";
    let candidate = json!({
        "nan": "NaN", "inf": "Infinity", "neg": "-Infinity", "null": null, "text": "high",
        "flag": true, "list": [1], "nested": {"a": 1},
    });
    let (rows, notes) = run(rules, candidate, None);
    assert_eq!(
        outcomes(&rows),
        vec![
            (Fail, Some("metric not found")),
            (Fail, Some("value is NaN")),
            (Fail, Some("value is infinite")),
            (Fail, Some("value is infinite")),
            (Fail, Some("metric is null")),
            (Fail, Some("not a number (a string)")),
            (Fail, Some("not a number (a boolean)")),
            (Fail, Some("not a number (an array)")),
            (Fail, Some("not a number (an object)")),
            (Fail, Some("metric not found")),
        ]
    );
    assert!(notes.is_empty());
    assert!(rows[1].candidate.is_some_and(f64::is_nan));
    assert_eq!(rows[2].candidate, Some(f64::INFINITY));
    assert_eq!(rows[5].candidate, None);
}

#[test]
fn nested_keys_are_dotted_paths() {
    let candidate = json!({"eval": {"accuracy": 0.95, "latency_ms": {"p95": 30}}});
    let baseline = json!({"eval": {"accuracy": 0.96, "latency_ms": {"p95": 25}}});
    let (rows, _) = run(
        "eval.accuracy >= 0.9\neval.latency_ms.p95 max-rise 10%",
        candidate,
        Some(baseline),
    );
    assert_eq!(
        outcomes(&rows),
        vec![(Pass, None), (Fail, Some("rose 20%, more than 10%"))]
    );
    assert_eq!(rows[1].metric, "eval.latency_ms.p95");
    assert_eq!((rows[1].baseline, rows[1].candidate), (Some(25.0), Some(30.0)));
    assert_eq!((rows[1].change, rows[1].change_percent), (Some(5.0), Some(20.0)));
}

#[test]
fn max_drop_absolute_and_relative() {
    let rules = "acc max-drop 0.01\nf1 max-drop 2%";
    let baseline = json!({"acc": 0.93, "f1": 0.8});
    let (rows, _) = run(rules, json!({"acc": 0.925, "f1": 0.784}), Some(baseline.clone()));
    assert_eq!(outcomes(&rows), vec![(Pass, None), (Pass, None)]);
    let (rows, _) = run(rules, json!({"acc": 0.915, "f1": 0.78}), Some(baseline.clone()));
    assert_eq!(
        outcomes(&rows),
        vec![
            (Fail, Some("dropped 0.015, more than 0.01")),
            (Fail, Some("dropped 2.5%, more than 2%")),
        ]
    );
    // A rise never fails a max-drop.
    let (rows, _) = run(rules, json!({"acc": 0.99, "f1": 0.9}), Some(baseline));
    assert_eq!(outcomes(&rows), vec![(Pass, None), (Pass, None)]);
}

#[test]
fn relative_limits_scale_with_the_baselines_magnitude() {
    // Baseline -10, 10% allows a drop of 1: to -11.
    let (rows, _) = run(
        "score max-drop 10%",
        json!({"score": -11.0}),
        Some(json!({"score": -10.0})),
    );
    assert_eq!(outcomes(&rows), vec![(Pass, None)]);
    assert_eq!(rows[0].change_percent, Some(-10.0));
    let (rows, _) = run(
        "score max-drop 10%",
        json!({"score": -11.5}),
        Some(json!({"score": -10.0})),
    );
    assert_eq!(outcomes(&rows), vec![(Fail, Some("dropped 15%, more than 10%"))]);
}

#[test]
fn max_rise_absolute_and_relative() {
    let rules = "loss max-rise 0.05\nlatency_ms max-rise 10%";
    let baseline = json!({"loss": 0.3, "latency_ms": 100});
    let (rows, _) = run(rules, json!({"loss": 0.35, "latency_ms": 110}), Some(baseline.clone()));
    assert_eq!(outcomes(&rows), vec![(Pass, None), (Pass, None)]);
    let (rows, _) = run(rules, json!({"loss": 0.36, "latency_ms": 111}), Some(baseline.clone()));
    assert_eq!(
        outcomes(&rows),
        vec![
            (Fail, Some("rose 0.06, more than 0.05")),
            (Fail, Some("rose 11%, more than 10%")),
        ]
    );
    let (rows, _) = run(rules, json!({"loss": 0.1, "latency_ms": 50}), Some(baseline));
    assert_eq!(outcomes(&rows), vec![(Pass, None), (Pass, None)]);
}

#[test]
fn min_gain_needs_an_improvement() {
    let rules = "auc min-gain 0.01\nauc min-gain 5%";
    let baseline = json!({"auc": 0.8});
    let (rows, _) = run(rules, json!({"auc": 0.84}), Some(baseline.clone()));
    assert_eq!(outcomes(&rows), vec![(Pass, None), (Pass, None)]);
    let (rows, _) = run(rules, json!({"auc": 0.805}), Some(baseline.clone()));
    assert_eq!(
        outcomes(&rows),
        vec![
            (Fail, Some("gained 0.005; needs at least 0.01")),
            (Fail, Some("gained 0.63%; needs at least 5%")),
        ]
    );
    let (rows, _) = run(rules, json!({"auc": 0.79}), Some(baseline));
    assert_eq!(
        outcomes(&rows),
        vec![
            (Fail, Some("dropped 0.01; needs a gain of at least 0.01")),
            (Fail, Some("dropped 1.25%; needs a gain of at least 5%")),
        ]
    );
}

#[test]
fn without_a_baseline_comparisons_are_skipped_and_values_still_apply() {
    let (rows, notes) = run(
        "acc >= 0.9\nacc max-drop 0.01\nloss <= 0.3",
        json!({"acc": 0.95, "loss": 0.4}),
        None,
    );
    assert_eq!(
        outcomes(&rows),
        vec![(Pass, None), (Skipped, Some("no baseline")), (Fail, Some("above 0.3"))]
    );
    assert!(notes.is_empty(), "the caller notes why there is no baseline");
}

#[test]
fn a_metric_new_since_the_baseline_is_skipped_with_a_note() {
    let rules = "f1 max-drop 1%\nf1 max-rise 50%\nacc max-drop 0.01";
    let (rows, notes) = run(rules, json!({"f1": 0.7, "acc": 0.9}), Some(json!({"acc": 0.9})));
    assert_eq!(
        outcomes(&rows),
        vec![
            (Skipped, Some("not in the baseline")),
            (Skipped, Some("not in the baseline")),
            (Pass, None)
        ]
    );
    assert_eq!(notes, vec!["no baseline for `f1`: comparison skipped"]);
    assert_eq!(rows[2].change, Some(0.0));
    assert_eq!(rows[2].change_percent, Some(0.0));
}

#[test]
fn an_unusable_baseline_value_skips_the_comparison() {
    let (rows, _) = run(
        "a max-drop 1\nb max-drop 1\nc max-drop 1",
        json!({"a": 1, "b": 1, "c": 1}),
        Some(json!({"a": "NaN", "b": "x", "c": null})),
    );
    assert_eq!(
        outcomes(&rows),
        vec![
            (Skipped, Some("the baseline is NaN")),
            (Skipped, Some("the baseline's value is not a number")),
            (Skipped, Some("the baseline's value is not a number")),
        ]
    );
}

#[test]
fn a_relative_rule_on_a_zero_baseline() {
    let baseline = Some(json!({"errors": 0, "drift": 0}));
    let (rows, notes) = run(
        "errors max-rise 10%\nerrors <= 3\ndrift max-rise 10%",
        json!({"errors": 2, "drift": 0.5}),
        baseline,
    );
    assert_eq!(
        outcomes(&rows),
        vec![
            (Skipped, Some("the baseline is 0")),
            (Pass, None),
            (
                Fail,
                Some("the baseline is 0, so a relative change is undefined; add an absolute rule (`drift max-rise 0.01`)")
            ),
        ]
    );
    assert_eq!(
        notes,
        vec!["warning: the baseline of `errors` is 0, so `errors max-rise 10%` cannot be checked; skipped, as `errors <= 3` covers `errors`"]
    );
    assert_eq!((rows[0].change, rows[0].change_percent), (Some(2.0), None));
}
