//! Values that remember where they were written.

use crate::diag::Span;
use crate::load::ScalarStyle;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    #[serde(skip)]
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A string from the workflow that may hold `${{ }}` expressions. It keeps
/// its quoting style so an expression's position inside it can be mapped
/// back to a file column.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Text {
    pub value: String,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub style: ScalarStyle,
}

impl Text {
    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn has_expression(&self) -> bool {
        self.value.contains("${{")
    }

    /// A text that comes from no workflow line (an action's input default).
    pub fn detached(value: impl Into<String>) -> Text {
        Text {
            value: value.into(),
            span: Span::default(),
            style: ScalarStyle::Plain,
        }
    }
}

/// A value of a typed key (a number, a boolean, a matrix) that may instead
/// be given as one `${{ }}` expression, evaluated when the job runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Dynamic<T> {
    Fixed(T),
    Expression(Text),
}
