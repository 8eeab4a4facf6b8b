//! Which files an upload takes and where each goes in the archive, as
//! upload-artifact v4 finds them (`src/shared/search.ts` over
//! `@actions/glob`): every search path is walked depth first; symbolic
//! links are followed (a link to a folder outside the workspace brings that
//! folder's files), broken links are skipped, cycles are cut; hidden names
//! are skipped unless asked for; folders are never entries.
//!
//! Paths are the job's (`/github/workspace/…` in a container); each is read
//! below one of the [`Root`]s it is in, through cap-std, so a link is
//! followed only while it stays inside that folder. A link that leads out
//! is skipped with a warning that names it (docs/decisions.md).

use super::paths::absolute;
use super::pattern::{could_any_match_below, match_all, names, search_paths, PathPattern, MATCH_FILE};
use cap_std::fs::Dir;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A folder an upload may read: the job sees it at `seen`; `dir` is the
/// capability on the host (a mounted folder, or mlci's copy of one of the
/// container's own).
#[derive(Clone, Debug)]
pub struct Root {
    pub seen: PathBuf,
    pub dir: Arc<Dir>,
}

/// A file to upload and its path inside the archive (`/`-separated).
#[derive(Debug)]
pub(super) struct Found {
    /// The path as the job sees it.
    pub source: PathBuf,
    pub entry: String,
    /// Where to read it: `relative` below `dir`.
    pub dir: Arc<Dir>,
    pub relative: PathBuf,
}

/// The search paths of an upload's `path` input: the folders (or files)
/// the walk starts from, as the job sees them.
pub fn search_roots(path: &str, workspace: &Path, home: Option<&Path>) -> Result<Vec<PathBuf>, String> {
    Ok(search_paths(&patterns(path, workspace, home)?))
}

fn patterns(path: &str, workspace: &Path, home: Option<&Path>) -> Result<Vec<PathPattern>, String> {
    let mut patterns = Vec::new();
    for line in path.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let pattern = PathPattern::parse(line, workspace, home)?;
        let below = pattern.descendants();
        patterns.push(pattern);
        patterns.extend(below);
    }
    Ok(patterns)
}

#[derive(Debug, Default)]
pub(super) struct Search {
    pub files: Vec<Found>,
    pub warnings: Vec<String>,
}

/// Finds the files of an upload's `path` input; `workspace` and `home` are
/// the job's, and every file is read below one of `roots`.
pub(super) fn find_files(
    path: &str,
    workspace: &Path,
    home: Option<&Path>,
    roots: &[Root],
    include_hidden: bool,
) -> Result<Search, String> {
    let workspace = absolute(workspace)?;
    let patterns = patterns(path, &workspace, home)?;
    let searched = search_paths(&patterns);
    let mut walk = Walk {
        workspace: &workspace,
        roots,
        patterns: &patterns,
        include_hidden,
        chain: Vec::new(),
        found: Vec::new(),
        warnings: Vec::new(),
    };
    for search_path in &searched {
        walk.run(search_path)?;
    }
    let found_paths: Vec<PathBuf> = walk.found.iter().map(|(path, _, _)| path.clone()).collect();
    let root = root(&searched, &found_paths);
    let mut files = Vec::with_capacity(walk.found.len());
    for (source, dir, relative) in walk.found {
        files.push(Found {
            entry: entry_name(&source, &root)?,
            source,
            dir,
            relative,
        });
    }
    let mut warnings = walk.warnings;
    warnings.extend(case_collisions(&files));
    Ok(Search { files, warnings })
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
    roots: &'a [Root],
    patterns: &'a [PathPattern],
    include_hidden: bool,
    /// The folders being walked (device and inode), by depth: a link back
    /// to one of them is a cycle.
    chain: Vec<(u64, u64)>,
    found: Vec<(PathBuf, Arc<Dir>, PathBuf)>,
    warnings: Vec<String>,
}

/// `.` for a root itself: cap-std takes no empty path.
fn here(path: PathBuf) -> PathBuf {
    match path.as_os_str().is_empty() {
        true => PathBuf::from("."),
        false => path,
    }
}

impl Walk<'_> {
    /// The root `path` is in (the innermost) and the path below it.
    fn locate(&self, path: &Path) -> Option<(Arc<Dir>, PathBuf)> {
        let root = self
            .roots
            .iter()
            .filter(|r| path.starts_with(&r.seen))
            .max_by_key(|r| r.seen.components().count())?;
        let relative = path.strip_prefix(&root.seen).ok()?.to_path_buf();
        Some((root.dir.clone(), here(relative)))
    }

    fn run(&mut self, search_path: &Path) -> Result<(), String> {
        let Some((dir, relative)) = self.locate(search_path) else {
            return Ok(());
        };
        if dir.symlink_metadata(&relative).is_err() {
            return Ok(());
        }
        self.chain.clear();
        let mut stack = vec![(search_path.to_path_buf(), 1usize, Some((dir, relative)))];
        while let Some((path, level, place)) = stack.pop() {
            let names = names(&path);
            let kind = match_all(self.patterns, &names);
            let partial = kind != 0 || could_any_match_below(self.patterns, &names);
            if !partial {
                continue;
            }
            let Some((dir, relative)) = place.or_else(|| self.locate(&path)) else {
                continue;
            };
            let (dir, relative, metadata) = match dir.metadata(&relative) {
                Ok(metadata) => (dir, relative, metadata),
                // A broken link, or a file removed meanwhile.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(_) if dir.symlink_metadata(&relative).is_ok_and(|m| m.is_symlink()) => {
                    match self.absolute_link(&dir, &relative) {
                        Some(found) => found,
                        None => {
                            self.warnings.push(format!(
                                "skipped `{}`: it is a symbolic link that leads out of {}, and mlci never follows those",
                                path.display(),
                                self.root_name(&path)
                            ));
                            continue;
                        }
                    }
                }
                Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
            };
            if metadata.is_dir() && self.is_cycle(&metadata, level) {
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
                let mut children: Vec<std::ffi::OsString> = dir
                    .read_dir(&relative)
                    .and_then(|entries| entries.map(|e| e.map(|e| e.file_name())).collect())
                    .map_err(|e| format!("cannot list the folder `{}`: {e}", path.display()))?;
                children.sort();
                stack.extend(children.into_iter().rev().map(|name| {
                    let place = Some((dir.clone(), relative.join(&name)));
                    (path.join(&name), level + 1, place)
                }));
            } else if kind & MATCH_FILE != 0 {
                if metadata.is_file() {
                    self.found.push((path, dir, relative));
                } else {
                    // A FIFO would block the upload; GitHub would hang on it.
                    self.warnings
                        .push(format!("skipped `{}`: it is not a regular file", path.display()));
                }
            }
        }
        Ok(())
    }

    /// A link whose target is an absolute path the job sees inside one of
    /// the roots (`/github/workspace/data`): where it leads, below that root.
    fn absolute_link(&self, dir: &Dir, relative: &Path) -> Option<(Arc<Dir>, PathBuf, cap_std::fs::Metadata)> {
        let target = dir.read_link_contents(relative).ok()?;
        if !target.is_absolute() {
            return None;
        }
        let target = absolute(&target).ok()?;
        let (dir, relative) = self.locate(&target)?;
        let metadata = dir.metadata(&relative).ok()?;
        Some((dir, relative, metadata))
    }

    /// `the workspace (/github/workspace)`: the folder a link left.
    fn root_name(&self, path: &Path) -> String {
        match self.roots.iter().find(|r| path.starts_with(&r.seen)) {
            Some(root) if self.workspace.starts_with(&root.seen) => {
                format!("the workspace ({})", self.workspace.display())
            }
            Some(root) => format!("`{}`", root.seen.display()),
            None => "the job's folders".to_string(),
        }
    }

    /// Whether the folder `metadata` at depth `level` is one of the folders
    /// it is inside (a link cycle); records it in the chain otherwise.
    fn is_cycle(&mut self, metadata: &cap_std::fs::Metadata, level: usize) -> bool {
        use cap_std::fs::MetadataExt;
        let folder = (metadata.dev(), metadata.ino());
        self.chain.truncate(level.saturating_sub(1));
        if self.chain.contains(&folder) {
            return true;
        }
        self.chain.push(folder);
        false
    }
}
