//! Arbitrary input must give a value or an error, never a panic or a stack
//! overflow.

use serde_json::json;

use super::TestHost;
use crate::expr::{evaluate, parse, parse_condition, parse_template, ParseOptions};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = (self.next() % items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("")
    }
}

const PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "*",
    "!",
    "!=",
    "==",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "&",
    "||",
    "|",
    "'",
    "''",
    " ",
    "\n",
    "0",
    "1",
    "-",
    "+",
    ".5",
    "0x",
    "0o7",
    "e",
    "NaN",
    "Infinity",
    "null",
    "true",
    "false",
    "a",
    "foo",
    "_",
    "ı",
    "😊",
    "${{",
    "}}",
    "format(",
    "'{0}'",
    "'{'",
    "case(",
    "contains(",
    "join(",
    "toJSON(",
    "fromJSON(",
    "success(",
    "hashFiles(",
    "'[1,{\"a\":2}]'",
    "foo.*",
    "foo[*]",
    "foo.bar",
];

fn exercise(text: &str) {
    let host = TestHost::new(json!({"foo": {"bar": [1, "x", {"a": null}]}}));
    for opts in [ParseOptions::permissive(), ParseOptions::with_named_values(["foo"])] {
        if let Ok(ast) = parse(text, &opts) {
            let _ = evaluate(&ast, &host);
            let _ = ast.named_values();
            let _ = ast.function_calls();
        }
        if let Ok(template) = parse_template(text, &opts) {
            let _ = template.evaluate(&host);
            let _ = template.to_expression_text();
        }
        if let Ok(condition) = parse_condition(text, &opts) {
            let _ = condition.evaluate(&host);
        }
    }
}

#[test]
fn random_garbage_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..600 {
        let len = 1 + rng.next() % 24;
        let text: String = (0..len).map(|_| rng.pick(PIECES)).collect();
        exercise(&text);
    }
}

#[test]
fn deep_nesting_never_overflows_the_stack() {
    for piece in ["(", "[", "!", "toJSON(", "foo[", "'", "${{ ", "foo.", "{{"] {
        exercise(&piece.repeat(21_000 / piece.len()));
        exercise(&format!("foo{}", piece.repeat(3000)));
    }
    exercise(&format!("{}1{}", "(".repeat(5000), ")".repeat(5000)));
    exercise(&format!("fromJSON('{}1{}')", "[".repeat(5000), "]".repeat(5000)));
}
