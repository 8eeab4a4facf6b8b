//! `actions/cache`, built in: a cache folder on this machine, keyed as GitHub
//! keys its cache, so datasets, pretrained weights and pip downloads survive
//! from run to run.
//!
//! The step's main part restores; its post-job part saves. As on GitHub:
//! - an entry is found by the exact `key`, else by the newest entry whose key
//!   starts with `key`, else by each of `restore-keys` in turn as a prefix,
//!   newest first; case does not matter;
//! - only a step naming the same `path` lines restores an entry (GitHub's
//!   cache "version");
//! - a key is never overwritten: saving under a key that exists does nothing;
//! - a restore puts files back where they were, over what is there, like tar;
//! - a `path` is the job's: in a Docker job `~/.cache/pip` is the container's
//!   `/root/.cache/pip`, copied through Docker's archive API, and a path in
//!   the workspace is reached below it, never through a link out of it.
//!
//! Entries are scoped as GitHub scopes them ([`CacheScope`]): a job restores
//! from its own branch's entries, then its base and default branch's.
//!
//! Not as on GitHub: entries are never evicted (delete the folder to clear
//! it), and `path` takes plain files and folders, not globs. Callers should show an error from `restore` or `save` as a
//! warning and go on, as actions/cache does.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use indexmap::IndexMap;

use super::cache_entry::{entries, entry_name, pick, version, Manifest, MANIFEST};
pub use super::cache_scope::CacheScope;
use super::job_files::{last_name, open_dir, JobFiles};
use super::job_paths::JobPath;
use crate::exec::dir_copy::{copy_tree, Spot};

/// GitHub's longest key.
const MAX_KEY_LEN: usize = 512;

/// The `with:` inputs of actions/cache that mlci honours. `enableCrossOsArchive`,
/// `fail-on-cache-miss`, `lookup-only` and `upload-chunk-size` are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheOptions {
    /// `key`: the entry to save, and the first to look for.
    pub key: String,
    /// `restore-keys`: prefixes to fall back on, in order.
    pub restore_keys: Vec<String>,
    /// `path`: one per line; relative to the workspace or absolute; `~` is
    /// the home folder.
    pub paths: Vec<String>,
}

impl CacheOptions {
    /// Reads the inputs, refusing what actions/cache refuses (a missing `key`
    /// or `path`, a key over 512 characters or with a comma) in its words,
    /// and glob patterns, which mlci does not expand.
    pub fn from_inputs(with: &IndexMap<String, String>) -> Result<Self, String> {
        let lines = |name: &str| -> Vec<String> {
            let text = with.get(name).map(String::as_str).unwrap_or("");
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        let key = with.get("key").map(|k| k.trim()).unwrap_or("");
        if key.is_empty() {
            return Err("Input required and not supplied: key".to_string());
        }
        let paths = lines("path");
        if paths.is_empty() {
            return Err("Input required and not supplied: path".to_string());
        }
        let restore_keys = lines("restore-keys");
        for key in std::iter::once(key).chain(restore_keys.iter().map(String::as_str)) {
            if key.chars().count() > MAX_KEY_LEN {
                return Err(format!(
                    "Key Validation Error: {key} cannot be larger than {MAX_KEY_LEN} characters."
                ));
            }
            if key.contains(',') {
                return Err(format!("Key Validation Error: {key} cannot contain commas."));
            }
        }
        if let Some(glob) = paths.iter().find(|p| p.starts_with('!') || p.contains(['*', '?', '['])) {
            return Err(format!(
                "cache path '{glob}' is a glob pattern; mlci's cache takes plain files and folders (name them one per line)"
            ));
        }
        Ok(CacheOptions {
            key: key.to_string(),
            restore_keys,
            paths,
        })
    }
}

/// What a restore found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Restored {
    /// The entry saved under `key` itself.
    Exact(String),
    /// An entry found by prefix, under this key; the post-job part will save
    /// a new entry under `key`.
    Partial(String),
    /// Nothing matched.
    Miss,
}

impl Restored {
    /// The step's `cache-hit` output: "true" for an exact match, "false" for
    /// a prefix match, "" for a miss, as actions/cache v4 sets it.
    pub fn cache_hit(&self) -> &'static str {
        match self {
            Restored::Exact(_) => "true",
            Restored::Partial(_) => "false",
            Restored::Miss => "",
        }
    }

    /// The key of the entry restored (actions/cache/restore's `cache-matched-key`).
    pub fn matched_key(&self) -> Option<&str> {
        match self {
            Restored::Exact(key) | Restored::Partial(key) => Some(key),
            Restored::Miss => None,
        }
    }
}

/// The step's main part: finds the entry GitHub would restore and copies its
/// files back into place, each `path` line resolved as the job sees it.
/// Looks in each of the scope's folders in turn; the first with a match wins.
pub async fn restore(scope: &CacheScope, files: &JobFiles<'_>, options: &CacheOptions) -> Result<Restored, String> {
    // Targets come from the step's own `path` lines, never from the
    // manifest; a bad one fails before anything is written.
    let targets = resolve_all(files, options)?;
    let (dirs, wanted) = (scope.restore.clone(), options.clone());
    let found = blocking(move || {
        let found: Vec<_> = dirs.iter().map(|dir| entries(dir, &wanted.paths)).collect();
        Ok(found
            .iter()
            .find_map(|found| pick(found, &wanted.key, &wanted.restore_keys))
            .cloned())
    })
    .await?;
    let Some(entry) = found else {
        return Ok(Restored::Miss);
    };
    for &index in &entry.manifest.stored {
        let Some(target) = targets.get(index) else { continue };
        let stored = entry.dir.clone();
        let name = PathBuf::from(index.to_string());
        match target {
            JobPath::Mounted {
                host_root, relative, ..
            } => {
                let (root, relative) = (host_root.clone(), relative.clone());
                blocking(move || copy(&stored, &name, &root, &relative)).await?;
            }
            JobPath::Own { seen } => {
                let staged = files.stage()?;
                let (into, last) = (staged.path.clone(), PathBuf::from(last_name(seen)?));
                blocking(move || copy(&stored, &name, &into, &last)).await?;
                files.put(&staged, seen.parent().unwrap_or(Path::new("/"))).await?;
            }
        }
    }
    if entry.manifest.key.to_lowercase() == options.key.to_lowercase() {
        Ok(Restored::Exact(entry.manifest.key.clone()))
    } else {
        Ok(Restored::Partial(entry.manifest.key.clone()))
    }
}

/// The post-job part: saves the paths under `key`, unless an entry with that
/// key (and these paths) exists. Ok(false) when it exists; an error when
/// none of the paths exist (GitHub's "Path Validation Error"), since there is
/// nothing to save.
pub async fn save(scope: &CacheScope, files: &JobFiles<'_>, options: &CacheOptions) -> Result<bool, String> {
    save_at(&scope.save, files, options, now_ns()).await
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

pub(crate) async fn save_at(
    cache_dir: &Path,
    files: &JobFiles<'_>,
    options: &CacheOptions,
    created_ns: u64,
) -> Result<bool, String> {
    let sources = resolve_all(files, options)?;
    let version = version(&options.paths);
    let name = entry_name(&version, &options.key);
    let entry_dir = cache_dir.join(&name);
    if entry_dir.exists() {
        return Ok(false);
    }
    let io_error = |what: &str, path: &Path, e: std::io::Error| format!("failed to {what} {}: {e}", path.display());
    std::fs::create_dir_all(cache_dir).map_err(|e| io_error("create", cache_dir, e))?;
    let partial = cache_dir.join(format!(".{name}.{}.{created_ns}", std::process::id()));
    let filled = fill(&partial, files, &sources, options, &version, created_ns).await;
    let result = filled.and_then(|()| match std::fs::rename(&partial, &entry_dir) {
        Ok(()) => Ok(true),
        // Another job saved the same key first; GitHub keeps the first too.
        Err(_) if entry_dir.exists() => Ok(false),
        Err(e) => Err(io_error("move the new entry to", &entry_dir, e)),
    });
    if partial.exists() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    result
}

/// Copies the paths that exist into `dir` and writes the manifest last.
async fn fill(
    dir: &Path,
    files: &JobFiles<'_>,
    sources: &[JobPath],
    options: &CacheOptions,
    version: &str,
    created_ns: u64,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("failed to create {}: {e}", dir.display()))?;
    let mut stored = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        let (into, name) = (dir.to_path_buf(), PathBuf::from(index.to_string()));
        let copied = match source {
            JobPath::Mounted {
                host_root, relative, ..
            } => {
                let (root, relative) = (host_root.clone(), relative.clone());
                blocking(move || {
                    let exists = open_dir(&root)?.symlink_metadata(here(&relative)).is_ok();
                    match exists {
                        true => copy(&root, &relative, &into, &name).map(|()| true),
                        false => Ok(false),
                    }
                })
                .await?
            }
            JobPath::Own { seen } => match files.fetch(seen).await? {
                Some(staged) => {
                    let (from, last) = (staged.path.clone(), PathBuf::from(last_name(seen)?));
                    blocking(move || copy(&from, &last, &into, &name)).await?;
                    true
                }
                None => false,
            },
        };
        if copied {
            stored.push(index);
        }
    }
    if stored.is_empty() {
        return Err(
            "Path Validation Error: Path(s) specified in the action for caching do(es) not exist, \
                    hence no cache is being saved."
                .to_string(),
        );
    }
    let manifest = Manifest {
        key: options.key.clone(),
        version: version.to_string(),
        paths: options.paths.clone(),
        stored,
        created_ns,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| format!("failed to write the manifest: {e}"))?;
    let file = dir.join(MANIFEST);
    std::fs::write(&file, text).map_err(|e| format!("failed to write {}: {e}", file.display()))
}

/// Where each `path` line points, as the job sees it: `~` is the job's
/// home folder, a relative path is in the workspace, and a `..` that climbs
/// out of the workspace is refused.
fn resolve_all(files: &JobFiles<'_>, options: &CacheOptions) -> Result<Vec<JobPath>, String> {
    options.paths.iter().map(|raw| files.resolve("path", raw)).collect()
}

/// Copies `from_path` below the folder `from_root` to `to_path` below
/// `to_root`, each side through its own capability.
fn copy(from_root: &Path, from_path: &Path, to_root: &Path, to_path: &Path) -> Result<(), String> {
    let (from, to) = (open_dir(from_root)?, open_dir(to_root)?);
    copy_tree(Spot::new(&from, from_path), Spot::new(&to, to_path)).map_err(|e| e.to_string())
}

/// `.` for a root itself: cap-std takes no empty path.
fn here(path: &Path) -> &Path {
    match path.as_os_str().is_empty() {
        true => Path::new("."),
        false => path,
    }
}

/// Runs file work off the async threads (a cache can be gigabytes).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("the cache copy stopped unexpectedly: {e}"))?
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
