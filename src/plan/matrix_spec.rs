//! The parts of a `strategy.matrix`, before expansion.

use serde_json::{Map, Value};

use super::matrix_error::MatrixError;

/// A `strategy.matrix` split into its vectors and its `include`/`exclude`
/// entries, each in declaration order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatrixSpec {
    /// Every key other than `include`/`exclude`, with its values.
    pub vectors: Vec<(String, Vec<Value>)>,
    /// The `include` entries.
    pub include: Vec<Map<String, Value>>,
    /// The `exclude` entries.
    pub exclude: Vec<Map<String, Value>>,
}

impl MatrixSpec {
    /// Reads a matrix given as JSON, the shape `${{ fromJSON(..) }}` yields.
    /// As in GitHub, only the exact lower-case keys `include` and `exclude`
    /// are special; `Include` would be a vector.
    pub fn from_json(matrix: &Value) -> Result<Self, MatrixError> {
        let Value::Object(map) = matrix else {
            return Err(MatrixError::NotAMapping { found: kind(matrix) });
        };
        let mut spec = MatrixSpec::default();
        for (key, value) in map {
            match key.as_str() {
                "include" => spec.include = mappings(value, "include")?,
                "exclude" => spec.exclude = mappings(value, "exclude")?,
                _ => match value {
                    Value::Array(values) => spec.vectors.push((key.clone(), values.clone())),
                    other => {
                        return Err(MatrixError::VectorNotASequence {
                            key: key.clone(),
                            found: kind(other),
                        })
                    }
                },
            }
        }
        Ok(spec)
    }
}

fn mappings(value: &Value, key: &'static str) -> Result<Vec<Map<String, Value>>, MatrixError> {
    let Value::Array(items) = value else {
        return Err(MatrixError::FilterNotMappings { key });
    };
    items
        .iter()
        .map(|item| match item {
            Value::Object(map) => Ok(map.clone()),
            _ => Err(MatrixError::FilterNotMappings { key }),
        })
        .collect()
}

/// The kind of a JSON value in the words GitHub's messages use.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_vectors_from_filters_in_order() {
        let spec = MatrixSpec::from_json(&json!({
            "os": ["a", "b"],
            "include": [{"os": "c"}],
            "node": [1],
            "exclude": [{"os": "a"}],
            "Include": [2]
        }))
        .unwrap();
        let keys: Vec<_> = spec.vectors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["os", "node", "Include"]);
        assert_eq!(spec.include.len(), 1);
        assert_eq!(spec.exclude.len(), 1);
    }

    #[test]
    fn rejects_wrong_shapes() {
        assert_eq!(
            MatrixSpec::from_json(&json!("x")),
            Err(MatrixError::NotAMapping { found: "a string" })
        );
        assert_eq!(
            MatrixSpec::from_json(&json!({"os": "linux"})),
            Err(MatrixError::VectorNotASequence {
                key: "os".into(),
                found: "a string"
            })
        );
        assert_eq!(
            MatrixSpec::from_json(&json!({"include": [1]})),
            Err(MatrixError::FilterNotMappings { key: "include" })
        );
    }
}
