//! Finds every occurrence of a set of values in a line in one pass: an
//! Aho-Corasick automaton in its overlapping mode reports each occurrence
//! (one value inside another, or two that overlap, included) as it reads
//! the line once, so the cost does not grow with the number of values.

use aho_corasick::{AhoCorasick, MatchKind};

/// A set of values, searched together.
#[derive(Debug)]
pub(super) enum Finder {
    Automaton(AhoCorasick),
    /// Each value on its own: only when the automaton cannot be built
    /// (far beyond any real number of secrets), so masking never stops.
    OneByOne(Vec<String>),
}

impl Finder {
    pub(super) fn new(values: &[String]) -> Finder {
        // Standard semantics: the only kind that reports overlapping
        // occurrences, which the union of masked ranges needs.
        match AhoCorasick::builder().match_kind(MatchKind::Standard).build(values) {
            Ok(automaton) => Finder::Automaton(automaton),
            Err(error) => {
                tracing::warn!(%error, values = values.len(), "secret masks searched one by one");
                Finder::OneByOne(values.to_vec())
            }
        }
    }

    /// Pushes the byte range of every occurrence in `line`, in order of
    /// their end.
    pub(super) fn find_all(&self, line: &str, found: &mut Vec<(usize, usize)>) {
        match self {
            Finder::Automaton(automaton) => {
                found.extend(automaton.find_overlapping_iter(line).map(|m| (m.start(), m.end())));
            }
            Finder::OneByOne(values) => {
                let from = found.len();
                for value in values {
                    let mut at = 0;
                    while let Some(offset) = line.get(at..).and_then(|rest| rest.find(value.as_str())) {
                        found.push((at + offset, at + offset + value.len()));
                        at += offset + line[at + offset..].chars().next().map_or(1, char::len_utf8);
                    }
                }
                found[from..].sort_unstable_by_key(|&(_, end)| end);
            }
        }
    }
}

/// Merges ranges that overlap or touch; `found` is in order of end. Each
/// merged range is one `***`, so no part of a value shows between two.
pub(super) fn merge(found: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for &(mut start, end) in found {
        // A later range may reach back over several earlier ones.
        while let Some(&(last_start, last_end)) = merged.last() {
            if start > last_end {
                break;
            }
            start = start.min(last_start);
            merged.pop();
        }
        merged.push((start, end));
    }
    merged
}
