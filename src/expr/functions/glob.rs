//! The glob patterns of `hashFiles()`, following `@actions/glob` on Linux:
//! `*`, `?`, `[…]` within a path segment, `**` across segments, a leading
//! `!` to exclude, dotfiles matched like any file, and implicit descendants
//! (a pattern that matches a directory also matches everything under it).

use std::path::{Component, Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
enum Atom {
    Char(char),
    AnyChar,
    AnyRun,
    Class { negated: bool, ranges: Vec<(char, char)> },
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    /// `**`: any number of path segments, including none.
    Globstar,
    Glob(Vec<Atom>),
}

/// One parsed pattern line, anchored at the filesystem root.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pattern {
    pub negate: bool,
    segments: Vec<Segment>,
    /// Written with a trailing `/`: matches directories only.
    trailing_separator: bool,
}

impl Pattern {
    /// Parses a trimmed, non-empty, non-comment line; relative patterns are
    /// taken relative to `base` (an absolute path). `None` for a line that
    /// names nothing (`!`).
    pub(crate) fn parse(line: &str, base: &Path) -> Option<Pattern> {
        let bangs = line.chars().take_while(|&c| c == '!').count();
        let body = line.get(bangs..)?;
        if body.is_empty() {
            return None;
        }
        let mut segments: Vec<Segment> = Vec::new();
        if !body.starts_with('/') {
            segments.extend(path_names(base).into_iter().map(|n| Segment::Glob(literal(&n))));
        }
        for part in body.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    segments.pop();
                }
                "**" => segments.push(Segment::Globstar),
                _ => segments.push(Segment::Glob(parse_segment(part))),
            }
        }
        Some(Pattern {
            negate: bangs % 2 == 1,
            segments,
            trailing_separator: body.ends_with('/'),
        })
    }

    /// The literal directory (or file) before the first wildcard segment,
    /// where the search for this pattern starts.
    pub(crate) fn search_path(&self) -> PathBuf {
        let mut path = PathBuf::from("/");
        for segment in &self.segments {
            match segment {
                Segment::Glob(atoms) => match literal_text(atoms) {
                    Some(name) => path.push(name),
                    None => break,
                },
                Segment::Globstar => break,
            }
        }
        path
    }

    /// Whether a file with these path names (from the root) is matched:
    /// directly, or because a directory above it is.
    pub(crate) fn matches_file(&self, names: &[String]) -> bool {
        if !self.trailing_separator && match_path(&self.segments, names) {
            return true;
        }
        let mut beneath = self.segments.clone();
        beneath.push(Segment::Glob(vec![Atom::AnyRun]));
        beneath.push(Segment::Globstar);
        match_path(&beneath, names)
    }

    /// Whether something at or below this directory could match, used to
    /// skip directories that cannot contain matches.
    pub(crate) fn could_match_within(&self, names: &[String]) -> bool {
        let mut names = names.iter();
        for segment in &self.segments {
            let Segment::Glob(atoms) = segment else {
                return true;
            };
            match names.next() {
                None => return true,
                Some(name) if match_segment(atoms, name) => {}
                Some(_) => return false,
            }
        }
        true
    }
}

/// The names of an absolute path's normal components.
pub(crate) fn path_names(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

fn literal(name: &str) -> Vec<Atom> {
    name.chars().map(Atom::Char).collect()
}

fn literal_text(atoms: &[Atom]) -> Option<String> {
    atoms
        .iter()
        .map(|a| match a {
            Atom::Char(c) => Some(*c),
            _ => None,
        })
        .collect()
}

fn parse_segment(part: &str) -> Vec<Atom> {
    let chars: Vec<char> = part.chars().collect();
    let mut atoms = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => {
                // An escaped character, or a trailing backslash as itself.
                atoms.push(Atom::Char(chars.get(i).copied().unwrap_or('\\')));
                i += 1;
            }
            '*' => {
                if atoms.last() != Some(&Atom::AnyRun) {
                    atoms.push(Atom::AnyRun);
                }
            }
            '?' => atoms.push(Atom::AnyChar),
            '[' => match parse_class(&chars, i) {
                Some((atom, next)) => {
                    atoms.push(atom);
                    i = next;
                }
                None => atoms.push(Atom::Char('[')),
            },
            c => atoms.push(Atom::Char(c)),
        }
    }
    atoms
}

/// Parses a class after its `[`; `None` if it is not closed (then `[` is a
/// literal character).
fn parse_class(chars: &[char], mut i: usize) -> Option<(Atom, usize)> {
    let negated = matches!(chars.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let first = i;
    loop {
        let mut c = *chars.get(i)?;
        if c == ']' && i > first {
            return Some((Atom::Class { negated, ranges }, i + 1));
        }
        if c == '\\' {
            i += 1;
            c = *chars.get(i)?;
        }
        i += 1;
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&e| e != ']') {
            let end = *chars.get(i + 1)?;
            ranges.push((c, end));
            i += 2;
        } else {
            ranges.push((c, c));
        }
    }
}

fn atom_matches(atom: &Atom, c: char) -> bool {
    match atom {
        Atom::Char(expected) => *expected == c,
        Atom::AnyChar => true,
        Atom::AnyRun => true,
        Atom::Class { negated, ranges } => ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated,
    }
}

/// Wildcard matching of one name; `*` backtracks to its last position only,
/// which is enough because a later `*` subsumes an earlier one.
fn match_segment(atoms: &[Atom], name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let (mut a, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match (atoms.get(a), name.get(n)) {
            (Some(Atom::AnyRun), _) => {
                star = Some((a, n));
                a += 1;
            }
            (Some(atom), Some(&c)) if atom_matches(atom, c) => {
                a += 1;
                n += 1;
            }
            _ => match star {
                Some((sa, sn)) => {
                    a = sa + 1;
                    n = sn + 1;
                    star = Some((sa, sn + 1));
                }
                None => return false,
            },
        }
    }
    atoms
        .get(a..)
        .is_some_and(|rest| rest.iter().all(|x| *x == Atom::AnyRun))
}

/// The same algorithm over path segments, with `**` as the wildcard.
fn match_path(segments: &[Segment], names: &[String]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < names.len() {
        match (segments.get(p), names.get(n)) {
            (Some(Segment::Globstar), _) => {
                star = Some((p, n));
                p += 1;
            }
            (Some(Segment::Glob(atoms)), Some(name)) if match_segment(atoms, name) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    segments
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|s| *s == Segment::Globstar))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        let names: Vec<String> = path.split('/').map(str::to_string).collect();
        Pattern::parse(pattern, Path::new("/ws")).is_some_and(|p| {
            let mut full = vec!["ws".to_string()];
            full.extend(names);
            p.matches_file(&full)
        })
    }

    #[test]
    fn matches_like_actions_glob() {
        assert!(matches("**/*.lock", "a/b/c.lock"));
        assert!(matches("**/*.lock", "c.lock"));
        assert!(matches("*", ".hidden"));
        assert!(matches("src", "src/deep/file.rs"));
        assert!(matches("src/", "src/file.rs"));
        assert!(!matches("src/", "src"));
        assert!(matches("f?o.[a-c]x", "fzo.bx"));
        assert!(!matches("f?o.[!a-c]x", "fzo.bx"));
        assert!(matches("a/**/b", "a/b"));
        assert!(matches("a/**/b", "a/x/y/b"));
        assert!(!matches("a/*/b", "a/b"));
        assert!(matches("./x/../y.txt", "y.txt"));
        assert!(matches("[x", "[x"));
        assert!(matches("\\*", "*"));
        assert!(!matches("\\*", "a"));
        assert_eq!(
            Pattern::parse("src/*/x", Path::new("/ws")).map(|p| p.search_path()),
            Some(PathBuf::from("/ws/src"))
        );
        assert!(Pattern::parse("!!a", Path::new("/ws")).is_some_and(|p| !p.negate));
    }
}
