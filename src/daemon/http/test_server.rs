//! A real endpoint for the tests: `serve` on 127.0.0.1, port 0, over a
//! real queue in a temporary store and real git repositories, stopped when
//! the test ends.

use super::{serve, ApiState};
use crate::daemon::config::{RepoConfig, RepoSource, RunnerConfig, Secret};
use crate::daemon::queue::Queue;
use crate::plan::LabelMap;
use git2::{Repository, Signature};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const SECRET: &str = "webhook-s3cret";
pub const TOKEN: &str = "api-t0ken";

/// `vision`'s dispatchable workflow; `speech` has `eval.yml` with no inputs
/// and `ci.yml`, which only runs on push.
pub const TRAIN: &str = "on:
  workflow_dispatch:
    inputs:
      lr:
        default: '0.1'
      epochs:
        type: number
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.lr }}
";
const EVAL: &str = "on: workflow_dispatch
jobs:
  eval:
    runs-on: ubuntu-latest
    steps:
      - run: echo eval
";
const CI: &str = "on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
";

/// A bare repository at `path` whose `main` and `dev` hold one commit
/// with `files` in `.github/workflows`.
fn workflow_repo(path: &Path, files: &[(&str, &str)]) {
    let repo = Repository::init_bare(path).expect("init a repository");
    let mut workflows = repo.treebuilder(None).expect("a tree");
    for (name, text) in files {
        let blob = repo.blob(text.as_bytes()).expect("a blob");
        workflows.insert(name, blob, 0o100644).expect("insert");
    }
    let mut github = repo.treebuilder(None).expect("a tree");
    github
        .insert("workflows", workflows.write().expect("write"), 0o040000)
        .expect("insert");
    let mut root = repo.treebuilder(None).expect("a tree");
    root.insert(".github", github.write().expect("write"), 0o040000)
        .expect("insert");
    let tree = repo.find_tree(root.write().expect("write")).expect("the tree");
    let who = Signature::now("Test", "test@example.com").expect("a signature");
    let commit = repo
        .commit(Some("refs/heads/main"), &who, &who, "workflows", &tree, &[])
        .expect("commit");
    repo.reference("refs/heads/dev", commit, false, "dev")
        .expect("a branch");
    repo.set_head("refs/heads/main").expect("HEAD");
}

pub fn repo(name: &str, slug: &str) -> RepoConfig {
    RepoConfig {
        name: name.into(),
        source: RepoSource::Path(PathBuf::from("/nonexistent").join(name)),
        default_branch: Some("main".into()),
        workflows: ".github/workflows".into(),
        slug: slug.into(),
        allow: Vec::new(),
    }
}

pub fn config(store: PathBuf) -> RunnerConfig {
    RunnerConfig {
        path: store.join("runner.yml"),
        store,
        capacity: 1,
        gpus: Vec::new(),
        labels: LabelMap::default(),
        repos: vec![repo("vision", "acme/vision"), repo("speech", "acme/speech-models")],
        backend: Default::default(),
        slurm: Default::default(),
        listen: "127.0.0.1:0".parse().expect("an address"),
        public_url: None,
        webhook_secret: Some(Secret::new(SECRET)),
        api_token: None,
        status: None,
        notify: Vec::new(),
        shutdown_timeout: Duration::from_secs(1),
        job_timeout: None,
        limits: Default::default(),
        actions_url: None,
        published_actions: Vec::new(),
    }
}

/// The hex HMAC-SHA256 of `body` under `secret`, as a forge signs it.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

pub struct TestServer {
    pub url: String,
    pub queue: Arc<Queue>,
    pub wake: Arc<Notify>,
    pub store: PathBuf,
    pub client: reqwest::Client,
    shutdown: CancellationToken,
    server: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// A server with the default test config, changed by `adjust`.
    pub async fn start(adjust: impl FnOnce(&mut RunnerConfig)) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = dir.path().join("store");
        let mut config = config(store.clone());
        for repo in &mut config.repos {
            let path = dir.path().join(&repo.name);
            match repo.name.as_str() {
                "vision" => workflow_repo(&path, &[("train.yml", TRAIN)]),
                _ => workflow_repo(&path, &[("eval.yml", EVAL), ("ci.yml", CI)]),
            }
            repo.source = RepoSource::Path(path);
        }
        adjust(&mut config);
        let queue = Arc::new(Queue::open(&store).expect("open the queue"));
        let wake = Arc::new(Notify::new());
        let state = ApiState {
            config: Arc::new(config),
            queue: queue.clone(),
            wake: wake.clone(),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind on loopback");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(serve(listener, state, shutdown.clone()));
        let client = reqwest::Client::builder().no_proxy().build().expect("a client");
        TestServer {
            url,
            queue,
            wake,
            store,
            client,
            shutdown,
            server: Some(server),
            _dir: dir,
        }
    }

    /// Stops the server and waits for it, checking it ended cleanly.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(server) = self.server.take() {
            server.await.expect("the server task").expect("serve ends cleanly");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
