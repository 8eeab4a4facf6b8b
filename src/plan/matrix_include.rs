//! One `include` entry, split as GitHub splits it.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::loose_eq::eq_ignore_case;
use super::matrix::MatrixLeg;
use super::matrix_error::MatrixError;
use super::matrix_filter::MatrixFilter;

/// An `include` entry: the keys that name a vector form a filter on the
/// product, the others are extra values merged into every leg the filter
/// matches. This is GitHub's split (actions/runner `MatrixBuilder.MatrixInclude`),
/// and it is what the documented rule "added where none of its keys
/// overwrites an original value" amounts to.
#[derive(Debug)]
pub(crate) struct MatrixInclude {
    filter: MatrixFilter,
    filter_pairs: Vec<(String, Value)>,
    extra: Vec<(String, Value)>,
}

impl MatrixInclude {
    /// Splits entry `index` against the vector names.
    pub(crate) fn new(
        index: usize,
        entry: &Map<String, Value>,
        vectors: &[(String, Vec<Value>)],
    ) -> Result<Self, MatrixError> {
        if entry.is_empty() {
            return Err(MatrixError::EmptyInclude { index });
        }
        check_unique_keys(entry.keys())?;
        let is_vector = |k: &str| vectors.iter().any(|(name, _)| eq_ignore_case(name, k));
        let (filter_pairs, extra): (Vec<_>, Vec<_>) = entry
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .partition(|(k, _)| is_vector(k));
        let filter = MatrixFilter::new(filter_pairs.iter().map(|(k, v)| (k, v)));
        Ok(MatrixInclude {
            filter,
            filter_pairs,
            extra,
        })
    }

    /// Merges this entry's extra values into `extra` when its filter matches
    /// `leg`; later entries overwrite earlier ones, keeping the first
    /// spelling of a key. Returns whether it matched.
    pub(crate) fn merge_into(&self, leg: &MatrixLeg, extra: &mut IndexMap<String, Value>) -> bool {
        if !self.filter.matches(leg) {
            return false;
        }
        for (key, value) in &self.extra {
            match extra.iter_mut().find(|(k, _)| eq_ignore_case(k, key)) {
                Some((_, slot)) => *slot = value.clone(),
                None => {
                    extra.insert(key.clone(), value.clone());
                }
            }
        }
        true
    }

    /// The leg this entry adds when it matched no leg of the product: its
    /// vector keys first, then its extra keys.
    pub(crate) fn as_new_leg(&self) -> MatrixLeg {
        self.filter_pairs
            .iter()
            .chain(&self.extra)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Fails on two keys equal but for case, which GitHub cannot hold in one
/// (case-insensitive) matrix.
pub(crate) fn check_unique_keys<'a>(keys: impl IntoIterator<Item = &'a String>) -> Result<(), MatrixError> {
    let mut seen: Vec<&String> = Vec::new();
    for key in keys {
        if let Some(first) = seen.iter().find(|s| eq_ignore_case(s, key)) {
            return Err(MatrixError::DuplicateKey {
                key: key.clone(),
                first: (*first).clone(),
            });
        }
        seen.push(key);
    }
    Ok(())
}
