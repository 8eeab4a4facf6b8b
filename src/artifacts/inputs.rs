//! Reading an action's `with:` inputs as `@actions/core` does: names are
//! case-insensitive, values are trimmed, booleans follow YAML 1.2's core
//! schema.

use indexmap::IndexMap;

/// The trimmed value of input `name`, if given (an empty value counts as
/// not given, as `core.getInput` returns `''` for both).
pub(super) fn input<'a>(with: &'a IndexMap<String, String>, name: &str) -> Option<&'a str> {
    with.iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// `core.getBooleanInput`: `true | True | TRUE | false | False | FALSE`.
pub(super) fn boolean(with: &IndexMap<String, String>, name: &str, default: bool) -> Result<bool, String> {
    match input(with, name) {
        None => Ok(default),
        Some("true" | "True" | "TRUE") => Ok(true),
        Some("false" | "False" | "FALSE") => Ok(false),
        Some(other) => Err(format!(
            "input `{name}` must be a boolean (true | True | TRUE | false | False | FALSE), got `{other}`"
        )),
    }
}

/// A whole number, or `None` when the input is not given.
pub(super) fn number(with: &IndexMap<String, String>, name: &str, what: &str) -> Result<Option<u32>, String> {
    let Some(value) = input(with, name) else {
        return Ok(None);
    };
    value
        .parse::<u32>()
        .map(Some)
        .map_err(|_| format!("input `{name}` must be {what}, got `{value}`"))
}

/// Inputs of another run or repository, which mlci cannot reach.
pub(super) fn refuse(with: &IndexMap<String, String>, names: &[&str], why: &str) -> Result<(), String> {
    match names.iter().find(|n| input(with, n).is_some()) {
        Some(name) => Err(format!("input `{name}` is not supported by mlci: {why}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn names_are_case_insensitive_and_values_trimmed() {
        let w = with(&[("Name", "  model \n"), ("path", "  ")]);
        assert_eq!(input(&w, "name"), Some("model"));
        assert_eq!(input(&w, "path"), None);
        assert_eq!(input(&w, "other"), None);
    }

    #[test]
    fn booleans_follow_the_core_schema() {
        for (value, expected) in [("true", true), ("TRUE", true), ("False", false), ("", true)] {
            assert_eq!(boolean(&with(&[("x", value)]), "x", true), Ok(expected), "{value}");
        }
        assert_eq!(
            boolean(&with(&[("overwrite", "yes")]), "overwrite", false),
            Err("input `overwrite` must be a boolean (true | True | TRUE | false | False | FALSE), got `yes`".into())
        );
    }

    #[test]
    fn numbers_are_whole() {
        assert_eq!(number(&with(&[("n", "7")]), "n", "a number"), Ok(Some(7)));
        assert_eq!(number(&with(&[]), "n", "a number"), Ok(None));
        assert_eq!(
            number(&with(&[("n", "-1")]), "n", "a number"),
            Err("input `n` must be a number, got `-1`".into())
        );
    }
}
