//! Reading `runner.yml` from the top: the file, its YAML, its top-level
//! keys. Each key's value is read by the file that knows its kind, and
//! every mistake is collected before the configuration is given up on.

use super::{ConfigErrors, RunnerConfig};
use crate::diag::{Diagnostic, SourceFile, Span};
use crate::load::{parse_yaml, Mapping, Node};
use crate::model::Reader;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const KEYS: &[&str] = &[
    "store",
    "capacity",
    "gpus",
    "labels",
    "repos",
    "backend",
    "slurm",
    "listen",
    "public_url",
    "webhook_secret_file",
    "api_token_file",
    "status",
    "notify",
    "shutdown_timeout",
    "job_timeout",
    "limits",
    "actions_url",
    "published_actions",
];
pub(super) const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Reads and resolves the configuration at `path`: relative paths in it
/// start at the file's folder, token files are read, `gpus: auto` asks
/// `nvidia-smi`. Every mistake in the file is reported, not only the first.
pub fn load_config(path: &Path) -> Result<RunnerConfig, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigErrors::unreadable(SourceFile::new(path, ""), &e))?;
    let absolute = std::path::absolute(path).map_err(|e| ConfigErrors::unreadable(SourceFile::new(path, ""), &e))?;
    let file = SourceFile::new(path, text);
    let loaded = parse_yaml(&file.text);
    if loaded.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(ConfigErrors::new(file, loaded.diagnostics));
    }
    let Some(root) = loaded.root else {
        let empty = Diagnostic::error(
            Span::file_start(),
            "the configuration is empty; it needs at least `store:` and `repos:`",
        );
        return Err(ConfigErrors::new(file, vec![empty]));
    };
    let mut reader = ConfigReader {
        reader: Reader::default(),
        dir: absolute.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf),
    };
    let config = reader.runner_config(&root, absolute);
    match config {
        Some(config) if reader.reader.diagnostics.is_empty() => Ok(config),
        _ => Err(ConfigErrors::new(file, reader.reader.diagnostics)),
    }
}

/// The workflow reader's diagnostics, and where relative paths start.
pub(super) struct ConfigReader {
    pub reader: Reader,
    /// The configuration file's folder (absolute).
    pub dir: PathBuf,
}

impl ConfigReader {
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.reader.error(span, message);
    }

    /// Reads every key, reporting what is wrong; None when a required
    /// value is missing or wrong (its error is reported already).
    fn runner_config(&mut self, root: &Node, path: PathBuf) -> Option<RunnerConfig> {
        let m = self.reader.mapping(root, "the configuration")?;
        let start = Span::point(root.span.line, root.span.col);
        self.reader.check_keys(m, KEYS, "the configuration");
        self.reader
            .require_keys(m, &["store", "repos"], start, "the configuration");

        let store = m.get("store").and_then(|n| self.path(n, "`store:`"));
        let capacity = match m.get("capacity") {
            Some(node) => self.positive_integer(node, "`capacity:`"),
            None => Some(std::thread::available_parallelism().map_or(1, usize::from)),
        };
        let gpus = m.get("gpus").map(|n| self.gpu_inventory(n)).unwrap_or_default();
        let labels = m.get("labels").map(|n| self.labels(n)).unwrap_or_default();
        let repos = m.get("repos").map(|n| self.repos(n)).unwrap_or_default();
        let backend = match m.get("backend") {
            Some(node) => self.job_backend(node),
            None => Some(Default::default()),
        };
        let slurm = match m.get("slurm") {
            Some(node) => self.slurm_placement(node, "`slurm:`"),
            None => Some(Default::default()),
        };
        let listen = match m.get("listen") {
            Some(node) => self.listen(node),
            None => DEFAULT_LISTEN.parse().ok(),
        };
        let public_url = m
            .get("public_url")
            .and_then(|n| self.url(n, "`public_url:`", &["http", "https"]));
        let webhook_secret = m
            .get("webhook_secret_file")
            .and_then(|n| self.secret_file(n, "`webhook_secret_file:`"));
        let api_token = m
            .get("api_token_file")
            .and_then(|n| self.secret_file(n, "`api_token_file:`"));
        self.require_api_token(m, listen);
        let status = m.get("status").and_then(|n| self.status(n));
        let notify = m.get("notify").map(|n| self.notify(n)).unwrap_or_default();
        let shutdown_timeout = match m.get("shutdown_timeout") {
            Some(node) => self.duration(node, "`shutdown_timeout:`", false),
            None => Some(DEFAULT_SHUTDOWN_TIMEOUT),
        };
        let job_timeout = m
            .get("job_timeout")
            .and_then(|n| self.duration(n, "`job_timeout:`", true));
        let limits = self.limits(m.get("limits"));
        let actions_url = m
            .get("actions_url")
            .and_then(|n| self.url(n, "`actions_url:`", &["http", "https", "file"]));
        let published_actions = m.get("published_actions").map(|n| self.names(n)).unwrap_or_default();

        Some(RunnerConfig {
            path,
            store: store?,
            capacity: capacity?,
            gpus,
            labels,
            repos,
            backend: backend?,
            slurm: slurm?,
            listen: listen?,
            public_url,
            webhook_secret,
            api_token,
            status,
            notify,
            shutdown_timeout: shutdown_timeout?,
            job_timeout,
            limits,
            actions_url,
            published_actions,
        })
    }

    /// `published_actions:`, a list of action names (`actions/setup-python`).
    fn names(&mut self, node: &Node) -> Vec<String> {
        let Some(items) = self.reader.sequence(node, "`published_actions:`") else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.reader.non_empty_text(item, "an action name"))
            .map(|t| t.value.trim().to_string())
            .collect()
    }

    /// The read API must not be open to the network without a token.
    fn require_api_token(&mut self, m: &Mapping, listen: Option<SocketAddr>) {
        let (Some(address), Some(node)) = (listen, m.get("listen")) else {
            return;
        };
        if !address.ip().is_loopback() && m.get("api_token_file").is_none() {
            self.error(
                node.span,
                format!(
                    "`listen:` {address} is not a loopback address, so `api_token_file:` is required to protect the API"
                ),
            );
        }
    }
}
