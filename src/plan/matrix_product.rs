//! The Cartesian product of a matrix's vectors, one combination at a time.

use serde_json::Value;

use super::matrix::MatrixLeg;

/// The Cartesian product of the vectors, first vector varying slowest.
pub(crate) struct Product<'a> {
    vectors: &'a [(String, Vec<Value>)],
    /// The next combination's index into each vector; None when done.
    indices: Option<Vec<usize>>,
}

impl<'a> Product<'a> {
    pub(crate) fn new(vectors: &'a [(String, Vec<Value>)]) -> Self {
        let empty = vectors.is_empty() || vectors.iter().any(|(_, v)| v.is_empty());
        Product {
            vectors,
            indices: (!empty).then(|| vec![0; vectors.len()]),
        }
    }
}

impl Iterator for Product<'_> {
    type Item = MatrixLeg;

    fn next(&mut self) -> Option<MatrixLeg> {
        let indices = self.indices.as_mut()?;
        let leg = self
            .vectors
            .iter()
            .zip(indices.iter())
            .filter_map(|((key, values), &i)| values.get(i).map(|v| (key.clone(), v.clone())))
            .collect();
        // Odometer: advance the last vector, carrying leftwards.
        let mut done = true;
        for (slot, (_, values)) in indices.iter_mut().zip(self.vectors).rev() {
            *slot += 1;
            if *slot < values.len() {
                done = false;
                break;
            }
            *slot = 0;
        }
        if done {
            self.indices = None;
        }
        Some(leg)
    }
}
