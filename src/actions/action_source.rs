//! Where published actions come from: `https://github.com` by default, over
//! git with an optional token as GitHub's runner does; another forge or an
//! internal mirror with `--actions-url`; local mirrors `DIR/OWNER/REPO.git`
//! with `--actions-dir`.

use crate::mirror::{without_credentials, Secret};
use std::path::PathBuf;

pub const DEFAULT_ACTIONS_URL: &str = "https://github.com";

#[derive(Clone, Debug)]
pub struct ActionSource {
    /// The base URL (`https://github.com`, `file:///srv/git`) or a folder.
    pub base: String,
    /// Sent as the HTTPS password; never shown.
    pub token: Option<Secret>,
    /// Use only the action cache.
    pub offline: bool,
}

impl Default for ActionSource {
    fn default() -> ActionSource {
        ActionSource {
            base: DEFAULT_ACTIONS_URL.into(),
            token: None,
            offline: false,
        }
    }
}

impl ActionSource {
    /// Reads `DIR/OWNER/REPO.git` mirrors.
    pub fn dir(dir: PathBuf) -> ActionSource {
        ActionSource {
            base: dir.display().to_string(),
            ..ActionSource::default()
        }
    }

    /// The URL of an action's repository: `BASE/OWNER/REPO` over HTTP(S),
    /// as forges serve it; `BASE/OWNER/REPO.git` for a folder of mirrors
    /// when that exists.
    pub fn repository_url(&self, owner: &str, repo: &str) -> String {
        let base = self.base.trim_end_matches('/');
        let lower = base.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return format!("{base}/{owner}/{repo}");
        }
        let folder = base.strip_prefix("file://").unwrap_or(base);
        let bare = PathBuf::from(folder).join(owner).join(format!("{repo}.git"));
        if bare.exists() {
            return bare.display().to_string();
        }
        PathBuf::from(folder).join(owner).join(repo).display().to_string()
    }

    /// A URL for messages: without credentials.
    pub fn shown(&self, url: &str) -> String {
        without_credentials(url)
    }
}
