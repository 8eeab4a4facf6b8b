//! The flags that say where published actions come from, shared by
//! `mlci run`, `mlci rerun`, `mlci actions pull` and `mlci validate --actions`.

use crate::actions::action_source::{ActionSource, DEFAULT_ACTIONS_URL};
use crate::actions::settings::{default_cache_dir, ActionSettings};
use crate::mirror::Secret;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Clone, Debug, Default)]
pub struct ActionArgs {
    /// Where published actions are fetched from: a forge or mirror base URL
    /// (`OWNER/REPO` is appended; default https://github.com).
    #[arg(long, value_name = "URL")]
    pub actions_url: Option<String>,
    /// A folder of action mirrors, `DIR/OWNER/REPO.git`, instead of a URL.
    #[arg(long, value_name = "DIR", conflicts_with = "actions_url")]
    pub actions_dir: Option<PathBuf>,
    /// Use only actions already in the action cache; fetch nothing.
    #[arg(long)]
    pub offline: bool,
    /// The action cache (default: ~/.cache/mlci/actions).
    #[arg(long, value_name = "DIR")]
    pub actions_cache: Option<PathBuf>,
    /// Run this published action instead of mlci's built-in one of that
    /// name, e.g. `actions/setup-python` (repeatable).
    #[arg(long = "published-action", value_name = "OWNER/REPO")]
    pub published: Vec<String>,
    /// The node the host backend runs JavaScript actions with (default: `node` on PATH).
    #[arg(long, value_name = "PATH")]
    pub node: Option<PathBuf>,
    /// A file holding the token for `github.token` and `secrets.GITHUB_TOKEN`
    /// (also used to fetch actions over HTTPS).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

impl ActionArgs {
    /// The run's action settings; `secrets` gains GITHUB_TOKEN from
    /// `--token-file`, and the token (from either) fetches actions.
    pub fn settings(&self, store: &Path, secrets: &mut Vec<(String, String)>) -> Result<ActionSettings, String> {
        if let Some(file) = &self.token_file {
            let token = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read the token file {}: {e}", file.display()))?;
            secrets.retain(|(name, _)| name != "GITHUB_TOKEN");
            secrets.push(("GITHUB_TOKEN".into(), token.trim().to_string()));
        }
        let token = secrets
            .iter()
            .find(|(name, value)| name == "GITHUB_TOKEN" && !value.is_empty())
            .map(|(_, value)| Secret::new(value.clone()));
        let base = match (&self.actions_dir, &self.actions_url) {
            (Some(dir), _) => std::path::absolute(dir)
                .unwrap_or_else(|_| dir.clone())
                .display()
                .to_string(),
            (None, Some(url)) => url.clone(),
            (None, None) => DEFAULT_ACTIONS_URL.to_string(),
        };
        let source = ActionSource {
            base,
            token,
            offline: self.offline,
        };
        let cache = self.actions_cache.clone().unwrap_or_else(|| default_cache_dir(store));
        let mut settings = ActionSettings::new(source, cache);
        settings.published = self.published.clone();
        settings.host_node = self.node.clone();
        Ok(settings)
    }
}
