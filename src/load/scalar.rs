//! A YAML scalar as written, and its YAML 1.2 core-schema reading.
//!
//! Scalars stay text until the workflow model asks for a type, so that
//! `on:` stays the key `on` and `yes`/`no`/`off` stay strings (YAML 1.1
//! would have made them booleans). Quoting always means "string".

use serde_json::{Number, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
    /// Set for an explicit `!!str` tag, which forces a string reading.
    pub forced_string: bool,
}

impl Scalar {
    pub fn is_plain(&self) -> bool {
        self.style == ScalarStyle::Plain && !self.forced_string
    }

    /// `null`, `~` or nothing at all, unquoted.
    pub fn is_null(&self) -> bool {
        self.is_plain() && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }

    pub fn as_bool(&self) -> Option<bool> {
        if !self.is_plain() {
            return None;
        }
        match self.text.as_str() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        if !self.is_plain() {
            return None;
        }
        core_schema_number(&self.text)
    }

    /// The JSON value YAML 1.2's core schema gives this scalar.
    pub fn to_json(&self) -> Value {
        if self.is_null() {
            return Value::Null;
        }
        if let Some(b) = self.as_bool() {
            return Value::Bool(b);
        }
        if let Some(n) = self.as_number() {
            if n.fract() == 0.0 && n.abs() < 9.0e15 && !self.text.contains(['.', 'e', 'E']) {
                return Value::Number(Number::from(n as i64));
            }
            if let Some(n) = Number::from_f64(n) {
                return Value::Number(n);
            }
        }
        Value::String(self.text.clone())
    }
}

/// Integers (decimal, `0o` octal, `0x` hex) and floats (with `.inf`,
/// `.nan`) as the core schema defines them; anything else is a string.
fn core_schema_number(text: &str) -> Option<f64> {
    let t = text;
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|v| v as f64);
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(|v| v as f64);
    }
    match t {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (digits(int) || int.is_empty()) && (frac.is_empty() || digits(frac)) && !(int.is_empty() && frac.is_empty())
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    if mantissa_ok && exponent_ok {
        t.parse::<f64>().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(text: &str) -> Scalar {
        Scalar {
            text: text.into(),
            style: ScalarStyle::Plain,
            forced_string: false,
        }
    }

    #[test]
    fn yaml_1_1_words_stay_strings() {
        for word in ["on", "off", "yes", "no", "y", "n", "On", "YES"] {
            assert_eq!(plain(word).to_json(), json!(word), "{word}");
        }
    }

    #[test]
    fn core_schema_types() {
        assert_eq!(plain("true").to_json(), json!(true));
        assert_eq!(plain("FALSE").to_json(), json!(false));
        assert_eq!(plain("~").to_json(), json!(null));
        assert_eq!(plain("").to_json(), json!(null));
        assert_eq!(plain("14").to_json(), json!(14));
        assert_eq!(plain("-2.5").to_json(), json!(-2.5));
        assert_eq!(plain("0x1F").to_json(), json!(31));
        assert_eq!(plain("1e3").to_json(), json!(1000.0));
        assert_eq!(plain("3.10").to_json(), json!(3.1));
        assert_eq!(plain("14.x").to_json(), json!("14.x"));
        assert_eq!(plain("1.2.3").to_json(), json!("1.2.3"));
        assert_eq!(plain(".").to_json(), json!("."));
    }

    #[test]
    fn quoting_means_string() {
        let quoted = Scalar {
            text: "14".into(),
            style: ScalarStyle::SingleQuoted,
            forced_string: false,
        };
        assert_eq!(quoted.to_json(), json!("14"));
        let tagged = Scalar {
            text: "true".into(),
            style: ScalarStyle::Plain,
            forced_string: true,
        };
        assert_eq!(tagged.to_json(), json!("true"));
    }
}
