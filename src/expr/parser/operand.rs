//! Operands: literals, named values, function calls and groups, and the
//! `[…]`, `.name` and `.*` steps that may follow them.

use super::{index_node, node, unexpected_symbol, Parser};
use crate::expr::ast::{IndexKey, Literal, Node, NodeKind};
use crate::expr::error::ExprError;
use crate::expr::function::Function;
use crate::expr::options::StatusFunctions;
use crate::expr::token::{Token, TokenKind};

impl Parser<'_> {
    /// Index and property access; allowed after a named value, a function
    /// call or a parenthesised group, not after a literal.
    pub(super) fn postfix(&mut self) -> Result<Node, ExprError> {
        let (mut target, indexable) = self.primary()?;
        if !indexable {
            return Ok(target);
        }
        loop {
            if self.eat(&TokenKind::LBracket).is_some() {
                let index = self.nested(true, |p| match p.eat(&TokenKind::Star) {
                    Some(_) => Ok(IndexKey::Wildcard),
                    None => Ok(IndexKey::Expr(Box::new(p.expression()?))),
                })?;
                let end = self.expect(&TokenKind::RBracket)?;
                target = index_node(target, index, end)?;
            } else if self.eat(&TokenKind::Dot).is_some() {
                let (index, end) = match self.advance().cloned() {
                    Some(Token {
                        kind: TokenKind::Star,
                        end,
                        ..
                    }) => (IndexKey::Wildcard, end),
                    Some(Token {
                        kind: TokenKind::Ident,
                        raw,
                        pos,
                        end,
                    }) => {
                        let literal = node(NodeKind::Literal(Literal::String(raw)), pos, end)?;
                        (IndexKey::Expr(Box::new(literal)), end)
                    }
                    Some(other) => return Err(unexpected_symbol(&other)),
                    None => return Err(self.missing()),
                };
                target = index_node(target, index, end)?;
            } else {
                return Ok(target);
            }
        }
    }

    /// An operand, and whether it may be followed by `[…]` or `.name`.
    fn primary(&mut self) -> Result<(Node, bool), ExprError> {
        let Some(token) = self.advance().cloned() else {
            return Err(self.missing());
        };
        let literal = match &token.kind {
            TokenKind::Null => Some(Literal::Null),
            TokenKind::True => Some(Literal::Bool(true)),
            TokenKind::False => Some(Literal::Bool(false)),
            TokenKind::Number(n) => Some(Literal::Number(*n)),
            TokenKind::String(s) => Some(Literal::String(s.clone())),
            _ => None,
        };
        if let Some(literal) = literal {
            return Ok((node(NodeKind::Literal(literal), token.pos, token.end)?, false));
        }
        match token.kind {
            TokenKind::Ident if self.peek_kind() == Some(&TokenKind::LParen) => Ok((self.call(token)?, true)),
            TokenKind::Ident => {
                if !self.opts.allows_named_value(&token.raw) {
                    return Err(ExprError::parsing(
                        format!("Unrecognized named-value: '{}'", token.raw),
                        token.pos,
                    ));
                }
                Ok((node(NodeKind::NamedValue(token.raw), token.pos, token.end)?, true))
            }
            TokenKind::LParen => {
                let inner = self.nested(false, Self::expression)?;
                self.expect(&TokenKind::RParen)?;
                Ok((inner, true))
            }
            _ => Err(unexpected_symbol(&token)),
        }
    }

    fn call(&mut self, name: Token) -> Result<Node, ExprError> {
        let function = Function::from_name(&name.raw)
            .filter(|f| self.opts.extra_functions.allows(*f))
            .ok_or_else(|| ExprError::parsing(format!("Unrecognized function: '{}'", name.raw), name.pos))?;
        self.expect(&TokenKind::LParen)?;
        let (args, end) = self.nested(true, |p| {
            let mut args = Vec::new();
            if let Some(close) = p.eat(&TokenKind::RParen) {
                return Ok((args, close.end));
            }
            loop {
                args.push(p.expression()?);
                if p.eat(&TokenKind::Comma).is_none() {
                    return p.expect(&TokenKind::RParen).map(|end| (args, end));
                }
            }
        })?;
        let job_ids = self.opts.extra_functions.status == StatusFunctions::Job;
        let (min, max) = function.arity(job_ids);
        let problem = if args.len() < min {
            Some("Too few parameters supplied")
        } else if args.len() > max {
            Some("Too many parameters supplied")
        } else if function == Function::Case && args.len() % 2 == 0 {
            Some("Even number of parameters supplied, requires an odd number of parameters")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(ExprError::parsing(format!("{problem}: '{}'", name.raw), name.pos));
        }
        node(
            NodeKind::Call {
                function,
                name: name.raw,
                args,
            },
            name.pos,
            end,
        )
    }
}
