//! `target[key]`, `target.name` and the `.*` object filter.

use super::{Evaluated, Evaluator};
use crate::expr::ast::{IndexKey, Node};
use crate::expr::error::ExprError;
use crate::expr::value::Value;

impl Evaluator<'_> {
    pub(super) fn index(&mut self, target: &Node, key: &IndexKey, level: usize) -> Result<Evaluated, ExprError> {
        let collection = self.eval(target, level + 1)?;
        // The index is only evaluated when there is something to index.
        let is_collection = matches!(
            collection,
            Evaluated::Filtered(_) | Evaluated::Value(Value::Array(_) | Value::Object(_))
        );
        if !is_collection {
            return Ok(match key {
                IndexKey::Wildcard => Evaluated::Filtered(Vec::new()),
                IndexKey::Expr(_) => Evaluated::Value(Value::Null),
            });
        }
        let key = match key {
            IndexKey::Wildcard => None,
            IndexKey::Expr(expr) => Some(self.value(expr, level + 1)?),
        };
        Ok(match collection {
            Evaluated::Filtered(items) => {
                let mut out = Vec::new();
                for item in &items {
                    match (item, &key) {
                        (Value::Object(o), None) => out.extend(o.values().cloned()),
                        (Value::Array(a), None) => out.extend(a.iter().cloned()),
                        (item, Some(key)) => out.extend(lookup(item, key)),
                        _ => {}
                    }
                }
                Evaluated::Filtered(out)
            }
            Evaluated::Value(value) => match (&value, &key) {
                (Value::Object(o), None) => Evaluated::Filtered(o.values().cloned().collect()),
                (Value::Array(a), None) => Evaluated::Filtered(a.iter().cloned().collect()),
                (_, Some(key)) => Evaluated::Value(lookup(&value, key).unwrap_or(Value::Null)),
                _ => Evaluated::Value(Value::Null),
            },
        })
    }
}

/// `value[key]` for one collection: objects by the key as a string (if it
/// is a primitive), arrays by the key as a non-negative whole number.
fn lookup(collection: &Value, key: &Value) -> Option<Value> {
    match collection {
        Value::Object(object) if key.is_primitive() => object.get(&key.to_display_string()).cloned(),
        Value::Array(items) => {
            let n = key.to_number();
            if n.is_nan() || n < 0.0 {
                return None;
            }
            let n = n.floor();
            if n > f64::from(i32::MAX) {
                return None;
            }
            // In range: a non-negative whole number below 2^31.
            items.get(n as usize).cloned()
        }
        _ => None,
    }
}
