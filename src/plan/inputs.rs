//! The `inputs` context of a `workflow_dispatch` run, typed by the
//! workflow's declared inputs.

use crate::model::Workflow;
use serde_json::{Map, Value};

/// A workflow_dispatch's inputs twice: typed by their declared type for the
/// `inputs` context, and as the strings GitHub sends for
/// `github.event.inputs` (gha-semantics: booleans become strings there).
#[derive(Debug, Default, PartialEq)]
pub struct DispatchInputs {
    pub typed: Map<String, Value>,
    pub strings: Map<String, Value>,
}

/// The `inputs` context of a workflow_dispatch: defaults, then `--input`s.
pub fn dispatch_inputs(
    workflow: &Workflow,
    flags: &[String],
    payload: Option<&Value>,
) -> Result<Map<String, Value>, String> {
    resolve_inputs(workflow, flags, payload).map(|inputs| inputs.typed)
}

/// Every input a workflow_dispatch of `workflow` gets: its defaults, then
/// the event payload's `inputs` (as GitHub sends them, all strings), then
/// the `--input NAME=VALUE` flags, each typed by its declared type, so a
/// boolean input `"true"` compares `== true`. A flag the workflow does not
/// declare is left out: over a folder, `--input` applies to the workflows
/// that declare it. An undeclared input in the payload is an error, as
/// GitHub refuses such a dispatch.
pub fn resolve_inputs(
    workflow: &Workflow,
    flags: &[String],
    payload: Option<&Value>,
) -> Result<DispatchInputs, String> {
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
    let from_payload = given.len();
    given.extend(flags.iter().cloned());
    let mut inputs = DispatchInputs::default();
    let declared = declared_inputs(workflow);
    for input in declared {
        let default = input.default.clone().unwrap_or(match input.kind.as_str() {
            "boolean" => Value::Bool(false),
            _ => Value::String(String::new()),
        });
        inputs
            .strings
            .insert(input.id.value.clone(), Value::String(as_string(&default)));
        inputs.typed.insert(input.id.value.clone(), default);
    }
    for (index, pair) in given.iter().enumerate() {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--input takes NAME=VALUE, not `{pair}`"))?;
        let Some(input) = declared.iter().find(|i| i.id.value == name) else {
            // A dispatch names one workflow: GitHub refuses an input it does
            // not declare. A flag may be meant for another of the folder's.
            if index < from_payload {
                let names: Vec<&str> = declared.iter().map(|i| i.id.value.as_str()).collect();
                return Err(format!(
                    "the workflow has no input `{name}` (its inputs: {})",
                    names.join(", ")
                ));
            }
            continue;
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
        inputs.typed.insert(name.to_string(), typed);
        inputs
            .strings
            .insert(name.to_string(), Value::String(value.to_string()));
    }
    Ok(inputs)
}

/// The first `required` input without a default that the dispatch does not
/// give (by `--input` or the payload): GitHub refuses such a dispatch.
pub fn missing_required_input(workflow: &Workflow, flags: &[String], payload: Option<&Value>) -> Option<String> {
    let from_payload = payload.and_then(|p| p.get("inputs")).and_then(Value::as_object);
    declared_inputs(workflow)
        .iter()
        .filter(|i| i.required && i.default.is_none())
        .find(|i| {
            let name = i.id.value.as_str();
            let flagged = flags.iter().any(|f| f.split_once('=').is_some_and(|(n, _)| n == name));
            !flagged && !from_payload.is_some_and(|p| p.contains_key(name))
        })
        .map(|i| i.id.value.clone())
}

/// Whether `workflow` declares a workflow_dispatch input `name`.
pub fn declares_input(workflow: &Workflow, name: &str) -> bool {
    declared_inputs(workflow).iter().any(|i| i.id.value == name)
}

fn declared_inputs(workflow: &Workflow) -> &[crate::model::Input] {
    workflow
        .on
        .event("workflow_dispatch")
        .map(|e| e.inputs.as_slice())
        .unwrap_or_default()
}

/// A value as GitHub puts it in `github.event.inputs`.
fn as_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
