//! Which cache folders a job may use, scoped as GitHub scopes caches: a job
//! saves into its own branch's (or tag's) folder, and restores from it, then
//! from the base branch's (a pull request's) and the default branch's.
//! Never from a sibling branch, so a feature branch cannot poison what
//! `main` restores; never across repositories.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheScope {
    /// Where this job's new entries go.
    pub save: PathBuf,
    /// Where entries are looked for, in order (`save` first).
    pub restore: Vec<PathBuf>,
}

impl CacheScope {
    /// The scope of a job of `repository` running for `git_ref`, whose base
    /// branch (pull requests) and default branch are given when known.
    pub fn of(
        cache_root: &Path,
        repository: &str,
        git_ref: &str,
        base_branch: Option<&str>,
        default_branch: Option<&str>,
    ) -> CacheScope {
        let repo_dir = cache_root.join(short_hash(repository));
        let folder = |git_ref: &str| repo_dir.join(short_hash(git_ref));
        let save = folder(git_ref);
        let mut restore = vec![save.clone()];
        for branch in [base_branch, default_branch].into_iter().flatten() {
            if branch.is_empty() {
                continue;
            }
            let path = folder(&format!("refs/heads/{}", branch.trim_start_matches("refs/heads/")));
            if !restore.contains(&path) {
                restore.push(path);
            }
        }
        CacheScope { save, restore }
    }
}

/// A folder name for any text: the first 16 hex digits of its SHA-256.
fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_branch_restores_from_itself_then_its_base_and_the_default_branch() {
        let root = Path::new("/c");
        let main = CacheScope::of(root, "team/model", "refs/heads/main", None, Some("main"));
        let feature = CacheScope::of(root, "team/model", "refs/heads/feature", None, Some("main"));
        let pr = CacheScope::of(root, "team/model", "refs/pull/7/merge", Some("dev"), Some("main"));
        let dev = CacheScope::of(root, "team/model", "refs/heads/dev", None, Some("main"));
        let other_repo = CacheScope::of(root, "team/other", "refs/heads/main", None, Some("main"));

        assert_eq!(main.restore, std::slice::from_ref(&main.save));
        assert_eq!(feature.restore, [feature.save.clone(), main.save.clone()]);
        assert_eq!(pr.restore, [pr.save.clone(), dev.save.clone(), main.save.clone()]);
        assert!(
            !main.restore.contains(&feature.save),
            "main restores a feature branch's cache"
        );
        assert_ne!(main.save, other_repo.save);
        assert!(main.save.starts_with(root));
    }
}
