//! Splits expression text into [`Token`]s, with the runner's rules for where
//! numbers, identifiers and strings end.

use super::error::ExprError;
use super::number::parse_number;
use super::token::{Token, TokenKind};

pub(crate) struct Lexer {
    chars: Vec<char>,
    pos: usize,
    tokens: Vec<Token>,
}

/// Characters that end a number or identifier. Note that `*`, `'` and `@` are
/// not boundaries: `1*2` is one (invalid) token, as on GitHub.
fn is_boundary(c: char) -> bool {
    matches!(c, '(' | '[' | ')' | ']' | ',' | '.' | '!' | '>' | '<' | '=' | '&' | '|') || c.is_whitespace()
}

fn is_legal_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Lexer {
    pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, ExprError> {
        let mut lexer = Lexer {
            chars: text.chars().collect(),
            pos: 0,
            tokens: Vec::new(),
        };
        while let Some(c) = lexer.peek() {
            if c.is_whitespace() {
                lexer.pos += 1;
                continue;
            }
            lexer.next_token(c)?;
        }
        Ok(lexer.tokens)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.chars.get(start..end).unwrap_or_default().iter().collect()
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        let raw = self.text(start, self.pos);
        self.tokens.push(Token {
            kind,
            raw,
            pos: start,
            end: self.pos,
        });
    }

    /// One- or two-character operators: `op` alone, or `op2` when followed
    /// by `=` / the same character.
    fn operator(&mut self, second: char, one: Option<TokenKind>, two: TokenKind) -> Result<(), ExprError> {
        let start = self.pos;
        self.pos += 1;
        if self.peek() == Some(second) {
            self.pos += 1;
            self.push(two, start);
            return Ok(());
        }
        match one {
            Some(kind) => {
                self.push(kind, start);
                Ok(())
            }
            // A lone `=`, `&` or `|`: report it with the rest of the word.
            None => Err(self.bad_symbol(start)),
        }
    }

    fn next_token(&mut self, c: char) -> Result<(), ExprError> {
        let start = self.pos;
        let single = match c {
            '(' => Some(TokenKind::LParen),
            ')' => Some(TokenKind::RParen),
            '[' => Some(TokenKind::LBracket),
            ']' => Some(TokenKind::RBracket),
            ',' => Some(TokenKind::Comma),
            '*' => Some(TokenKind::Star),
            _ => None,
        };
        if let Some(kind) = single {
            self.pos += 1;
            self.push(kind, start);
            return Ok(());
        }
        match c {
            '!' => self.operator('=', Some(TokenKind::Not), TokenKind::NotEq),
            '<' => self.operator('=', Some(TokenKind::Lt), TokenKind::Le),
            '>' => self.operator('=', Some(TokenKind::Gt), TokenKind::Ge),
            '=' => self.operator('=', None, TokenKind::EqEq),
            '&' => self.operator('&', None, TokenKind::And),
            '|' => self.operator('|', None, TokenKind::Or),
            '\'' => self.string(),
            '.' if !self.dot_starts_number() => {
                self.pos += 1;
                self.push(TokenKind::Dot, start);
                Ok(())
            }
            '.' | '-' | '+' | '0'..='9' => self.number(),
            _ => self.word(),
        }
    }

    /// A `.` is a property access after an operand (`foo.bar`, `x[0].y`,
    /// `f().z`, `a.*.b`, or even `'lit'.x`, which the parser then rejects) and
    /// the start of a number (`.5`) anywhere an operand may begin.
    fn dot_starts_number(&self) -> bool {
        match self.tokens.last() {
            None => true,
            Some(t) => {
                matches!(t.kind, TokenKind::Comma | TokenKind::LParen | TokenKind::LBracket) || t.kind.is_operator()
            }
        }
    }

    fn number(&mut self) -> Result<(), ExprError> {
        let start = self.pos;
        self.pos += 1;
        while let Some(c) = self.peek() {
            if is_boundary(c) && c != '.' {
                break;
            }
            self.pos += 1;
        }
        let raw = self.text(start, self.pos);
        let value = parse_number(&raw);
        if value.is_nan() {
            return Err(unexpected(&raw, start));
        }
        self.push(TokenKind::Number(value), start);
        Ok(())
    }

    fn string(&mut self) -> Result<(), ExprError> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.peek() {
                None => return Err(unexpected(&self.text(start, self.pos), start)),
                Some('\'') if self.peek_at(1) == Some('\'') => {
                    value.push('\'');
                    self.pos += 2;
                }
                Some('\'') => {
                    self.pos += 1;
                    self.push(TokenKind::String(value), start);
                    return Ok(());
                }
                Some(c) => {
                    value.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn word(&mut self) -> Result<(), ExprError> {
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(|c| !is_boundary(c)) {
            self.pos += 1;
        }
        let raw = self.text(start, self.pos);
        if !is_legal_identifier(&raw) {
            return Err(unexpected(&raw, start));
        }
        // After a `.` every word is a property name: `foo.true`, `foo.NaN`.
        let after_dot = self.tokens.last().is_some_and(|t| t.kind == TokenKind::Dot);
        let kind = match raw.as_str() {
            _ if after_dot => TokenKind::Ident,
            "null" => TokenKind::Null,
            "true" => TokenKind::True,
            "false" => TokenKind::False,
            "NaN" => TokenKind::Number(f64::NAN),
            "Infinity" => TokenKind::Number(f64::INFINITY),
            _ => TokenKind::Ident,
        };
        self.push(kind, start);
        Ok(())
    }

    /// The error for an illegal character sequence starting at `start`: the
    /// sequence runs to the next boundary, e.g. `=2` in `1 =2 =3`.
    fn bad_symbol(&mut self, start: usize) -> ExprError {
        while self.peek().is_some_and(|c| !is_boundary(c)) {
            self.pos += 1;
        }
        unexpected(&self.text(start, self.pos), start)
    }
}

fn unexpected(raw: &str, offset: usize) -> ExprError {
    ExprError::lexing(format!("Unexpected symbol: '{raw}'"), offset)
}
