//! Tokens and their offsets, and the lexer's error messages.

use crate::expr::lexer::Lexer;
use crate::expr::token::TokenKind;

fn kinds(text: &str) -> Vec<TokenKind> {
    match Lexer::tokenize(text) {
        Ok(tokens) => tokens.into_iter().map(|t| t.kind).collect(),
        Err(e) => panic!("{text}: {e}"),
    }
}

#[test]
fn splits_tokens_with_offsets() {
    let tokens = Lexer::tokenize("a.b-c[ 'x''y' ] >= .5").unwrap_or_default();
    let summary: Vec<(String, usize)> = tokens.iter().map(|t| (t.raw.clone(), t.pos)).collect();
    assert_eq!(
        summary,
        [
            ("a", 0),
            (".", 1),
            ("b-c", 2),
            ("[", 5),
            ("'x''y'", 7),
            ("]", 14),
            (">=", 16),
            (".5", 19)
        ]
        .map(|(s, p)| (s.to_string(), p))
    );
    assert_eq!(tokens[4].kind, TokenKind::String("x'y".into()));
    assert_eq!(kinds("foo.true"), [TokenKind::Ident, TokenKind::Dot, TokenKind::Ident]);
    assert_eq!(kinds("!true"), [TokenKind::Not, TokenKind::True]);
}

#[test]
fn reports_bad_symbols() {
    let err = |t: &str| Lexer::tokenize(t).err().map(|e| (e.message, e.column));
    assert_eq!(err("1 =2 =3"), Some(("Unexpected symbol: '=2'".into(), 3)));
    assert_eq!(err("'foo"), Some(("Unexpected symbol: ''foo'".into(), 1)));
    assert_eq!(err("-0xFF"), Some(("Unexpected symbol: '-0xFF'".into(), 1)));
    assert_eq!(err("a 😊b"), Some(("Unexpected symbol: '😊b'".into(), 3)));
}
