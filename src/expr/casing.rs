//! .NET `OrdinalIgnoreCase` for Rust strings: the rule GitHub uses for string
//! `==`/`<`, context and key lookup, and `contains`/`startsWith`/`endsWith`.
//!
//! .NET upper-cases each character with the simple (one-to-one) invariant
//! mapping and then compares UTF-16 code units. Mappings that would turn a
//! non-ASCII letter into ASCII (`ı` → `I`, `ſ` → `S`) are not applied, which is
//! why `'ı' == 'I'` is false while `'ς' == 'Σ'` is true.

use std::cmp::Ordering;

/// The upper-case form of one character under `OrdinalIgnoreCase`.
pub(crate) fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        // Only one-to-one mappings count (`ß` → `SS` is a full mapping), and
        // never one from non-ASCII to ASCII (`ı` → `I`, `ſ` → `S`).
        (Some(u), None) if !u.is_ascii() => u,
        _ => c,
    }
}

/// The folded (upper-cased) form of a whole string; equal folds mean the
/// strings are equal ignoring case.
pub(crate) fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars().map(fold_char).eq(b.chars().map(fold_char))
}

/// Orders two strings as `String.Compare(a, b, OrdinalIgnoreCase)` does:
/// by UTF-16 code units of the folded strings.
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let units = |s: &str| {
        s.chars()
            .map(fold_char)
            .flat_map(|c| {
                let mut buf = [0u16; 2];
                let len = c.encode_utf16(&mut buf).len();
                buf.into_iter().take(len)
            })
            .collect::<Vec<u16>>()
    };
    units(a).cmp(&units(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_ordinal_ignore_case() {
        assert!(eq_ignore_case("abcXYZ", "ABCxyz"));
        assert!(eq_ignore_case("ς", "Σ"));
        assert!(eq_ignore_case("σ", "Σ"));
        assert!(eq_ignore_case("ü", "Ü"));
        assert!(!eq_ignore_case("i", "İ"));
        assert!(!eq_ignore_case("ı", "I"));
        assert!(!eq_ignore_case("ß", "SS"));
        assert_eq!(cmp_ignore_case("a", "["), Ordering::Less);
        assert_eq!(cmp_ignore_case("ı", "I"), Ordering::Greater);
        // U+FF21 sorts after a surrogate pair in UTF-16 order.
        assert_eq!(cmp_ignore_case("\u{FF21}", "\u{1F600}"), Ordering::Greater);
    }
}
