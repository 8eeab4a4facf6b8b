//! Secret masking: every registered value, and its encoded forms, is shown
//! as `***` in step output, the way GitHub's runner masks secrets and
//! `::add-mask::` values.

use super::mask_encodings::encoded_forms;
use super::mask_finder::{merge, Finder};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The values to hide from output.
///
/// Masking follows the runner's `SecretMasker`: every occurrence of every
/// value is found (overlapping ones too), the ranges that overlap or touch are
/// merged, and each merged range becomes one `***`. So a value that contains
/// another, or two secrets side by side, never leak a part.
///
/// Values are searched with Aho-Corasick automata, one pass per line
/// whatever their number. A step may register thousands of values with
/// `::add-mask::`, each followed by output to mask, so rebuilding one
/// automaton per value would cost the square of their number. Values are
/// instead kept in groups sized as a binary counter (a new group of one
/// merges with the last while it is no smaller), so each value is built
/// into an automaton a logarithmic number of times and a line is searched
/// by a logarithmic number of automata. Once output has been masked as
/// many times as there are values with none added, one automaton of all of
/// them takes over, built once.
#[derive(Debug, Default)]
pub struct Masker {
    known: HashSet<String>,
    groups: Vec<Group>,
    whole: OnceLock<Finder>,
    masked_since_add: AtomicUsize,
}

#[derive(Debug)]
struct Group {
    values: Vec<String>,
    /// Built on the first `mask` that needs it.
    finder: OnceLock<Finder>,
}

impl Masker {
    /// Registers a value. A multi-line value also registers each of its
    /// lines, trimmed, because output arrives one line at a time (GitHub does
    /// the same for secrets). Empty and whitespace-only values are ignored:
    /// masking them would hide every space.
    pub fn add(&mut self, value: &str) {
        let mut new = Vec::new();
        self.add_one(value, &mut new);
        if value.contains(['\n', '\r']) {
            for line in value.split(['\n', '\r']) {
                self.add_one(line.trim(), &mut new);
            }
        }
        for form in encoded_forms(value) {
            self.add_one(&form, &mut new);
        }
        if new.is_empty() {
            return;
        }
        self.groups.push(Group::new(new));
        while let [.., before, last] = &self.groups[..] {
            if before.values.len() > last.values.len() {
                break;
            }
            let last = self.groups.pop().map(|group| group.values).unwrap_or_default();
            if let Some(before) = self.groups.pop() {
                let mut values = before.values;
                values.extend(last);
                self.groups.push(Group::new(values));
            }
        }
        self.whole = OnceLock::new();
        self.masked_since_add = AtomicUsize::new(0);
    }

    fn add_one(&mut self, value: &str, new: &mut Vec<String>) {
        if !value.trim().is_empty() && self.known.insert(value.to_string()) {
            new.push(value.to_string());
        }
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// The line with every registered value replaced by `***`. Borrows the
    /// line when nothing in it needs masking.
    pub fn mask<'a>(&self, line: &'a str) -> Cow<'a, str> {
        if self.known.is_empty() {
            return Cow::Borrowed(line);
        }
        let mut found = Vec::new();
        match self.single_finder() {
            Some(finder) => finder.find_all(line, &mut found),
            None => {
                for group in &self.groups {
                    group.finder().find_all(line, &mut found);
                }
                found.sort_unstable_by_key(|&(_, end)| end);
            }
        }
        apply(line, &merge(&found))
    }

    /// One automaton for every value, when there is one group or output has
    /// been quiet of new values long enough to pay for building it.
    fn single_finder(&self) -> Option<&Finder> {
        if let [group] = &self.groups[..] {
            return Some(group.finder());
        }
        if let Some(whole) = self.whole.get() {
            return Some(whole);
        }
        if self.masked_since_add.fetch_add(1, Ordering::Relaxed) < self.known.len() {
            return None;
        }
        let all: Vec<String> = self
            .groups
            .iter()
            .flat_map(|group| group.values.iter().cloned())
            .collect();
        Some(self.whole.get_or_init(|| Finder::new(&all)))
    }
}

impl Group {
    fn new(values: Vec<String>) -> Group {
        Group {
            values,
            finder: OnceLock::new(),
        }
    }

    fn finder(&self) -> &Finder {
        self.finder.get_or_init(|| Finder::new(&self.values))
    }
}

/// `line` with each range replaced by `***`.
fn apply<'a>(line: &'a str, ranges: &[(usize, usize)]) -> Cow<'a, str> {
    if ranges.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut masked = String::with_capacity(line.len());
    let mut copied = 0;
    for &(start, end) in ranges {
        masked.push_str(&line[copied..start]);
        masked.push_str("***");
        copied = end;
    }
    masked.push_str(&line[copied..]);
    Cow::Owned(masked)
}

#[cfg(test)]
#[path = "mask_tests.rs"]
mod tests;
