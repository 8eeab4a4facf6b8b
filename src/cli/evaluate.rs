//! Evaluating workflow strings for the CLI's plan-time needs.

use crate::expr::{parse_template, JsonContext, ParseOptions};
use crate::model::Text;
use serde_json::Value;

/// Evaluates a string that may hold `${{ }}` against prepared contexts.
pub fn evaluate_text(text: &Text, host: &JsonContext) -> Result<Value, String> {
    // Most values (labels, images, names) hold no expression: they are
    // themselves, and copying the contexts for them dominated `plan`'s time.
    if !text.has_expression() {
        return Ok(Value::String(text.value.clone()));
    }
    let template = parse_template(&text.value, &ParseOptions::permissive()).map_err(|e| e.to_string())?;
    template.evaluate(host).map(|v| v.to_json()).map_err(|e| e.to_string())
}
