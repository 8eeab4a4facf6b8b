//! download-artifact's `pattern`: a minimatch glob over artifact names with
//! minimatch's defaults: `{a,b}` alternatives, a leading `!` negates, a
//! leading `#` matches nothing, and wildcards skip names starting with `.`.
//! (Extended globs such as `+(a|b)` and ranges such as `{1..3}` are not
//! supported.)

use crate::glob::{path_matches, Segment};

/// More alternatives than any workflow writes; stops `{a,b}{a,b}…` bombs.
const MAX_ALTERNATIVES: usize = 1024;

pub(super) struct NamePattern {
    negate: bool,
    comment: bool,
    alternatives: Vec<Vec<Segment>>,
}

impl NamePattern {
    pub(super) fn parse(pattern: &str) -> NamePattern {
        let bangs = pattern.chars().take_while(|&c| c == '!').count();
        let body = &pattern[bangs..];
        let mut expanded = Vec::new();
        expand(body, &mut expanded);
        NamePattern {
            negate: bangs % 2 == 1,
            comment: pattern.starts_with('#'),
            alternatives: expanded
                .iter()
                .map(|a| a.split('/').map(Segment::parse).collect())
                .collect(),
        }
    }

    pub(super) fn matches(&self, name: &str) -> bool {
        if self.comment {
            return false;
        }
        let names = [name.to_string()];
        self.alternatives
            .iter()
            .any(|segments| path_matches(segments, &names, false))
            != self.negate
    }
}

/// Expands the first `{…,…}` group of `text`, then the rest, into `out`.
fn expand(text: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_ALTERNATIVES {
        return;
    }
    let Some((open, close, commas)) = first_group(text) else {
        out.push(text.to_string());
        return;
    };
    let (head, tail) = (&text[..open], &text[close + 1..]);
    let mut start = open + 1;
    for end in commas.into_iter().chain([close]) {
        expand(&format!("{head}{}{tail}", &text[start..end]), out);
        start = end + 1;
    }
}

/// The byte offsets of the first brace group with a top-level comma: its
/// `{`, its `}` and its commas. Groups without a comma are literal.
fn first_group(text: &str) -> Option<(usize, usize, Vec<usize>)> {
    let bytes = text.as_bytes();
    let mut open = 0;
    while open < bytes.len() {
        if bytes[open] == b'\\' {
            open += 2;
            continue;
        }
        if bytes[open] == b'{' {
            let (mut depth, mut commas, mut i) = (0usize, Vec::new(), open);
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 1,
                    b'{' => depth += 1,
                    b',' if depth == 1 => commas.push(i),
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            if !commas.is_empty() {
                                return Some((open, i, commas));
                            }
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        open += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, name: &str) -> bool {
        NamePattern::parse(pattern).matches(name)
    }

    #[test]
    fn names_match_like_minimatch() {
        assert!(matches("model-*", "model-lr0.1"));
        assert!(!matches("model-*", "report"));
        assert!(matches("*", "report"));
        assert!(!matches("*", ".hidden"));
        assert!(matches(".*", ".hidden"));
        assert!(matches("model-?", "model-a"));
        assert!(matches("**", "anything"));
        assert!(matches("model", "model"));
        assert!(!matches("model", "model-a"));
        assert!(!matches("*/x", "x"));
    }

    #[test]
    fn braces_negation_and_comments() {
        assert!(matches("{model,report}-*", "report-1"));
        assert!(matches("a{b,c{d,e}}f", "acef"));
        assert!(!matches("a{b,c{d,e}}f", "acf"));
        assert!(matches("a{b}c", "a{b}c"));
        assert!(matches("!model-*", "report"));
        assert!(!matches("!model-*", "model-a"));
        assert!(!matches("#model", "#model"));
        assert!(matches("\\{a,b}", "{a,b}"));
    }

    #[test]
    fn brace_bombs_stop() {
        let bomb = "{a,b}".repeat(40);
        assert_eq!(NamePattern::parse(&bomb).alternatives.len(), MAX_ALTERNATIVES);
        let _ = NamePattern::parse("{{{,}").matches("x");
        let _ = NamePattern::parse("}{,").matches("x");
        let _ = NamePattern::parse("\\").matches("x");
    }
}
