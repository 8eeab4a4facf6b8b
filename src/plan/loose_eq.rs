//! GitHub's expression `==` for the plain JSON values a matrix holds.
//!
//! GitHub does not compare include/exclude values structurally: it turns every
//! leaf of a filter into the expression `matrix[..] == literal` and evaluates it
//! (actions/runner `MatrixBuilder.MatrixFilter`). So matching follows the
//! expression rules of gha-semantics §1.4: loose coercion between kinds
//! (`'4' == 4`, `null == ''`), strings equal ignoring case, NaN equal to
//! nothing. We reproduce that here instead of calling the expression engine so
//! that planning stays a pure function of JSON values.

use serde_json::Value;

/// A value reduced to the kinds the `==` coercion rules distinguish.
#[derive(Clone, Copy)]
enum Operand<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(&'a str),
    /// Arrays and objects: equal only to themselves, which a matrix value and a
    /// filter literal never are.
    Collection,
}

impl<'a> Operand<'a> {
    fn of(value: &'a Value) -> Self {
        match value {
            Value::Null => Operand::Null,
            Value::Bool(b) => Operand::Bool(*b),
            Value::Number(n) => Operand::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Operand::String(s),
            Value::Array(_) | Value::Object(_) => Operand::Collection,
        }
    }

    fn to_number(self) -> f64 {
        match self {
            Operand::Null => 0.0,
            Operand::Bool(b) => f64::from(u8::from(b)),
            Operand::Number(n) => n,
            Operand::String(s) => parse_number(s),
            Operand::Collection => f64::NAN,
        }
    }
}

/// `left == right` with GitHub's coercion (actions/runner `EvaluationResult.CoerceTypes`).
pub(crate) fn loose_eq(left: &Value, right: &Value) -> bool {
    operands_eq(Operand::of(left), Operand::of(right))
}

fn operands_eq(left: Operand<'_>, right: Operand<'_>) -> bool {
    use Operand::{Bool, Collection, Null, Number, String};
    match (left, right) {
        (Null, Null) => true,
        (Bool(a), Bool(b)) => a == b,
        // NaN is never equal, which f64 `==` already gives.
        (Number(a), Number(b)) => a == b,
        (String(a), String(b)) => eq_ignore_case(a, b),
        (Number(a), String(_)) => a == right.to_number(),
        (String(_), Number(b)) => left.to_number() == b,
        // Booleans and null become numbers, then the rules apply again; the
        // left side is converted first, as the runner does.
        (Bool(_) | Null, _) => operands_eq(Number(left.to_number()), right),
        (_, Bool(_) | Null) => operands_eq(left, Number(right.to_number())),
        (Collection, _) | (_, Collection) => false,
    }
}

/// .NET `OrdinalIgnoreCase`: simple upper-case mapping per character, leaving
/// characters whose upper case is not a single character (and the dotless `ı`,
/// which .NET does not fold to `I`) unchanged.
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    a == b || a.chars().map(fold).eq(b.chars().map(fold))
}

fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    if c == 'ı' {
        return c;
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// A string converted to a number as expressions do: trimmed, empty is 0,
/// decimal, `0x` hex (32-bit), `0o` octal or `±Infinity`; anything else is NaN.
fn parse_number(text: &str) -> f64 {
    let t = text.trim();
    if t.is_empty() {
        return 0.0;
    }
    if let Some(hex) = t.strip_prefix("0x") {
        return i32::from_str_radix(hex, 16).map_or(f64::NAN, f64::from);
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return i32::from_str_radix(oct, 8).map_or(f64::NAN, f64::from);
    }
    match t {
        "Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    // Rust's parser also takes words such as `inf` and `nan`, which .NET
    // does not; only digits, signs, points and exponents may reach it.
    let numeric = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    if numeric {
        t.parse().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_compare_ignoring_case() {
        assert!(loose_eq(&json!("Ubuntu-Latest"), &json!("ubuntu-latest")));
        assert!(loose_eq(&json!("straße"), &json!("STRAßE")));
        assert!(loose_eq(&json!("σ"), &json!("Σ")));
        assert!(!loose_eq(&json!("i"), &json!("İ")));
        assert!(!loose_eq(&json!("ı"), &json!("I")));
    }

    #[test]
    fn numbers_and_strings_coerce() {
        assert!(loose_eq(&json!(4), &json!("4")));
        assert!(loose_eq(&json!(" 0xff "), &json!(255)));
        assert!(loose_eq(&json!(""), &json!(0)));
        assert!(!loose_eq(&json!("14.x"), &json!(14)));
        assert!(!loose_eq(&json!("nan"), &json!(0)));
        assert!(!loose_eq(&json!("inf"), &json!(f64::MAX)));
    }

    #[test]
    fn null_and_booleans_become_numbers() {
        assert!(loose_eq(&json!(null), &json!("")));
        assert!(loose_eq(&json!(null), &json!(null)));
        assert!(loose_eq(&json!(false), &json!("  ")));
        assert!(!loose_eq(&json!(true), &json!("2")));
        assert!(loose_eq(&json!(true), &json!(1)));
    }

    #[test]
    fn collections_never_equal_literals() {
        assert!(!loose_eq(&json!({}), &json!("Object")));
        assert!(!loose_eq(&json!([]), &json!(0)));
        assert!(!loose_eq(&json!([1]), &json!([1])));
    }
}
