//! The git side of triggers: which files a push changed, read from a real
//! repository with libgit2 (local repositories only).
//!
//! Path filters need the changed files, which GitHub computes itself and
//! does not put in the push payload (gha-semantics §2.2 "Which diff", §2.6).
//! We follow its rules, simplified where a local repository cannot know what
//! the server knew:
//! - a push to an existing branch diffs `before..after` (two dots, trees);
//! - a force push (`before` is no ancestor of `after`) diffs from the merge
//!   base of the two, so only the new side's changes count;
//! - a new ref (`before` absent or all zeros) diffs from the merge base of
//!   the default branch and `after`; without a default branch, or when that
//!   merge base is `after` itself (nothing new on the branch), it takes the
//!   files of `after`'s own commit, against its first parent, or every file
//!   for a root commit.
//!
//! The file list is complete: the 300-file cap of path filters belongs to the
//! filter, which knows whether it is on.

use std::collections::BTreeSet;
use std::path::PathBuf;

use git2::{Commit, DiffFindOptions, DiffOptions, Oid, Repository, Tree};
use thiserror::Error;

pub use super::filters::ChangedFiles;

/// Commits beyond this many make GitHub run a workflow whatever its path
/// filters say; counting stops one past it.
pub const MAX_COUNTED_COMMITS: usize = 1000;

/// A failure to read the repository.
#[derive(Debug, Error)]
pub enum GitError {
    #[error("failed to open git repository at {}", .path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: git2::Error,
    },

    #[error("failed to find commit {rev} in {}", .repo.display())]
    FindCommit {
        repo: PathBuf,
        rev: String,
        #[source]
        source: git2::Error,
    },

    #[error("failed to resolve HEAD in {}", .repo.display())]
    Head {
        repo: PathBuf,
        #[source]
        source: git2::Error,
    },

    #[error("failed to diff {from}..{to} in {}", .repo.display())]
    Diff {
        repo: PathBuf,
        from: String,
        to: String,
        #[source]
        source: git2::Error,
    },

    #[error("failed to count the commits {from}..{to} in {}", .repo.display())]
    Walk {
        repo: PathBuf,
        from: String,
        to: String,
        #[source]
        source: git2::Error,
    },

    #[error("failed to find the merge base of {one} and {two} in {}", .repo.display())]
    MergeBase {
        repo: PathBuf,
        one: String,
        two: String,
        #[source]
        source: git2::Error,
    },
}

/// The files pushed to a ref that moved from `before` to `after`; see the
/// module docs for which diff is taken. `default_branch` is a branch name
/// (`main`), looked up as a local branch, then as `origin/<name>`.
pub fn changed_files(
    repo: &Repository,
    before: Option<Oid>,
    after: Oid,
    default_branch: Option<&str>,
) -> Result<ChangedFiles, GitError> {
    let after_commit = find_commit(repo, after)?;
    let base = match before.filter(|b| !b.is_zero()) {
        Some(before) => Some(existing_ref_base(repo, before, after)?),
        None => new_ref_base(repo, after, default_branch)?,
    };
    match base {
        Some(base) => range_files(repo, base, &after_commit),
        None => commit_files(repo, &after_commit),
    }
}

/// The files of HEAD's commit: what a local run treats as "the push". A root
/// commit lists every file.
pub fn head_commit_files(repo: &Repository) -> Result<ChangedFiles, GitError> {
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|source| GitError::Head {
            repo: repo_path(repo),
            source,
        })?;
    commit_files(repo, &head)
}

/// The base to diff `after` from when the ref was at `before`.
fn existing_ref_base(repo: &Repository, before: Oid, after: Oid) -> Result<Oid, GitError> {
    find_commit(repo, before)?;
    let fast_forward = before == after
        || repo
            .graph_descendant_of(after, before)
            .map_err(|source| merge_base_error(repo, before, after, source))?;
    if fast_forward {
        return Ok(before);
    }
    match repo.merge_base(before, after) {
        Ok(base) => Ok(base),
        // Unrelated histories: nothing shared to start from, so compare the
        // two trees as a two-dot diff would.
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(before),
        Err(source) => Err(merge_base_error(repo, before, after, source)),
    }
}

/// The base for a new ref, or None to take `after`'s own commit.
fn new_ref_base(repo: &Repository, after: Oid, default_branch: Option<&str>) -> Result<Option<Oid>, GitError> {
    let Some(tip) = default_branch.and_then(|name| branch_tip(repo, name)) else {
        return Ok(None);
    };
    match repo.merge_base(tip, after) {
        Ok(base) if base == after => Ok(None),
        Ok(base) => Ok(Some(base)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(source) => Err(merge_base_error(repo, tip, after, source)),
    }
}

/// The commit a branch name points at: local branch first, then origin's.
fn branch_tip(repo: &Repository, name: &str) -> Option<Oid> {
    let candidates = [
        name.to_string(),
        format!("refs/heads/{name}"),
        format!("refs/remotes/origin/{name}"),
    ];
    candidates
        .iter()
        .filter(|r| r.starts_with("refs/"))
        .find_map(|r| repo.find_reference(r).and_then(|r| r.peel_to_commit()).ok())
        .map(|c| c.id())
}

/// `base..after`: the tree diff and the commits in the range.
fn range_files(repo: &Repository, base: Oid, after: &Commit<'_>) -> Result<ChangedFiles, GitError> {
    let base_commit = find_commit(repo, base)?;
    let old = tree(repo, &base_commit)?;
    let files = diff_files(repo, Some(&old), &tree(repo, after)?, base, after.id())?;
    let commit_count = count_commits(repo, base, after.id())?;
    Ok(ChangedFiles {
        files,
        commit_count: Some(commit_count),
    })
}

/// A single commit against its first parent, or every file of a root commit.
fn commit_files(repo: &Repository, commit: &Commit<'_>) -> Result<ChangedFiles, GitError> {
    let parent = match commit.parent_id(0) {
        Ok(id) => Some(find_commit(repo, id)?),
        Err(_) => None,
    };
    let old = parent.as_ref().map(|p| tree(repo, p)).transpose()?;
    let from = parent.as_ref().map_or_else(Oid::zero, Commit::id);
    let files = diff_files(repo, old.as_ref(), &tree(repo, commit)?, from, commit.id())?;
    Ok(ChangedFiles {
        files,
        commit_count: Some(1),
    })
}

fn diff_files(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    from: Oid,
    to: Oid,
) -> Result<Vec<String>, GitError> {
    let error = |source| GitError::Diff {
        repo: repo_path(repo),
        from: from.to_string(),
        to: to.to_string(),
        source,
    };
    let mut options = DiffOptions::new();
    options.include_typechange(true);
    let mut diff = repo
        .diff_tree_to_tree(old, Some(new), Some(&mut options))
        .map_err(error)?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
        .map_err(error)?;
    let mut files = BTreeSet::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            if let Some(path) = file.path_bytes() {
                // Git stores paths with `/` on every platform.
                files.insert(String::from_utf8_lossy(path).into_owned());
            }
        }
    }
    Ok(files.into_iter().collect())
}

/// Commits reachable from `to` but not from `from`, up to one past the limit.
fn count_commits(repo: &Repository, from: Oid, to: Oid) -> Result<usize, GitError> {
    let error = |source| GitError::Walk {
        repo: repo_path(repo),
        from: from.to_string(),
        to: to.to_string(),
        source,
    };
    let mut walk = repo.revwalk().map_err(error)?;
    walk.push(to).map_err(error)?;
    walk.hide(from).map_err(error)?;
    let mut count = 0;
    for oid in walk.take(MAX_COUNTED_COMMITS + 1) {
        oid.map_err(error)?;
        count += 1;
    }
    Ok(count)
}

fn find_commit(repo: &Repository, id: Oid) -> Result<Commit<'_>, GitError> {
    repo.find_commit(id).map_err(|source| GitError::FindCommit {
        repo: repo_path(repo),
        rev: id.to_string(),
        source,
    })
}

fn tree<'r>(repo: &'r Repository, commit: &Commit<'r>) -> Result<Tree<'r>, GitError> {
    commit.tree().map_err(|source| GitError::FindCommit {
        repo: repo_path(repo),
        rev: format!("{}^{{tree}}", commit.id()),
        source,
    })
}

fn merge_base_error(repo: &Repository, one: Oid, two: Oid, source: git2::Error) -> GitError {
    GitError::MergeBase {
        repo: repo_path(repo),
        one: one.to_string(),
        two: two.to_string(),
        source,
    }
}

/// The working directory, or the git directory of a bare repository.
pub(crate) fn repo_path(repo: &Repository) -> PathBuf {
    repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf()
}

/// Test-only: real repositories in a temporary directory.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::Path;

    use git2::{build::CheckoutBuilder, IndexAddOption, Oid, Repository, RepositoryInitOptions, Signature, Time};
    use tempfile::TempDir;

    /// A repository whose first branch is `main`, with fixed signatures so
    /// commit ids do not depend on the clock.
    pub(crate) struct TestRepo {
        pub dir: TempDir,
        pub repo: Repository,
    }

    impl TestRepo {
        pub(crate) fn new() -> Self {
            let dir = tempfile::tempdir().expect("tempdir");
            let repo =
                Repository::init_opts(dir.path(), RepositoryInitOptions::new().initial_head("main")).expect("init");
            TestRepo { dir, repo }
        }

        pub(crate) fn path(&self) -> &Path {
            self.dir.path()
        }

        pub(crate) fn write(&self, path: &str, content: &str) {
            let full = self.path().join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(full, content).expect("write");
        }

        pub(crate) fn remove(&self, path: &str) {
            std::fs::remove_file(self.path().join(path)).expect("remove");
        }

        /// Commits everything in the working tree on HEAD.
        pub(crate) fn commit(&self, message: &str) -> Oid {
            let mut index = self.repo.index().expect("index");
            index.add_all(["*"], IndexAddOption::DEFAULT, None).expect("add");
            index.update_all(["*"], None).expect("update");
            index.write().expect("write index");
            let tree_id = index.write_tree().expect("tree");
            let tree = self.repo.find_tree(tree_id).expect("find tree");
            let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
            let parents: Vec<_> = parent.iter().collect();
            let sig = Signature::new("Ada", "ada@example.com", &Time::new(1_700_000_000, 60)).expect("sig");
            self.repo
                .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
                .expect("commit")
        }

        /// Creates branch `name` at `at` and checks it out.
        pub(crate) fn checkout_new(&self, name: &str, at: Oid) {
            let commit = self.repo.find_commit(at).expect("commit");
            self.repo.branch(name, &commit, true).expect("branch");
            self.checkout(name);
        }

        pub(crate) fn checkout(&self, name: &str) {
            self.repo.set_head(&format!("refs/heads/{name}")).expect("set head");
            self.repo
                .checkout_head(Some(CheckoutBuilder::new().force().remove_untracked(true)))
                .expect("checkout");
        }

        /// Points the current branch (or detached HEAD) at `at`, like `git reset --hard`.
        pub(crate) fn reset_hard(&self, at: Oid) {
            let object = self.repo.find_object(at, None).expect("object");
            self.repo.reset(&object, git2::ResetType::Hard, None).expect("reset");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::TestRepo;
    use super::*;

    fn files(changed: &ChangedFiles) -> Vec<&str> {
        changed.files.iter().map(String::as_str).collect()
    }

    #[test]
    fn a_push_to_an_existing_branch_diffs_before_to_after() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.write("b.txt", "1");
        let c1 = t.commit("one");
        t.write("a.txt", "2");
        t.write("c/d.txt", "1");
        t.commit("two");
        t.write("b.txt", "2");
        let c3 = t.commit("three");
        let changed = changed_files(&t.repo, Some(c1), c3, Some("main")).unwrap();
        assert_eq!(files(&changed), ["a.txt", "b.txt", "c/d.txt"]);
        assert_eq!(changed.commit_count, Some(2));
    }

    #[test]
    fn a_file_changed_and_changed_back_is_not_changed() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        let c1 = t.commit("one");
        t.write("a.txt", "2");
        t.commit("two");
        t.write("a.txt", "1");
        let c3 = t.commit("three");
        let changed = changed_files(&t.repo, Some(c1), c3, None).unwrap();
        assert!(changed.files.is_empty());
        assert_eq!(changed.commit_count, Some(2));
    }

    #[test]
    fn a_new_branch_diffs_from_the_merge_base_with_the_default_branch() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        t.write("b.txt", "1");
        let main = t.commit("two");
        t.checkout_new("feature", main);
        t.write("f.txt", "1");
        t.commit("three");
        t.write("a.txt", "2");
        let tip = t.commit("four");
        // main moves on; its later changes are not the branch's.
        t.checkout("main");
        t.write("m.txt", "1");
        t.commit("five");

        let expected = ["a.txt", "f.txt"];
        let changed = changed_files(&t.repo, None, tip, Some("main")).unwrap();
        assert_eq!(files(&changed), expected);
        assert_eq!(changed.commit_count, Some(2));
        let zero = changed_files(&t.repo, Some(Oid::zero()), tip, Some("main")).unwrap();
        assert_eq!(zero, changed);
        let full_ref = changed_files(&t.repo, None, tip, Some("refs/heads/main")).unwrap();
        assert_eq!(full_ref, changed);
    }

    #[test]
    fn a_new_branch_without_a_default_branch_takes_its_own_commit() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        t.write("b.txt", "1");
        t.write("a.txt", "2");
        let tip = t.commit("two");
        for default in [None, Some("no-such-branch")] {
            let changed = changed_files(&t.repo, None, tip, default).unwrap();
            assert_eq!(files(&changed), ["a.txt", "b.txt"]);
            assert_eq!(changed.commit_count, Some(1));
        }
    }

    #[test]
    fn a_new_branch_with_nothing_new_takes_its_own_commit() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        t.write("b.txt", "1");
        let main = t.commit("two");
        t.checkout_new("copy", main);
        let changed = changed_files(&t.repo, None, main, Some("main")).unwrap();
        assert_eq!(files(&changed), ["b.txt"]);
    }

    #[test]
    fn a_force_push_diffs_from_the_merge_base() {
        let t = TestRepo::new();
        t.write("x.txt", "1");
        let c1 = t.commit("one");
        t.write("y.txt", "1");
        let old_tip = t.commit("two");
        t.reset_hard(c1);
        t.write("z.txt", "1");
        let new_tip = t.commit("rewritten");
        let changed = changed_files(&t.repo, Some(old_tip), new_tip, Some("main")).unwrap();
        assert_eq!(files(&changed), ["z.txt"]);
        assert_eq!(changed.commit_count, Some(1));
    }

    #[test]
    fn a_rename_counts_both_paths() {
        let t = TestRepo::new();
        let body = "the same content, long enough for rename detection\n".repeat(5);
        t.write("old/name.txt", &body);
        t.write("keep.txt", "1");
        let c1 = t.commit("one");
        t.remove("old/name.txt");
        t.write("new/name.txt", &body);
        let c2 = t.commit("rename");
        let changed = changed_files(&t.repo, Some(c1), c2, None).unwrap();
        assert_eq!(files(&changed), ["new/name.txt", "old/name.txt"]);
    }

    #[test]
    fn a_deletion_is_a_change() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.write("b.txt", "1");
        let c1 = t.commit("one");
        t.remove("b.txt");
        let c2 = t.commit("delete");
        let changed = changed_files(&t.repo, Some(c1), c2, None).unwrap();
        assert_eq!(files(&changed), ["b.txt"]);
    }

    #[test]
    fn the_root_commit_lists_every_file() {
        let t = TestRepo::new();
        t.write("src/lib.rs", "1");
        t.write("README.md", "1");
        t.write("a/b/c.txt", "1");
        let root = t.commit("root");
        let expected = ["README.md", "a/b/c.txt", "src/lib.rs"];
        let head = head_commit_files(&t.repo).unwrap();
        assert_eq!(files(&head), expected);
        assert_eq!(head.commit_count, Some(1));
        let pushed = changed_files(&t.repo, None, root, Some("main")).unwrap();
        assert_eq!(files(&pushed), expected);
    }

    #[test]
    fn head_commit_files_diff_against_the_first_parent() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        t.write("b.txt", "1");
        t.commit("two");
        assert_eq!(files(&head_commit_files(&t.repo).unwrap()), ["b.txt"]);
    }

    #[test]
    fn an_unmoved_ref_changed_nothing() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        let c1 = t.commit("one");
        let changed = changed_files(&t.repo, Some(c1), c1, None).unwrap();
        assert_eq!(
            changed,
            ChangedFiles {
                files: vec![],
                commit_count: Some(0)
            }
        );
    }

    #[test]
    fn counting_stops_past_a_thousand_commits() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        let first = t.commit("one");
        let tree = t.repo.find_commit(first).unwrap().tree().unwrap();
        let sig = git2::Signature::now("Ada", "ada@example.com").unwrap();
        let mut tip = first;
        for i in 0..1005 {
            let parent = t.repo.find_commit(tip).unwrap();
            tip = t
                .repo
                .commit(None, &sig, &sig, &format!("c{i}"), &tree, &[&parent])
                .unwrap();
        }
        let changed = changed_files(&t.repo, Some(first), tip, None).unwrap();
        assert_eq!(changed.commit_count, Some(MAX_COUNTED_COMMITS + 1));
    }

    #[test]
    fn errors_name_the_repository_and_revision() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        let c1 = t.commit("one");
        let missing = Oid::from_str("1111111111111111111111111111111111111111").unwrap();
        let err = changed_files(&t.repo, Some(missing), c1, None).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("failed to find commit 1111111111111111111111111111111111111111 in "));
        assert!(text.ends_with(&format!(" in {}", repo_path(&t.repo).display())));

        let empty = TestRepo::new();
        let err = head_commit_files(&empty.repo).unwrap_err();
        assert!(err.to_string().starts_with("failed to resolve HEAD in "));
    }
}
