//! Which files an upload takes and where each goes in the archive, as
//! upload-artifact v4 finds them (`src/shared/search.ts` over
//! `@actions/glob`): every search path is walked depth first; symbolic
//! links are followed (a link to a folder outside the workspace brings that
//! folder's files), broken links are skipped, cycles are cut; hidden names
//! are skipped unless asked for; folders are never entries.

use super::paths::absolute;
use super::pattern::{could_any_match_below, match_all, names, search_paths, PathPattern, MATCH_FILE};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A file to upload and its path inside the archive (`/`-separated).
#[derive(Debug, PartialEq)]
pub(super) struct Found {
    pub source: PathBuf,
    pub entry: String,
}

#[derive(Debug, Default, PartialEq)]
pub(super) struct Search {
    pub files: Vec<Found>,
    pub root: PathBuf,
    pub warnings: Vec<String>,
}

/// Finds the files of an upload's `path` input.
pub(super) fn find_files(path: &str, workspace: &Path, include_hidden: bool) -> Result<Search, String> {
    let workspace = absolute(workspace)?;
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut patterns = Vec::new();
    for line in path.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let pattern = PathPattern::parse(line, &workspace, home.as_deref())?;
        let below = pattern.descendants();
        patterns.push(pattern);
        patterns.extend(below);
    }
    let searched = search_paths(&patterns);
    let mut walk = Walk {
        workspace: &workspace,
        patterns: &patterns,
        include_hidden,
        chain: Vec::new(),
        found: Vec::new(),
        warnings: Vec::new(),
    };
    for search_path in &searched {
        walk.run(search_path)?;
    }
    let root = root(&searched, &walk.found);
    let mut files = Vec::with_capacity(walk.found.len());
    for source in walk.found {
        files.push(Found {
            entry: entry_name(&source, &root)?,
            source,
        });
    }
    let mut warnings = walk.warnings;
    warnings.extend(case_collisions(&files));
    Ok(Search { files, root, warnings })
}

/// The folder the archive's paths start from: the least common ancestor of
/// several search paths; for one search path that names the single file
/// found, its parent; else the search path itself.
fn root(searched: &[PathBuf], found: &[PathBuf]) -> PathBuf {
    match (searched, found) {
        ([], _) => PathBuf::from("/"),
        ([only], [file]) if only == file => file.parent().map(Path::to_path_buf).unwrap_or_default(),
        ([only], _) => only.clone(),
        ([first, rest @ ..], _) => {
            let mut common: Vec<String> = names(first);
            for path in rest {
                let other = names(path);
                let same = common.iter().zip(&other).take_while(|(a, b)| a == b).count();
                common.truncate(same);
            }
            let mut root = PathBuf::from("/");
            root.extend(common);
            root
        }
    }
}

fn entry_name(source: &Path, root: &Path) -> Result<String, String> {
    let relative = source.strip_prefix(root).map_err(|_| {
        format!(
            "the root folder `{}` is not a parent of the file `{}`",
            root.display(),
            source.display()
        )
    })?;
    let parts: Option<Vec<&str>> = relative.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|p| p.join("/")).ok_or_else(|| {
        format!(
            "the file `{}` cannot be uploaded: its path is not valid UTF-8",
            source.display()
        )
    })
}

/// GitHub keeps one of two files whose paths differ only by case, and says so.
fn case_collisions(files: &[Found]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    files
        .iter()
        .filter(|f| !seen.insert(f.entry.to_lowercase()))
        .map(|f| {
            format!(
                "uploads are case insensitive: `{}` has the same path as another file but for case, \
                 and one will overwrite the other when downloaded on a case-insensitive file system",
                f.entry
            )
        })
        .collect()
}

struct Walk<'a> {
    workspace: &'a Path,
    patterns: &'a [PathPattern],
    include_hidden: bool,
    /// The real paths of the folders being walked, by depth: a link back
    /// to one of them is a cycle.
    chain: Vec<PathBuf>,
    found: Vec<PathBuf>,
    warnings: Vec<String>,
}

impl Walk<'_> {
    fn run(&mut self, search_path: &Path) -> Result<(), String> {
        if fs::symlink_metadata(search_path).is_err() {
            return Ok(());
        }
        self.chain.clear();
        let mut stack = vec![(search_path.to_path_buf(), 1usize)];
        while let Some((path, level)) = stack.pop() {
            let names = names(&path);
            let kind = match_all(self.patterns, &names);
            let partial = kind != 0 || could_any_match_below(self.patterns, &names);
            if !partial {
                continue;
            }
            let metadata = match fs::metadata(&path) {
                Ok(metadata) => metadata,
                // A broken link, or a file removed meanwhile.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
            };
            if metadata.is_dir() && self.is_cycle(&path, level)? {
                continue;
            }
            // The workspace's own name (a temporary `.tmpXYZ`) never hides
            // it; GitHub's workspaces are never hidden.
            let hidden = path.file_name().is_some_and(|n| n.as_encoded_bytes().starts_with(b"."))
                && !self.workspace.starts_with(&path);
            if hidden && !self.include_hidden {
                continue;
            }
            if metadata.is_dir() {
                let mut children: Vec<PathBuf> = fs::read_dir(&path)
                    .and_then(|entries| entries.map(|e| e.map(|e| e.path())).collect())
                    .map_err(|e| format!("cannot list the folder `{}`: {e}", path.display()))?;
                children.sort();
                stack.extend(children.into_iter().rev().map(|child| (child, level + 1)));
            } else if kind & MATCH_FILE != 0 {
                if metadata.is_file() {
                    self.found.push(path);
                } else {
                    // A FIFO would block the upload; GitHub would hang on it.
                    self.warnings
                        .push(format!("skipped `{}`: it is not a regular file", path.display()));
                }
            }
        }
        Ok(())
    }

    /// Whether the folder `path` at depth `level` is one of the folders
    /// it is inside (a link cycle); records it in the chain otherwise.
    fn is_cycle(&mut self, path: &Path, level: usize) -> Result<bool, String> {
        let real = fs::canonicalize(path).map_err(|e| format!("cannot resolve `{}`: {e}", path.display()))?;
        self.chain.truncate(level.saturating_sub(1));
        if self.chain.contains(&real) {
            return Ok(true);
        }
        self.chain.push(real);
        Ok(false)
    }
}
