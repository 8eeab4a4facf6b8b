//! The metrics file: a JSON or YAML object, flat (DVC-style `{"acc": 0.9}`)
//! or nested (`{"eval": {"acc": 0.9}}`), and reading one metric from it by
//! a dotted path.
//!
//! Python's `json.dump` writes `NaN`, `Infinity` and `-Infinity`, which
//! strict JSON refuses; they are read as strings here (as are YAML's
//! `.nan` and `.inf`), and a metric whose value spells one of them reads as
//! that number, so a NaN metric fails its rule instead of making the whole
//! file unreadable.

use crate::load::parse_yaml;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::path::Path;

/// A metrics object.
pub type Metrics = Map<String, Value>;

/// Metrics files larger than this are refused: metrics are a few numbers.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One metric as found in a metrics object.
#[derive(Clone, Debug, PartialEq)]
pub enum Reading {
    /// A number, possibly NaN or infinite.
    Number(f64),
    Missing,
    Null,
    /// Not a number: "a string", "a boolean", "an object", "an array".
    NotNumber(&'static str),
}

/// Reads the metrics object in `path`: YAML for `.yaml`/`.yml`, JSON for
/// `.json`, and for any other name JSON, else YAML.
pub fn load_metrics(path: &Path) -> Result<Metrics, String> {
    let name = path.display();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{name}: the file is {size} bytes; a metrics file is at most 16 MiB"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let value = match extension.to_ascii_lowercase().as_str() {
        "yaml" | "yml" => yaml(&text).map_err(|e| format!("{name}:{e}"))?,
        "json" => json(&text).map_err(|e| format!("{name}:{e}"))?,
        _ => match json(&text) {
            Ok(value) => value,
            Err(json_error) => yaml(&text).map_err(|_| format!("{name}:{json_error}"))?,
        },
    };
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "{name}: the metrics must be an object (`{{\"accuracy\": 0.93}}`), not {}",
            kind(&other)
        )),
    }
}

/// The metric at `path`: the key `path` itself if the object has it, else
/// the dotted path into nested objects (array items by index), trying every
/// split so that keys which themselves hold dots are found too.
pub fn read(metrics: &Metrics, path: &str) -> Reading {
    let found = metrics
        .get(path)
        .or_else(|| split_points(path).find_map(|(head, tail)| metrics.get(head).and_then(|v| find(v, tail))));
    match found {
        None => Reading::Missing,
        Some(Value::Null) => Reading::Null,
        Some(Value::Number(n)) => n
            .as_f64()
            .map_or(Reading::NotNumber("a number out of range"), Reading::Number),
        Some(Value::String(s)) => non_finite(s).map_or(Reading::NotNumber("a string"), Reading::Number),
        Some(other) => Reading::NotNumber(kind(other)),
    }
}

/// Every numeric leaf of `metrics` under its dotted path (arrays and
/// non-numeric values left out), for listing recorded metrics.
pub fn flatten(metrics: &Metrics) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    flatten_into(metrics, "", &mut out);
    out
}

fn flatten_into(metrics: &Metrics, prefix: &str, out: &mut Vec<(String, f64)>) {
    for (key, value) in metrics {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) => flatten_into(inner, &path, out),
            Value::Number(n) => out.extend(n.as_f64().map(|n| (path, n))),
            Value::String(s) => out.extend(non_finite(s).map(|n| (path, n))),
            _ => {}
        }
    }
}

fn find<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(found) = child(value, path) {
        return Some(found);
    }
    split_points(path).find_map(|(head, tail)| child(value, head).and_then(|v| find(v, tail)))
}

/// `("a", "b.c")` and `("a.b", "c")` for `a.b.c`.
fn split_points(path: &str) -> impl Iterator<Item = (&str, &str)> {
    path.match_indices('.')
        .map(move |(at, _)| (&path[..at], &path[at + 1..]))
}

fn child<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

/// NaN and the infinities as JSON writers (`NaN`, `Infinity`) and YAML
/// (`.nan`, `.inf`) spell them, in any case, with an optional sign.
fn non_finite(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let (negative, body) = match lower.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, lower.strip_prefix('+').unwrap_or(&lower)),
    };
    match body {
        "nan" | ".nan" => Some(f64::NAN),
        "inf" | ".inf" | "infinity" if negative => Some(f64::NEG_INFINITY),
        "inf" | ".inf" | "infinity" => Some(f64::INFINITY),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Strict JSON, except that `NaN`, `Infinity` and `-Infinity` outside
/// strings are read as strings. Errors read `LINE:COL: message`.
fn json(text: &str) -> Result<Value, String> {
    serde_json::from_str(&quote_non_finite(text)).map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))
}

fn yaml(text: &str) -> Result<Value, String> {
    let loaded = parse_yaml(text);
    if let Some(error) = loaded.diagnostics.first() {
        return Err(format!("{}:{}: {}", error.span.line, error.span.col, error.message));
    }
    Ok(loaded.root.map_or(Value::Null, |root| root.to_json()))
}

/// Puts quotes around the bare words `NaN`, `Infinity` and `-Infinity`
/// that stand where a JSON value may (outside strings).
fn quote_non_finite(text: &str) -> Cow<'_, str> {
    if !text.contains("NaN") && !text.contains("Infinity") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(word) = ["NaN", "Infinity", "-Infinity"]
            .into_iter()
            .find(|w| rest.starts_with(w))
        {
            out.push('"');
            out.push_str(word);
            out.push('"');
            rest = &rest[word.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
