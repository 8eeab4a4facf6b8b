//! One line of upload-artifact's `path`, as `@actions/glob` reads it: `!`
//! negates, a leading `./` or a relative path is taken from the workspace,
//! `~` is the home directory, `.` and `..` segments are refused, and a
//! trailing `/` matches directories only.

use crate::glob::{could_match_below, path_matches, Segment};
use std::path::{Component, Path, PathBuf};

/// What a pattern matched: a directory only (a trailing `/`), or anything.
pub(super) const MATCH_DIRECTORY: u8 = 1;
pub(super) const MATCH_FILE: u8 = 2;
pub(super) const MATCH_ALL: u8 = MATCH_DIRECTORY | MATCH_FILE;

#[derive(Clone, Debug, PartialEq)]
pub(super) struct PathPattern {
    pub negate: bool,
    /// From the filesystem root: the names of the workspace (or home) first.
    segments: Vec<Segment>,
    trailing_separator: bool,
}

impl PathPattern {
    /// Parses one trimmed, non-empty, non-comment line of `path`.
    pub(super) fn parse(line: &str, workspace: &Path, home: Option<&Path>) -> Result<PathPattern, String> {
        let mut negate = false;
        let mut body = line.trim();
        while let Some(rest) = body.strip_prefix('!') {
            negate = !negate;
            body = rest.trim();
        }
        if body.is_empty() {
            return Err(format!("invalid path pattern `{line}`: it names no path"));
        }
        let parts: Vec<&str> = body.split('/').filter(|p| !p.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            let literal = Segment::parse(part).literal_text();
            if literal.as_deref() == Some("..") || (literal.as_deref() == Some(".") && i > 0) {
                return Err(format!(
                    "invalid path pattern `{line}`: relative pathing `.` and `..` is not allowed \
                     (upload-artifact refuses it; name the path from the workspace)"
                ));
            }
        }
        let (base, rest): (Option<&Path>, &[&str]) = match parts.first() {
            _ if body.starts_with('/') => (None, &parts),
            Some(&".") => (Some(workspace), &parts[1..]),
            Some(&"~") => match home {
                Some(home) => (Some(home), &parts[1..]),
                None => {
                    return Err(format!(
                        "invalid path pattern `{line}`: HOME is not set, so `~` means nothing"
                    ))
                }
            },
            _ => (Some(workspace), &parts),
        };
        let mut segments: Vec<Segment> = base
            .map(names)
            .unwrap_or_default()
            .iter()
            .map(|n| Segment::literal(n))
            .collect();
        segments.extend(rest.iter().map(|p| Segment::parse(p)));
        Ok(PathPattern {
            negate,
            segments,
            trailing_separator: body.ends_with('/'),
        })
    }

    /// The pattern plus `/**`, which `@actions/glob` adds so that a matched
    /// directory brings everything in it; `None` when it already ends in `**`.
    pub(super) fn descendants(&self) -> Option<PathPattern> {
        if !self.trailing_separator && self.segments.last() == Some(&Segment::Globstar) {
            return None;
        }
        let mut segments = self.segments.clone();
        segments.push(Segment::Globstar);
        Some(PathPattern {
            negate: self.negate,
            segments,
            trailing_separator: false,
        })
    }

    /// The literal directory (or file) before the first wildcard: where the
    /// search for this pattern starts.
    pub(super) fn search_path(&self) -> PathBuf {
        let mut path = PathBuf::from("/");
        for segment in &self.segments {
            match segment.literal_text() {
                Some(name) => path.push(name),
                None => break,
            }
        }
        path
    }

    /// [`MATCH_ALL`], [`MATCH_DIRECTORY`] (a trailing `/`) or 0.
    pub(super) fn match_kind(&self, names: &[String]) -> u8 {
        match (path_matches(&self.segments, names, true), self.trailing_separator) {
            (false, _) => 0,
            (true, true) => MATCH_DIRECTORY,
            (true, false) => MATCH_ALL,
        }
    }

    /// Whether something below the directory `names` could match.
    pub(super) fn could_match_below(&self, names: &[String]) -> bool {
        could_match_below(&self.segments, names)
    }
}

/// What a list of patterns says about a path, in order: an include adds its
/// match, an exclusion takes it away, so a later line wins.
pub(super) fn match_all(patterns: &[PathPattern], names: &[String]) -> u8 {
    patterns.iter().fold(0, |kind, pattern| match pattern.negate {
        true => kind & !pattern.match_kind(names),
        false => kind | pattern.match_kind(names),
    })
}

/// Whether any include pattern could match below `names`.
pub(super) fn could_any_match_below(patterns: &[PathPattern], names: &[String]) -> bool {
    patterns.iter().any(|p| !p.negate && p.could_match_below(names))
}

/// The names of an absolute path's normal components.
pub(super) fn names(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

/// The search paths of the include patterns, in order, without duplicates
/// or paths below another one (`@actions/glob`'s `getSearchPaths`).
pub(super) fn search_paths(patterns: &[PathPattern]) -> Vec<PathBuf> {
    let all: Vec<PathBuf> = patterns
        .iter()
        .filter(|p| !p.negate)
        .map(PathPattern::search_path)
        .collect();
    let mut result: Vec<PathBuf> = Vec::new();
    for path in &all {
        let below_another = path.ancestors().skip(1).any(|a| all.iter().any(|p| p == a));
        if !below_another && !result.contains(path) {
            result.push(path.clone());
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<PathPattern, String> {
        PathPattern::parse(line, Path::new("/ws"), Some(Path::new("/home/u")))
    }

    fn names_of(path: &str) -> Vec<String> {
        names(Path::new(path))
    }

    #[test]
    fn relative_paths_start_at_the_workspace() {
        assert_eq!(
            parse("models/").map(|p| p.search_path()),
            Ok(PathBuf::from("/ws/models"))
        );
        assert_eq!(parse("./a/*/b").map(|p| p.search_path()), Ok(PathBuf::from("/ws/a")));
        assert_eq!(parse("~/x/**").map(|p| p.search_path()), Ok(PathBuf::from("/home/u/x")));
        assert_eq!(
            parse("/abs//dir/f?").map(|p| p.search_path()),
            Ok(PathBuf::from("/abs/dir"))
        );
        assert_eq!(parse("*.txt").map(|p| p.search_path()), Ok(PathBuf::from("/ws")));
        assert_eq!(parse("! ! x").map(|p| p.negate), Ok(false));
        assert_eq!(parse("!x").map(|p| p.negate), Ok(true));
    }

    #[test]
    fn dot_segments_and_empty_lines_are_refused() {
        let refused = "relative pathing `.` and `..` is not allowed (upload-artifact refuses it; name the path from the workspace)";
        assert_eq!(parse("../x"), Err(format!("invalid path pattern `../x`: {refused}")));
        assert_eq!(parse("a/./x"), Err(format!("invalid path pattern `a/./x`: {refused}")));
        assert_eq!(
            parse("a/[.][.]/x"),
            Err(format!("invalid path pattern `a/[.][.]/x`: {refused}"))
        );
        assert_eq!(
            parse("!"),
            Err("invalid path pattern `!`: it names no path".to_string())
        );
        assert!(parse("a/..b/.c").is_ok());
    }

    #[test]
    fn trailing_slash_matches_directories_only() {
        let dir = parse("models/").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dir.match_kind(&names_of("/ws/models")), MATCH_DIRECTORY);
        let below = dir.descendants().unwrap_or_else(|| panic!("descendants"));
        assert_eq!(below.match_kind(&names_of("/ws/models/a/b.pt")), MATCH_ALL);
        assert_eq!(parse("a/**").ok().and_then(|p| p.descendants()), None);
    }

    #[test]
    fn later_lines_win() {
        let patterns: Vec<PathPattern> = ["out/**", "!out/**/*.tmp", "out/keep.tmp"]
            .iter()
            .filter_map(|l| parse(l).ok())
            .collect();
        assert_eq!(match_all(&patterns, &names_of("/ws/out/a.bin")), MATCH_ALL);
        assert_eq!(match_all(&patterns, &names_of("/ws/out/x/a.tmp")), 0);
        assert_eq!(match_all(&patterns, &names_of("/ws/out/keep.tmp")), MATCH_ALL);
        assert!(could_any_match_below(&patterns, &names_of("/ws")));
        assert!(!could_any_match_below(&patterns, &names_of("/ws2")));
    }

    #[test]
    fn search_paths_drop_duplicates_and_descendants() {
        let patterns: Vec<PathPattern> = ["a/b/*", "a/**/x", "c", "a/b/c/d", "!e/*", "c"]
            .iter()
            .filter_map(|l| parse(l).ok())
            .collect();
        assert_eq!(
            search_paths(&patterns),
            vec![PathBuf::from("/ws/a"), PathBuf::from("/ws/c")]
        );
    }
}
