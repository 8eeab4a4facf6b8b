//! Published actions (`OWNER/REPO[/PATH]@REF`), resolved to a commit and
//! kept in the action cache, one folder per commit:
//!
//! ```text
//! <cache>/repos/OWNER/REPO.git      bare mirror of the action's repository
//! <cache>/commits/OWNER/REPO/<sha>  the files of one commit, never changed
//! ```
//!
//! A commit's folder is written under a temporary name and renamed into
//! place, so concurrent jobs and runs share it and never see half of it.
//! A tag or branch is looked up with `git ls-remote` (no download); when
//! its commit is not cached, that one ref is fetched, its last commit only,
//! as GitHub's runner downloads one commit's files. A short SHA needs the
//! history (every branch and tag). `--offline` uses only what is cached.

use super::action_source::ActionSource;
use crate::mirror::{fetch_refs, list_remote};
use crate::model::ActionRef;
use git2::build::CheckoutBuilder;
use git2::{ObjectType, Oid, Repository};
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use thiserror::Error;

/// How long one `git ls-remote` or fetch of an action may take.
const GIT_TIMEOUT: Duration = Duration::from_secs(300);

/// An action at a commit, its files in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub action: ActionRef,
    /// The full commit SHA the ref named when it was resolved.
    pub sha: String,
    /// The commit's files (the repository's root).
    pub root: PathBuf,
    /// Where it came from, without credentials.
    pub source: String,
    /// Whether this resolution downloaded the repository.
    pub fetched: bool,
}

impl Resolved {
    /// The action's own folder: the root, or PATH inside it.
    pub fn dir(&self) -> PathBuf {
        match &self.action.path {
            Some(path) => self.root.join(path),
            None => self.root.clone(),
        }
    }
}

#[derive(Debug, Error)]
#[error("unable to resolve action `{action}` from {source_url}: {reason}")]
pub struct ResolveError {
    pub action: String,
    pub source_url: String,
    pub reason: String,
}

/// Resolves actions for one run (or one daemon): each `action@ref` once.
pub struct Resolver {
    source: ActionSource,
    cache: PathBuf,
    resolved: Mutex<HashMap<String, Resolved>>,
}

impl Resolver {
    pub fn new(source: ActionSource, cache: PathBuf) -> Resolver {
        Resolver {
            source,
            cache,
            resolved: Mutex::new(HashMap::new()),
        }
    }

    pub fn source(&self) -> &ActionSource {
        &self.source
    }

    pub fn cache(&self) -> &Path {
        &self.cache
    }

    /// The action at its commit, its files in the cache. Blocks on git: call
    /// it off the async threads.
    pub fn resolve(&self, action: &ActionRef) -> Result<Resolved, ResolveError> {
        let key = action.to_string();
        if let Some(done) = self.resolved.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(Resolved { fetched: false, ..done });
        }
        let url = self.source.repository_url(&action.owner, &action.repo);
        let shown = self.source.shown(&url);
        let fail = |reason: String| ResolveError {
            action: key.clone(),
            source_url: shown.clone(),
            reason,
        };
        let (sha, fetched) = self.commit(action, &url).map_err(fail)?;
        let resolved = Resolved {
            action: action.clone(),
            root: self.commit_dir(action, &sha),
            sha,
            source: shown.clone(),
            fetched,
        };
        if let Ok(mut map) = self.resolved.lock() {
            map.insert(key, resolved.clone());
        }
        Ok(resolved)
    }

    /// The commit `action.git_ref` names, its folder filled; and whether
    /// the repository was fetched for it.
    fn commit(&self, action: &ActionRef, url: &str) -> Result<(String, bool), String> {
        let wanted = &action.git_ref;
        if is_full_sha(wanted) && self.commit_dir(action, wanted).is_dir() {
            return Ok((wanted.to_ascii_lowercase(), false));
        }
        let mirror = self.mirror_dir(action);
        let _lock = lock(&mirror)?;
        if self.source.offline {
            let repo = Repository::open_bare(&mirror).map_err(|_| {
                format!(
                    "mlci runs offline and the action is not in the action cache ({}); \
                     run `mlci actions pull` where the source can be reached",
                    self.cache.display()
                )
            })?;
            let sha = peel(&repo, wanted).ok_or_else(|| {
                format!("mlci runs offline and the cached mirror has no tag, branch or commit `{wanted}`")
            })?;
            self.fill(action, &repo, &sha)?;
            return Ok((sha, false));
        }
        // A tag or a branch: ask the remote, and download nothing when that
        // commit is already cached.
        let listed = if is_full_sha(wanted) {
            None
        } else {
            let refs = list_remote(url, self.source.token.as_ref(), GIT_TIMEOUT)?;
            find_ref(&refs, wanted)
        };
        if let Some((sha, _)) = &listed {
            if self.commit_dir(action, sha).is_dir() {
                return Ok((sha.clone(), false));
            }
        }
        let token = self.source.token.as_ref();
        let sha = match listed {
            Some((sha, name)) => {
                fetch_refs(&mirror, url, &[format!("+{name}:{name}")], true, token, GIT_TIMEOUT)?;
                sha
            }
            None if is_full_sha(wanted) => {
                // Forges serve a commit by its SHA; a plain git server may
                // not, and then the whole history is the way to it.
                let one = fetch_refs(&mirror, url, std::slice::from_ref(wanted), true, token, GIT_TIMEOUT);
                if one.is_err() {
                    fetch_refs(&mirror, url, &all_refs(), false, token, GIT_TIMEOUT)?;
                }
                wanted.to_ascii_lowercase()
            }
            None if looks_like_sha(wanted) => {
                fetch_refs(&mirror, url, &all_refs(), false, token, GIT_TIMEOUT)?;
                let repo = Repository::open_bare(&mirror).map_err(|e| e.message().to_string())?;
                peel(&repo, wanted).ok_or_else(|| format!("no tag, branch or commit `{wanted}` in the repository"))?
            }
            None => return Err(format!("no tag, branch or commit `{wanted}` in the repository")),
        };
        let repo = Repository::open_bare(&mirror).map_err(|e| e.message().to_string())?;
        self.fill(action, &repo, &sha)?;
        Ok((sha, true))
    }

    /// Writes the commit's files into its folder, unless they are there.
    fn fill(&self, action: &ActionRef, repo: &Repository, sha: &str) -> Result<(), String> {
        let dir = self.commit_dir(action, sha);
        if dir.is_dir() {
            return Ok(());
        }
        let oid = Oid::from_str(sha).map_err(|e| e.message().to_string())?;
        let commit = repo
            .find_commit(oid)
            .map_err(|_| format!("commit {sha} is not in the repository"))?;
        let parent = dir.parent().ok_or("the action cache has no parent folder")?;
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        remove_partial(parent);
        let temporary = parent.join(format!("{PARTIAL}{sha}-{}", std::process::id()));
        let mut checkout = CheckoutBuilder::new();
        checkout.target_dir(&temporary).force().update_index(false);
        repo.checkout_tree(commit.as_object(), Some(&mut checkout))
            .map_err(|e| format!("cannot write the files of {sha}: {}", e.message()))?;
        std::fs::rename(&temporary, &dir).map_err(|e| format!("cannot move {} into place: {e}", dir.display()))
    }

    fn mirror_dir(&self, action: &ActionRef) -> PathBuf {
        self.cache
            .join("repos")
            .join(&action.owner)
            .join(format!("{}.git", action.repo))
    }

    fn commit_dir(&self, action: &ActionRef, sha: &str) -> PathBuf {
        self.cache
            .join("commits")
            .join(&action.owner)
            .join(&action.repo)
            .join(sha.to_ascii_lowercase())
    }
}

/// The name prefix of a commit's folder while its files are written.
const PARTIAL: &str = ".partial-";

/// Removes the half-written commit folders of resolutions that were killed.
/// Called under the repository's lock, so no live resolution is writing one.
fn remove_partial(commits: &Path) {
    let Ok(entries) = std::fs::read_dir(commits) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(PARTIAL) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The commit a tag (peeled), then a branch, names in `git ls-remote`'s
/// list, and the ref to fetch for it.
fn find_ref(refs: &[(String, String)], wanted: &str) -> Option<(String, String)> {
    let id = |name: &str| refs.iter().find(|(_, n)| n == name).map(|(id, _)| id.clone());
    let tag = format!("refs/tags/{wanted}");
    if let Some(commit) = id(&format!("{tag}^{{}}")).or_else(|| id(&tag)) {
        return Some((commit, tag));
    }
    let branch = format!("refs/heads/{wanted}");
    id(&branch).map(|commit| (commit, branch))
}

/// Every branch and tag, for a short SHA.
fn all_refs() -> Vec<String> {
    vec!["+refs/heads/*:refs/heads/*".into(), "+refs/tags/*:refs/tags/*".into()]
}

/// The commit a tag, a branch or a (short) SHA names in a mirror.
fn peel(repo: &Repository, wanted: &str) -> Option<String> {
    let names = [format!("refs/tags/{wanted}"), format!("refs/heads/{wanted}")];
    let object = names
        .iter()
        .find_map(|name| repo.revparse_single(name).ok())
        .or_else(|| {
            looks_like_sha(wanted)
                .then(|| repo.revparse_single(wanted).ok())
                .flatten()
        })?;
    let commit = object.peel(ObjectType::Commit).ok()?;
    Some(commit.id().to_string())
}

fn is_full_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A short or full commit SHA, as GitHub takes them (7 to 40 hex digits).
fn looks_like_sha(text: &str) -> bool {
    (7..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// An exclusive lock on one action repository's mirror and commits, held
/// while they are fetched and written: two runs fetching the same action
/// would otherwise race on git's ref locks.
fn lock(mirror: &Path) -> Result<File, String> {
    let path = mirror.with_extension("lock");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let file = File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    // SAFETY: flock on a descriptor this function owns; released when the
    // file is closed.
    let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    if locked != 0 {
        return Err(format!(
            "cannot lock {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
    }
    Ok(file)
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
