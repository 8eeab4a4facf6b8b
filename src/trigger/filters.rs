//! The push / pull_request filter decision (reference §2.2).
//!
//! Lists are evaluated in order: the last pattern that matches decides, a
//! `!` pattern excluding and a plain one including. `*-ignore` lists use the
//! same evaluation, an included item being ignored. Ref filters and path
//! filters must both pass. Tag pushes skip path filters; only the first 300
//! changed files are considered; more than 1,000 commits always runs.

use std::fmt::Write as _;

use super::pattern::FilterPattern;

/// GitHub only looks at this many changed files.
pub const MAX_CHANGED_FILES: usize = 300;
/// Above this many pushed commits GitHub runs without evaluating paths.
pub const MAX_COMMITS: usize = 1000;
/// Activity types `pull_request` runs for when `types` is absent.
pub const DEFAULT_PULL_REQUEST_TYPES: [&str; 3] = ["opened", "synchronize", "reopened"];

/// How many changed files a reason lists before "and N more".
const LISTED_FILES: usize = 5;

/// `on.push` filters, each `None` when the key is absent.
#[derive(Debug, Clone, Default)]
pub struct PushFilter {
    pub branches: Option<Vec<FilterPattern>>,
    pub branches_ignore: Option<Vec<FilterPattern>>,
    pub tags: Option<Vec<FilterPattern>>,
    pub tags_ignore: Option<Vec<FilterPattern>>,
    pub paths: Option<Vec<FilterPattern>>,
    pub paths_ignore: Option<Vec<FilterPattern>>,
}

/// `on.pull_request` / `on.pull_request_target` filters.
#[derive(Debug, Clone, Default)]
pub struct PullRequestFilter {
    pub branches: Option<Vec<FilterPattern>>,
    pub branches_ignore: Option<Vec<FilterPattern>>,
    pub paths: Option<Vec<FilterPattern>>,
    pub paths_ignore: Option<Vec<FilterPattern>>,
    pub types: Option<Vec<String>>,
}

/// The pushed ref, without `refs/heads/` or `refs/tags/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefKind {
    Branch(String),
    Tag(String),
}

/// The diff of the event, in the order git reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedFiles {
    pub files: Vec<String>,
    /// Commits in the push, when known.
    pub commit_count: Option<usize>,
}

/// Whether the workflow runs, and why, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Runs { reason: String },
    Skipped { reason: String },
}

impl Decision {
    pub fn runs(&self) -> bool {
        matches!(self, Decision::Runs { .. })
    }

    pub fn reason(&self) -> &str {
        match self {
            Decision::Runs { reason } | Decision::Skipped { reason } => reason,
        }
    }
}

/// One check's outcome: `Ok` says why it passed, `Err` why it failed.
type Check = Result<Option<String>, String>;

impl PushFilter {
    /// Decides a push of `ref` with the given diff (`None`: not known).
    pub fn decide(&self, r#ref: &RefKind, changed: Option<&ChangedFiles>) -> Decision {
        let branch_filtered = self.branches.is_some() || self.branches_ignore.is_some();
        let tag_filtered = self.tags.is_some() || self.tags_ignore.is_some();
        let (ref_check, path_check) = match r#ref {
            RefKind::Branch(name) => {
                let ref_check = if branch_filtered {
                    check_ref(
                        "branch",
                        name,
                        self.branches.as_deref(),
                        "branches",
                        self.branches_ignore.as_deref(),
                        "branches-ignore",
                    )
                } else if tag_filtered {
                    Err(format!(
                        "branch push: only tag filters ({}) are defined, so branch pushes do not run",
                        keys(&[("tags", &self.tags), ("tags-ignore", &self.tags_ignore)])
                    ))
                } else {
                    Ok(None)
                };
                (
                    ref_check,
                    check_paths(self.paths.as_deref(), self.paths_ignore.as_deref(), changed),
                )
            }
            RefKind::Tag(name) => {
                let ref_check = if tag_filtered {
                    check_ref(
                        "tag",
                        name,
                        self.tags.as_deref(),
                        "tags",
                        self.tags_ignore.as_deref(),
                        "tags-ignore",
                    )
                } else if branch_filtered {
                    Err(format!(
                        "tag push: only branch filters ({}) are defined, so tag pushes do not run",
                        keys(&[("branches", &self.branches), ("branches-ignore", &self.branches_ignore)])
                    ))
                } else {
                    Ok(None)
                };
                let has_paths = self.paths.is_some() || self.paths_ignore.is_some();
                let note = has_paths.then(|| "tag push: path filters are not evaluated".to_string());
                (ref_check, Ok(note))
            }
        };
        combine(&[ref_check, path_check], "push has no branch, tag or path filters")
    }
}

impl PullRequestFilter {
    /// Decides a pull request event targeting `base_branch` with activity
    /// `activity_type` (`opened`, `synchronize`, ...).
    pub fn decide(&self, base_branch: &str, activity_type: &str, changed: Option<&ChangedFiles>) -> Decision {
        let types_check = self.check_types(activity_type);
        let branch_check = if self.branches.is_some() || self.branches_ignore.is_some() {
            check_ref(
                "base branch",
                base_branch,
                self.branches.as_deref(),
                "branches",
                self.branches_ignore.as_deref(),
                "branches-ignore",
            )
        } else {
            Ok(None)
        };
        let path_check = check_paths(self.paths.as_deref(), self.paths_ignore.as_deref(), changed);
        combine(&[types_check, branch_check, path_check], "pull request has no filters")
    }

    fn check_types(&self, activity: &str) -> Check {
        let (types, which): (Vec<&str>, &str) = match &self.types {
            Some(types) => (types.iter().map(String::as_str).collect(), "types"),
            None => (DEFAULT_PULL_REQUEST_TYPES.to_vec(), "the default types"),
        };
        let listed = format!("[{}]", types.join(", "));
        if types.contains(&activity) {
            Ok(Some(format!("activity type '{activity}' is in {which} {listed}")))
        } else {
            Err(format!("activity type '{activity}' is not in {which} {listed}"))
        }
    }
}

/// The first failing check, or every passing reason joined.
fn combine(checks: &[Check], nothing: &str) -> Decision {
    let mut reasons = Vec::new();
    for check in checks {
        match check {
            Ok(Some(reason)) => reasons.push(reason.as_str()),
            Ok(None) => {}
            Err(reason) => return Decision::Skipped { reason: reason.clone() },
        }
    }
    let reason = if reasons.is_empty() {
        nothing.to_string()
    } else {
        reasons.join("; ")
    };
    Decision::Runs { reason }
}

/// Names the keys that are present, e.g. `tags, tags-ignore`.
fn keys(present: &[(&str, &Option<Vec<FilterPattern>>)]) -> String {
    let names: Vec<&str> = present.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| *k).collect();
    names.join(", ")
}

/// The pattern that decides `candidate` in an ordered list: the last match.
pub fn deciding_pattern<'a>(patterns: &'a [FilterPattern], candidate: &str) -> Option<&'a FilterPattern> {
    patterns.iter().rev().find(|p| p.matches(candidate))
}

/// Whether an ordered list includes `candidate`: its last match is positive.
pub fn list_includes(patterns: &[FilterPattern], candidate: &str) -> bool {
    deciding_pattern(patterns, candidate).is_some_and(|p| !p.is_negated())
}

/// `[a, !b]`, the list as written.
fn show(patterns: &[FilterPattern]) -> String {
    let texts: Vec<&str> = patterns.iter().map(FilterPattern::as_str).collect();
    format!("[{}]", texts.join(", "))
}

fn check_ref(
    what: &str,
    name: &str,
    include: Option<&[FilterPattern]>,
    include_key: &str,
    ignore: Option<&[FilterPattern]>,
    ignore_key: &str,
) -> Check {
    let mut reasons = Vec::new();
    if let Some(list) = include {
        let shown = show(list);
        match deciding_pattern(list, name) {
            Some(p) if !p.is_negated() => {
                reasons.push(format!("{what} '{name}' matches '{p}' in {include_key} {shown}"));
            }
            Some(p) => return Err(format!("{what} '{name}' is excluded by '{p}' in {include_key} {shown}")),
            None => return Err(format!("{what} '{name}' does not match {include_key} {shown}")),
        }
    }
    if let Some(list) = ignore {
        let shown = show(list);
        match deciding_pattern(list, name) {
            Some(p) if !p.is_negated() => {
                return Err(format!("{what} '{name}' is ignored by '{p}' in {ignore_key} {shown}"))
            }
            _ => reasons.push(format!("{what} '{name}' is not ignored by {ignore_key} {shown}")),
        }
    }
    Ok(Some(reasons.join("; ")))
}

fn check_paths(
    paths: Option<&[FilterPattern]>,
    paths_ignore: Option<&[FilterPattern]>,
    changed: Option<&ChangedFiles>,
) -> Check {
    if paths.is_none() && paths_ignore.is_none() {
        return Ok(None);
    }
    let Some(changed) = changed else {
        return Ok(Some(
            "changed files are unknown, so path filters are not evaluated \
             (GitHub runs the workflow when it cannot compute the diff)"
                .to_string(),
        ));
    };
    if let Some(commits) = changed.commit_count.filter(|&n| n > MAX_COMMITS) {
        return Ok(Some(format!(
            "{commits} commits were pushed, more than 1,000, so GitHub runs the workflow \
             without evaluating path filters"
        )));
    }
    let considered = &changed.files[..changed.files.len().min(MAX_CHANGED_FILES)];
    let summary = summarize(&changed.files);
    let mut reasons = Vec::new();
    if let Some(list) = paths {
        let shown = show(list);
        match considered.iter().find(|f| list_includes(list, f)) {
            Some(file) => {
                let p = deciding_pattern(list, file).map(|p| p.to_string()).unwrap_or_default();
                reasons.push(format!("changed file '{file}' matches '{p}' in paths {shown}"));
            }
            None => return Err(format!("no changed file matches paths {shown} ({summary})")),
        }
    }
    if let Some(list) = paths_ignore {
        let shown = show(list);
        match considered.iter().find(|f| !list_includes(list, f)) {
            Some(file) => reasons.push(format!("changed file '{file}' is not ignored by paths-ignore {shown}")),
            None if considered.is_empty() => {
                return Err(format!("no files changed, so no file escapes paths-ignore {shown}"))
            }
            None => return Err(format!("every changed file matches paths-ignore {shown} ({summary})")),
        }
    }
    Ok(Some(reasons.join("; ")))
}

/// `3 files changed: a, b, c`, listing a few and noting the 300-file limit.
fn summarize(files: &[String]) -> String {
    let n = files.len();
    if n == 0 {
        return "no files changed".to_string();
    }
    let mut out = if n == 1 {
        "1 file changed".to_string()
    } else {
        format!("{n} files changed")
    };
    if n > MAX_CHANGED_FILES {
        let _ = write!(out, "; only the first {MAX_CHANGED_FILES} are considered");
    }
    let listed: Vec<&str> = files.iter().take(LISTED_FILES).map(String::as_str).collect();
    let _ = write!(out, ": {}", listed.join(", "));
    if n > LISTED_FILES {
        let _ = write!(out, ", ... and {} more", n - LISTED_FILES);
    }
    out
}

#[cfg(test)]
mod tests;
