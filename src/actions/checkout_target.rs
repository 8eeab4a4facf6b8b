//! Which commit a checkout writes and what HEAD becomes, resolved in the
//! repository being run the way actions/checkout resolves `ref` on GitHub.

use std::path::PathBuf;

use git2::{Oid, Repository};

/// A commit to write, and the HEAD to give it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub commit: Oid,
    pub head: Head,
}

/// What HEAD is in the checked-out repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Head {
    /// On a local branch of this name, as GitHub's `git checkout -B name`.
    Branch(String),
    /// Detached at a tag (GitHub checks out `refs/tags/name` detached).
    Tag(String),
    /// Detached at a commit.
    Detached,
}

/// Resolves what to check out.
///
/// With no `ref`, the run's commit: on GitHub a push checks out its branch at
/// `github.sha`; here the branch is the repository's current branch when its
/// tip is that commit, and HEAD is detached otherwise (a run of an older
/// commit, or a detached HEAD).
///
/// A `ref` is taken as actions/checkout takes it: `refs/heads/…` and
/// `refs/tags/…` as they say, any other `refs/…` as that reference, a
/// 40-digit sha as a commit, and a bare name as a branch first (local, then
/// `origin/`), then a tag. A shorter hex name that is neither is looked up as
/// an abbreviated sha, which GitHub does not do but which harms no one.
pub(crate) fn resolve(repo: &Repository, run_commit: &str, git_ref: Option<&str>) -> Result<Target, String> {
    match git_ref.map(str::trim).filter(|r| !r.is_empty()) {
        None => run_target(repo, run_commit),
        Some(git_ref) => ref_target(repo, git_ref),
    }
}

fn run_target(repo: &Repository, run_commit: &str) -> Result<Target, String> {
    let commit = Oid::from_str(run_commit.trim())
        .ok()
        .and_then(|id| repo.find_commit(id).ok())
        .map(|c| c.id())
        .ok_or_else(|| {
            format!(
                "commit '{}' is not in the repository at {}",
                run_commit,
                shown(repo).display()
            )
        })?;
    let head = repo
        .head()
        .ok()
        .filter(|head| head.is_branch() && head.target() == Some(commit))
        .and_then(|head| head.shorthand().map(str::to_string))
        .map_or(Head::Detached, Head::Branch);
    Ok(Target { commit, head })
}

fn ref_target(repo: &Repository, git_ref: &str) -> Result<Target, String> {
    let not_found = || format!("A branch or tag with the name '{git_ref}' could not be found");
    if let Some(branch) = git_ref.strip_prefix("refs/heads/") {
        return branch_target(repo, branch).ok_or_else(not_found);
    }
    if let Some(tag) = git_ref.strip_prefix("refs/tags/") {
        return tag_target(repo, tag).ok_or_else(not_found);
    }
    if git_ref.starts_with("refs/") {
        let commit = peel(repo, git_ref).ok_or_else(not_found)?;
        return Ok(Target {
            commit,
            head: Head::Detached,
        });
    }
    let is_hex = git_ref.len() >= 4 && git_ref.chars().all(|c| c.is_ascii_hexdigit());
    if is_hex && git_ref.len() == 40 {
        return sha_target(repo, git_ref).ok_or_else(|| format!("commit '{git_ref}' is not in the repository"));
    }
    branch_target(repo, git_ref)
        .or_else(|| tag_target(repo, git_ref))
        .or_else(|| if is_hex { sha_target(repo, git_ref) } else { None })
        .ok_or_else(not_found)
}

fn branch_target(repo: &Repository, name: &str) -> Option<Target> {
    let commit =
        peel(repo, &format!("refs/heads/{name}")).or_else(|| peel(repo, &format!("refs/remotes/origin/{name}")))?;
    Some(Target {
        commit,
        head: Head::Branch(name.to_string()),
    })
}

fn tag_target(repo: &Repository, name: &str) -> Option<Target> {
    let commit = peel(repo, &format!("refs/tags/{name}"))?;
    Some(Target {
        commit,
        head: Head::Tag(name.to_string()),
    })
}

fn sha_target(repo: &Repository, sha: &str) -> Option<Target> {
    let commit = repo.revparse_single(sha).ok()?.peel_to_commit().ok()?.id();
    Some(Target {
        commit,
        head: Head::Detached,
    })
}

/// The commit a full reference name points at, through annotated tags.
fn peel(repo: &Repository, name: &str) -> Option<Oid> {
    Some(repo.find_reference(name).ok()?.peel_to_commit().ok()?.id())
}

/// The repository's folder as the user names it: its working tree, without
/// the trailing `/` libgit2 gives it.
pub(crate) fn shown(repo: &Repository) -> PathBuf {
    repo.workdir().unwrap_or_else(|| repo.path()).components().collect()
}
