//! Matching of one pattern segment (`*`, `?`, `[…]`) against a name, and
//! of a segment list (with `**`) against a path.

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Atom {
    Char(char),
    AnyChar,
    AnyRun,
    Class { negated: bool, ranges: Vec<(char, char)> },
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Segment {
    /// `**`: any number of path segments, including none.
    Globstar,
    Glob(Vec<Atom>),
}

pub(super) fn literal(name: &str) -> Vec<Atom> {
    name.chars().map(Atom::Char).collect()
}

pub(super) fn literal_text(atoms: &[Atom]) -> Option<String> {
    atoms
        .iter()
        .map(|a| match a {
            Atom::Char(c) => Some(*c),
            _ => None,
        })
        .collect()
}

pub(super) fn parse_segment(part: &str) -> Vec<Atom> {
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
pub(super) fn match_segment(atoms: &[Atom], name: &str) -> bool {
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
pub(super) fn match_path(segments: &[Segment], names: &[String]) -> bool {
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
