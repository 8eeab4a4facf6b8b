//! One `include` or `exclude` entry as GitHub matches it: leaf by leaf.

use serde_json::Value;

use super::loose_eq::{eq_ignore_case, loose_eq};
use super::matrix::MatrixLeg;

/// A step into a matrix value: an object key or an array index.
#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

/// A filter compiled to its leaves. GitHub turns each scalar leaf of the entry
/// into `matrix[k1][k2].. == literal` and requires every one to hold, which
/// makes an object value a recursive subset match and an array value a
/// prefix match by position. An entry with no leaves matches every leg.
#[derive(Debug, Clone)]
pub(crate) struct MatrixFilter {
    leaves: Vec<(Vec<PathStep>, Value)>,
}

impl MatrixFilter {
    /// Compiles the given top-level pairs. Iterative, so a deeply nested
    /// value cannot overflow the stack.
    pub(crate) fn new<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a Value)>) -> Self {
        let mut leaves = Vec::new();
        let mut pending: Vec<(Vec<PathStep>, &Value)> = pairs
            .into_iter()
            .map(|(k, v)| (vec![PathStep::Key(k.clone())], v))
            .collect();
        // Reverse so that popping visits entries in declaration order.
        pending.reverse();
        while let Some((path, value)) = pending.pop() {
            match value {
                Value::Object(map) => {
                    for (k, v) in map.iter().rev() {
                        let mut p = path.clone();
                        p.push(PathStep::Key(k.clone()));
                        pending.push((p, v));
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate().rev() {
                        let mut p = path.clone();
                        p.push(PathStep::Index(i));
                        pending.push((p, v));
                    }
                }
                scalar => leaves.push((path, scalar.clone())),
            }
        }
        MatrixFilter { leaves }
    }

    /// Whether every leaf equals the leg's value at the same path. A missing
    /// path reads as null, as a missing property does in an expression.
    pub(crate) fn matches(&self, leg: &MatrixLeg) -> bool {
        self.leaves.iter().all(|(path, literal)| {
            let found = lookup(leg, path);
            loose_eq(found.unwrap_or(&Value::Null), literal)
        })
    }
}

impl MatrixFilter {
    /// How many combinations of the product of `vectors` this filter
    /// matches, counted per vector without walking the product: a leaf reads
    /// one vector only, so a combination matches when each vector's value
    /// does. Saturating.
    pub(crate) fn product_matches(&self, vectors: &[(String, Vec<Value>)]) -> u64 {
        if vectors.is_empty() {
            return 0;
        }
        vectors.iter().fold(1u64, |acc, (key, values)| {
            let mine = MatrixFilter {
                leaves: self
                    .leaves
                    .iter()
                    .filter(|(path, _)| matches!(path.first(), Some(PathStep::Key(k)) if eq_ignore_case(k, key)))
                    .cloned()
                    .collect(),
            };
            let hits = values
                .iter()
                .filter(|value| {
                    let leg: MatrixLeg = std::iter::once((key.clone(), (*value).clone())).collect();
                    mine.matches(&leg)
                })
                .count();
            acc.saturating_mul(hits as u64)
        })
    }
}

fn lookup<'a>(leg: &'a MatrixLeg, path: &[PathStep]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let PathStep::Key(key) = first else {
        return None;
    };
    let mut current = leg.iter().find(|(k, _)| eq_ignore_case(k, key)).map(|(_, v)| v)?;
    for step in rest {
        current = match (step, current) {
            (PathStep::Key(key), Value::Object(map)) => {
                map.iter().find(|(k, _)| eq_ignore_case(k, key)).map(|(_, v)| v)?
            }
            (PathStep::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    fn leg(value: Value) -> MatrixLeg {
        match value {
            Value::Object(map) => map.into_iter().collect(),
            _ => MatrixLeg::new(),
        }
    }

    fn filter(value: Value) -> MatrixFilter {
        let map: Map<String, Value> = match value {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        MatrixFilter::new(&map)
    }

    #[test]
    fn object_values_match_as_a_subset() {
        let l = leg(json!({"os": {"name": "Windows", "matrix": "windows"}}));
        assert!(filter(json!({"os": {"matrix": "windows"}})).matches(&l));
        assert!(filter(json!({"OS": {"MATRIX": "WINDOWS"}})).matches(&l));
        assert!(!filter(json!({"os": {"matrix": "ubuntu"}})).matches(&l));
        assert!(!filter(json!({"os": {"arch": "x64"}})).matches(&l));
        assert!(filter(json!({"os": {}})).matches(&l));
    }

    #[test]
    fn arrays_match_by_position() {
        let l = leg(json!({"v": [1, 2, 3]}));
        assert!(filter(json!({"v": [1, 2]})).matches(&l));
        assert!(!filter(json!({"v": [2]})).matches(&l));
    }

    #[test]
    fn a_null_leaf_matches_a_missing_value() {
        let l = leg(json!({"os": {"name": "x"}}));
        assert!(filter(json!({"os": {"arch": null}})).matches(&l));
        assert!(filter(json!({"os": {"arch": ""}})).matches(&l));
    }

    #[test]
    fn scalars_compare_loosely() {
        let l = leg(json!({"node": 4, "os": "Ubuntu"}));
        assert!(filter(json!({"node": "4", "os": "ubuntu"})).matches(&l));
        assert!(!filter(json!({"node": 6})).matches(&l));
    }
}
