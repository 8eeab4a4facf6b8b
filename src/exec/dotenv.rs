//! dotenv files for `--secret-file`, read with the rules of godotenv (the
//! library act uses), so a `.secrets` file written for act works unchanged.
//!
//! - `KEY=VALUE` or `KEY: VALUE`, with an optional `export ` before the key;
//!   key characters are letters, digits, `_` and `.`.
//! - Blank lines and lines starting with `#` are skipped.
//! - Unquoted values run to the end of the line, lose a ` #comment` and
//!   surrounding spaces, and expand `$NAME` / `${NAME}`.
//! - Single-quoted values are literal.
//! - Double-quoted values may span lines, turn `\n` and `\r` into line breaks,
//!   drop the backslash of other escapes (`\"`, `\\`), and expand variables.
//!
//! Variables expand only from keys earlier in the same file (an unknown name
//! expands to nothing, and `\$` keeps a dollar sign); unlike some godotenv
//! versions, mlci never reads its own environment into a secret.

/// Parses a dotenv file into `(key, value)` pairs in file order; when a key
/// repeats, the later pair wins once they are applied in order.
pub fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, String> {
    let text = text.replace("\r\n", "\n");
    let mut parser = Parser {
        text: &text,
        at: 0,
        pairs: Vec::new(),
    };
    while parser.skip_to_statement() {
        let key = parser.key()?;
        let value = parser.value()?;
        parser.pairs.push((key, value));
    }
    Ok(parser.pairs)
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next unread character.
    at: usize,
    pairs: Vec<(String, String)>,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    /// The 1-based line number of a byte offset, for error messages.
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset].matches('\n').count() + 1
    }

    /// Moves past blank space and comment lines; false at the end of the text.
    fn skip_to_statement(&mut self) -> bool {
        loop {
            let Some(start) = self.rest().find(|c: char| !c.is_whitespace()) else {
                return false;
            };
            self.at += start;
            if !self.rest().starts_with('#') {
                return true;
            }
            match self.rest().find('\n') {
                Some(newline) => self.at += newline,
                None => return false,
            }
        }
    }

    /// Reads `export KEY=` or `KEY:` and leaves the cursor at the value.
    fn key(&mut self) -> Result<String, String> {
        let line = self.line_of(self.at);
        if let Some(after) = self.rest().strip_prefix("export") {
            if after.starts_with(is_space) {
                self.at += "export".len();
                self.skip_spaces();
            }
        }
        let start = self.at;
        for (i, c) in self.rest().char_indices() {
            if is_space(c) || c.is_alphanumeric() || c == '_' || c == '.' {
                continue;
            }
            let key = self.text[start..start + i].trim_end();
            match c {
                '=' | ':' if key.is_empty() => return Err(format!("line {line}: a variable name is missing")),
                '=' | ':' => {
                    self.at = start + i + 1;
                    self.skip_spaces();
                    return Ok(key.to_string());
                }
                '\n' => return Err(format!("line {line}: '{key}' needs '=' and a value")),
                _ => return Err(format!("line {line}: unexpected character {c:?} in variable name")),
            }
        }
        Err(format!(
            "line {line}: '{}' needs '=' and a value",
            self.rest().trim_end()
        ))
    }

    fn skip_spaces(&mut self) {
        let spaces = self.rest().find(|c: char| !is_space(c)).unwrap_or(self.rest().len());
        self.at += spaces;
    }

    fn value(&mut self) -> Result<String, String> {
        match self.rest().chars().next() {
            Some(quote @ ('"' | '\'')) => self.quoted_value(quote),
            _ => Ok(self.unquoted_value()),
        }
    }

    /// A value up to the end of the line, without a trailing ` #comment`.
    fn unquoted_value(&mut self) -> String {
        let rest = self.rest();
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let mut value = &rest[..end];
        // godotenv cuts at the last '#' that follows a space.
        if let Some(hash) = value.char_indices().rev().find_map(|(i, c)| {
            let after_space = value[..i].chars().next_back().is_some_and(is_space);
            (c == '#' && after_space).then_some(i)
        }) {
            value = &value[..hash];
        }
        let value = expand_variables(value.trim_matches(is_space), &self.pairs);
        self.at += end;
        value
    }

    /// A value between quotes; a quote after a backslash does not end it.
    fn quoted_value(&mut self, quote: char) -> Result<String, String> {
        let rest = self.rest();
        let mut previous = quote;
        let close = rest.char_indices().skip(1).find_map(|(i, c)| {
            let closes = c == quote && previous != '\\';
            previous = c;
            closes.then_some(i)
        });
        let Some(close) = close else {
            let line = self.line_of(self.at);
            return Err(format!("line {line}: the quoted value has no closing {quote}"));
        };
        let inner = &rest[1..close];
        let value = if quote == '"' {
            expand_variables(&expand_escapes(inner), &self.pairs)
        } else {
            inner.to_string()
        };
        self.at += close + 1;
        Ok(value)
    }
}

/// godotenv's blank characters: no line breaks.
fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}')
}

/// `\n` and `\r` become line breaks; any other backslash escape keeps just
/// the escaped character, except `\$`, which `expand_variables` handles.
fn expand_escapes(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('$') => out.push_str("\\$"),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Replaces `$NAME`, `${NAME}` (NAME of `A-Z`, `0-9`, `_`) with the value of
/// an earlier key, or nothing; `\$NAME` stays as `$NAME`. A `$` before
/// anything else stays as it is.
fn expand_variables(value: &str, earlier: &[(String, String)]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(dollar) = rest.find('$') {
        let escaped = rest[..dollar].ends_with('\\');
        out.push_str(&rest[..if escaped { dollar - 1 } else { dollar }]);
        let after = &rest[dollar + 1..];
        // godotenv's pattern: `$`, then optional `(`, `{`, NAME and `}`.
        let mut used = 0;
        for optional in ["(", "{"] {
            if after[used..].starts_with(optional) {
                used += 1;
            }
        }
        let name_len = after[used..]
            .find(|c: char| !matches!(c, 'A'..='Z' | '0'..='9' | '_'))
            .unwrap_or(after.len() - used);
        let name = &after[used..used + name_len];
        used += name_len;
        if after[used..].starts_with('}') {
            used += 1;
        }
        let matched = &rest[dollar..dollar + 1 + used];
        if escaped {
            out.push_str(matched);
        } else if !name.is_empty() {
            let found = earlier.iter().rev().find(|(key, _)| key == name);
            out.push_str(found.map_or("", |(_, value)| value.as_str()));
        } else {
            out.push_str(matched);
        }
        rest = &rest[dollar + 1 + used..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[path = "dotenv_tests.rs"]
mod tests;
