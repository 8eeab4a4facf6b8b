//! The `${{ }}` expression language of GitHub Actions, with GitHub's exact
//! semantics (gha-semantics §1) and its conformance suite as the test.
//!
//! Stages: `lexer` (tokens with char offsets) → `parser` ([`Ast`]) → `eval`
//! (a [`Value`], asking an [`EvalHost`] for contexts) using `functions`.
//! Around them, `template` scans YAML strings for `${{ }}` and `condition`
//! applies the `if:` rules.

mod analysis;
mod ast;
mod casing;
mod compare;
mod condition;
mod error;
mod eval;
mod function;
mod functions;
mod host;
mod json_eval;
mod lexer;
mod memory;
mod number;
mod object;
mod options;
mod parser;
mod template;
mod template_error;
mod token;
mod value;

#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
mod tests;

pub use analysis::{FunctionUse, NamedValueUse};
pub use ast::{Ast, IndexKey, Literal, Node, NodeKind};
pub use compare::CompareOp;
pub use condition::{parse_condition, Condition};
pub use error::{ErrorKind, ExprError};
pub use eval::evaluate;
pub use function::Function;
pub use host::{EvalHost, JsonContext, StatusFunction};
pub use json_eval::eval_json;
pub use object::Object;
pub use options::{ExtraFunctions, ParseOptions, StatusFunctions};
pub use parser::{parse, MAX_DEPTH, MAX_LENGTH};
pub use template::{parse_template, Template, TemplatePart};
pub use template_error::{TemplateError, TemplateErrorKind};
pub use value::Value;

// For the planner, which compares matrix values and names legs exactly as
// expressions do.
pub(crate) use casing::eq_ignore_case;
pub(crate) use number::format_number;
