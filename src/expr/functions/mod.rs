//! The built-in functions. Those that evaluate all their arguments up front
//! live here as plain functions over values; `format` and `case` evaluate
//! arguments lazily and are driven by the evaluator.

pub(crate) mod format;
mod glob;
pub(crate) mod hash_files;
mod json_writer;
mod strings;

pub(crate) use json_writer::to_json;
pub(crate) use strings::{contains, ends_with, join, starts_with};

use super::value::Value;

/// `fromJSON(s)`: the argument as a string, parsed as one JSON value.
pub(crate) fn from_json(arg: &Value) -> Result<Value, String> {
    let text = arg.to_display_string();
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|json| Value::from_json(&json))
        .map_err(|e| format!("Error parsing fromJson: {e}"))
}
