//! One-call evaluation over JSON contexts, for `mlci eval`.

use super::error::ExprError;
use super::eval::evaluate;
use super::host::JsonContext;
use super::options::{ExtraFunctions, ParseOptions};
use super::parser::parse;

/// Contexts that are always accepted as names (null when not supplied), so
/// that `github.ref` works without passing a `github` object.
const USUAL_CONTEXTS: [&str; 12] = [
    "github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix", "needs", "inputs",
];

/// Parses and evaluates `expr` with `contexts` as named values (plus the
/// usual context names) and every function; the status functions report a
/// successful job and `hashFiles()` is unavailable. Returns the result as
/// JSON (NaN and ±Infinity become null).
pub fn eval_json(
    expr: &str,
    contexts: &serde_json::Map<String, serde_json::Value>,
) -> Result<serde_json::Value, ExprError> {
    let mut names: Vec<String> = contexts.keys().cloned().collect();
    names.extend(USUAL_CONTEXTS.iter().map(|s| s.to_string()));
    let opts = ParseOptions::with_named_values(names).functions(ExtraFunctions::ALL);
    let ast = parse(expr, &opts)?;
    let host = JsonContext::new(contexts.clone());
    evaluate(&ast, &host).map(|v| v.to_json())
}
