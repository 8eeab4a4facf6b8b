//! The repositories the daemon watches. A `path:` repository is used where
//! it is; a `url:` repository is mirrored into the store
//! (`<store>/mirrors/<name>.git`, bare) and fetched before its events are
//! judged, so both are read the same way afterwards: with git2, from
//! [`RepoHandle::git_dir`].

#[cfg(test)]
mod tests;

use super::config::{RepoConfig, RepoSource, Secret};
use crate::mirror::{ensure_mirror, fetch_mirror, without_credentials, MirrorError};
use git2::Repository;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// One configured repository, ready to be read and fetched.
#[derive(Debug)]
pub struct RepoHandle {
    name: String,
    git_dir: PathBuf,
    /// Set for `url:` repositories: where the mirror fetches from.
    remote: Option<Remote>,
    default_branch: Option<String>,
    /// The longest a fetch may take before it is stopped.
    fetch_timeout: Duration,
}

/// How long a fetch may take: a large first mirror over a slow link fits,
/// a remote that accepts and never answers does not hold its repository's
/// intake for ever.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug)]
struct Remote {
    url: String,
    token: Option<Secret>,
}

#[derive(Debug, Error)]
pub enum RepoError {
    #[error("failed to open repository `{name}` at {}", .path.display())]
    Open {
        name: String,
        path: PathBuf,
        #[source]
        source: git2::Error,
    },
    #[error("failed to create the mirror of repository `{name}` at {}", .path.display())]
    Mirror {
        name: String,
        path: PathBuf,
        #[source]
        source: MirrorError,
    },
    /// `url` is shown without any user or password it holds.
    #[error("failed to fetch repository `{name}` from {url}: {reason}")]
    Fetch { name: String, url: String, reason: String },
}

impl RepoHandle {
    /// The repository of `config`; for a `url:` one, its mirror under
    /// `store_dir`, created (empty, with the remote `origin`) when missing.
    /// Nothing is fetched here.
    pub fn open(config: &RepoConfig, store_dir: &Path) -> Result<RepoHandle, RepoError> {
        let (git_dir, remote) = match &config.source {
            RepoSource::Path(path) => (path.clone(), None),
            RepoSource::Url { url, token } => {
                let mirror = store_dir.join("mirrors").join(format!("{}.git", config.name));
                ensure_mirror(&mirror, url).map_err(|source| RepoError::Mirror {
                    name: config.name.clone(),
                    path: mirror.clone(),
                    source,
                })?;
                let remote = Remote {
                    url: url.clone(),
                    token: token.clone(),
                };
                (mirror, Some(remote))
            }
        };
        let handle = RepoHandle {
            name: config.name.clone(),
            git_dir,
            remote,
            default_branch: config.default_branch.clone(),
            fetch_timeout: FETCH_TIMEOUT,
        };
        handle.repository()?;
        Ok(handle)
    }

    /// The same repository, its fetches stopped after `timeout`.
    pub fn with_fetch_timeout(mut self, timeout: Duration) -> RepoHandle {
        self.fetch_timeout = timeout;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// What to open with git2: the configured path, or the mirror.
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    pub fn repository(&self) -> Result<Repository, RepoError> {
        Repository::open(&self.git_dir).map_err(|source| RepoError::Open {
            name: self.name.clone(),
            path: self.git_dir.clone(),
            source,
        })
    }

    /// Brings a mirror up to date with its URL: every branch and tag, with
    /// those deleted there deleted here. A `path:` repository is already
    /// up to date.
    pub fn fetch(&self) -> Result<(), RepoError> {
        let Some(remote) = &self.remote else {
            return Ok(());
        };
        fetch_mirror(&self.git_dir, &remote.url, remote.token.as_ref(), self.fetch_timeout).map_err(|reason| {
            RepoError::Fetch {
                name: self.name.clone(),
                url: without_credentials(&remote.url),
                reason,
            }
        })
    }

    /// `default_branch:` from the configuration, else what the repository
    /// says (a mirror's HEAD follows its remote's after a fetch), else None.
    pub fn default_branch(&self) -> Option<String> {
        if let Some(branch) = &self.default_branch {
            return Some(branch.clone());
        }
        let repo = self.repository().ok()?;
        crate::trigger::github_context::default_branch(&repo)
    }
}
