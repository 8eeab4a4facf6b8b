//! Diagnostics about user input: where they point (`Span`, `SourceFile`),
//! what they say (`Diagnostic`), how they render, and "did you mean" hints.
//!
//! Every error about a workflow goes through here, so every one renders the
//! same way: `error: message`, `--> file:line:col`, the source line and a
//! caret under the span.

mod diagnostic;
mod render;
mod source;
mod span;
mod suggest;

pub use diagnostic::{Diagnostic, Severity};
pub use render::render;
pub use source::SourceFile;
pub use span::Span;
pub use suggest::did_you_mean;
