//! The daemon's configuration, `runner.yml`: what the file says, resolved
//! (paths made absolute, token files read). Every key is documented in
//! docs/runner.md.
//!
//! [`load_config`] reads the file with the workflow YAML loader, so every
//! mistake is reported at once with its line and column, and resolves it
//! into a [`RunnerConfig`]: paths made absolute, token files read into
//! [`Secret`]s, `gpus: auto` asked of `nvidia-smi`.

mod duration;
mod errors;
mod forge;
mod gpus;
mod labels;
mod limits;
mod load;
mod repo_entry;
mod slurm;
mod values;

#[cfg(test)]
mod tests;

pub use duration::parse_duration;
pub use errors::ConfigErrors;
pub use load::load_config;
pub use slurm::JobBackend;

use crate::backend::options::policy::{Allowance, ContainerLimits, ContainerPolicy};
use crate::backend::slurm::Placement;
use crate::plan::LabelMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct RunnerConfig {
    /// The configuration file itself.
    pub path: PathBuf,
    /// `store:`: the run database, logs and artifacts (absolute).
    pub store: PathBuf,
    /// `capacity:`: jobs at once across all runs (default: the CPUs).
    pub capacity: usize,
    /// `gpus:`: the GPU inventory leased to jobs; empty when none.
    pub gpus: Vec<String>,
    /// `labels:`: `runs-on` label → image, `host`, or a profile with GPUs,
    /// on top of the default labels.
    pub labels: LabelMap,
    /// `repos:`
    pub repos: Vec<RepoConfig>,
    /// `backend:`: where jobs run unless their label is mapped elsewhere.
    pub backend: JobBackend,
    /// `slurm:`: the placement of every Slurm job (`backend: slurm`, and
    /// under the labels mapped to Slurm, whose own keys win).
    pub slurm: Placement,
    /// `listen:` (default 127.0.0.1:8080).
    pub listen: SocketAddr,
    /// `public_url:`: where forges and people reach the endpoint
    /// (`https://ci.example.com`), for the links in statuses and
    /// notifications; None: `http://<listen>`.
    pub public_url: Option<String>,
    /// The contents of `webhook_secret_file:`, when given.
    pub webhook_secret: Option<Secret>,
    /// The contents of `api_token_file:`: required by the read API when
    /// `listen` is not a loopback address.
    pub api_token: Option<Secret>,
    /// `status:`: where commit statuses go.
    pub status: Option<StatusConfig>,
    /// `notify:`: Slack-compatible webhooks for failed and recovered runs.
    pub notify: Vec<NotifyConfig>,
    /// `shutdown_timeout:` (default 5m): how long running jobs may go on
    /// after Ctrl-C or SIGTERM before they are cancelled.
    pub shutdown_timeout: Duration,
    /// `job_timeout:`: a ceiling on every job's `timeout-minutes`.
    pub job_timeout: Option<Duration>,
    /// `limits:`: processes and memory of every job container and service
    /// (default: 4096 processes, 90% of the host's memory).
    pub limits: ContainerLimits,
    /// `actions_url:`: where published actions are fetched from (default
    /// https://github.com).
    pub actions_url: Option<String>,
    /// `published_actions:`: built-in names run as the published action.
    pub published_actions: Vec<String>,
}

impl RunnerConfig {
    /// The link to run `run_id` in the read API, as people and forges reach it.
    pub fn run_url(&self, run_id: i64) -> String {
        match &self.public_url {
            Some(base) => format!("{}/api/runs/{run_id}", base.trim_end_matches('/')),
            None => format!("http://{}/api/runs/{run_id}", self.listen),
        }
    }

    /// What the jobs of `repo` may do in their containers.
    pub fn container_policy(&self, repo: &RepoConfig) -> ContainerPolicy {
        ContainerPolicy {
            repository: repo.name.clone(),
            allow: repo.allow.clone(),
            limits: self.limits,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RepoConfig {
    /// `name:`: how events, runs and `mlci hook` refer to the repository.
    pub name: String,
    pub source: RepoSource,
    /// `default_branch:` (default: read from the repository).
    pub default_branch: Option<String>,
    /// `workflows:` (default `.github/workflows`), relative to the repository root.
    pub workflows: String,
    /// `slug:`: `owner/name` on the forge, for commit statuses (default:
    /// from a GitHub- or Gitea-style URL, else the name).
    pub slug: String,
    /// `allow:`: container options that break isolation which this
    /// repository's jobs may use (default: none).
    pub allow: Vec<Allowance>,
}

#[derive(Clone, Debug)]
pub enum RepoSource {
    /// `path:`: a local repository, bare or not (absolute).
    Path(PathBuf),
    /// `url:`: fetched into a mirror under the store; `token_file:` for https.
    Url { url: String, token: Option<Secret> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forge {
    Github,
    Gitea,
}

#[derive(Clone, Debug)]
pub struct StatusConfig {
    pub forge: Forge,
    /// The API base URL, e.g. `https://api.github.com` or `https://gitea.example/api/v1`.
    pub api_url: String,
    pub token: Secret,
}

#[derive(Clone, Debug)]
pub struct NotifyConfig {
    pub url: String,
    /// Notify of failed runs (default true).
    pub on_failure: bool,
    /// Notify of a run that succeeds after the previous run of the same
    /// workflow and branch failed (default true).
    pub on_recovery: bool,
}

pub use crate::mirror::Secret;
