//! `actions/checkout` (any version), built in: the run's commit, or `ref`,
//! written into the job's workspace as a git repository, from the local
//! repository being run, without a network.
//!
//! As on GitHub, a checkout holds the commit, not the working tree: changes
//! that are not committed are left out, and the report says so. The folder is
//! emptied first, as actions/checkout's clean does.

use std::path::{Path, PathBuf};

use git2::{Repository, Status, StatusOptions};
use indexmap::IndexMap;

use super::checkout_clone::{check_out, clone_into, cut_history, keep_refs};
use super::checkout_target::{resolve, Target};
use super::job_files::{staging_root, Staged};
use super::workspace_path::{normalize, refuse_links_below, under_workspace};
use crate::exec::job_dir::JobDir;

/// The `with:` inputs of actions/checkout that mlci honours. The others
/// (`token`, `ssh-key`, `persist-credentials`, `clean`, `lfs`, …) concern
/// fetching from GitHub and are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutOptions {
    /// `ref`: a branch, tag or sha; None checks out the run's commit.
    pub git_ref: Option<String>,
    /// `fetch-depth`: commits of history, 1 by default; 0 for all history.
    pub fetch_depth: u32,
    /// `submodules`: only false is supported; true or `recursive` gives a note.
    pub submodules: bool,
    /// `path`: where to check out, relative to the workspace ("" for the
    /// workspace itself).
    pub path: String,
}

impl Default for CheckoutOptions {
    fn default() -> Self {
        CheckoutOptions {
            git_ref: None,
            fetch_depth: 1,
            submodules: false,
            path: String::new(),
        }
    }
}

impl CheckoutOptions {
    /// Reads the inputs as actions/checkout does: an empty input is the
    /// default, a negative `fetch-depth` means all history, `submodules` is
    /// true for `true` or `recursive` in any case. A `fetch-depth` that is not
    /// a number is an error here (GitHub quietly takes all history).
    pub fn from_inputs(with: &IndexMap<String, String>) -> Result<Self, String> {
        let input = |name: &str| with.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let fetch_depth = match input("fetch-depth") {
            None => 1,
            Some(text) => match text.parse::<i64>() {
                Ok(depth) => u32::try_from(depth.max(0)).unwrap_or(u32::MAX),
                Err(_) => {
                    return Err(format!(
                        "fetch-depth must be a whole number (0 for all history), not '{text}'"
                    ))
                }
            },
        };
        let submodules =
            input("submodules").is_some_and(|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("recursive"));
        Ok(CheckoutOptions {
            git_ref: input("ref").map(str::to_string),
            fetch_depth,
            submodules,
            path: input("path").unwrap_or("").to_string(),
        })
    }
}

/// What a checkout did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutReport {
    /// The full sha of the commit checked out.
    pub commit: String,
    /// Files written (submodule entries not counted).
    pub files: usize,
    /// Things the user should know, one line each, for the step's log.
    pub notes: Vec<String>,
}

/// Checks out `commit` (the run's `github.sha`), or `options.git_ref`, from
/// the repository at `repo_dir` into `workspace`/`options.path`.
///
/// The destination becomes a git repository whose HEAD is the commit: on its
/// branch when the ref is a branch (or, with no ref, when the repository's
/// current branch is at the commit), detached otherwise. With `fetch_depth`
/// N ≥ 1 the history is cut N commits deep and only the checked-out branch or
/// tag is kept; with 0 all history, remote-tracking branches and tags are
/// there. The `origin` remote is `repo_dir`.
pub fn checkout(
    repo_dir: &Path,
    commit: &str,
    workspace: &Path,
    options: &CheckoutOptions,
) -> Result<CheckoutReport, String> {
    let source = Repository::open(repo_dir).map_err(|e| {
        format!(
            "failed to open the git repository at {}: {}",
            repo_dir.display(),
            e.message()
        )
    })?;
    if !has_commits(&source) {
        return Err(format!(
            "the repository at {} has no commits yet: commit something before running a workflow that checks it out",
            repo_dir.display()
        ));
    }
    let target = resolve(&source, commit, options.git_ref.as_deref())?;
    let dest = under_workspace(workspace, &options.path)?;
    refuse_links_below(workspace, &dest, &options.path)?;
    refuse_to_clear_the_source(&source, &dest)?;

    let mut notes = Vec::new();
    if let Some(note) = dirty_note(&source, &target, &dest) {
        notes.push(note);
    }
    if options.submodules {
        notes.push("submodules are not checked out: mlci supports only `submodules: false`".to_string());
    }

    // Built where the job cannot reach, then moved in through a handle on
    // the destination folder: a process the job left running that swaps a
    // folder of `path` for a link meanwhile cannot redirect a write or a
    // deletion to the host.
    let staged = Staged::new_in(&staging_root(workspace))?;
    let repo = clone_into(&source, &staged.path)?;
    let files = check_out(&repo, &target, &staged.path)?;
    keep_refs(&repo, &target, options.fetch_depth, &staged.path)?;
    cut_history(&repo, &source, target.commit, options.fetch_depth)?;
    drop(repo);
    move_into_place(&staged.path, workspace, &dest, &options.path)?;
    Ok(CheckoutReport {
        commit: target.commit.to_string(),
        files,
        notes,
    })
}

/// Empties `dest` in the workspace (creating it) and moves the checkout
/// there, every step beneath the workspace (`JobDir`): a link on the way
/// that leads out of it is an error, never followed.
fn move_into_place(staging: &Path, workspace: &Path, dest: &Path, shown: &str) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("failed to check out into `{shown}`: {e}");
    let relative = dest.strip_prefix(normalize(workspace)).unwrap_or(Path::new(""));
    // The workspace itself is mlci's (a backend made it; a test may not have).
    std::fs::create_dir_all(workspace).map_err(failed)?;
    let folder = JobDir::open(workspace)
        .and_then(|ws| ws.empty_folder(relative))
        .map_err(failed)?;
    folder.move_in(staging).map_err(failed)
}

/// False for a repository just made with `git init`: no HEAD commit and no
/// references (libgit2's `is_empty` only knows the default branch name).
fn has_commits(repo: &Repository) -> bool {
    repo.head().is_ok() || repo.references().is_ok_and(|mut refs| refs.next().is_some())
}

/// Clearing the destination must never delete the repository being run, as
/// it would when the workspace is the repository itself, a folder above it,
/// or a folder inside its `.git`.
fn refuse_to_clear_the_source(source: &Repository, dest: &Path) -> Result<(), String> {
    let real = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let dest = real_existing_prefix(dest);
    let work_tree = source.workdir().map(real);
    let git_dirs = [real(source.path()), real(source.commondir())];
    let holds_source = work_tree.iter().chain(&git_dirs).any(|held| held.starts_with(&dest));
    if holds_source || git_dirs.iter().any(|git_dir| dest.starts_with(git_dir)) {
        return Err(format!(
            "refusing to check out into {}: it holds the repository being run ({}), which a checkout would delete",
            dest.display(),
            work_tree.unwrap_or_else(|| git_dirs[1].clone()).display()
        ));
    }
    Ok(())
}

/// `path` with its longest existing ancestor resolved through links, so two
/// spellings of one folder compare equal before the folder exists.
fn real_existing_prefix(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut current = path;
    loop {
        if let Ok(real) = current.canonicalize() {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (current.parent(), current.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                current = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// A note when the source's working tree differs from its HEAD, since those
/// changes do not reach the job. Untracked files count too (a new script not
/// yet added is a common surprise); the destination, when it lies inside the
/// working tree, does not.
fn dirty_note(source: &Repository, target: &Target, dest: &Path) -> Option<String> {
    let workdir = source.workdir()?.canonicalize().ok()?;
    let dest_inside = real_existing_prefix(dest)
        .strip_prefix(&workdir)
        .ok()
        .map(Path::to_path_buf);
    let mut options = StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(false)
        .exclude_submodules(true);
    let statuses = source.statuses(Some(&mut options)).ok()?;
    let (mut changed, mut untracked) = (0usize, 0usize);
    for entry in statuses.iter() {
        let Some(path) = entry.path() else { continue };
        let path = Path::new(path.trim_end_matches('/'));
        if dest_inside
            .as_deref()
            .is_some_and(|d| d.starts_with(path) || path.starts_with(d))
        {
            continue;
        }
        match entry.status() {
            Status::WT_NEW => untracked += 1,
            Status::IGNORED | Status::CURRENT => {}
            _ => changed += 1,
        }
    }
    let mut counts = Vec::new();
    if changed > 0 {
        counts.push(plural(changed, "changed file"));
    }
    if untracked > 0 {
        counts.push(format!("{untracked} untracked"));
    }
    if counts.is_empty() {
        return None;
    }
    let short = &target.commit.to_string()[..7];
    Some(format!(
        "the working tree has uncommitted changes ({}); checked out commit {short} as GitHub would, without them",
        counts.join(", ")
    ))
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
#[path = "checkout_tests.rs"]
mod tests;
