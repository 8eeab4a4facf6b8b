//! Questions other stages ask about a parsed expression without running it:
//! which contexts and properties it reads, which functions it calls, and
//! whether it already calls a status function.

use super::ast::{Ast, IndexKey, Literal, Node, NodeKind};
use super::function::Function;

/// One use of a named value (context).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedValueUse {
    /// As written (`Needs`), not normalised.
    pub name: String,
    /// 0-based char offset in the expression text.
    pub offset: usize,
    /// The literal property path that follows: `needs.build.outputs.x` and
    /// `needs['build'].outputs.x` both give `["build", "outputs", "x"]`. It
    /// stops at the first wildcard or computed index.
    pub path: Vec<String>,
    /// 0-based char offsets of each `path` element's text.
    pub path_offsets: Vec<usize>,
}

/// One function call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionUse {
    pub function: Function,
    /// As written (`toJson`).
    pub name: String,
    /// 0-based char offset of the name in the expression text.
    pub offset: usize,
    pub arg_count: usize,
    /// For a call whose only argument is a string literal, that string
    /// (lets a checker validate `fromJSON('…')`).
    pub string_arg: Option<String>,
}

impl Ast {
    /// Every named-value use, in source order.
    pub fn named_values(&self) -> Vec<NamedValueUse> {
        let mut uses = Vec::new();
        if let Some(root) = &self.root {
            collect_named_values(root, &mut Vec::new(), &mut uses);
        }
        uses.sort_by_key(|u| u.offset);
        uses
    }

    /// Every function call, in source order.
    pub fn function_calls(&self) -> Vec<FunctionUse> {
        let mut calls = Vec::new();
        visit(self.root.as_ref(), &mut |node| {
            if let NodeKind::Call { function, name, args } = &node.kind {
                let string_arg = match args.as_slice() {
                    [Node {
                        kind: NodeKind::Literal(Literal::String(s)),
                        ..
                    }] => Some(s.clone()),
                    _ => None,
                };
                calls.push(FunctionUse {
                    function: *function,
                    name: name.clone(),
                    offset: node.start,
                    arg_count: args.len(),
                    string_arg,
                });
            }
        });
        calls.sort_by_key(|c| c.offset);
        calls
    }

    /// Whether `success`, `failure`, `cancelled` or `always` is called
    /// anywhere (a name inside a string literal does not count).
    pub fn uses_status_function(&self) -> bool {
        self.function_calls().iter().any(|c| c.function.is_status())
    }
}

fn visit<'a>(node: Option<&'a Node>, f: &mut impl FnMut(&'a Node)) {
    if let Some(node) = node {
        f(node);
        for child in node.children() {
            visit(Some(child), f);
        }
    }
}

/// Walks the tree; `path` holds the literal property steps applied to the
/// current node by the index chain above it (innermost last).
fn collect_named_values(node: &Node, path: &mut Vec<(String, usize)>, out: &mut Vec<NamedValueUse>) {
    match &node.kind {
        NodeKind::NamedValue(name) => {
            // The steps were pushed outermost first; the path reads inward out.
            let steps: Vec<&(String, usize)> = path.iter().rev().collect();
            out.push(NamedValueUse {
                name: name.clone(),
                offset: node.start,
                path: steps.iter().map(|(s, _)| s.clone()).collect(),
                path_offsets: steps.iter().map(|(_, o)| *o).collect(),
            });
        }
        NodeKind::Index { target, index } => {
            let step = match index {
                IndexKey::Expr(key) => match &key.kind {
                    NodeKind::Literal(Literal::String(s)) => Some((s.clone(), key.start)),
                    _ => None,
                },
                IndexKey::Wildcard => None,
            };
            if let IndexKey::Expr(key) = index {
                collect_named_values(key, &mut Vec::new(), out);
            }
            match step {
                Some(step) => {
                    path.push(step);
                    collect_named_values(target, path, out);
                    path.pop();
                }
                // A wildcard or computed step ends the literal path here.
                None => collect_named_values(target, &mut Vec::new(), out),
            }
        }
        _ => {
            for child in node.children() {
                collect_named_values(child, &mut Vec::new(), out);
            }
        }
    }
}
