//! `hashFiles(patterns…)`: the SHA-256 of the SHA-256 digests of every file
//! under the workspace that the patterns match, in the order `@actions/glob`
//! finds them (pattern search paths in order, then depth first with
//! directory entries sorted by name). No match gives `''`.
//!
//! The workspace is the job's, so anything in it may be hostile: a file or
//! folder reached through a link that leads out of the workspace is an
//! error, never read, and the hashing stops when the caller says so (the
//! step's timeout, Ctrl-C), however large the files.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::glob::{path_names, Pattern};

/// How much of a file is read between two checks for a stop.
const CHUNK: usize = 1024 * 1024;

/// The first argument that makes the search follow symbolic links.
const FOLLOW_SYMLINKS: &str = "--follow-symbolic-links";

/// Hashes the files matched by `args` under `workspace`. Each argument may
/// hold several patterns, one per line; blank lines and `#` comments are
/// ignored.
pub(crate) fn hash_files(workspace: &Path, args: &[String], stopped: &dyn Fn() -> bool) -> io::Result<String> {
    let workspace = std::path::absolute(workspace)?;
    let real_workspace = fs::canonicalize(&workspace)?;
    let follow = args.first().is_some_and(|a| a == FOLLOW_SYMLINKS);
    let lines = args
        .iter()
        .skip(usize::from(follow))
        .flat_map(|arg| arg.lines())
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'));
    let patterns: Vec<Pattern> = lines.filter_map(|l| Pattern::parse(l, &workspace)).collect();

    let mut total = Sha256::new();
    let mut matched = false;
    for root in search_roots(&patterns, &workspace) {
        let mut walk = Walk {
            patterns: &patterns,
            follow,
            real_workspace: &real_workspace,
            stopped,
            total: &mut total,
            matched: &mut matched,
        };
        walk.run(&root)?;
    }
    Ok(if matched { hex(&total.finalize()) } else { String::new() })
}

/// `args` with each pattern line that starts with `seen` (the workspace as
/// the job sees it, `/github/workspace` in a container) starting with the
/// host's `workspace` instead; other lines, comments and a leading `!` are
/// kept as written.
pub(crate) fn on_host(args: &[String], seen: &str, workspace: &Path) -> Vec<String> {
    let seen = seen.trim_end_matches('/');
    let host = workspace.to_string_lossy();
    if seen.is_empty() || seen == host.trim_end_matches('/') {
        return args.to_vec();
    }
    let line_on_host = |line: &str| -> String {
        let pattern = line.trim_start();
        let body = pattern.trim_start_matches('!');
        let negations = &pattern[..pattern.len() - body.len()];
        match body.strip_prefix(seen) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("{negations}{host}{rest}"),
            _ => line.to_string(),
        }
    };
    args.iter()
        .map(|arg| arg.lines().map(line_on_host).collect::<Vec<_>>().join("\n"))
        .collect()
}

/// The distinct search paths of the include patterns, in pattern order,
/// dropping those below another one and clamping them to the workspace
/// (files outside it never count).
fn search_roots(patterns: &[Pattern], workspace: &Path) -> Vec<PathBuf> {
    let candidates: Vec<PathBuf> = patterns
        .iter()
        .filter(|p| !p.negate)
        .map(Pattern::search_path)
        .collect();
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in &candidates {
        let has_ancestor = candidates.iter().any(|c| c != path && path.starts_with(c));
        let root = if workspace.starts_with(path) {
            workspace.to_path_buf()
        } else if path.starts_with(workspace) {
            path.clone()
        } else {
            continue;
        };
        if !has_ancestor && !roots.contains(&root) {
            roots.push(root);
        }
    }
    roots
}

struct Walk<'a> {
    patterns: &'a [Pattern],
    follow: bool,
    /// The workspace with its links resolved: nothing outside it is read.
    real_workspace: &'a Path,
    stopped: &'a dyn Fn() -> bool,
    total: &'a mut Sha256,
    matched: &'a mut bool,
}

impl Walk<'_> {
    fn run(&mut self, root: &Path) -> io::Result<()> {
        // Depth-first with an explicit stack; the chain of directories being
        // visited (by canonical path) stops symlink cycles when following.
        let mut stack: Vec<(PathBuf, usize)> = vec![(root.to_path_buf(), 0)];
        let mut chain: Vec<PathBuf> = Vec::new();
        while let Some((path, depth)) = stack.pop() {
            chain.truncate(depth);
            let metadata = match self.follow {
                true => fs::metadata(&path),
                false => fs::symlink_metadata(&path),
            };
            let Ok(metadata) = metadata else { continue };
            let names = path_names(&path);
            if metadata.is_dir() {
                let wanted = self.patterns.iter().any(|p| !p.negate && p.could_match_within(&names));
                let canonical = fs::canonicalize(&path)?;
                self.check_inside(&path, &canonical)?;
                if !wanted || chain.contains(&canonical) {
                    continue;
                }
                chain.push(canonical);
                let mut children: Vec<PathBuf> = fs::read_dir(&path)?
                    .map(|e| e.map(|e| e.path()))
                    .collect::<io::Result<_>>()?;
                children.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
                stack.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
            } else if self.is_match(&names) {
                self.hash(&path)?;
            }
        }
        Ok(())
    }

    /// Later patterns win: an include sets, an exclusion clears.
    fn is_match(&self, names: &[String]) -> bool {
        self.patterns.iter().fold(
            false,
            |matched, p| {
                if p.matches_file(names) {
                    !p.negate
                } else {
                    matched
                }
            },
        )
    }

    fn hash(&mut self, path: &Path) -> io::Result<()> {
        // A symlink that was not followed may point at a directory, which
        // does not count, or nowhere, which is skipped.
        match fs::metadata(path) {
            Ok(target) if target.is_file() => {}
            _ => return Ok(()),
        }
        self.check_inside(path, &fs::canonicalize(path)?)?;
        let mut file = fs::File::open(path)?;
        let mut digest = Sha256::new();
        let mut buffer = vec![0u8; CHUNK];
        loop {
            if (self.stopped)() {
                return Err(io::Error::other("stopped: the step timed out or was cancelled"));
            }
            match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => digest.update(&buffer[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.total.update(digest.finalize());
        *self.matched = true;
        Ok(())
    }

    /// `path`, whose links resolve to `real`, must stay in the workspace.
    fn check_inside(&self, path: &Path, real: &Path) -> io::Result<()> {
        if real.starts_with(self.real_workspace) {
            return Ok(());
        }
        Err(io::Error::other(format!(
            "{} links to {}, outside the workspace",
            path.display(),
            real.display()
        )))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
