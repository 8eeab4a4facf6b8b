//! Secret masking: every registered value, and its encoded forms, is shown
//! as `***` in step output, the way GitHub's runner masks secrets and
//! `::add-mask::` values.

use super::mask_encodings::encoded_forms;
use regex::Regex;
use std::borrow::Cow;
use std::sync::OnceLock;

/// The values to hide from output.
///
/// Masking follows the runner's `SecretMasker`: every occurrence of every
/// value is found (overlapping ones too), the ranges that overlap or touch are
/// merged, and each merged range becomes one `***`. So a value that contains
/// another, or two secrets side by side, never leak a part.
///
/// All values are searched at once with one regex, an alternation of the
/// values longest first: the leftmost match is then the longest value at the
/// earliest position, and searching again from one character after each
/// match start finds the union of all occurrences. A line without secrets
/// costs one scan, however many values there are.
#[derive(Clone, Debug, Default)]
pub struct Masker {
    /// Longest first.
    values: Vec<String>,
    /// Built on the first `mask` after a value is added, so registering many
    /// values costs one build. Holds None when the values are too large for
    /// one regex; then each value is searched on its own.
    finder: OnceLock<Option<Regex>>,
}

impl Masker {
    /// Registers a value. A multi-line value also registers each of its
    /// lines, trimmed, because output arrives one line at a time (GitHub does
    /// the same for secrets). Empty and whitespace-only values are ignored:
    /// masking them would hide every space.
    pub fn add(&mut self, value: &str) {
        let mut added = self.add_one(value);
        if value.contains(['\n', '\r']) {
            for line in value.split(['\n', '\r']) {
                added |= self.add_one(line.trim());
            }
        }
        for form in encoded_forms(value) {
            added |= self.add_one(&form);
        }
        if added {
            self.values.sort_by_key(|value| std::cmp::Reverse(value.len()));
            self.finder = OnceLock::new();
        }
    }

    fn add_one(&mut self, value: &str) -> bool {
        if value.trim().is_empty() || self.values.iter().any(|known| known == value) {
            return false;
        }
        self.values.push(value.to_string());
        true
    }

    fn build_finder(&self) -> Option<Regex> {
        let alternation: Vec<String> = self.values.iter().map(|value| regex::escape(value)).collect();
        Regex::new(&alternation.join("|")).ok()
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The line with every registered value replaced by `***`. Borrows the
    /// line when nothing in it needs masking.
    pub fn mask<'a>(&self, line: &'a str) -> Cow<'a, str> {
        if self.values.is_empty() {
            return Cow::Borrowed(line);
        }
        let mut ranges = Ranges::default();
        match self.finder.get_or_init(|| self.build_finder()) {
            Some(finder) => {
                let mut from = 0;
                while let Some(found) = finder.find_at(line, from) {
                    ranges.add(found.start(), found.end());
                    from = next_char(line, found.start());
                }
            }
            None => {
                let mut all = Vec::new();
                for value in &self.values {
                    let mut from = 0;
                    while let Some(found) = line.get(from..).and_then(|rest| rest.find(value.as_str())) {
                        all.push((from + found, from + found + value.len()));
                        from = next_char(line, from + found);
                    }
                }
                all.sort_unstable();
                for (start, end) in all {
                    ranges.add(start, end);
                }
            }
        }
        ranges.apply(line)
    }
}

/// The byte offset of the character after the one at `at`.
fn next_char(line: &str, at: usize) -> usize {
    at + line[at..].chars().next().map_or(1, char::len_utf8)
}

/// Ranges to mask, merged as they arrive in order of their start.
#[derive(Default)]
struct Ranges {
    merged: Vec<(usize, usize)>,
}

impl Ranges {
    fn add(&mut self, start: usize, end: usize) {
        match self.merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => self.merged.push((start, end)),
        }
    }

    fn apply<'a>(&self, line: &'a str) -> Cow<'a, str> {
        if self.merged.is_empty() {
            return Cow::Borrowed(line);
        }
        let mut masked = String::with_capacity(line.len());
        let mut copied = 0;
        for &(start, end) in &self.merged {
            masked.push_str(&line[copied..start]);
            masked.push_str("***");
            copied = end;
        }
        masked.push_str(&line[copied..]);
        Cow::Owned(masked)
    }
}

#[cfg(test)]
#[path = "mask_tests.rs"]
mod tests;
