//! Python versions and the version ranges `python-version` takes, matched as
//! actions/setup-python matches them (npm's semver ranges): `3.10` is any
//! 3.10.x, `3` and `3.x` any 3, `3.11.4` exactly that, and `>=3.9 <3.12`,
//! `~3.10`, `^3.9`, `3.9 - 3.11` and `a || b` as npm reads them.
//!
//! A pre-release (`3.13.0rc1`) is compared by its numbers, as if released;
//! `-dev` (`3.13-dev`) and a free-threaded `t` (`3.13t`) are dropped.

/// A version's numbers: major, minor, patch.
pub(crate) type Triple = (u64, u64, u64);

/// A version as `python3 --version` prints it ("Python 3.11.2",
/// "Python 3.13.0rc1"): its numbers and the text of them.
pub(crate) fn parse_installed(text: &str) -> Option<(Triple, String)> {
    let word = text
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    let numbers: Vec<u64> = word
        .split(|c: char| !c.is_ascii_digit())
        .take_while(|part| !part.is_empty())
        .take(3)
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    let triple = match numbers[..] {
        [major, minor, patch] => (major, minor, patch),
        [major, minor] => (major, minor, 0),
        _ => return None,
    };
    Some((triple, word.to_string()))
}

/// Whether `version` satisfies `spec`; None when `spec` is not a range.
pub(crate) fn satisfies(spec: &str, version: Triple) -> Option<bool> {
    let mut any = false;
    for alternative in spec.split("||") {
        let comparators = parse_range(alternative.trim())?;
        any |= comparators.iter().all(|c| c.holds(version));
    }
    Some(any)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Lt,
    Le,
    Eq,
    /// Nothing satisfies it (`>*`, `<*`).
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Comparator {
    op: Op,
    bound: Triple,
}

impl Comparator {
    fn holds(self, v: Triple) -> bool {
        match self.op {
            Op::Ge => v >= self.bound,
            Op::Gt => v > self.bound,
            Op::Lt => v < self.bound,
            Op::Le => v <= self.bound,
            Op::Eq => v == self.bound,
            Op::Never => false,
        }
    }
}

/// A version with parts left out or written as `x`/`*`: `3`, `3.10`, `3.x`.
type Partial = (Option<u64>, Option<u64>, Option<u64>);

fn parse_partial(text: &str) -> Option<Partial> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let text = text.split('-').next().unwrap_or(text);
    let text = text.strip_suffix('t').unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    let mut parts = [None; 3];
    let mut pieces = text.split('.');
    for slot in parts.iter_mut() {
        match pieces.next() {
            None | Some("x" | "X" | "*") => break,
            Some(piece) if !piece.is_empty() && piece.chars().all(|c| c.is_ascii_digit()) => {
                *slot = Some(piece.parse().ok()?)
            }
            Some(_) => return None,
        }
    }
    if !pieces.all(|p| matches!(p, "x" | "X" | "*")) {
        return None;
    }
    Some((parts[0], parts[1], parts[2]))
}

fn parse_range(text: &str) -> Option<Vec<Comparator>> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if let [low, "-", high] = tokens[..] {
        let mut out = desugar(">=", parse_partial(low)?);
        out.extend(desugar("<=", parse_partial(high)?));
        return Some(out);
    }
    let mut out = Vec::new();
    let mut seen = false;
    let mut pending_op: Option<&str> = None;
    for token in tokens {
        let op_len = token
            .find(|c: char| !matches!(c, '<' | '>' | '=' | '~' | '^'))
            .unwrap_or(token.len());
        let (op, rest) = token.split_at(op_len);
        let op = match (pending_op.take(), op) {
            (Some(held), "") => held,
            (Some(_), _) => return None,
            (None, op) => op,
        };
        if rest.is_empty() {
            pending_op = Some(op);
            continue;
        }
        if !matches!(op, "" | "=" | ">=" | ">" | "<" | "<=" | "~" | "~>" | "^") {
            return None;
        }
        out.extend(desugar(op, parse_partial(rest)?));
        seen = true;
    }
    (pending_op.is_none() && (seen || text.is_empty())).then_some(out)
}

/// npm's rewriting of one comparator over a partial version into plain
/// comparisons of full versions.
fn desugar(op: &str, partial: Partial) -> Vec<Comparator> {
    let c = |op, bound| Comparator { op, bound };
    let next = |n: u64| n.saturating_add(1);
    let filled = (partial.0.unwrap_or(0), partial.1.unwrap_or(0), partial.2.unwrap_or(0));
    match (op, partial) {
        ("<" | ">", (None, _, _)) => vec![c(Op::Never, filled)],
        (_, (None, _, _)) => vec![],
        ("" | "=", (Some(_), Some(_), Some(_))) => vec![c(Op::Eq, filled)],
        ("" | "=" | "~" | "~>", (Some(m), Some(n), _)) => vec![c(Op::Ge, filled), c(Op::Lt, (m, next(n), 0))],
        ("" | "=" | "~" | "~>" | "^", (Some(m), None, _)) => vec![c(Op::Ge, filled), c(Op::Lt, (next(m), 0, 0))],
        ("^", (Some(m), Some(n), p)) => {
            let upper = match (m, n, p) {
                (0, 0, Some(p)) => (0, 0, next(p)),
                (0, n, _) => (0, next(n), 0),
                (m, _, _) => (next(m), 0, 0),
            };
            vec![c(Op::Ge, filled), c(Op::Lt, upper)]
        }
        (">=", _) => vec![c(Op::Ge, filled)],
        ("<", _) => vec![c(Op::Lt, filled)],
        (">", (Some(_), Some(_), Some(_))) => vec![c(Op::Gt, filled)],
        (">", (Some(m), Some(n), None)) => vec![c(Op::Ge, (m, next(n), 0))],
        (">", (Some(m), None, _)) => vec![c(Op::Ge, (next(m), 0, 0))],
        ("<=", (Some(_), Some(_), Some(_))) => vec![c(Op::Le, filled)],
        ("<=", (Some(m), Some(n), None)) => vec![c(Op::Lt, (m, next(n), 0))],
        ("<=", (Some(m), None, _)) => vec![c(Op::Lt, (next(m), 0, 0))],
        _ => vec![c(Op::Never, filled)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_versions_are_read_from_pythons_own_words() {
        assert_eq!(parse_installed("Python 3.11.2"), Some(((3, 11, 2), "3.11.2".into())));
        assert_eq!(parse_installed("Python 3.11.2\n"), Some(((3, 11, 2), "3.11.2".into())));
        assert_eq!(
            parse_installed("Python 3.13.0rc1"),
            Some(((3, 13, 0), "3.13.0rc1".into()))
        );
        assert_eq!(parse_installed("3.12"), Some(((3, 12, 0), "3.12".into())));
        assert_eq!(parse_installed("Python 3.12.1+"), Some(((3, 12, 1), "3.12.1+".into())));
        assert_eq!(parse_installed(""), None);
        assert_eq!(parse_installed("bash: python3: command not found"), None);
        assert_eq!(parse_installed("Python 3"), None);
    }

    fn check(spec: &str, yes: &[Triple], no: &[Triple]) {
        for &v in yes {
            assert_eq!(satisfies(spec, v), Some(true), "{spec} should match {v:?}");
        }
        for &v in no {
            assert_eq!(satisfies(spec, v), Some(false), "{spec} should not match {v:?}");
        }
    }

    #[test]
    fn a_minor_version_matches_its_patches() {
        check("3.10", &[(3, 10, 0), (3, 10, 14)], &[(3, 1, 0), (3, 11, 0), (3, 9, 18)]);
        check("3.10.x", &[(3, 10, 14)], &[(3, 11, 0)]);
        check("3.13-dev", &[(3, 13, 0)], &[(3, 12, 9)]);
        check("3.13t", &[(3, 13, 1)], &[(3, 12, 9)]);
    }

    #[test]
    fn a_major_version_or_x_matches_any_of_it() {
        check("3", &[(3, 0, 0), (3, 13, 2)], &[(2, 7, 18), (4, 0, 0)]);
        check("3.x", &[(3, 8, 1), (3, 13, 2)], &[(2, 7, 18)]);
        check("x", &[(2, 7, 0), (3, 13, 2)], &[]);
    }

    #[test]
    fn a_full_version_matches_only_itself() {
        check("3.11.4", &[(3, 11, 4)], &[(3, 11, 2), (3, 11, 5)]);
        check("=3.11.4", &[(3, 11, 4)], &[(3, 11, 5)]);
    }

    #[test]
    fn ranges_follow_npm() {
        check(">=3.9", &[(3, 9, 0), (3, 13, 0)], &[(3, 8, 18)]);
        check(">= 3.9 <3.12", &[(3, 9, 0), (3, 11, 9)], &[(3, 12, 0), (3, 8, 0)]);
        check(">3.9", &[(3, 10, 0)], &[(3, 9, 18)]);
        check("<=3.11", &[(3, 11, 9)], &[(3, 12, 0)]);
        check("<3.11", &[(3, 10, 9)], &[(3, 11, 0)]);
        check("~3.10", &[(3, 10, 5)], &[(3, 11, 0)]);
        check("~3.10.2", &[(3, 10, 2), (3, 10, 9)], &[(3, 10, 1), (3, 11, 0)]);
        check("^3.9", &[(3, 9, 0), (3, 13, 0)], &[(3, 8, 0), (4, 0, 0)]);
        check("3.9 - 3.11", &[(3, 9, 0), (3, 11, 9)], &[(3, 8, 9), (3, 12, 0)]);
        check("3.8 || >=3.12", &[(3, 8, 5), (3, 12, 0)], &[(3, 10, 0)]);
        check(">*", &[], &[(3, 10, 0)]);
        check("~*", &[(3, 10, 0)], &[]);
        check("3.8 ||", &[(3, 10, 0)], &[]);
        check("18446744073709551615", &[], &[(3, 10, 0)]);
    }

    #[test]
    fn what_is_not_a_range_is_none() {
        for spec in ["banana", "3.10.1.1", ">=", "3..10", "pypy3.9", ">=3.9 >", "!3.9"] {
            assert_eq!(satisfies(spec, (3, 10, 0)), None, "{spec}");
        }
    }
}
