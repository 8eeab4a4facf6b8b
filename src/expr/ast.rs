//! The syntax tree of a parsed expression.

use super::compare::CompareOp;
use super::function::Function;

/// A parsed expression, ready to evaluate with [`evaluate`](super::evaluate)
/// or to inspect (see the `analysis` methods).
///
/// It holds no shared values, so it is `Send` and `Sync` and can be kept in
/// the workflow model.
#[derive(Clone, Debug, PartialEq)]
pub struct Ast {
    pub(crate) root: Option<Node>,
    pub(crate) text: String,
    pub(crate) offset: usize,
}

impl Ast {
    /// The expression text that was parsed (inside a `${{ }}`, trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Char offset of [`Ast::text`] within the string it was scanned from:
    /// 0 for [`parse`](super::parse), the position after `${{` and blanks for
    /// expressions found by [`parse_template`](super::parse_template).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// True for an empty expression, which evaluates to null.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    pub fn root(&self) -> Option<&Node> {
        self.root.as_ref()
    }
}

/// One node of the tree, with the char span of its source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// 0-based char offset where the node's text starts.
    pub start: usize,
    /// 0-based char offset just past the node's text.
    pub end: usize,
    /// Height of the subtree in the runner's counting (a leaf is 1); GitHub
    /// rejects expressions whose tree is deeper than 50.
    pub(crate) height: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Literal(Literal),
    /// A context such as `github`, as written.
    NamedValue(String),
    /// `target[index]`, `target.name` (index is a string literal), or with a
    /// wildcard `target.*` / `target[*]`.
    Index {
        target: Box<Node>,
        index: IndexKey,
    },
    Not(Box<Node>),
    Compare {
        op: CompareOp,
        left: Box<Node>,
        right: Box<Node>,
    },
    /// `a && b && …`, flattened as the runner does.
    And(Vec<Node>),
    /// `a || b || …`, flattened as the runner does.
    Or(Vec<Node>),
    Call {
        function: Function,
        /// The name as written (`toJson`), with its char offset in `start`.
        name: String,
        args: Vec<Node>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum IndexKey {
    Wildcard,
    Expr(Box<Node>),
}

/// A literal value in the source. (Only primitives can be written.)
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
}

impl Node {
    /// The node's children in source order.
    pub fn children(&self) -> Vec<&Node> {
        match &self.kind {
            NodeKind::Literal(_) | NodeKind::NamedValue(_) => Vec::new(),
            NodeKind::Index { target, index } => match index {
                IndexKey::Wildcard => vec![target],
                IndexKey::Expr(index) => vec![target, index],
            },
            NodeKind::Not(operand) => vec![operand],
            NodeKind::Compare { left, right, .. } => vec![left, right],
            NodeKind::And(items) | NodeKind::Or(items) => items.iter().collect(),
            NodeKind::Call { args, .. } => args.iter().collect(),
        }
    }
}
