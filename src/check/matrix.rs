//! A matrix written out in full is expanded at check time, so `validate`
//! refuses what `plan` and `run` would (too many legs, an `exclude` key that
//! names no vector) at the key behind it. Expansion refuses an oversized
//! matrix before walking it, so this stays cheap on any file.

use crate::diag::{Diagnostic, Span};
use crate::model::{Dynamic, FixedMatrix, Matrix, Workflow};
use crate::plan::{expand, MatrixError, MatrixSpec};
use serde_json::{Map, Value};

pub fn check_matrices(workflow: &Workflow, out: &mut Vec<Diagnostic>) {
    for job in &workflow.jobs {
        let Some(Matrix::Fixed(matrix)) = job.strategy.as_ref().and_then(|s| s.matrix.as_ref()) else {
            continue;
        };
        let Some(spec) = literal_spec(matrix) else {
            continue;
        };
        match expand(&spec) {
            Ok(_) => {}
            // The model already reports an empty vector where it is written.
            Err(MatrixError::EmptyVector { .. }) => {}
            Err(error) => out.push(Diagnostic::error(
                span_of(matrix, &error),
                format!("the matrix of job `{}`: {error}", job.id.value),
            )),
        }
    }
}

/// The matrix as a spec, when no part of it is an expression.
fn literal_spec(matrix: &FixedMatrix) -> Option<MatrixSpec> {
    let mut object = Map::new();
    let lists = matrix
        .vectors
        .iter()
        .map(|(k, v)| (k.value.clone(), v))
        .chain(matrix.include.iter().map(|v| ("include".to_string(), v)))
        .chain(matrix.exclude.iter().map(|v| ("exclude".to_string(), v)));
    for (key, list) in lists {
        let Dynamic::Fixed(values) = list else {
            return None;
        };
        object.insert(key, Value::Array(values.clone()));
    }
    MatrixSpec::from_json(&Value::Object(object)).ok()
}

fn span_of(matrix: &FixedMatrix, error: &MatrixError) -> Span {
    let exclude = |index: &usize| matrix.exclude_nodes.get(*index);
    let found = match error {
        MatrixError::UnknownExcludeKey { index, key } => exclude(index)
            .and_then(|entry| entry.as_mapping()?.entry(key).map(|(k, _)| k.span))
            .or_else(|| exclude(index).map(|entry| entry.span)),
        MatrixError::EmptyExclude { index } => exclude(index).map(|entry| entry.span),
        MatrixError::DuplicateKey { key, .. } => matrix
            .vectors
            .iter()
            .rev()
            .find(|(k, _)| k.value == *key)
            .map(|(k, _)| k.span),
        _ => None,
    };
    found.unwrap_or(matrix.span)
}
