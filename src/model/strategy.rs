//! `strategy:` — the matrix and how its legs run.

use super::reader::Reader;
use super::{Dynamic, Spanned, Text};
use crate::load::{Node, NodeValue};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Strategy {
    pub matrix: Option<Matrix>,
    pub fail_fast: Option<Spanned<Dynamic<bool>>>,
    pub max_parallel: Option<Spanned<Dynamic<f64>>>,
}

/// A matrix as written: fixed vectors with include/exclude, or one
/// expression (e.g. `${{ fromJSON(needs.prep.outputs.matrix) }}`) that is
/// only known once the jobs it needs have finished.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Matrix {
    Fixed(FixedMatrix),
    Expression(Text),
}

#[derive(Clone, Debug, Serialize)]
pub struct FixedMatrix {
    /// The `matrix:` mapping, where a problem with the whole matrix is shown.
    #[serde(skip)]
    pub span: crate::diag::Span,
    /// Each vector with its values, in declaration order. A vector may
    /// itself be an expression yielding the list.
    pub vectors: Vec<(Spanned<String>, Dynamic<Vec<serde_json::Value>>)>,
    pub include: Option<Dynamic<Vec<serde_json::Value>>>,
    pub exclude: Option<Dynamic<Vec<serde_json::Value>>>,
    #[serde(skip)]
    pub exclude_nodes: Vec<Node>,
    /// Strings inside vector values and include/exclude entries that hold
    /// `${{ }}`, so `check` can check them where they are written.
    #[serde(skip)]
    pub embedded_expressions: Vec<Text>,
}

pub fn read_strategy(r: &mut Reader, node: &Node, job_id: &str) -> Option<Strategy> {
    let what = format!("`strategy` of job `{job_id}`");
    let mapping = r.mapping(node, &what)?;
    r.check_keys(mapping, &["matrix", "fail-fast", "max-parallel"], &what);
    Some(Strategy {
        matrix: mapping.get("matrix").and_then(|m| read_matrix(r, m, job_id)),
        fail_fast: mapping
            .get("fail-fast")
            .and_then(|n| r.bool_or_expression(n, "`fail-fast`")),
        max_parallel: mapping
            .get("max-parallel")
            .and_then(|n| r.count_or_expression(n, "`max-parallel`")),
    })
}

fn collect_expressions(node: &Node, out: &mut Vec<Text>) {
    match &node.value {
        NodeValue::Scalar(s) if s.text.contains("${{") => out.push(Text {
            value: s.text.clone(),
            span: node.span,
            style: s.style,
        }),
        NodeValue::Scalar(_) => {}
        NodeValue::Sequence(items) => items.iter().for_each(|i| collect_expressions(i, out)),
        NodeValue::Mapping(m) => m.entries.iter().for_each(|(_, v)| collect_expressions(v, out)),
    }
}

fn read_matrix(r: &mut Reader, node: &Node, job_id: &str) -> Option<Matrix> {
    if let Some(expression) = r.whole_expression(node) {
        return Some(Matrix::Expression(expression));
    }
    let mapping = r.mapping(node, &format!("the matrix of job `{job_id}`"))?;
    let mut matrix = FixedMatrix {
        span: node.span,
        vectors: Vec::new(),
        include: None,
        exclude: None,
        exclude_nodes: Vec::new(),
        embedded_expressions: Vec::new(),
    };
    for (_, _, value) in mapping.iter() {
        if r.whole_expression(value).is_none() {
            collect_expressions(value, &mut matrix.embedded_expressions);
        }
    }
    for (key, key_node, value) in mapping.iter() {
        let list = match (&value.value, r.whole_expression(value)) {
            (_, Some(expression)) => Some(Dynamic::Expression(expression)),
            (NodeValue::Sequence(items), None) => {
                let all_entries_ok = key != "include" && key != "exclude"
                    || items.iter().all(|i| {
                        let ok = i.as_mapping().is_some();
                        if !ok {
                            r.error(i.span, format!("each entry of matrix `{key}` must be a mapping"));
                        }
                        ok
                    });
                all_entries_ok.then(|| Dynamic::Fixed(items.iter().map(Node::to_json).collect()))
            }
            _ => {
                r.error(
                    value.span,
                    format!(
                        "matrix `{key}` must be a sequence or a ${{{{ }}}} expression, but it is {}",
                        value.kind_name()
                    ),
                );
                None
            }
        };
        let Some(list) = list else { continue };
        match key {
            "include" => matrix.include = Some(list),
            "exclude" => {
                matrix.exclude_nodes = value.as_sequence().map(<[Node]>::to_vec).unwrap_or_default();
                matrix.exclude = Some(list);
            }
            _ => {
                if let Dynamic::Fixed(values) = &list {
                    if values.is_empty() {
                        r.error(value.span, format!("matrix vector `{key}` does not contain any values"));
                    }
                }
                matrix
                    .vectors
                    .push((Spanned::new(key.to_string(), key_node.span), list));
            }
        }
    }
    Some(Matrix::Fixed(matrix))
}
