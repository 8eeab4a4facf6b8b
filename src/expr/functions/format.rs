//! Parsing of `format()` strings with the runner's rules: `{N}` is argument
//! N, `{{` and `}}` are literal braces, anything else with a brace is
//! invalid. The evaluator substitutes the arguments.

/// One piece of a format string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    /// Argument index and format specifiers (`{0:x}`), which no value kind
    /// supports; the evaluator reports them when the argument is used.
    Arg(usize, String),
}

/// Splits `format` into pieces. `args` is the number of arguments after the
/// format string. The error is GitHub's message.
pub(crate) fn parse_format(format: &str, args: usize) -> Result<Vec<Piece>, String> {
    let chars: Vec<char> = format.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let find = |c: char, from: usize| (from..chars.len()).find(|&i| at(i) == c);
    let text = |from: usize, to: usize| -> String { chars.get(from..to).unwrap_or_default().iter().collect() };
    let invalid = || format!("The following format string is invalid: {format}");

    let mut pieces = Vec::new();
    let push_text = |pieces: &mut Vec<Piece>, s: String| match pieces.last_mut() {
        _ if s.is_empty() => {}
        Some(Piece::Text(last)) => last.push_str(&s),
        _ => pieces.push(Piece::Text(s)),
    };
    let mut index = 0;
    while index < chars.len() {
        let lbrace = find('{', index);
        let rbrace = find('}', index);
        match (lbrace, rbrace) {
            (Some(l), r) if r.is_none_or(|r| r > l) => {
                if at(l + 1) == '{' {
                    push_text(&mut pieces, text(index, l + 1));
                    index = l + 2;
                    continue;
                }
                // A `}` must follow with something in between (`{}` is invalid).
                if r.is_none_or(|r| r <= l + 1) {
                    return Err(invalid());
                }
                let Some((arg, spec, close)) = read_placeholder(&chars, l + 1) else {
                    return Err(invalid());
                };
                if arg >= args {
                    return Err(format!(
                        "The following format string references more arguments than were supplied: {format}"
                    ));
                }
                push_text(&mut pieces, text(index, l));
                pieces.push(Piece::Arg(arg, spec));
                index = close + 1;
            }
            (_, Some(r)) => {
                if at(r + 1) != '}' {
                    return Err(invalid());
                }
                push_text(&mut pieces, text(index, r + 1));
                index = r + 2;
            }
            (_, None) => {
                push_text(&mut pieces, text(index, chars.len()));
                break;
            }
        }
    }
    Ok(pieces)
}

/// Reads `N}` or `N:spec}` starting at `start`: the argument index (at most
/// 255, like the runner's `Byte`), the specifiers and the closing brace.
fn read_placeholder(chars: &[char], start: usize) -> Option<(usize, String, usize)> {
    let digits = chars.get(start..)?.iter().take_while(|c| c.is_numeric()).count();
    if digits == 0 {
        return None;
    }
    let number: String = chars.get(start..start + digits)?.iter().collect();
    let arg: u8 = number.parse().ok()?;
    let mut i = start + digits;
    match chars.get(i) {
        Some('}') => return Some((usize::from(arg), String::new(), i)),
        Some(':') => i += 1,
        _ => return None,
    }
    let mut spec = String::new();
    loop {
        match (chars.get(i), chars.get(i + 1)) {
            (None, _) => return None,
            (Some('}'), Some('}')) => {
                spec.push('}');
                i += 2;
            }
            (Some('}'), _) => return Some((usize::from(arg), spec, i)),
            (Some(c), _) => {
                spec.push(*c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_validates() {
        assert_eq!(
            parse_format("a{{{0}}}b{1}", 2),
            Ok(vec![
                Piece::Text("a{".into()),
                Piece::Arg(0, String::new()),
                Piece::Text("}b".into()),
                Piece::Arg(1, String::new()),
            ])
        );
        assert_eq!(parse_format("{0:x}}y}", 1), Ok(vec![Piece::Arg(0, "x}y".into())]));
        for bad in ["{0", "{0}}", "0}", "{{0}", "}0{", "{0}{", "{256}", "{x}", "{}"] {
            assert!(parse_format(bad, 1).is_err(), "{bad}");
        }
        assert!(parse_format("{1}", 1).is_err_and(|e| e.contains("references more arguments than were supplied: {1}")));
    }
}
