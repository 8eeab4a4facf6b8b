use super::*;

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
    assert_eq!(masker.known.len(), 1);
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

/// Masks `line` with the values searched one by one.
fn one_by_one(values: &[&str], line: &str) -> String {
    let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    let mut found = Vec::new();
    Finder::OneByOne(values).find_all(line, &mut found);
    apply(line, &merge(&found)).into_owned()
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
    for line in lines {
        assert_eq!(one_by_one(&values, line), at_once.mask(line), "{line:?}");
    }
    assert_eq!(one_by_one(&values, "abcde aa x.y*z"), "*** *** ***");
}

#[test]
fn a_value_reaching_back_over_several_others_merges_them() {
    // "bcdefgh" ends last but starts before the ends of "bc" and "de".
    assert_eq!(masker(&["bc", "de", "bcdefgh"]).mask("a bcdefgh i"), "a *** i");
    assert_eq!(merge(&[(2, 4), (5, 7), (1, 9)]), vec![(1, 9)]);
    assert_eq!(merge(&[(0, 2), (2, 4), (6, 8)]), vec![(0, 4), (6, 8)]);
}

/// Values added one at a time with output masked in between (a step that
/// prints `::add-mask::` in a loop), then output with none added: every
/// stage masks what masking value by value would.
#[test]
fn values_added_between_lines_mask_as_if_searched_one_by_one() {
    let values: Vec<String> = (0..300).map(|i| format!("tok{i}-{}", "z".repeat(i % 7))).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let mut masker = Masker::default();
    for (i, value) in values.iter().enumerate() {
        masker.add(value);
        let line = format!("a {value} b {} c", values[i / 2]);
        assert_eq!(masker.mask(&line), one_by_one(&refs[..=i], &line), "after {i}");
    }
    assert!(masker.groups.len() > 1);
    // Quiet output: one automaton of all values takes over.
    for i in 0..masker.known.len() + 1 {
        let line = format!("x {} y tok99-zzzzzzz", values[i % values.len()]);
        assert_eq!(masker.mask(&line), one_by_one(&refs, &line));
    }
    assert!(masker.whole.get().is_some());
    masker.add("late-value");
    assert!(masker.whole.get().is_none());
    assert_eq!(masker.mask("late-value tok9-zz!"), "*** ***!");
}

#[test]
fn regex_characters_in_values_are_literal() {
    assert_eq!(
        masker(&["a.c", "(x|y)", "^$"]).mask("abc a.c (x|y) x ^$"),
        "abc *** *** x ***"
    );
}
