//! Evaluating workflow strings for the CLI's plan-time needs.

use crate::expr::{parse_template, JsonContext, ParseOptions};
use crate::model::Text;
use serde_json::{Map, Value};

/// Evaluates a string that may hold `${{ }}` against JSON contexts.
pub fn evaluate_text(text: &Text, contexts: &Map<String, Value>) -> Result<Value, String> {
    let template = parse_template(&text.value, &ParseOptions::permissive()).map_err(|e| e.to_string())?;
    let host = JsonContext::new(contexts.clone());
    template.evaluate(&host).map(|v| v.to_json()).map_err(|e| e.to_string())
}
