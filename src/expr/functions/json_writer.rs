//! `toJSON(value)`: pretty-printed JSON exactly as the runner writes it
//! (2-space indent, `"key": value`, `[]`/`{}` when empty, numbers in the
//! to-string form, strings escaped like Newtonsoft.Json).

use crate::expr::memory::{MemoryCounter, MemoryExceeded};
use crate::expr::number::format_number;
use crate::expr::value::Value;

pub(crate) fn to_json(value: &Value) -> Result<String, MemoryExceeded> {
    let mut writer = Writer {
        out: String::new(),
        counter: MemoryCounter::default(),
    };
    writer.value(value, 0)?;
    Ok(writer.out)
}

struct Writer {
    out: String,
    counter: MemoryCounter,
}

impl Writer {
    /// Appends one fragment; the runner charges memory per fragment.
    fn emit(&mut self, fragment: &str) -> Result<(), MemoryExceeded> {
        self.counter.add_string(fragment)?;
        self.out.push_str(fragment);
        Ok(())
    }

    fn newline(&mut self, level: usize) -> Result<(), MemoryExceeded> {
        let line = format!("\n{}", "  ".repeat(level));
        self.emit(&line)
    }

    fn value(&mut self, value: &Value, level: usize) -> Result<(), MemoryExceeded> {
        match value {
            Value::Null => self.emit("null"),
            Value::Bool(b) => self.emit(if *b { "true" } else { "false" }),
            Value::Number(n) => self.emit(&format_number(*n)),
            Value::String(s) => self.emit(&quote(s)),
            Value::Array(items) if items.is_empty() => self.emit("[]"),
            Value::Object(object) if object.is_empty() => self.emit("{}"),
            Value::Array(items) => {
                self.emit("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.emit(",")?;
                    }
                    self.newline(level + 1)?;
                    self.value(item, level + 1)?;
                }
                self.newline(level)?;
                self.emit("]")
            }
            Value::Object(object) => {
                self.emit("{")?;
                for (i, (key, item)) in object.iter().enumerate() {
                    if i > 0 {
                        self.emit(",")?;
                    }
                    self.newline(level + 1)?;
                    self.emit(&quote(key))?;
                    self.emit(": ")?;
                    self.value(item, level + 1)?;
                }
                self.newline(level)?;
                self.emit("}")
            }
        }
    }
}

/// A JSON string literal with Newtonsoft's default escaping: quotes,
/// backslashes and control characters, plus U+0085, U+2028 and U+2029.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_like_the_runner() {
        let value = Value::from_json(&json!({"a": [1, -0.0, "x\u{1}\"\u{2028}"], "b": {}, "c": []}));
        let text = to_json(&value).ok();
        assert_eq!(
            text.as_deref(),
            Some("{\n  \"a\": [\n    1,\n    0,\n    \"x\\u0001\\\"\\u2028\"\n  ],\n  \"b\": {},\n  \"c\": []\n}")
        );
    }
}
