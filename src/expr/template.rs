//! The `${{ }}` scanner for YAML string values (gha-semantics §1.1): a value
//! that is exactly one expression keeps the expression's type; literal text
//! around or between expressions makes a string, as if written with
//! `format()`.

use super::ast::{Ast, Literal, NodeKind};
use super::error::ExprError;
use super::eval::evaluate;
use super::host::EvalHost;
use super::options::ParseOptions;
use super::parser::parse;
use super::template_error::{TemplateError, TemplateErrorKind};
use super::value::Value;

const OPEN: &str = "${{";

/// A scanned string value.
#[derive(Clone, Debug, PartialEq)]
pub enum Template {
    /// No expression (or only `${{ 'a string literal' }}`): the text itself.
    Literal(String),
    /// The whole value is one `${{ }}`; the result keeps its type.
    Expression(Ast),
    /// Text and expressions; evaluates to a string.
    Format(Vec<TemplatePart>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    Literal(String),
    Expression(Ast),
}

/// Finds `${{` at or after char index `from`.
fn find_open(chars: &[char], from: usize) -> Option<usize> {
    (from..chars.len()).find(|&i| chars.get(i..i + 3).is_some_and(|w| w.iter().copied().eq(OPEN.chars())))
}

/// Scans `s` for `${{ }}` expressions and parses each one.
pub fn parse_template(s: &str, opts: &ParseOptions) -> Result<Template, TemplateError> {
    let chars: Vec<char> = s.chars().collect();
    let Some(mut next_open) = find_open(&chars, 0) else {
        return Ok(Template::Literal(s.to_string()));
    };
    let text = |from: usize, to: usize| -> String { chars.get(from..to).unwrap_or_default().iter().collect() };
    let mut parts: Vec<TemplatePart> = Vec::new();
    let mut i = 0;
    loop {
        if i < next_open {
            push_literal(&mut parts, text(i, next_open));
        }
        let start = next_open;
        // Find the closing `}}`, ignoring braces inside '…' literals ('' is
        // an escaped quote and toggles twice, which works out).
        let mut in_string = false;
        let mut close = None;
        let mut j = start + OPEN.len();
        while let Some(&c) = chars.get(j) {
            if c == '\'' {
                in_string = !in_string;
            } else if !in_string && c == '}' && j > start + OPEN.len() && chars.get(j - 1) == Some(&'}') {
                close = Some(j);
                break;
            }
            j += 1;
        }
        let Some(close) = close else {
            return Err(TemplateError {
                offset: start,
                kind: TemplateErrorKind::NotClosed,
            });
        };
        let inner_start = start + OPEN.len();
        let inner = text(inner_start, close - 1);
        let leading = inner.chars().take_while(|c| c.is_whitespace()).count();
        let trimmed = inner.trim();
        let offset = inner_start + leading;
        if trimmed.is_empty() {
            return Err(TemplateError {
                offset: start,
                kind: TemplateErrorKind::Empty,
            });
        }
        let mut ast = parse(trimmed, opts).map_err(|e| TemplateError {
            offset: offset + e.column.saturating_sub(1),
            kind: TemplateErrorKind::Expression(e),
        })?;
        ast.offset = offset;
        parts.push(TemplatePart::Expression(ast));
        i = close + 1;
        match find_open(&chars, i) {
            Some(open) => next_open = open,
            None => {
                if i < chars.len() {
                    push_literal(&mut parts, text(i, chars.len()));
                }
                break;
            }
        }
    }
    Ok(match <[TemplatePart; 1]>::try_from(parts) {
        Ok([TemplatePart::Expression(ast)]) => match string_literal(&ast) {
            // `${{ 'text' }}` is how one writes a literal containing `${{`.
            Some(s) => Template::Literal(s),
            None => Template::Expression(ast),
        },
        Ok([TemplatePart::Literal(s)]) => Template::Literal(s),
        Err(parts) => Template::Format(parts),
    })
}

fn push_literal(parts: &mut Vec<TemplatePart>, s: String) {
    if let Some(TemplatePart::Literal(last)) = parts.last_mut() {
        last.push_str(&s);
    } else {
        parts.push(TemplatePart::Literal(s));
    }
}

/// The value of an expression that is exactly one string literal.
fn string_literal(ast: &Ast) -> Option<String> {
    let root = ast.root.as_ref()?;
    let whole = root.start == 0 && root.end == ast.text.chars().count();
    match &root.kind {
        NodeKind::Literal(Literal::String(s)) if whole => Some(s.clone()),
        _ => None,
    }
}

impl Template {
    /// Evaluates the template. For a whole-value expression the result keeps
    /// its type; otherwise it is a string. Error columns are 1-based char
    /// positions in the scanned string (not in the expression).
    pub fn evaluate(&self, host: &dyn EvalHost) -> Result<Value, ExprError> {
        let run = |ast: &Ast| evaluate(ast, host).map_err(|e| e.shifted(ast.offset));
        match self {
            Template::Literal(s) => Ok(Value::String(s.clone())),
            Template::Expression(ast) => run(ast),
            Template::Format(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        TemplatePart::Literal(s) => out.push_str(s),
                        TemplatePart::Expression(ast) => out.push_str(&run(ast)?.to_display_string()),
                    }
                }
                Ok(Value::String(out))
            }
        }
    }

    /// The expressions in source order.
    pub fn expressions(&self) -> Vec<&Ast> {
        match self {
            Template::Literal(_) => Vec::new(),
            Template::Expression(ast) => vec![ast],
            Template::Format(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    TemplatePart::Expression(ast) => Some(ast),
                    TemplatePart::Literal(_) => None,
                })
                .collect(),
        }
    }

    /// True when expressions are mixed with literal text, as in
    /// `${{ false }} ` or `!${{ x }}`: such a value is a non-empty string, so
    /// as an `if:` condition it is always true.
    pub fn has_extra_text_around_single_expression(&self) -> bool {
        match self {
            Template::Format(parts) => parts
                .iter()
                .any(|p| matches!(p, TemplatePart::Literal(s) if !s.is_empty())),
            _ => false,
        }
    }

    /// The template as one expression text, the way GitHub rewrites it:
    /// `format('text {0}', expr)` for mixed text, `'text'` for a literal.
    pub fn to_expression_text(&self) -> String {
        match self {
            Template::Literal(s) => format!("'{}'", s.replace('\'', "''")),
            Template::Expression(ast) => ast.text.clone(),
            Template::Format(parts) => {
                let mut fmt = String::new();
                let mut args = String::new();
                let mut n = 0;
                for part in parts {
                    match part {
                        TemplatePart::Literal(s) => {
                            fmt.push_str(&s.replace('\'', "''").replace('{', "{{").replace('}', "}}"))
                        }
                        TemplatePart::Expression(ast) => {
                            fmt.push_str(&format!("{{{n}}}"));
                            args.push_str(", ");
                            args.push_str(&ast.text);
                            n += 1;
                        }
                    }
                }
                format!("format('{fmt}'{args})")
            }
        }
    }
}
