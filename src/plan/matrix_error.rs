//! Why a `strategy.matrix` cannot be expanded.

use thiserror::Error;

/// The most legs one job's matrix may produce (GitHub's limit per job).
pub const MAX_LEGS: usize = 256;

/// A matrix that GitHub would refuse to expand. The messages are GitHub's own
/// (actions/runner `WorkflowTemplateConverter.ConvertToStrategy`,
/// `MatrixBuilder`) where GitHub has one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MatrixError {
    /// A vector with no values: GitHub refuses it rather than yield no legs.
    #[error("Matrix vector '{key}' does not contain any values")]
    EmptyVector { key: String },

    /// Neither a vector nor a non-empty `include`.
    #[error("Matrix must define at least one vector")]
    NoVectors,

    /// Two keys that differ only in case; matrix keys are case-insensitive.
    #[error("Matrix key '{key}' is already defined as '{first}' (matrix keys are case-insensitive)")]
    DuplicateKey { key: String, first: String },

    /// An `include` entry with no keys.
    #[error("Matrix include mapping does not contain any values")]
    EmptyInclude { index: usize },

    /// An `exclude` entry with no keys.
    #[error("Matrix exclude filter must not be empty")]
    EmptyExclude { index: usize },

    /// An `exclude` key that names no vector.
    #[error("Matrix exclude key '{key}' does not match any key within the matrix")]
    UnknownExcludeKey { index: usize, key: String },

    /// More legs than [`MAX_LEGS`]. GitHub prefixes "Strategy for job 'x'";
    /// the caller knows the job and adds it. The count is exact when the
    /// matrix had to be walked; a matrix refused before walking (the product
    /// less every leg its excludes could remove is still too large) reports
    /// that lower bound, and above about a million combinations the size of
    /// the product before `exclude`.
    #[error("Strategy produced {count} configurations which exceeds the maximum of 256 configurations")]
    TooManyLegs { count: u64 },

    /// The matrix (as JSON, e.g. from `fromJSON`) is not a mapping.
    #[error("Matrix must be a mapping, got {found}")]
    NotAMapping { found: &'static str },

    /// A vector whose value is not a sequence.
    #[error("Matrix vector '{key}' must be a sequence, got {found}")]
    VectorNotASequence { key: String, found: &'static str },

    /// `include` or `exclude` is not a sequence of mappings.
    #[error("Matrix '{key}' must be a sequence of mappings")]
    FilterNotMappings { key: &'static str },
}
