//! The display name GitHub gives a matrix leg: `build (ubuntu, 14)`.

use serde_json::Value;

use super::matrix::MatrixLeg;

/// GitHub cuts display names longer than this to 97 characters and `...`.
const MAX_NAME_CHARS: usize = 100;

/// The default display name of a leg: the job name, then every scalar value
/// of the leg in order (nested objects and arrays contribute their scalar
/// leaves, depth first; null and empty strings nothing), joined by `, ` in
/// parentheses (actions/runner `MatrixBuilder.CreateConfiguration`,
/// `JobNameBuilder`).
///
/// GitHub names a leg of the product by its vector values only: values an
/// `include` merged in do not show. Use [`super::matrix::expand_named`] for
/// that exact name; this function names a leg from all of its values.
pub fn leg_name(job_name: &str, leg: &MatrixLeg) -> String {
    name_from_values(job_name, leg.values())
}

/// The display name built from the given values.
pub(crate) fn name_from_values<'a>(job_name: &str, values: impl IntoIterator<Item = &'a Value>) -> String {
    let mut segments = Vec::new();
    let mut pending: Vec<&Value> = values.into_iter().collect();
    pending.reverse();
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(map) => pending.extend(map.values().rev()),
            Value::Array(items) => pending.extend(items.iter().rev()),
            Value::Null => {}
            Value::Bool(b) => segments.push(b.to_string()),
            Value::Number(n) => segments.push(number_text(n)),
            Value::String(s) if s.is_empty() => {}
            Value::String(s) => segments.push(s.clone()),
        }
    }
    let name = if segments.is_empty() {
        job_name.to_string()
    } else {
        format!("{job_name} ({})", segments.join(", "))
    };
    truncate(name)
}

/// Cuts a name to [`MAX_NAME_CHARS`]. GitHub counts UTF-16 units; we count
/// characters, which only differs for characters outside the BMP.
fn truncate(name: String) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name;
    }
    let mut cut: String = name.chars().take(MAX_NAME_CHARS - 3).collect();
    cut.push_str("...");
    cut
}

/// A number as GitHub writes it: .NET `G15` (15 significant digits, exponent
/// form below 1e-4 and from 1e15).
pub(crate) fn number_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        if i.unsigned_abs() < 1_000_000_000_000_000 {
            return i.to_string();
        }
    }
    crate::expr::format_number(n.as_f64().unwrap_or(f64::NAN))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leg(value: Value) -> MatrixLeg {
        match value {
            Value::Object(map) => map.into_iter().collect(),
            _ => MatrixLeg::new(),
        }
    }

    #[test]
    fn joins_values_in_order() {
        let l = leg(json!({"os": "ubuntu", "node": 14, "x": true, "e": "", "n": null}));
        assert_eq!(leg_name("build", &l), "build (ubuntu, 14, true)");
    }

    #[test]
    fn objects_contribute_their_leaves() {
        let l = leg(json!({"os": {"name": "Ubuntu", "matrix": "ubuntu"}, "v": [1, [2]]}));
        assert_eq!(leg_name("test", &l), "test (Ubuntu, ubuntu, 1, 2)");
    }

    #[test]
    fn an_empty_leg_is_the_job_name() {
        assert_eq!(leg_name("build", &MatrixLeg::new()), "build");
    }

    #[test]
    fn long_names_are_cut_to_100() {
        let l = leg(json!({"k": "x".repeat(200)}));
        let name = leg_name("build", &l);
        assert_eq!(name.chars().count(), 100);
        assert!(name.ends_with("xx..."));
    }

    #[test]
    fn numbers_use_g15() {
        let text = |v: Value| match v {
            Value::Number(n) => number_text(&n),
            _ => String::new(),
        };
        assert_eq!(text(json!(3.10)), "3.1");
        assert_eq!(text(json!(5.4)), "5.4");
        assert_eq!(text(json!(-9.2)), "-9.2");
        assert_eq!(text(json!(0.845_512_408_225_570_1)), "0.84551240822557");
        assert_eq!(text(json!(1e15)), "1E+15");
        assert_eq!(text(json!(1_000_000_000_000_000_i64)), "1E+15");
        assert_eq!(text(json!(123_456_789_012_345_i64)), "123456789012345");
        assert_eq!(text(json!(0.00001)), "1E-05");
        assert_eq!(text(json!(0.0001)), "0.0001");
        assert_eq!(text(json!(-0.0)), "0");
        assert_eq!(text(json!(100.0)), "100");
    }
}
