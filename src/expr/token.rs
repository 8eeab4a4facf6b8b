//! Tokens produced by the lexer, each with its char offset in the expression.

/// What a token is. Literal tokens carry their parsed value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TokenKind {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Star,
    Not,
    NotEq,
    EqEq,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Null,
    True,
    False,
    Number(f64),
    String(String),
    /// A context name, function name or property name.
    Ident,
}

impl TokenKind {
    /// Operators after which a `.` starts a number rather than a property
    /// access (together with `,`, `(`, `[` and the start of the text).
    pub(crate) fn is_operator(&self) -> bool {
        matches!(
            self,
            TokenKind::Not
                | TokenKind::NotEq
                | TokenKind::EqEq
                | TokenKind::Lt
                | TokenKind::Le
                | TokenKind::Gt
                | TokenKind::Ge
                | TokenKind::And
                | TokenKind::Or
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    /// The text as written (with quotes for strings), used in messages.
    pub raw: String,
    /// 0-based char offset of the first character.
    pub pos: usize,
    /// 0-based char offset just past the last character.
    pub end: usize,
}
