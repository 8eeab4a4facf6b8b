//! `mlci eval`: GitHub's expression conformance suite run through the real
//! binary, and the command's own behaviour (`${{ }}`, carets, `--context`).

use crate::support::{shared, Test};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Cases in `shared/conformance/expressions` (see SOURCE.md there).
const TOTAL_CASES: usize = 1020;

/// Cases whose outcome through `mlci eval` differs from the suite's
/// expectation, by design of the command rather than by a bug in the
/// expression engine (the library harness, `src/expr/conformance_tests.rs`,
/// passes all 1,020). Each is `(file, expr, reason)`. The test asserts that
/// the set of failing cases is exactly this set, so it fails both when a new
/// case differs and when one of these starts to pass.
///
/// None of the five cases the TypeScript harness skips (`options.skip:
/// ["typescript"]`) is skipped here: the memory-limit case passes through
/// the CLI, and the four multi-line ones are listed below because of the
/// usual context names, not because of their multi-line error column.
const CLI_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "syntax-errors.json",
        " true ||( false && false",
        "`mlci eval` trims the argument before parsing, so the error column is 19, not 20",
    ),
    (
        "syntax-errors.json",
        "github.event_name == 'push'\n && !contains(env.COMMIT_MESSAGES)",
        USUAL_ENV,
    ),
    (
        "syntax-errors.json",
        "github.event_name == 'push' \n&& true\n&& !contains(env.COMMIT_MESSAGES)",
        USUAL_ENV,
    ),
    (
        "syntax-errors.json",
        "github.event_name == 'push' \n&& true\n&& true\n&& !contains(env.COMMIT_MESSAGES)",
        USUAL_ENV,
    ),
    (
        "syntax-errors.json",
        "github.event_name == 'push' \n&& true\n&& true\n&& true\n&& !contains(env.COMMIT_MESSAGES)",
        USUAL_ENV,
    ),
];

const USUAL_ENV: &str = "the case's only context is `github` and it expects `Unrecognized named-value: 'env'`, \
     but `mlci eval` always knows the usual contexts (github, env, matrix, ...), so parsing goes on \
     and stops at `contains` with one argument (`Too few parameters supplied: 'contains'`, still exit 3)";

/// One case of the suite, flattened.
struct Case {
    file: String,
    group: String,
    expr: String,
    contexts: serde_json::Map<String, Value>,
    expected: Value,
}

fn load_suite() -> Vec<Case> {
    let dir = shared("conformance/expressions");
    assert!(dir.is_dir(), "the conformance suite is missing at {}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        let groups: serde_json::Map<String, Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not valid JSON: {e}"));
        for (group, list) in &groups {
            for case in list.as_array().into_iter().flatten() {
                cases.push(Case {
                    file: file.clone(),
                    group: group.clone(),
                    expr: case["expr"].as_str().expect("case without expr").to_string(),
                    contexts: case["contexts"].as_object().cloned().unwrap_or_default(),
                    expected: case
                        .get("err")
                        .or_else(|| case.get("result"))
                        .cloned()
                        .unwrap_or_default(),
                });
            }
        }
    }
    cases
}

/// Runs `mlci eval --context FILE -- EXPR`. The `--` is needed because a
/// dozen expressions start with `-` (`-1`, `-Infinity < true`), which clap
/// would otherwise take for an option (exit 2).
fn run_cli(case: &Case, context_file: &Path) -> (Option<i32>, String, String) {
    std::fs::write(context_file, serde_json::to_vec(&case.contexts).unwrap()).expect("write contexts");
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .arg("eval")
        .arg("--context")
        .arg(context_file)
        .arg("--")
        .arg(&case.expr)
        .output()
        .expect("run mlci");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Checks one case; `Err` describes what came out instead.
fn check(case: &Case, context_file: &Path) -> Result<(), String> {
    let (code, stdout, stderr) = run_cli(case, context_file);
    let got = || format!("exit {code:?}\n      stdout: {stdout:?}\n      stderr: {stderr:?}");
    let kind = case.expected["kind"].as_str().unwrap_or_default();
    let want = &case.expected["value"];
    match kind {
        "lexing" | "parsing" | "evaluation" => {
            let (stage, status) = match kind {
                "evaluation" => ("evaluation failed", 1),
                _ => ("invalid expression", 3),
            };
            if code != Some(status) || !stdout.is_empty() {
                return Err(got());
            }
            let (message, column) =
                parse_error(&stderr, stage).ok_or_else(|| format!("malformed stderr; {}", got()))?;
            // The CLI's own layout: message, the (trimmed) expression, a caret.
            let layout = format!(
                "error: {stage}: {message}\n  {}\n  {}^ column {column}\n",
                case.expr.trim(),
                " ".repeat(column.saturating_sub(1))
            );
            if stderr != layout {
                return Err(format!("stderr is not laid out as {layout:?}; {}", got()));
            }
            // The suite's expected text is GitHub's message with the harness's
            // ". Located at position N within expression: EXPR" suffix; the CLI
            // prints the position as the caret line instead, so rebuild it.
            let located = format!(
                "{message}. Located at position {column} within expression: {}",
                case.expr
            );
            let text = want.as_str().unwrap_or_default();
            if located.contains(text) {
                Ok(())
            } else {
                Err(format!("message {located:?}; {}", got()))
            }
        }
        _ => {
            if code != Some(0) || !stderr.is_empty() {
                return Err(got());
            }
            let value: Value =
                serde_json::from_str(&stdout).map_err(|e| format!("stdout is not JSON ({e}); {}", got()))?;
            if kind_of(&value) == kind && json_eq(want, &value) {
                Ok(())
            } else {
                Err(format!("{} {value}", kind_of(&value)))
            }
        }
    }
}

/// Splits `error: <stage>: <message>\n … ^ column N\n` into message and N.
fn parse_error(stderr: &str, stage: &str) -> Option<(String, usize)> {
    let rest = stderr.strip_prefix(&format!("error: {stage}: "))?;
    let message = rest.lines().next()?.to_string();
    let column = stderr.lines().last()?.trim().strip_prefix("^ column ")?.parse().ok()?;
    Some((message, column))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

/// JSON equality with numbers compared as f64 (so `-0` equals `0`) and
/// object keys compared in order, as the suite's `JSON.stringify` does.
fn json_eq(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_eq(x, y)),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka == kb && json_eq(va, vb))
        }
        _ => want == got,
    }
}

#[test]
fn conformance_suite_through_the_cli() {
    let cases = load_suite();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    // Two workers: each spawns one `mlci eval` at a time.
    std::thread::scope(|scope| {
        for worker in 0..2 {
            let (cases, next, failures) = (&cases, &next, &failures);
            let context_file = dir.path().join(format!("contexts-{worker}.json"));
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                if let Err(problem) = check(case, &context_file) {
                    failures.lock().unwrap().push((i, problem));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|(i, _)| *i);

    let mut differing = BTreeSet::new();
    for (i, problem) in &failures {
        let case = &cases[*i];
        let known = CLI_DIFFERENCES
            .iter()
            .find(|(f, e, _)| *f == case.file && *e == case.expr);
        eprintln!(
            "{} {} / {}: {:?}\n    expected {}\n    got {problem}{}",
            if known.is_some() { "KNOWN" } else { "FAIL" },
            case.file,
            case.group,
            case.expr,
            case.expected,
            known.map(|(_, _, why)| format!("\n    why: {why}")).unwrap_or_default()
        );
        differing.insert((case.file.as_str(), case.expr.as_str()));
    }
    eprintln!(
        "mlci eval conformance: {} run, {} passed, {} differ ({} expected, see CLI_DIFFERENCES)",
        cases.len(),
        cases.len() - failures.len(),
        failures.len(),
        CLI_DIFFERENCES.len()
    );
    assert_eq!(cases.len(), TOTAL_CASES, "the suite changed size");
    let known: BTreeSet<_> = CLI_DIFFERENCES.iter().map(|(f, e, _)| (*f, *e)).collect();
    assert_eq!(
        differing, known,
        "the cases that differ through `mlci eval` are not exactly CLI_DIFFERENCES"
    );
}

#[test]
fn dollar_brace_wrapped_expression_is_accepted() {
    Test::new()
        .write("contexts.json", r#"{"matrix": {"os": "linux"}}"#)
        .args(&[
            "eval",
            "${{ format('{0}-{1}', matrix.os, 1) }}",
            "--context",
            "contexts.json",
        ])
        .stdout("\"linux-1\"\n")
        .stderr("")
        .run();
}

#[test]
fn bad_expression_points_a_caret_at_the_column() {
    Test::new()
        .args(&["eval", "github.event_name == 'push' && )"])
        .status(3)
        .stdout("")
        .stderr(concat!(
            "error: invalid expression: Unexpected symbol: ')'\n",
            "  github.event_name == 'push' && )\n",
            "                                 ^ column 32\n",
        ))
        .run();
    Test::new()
        .args(&["eval", "format('{0}{1}', 'a')"])
        .status(1)
        .stdout("")
        .stderr(concat!(
            "error: evaluation failed: The following format string references more arguments than were supplied: {0}{1}\n",
            "  format('{0}{1}', 'a')\n",
            "  ^ column 1\n",
        ))
        .run();
}

#[test]
fn missing_context_file_is_a_usage_error() {
    Test::new()
        .args(&["eval", "github.ref", "--context", "missing.json"])
        .status(2)
        .stdout("")
        .stderr("error: failed to read missing.json: No such file or directory (os error 2)\n")
        .run();
}

#[test]
fn negative_numbers_are_expressions_not_flags() {
    Test::new().args(&["eval", "-1 < 0"]).stdout("true\n").run();
}
