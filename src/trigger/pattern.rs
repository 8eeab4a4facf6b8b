//! GitHub's filter-pattern syntax for `branches`, `tags` and `paths`.
//!
//! A pattern is validated and compiled in one pass to an anchored regex, as
//! the cheat sheet describes (reference §2.3): `*` is any run without `/`,
//! `**` any run at all, `**/` zero or more whole directories, `?` and `+`
//! quantify the preceding character, `[...]` is a character class, `\`
//! escapes a special character, and a leading `!` negates the pattern. The
//! negation is applied by the list evaluation in `filters`, not by
//! [`FilterPattern::matches`].
//!
//! Problems carry the 0-based char offset inside the pattern text, so the
//! caller can map them to a file column. Offsets follow actionlint's test
//! corpus (`err/glob_more`): an unclosed `[` points at the last character,
//! whitespace and `.` segment problems point at the start of the pattern.

use std::fmt;

use regex::Regex;

/// What a pattern is matched against: the rules differ slightly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// `branches`, `branches-ignore`, `tags`, `tags-ignore`: Git ref names.
    Ref,
    /// `paths`, `paths-ignore`: repository-relative file paths.
    Path,
}

/// Whether GitHub rejects the pattern or it is only questionable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// GitHub rejects the pattern, or it can never match anything.
    Error,
    /// GitHub accepts it, but it is probably not what was meant.
    Warning,
}

/// One problem found in a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternProblem {
    pub message: String,
    /// 0-based char offset inside the pattern text.
    pub offset: usize,
    pub severity: Severity,
}

/// A validated, compiled filter pattern.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    text: String,
    kind: PatternKind,
    negated: bool,
    regex: Regex,
    warnings: Vec<PatternProblem>,
}

impl FilterPattern {
    /// Validates and compiles `text`. Fails with every problem found (errors
    /// and warnings, ordered by offset) when at least one is an error.
    pub fn parse(text: &str, kind: PatternKind) -> Result<FilterPattern, Vec<PatternProblem>> {
        let compiled = Translator::new(text, kind).run();
        let mut problems = compiled.problems;
        problems.sort_by_key(|p| p.offset);
        if problems.iter().any(|p| p.severity == Severity::Error) {
            return Err(problems);
        }
        match Regex::new(&format!("(?s)\\A(?:{})\\z", compiled.regex)) {
            Ok(regex) => Ok(FilterPattern {
                text: text.to_string(),
                kind,
                negated: compiled.negated,
                regex,
                warnings: problems,
            }),
            Err(_) => {
                problems.push(problem(0, Severity::Error, "pattern is too large to compile"));
                Err(problems)
            }
        }
    }

    /// Every problem in `text` (errors and warnings), ordered by offset.
    pub fn validate(text: &str, kind: PatternKind) -> Vec<PatternProblem> {
        match FilterPattern::parse(text, kind) {
            Ok(p) => p.warnings,
            Err(problems) => problems,
        }
    }

    /// Whether the pattern body (without its `!`) matches the whole `candidate`.
    pub fn matches(&self, candidate: &str) -> bool {
        self.regex.is_match(candidate)
    }

    /// Whether the pattern starts with `!` (excludes what it matches).
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// Warnings found while parsing (never errors).
    pub fn warnings(&self) -> &[PatternProblem] {
        &self.warnings
    }

    /// The anchored regex the pattern compiles to.
    pub fn regex(&self) -> &Regex {
        &self.regex
    }
}

impl fmt::Display for FilterPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for FilterPattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.kind == other.kind
    }
}

impl Eq for FilterPattern {}

fn problem(offset: usize, severity: Severity, message: impl Into<String>) -> PatternProblem {
    PatternProblem {
        message: message.into(),
        offset,
        severity,
    }
}

/// Characters that `\` may escape.
const SPECIAL: &[char] = &['*', '?', '+', '[', ']', '!', '\\'];

/// The result of one translation pass.
struct Compiled {
    regex: String,
    negated: bool,
    problems: Vec<PatternProblem>,
}

/// One pass over the pattern: emits regex text and collects problems.
struct Translator {
    chars: Vec<char>,
    kind: PatternKind,
    out: String,
    problems: Vec<PatternProblem>,
    /// Whether the previous token can take a `?` or `+` quantifier.
    quantifiable: bool,
    /// The previous token when it was a literal character (for ref checks).
    last_literal: Option<(char, usize)>,
}

impl Translator {
    fn new(text: &str, kind: PatternKind) -> Translator {
        Translator {
            chars: text.chars().collect(),
            kind,
            out: String::new(),
            problems: Vec::new(),
            quantifiable: false,
            last_literal: None,
        }
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.problems.push(problem(offset, Severity::Error, message));
    }

    fn warn(&mut self, offset: usize, message: impl Into<String>) {
        self.problems.push(problem(offset, Severity::Warning, message));
    }

    fn finish(self, negated: bool) -> Compiled {
        Compiled {
            regex: self.out,
            negated,
            problems: self.problems,
        }
    }

    fn run(mut self) -> Compiled {
        if self.chars.is_empty() {
            self.error(0, "pattern is empty");
            return self.finish(false);
        }
        let negated = self.chars[0] == '!';
        let start = usize::from(negated);
        if negated && self.chars.len() == 1 {
            self.error(0, "'!' must be followed by the pattern to exclude");
            return self.finish(negated);
        }
        if self.kind == PatternKind::Path && !self.path_shape_ok(start) {
            return self.finish(negated);
        }
        if self.kind == PatternKind::Ref && self.chars[start] == '/' {
            self.error(start, "a branch or tag name cannot start with '/'");
        }
        let mut i = start;
        while i < self.chars.len() {
            i = self.token(i);
        }
        match (self.kind, self.last_literal) {
            (PatternKind::Ref, Some((c @ ('/' | '.'), at))) => {
                self.error(at, format!("a branch or tag name cannot end with '{c}'"));
            }
            (PatternKind::Path, Some(('/', at))) => self.warn(
                at,
                "a path pattern ending with '/' matches no file: \
                 add '**' to match everything below the directory",
            ),
            _ => {}
        }
        if self.kind == PatternKind::Path && self.chars[start] == '/' {
            self.warn(
                start,
                "a path pattern starting with '/' matches no file: \
                 paths are relative to the repository root",
            );
        }
        self.finish(negated)
    }

    /// Path-only checks that make the rest of the pattern moot.
    fn path_shape_ok(&mut self, start: usize) -> bool {
        let first = self.chars[0];
        let last = self.chars[self.chars.len() - 1];
        if first.is_whitespace() || last.is_whitespace() || self.chars[start].is_whitespace() {
            self.error(0, "leading or trailing whitespace is not allowed in a path pattern");
            return false;
        }
        let mut segment_start = start;
        let mut ok = true;
        for i in start..self.chars.len() {
            let c = self.chars[i];
            if c == '/' || i + 1 == self.chars.len() {
                let end = if c == '/' { i } else { i + 1 };
                let segment: String = self.chars[segment_start..end].iter().collect();
                if segment == "." || segment == ".." {
                    self.error(
                        segment_start,
                        format!(
                            "'{segment}' path segments are not allowed: paths are matched \
                             from the repository root, without './' or '../'"
                        ),
                    );
                    ok = false;
                }
                segment_start = i + 1;
            }
        }
        ok
    }

    /// Translates the token at `i`; returns the index after it.
    fn token(&mut self, i: usize) -> usize {
        let c = self.chars[i];
        match c {
            '*' => self.star(i),
            '?' | '+' => {
                if self.quantifiable {
                    self.out.push(c);
                } else {
                    let what = if c == '?' { "makes optional" } else { "repeats" };
                    self.error(
                        i,
                        format!("'{c}' must follow a character it {what} (write '\\{c}' for a literal '{c}')"),
                    );
                }
                self.quantifiable = false;
                self.last_literal = None;
                i + 1
            }
            '[' => self.class(i),
            '\\' => self.escape(i),
            _ => {
                self.literal(c, i);
                i + 1
            }
        }
    }

    fn star(&mut self, i: usize) -> usize {
        self.quantifiable = false;
        self.last_literal = None;
        if self.chars.get(i + 1) != Some(&'*') {
            self.out.push_str("[^/]*");
            return i + 1;
        }
        if self.chars.get(i + 2) == Some(&'/') {
            self.out.push_str("(?:.+/)?");
            return i + 3;
        }
        self.out.push_str(".*");
        i + 2
    }

    fn escape(&mut self, i: usize) -> usize {
        let Some(&next) = self.chars.get(i + 1) else {
            self.error(i, "'\\' at the end of the pattern escapes nothing");
            return i + 1;
        };
        if SPECIAL.contains(&next) {
            if self.kind == PatternKind::Ref && matches!(next, '*' | '?' | '[' | '\\') {
                self.error(
                    i + 1,
                    format!("branch and tag names cannot contain '{next}', so '\\{next}' never matches"),
                );
            }
        } else {
            // GitHub runs such a file (a filter written as a regex, `v\d+`),
            // so this warns rather than refuses.
            let regex_hint = if self.kind == PatternKind::Ref {
                "; regular expressions are not supported"
            } else {
                ""
            };
            self.warn(
                i,
                format!(
                    "'\\{next}' escapes '{next}', which is not special: the backslash is dropped \
                     and the pattern matches a literal '{next}'{regex_hint}"
                ),
            );
        }
        self.push_literal(next);
        self.last_literal = Some((next, i + 1));
        i + 2
    }

    fn literal(&mut self, c: char, i: usize) {
        if c == '\n' || c == '\r' {
            self.error(i, "a pattern cannot contain a line break");
        } else if self.kind == PatternKind::Ref {
            self.check_ref_char(c, i);
        }
        self.push_literal(c);
        self.last_literal = Some((c, i));
    }

    fn push_literal(&mut self, c: char) {
        self.out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
        self.quantifiable = true;
    }

    fn check_ref_char(&mut self, c: char, i: usize) {
        let name = match c {
            ' ' => Some("a space".to_string()),
            '\t' => Some("a tab".to_string()),
            '~' | '^' | ':' => Some(format!("'{c}'")),
            c if c.is_ascii_control() => Some(format!("control character {c:?}")),
            _ => None,
        };
        if let Some(name) = name {
            self.error(i, format!("branch and tag names cannot contain {name}"));
            return;
        }
        if let Some((prev, at)) = self.last_literal {
            let pair = match (prev, c) {
                ('.', '.') => Some(".."),
                ('@', '{') => Some("@{"),
                ('/', '/') => Some("//"),
                _ => None,
            };
            if let Some(pair) = pair {
                self.error(at, format!("branch and tag names cannot contain '{pair}'"));
            }
        }
    }

    /// A `[...]` class starting at `open`.
    fn class(&mut self, open: usize) -> usize {
        self.last_literal = None;
        self.quantifiable = true;
        let len = self.chars.len();
        if self.chars.get(open + 1) == Some(&']') {
            self.error(open + 1, "character class '[]' is empty");
            return open + 2;
        }
        let mut body = String::new();
        let mut items = 0;
        let mut single = None;
        let mut j = open + 1;
        while j < len && self.chars[j] != ']' {
            let a = self.chars[j];
            if self.chars.get(j + 1) == Some(&'-') {
                match self.chars.get(j + 2) {
                    None => j = len,
                    Some(']') => {
                        self.error(j + 2, format!("range '{a}-' in character class has no end"));
                        j += 2;
                    }
                    Some(&b) => {
                        self.range(a, b, j + 2, &mut body);
                        items += 2;
                        j += 3;
                    }
                }
                continue;
            }
            body.push_str(&regex::escape(a.encode_utf8(&mut [0; 4])));
            items += 1;
            single = Some(a);
            j += 1;
        }
        if j >= len {
            self.error(len - 1, format!("'[' at offset {open} is never closed: missing ']'"));
            return len;
        }
        if items == 1 {
            let x = single.unwrap_or_default();
            self.warn(
                j,
                format!("character class '[{x}]' matches only '{x}': write '{x}' instead"),
            );
        }
        self.out.push('[');
        self.out.push_str(&body);
        self.out.push(']');
        j + 1
    }

    fn range(&mut self, a: char, b: char, end_at: usize, body: &mut String) {
        if a > b {
            self.error(
                end_at,
                format!("range '{a}-{b}' in character class is reversed: '{a}' comes after '{b}'"),
            );
            return;
        }
        let same_kind = (a.is_ascii_lowercase() && b.is_ascii_lowercase())
            || (a.is_ascii_uppercase() && b.is_ascii_uppercase())
            || (a.is_ascii_digit() && b.is_ascii_digit());
        if !same_kind {
            self.warn(
                end_at,
                format!(
                    "range '{a}-{b}' in character class is not within a-z, A-Z or 0-9, \
                     the only ranges GitHub documents"
                ),
            );
        }
        body.push_str(&regex::escape(a.encode_utf8(&mut [0; 4])));
        body.push('-');
        body.push_str(&regex::escape(b.encode_utf8(&mut [0; 4])));
    }
}

#[cfg(test)]
mod tests;
