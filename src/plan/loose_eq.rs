//! GitHub's expression `==` for the plain JSON values a matrix holds.
//!
//! GitHub does not compare include/exclude values structurally: it turns every
//! leaf of a filter into the expression `matrix[..] == literal` and evaluates it
//! (actions/runner `MatrixBuilder.MatrixFilter`). So matching follows the
//! expression rules of gha-semantics §1.4: loose coercion between kinds
//! (`'4' == 4`, `null == ''`), strings equal ignoring case, NaN equal to
//! nothing. This adapter hands plain JSON values to the expression engine's
//! own `==`, so the two can never disagree.

use serde_json::Value;

pub(crate) use crate::expr::eq_ignore_case;

/// `left == right` with GitHub's coercion (actions/runner `EvaluationResult.CoerceTypes`).
/// Arrays and objects are fresh values here, so, as in GitHub, they equal nothing.
pub(crate) fn loose_eq(left: &Value, right: &Value) -> bool {
    crate::expr::Value::from_json(left).loose_eq(&crate::expr::Value::from_json(right))
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
