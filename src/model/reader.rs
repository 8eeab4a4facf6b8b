//! Typed access to the YAML tree that reports every mismatch as a
//! diagnostic at the offending node and carries on, so one `validate`
//! shows every problem in a file at once.

use super::{Dynamic, Spanned, Text};
use crate::diag::{did_you_mean, Diagnostic, Span};
use crate::load::{Mapping, Node, NodeValue};
use indexmap::IndexMap;

#[derive(Default)]
pub struct Reader {
    pub diagnostics: Vec<Diagnostic>,
}

impl Reader {
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(span, message));
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn expected(&mut self, node: &Node, wanted: &str, what: &str) {
        self.error(
            node.span,
            format!("{what} must be {wanted}, but it is {}", node.kind_name()),
        );
    }

    pub fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Mapping> {
        let mapping = node.as_mapping();
        if mapping.is_none() {
            self.expected(node, "a mapping", what);
        }
        mapping
    }

    pub fn sequence<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        let sequence = node.as_sequence();
        if sequence.is_none() {
            self.expected(node, "a sequence", what);
        }
        sequence
    }

    /// Reports every key of `mapping` not in `allowed`, with a suggestion.
    pub fn check_keys(&mut self, mapping: &Mapping, allowed: &[&str], what: &str) {
        for (key, key_node, _) in mapping.iter() {
            if !allowed.contains(&key) {
                let diagnostic = Diagnostic::error(key_node.span, format!("unknown key `{key}` in {what}"))
                    .with_optional_help(
                        did_you_mean(key, allowed.iter().copied()).map(|s| format!("did you mean `{s}`?")),
                    );
                self.push(diagnostic);
            }
        }
    }

    /// Reports the keys of `required` that `mapping` lacks, at `at`.
    pub fn require_keys(&mut self, mapping: &Mapping, required: &[&str], at: Span, what: &str) {
        for key in required {
            if mapping.get(key).is_none() {
                self.error(at, format!("{what} is missing the required key `{key}`"));
            }
        }
    }

    /// Any scalar as text (numbers and booleans as written); null is "".
    pub fn text(&mut self, node: &Node, what: &str) -> Option<Text> {
        match &node.value {
            NodeValue::Scalar(s) => Some(Text {
                value: if s.is_null() { String::new() } else { s.text.clone() },
                span: node.span,
                style: s.style,
            }),
            _ => {
                self.expected(node, "a string", what);
                None
            }
        }
    }

    /// Text that must not be empty or null.
    pub fn non_empty_text(&mut self, node: &Node, what: &str) -> Option<Text> {
        let text = self.text(node, what)?;
        if text.value.trim().is_empty() {
            self.error(node.span, format!("{what} must not be empty"));
            return None;
        }
        Some(text)
    }

    /// A string or a sequence of strings (as filters and `needs` allow).
    pub fn text_list(&mut self, node: &Node, what: &str) -> Vec<Text> {
        match &node.value {
            NodeValue::Sequence(items) => items.iter().filter_map(|i| self.non_empty_text(i, what)).collect(),
            NodeValue::Scalar(_) => self.non_empty_text(node, what).into_iter().collect(),
            NodeValue::Mapping(_) => {
                self.expected(node, "a string or a sequence of strings", what);
                Vec::new()
            }
        }
    }

    /// Like `text_list`, but spaces are kept for the pattern checker to judge.
    pub fn pattern_list(&mut self, node: &Node, what: &str) -> Vec<Text> {
        let one = |r: &mut Reader, n: &Node| {
            let text = r.text(n, what)?;
            if text.value.is_empty() {
                r.error(n.span, format!("{what} must not be empty"));
                return None;
            }
            Some(text)
        };
        match &node.value {
            NodeValue::Sequence(items) => items.iter().filter_map(|i| one(self, i)).collect(),
            NodeValue::Scalar(_) => one(self, node).into_iter().collect(),
            NodeValue::Mapping(_) => {
                self.expected(node, "a string or a sequence of strings", what);
                Vec::new()
            }
        }
    }

    /// A mapping of names to text values (`env`, `with`, `outputs`).
    pub fn text_map(&mut self, node: &Node, what: &str) -> IndexMap<String, Text> {
        let mut map = IndexMap::new();
        if node.is_null() {
            return map;
        }
        let Some(mapping) = self.mapping(node, what) else {
            return map;
        };
        for (key, _, value) in mapping.iter() {
            if let Some(text) = self.text(value, &format!("`{key}` in {what}")) {
                map.insert(key.to_string(), text);
            }
        }
        map
    }

    /// A boolean, or one `${{ }}` expression.
    pub fn bool_or_expression(&mut self, node: &Node, what: &str) -> Option<Spanned<Dynamic<bool>>> {
        let scalar = node.as_scalar();
        if let Some(b) = scalar.and_then(|s| s.as_bool()) {
            return Some(Spanned::new(Dynamic::Fixed(b), node.span));
        }
        if let Some(expression) = self.whole_expression(node) {
            return Some(Spanned::new(Dynamic::Expression(expression), node.span));
        }
        self.error(
            node.span,
            format!("{what} must be true, false or a ${{{{ }}}} expression"),
        );
        None
    }

    /// A number, or one `${{ }}` expression. `positive` rejects zero and below.
    pub fn number_or_expression(&mut self, node: &Node, what: &str, positive: bool) -> Option<Spanned<Dynamic<f64>>> {
        let scalar = node.as_scalar();
        if let Some(n) = scalar.and_then(|s| s.as_number()) {
            if positive && (n.is_nan() || n <= 0.0) {
                self.error(
                    node.span,
                    format!(
                        "{what} must be greater than zero, but it is {}",
                        scalar.map_or("", |s| s.text.as_str())
                    ),
                );
                return None;
            }
            return Some(Spanned::new(Dynamic::Fixed(n), node.span));
        }
        if let Some(expression) = self.whole_expression(node) {
            return Some(Spanned::new(Dynamic::Expression(expression), node.span));
        }
        self.error(
            node.span,
            format!(
                "{what} must be a number or a ${{{{ }}}} expression, but it is {}",
                node.kind_name()
            ),
        );
        None
    }

    /// `timeout-minutes`: a number in GitHub's range, or an expression
    /// (checked when the leg runs, by `limits::timeout_duration`).
    pub fn minutes_or_expression(&mut self, node: &Node, what: &str) -> Option<Spanned<Dynamic<f64>>> {
        let minutes = self.number_or_expression(node, what, true)?;
        if let Dynamic::Fixed(n) = minutes.value {
            if !super::limits::timeout_in_range(n) {
                self.error(
                    node.span,
                    format!(
                        "{what} must be at most {} (5 days), but it is {}",
                        super::limits::MAX_TIMEOUT_MINUTES,
                        node.as_str().unwrap_or_default()
                    ),
                );
                return None;
            }
        }
        Some(minutes)
    }

    /// A whole number of at least 1, or an expression (`max-parallel`).
    pub fn count_or_expression(&mut self, node: &Node, what: &str) -> Option<Spanned<Dynamic<f64>>> {
        let count = self.number_or_expression(node, what, true)?;
        if let Dynamic::Fixed(n) = count.value {
            if n.fract() != 0.0 || n > u32::MAX as f64 {
                self.error(
                    node.span,
                    format!(
                        "{what} must be a whole number from 1 to {}, but it is {}",
                        u32::MAX,
                        node.as_str().unwrap_or_default()
                    ),
                );
                return None;
            }
        }
        Some(count)
    }

    /// The node's text when it is exactly one `${{ }}` (surrounding spaces allowed).
    pub fn whole_expression(&mut self, node: &Node) -> Option<Text> {
        let scalar = node.as_scalar()?;
        let trimmed = scalar.text.trim();
        let single = trimmed.starts_with("${{") && trimmed.ends_with("}}") && trimmed[3..].find("${{").is_none();
        single.then(|| Text {
            value: scalar.text.clone(),
            span: node.span,
            style: scalar.style,
        })
    }
}
