//! Reading metrics files and metrics by dotted path.

use super::*;
use serde_json::json;

fn object(value: Value) -> Metrics {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[test]
fn dotted_paths_read_nested_flat_and_dotted_keys() {
    let m = object(json!({
        "acc": 0.9,
        "eval": {"accuracy": 0.8, "per_class": [0.1, 0.2]},
        "latency_ms.p95": 12,
        "a": {"b.c": {"d": 4}},
    }));
    assert_eq!(read(&m, "acc"), Reading::Number(0.9));
    assert_eq!(read(&m, "eval.accuracy"), Reading::Number(0.8));
    assert_eq!(read(&m, "eval.per_class.1"), Reading::Number(0.2));
    assert_eq!(read(&m, "latency_ms.p95"), Reading::Number(12.0));
    assert_eq!(read(&m, "a.b.c.d"), Reading::Number(4.0));
    assert_eq!(read(&m, "eval"), Reading::NotNumber("an object"));
    assert_eq!(read(&m, "eval.per_class"), Reading::NotNumber("an array"));
    assert_eq!(read(&m, "eval.recall"), Reading::Missing);
    assert_eq!(read(&m, "acc.x"), Reading::Missing);
    assert_eq!(read(&m, "eval.per_class.7"), Reading::Missing);
    assert_eq!(read(&m, ""), Reading::Missing);
}

#[test]
fn non_finite_spellings_read_as_numbers_other_strings_do_not() {
    let m = object(json!({"a": "NaN", "b": "-Infinity", "c": ".inf", "d": "high", "e": null, "f": true}));
    assert!(matches!(read(&m, "a"), Reading::Number(n) if n.is_nan()));
    assert_eq!(read(&m, "b"), Reading::Number(f64::NEG_INFINITY));
    assert_eq!(read(&m, "c"), Reading::Number(f64::INFINITY));
    assert_eq!(read(&m, "d"), Reading::NotNumber("a string"));
    assert_eq!(read(&m, "e"), Reading::Null);
    assert_eq!(read(&m, "f"), Reading::NotNumber("a boolean"));
}

#[test]
fn pythons_nan_tokens_are_quoted_outside_strings_only() {
    let text = r#"{"a": NaN, "b": -Infinity, "c": Infinity, "s": "NaN \" Infinity"}"#;
    assert_eq!(
        quote_non_finite(text),
        r#"{"a": "NaN", "b": "-Infinity", "c": "Infinity", "s": "NaN \" Infinity"}"#
    );
    assert_eq!(
        json(text).ok(),
        Some(json!({"a": "NaN", "b": "-Infinity", "c": "Infinity", "s": "NaN \" Infinity"}))
    );
}

#[test]
fn files_load_as_json_or_yaml_and_must_be_objects() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let yaml_file = write("m.yaml", "eval:\n  accuracy: 0.93\nloss: .nan\n");
    let loaded = load_metrics(&yaml_file).expect("YAML loads");
    assert_eq!(read(&loaded, "eval.accuracy"), Reading::Number(0.93));
    assert!(matches!(read(&loaded, "loss"), Reading::Number(n) if n.is_nan()));

    let other = write("metrics.txt", "accuracy: 0.5\n");
    assert_eq!(
        read(&load_metrics(&other).expect("YAML fallback"), "accuracy"),
        Reading::Number(0.5)
    );

    let broken = write("bad.json", "{\"a\": 0.9,\n \"b\": }");
    assert_eq!(
        load_metrics(&broken),
        Err(format!("{}:2:7: expected value at line 2 column 7", broken.display()))
    );
    let list = write("list.json", "[0.9]");
    assert_eq!(
        load_metrics(&list),
        Err(format!(
            "{}: the metrics must be an object (`{{\"accuracy\": 0.93}}`), not an array",
            list.display()
        ))
    );
    let missing = dir.path().join("none.json");
    let error = load_metrics(&missing).expect_err("a missing file is an error");
    assert!(
        error.starts_with(&format!("cannot read {}: ", missing.display())),
        "{error}"
    );
}

#[test]
fn flatten_lists_numeric_leaves_by_dotted_path() {
    let m = object(json!({"eval": {"acc": 0.9, "name": "x", "nan": "NaN"}, "loss": 1, "list": [1]}));
    let flat = flatten(&m);
    assert_eq!(flat.len(), 3);
    assert_eq!(flat[0], ("eval.acc".to_string(), 0.9));
    assert!(flat[1].0 == "eval.nan" && flat[1].1.is_nan());
    assert_eq!(flat[2], ("loss".to_string(), 1.0));
}
