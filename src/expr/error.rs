//! The error type of the expression language: lexing, parsing and evaluation
//! errors all carry GitHub's own message text and the 1-based column of the
//! token they are about, so diagnostics can point into the workflow file.

use std::fmt;

/// Which stage of the expression pipeline rejected the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text could not be split into tokens (`1 = 2`, `'unclosed`).
    Lexing,
    /// The tokens do not form an expression, or name an unknown context or
    /// function, or nest too deeply.
    Parsing,
    /// The expression is well formed but failed while running
    /// (`format('{0')`, `fromJSON('nope')`, a non-boolean `case` predicate).
    Evaluation,
}

/// An error from [`parse`](super::parse) or [`evaluate`](super::evaluate).
///
/// `message` is GitHub's text (for example `Unrecognized named-value: 'x'`),
/// without the "Located at position" suffix; [`ExprError::located`] adds it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ExprError {
    pub kind: ErrorKind,
    pub message: String,
    /// 1-based char position of the offending token within the expression
    /// text (counting newlines as characters, as the .NET runner does).
    pub column: usize,
}

impl ExprError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, column: usize) -> Self {
        ExprError {
            kind,
            message: message.into(),
            column,
        }
    }

    pub(crate) fn lexing(message: impl Into<String>, offset: usize) -> Self {
        Self::new(ErrorKind::Lexing, message, offset + 1)
    }

    pub(crate) fn parsing(message: impl Into<String>, offset: usize) -> Self {
        Self::new(ErrorKind::Parsing, message, offset + 1)
    }

    pub(crate) fn evaluation(message: impl Into<String>, offset: usize) -> Self {
        Self::new(ErrorKind::Evaluation, message, offset + 1)
    }

    /// The form GitHub shows to users and the conformance suite compares:
    /// `<message>. Located at position N within expression: <expr>`.
    pub fn located(&self, expr: &str) -> String {
        format!(
            "{}. Located at position {} within expression: {}",
            self.message, self.column, expr
        )
    }

    /// The same error with its column moved by `offset` characters, used when
    /// an expression sits inside a longer string (a `${{ }}` template).
    pub(crate) fn shifted(mut self, offset: usize) -> Self {
        self.column += offset;
        self
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
