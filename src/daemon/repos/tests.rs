//! Repositories against real git repositories made with git2.

use super::*;
use git2::{Oid, Signature};
use tempfile::TempDir;

/// A bare "origin" repository that tests commit to directly, as a push would.
struct Origin {
    repo: Repository,
}

impl Origin {
    fn new(path: &Path, head: &str) -> Origin {
        let repo = Repository::init_bare(path).unwrap();
        repo.set_head(&format!("refs/heads/{head}")).unwrap();
        Origin { repo }
    }

    fn url(&self) -> String {
        format!("file://{}", self.repo.path().display())
    }

    /// A commit with one file on `branch`, after its current tip.
    fn commit(&self, branch: &str, file: &str) -> Oid {
        let refname = format!("refs/heads/{branch}");
        let parent = self
            .repo
            .find_reference(&refname)
            .ok()
            .map(|r| r.peel_to_commit().unwrap());
        let blob = self.repo.blob(file.as_bytes()).unwrap();
        let mut tree = self.repo.treebuilder(None).unwrap();
        tree.insert(file, blob, 0o100644).unwrap();
        let tree = self.repo.find_tree(tree.write().unwrap()).unwrap();
        let who = Signature::now("Test", "test@example.com").unwrap();
        let parents: Vec<_> = parent.iter().collect();
        self.repo
            .commit(Some(&refname), &who, &who, file, &tree, &parents)
            .unwrap()
    }
}

fn config(name: &str, source: RepoSource) -> RepoConfig {
    RepoConfig {
        name: name.into(),
        source,
        default_branch: None,
        workflows: ".github/workflows".into(),
        slug: name.into(),
    }
}

fn url_source(url: String, token: Option<&str>) -> RepoSource {
    RepoSource::Url {
        url,
        token: token.map(Secret::new),
    }
}

fn tip(repo: &Repository, refname: &str) -> Option<Oid> {
    repo.find_reference(refname).ok().and_then(|r| r.target())
}

#[test]
fn a_path_repository_is_used_where_it_is() {
    let dir = TempDir::new().unwrap();
    let origin = Origin::new(&dir.path().join("vision.git"), "main");
    let first = origin.commit("main", "a.txt");
    let mut cfg = config("vision", RepoSource::Path(dir.path().join("vision.git")));
    let handle = RepoHandle::open(&cfg, &dir.path().join("store")).unwrap();
    assert_eq!(handle.name(), "vision");
    assert_eq!(handle.git_dir(), dir.path().join("vision.git"));
    handle.fetch().unwrap();
    assert!(!dir.path().join("store").exists(), "a path repository needs no mirror");
    assert_eq!(tip(&handle.repository().unwrap(), "refs/heads/main"), Some(first));
    assert_eq!(handle.default_branch().as_deref(), Some("main"));

    cfg.default_branch = Some("release".into());
    let handle = RepoHandle::open(&cfg, &dir.path().join("store")).unwrap();
    assert_eq!(handle.default_branch().as_deref(), Some("release"));
}

#[test]
fn a_path_that_is_no_repository_is_an_error() {
    let dir = TempDir::new().unwrap();
    let cfg = config("vision", RepoSource::Path(dir.path().to_path_buf()));
    let err = RepoHandle::open(&cfg, dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("failed to open repository `vision` at {}", dir.path().display())
    );
}

#[test]
fn a_url_repository_is_mirrored_fetched_and_pruned() {
    let dir = TempDir::new().unwrap();
    let origin = Origin::new(&dir.path().join("origin.git"), "trunk");
    let first = origin.commit("trunk", "a.txt");
    let feature = origin.commit("feature", "f.txt");
    origin.repo.reference("refs/tags/v1", first, false, "tag").unwrap();
    let store = dir.path().join("store");

    let handle = RepoHandle::open(&config("nlp", url_source(origin.url(), None)), &store).unwrap();
    let mirror = store.join("mirrors/nlp.git");
    assert_eq!(handle.git_dir(), mirror);
    let repo = handle.repository().unwrap();
    assert!(repo.is_bare());
    assert_eq!(repo.find_remote("origin").unwrap().url(), Some(origin.url().as_str()));
    assert_eq!(tip(&repo, "refs/heads/trunk"), None, "nothing is fetched on open");

    handle.fetch().unwrap();
    assert_eq!(tip(&repo, "refs/heads/trunk"), Some(first));
    assert_eq!(tip(&repo, "refs/heads/feature"), Some(feature));
    assert_eq!(tip(&repo, "refs/tags/v1"), Some(first));
    assert_eq!(
        handle.default_branch().as_deref(),
        Some("trunk"),
        "HEAD follows origin's"
    );

    // A push of a new commit, and a deleted branch and tag.
    let second = origin.commit("trunk", "b.txt");
    origin
        .repo
        .find_reference("refs/heads/feature")
        .unwrap()
        .delete()
        .unwrap();
    origin.repo.find_reference("refs/tags/v1").unwrap().delete().unwrap();
    handle.fetch().unwrap();
    assert_eq!(tip(&repo, "refs/heads/trunk"), Some(second));
    assert_eq!(tip(&repo, "refs/heads/feature"), None);
    assert_eq!(tip(&repo, "refs/tags/v1"), None);

    // Opening again reuses the mirror, and follows a changed URL.
    let moved = Origin::new(&dir.path().join("moved.git"), "main");
    let elsewhere = moved.commit("main", "c.txt");
    let handle = RepoHandle::open(&config("nlp", url_source(moved.url(), None)), &store).unwrap();
    assert_eq!(tip(&handle.repository().unwrap(), "refs/heads/trunk"), Some(second));
    handle.fetch().unwrap();
    let repo = handle.repository().unwrap();
    assert_eq!(tip(&repo, "refs/heads/main"), Some(elsewhere));
    assert_eq!(tip(&repo, "refs/heads/trunk"), None);
}

#[test]
fn the_git_command_fetches_with_the_token_out_of_sight() {
    let dir = TempDir::new().unwrap();
    let origin = Origin::new(&dir.path().join("origin.git"), "main");
    let first = origin.commit("main", "a.txt");
    let store = dir.path().join("store");
    let cfg = config("nlp", url_source(origin.url(), Some("s3cr3t-token")));
    let handle = RepoHandle::open(&cfg, &store).unwrap();
    // The HTTP path, run against a file:// origin: the same command and
    // environment, with a header that file:// ignores.
    crate::mirror::fetch::with_git_cli(handle.git_dir(), Some(&Secret::new("s3cr3t-token")), FETCH_TIMEOUT).unwrap();
    let repo = handle.repository().unwrap();
    assert_eq!(tip(&repo, "refs/heads/main"), Some(first));
    assert_eq!(handle.default_branch().as_deref(), Some("main"));

    std::fs::remove_dir_all(origin.repo.path()).unwrap();
    let err = crate::mirror::fetch::with_git_cli(handle.git_dir(), Some(&Secret::new("s3cr3t-token")), FETCH_TIMEOUT)
        .unwrap_err();
    assert!(err.starts_with("git fetch failed (exit status: 128): "), "{err}");
    assert!(!err.contains("s3cr3t") && !err.contains("eC1hY2Nlc3M"), "{err}");
}

#[test]
fn a_failed_fetch_names_the_repository_and_url_without_credentials() {
    let dir = TempDir::new().unwrap();
    let url = format!("file://{}/gone.git", dir.path().display());
    let handle = RepoHandle::open(&config("nlp", url_source(url.clone(), None)), dir.path()).unwrap();
    let err = handle.fetch().unwrap_err();
    let RepoError::Fetch { name, url: shown, .. } = &err else {
        panic!("a fetch error, not {err:?}");
    };
    assert_eq!((name.as_str(), shown.as_str()), ("nlp", url.as_str()));
    assert!(
        err.to_string()
            .starts_with(&format!("failed to fetch repository `nlp` from {url}: ")),
        "{err}"
    );
}

#[test]
fn a_remote_that_never_answers_is_given_up_after_the_fetch_timeout() {
    let dir = TempDir::new().unwrap();
    // A loopback "forge" that accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/acme/vision.git", silent.local_addr().unwrap());
    let handle = RepoHandle::open(&config("vision", url_source(url.clone(), None)), dir.path())
        .unwrap()
        .with_fetch_timeout(Duration::from_millis(500));
    let err = handle.fetch().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("failed to fetch repository `vision` from {url}: git did not finish within 500ms: stopped")
    );
    drop(silent);
}
