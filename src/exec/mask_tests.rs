use super::*;
use std::sync::OnceLock;

fn masker(values: &[&str]) -> Masker {
    let mut masker = Masker::default();
    for value in values {
        masker.add(value);
    }
    masker
}

#[test]
fn no_values_borrows_the_line() {
    let masker = Masker::default();
    assert!(masker.is_empty());
    assert!(matches!(masker.mask("top-secret"), Cow::Borrowed("top-secret")));
}

#[test]
fn line_without_a_value_is_borrowed() {
    let masker = masker(&["top-secret"]);
    assert!(!masker.is_empty());
    assert!(matches!(masker.mask("nothing here"), Cow::Borrowed("nothing here")));
}

#[test]
fn every_occurrence_is_replaced() {
    let masker = masker(&["top-secret"]);
    assert_eq!(masker.mask("top-secret"), "***");
    assert_eq!(masker.mask("a top-secret b top-secret c"), "a *** b *** c");
    assert_eq!(masker.mask("TOP-SECRET"), "TOP-SECRET");
}

#[test]
fn value_containing_another_is_masked_whole() {
    assert_eq!(masker(&["abc", "abcdef"]).mask("xabcdefx"), "x***x");
    assert_eq!(masker(&["abcdef", "abc"]).mask("xabcdefx"), "x***x");
}

#[test]
fn overlapping_and_touching_values_merge_into_one_mask() {
    assert_eq!(masker(&["abc", "cde"]).mask("abcde"), "***");
    assert_eq!(masker(&["abc", "cde"]).mask("abc cde"), "*** ***");
    assert_eq!(masker(&["ab"]).mask("ababab!"), "***!");
    // Overlapping occurrences of one value: "aa" in "aaa".
    assert_eq!(masker(&["aa"]).mask("aaa b"), "*** b");
}

#[test]
fn multi_line_value_masks_each_line() {
    let masker = masker(&["foo\nbar\r\n  baz  \n\n"]);
    assert_eq!(masker.mask("foo"), "***");
    assert_eq!(masker.mask("x bar x"), "x *** x");
    assert_eq!(masker.mask("[baz]"), "[***]");
    assert_eq!(masker.mask("foo\nbar\r\n  baz  \n\n"), "***");
}

#[test]
fn empty_and_whitespace_values_are_ignored() {
    let masker = masker(&["", "   ", "\t", "\n \n"]);
    assert!(masker.is_empty());
    assert!(matches!(masker.mask("a b"), Cow::Borrowed("a b")));
}

#[test]
fn a_value_is_registered_once() {
    let masker = masker(&["s", "s", "s"]);
    assert_eq!(masker.values.len(), 1);
}

#[test]
fn multibyte_values_and_lines() {
    assert_eq!(masker(&["пароль", "é"]).mask("мой пароль: ééa"), "мой ***: ***a");
    assert_eq!(masker(&["ßß"]).mask("ßßß!"), "***!");
}

#[test]
fn many_values() {
    let values: Vec<String> = (0..500).map(|i| format!("secret-{i:03}")).collect();
    let mut masker = Masker::default();
    for value in &values {
        masker.add(value);
    }
    assert_eq!(
        masker.mask("a secret-499 b secret-000 c secret-5"),
        "a *** b *** c secret-5"
    );
}

#[test]
fn search_value_by_value_gives_the_same_masks() {
    let values = ["abc", "cde", "aa", "пароль", "ab", "top-secret", "x.y*z"];
    let lines = [
        "abcde",
        "aaa b",
        "ababab!",
        "мой пароль",
        "a top-secret b top-secret",
        "x.y*z xayyz",
        "none",
    ];
    let at_once = masker(&values);
    let mut one_by_one = masker(&values);
    one_by_one.finder = OnceLock::from(None);
    for line in lines {
        assert_eq!(one_by_one.mask(line), at_once.mask(line), "{line:?}");
    }
    assert_eq!(one_by_one.mask("abcde aa x.y*z"), "*** *** ***");
    assert!(matches!(one_by_one.mask("none"), Cow::Borrowed("none")));
}

#[test]
fn regex_characters_in_values_are_literal() {
    assert_eq!(
        masker(&["a.c", "(x|y)", "^$"]).mask("abc a.c (x|y) x ^$"),
        "abc *** *** x ***"
    );
}
