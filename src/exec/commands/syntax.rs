//! The syntax of a workflow command line, as the runner's `ActionCommand`
//! reads it: `::name k=v,k2=v2::data`, or the older `##[name k=v;k2=v2]data`.

use std::borrow::Cow;

/// One command line taken apart. The name keeps the case it was written in.
#[derive(Debug, PartialEq)]
pub(super) struct ParsedCommand<'a> {
    pub name: &'a str,
    pub properties: Vec<(&'a str, String)>,
    pub data: String,
}

impl ParsedCommand<'_> {
    /// A property by case-insensitive key; the last one written wins.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Whether the line can hold a command at all: the cheap test every output
/// line goes through.
pub(super) fn may_hold_command(line: &str) -> bool {
    line.trim_start().starts_with("::") || line.contains("##[")
}

/// Parses the line as a command whose name `is_known`; `None` means it is
/// ordinary output. The `::` form is tried first, then `##[` anywhere in
/// the line, as the runner does.
pub(super) fn parse<'a>(line: &'a str, is_known: &dyn Fn(&str) -> bool) -> Option<ParsedCommand<'a>> {
    parse_current(line, is_known).or_else(|| parse_legacy(line, is_known))
}

fn parse_current<'a>(line: &'a str, is_known: &dyn Fn(&str) -> bool) -> Option<ParsedCommand<'a>> {
    let message = line.trim_start().strip_prefix("::")?;
    let end = message.find("::")?;
    let info = &message[..end];
    let (name, properties) = split_name(info);
    if !is_known(name) {
        return None;
    }
    let properties = properties
        .map(|text| parse_properties(text.trim(), ',', unescape_property))
        .unwrap_or_default();
    Some(ParsedCommand {
        name,
        properties,
        data: unescape_data(&message[end + 2..]).into_owned(),
    })
}

fn parse_legacy<'a>(line: &'a str, is_known: &dyn Fn(&str) -> bool) -> Option<ParsedCommand<'a>> {
    let start = line.find("##[")? + 3;
    let end = start + line[start..].find(']')?;
    let (name, properties) = split_name(&line[start..end]);
    if !is_known(name) {
        return None;
    }
    let properties = properties
        .map(|text| parse_properties(text, ';', unescape_legacy))
        .unwrap_or_default();
    Some(ParsedCommand {
        name,
        properties,
        data: unescape_legacy(&line[end + 1..]).into_owned(),
    })
}

/// The name runs to the first space; what follows are the properties.
fn split_name(info: &str) -> (&str, Option<&str>) {
    match info.split_once(' ') {
        Some((name, properties)) => (name, Some(properties)),
        None => (info, None),
    }
}

/// `k=v` pairs; pieces without a key or a value are dropped, as the runner
/// drops them. Keys are not trimmed: `a=1, b=2` has the key ` b`.
fn parse_properties(text: &str, separator: char, unescape: fn(&str) -> Cow<'_, str>) -> Vec<(&str, String)> {
    text.split(separator)
        .filter_map(|piece| piece.split_once('='))
        .filter(|(key, value)| !key.is_empty() && !value.is_empty())
        .map(|(key, value)| (key, unescape(value).into_owned()))
        .collect()
}

const DATA_ESCAPES: &[(&str, char)] = &[("%0D", '\r'), ("%0A", '\n'), ("%25", '%')];
const PROPERTY_ESCAPES: &[(&str, char)] = &[("%0D", '\r'), ("%0A", '\n'), ("%3A", ':'), ("%2C", ','), ("%25", '%')];
const LEGACY_ESCAPES: &[(&str, char)] = &[("%3B", ';'), ("%0D", '\r'), ("%0A", '\n'), ("%5D", ']'), ("%25", '%')];

fn unescape_data(text: &str) -> Cow<'_, str> {
    unescape(text, DATA_ESCAPES)
}

fn unescape_property(text: &str) -> Cow<'_, str> {
    unescape(text, PROPERTY_ESCAPES)
}

fn unescape_legacy(text: &str) -> Cow<'_, str> {
    unescape(text, LEGACY_ESCAPES)
}

/// Replaces escapes (upper case only, as the runner's ordinal replace). The
/// runner replaces one escape after another with `%25` last; because no
/// escape overlaps another, one pass from the left gives the same text.
fn unescape<'a>(text: &'a str, escapes: &[(&str, char)]) -> Cow<'a, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(percent) = rest.find('%') {
        out.push_str(&rest[..percent]);
        rest = &rest[percent..];
        match escapes.iter().find(|(escape, _)| rest.starts_with(escape)) {
            Some((escape, c)) => {
                out.push(*c);
                rest = &rest[escape.len()..];
            }
            None => {
                out.push('%');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> bool {
        ["error", "set-output", "debug"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(name))
    }

    fn parsed(line: &str) -> ParsedCommand<'_> {
        match parse(line, &known) {
            Some(command) => command,
            None => panic!("{line:?} should be a command"),
        }
    }

    #[test]
    fn name_properties_and_data() {
        let command = parsed("::error file=a.py,line=3::bad thing");
        assert_eq!(command.name, "error");
        assert_eq!(
            command.properties,
            vec![("file", "a.py".to_string()), ("line", "3".to_string())]
        );
        assert_eq!(command.data, "bad thing");
        assert_eq!(command.property("FILE"), Some("a.py"));
    }

    #[test]
    fn leading_whitespace_and_name_case() {
        assert_eq!(parsed("  \t::ERROR::x").name, "ERROR");
    }

    #[test]
    fn data_may_hold_double_colons() {
        assert_eq!(parsed("::debug::a::b").data, "a::b");
        assert_eq!(parsed("::debug::").data, "");
    }

    #[test]
    fn not_commands() {
        for line in [
            "",
            "error::x",
            ": :error::x",
            "::error x",
            "::unknown::x",
            "::::x",
            ":: error::x",
            "x ::error::y",
        ] {
            assert_eq!(parse(line, &known), None, "{line:?}");
        }
    }

    #[test]
    fn properties_are_trimmed_as_a_whole_but_keys_are_not() {
        let command = parsed("::error  file=a , line=3 ::m");
        assert_eq!(
            command.properties,
            vec![("file", "a ".to_string()), (" line", "3".to_string())]
        );
        assert_eq!(command.property("line"), None);
    }

    #[test]
    fn properties_without_key_or_value_are_dropped() {
        let command = parsed("::error a=,=b,c,,d==e,f=1::m");
        assert_eq!(
            command.properties,
            vec![("d", "=e".to_string()), ("f", "1".to_string())]
        );
    }

    #[test]
    fn last_property_wins() {
        assert_eq!(parsed("::error line=1,LINE=2::m").property("line"), Some("2"));
    }

    #[test]
    fn data_unescaping() {
        assert_eq!(parsed("::debug::a%0Ab%0Dc%25d%3Ae%2Cf").data, "a\nb\rc%d%3Ae%2Cf");
        // %25 is replaced last, so %250A is a literal %0A.
        assert_eq!(parsed("::debug::%250A").data, "%0A");
        assert_eq!(parsed("::debug::%0a 100% %").data, "%0a 100% %");
    }

    #[test]
    fn property_unescaping() {
        let command = parsed("::error title=a%3Ab%2Cc%0Ad%25::m");
        assert_eq!(command.property("title"), Some("a:b,c\nd%"));
    }

    #[test]
    fn legacy_form() {
        let command = parsed("##[error file=a.py;line=3]bad%5D%3B");
        assert_eq!(command.name, "error");
        assert_eq!(command.property("line"), Some("3"));
        assert_eq!(command.data, "bad];");
        // Found anywhere in the line, as the runner looks for it.
        assert_eq!(parsed("prefix ##[debug]x").data, "x");
        assert_eq!(parse("##[error", &known), None);
        assert_eq!(parse("##[nope]x", &known), None);
    }

    #[test]
    fn legacy_form_is_tried_when_the_current_form_fails() {
        assert_eq!(parsed("::nope::##[debug]x").name, "debug");
    }

    #[test]
    fn cheap_test() {
        assert!(may_hold_command("::x"));
        assert!(may_hold_command("   ::x"));
        assert!(may_hold_command("a ##[x"));
        assert!(!may_hold_command("plain output"));
        assert!(!may_hold_command("a :: b ## [c"));
    }
}
