//! `contains`, `startsWith`, `endsWith` and `join`.

use crate::expr::casing;
use crate::expr::memory::{MemoryCounter, MemoryExceeded};
use crate::expr::value::Value;

/// `contains(search, item)`: an ignore-case substring test when `search` is
/// a primitive; for an array, whether some element `==` `item`; false for an
/// object.
pub(crate) fn contains(search: &Value, item: &Value) -> bool {
    match search {
        Value::Array(items) => items.iter().any(|v| v.loose_eq(item)),
        Value::Object(_) => false,
        _ => {
            let haystack = casing::fold(&search.to_display_string());
            haystack.contains(&casing::fold(&item.to_display_string()))
        }
    }
}

/// `startsWith(s, v)`: ignore-case prefix test; false unless both are
/// primitives.
pub(crate) fn starts_with(s: &Value, v: &Value) -> bool {
    primitive_strings(s, v).is_some_and(|(s, v)| s.starts_with(&v))
}

/// `endsWith(s, v)`: ignore-case suffix test; false unless both are
/// primitives.
pub(crate) fn ends_with(s: &Value, v: &Value) -> bool {
    primitive_strings(s, v).is_some_and(|(s, v)| s.ends_with(&v))
}

fn primitive_strings(a: &Value, b: &Value) -> Option<(String, String)> {
    (a.is_primitive() && b.is_primitive()).then(|| {
        (
            casing::fold(&a.to_display_string()),
            casing::fold(&b.to_display_string()),
        )
    })
}

/// `join(array, separator = ',')`: elements as strings joined by the
/// separator (a non-primitive separator falls back to `,`); a primitive is
/// returned as a string and an object gives `''`.
pub(crate) fn join(array: &Value, separator: Option<&Value>) -> Result<String, MemoryExceeded> {
    let separator = match separator {
        Some(sep) if sep.is_primitive() => sep.to_display_string(),
        _ => ",".to_string(),
    };
    match array {
        Value::Array(items) => {
            let mut counter = MemoryCounter::default();
            let mut out = String::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    counter.add_string(&separator)?;
                    out.push_str(&separator);
                }
                let text = item.to_display_string();
                counter.add_string(&text)?;
                out.push_str(&text);
            }
            Ok(out)
        }
        Value::Object(_) => Ok(String::new()),
        primitive => Ok(primitive.to_display_string()),
    }
}
