//! The values expressions compute with, and GitHub's coercion rules for them
//! (truthiness, to-number, to-string).

use std::sync::Arc;

use super::number::{format_number, parse_number};
use super::object::Object;

/// A value of the expression language.
///
/// Arrays and objects are shared (`Arc`, so a scope can move between threads): contexts are large and expressions
/// only read them. The language's `==` compares them by identity (see
/// [`Value::loose_eq`]); Rust's `PartialEq` on `Value` is structural, which is
/// what tests and callers usually want.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Arc<Vec<Value>>),
    Object(Arc<Object>),
}

impl Value {
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items))
    }

    pub fn object(object: Object) -> Value {
        Value::Object(Arc::new(object))
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// GitHub's name for the kind: `Null`, `Boolean`, `Number`, `String`,
    /// `Array` or `Object`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Bool(_) => "Boolean",
            Value::Number(_) => "Number",
            Value::String(_) => "String",
            Value::Array(_) => "Array",
            Value::Object(_) => "Object",
        }
    }

    /// Null, booleans, numbers and strings; arrays and objects are not.
    pub fn is_primitive(&self) -> bool {
        !matches!(self, Value::Array(_) | Value::Object(_))
    }

    /// Falsy: `false`, `null`, `0`, `-0`, `NaN` and `''`; all else is truthy,
    /// including `'false'`, `[]` and `{}`.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => !(*n == 0.0 || n.is_nan()),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        }
    }

    /// The to-number coercion: null → 0, booleans → 1/0, strings parsed like
    /// the runner parses them, arrays and objects → NaN.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) => parse_number(s),
            Value::Array(_) | Value::Object(_) => f64::NAN,
        }
    }

    /// The to-string coercion: null → `''`, numbers in .NET `G15` form,
    /// arrays → `Array`, objects → `Object`.
    pub fn to_display_string(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => format_number(*n),
            Value::String(s) => s.clone(),
            Value::Array(_) => "Array".to_string(),
            Value::Object(_) => "Object".to_string(),
        }
    }

    /// Converts parsed JSON; objects become case-insensitive mappings.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => Value::array(items.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(map) => {
                Value::object(map.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    /// Converts to JSON. Whole numbers within ±2^53 become JSON integers and
    /// `-0` becomes `0`; NaN and ±Infinity have no JSON form and become null.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
            Value::Object(object) => {
                serde_json::Value::Object(object.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect())
            }
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() <= MAX_EXACT {
        // Exact: a whole number this small converts to i64 without loss.
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coerces_like_github() {
        assert!(!Value::Number(f64::NAN).is_truthy());
        assert!(!Value::Number(-0.0).is_truthy());
        assert!(Value::string("false").is_truthy());
        assert!(Value::array(vec![]).is_truthy());
        assert_eq!(Value::Null.to_display_string(), "");
        assert_eq!(Value::Number(-0.0).to_display_string(), "0");
        assert_eq!(Value::array(vec![]).to_display_string(), "Array");
        assert_eq!(Value::string(" 0o10 ").to_number(), 8.0);
        assert!(Value::object(Object::new()).to_number().is_nan());
    }

    #[test]
    fn round_trips_json_in_order() {
        let json = json!({"b": [1, 2.5, null, true], "a": {"X": "y"}, "n": -0.0});
        let value = Value::from_json(&json);
        let Value::Object(object) = &value else {
            panic!("not an object")
        };
        assert_eq!(
            object.get("A").and_then(|a| match a {
                Value::Object(o) => o.get("x").cloned(),
                _ => None,
            }),
            Some(Value::string("y"))
        );
        let back = value.to_json();
        assert_eq!(back, json!({"b": [1, 2.5, null, true], "a": {"X": "y"}, "n": 0}));
        assert_eq!(
            serde_json::to_string(&back).ok().as_deref(),
            Some(r#"{"b":[1,2.5,null,true],"a":{"X":"y"},"n":0}"#)
        );
    }
}
