//! Bare mirrors of git repositories, fetched from a URL: the daemon's
//! watched repositories and the published actions both live in one. git2 is
//! built without HTTPS, so `http(s)://` goes through the `git` command (see
//! [`fetch`]); `file://` and plain paths through git2.

pub(crate) mod fetch;

use git2::Repository;
use std::fmt;
use std::path::Path;
use std::time::Duration;
use thiserror::Error;

pub use fetch::without_credentials;

/// A token or secret read from a file. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself: only for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a mirror could not be made.
#[derive(Debug, Error)]
pub enum MirrorError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Git(#[from] git2::Error),
}

/// A bare repository at `path` whose `origin` is `url` (updated when the
/// caller now names another URL).
pub fn ensure_mirror(path: &Path, url: &str) -> Result<(), MirrorError> {
    let repo = if path.exists() {
        Repository::open_bare(path)?
    } else {
        std::fs::create_dir_all(path)?;
        Repository::init_bare(path)?
    };
    match repo.find_remote("origin") {
        Ok(remote) if remote.url() == Some(url) => {}
        Ok(_) => repo.remote_set_url("origin", url)?,
        Err(_) => {
            repo.remote_with_fetch("origin", url, fetch::REFSPECS[0])?;
            for refspec in &fetch::REFSPECS[1..] {
                repo.remote_add_fetch("origin", refspec)?;
            }
        }
    }
    Ok(())
}

/// Brings the mirror at `git_dir` up to date with its `origin`, `url`:
/// every branch and tag, with those deleted there deleted here. The error
/// is git's reason, with the token blanked out.
pub fn fetch_mirror(git_dir: &Path, url: &str, token: Option<&Secret>, timeout: Duration) -> Result<(), String> {
    if fetch::is_http(url) {
        fetch::with_git_cli(git_dir, token, timeout)
    } else {
        let repo = Repository::open_bare(git_dir).map_err(|e| e.message().to_string())?;
        fetch::with_git2(&repo)
    }
}

/// Fetches `refspecs` from `url` into the bare repository `git_dir` (made
/// when missing); only their last commit when `shallow`.
pub fn fetch_refs(
    git_dir: &Path,
    url: &str,
    refspecs: &[String],
    shallow: bool,
    token: Option<&Secret>,
    timeout: Duration,
) -> Result<(), String> {
    if !git_dir.exists() {
        std::fs::create_dir_all(git_dir).map_err(|e| format!("cannot create {}: {e}", git_dir.display()))?;
        Repository::init_bare(git_dir).map_err(|e| e.message().to_string())?;
    }
    fetch::fetch_refs(git_dir, url, refspecs, shallow, token, timeout)
}

/// The remote's refs, as `git ls-remote` lists them: (object id, ref name),
/// annotated tags followed by their `^{}` peeled line.
pub fn list_remote(url: &str, token: Option<&Secret>, timeout: Duration) -> Result<Vec<(String, String)>, String> {
    let listing = fetch::ls_remote(url, token, timeout)?;
    Ok(listing
        .lines()
        .filter_map(|line| {
            let (id, name) = line.split_once('\t')?;
            Some((id.trim().to_string(), name.trim().to_string()))
        })
        .collect())
}
