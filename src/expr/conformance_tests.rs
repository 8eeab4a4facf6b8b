//! GitHub's cross-language expression suite (actions/languageservices
//! `expressions/testdata`), run the way its harness runs it: parse with the
//! case's context names as the only named values and no extra functions,
//! evaluate, then compare the kind and JSON value, or the error kind and
//! message (with the "Located at position" suffix).

use std::fs;
use std::path::Path;

use super::{evaluate, parse, ErrorKind, JsonContext, ParseOptions, Value};

const SUITE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance/expressions");
const TOTAL_CASES: usize = 1020;

/// What one case expects.
enum Expected {
    Value { kind: String, value: serde_json::Value },
    Error { kind: String, text: String },
}

fn run_case(case: &serde_json::Value) -> Result<(), String> {
    let expr = case["expr"].as_str().ok_or("case without expr")?;
    let contexts = case["contexts"].as_object().cloned().unwrap_or_default();
    let expected = if let Some(err) = case.get("err") {
        Expected::Error {
            kind: err["kind"].as_str().unwrap_or_default().to_string(),
            text: err["value"].as_str().unwrap_or_default().to_string(),
        }
    } else {
        Expected::Value {
            kind: case["result"]["kind"].as_str().unwrap_or_default().to_string(),
            value: case["result"]["value"].clone(),
        }
    };
    let opts = ParseOptions::with_named_values(contexts.keys().cloned());
    let host = JsonContext::new(contexts);
    let outcome = parse(expr, &opts).and_then(|ast| evaluate(&ast, &host));
    match (outcome, expected) {
        (Ok(value), Expected::Value { kind, value: want }) => {
            if value.kind_name() == kind && json_matches(&want, &value) {
                Ok(())
            } else {
                Err(format!("got {} {}", value.kind_name(), value.to_json()))
            }
        }
        (Err(e), Expected::Error { kind, text }) => {
            let got_kind = match e.kind {
                ErrorKind::Lexing => "lexing",
                ErrorKind::Parsing => "parsing",
                ErrorKind::Evaluation => "evaluation",
            };
            let message = e.located(expr);
            if got_kind == kind && message.contains(&text) {
                Ok(())
            } else {
                Err(format!("got {got_kind} error: {message}"))
            }
        }
        (Ok(value), Expected::Error { .. }) => Err(format!(
            "got {} {} instead of an error",
            value.kind_name(),
            value.to_json()
        )),
        (Err(e), Expected::Value { .. }) => Err(format!("got {:?} error: {}", e.kind, e.located(expr))),
    }
}

/// JSON equality with numbers compared as f64 (so `-0` equals `0`) and
/// object keys compared in order, as the TypeScript harness's
/// `JSON.stringify` comparison does.
fn json_matches(want: &serde_json::Value, got: &Value) -> bool {
    match (want, got) {
        (serde_json::Value::Null, Value::Null) => true,
        (serde_json::Value::Bool(a), Value::Bool(b)) => a == b,
        (serde_json::Value::Number(a), Value::Number(b)) => a.as_f64() == Some(*b),
        (serde_json::Value::String(a), Value::String(b)) => a == b,
        (serde_json::Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| json_matches(x, y))
        }
        (serde_json::Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b.iter())
                    .all(|((ka, va), (kb, vb))| ka == kb && json_matches(va, vb))
        }
        _ => false,
    }
}

#[test]
fn github_expression_conformance_suite() {
    let dir = Path::new(SUITE);
    assert!(
        dir.is_dir(),
        "the conformance suite is missing: expected GitHub's expression test data at {}",
        dir.display()
    );
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();

    let (mut run, mut failures) = (0, Vec::new());
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        let groups: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid JSON: {e}"));
        for (group, cases) in &groups {
            for case in cases.as_array().into_iter().flatten() {
                run += 1;
                if let Err(problem) = run_case(case) {
                    let expected = case.get("err").or_else(|| case.get("result"));
                    failures.push(format!(
                        "{name} / {group}: {}\n    expected {}\n    {problem}",
                        case["expr"],
                        expected.map(ToString::to_string).unwrap_or_default()
                    ));
                }
            }
        }
    }
    for failure in &failures {
        eprintln!("FAIL {failure}");
    }
    eprintln!(
        "conformance: {} passed, {} failed, {run} run",
        run - failures.len(),
        failures.len()
    );
    // Every case runs, including the five the TypeScript harness skips.
    assert_eq!(run, TOTAL_CASES, "the suite changed size");
    assert!(failures.is_empty(), "{} conformance cases failed", failures.len());
}
