//! Test-only: YAML text to JSON, enough to read workflow fixtures verbatim.
//!
//! Plain scalars resolve by the YAML 1.2 core schema (null, booleans, ints,
//! floats, else strings); quoted scalars are strings. Anchors and tags are
//! not needed by the fixtures and are not supported.

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

/// Parses one YAML document into JSON; panics on anything unexpected, which
/// in a test is the failure we want.
pub(crate) fn to_json(text: &str) -> Value {
    let mut stack: Vec<(Value, Option<String>)> = Vec::new();
    let mut result = None;
    for item in Parser::new_from_str(text) {
        let (event, _) = item.expect("fixture is valid YAML");
        let value = match event {
            Event::MappingStart(..) => {
                stack.push((Value::Object(Map::new()), None));
                continue;
            }
            Event::SequenceStart(..) => {
                stack.push((Value::Array(Vec::new()), None));
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => stack.pop().expect("balanced").0,
            Event::Scalar(text, style, _, _) => scalar(&text, style),
            _ => continue,
        };
        match stack.last_mut() {
            None => result = Some(value),
            Some((Value::Array(items), _)) => items.push(value),
            Some((Value::Object(map), key)) => match key.take() {
                None => {
                    let Value::String(k) = value else {
                        panic!("fixture keys are strings")
                    };
                    *key = Some(k);
                }
                Some(k) => {
                    map.insert(k, value);
                }
            },
            Some(_) => unreachable!("only collections are stacked"),
        }
    }
    result.unwrap_or(Value::Null)
}

fn scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::Number(i.into());
    }
    let float_like =
        text.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) && text.chars().any(|c| c.is_ascii_digit());
    if float_like {
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

/// `jobs.<job>.strategy.matrix` of a workflow fixture.
pub(crate) fn job_matrix(workflow: &str, job: &str) -> Value {
    to_json(workflow)["jobs"][job]["strategy"]["matrix"].clone()
}
