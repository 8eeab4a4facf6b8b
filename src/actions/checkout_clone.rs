//! The checked-out repository itself: a local clone of the repository being
//! run, HEAD placed on the target, its files written, its refs and history
//! trimmed to what a GitHub checkout of the same depth leaves.
//!
//! The clone copies the source's object files (no re-packing). It never
//! hard-links them, as `git clone` of a local path would: a job owns its
//! workspace, and a job that rewrote or chowned a shared object file would
//! change the user's own repository. Every object is present whatever the
//! depth; a depth is made real
//! the way git makes a shallow clone, with a `shallow` file that cuts the
//! history at the right commits, so `git log` and `git rev-parse
//! --is-shallow-repository` answer as they would on GitHub.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;

use git2::build::{CheckoutBuilder, CloneLocal, RepoBuilder};
use git2::{BranchType, Oid, Repository};

use super::checkout_target::{shown, Head, Target};

/// A git2 error in the user's words: what failed, where, and why.
fn failed(what: &str, dest: &Path, e: git2::Error) -> String {
    format!("failed to {what} in {}: {}", dest.display(), e.message())
}

/// Clones `source` into `dest`, an empty folder, writing no files yet.
pub(crate) fn clone_into(source: &Repository, dest: &Path) -> Result<Repository, String> {
    let from = shown(source);
    let url = from
        .to_str()
        .ok_or_else(|| format!("the repository path {} is not UTF-8", from.display()))?;
    let mut no_files = CheckoutBuilder::new();
    no_files.dry_run();
    RepoBuilder::new()
        .clone_local(CloneLocal::NoLinks)
        .with_checkout(no_files)
        .clone(url, dest)
        .map_err(|e| failed(&format!("clone {url}"), dest, e))
}

/// Points HEAD at the target and writes its files and index, replacing
/// whatever HEAD the clone started with. Returns the number of files.
pub(crate) fn check_out(repo: &Repository, target: &Target, dest: &Path) -> Result<usize, String> {
    let commit = target.commit;
    let git = |what: &str, result: Result<(), git2::Error>| result.map_err(|e| failed(what, dest, e));
    match &target.head {
        Head::Branch(name) => {
            let local = format!("refs/heads/{name}");
            for refname in [format!("refs/remotes/origin/{name}"), local.clone()] {
                git(
                    "create a branch",
                    repo.reference(&refname, commit, true, "checkout").map(drop),
                )?;
            }
            git("set HEAD", repo.set_head(&local))?;
            if let Ok(mut branch) = repo.find_branch(name, BranchType::Local) {
                git(
                    "set the upstream branch",
                    branch.set_upstream(Some(&format!("origin/{name}"))),
                )?;
            }
        }
        Head::Tag(_) | Head::Detached => git("set HEAD", repo.set_head_detached(commit))?,
    }
    git(
        "write the files",
        repo.checkout_head(Some(CheckoutBuilder::new().force())),
    )?;
    let index = repo.index().map_err(|e| failed("read the index", dest, e))?;
    Ok(index.iter().filter(|entry| entry.mode != GITLINK_MODE).count())
}

/// Submodule entries in a tree: a commit of another repository, not a file.
const GITLINK_MODE: u32 = 0o160000;

/// Keeps the refs a GitHub checkout has: the checked-out branch (local and
/// `origin/`) or tag, plus, with all history (`depth` 0), every
/// remote-tracking branch and tag. Other local branches go.
pub(crate) fn keep_refs(repo: &Repository, target: &Target, depth: u32, dest: &Path) -> Result<(), String> {
    let kept = |name: &str| match &target.head {
        Head::Branch(b) => name == format!("refs/heads/{b}") || name == format!("refs/remotes/origin/{b}"),
        Head::Tag(t) => name == format!("refs/tags/{t}"),
        Head::Detached => false,
    };
    let all_history = |name: &str| depth == 0 && (name.starts_with("refs/remotes/") || name.starts_with("refs/tags/"));
    let names: Vec<String> = repo
        .references()
        .map_err(|e| failed("list the refs", dest, e))?
        .filter_map(|r| r.ok().and_then(|r| r.name().map(str::to_string)))
        .collect();
    for name in names.iter().filter(|n| !kept(n) && !all_history(n)) {
        if let Ok(mut reference) = repo.find_reference(name) {
            reference
                .delete()
                .map_err(|e| failed(&format!("delete {name}"), dest, e))?;
        }
    }
    Ok(())
}

/// Writes the `shallow` file that makes the history `depth` commits deep
/// (none for 0), or, for all history, carries over the source's own cut when
/// the source is itself shallow.
pub(crate) fn cut_history(repo: &Repository, source: &Repository, commit: Oid, depth: u32) -> Result<(), String> {
    let cut = if depth == 0 {
        std::fs::read_to_string(source.commondir().join("shallow")).unwrap_or_default()
    } else {
        shallow_commits(repo, commit, depth)
            .iter()
            .map(|id| format!("{id}\n"))
            .collect()
    };
    if cut.is_empty() {
        return Ok(());
    }
    let file = repo.path().join("shallow");
    std::fs::write(&file, cut).map_err(|e| format!("failed to write {}: {e}", file.display()))
}

/// The commits whose parents a clone of depth `depth` does not have, as git
/// computes them: those `depth - 1` steps from the tip by the shortest path
/// that have parents, plus any whose parents are missing here.
fn shallow_commits(repo: &Repository, tip: Oid, depth: u32) -> BTreeSet<Oid> {
    let exists = |id: Oid| repo.find_commit(id).is_ok();
    let mut distance = HashMap::from([(tip, 0u32)]);
    let mut queue = VecDeque::from([tip]);
    let mut cut = BTreeSet::new();
    while let Some(id) = queue.pop_front() {
        let Ok(commit) = repo.find_commit(id) else { continue };
        let parents: Vec<Oid> = commit.parent_ids().collect();
        let steps = distance.get(&id).copied().unwrap_or(0);
        if parents.is_empty() {
            continue;
        }
        if steps + 1 >= depth || !parents.iter().all(|p| exists(*p)) {
            cut.insert(id);
            continue;
        }
        for parent in parents {
            if let std::collections::hash_map::Entry::Vacant(slot) = distance.entry(parent) {
                slot.insert(steps + 1);
                queue.push_back(parent);
            }
        }
    }
    cut
}
