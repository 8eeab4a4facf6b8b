//! Matrix expansion: a `strategy.matrix` to its legs, exactly as GitHub does.
//!
//! The algorithm is GitHub's (actions/runner `MatrixBuilder`, gha-semantics
//! §3.2): the product of the vectors in declaration order with the first
//! vector varying slowest; legs matched by an `exclude` entry dropped; each
//! `include` entry merged into every remaining leg its vector keys match, or
//! appended as a new leg when it matches none. Values are compared with the
//! expression `==` (loose, strings ignoring case), keys ignoring case.

use indexmap::IndexMap;
use serde_json::Value;

use super::leg_name::name_from_values;
use super::loose_eq::eq_ignore_case;
use super::matrix_error::{MatrixError, MAX_LEGS};
use super::matrix_filter::MatrixFilter;
use super::matrix_include::{check_unique_keys, MatrixInclude};
use super::matrix_product::Product;
use super::matrix_spec::MatrixSpec;

/// One combination of a matrix, keys in declaration order. Look keys up
/// ignoring case: `matrix.OS` and `matrix.os` are the same value.
pub type MatrixLeg = IndexMap<String, Value>;

/// Above this many combinations we do not walk the product to count exactly.
const MAX_WALK: u64 = 1 << 20;

/// A leg and how many of its leading keys GitHub shows in its name.
struct BuiltLeg {
    leg: MatrixLeg,
    named: usize,
}

/// Expands a matrix to its legs, in GitHub's order.
pub fn expand(spec: &MatrixSpec) -> Result<Vec<MatrixLeg>, MatrixError> {
    Ok(build(spec)?.into_iter().map(|b| b.leg).collect())
}

/// Expands a matrix to its legs, each with GitHub's default display name for
/// a job called `job_name`. A leg of the product is named by its vector
/// values only; a leg an `include` added is named by all of its values.
pub fn expand_named(spec: &MatrixSpec, job_name: &str) -> Result<Vec<(MatrixLeg, String)>, MatrixError> {
    Ok(build(spec)?
        .into_iter()
        .map(|b| {
            let name = name_from_values(job_name, b.leg.values().take(b.named));
            (b.leg, name)
        })
        .collect())
}

fn build(spec: &MatrixSpec) -> Result<Vec<BuiltLeg>, MatrixError> {
    if let Some((key, _)) = spec.vectors.iter().find(|(_, values)| values.is_empty()) {
        return Err(MatrixError::EmptyVector { key: key.clone() });
    }
    check_unique_keys(spec.vectors.iter().map(|(k, _)| k))?;
    if spec.vectors.is_empty() && spec.include.is_empty() {
        return Err(MatrixError::NoVectors);
    }
    let includes = spec
        .include
        .iter()
        .enumerate()
        .map(|(i, entry)| MatrixInclude::new(i, entry, &spec.vectors))
        .collect::<Result<Vec<_>, _>>()?;
    let excludes = exclude_filters(spec)?;

    let product = product_size(spec);
    if product > MAX_WALK {
        return Err(MatrixError::TooManyLegs { count: product });
    }
    // Refuse before walking when the excludes cannot bring the product down
    // to the limit: the walk costs every combination times every filter.
    let at_least = product.saturating_sub(excludes.iter().map(|f| f.product_matches(&spec.vectors)).sum());
    if at_least > MAX_LEGS as u64 {
        return Err(MatrixError::TooManyLegs { count: at_least });
    }
    let mut legs = Vec::new();
    let mut count: u64 = 0;
    let mut matched = vec![false; includes.len()];
    for combination in Product::new(&spec.vectors) {
        if excludes.iter().any(|f| f.matches(&combination)) {
            continue;
        }
        count += 1;
        if count > MAX_LEGS as u64 {
            return Err(MatrixError::TooManyLegs { count });
        }
        // Every leg is matched against every include even once too many
        // legs are known: which includes matched decides how many are added.
        let mut extra = IndexMap::new();
        for (include, hit) in includes.iter().zip(matched.iter_mut()) {
            *hit |= include.merge_into(&combination, &mut extra);
        }
        let named = combination.len();
        let mut leg = combination;
        leg.extend(extra);
        legs.push(BuiltLeg { leg, named });
    }
    for (include, _) in includes.iter().zip(&matched).filter(|(_, hit)| !**hit) {
        count += 1;
        let leg = include.as_new_leg();
        legs.push(BuiltLeg { named: leg.len(), leg });
    }
    if count > MAX_LEGS as u64 {
        return Err(MatrixError::TooManyLegs { count });
    }
    Ok(legs)
}

fn exclude_filters(spec: &MatrixSpec) -> Result<Vec<MatrixFilter>, MatrixError> {
    spec.exclude
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            if entry.is_empty() {
                return Err(MatrixError::EmptyExclude { index });
            }
            let unknown = entry
                .keys()
                .find(|k| !spec.vectors.iter().any(|(name, _)| eq_ignore_case(name, k)));
            if let Some(key) = unknown {
                return Err(MatrixError::UnknownExcludeKey {
                    index,
                    key: key.clone(),
                });
            }
            Ok(MatrixFilter::new(entry))
        })
        .collect()
}

/// The number of combinations, saturating; 0 without vectors, as in GitHub.
fn product_size(spec: &MatrixSpec) -> u64 {
    if spec.vectors.is_empty() {
        return 0;
    }
    spec.vectors.iter().fold(1u64, |acc, (_, values)| {
        acc.saturating_mul(u64::try_from(values.len()).unwrap_or(u64::MAX))
    })
}
