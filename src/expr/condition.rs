//! `if:` conditions (gha-semantics §1.7): the value may be a bare expression
//! or use `${{ }}`; an empty value means `success()`, and a condition that
//! calls no status function is run as `success() && (<condition>)`.

use super::error::ExprError;
use super::host::{EvalHost, StatusFunction};
use super::options::ParseOptions;
use super::parser::parse;
use super::template::{parse_template, Template};
use super::template_error::{TemplateError, TemplateErrorKind};

/// A parsed `if:` condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// `None` for an empty condition (plain `success()`).
    template: Option<Template>,
    /// Whether the implicit `success() &&` applies.
    wrapped: bool,
}

/// Parses an `if:` value. Use options that allow the status functions
/// ([`ExtraFunctions::STEP_IF`](super::ExtraFunctions::STEP_IF) or
/// [`JOB_IF`](super::ExtraFunctions::JOB_IF)).
pub fn parse_condition(s: &str, opts: &ParseOptions) -> Result<Condition, TemplateError> {
    let template = match parse_template(s, opts)? {
        // No `${{`: the whole value is the expression. (`${{ 'text' }}` also
        // lands here, and GitHub then parses `text` as the condition.)
        Template::Literal(text) => {
            let trimmed = text.trim();
            if trimmed.is_empty() {
                return Ok(Condition {
                    template: None,
                    wrapped: false,
                });
            }
            let base = match s.contains("${{") {
                true => s.find("${{").map_or(0, |b| s[..b].chars().count()),
                false => text.chars().take_while(|c| c.is_whitespace()).count(),
            };
            let mut ast = parse(trimmed, opts).map_err(|e| TemplateError {
                offset: base + e.column.saturating_sub(1),
                kind: TemplateErrorKind::Expression(e),
            })?;
            ast.offset = base;
            Template::Expression(ast)
        }
        template => template,
    };
    let wrapped = !template.expressions().iter().any(|ast| ast.uses_status_function());
    Ok(Condition {
        template: Some(template),
        wrapped,
    })
}

impl Condition {
    /// Runs the condition: true means the job or step runs.
    pub fn evaluate(&self, host: &dyn EvalHost) -> Result<bool, ExprError> {
        let Some(template) = &self.template else {
            return host.status(StatusFunction::Success, &[]);
        };
        // `success() && (…)`: when success() is false the rest is not run.
        if self.wrapped && !host.status(StatusFunction::Success, &[])? {
            return Ok(false);
        }
        Ok(template.evaluate(host)?.is_truthy())
    }

    /// Whether the implicit `success() &&` was added.
    pub fn is_wrapped(&self) -> bool {
        self.wrapped
    }

    /// The parsed value; `None` for an empty condition.
    pub fn template(&self) -> Option<&Template> {
        self.template.as_ref()
    }

    /// The condition as GitHub runs it, e.g. `success() && (github.ref == 'x')`.
    pub fn expression_text(&self) -> String {
        match &self.template {
            None => "success()".to_string(),
            Some(t) if self.wrapped => format!("success() && ({})", t.to_expression_text()),
            Some(t) => t.to_expression_text(),
        }
    }

    /// True for values like `${{ false }} ` or `true && ${{ false }}`, which
    /// are non-empty strings and therefore always true.
    pub fn has_extra_text_around_single_expression(&self) -> bool {
        self.template
            .as_ref()
            .is_some_and(Template::has_extra_text_around_single_expression)
    }
}
