//! Glob matching of one name (`*`, `?`, `[…]`, `\` escapes) and of a list
//! of names with `**`, as minimatch does it for `@actions/glob`: for
//! `hashFiles()` and upload paths (`dot: true`) and for download-artifact's
//! `pattern` (artifact names, `dot: false`).

/// One element of a name pattern.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Atom {
    Char(char),
    /// `?`
    AnyChar,
    /// `*`
    AnyRun,
    /// `[abc]`, `[a-z]`, `[!x]`
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// One `/`-separated part of a path pattern.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Segment {
    /// `**`: any number of names, none included.
    Globstar,
    Name(Vec<Atom>),
}

impl Segment {
    /// Parses one part of a pattern; `**` alone is the globstar.
    pub(crate) fn parse(text: &str) -> Segment {
        if text == "**" {
            Segment::Globstar
        } else {
            Segment::Name(parse_atoms(text))
        }
    }

    /// A part that matches exactly `name`.
    pub(crate) fn literal(name: &str) -> Segment {
        Segment::Name(name.chars().map(Atom::Char).collect())
    }

    /// The one name this part matches, if it has no wildcard. A class of
    /// one character (`[a]`) counts as that character, as in `@actions/glob`.
    pub(crate) fn literal_text(&self) -> Option<String> {
        let Segment::Name(atoms) = self else { return None };
        atoms
            .iter()
            .map(|atom| match atom {
                Atom::Char(c) => Some(*c),
                Atom::Class { negated: false, ranges } if ranges.len() == 1 && ranges[0].0 == ranges[0].1 => {
                    Some(ranges[0].0)
                }
                _ => None,
            })
            .collect()
    }
}

fn parse_atoms(text: &str) -> Vec<Atom> {
    let chars: Vec<char> = text.chars().collect();
    let mut atoms = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => {
                // An escaped character; a trailing backslash is itself.
                atoms.push(Atom::Char(chars.get(i).copied().unwrap_or('\\')));
                i += 1;
            }
            '*' if atoms.last() == Some(&Atom::AnyRun) => {}
            '*' => atoms.push(Atom::AnyRun),
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

/// A class after its `[`, and the index after its `]`; `None` when it is
/// not closed, and then `[` is an ordinary character.
fn parse_class(chars: &[char], mut i: usize) -> Option<(Atom, usize)> {
    let negated = matches!(chars.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let first = i;
    let mut ranges = Vec::new();
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
        match (chars.get(i), chars.get(i + 1)) {
            (Some('-'), Some(&end)) if end != ']' => {
                ranges.push((c, end));
                i += 2;
            }
            _ => ranges.push((c, c)),
        }
    }
}

fn atom_matches(atom: &Atom, c: char) -> bool {
    match atom {
        Atom::Char(expected) => *expected == c,
        Atom::AnyChar | Atom::AnyRun => true,
        Atom::Class { negated, ranges } => ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated,
    }
}

/// Whether one name matches. Without `dot`, a name starting with `.` is
/// matched only by a part that starts with a literal `.` (minimatch's rule).
pub(crate) fn name_matches(atoms: &[Atom], name: &str, dot: bool) -> bool {
    if !dot && name.starts_with('.') && atoms.first() != Some(&Atom::Char('.')) {
        return false;
    }
    let name: Vec<char> = name.chars().collect();
    let (mut a, mut n) = (0, 0);
    // Where the last `*` was, to retry it one character longer.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match atoms.get(a) {
            Some(Atom::AnyRun) => {
                star = Some((a, n));
                a += 1;
            }
            Some(atom) if atom_matches(atom, name[n]) => {
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
    atoms[a.min(atoms.len())..].iter().all(|x| *x == Atom::AnyRun)
}

/// Whether the whole list of names matches the pattern.
pub(crate) fn path_matches(segments: &[Segment], names: &[String], dot: bool) -> bool {
    let (mut s, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < names.len() {
        match segments.get(s) {
            Some(Segment::Globstar) => {
                star = Some((s, n));
                s += 1;
            }
            Some(Segment::Name(atoms)) if name_matches(atoms, &names[n], dot) => {
                s += 1;
                n += 1;
            }
            _ => match star {
                // `**` never swallows a dot name without `dot`.
                Some((ss, sn)) if dot || !names[sn].starts_with('.') => {
                    s = ss + 1;
                    n = sn + 1;
                    star = Some((ss, sn + 1));
                }
                _ => return false,
            },
        }
    }
    segments[s.min(segments.len())..]
        .iter()
        .all(|x| *x == Segment::Globstar)
}

/// Whether something below a directory with these names could match: the
/// names match the pattern's first parts, or reach a `**` (minimatch's
/// partial match, which decides whether the search descends).
pub(crate) fn could_match_below(segments: &[Segment], names: &[String]) -> bool {
    for (segment, name) in segments.iter().zip(names) {
        match segment {
            Segment::Globstar => return true,
            Segment::Name(atoms) if name_matches(atoms, name, true) => {}
            Segment::Name(_) => return false,
        }
    }
    names.len() <= segments.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(pattern: &str) -> Vec<Segment> {
        pattern.split('/').map(Segment::parse).collect()
    }

    fn names(path: &str) -> Vec<String> {
        path.split('/').map(str::to_string).collect()
    }

    fn matches(pattern: &str, path: &str) -> bool {
        path_matches(&segments(pattern), &names(path), true)
    }

    #[test]
    fn wildcards_stay_within_a_name() {
        assert!(matches("a/*.txt", "a/x.txt"));
        assert!(matches("a/*.txt", "a/.txt"));
        assert!(!matches("a/*.txt", "a/b/x.txt"));
        assert!(matches("a/f?o", "a/fzo"));
        assert!(!matches("a/f?o", "a/fo"));
        assert!(matches("a/*", "a/.hidden"));
        assert!(matches("x[0-9]y", "x5y"));
        assert!(!matches("x[!0-9]y", "x5y"));
        assert!(matches("x[^0-9]y", "xay"));
        assert!(matches("[x", "[x"));
        assert!(matches("\\*", "*"));
        assert!(!matches("\\*", "a"));
        assert!(matches("a*b*c", "aXbYbc"));
        assert!(!matches("a*b*c", "aXbYb"));
    }

    #[test]
    fn globstar_spans_any_number_of_names() {
        assert!(matches("a/**/b", "a/b"));
        assert!(matches("a/**/b", "a/x/y/b"));
        assert!(matches("a/**", "a"));
        assert!(matches("a/**", "a/x/.y/z"));
        assert!(!matches("a/*/b", "a/b"));
        assert!(matches("**/*.pt", "m/x/model.pt"));
    }

    #[test]
    fn without_dot_wildcards_skip_dot_names() {
        let names = |n: &str| vec![n.to_string()];
        assert!(!path_matches(&segments("*"), &names(".x"), false));
        assert!(path_matches(&segments(".*"), &names(".x"), false));
        assert!(!path_matches(&segments("**"), &names(".x"), false));
        assert!(path_matches(&segments("model-*"), &names("model-a"), false));
    }

    #[test]
    fn partial_matches_decide_the_descent() {
        let pattern = segments("ws/src/*/lib");
        assert!(could_match_below(&pattern, &names("ws")));
        assert!(could_match_below(&pattern, &names("ws/src/x")));
        assert!(!could_match_below(&pattern, &names("ws/docs")));
        assert!(could_match_below(&segments("ws/**/x"), &names("ws/a/b/c")));
        assert!(!could_match_below(&segments("ws/a"), &names("ws/a/b")));
    }

    #[test]
    fn literal_parts_are_known() {
        assert_eq!(Segment::parse("a[b]c").literal_text(), Some("abc".to_string()));
        assert_eq!(Segment::parse("a\\*").literal_text(), Some("a*".to_string()));
        assert_eq!(Segment::parse("a[bc]").literal_text(), None);
        assert_eq!(Segment::parse("**").literal_text(), None);
        assert_eq!(Segment::parse("x?").literal_text(), None);
    }

    #[test]
    fn odd_patterns_never_panic() {
        let pieces = ["[", "]", "!", "^", "-", "\\", "*", "**", "?", "/", ".", "a", "ı"];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..500 {
            let mut pattern = String::new();
            for _ in 0..(seed % 9) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                pattern.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let segments = segments(&pattern);
            for path in ["a", "[/-", ".x/a", "a/b/c"] {
                let _ = path_matches(&segments, &names(path), false);
                let _ = could_match_below(&segments, &names(path));
            }
        }
    }
}
