//! Builds the [`Ast`] from tokens by recursive descent, with GitHub's
//! precedence (`!` > comparisons > `==`/`!=` > `&&` > `||`), its error
//! messages, and its limits (length 21,000, tree depth 50).

use super::ast::{Ast, IndexKey, Node, NodeKind};
use super::compare::CompareOp;
use super::error::ExprError;
use super::lexer::Lexer;
use super::options::ParseOptions;
use super::token::{Token, TokenKind};

mod operand;

/// The runner's limit on the depth of the expression tree.
pub const MAX_DEPTH: usize = 50;
/// The runner's limit on the length of an expression, in characters.
pub const MAX_LENGTH: usize = 21_000;
/// Bound on recursion, counting grouping parentheses (which add no tree
/// depth). Deeper nesting of redundant parentheses is refused so that no
/// input can exhaust the stack.
const MAX_NESTING: usize = 100;

/// Parses expression text (the inside of `${{ }}`).
pub fn parse(text: &str, opts: &ParseOptions) -> Result<Ast, ExprError> {
    if text.chars().count() > MAX_LENGTH {
        return Err(ExprError::parsing(
            format!("Exceeded max expression length {MAX_LENGTH}"),
            0,
        ));
    }
    let tokens = Lexer::tokenize(text)?;
    let mut parser = Parser {
        tokens: &tokens,
        next: 0,
        opts,
        node_nesting: 0,
        nesting: 0,
    };
    let root = match tokens.is_empty() {
        true => None,
        false => Some(parser.expression()?),
    };
    if let Some(token) = parser.peek() {
        return Err(unexpected_symbol(token));
    }
    Ok(Ast {
        root,
        text: text.to_string(),
        offset: 0,
    })
}

struct Parser<'a> {
    tokens: &'a [Token],
    next: usize,
    opts: &'a ParseOptions,
    /// Open constructs that add a tree level (`!`, `[`, call arguments).
    node_nesting: usize,
    /// All open constructs, parentheses included.
    nesting: usize,
}

fn unexpected_symbol(token: &Token) -> ExprError {
    ExprError::parsing(format!("Unexpected symbol: '{}'", token.raw), token.pos)
}

fn depth_error(offset: usize) -> ExprError {
    ExprError::parsing(format!("Exceeded max expression depth {MAX_DEPTH}"), offset)
}

/// Makes a node, computing its height and enforcing the depth limit.
fn node(kind: NodeKind, start: usize, end: usize) -> Result<Node, ExprError> {
    let mut node = Node {
        kind,
        start,
        end,
        height: 1,
    };
    node.height = 1 + node.children().iter().map(|c| c.height).max().unwrap_or(0);
    if node.height > MAX_DEPTH {
        return Err(depth_error(start));
    }
    Ok(node)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn peek_kind(&self) -> Option<&TokenKind> {
        self.peek().map(|t| &t.kind)
    }

    fn advance(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.next);
        if token.is_some() {
            self.next += 1;
        }
        token
    }

    fn eat(&mut self, kind: &TokenKind) -> Option<&Token> {
        match self.peek_kind() {
            Some(k) if k == kind => self.advance(),
            _ => None,
        }
    }

    /// The error for a missing token: "Unexpected end of expression" naming
    /// the last token when the text ran out, else the unexpected token.
    fn missing(&self) -> ExprError {
        match self.peek() {
            Some(token) => unexpected_symbol(token),
            None => match self.next.checked_sub(1).and_then(|i| self.tokens.get(i)) {
                Some(last) => ExprError::parsing(format!("Unexpected end of expression: '{}'", last.raw), last.pos),
                None => ExprError::parsing("Unexpected end of expression", 0),
            },
        }
    }

    fn expect(&mut self, kind: &TokenKind) -> Result<usize, ExprError> {
        match self.eat(kind) {
            Some(token) => Ok(token.end),
            None => Err(self.missing()),
        }
    }

    /// Runs `f` one nesting level deeper; `adds_level` is false only for
    /// grouping parentheses.
    fn nested<T>(
        &mut self,
        adds_level: bool,
        f: impl FnOnce(&mut Self) -> Result<T, ExprError>,
    ) -> Result<T, ExprError> {
        let offset = self.peek().map_or(0, |t| t.pos);
        self.nesting += 1;
        self.node_nesting += usize::from(adds_level);
        // Every level of `node_nesting` puts the innermost operand one level
        // deeper in the tree, so passing the limit is a genuine depth error.
        if self.node_nesting > MAX_DEPTH || self.nesting > MAX_NESTING {
            return Err(depth_error(offset));
        }
        let result = f(self);
        self.nesting -= 1;
        self.node_nesting -= usize::from(adds_level);
        result
    }

    fn expression(&mut self) -> Result<Node, ExprError> {
        self.logical(&TokenKind::Or)
    }

    /// `||` (over `&&` operands) or `&&` (over equality operands), flattened
    /// into one n-ary node like the runner's tree.
    fn logical(&mut self, op: &TokenKind) -> Result<Node, ExprError> {
        let operand = |p: &mut Self| match op {
            TokenKind::Or => p.logical(&TokenKind::And),
            _ => p.equality(),
        };
        let first = operand(self)?;
        if self.peek_kind() != Some(op) {
            return Ok(first);
        }
        let start = first.start;
        let mut items = vec![first];
        while self.eat(op).is_some() {
            items.push(operand(self)?);
        }
        let items: Vec<Node> = items
            .into_iter()
            .flat_map(|item| match (item.kind, op) {
                (NodeKind::Or(inner), TokenKind::Or) | (NodeKind::And(inner), TokenKind::And) => inner,
                (kind, _) => vec![Node { kind, ..item }],
            })
            .collect();
        let end = items.last().map_or(start, |n| n.end);
        let kind = match op {
            TokenKind::Or => NodeKind::Or(items),
            _ => NodeKind::And(items),
        };
        node(kind, start, end)
    }

    fn equality(&mut self) -> Result<Node, ExprError> {
        let mut left = self.comparison()?;
        while let Some(op) = match self.peek_kind() {
            Some(TokenKind::EqEq) => Some(CompareOp::Eq),
            Some(TokenKind::NotEq) => Some(CompareOp::Ne),
            _ => None,
        } {
            self.advance();
            let right = self.comparison()?;
            left = binary(op, left, right)?;
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Node, ExprError> {
        let mut left = self.unary()?;
        while let Some(op) = match self.peek_kind() {
            Some(TokenKind::Lt) => Some(CompareOp::Lt),
            Some(TokenKind::Le) => Some(CompareOp::Le),
            Some(TokenKind::Gt) => Some(CompareOp::Gt),
            Some(TokenKind::Ge) => Some(CompareOp::Ge),
            _ => None,
        } {
            self.advance();
            let right = self.unary()?;
            left = binary(op, left, right)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Node, ExprError> {
        let Some(start) = self.eat(&TokenKind::Not).map(|t| t.pos) else {
            return self.postfix();
        };
        let operand = self.nested(true, Self::unary)?;
        let end = operand.end;
        node(NodeKind::Not(Box::new(operand)), start, end)
    }
}

fn binary(op: CompareOp, left: Node, right: Node) -> Result<Node, ExprError> {
    let (start, end) = (left.start, right.end);
    node(
        NodeKind::Compare {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        start,
        end,
    )
}

fn index_node(target: Node, index: IndexKey, end: usize) -> Result<Node, ExprError> {
    let start = target.start;
    node(
        NodeKind::Index {
            target: Box::new(target),
            index,
        },
        start,
        end,
    )
}
