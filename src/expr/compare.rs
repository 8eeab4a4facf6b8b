//! `==`, `!=`, `<`, `<=`, `>`, `>=` with the runner's coercion algorithm
//! (`EvaluationResult.CoerceTypes`): like JavaScript's abstract equality,
//! except strings compare ignoring case and arrays/objects by identity.

use std::cmp::Ordering;
use std::sync::Arc;

use super::casing;
use super::value::Value;

/// The operands after coercion: either the same kind, or kinds that never
/// compare equal or ordered.
fn coerce(left: &Value, right: &Value) -> (Value, Value) {
    let (mut l, mut r) = (left.clone(), right.clone());
    // Each round turns a boolean or null into a number, so two rounds reach a
    // fixed point; the loop bound just makes that obvious.
    for _ in 0..3 {
        if std::mem::discriminant(&l) == std::mem::discriminant(&r) {
            break;
        }
        match (&l, &r) {
            (Value::Number(_), Value::String(_)) => r = Value::Number(r.to_number()),
            (Value::String(_), Value::Number(_)) => l = Value::Number(l.to_number()),
            (Value::Bool(_) | Value::Null, _) => l = Value::Number(l.to_number()),
            (_, Value::Bool(_) | Value::Null) => r = Value::Number(r.to_number()),
            _ => break,
        }
    }
    (l, r)
}

impl Value {
    /// The language's `==`.
    pub fn loose_eq(&self, other: &Value) -> bool {
        match coerce(self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => casing::eq_ignore_case(&a, &b),
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => Arc::ptr_eq(&a, &b),
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(&a, &b),
            _ => false,
        }
    }

    /// The ordering behind `<` and `>`: `None` when the coerced operands are
    /// of different kinds, NaN, null, arrays or objects.
    pub fn loose_cmp(&self, other: &Value) -> Option<Ordering> {
        match coerce(self, other) {
            (Value::Number(a), Value::Number(b)) => a.partial_cmp(&b),
            (Value::String(a), Value::String(b)) => Some(casing::cmp_ignore_case(&a, &b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(&b)),
            _ => None,
        }
    }
}

/// A comparison operator of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn apply(self, left: &Value, right: &Value) -> bool {
        let ordering = || left.loose_cmp(right);
        match self {
            CompareOp::Eq => left.loose_eq(right),
            CompareOp::Ne => !left.loose_eq(right),
            CompareOp::Lt => ordering() == Some(Ordering::Less),
            CompareOp::Gt => ordering() == Some(Ordering::Greater),
            // The runner computes `<=` as `==` or `<` (so `null <= null` holds).
            CompareOp::Le => left.loose_eq(right) || ordering() == Some(Ordering::Less),
            CompareOp::Ge => left.loose_eq(right) || ordering() == Some(Ordering::Greater),
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}
