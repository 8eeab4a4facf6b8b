//! Real git repositories for the tests, made with git2.

use git2::{Repository, Signature};
use std::path::Path;

/// Commits every file in the work tree on `branch` of a repository at `dir`.
pub fn commit_all(dir: &Path, branch: &str, message: &str) {
    let repo = Repository::open(dir)
        .or_else(|_| Repository::init(dir))
        .expect("repository");
    let mut index = repo.index().expect("index");
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add");
    index.write().expect("write index");
    let tree = repo.find_tree(index.write_tree().expect("tree")).expect("find tree");
    let who = Signature::now("Ada", "ada@example.com").expect("signature");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<_> = parent.iter().collect();
    let refname = format!("refs/heads/{branch}");
    repo.commit(Some(&refname), &who, &who, message, &tree, &parents)
        .expect("commit");
    repo.set_head(&refname).expect("set head");
}
