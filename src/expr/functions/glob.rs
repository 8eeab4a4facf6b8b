//! The glob patterns of `hashFiles()`, following `@actions/glob` on Linux:
//! `*`, `?`, `[…]` within a path segment, `**` across segments, a leading
//! `!` to exclude, dotfiles matched like any file, and implicit descendants
//! (a pattern that matches a directory also matches everything under it).

use std::path::{Component, Path, PathBuf};

use crate::glob::{name_matches, path_matches, Atom, Segment};

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
            segments.extend(path_names(base).iter().map(|n| Segment::literal(n)));
        }
        for part in body.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    segments.pop();
                }
                "**" => segments.push(Segment::Globstar),
                _ => segments.push(Segment::parse(part)),
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
                Segment::Name(_) => match segment.literal_text() {
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
        if !self.trailing_separator && path_matches(&self.segments, names, true) {
            return true;
        }
        let mut beneath = self.segments.clone();
        beneath.push(Segment::Name(vec![Atom::AnyRun]));
        beneath.push(Segment::Globstar);
        path_matches(&beneath, names, true)
    }

    /// Whether something at or below this directory could match, used to
    /// skip directories that cannot contain matches.
    pub(crate) fn could_match_within(&self, names: &[String]) -> bool {
        let mut names = names.iter();
        for segment in &self.segments {
            let Segment::Name(atoms) = segment else {
                return true;
            };
            match names.next() {
                None => return true,
                Some(name) if name_matches(atoms, name, true) => {}
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

    #[test]
    fn odd_patterns_never_panic() {
        let pieces = [
            "[", "]", "!", "^", "-", "\\", "*", "**", "?", "/", ".", "..", "a", "z", "ı",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let names: Vec<String> = ["ws", "a", "[", "-", ".x"].map(str::to_string).to_vec();
        for _ in 0..500 {
            let mut pattern = String::new();
            for _ in 0..(seed % 9) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                pattern.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            if let Some(p) = Pattern::parse(&pattern, Path::new("/ws")) {
                let _ = p.matches_file(&names);
                let _ = p.could_match_within(&names);
                let _ = p.search_path();
            }
        }
    }
}
