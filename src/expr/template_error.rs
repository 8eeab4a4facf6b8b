//! Errors found while scanning a string for `${{ }}` expressions.

use std::fmt;

use super::error::ExprError;

/// A problem in a template, at a 0-based char offset into the scanned string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    pub offset: usize,
    pub kind: TemplateErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateErrorKind {
    /// A `${{` without its `}}`.
    NotClosed,
    /// `${{ }}` with nothing inside.
    Empty,
    /// The expression inside is invalid; its column is relative to the
    /// expression text, `offset` is already mapped into the string.
    Expression(ExprError),
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TemplateErrorKind::NotClosed => f.write_str(
                "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.",
            ),
            TemplateErrorKind::Empty => f.write_str("An expression was expected"),
            TemplateErrorKind::Expression(e) => write!(f, "{e}"),
        }
    }
}
