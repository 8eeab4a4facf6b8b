//! The `inputs` context of a `workflow_dispatch` run, typed by the
//! workflow's declared inputs.

use crate::model::Workflow;
use serde_json::{Map, Value};

/// The `inputs` context of a workflow_dispatch: defaults, then `--input`s.
///
/// The event payload's `inputs` (as GitHub sends them, all strings) come
/// before the `--input` flags, and both are typed by the declared input type,
/// so a boolean input `"true"` compares `== true`.
pub fn dispatch_inputs(
    workflow: &Workflow,
    flags: &[String],
    payload: Option<&Value>,
) -> Result<Map<String, Value>, String> {
    let mut given: Vec<String> = payload
        .and_then(|p| p.get("inputs"))
        .and_then(Value::as_object)
        .map(|inputs| {
            inputs
                .iter()
                .map(|(name, value)| match value {
                    Value::String(s) => format!("{name}={s}"),
                    other => format!("{name}={other}"),
                })
                .collect()
        })
        .unwrap_or_default();
    given.extend(flags.iter().cloned());
    let mut inputs = Map::new();
    let declared = workflow
        .on
        .event("workflow_dispatch")
        .map(|e| e.inputs.as_slice())
        .unwrap_or_default();
    for input in declared {
        let default = input.default.clone().unwrap_or(match input.kind.as_str() {
            "boolean" => Value::Bool(false),
            _ => Value::String(String::new()),
        });
        inputs.insert(input.id.value.clone(), default);
    }
    for pair in &given {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--input takes NAME=VALUE, not `{pair}`"))?;
        let Some(input) = declared.iter().find(|i| i.id.value == name) else {
            let names: Vec<&str> = declared.iter().map(|i| i.id.value.as_str()).collect();
            return Err(format!(
                "the workflow has no input `{name}` (its inputs: {})",
                names.join(", ")
            ));
        };
        let typed = match input.kind.as_str() {
            "boolean" => Value::Bool(value == "true"),
            "number" => value
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| format!("input `{name}` is a number, not `{value}`"))?,
            "choice" if !input.options.iter().any(|o| o.value == value) => {
                return Err(format!(
                    "input `{name}` must be one of {}",
                    input
                        .options
                        .iter()
                        .map(|o| o.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
            _ => Value::String(value.to_string()),
        };
        inputs.insert(name.to_string(), typed);
    }
    Ok(inputs)
}
