//! TEMPORARY (replaced by helper A's version at merge): local paths only.

use super::config::{RepoConfig, RepoSource};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("failed to open the repository {name}: {message}")]
pub struct RepoError {
    name: String,
    message: String,
}

pub struct RepoHandle {
    name: String,
    dir: PathBuf,
    default_branch: Option<String>,
}

impl RepoHandle {
    pub fn open(config: &RepoConfig, _store_dir: &Path) -> Result<RepoHandle, RepoError> {
        let RepoSource::Path(dir) = &config.source else {
            return Err(RepoError {
                name: config.name.clone(),
                message: "url".into(),
            });
        };
        Ok(RepoHandle {
            name: config.name.clone(),
            dir: dir.clone(),
            default_branch: config.default_branch.clone(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn git_dir(&self) -> &Path {
        &self.dir
    }

    pub fn repository(&self) -> Result<git2::Repository, RepoError> {
        git2::Repository::open(&self.dir).map_err(|e| RepoError {
            name: self.name.clone(),
            message: e.to_string(),
        })
    }

    pub fn fetch(&self) -> Result<(), RepoError> {
        Ok(())
    }

    pub fn default_branch(&self) -> Option<String> {
        self.default_branch.clone().or_else(|| {
            let repo = self.repository().ok()?;
            crate::trigger::github_context::default_branch(&repo)
        })
    }
}
