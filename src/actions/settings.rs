//! How a run gets its published actions: the source and cache behind the
//! [`Resolver`], which built-ins to run as the published action instead,
//! and the node of the host backend.

use super::action_source::ActionSource;
use super::resolve::Resolver;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone)]
pub struct ActionSettings {
    pub resolver: Arc<Resolver>,
    /// `--published-action NAME`: built-in names (`actions/setup-python`)
    /// run as the published action instead of mlci's own.
    pub published: Vec<String>,
    /// `--node PATH`: the node the host backend runs JavaScript actions
    /// with; else `node` on PATH.
    pub host_node: Option<PathBuf>,
}

impl ActionSettings {
    pub fn new(source: ActionSource, cache: PathBuf) -> ActionSettings {
        ActionSettings {
            resolver: Arc::new(Resolver::new(source, cache)),
            published: Vec::new(),
            host_node: None,
        }
    }

    /// The same settings with a resolver of their own: each run resolves
    /// a moved tag anew, and once.
    pub fn fresh(&self) -> ActionSettings {
        ActionSettings {
            resolver: Arc::new(Resolver::new(
                self.resolver.source().clone(),
                self.resolver.cache().to_path_buf(),
            )),
            ..self.clone()
        }
    }

    /// Whether `name` (`OWNER/REPO[/PATH]`) is to run as published even
    /// though mlci has it built in.
    pub fn runs_published(&self, name: &str) -> bool {
        self.published.iter().any(|p| p.eq_ignore_ascii_case(name))
    }
}

/// The action cache of `mlci run`: `$XDG_CACHE_HOME/mlci/actions`, else
/// `~/.cache/mlci/actions`, else the store's.
pub fn default_cache_dir(store: &Path) -> PathBuf {
    let env = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("XDG_CACHE_HOME")
        .or_else(|| env("HOME").map(|home| home.join(".cache")))
        .map(|cache| cache.join("mlci").join("actions"))
        .unwrap_or_else(|| store.join("actions"))
}
