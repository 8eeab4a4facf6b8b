//! `actions/download-artifact`: one artifact by `name`, straight into
//! `path`; several by `pattern`, or all, each into `path/<name>/` unless
//! `merge-multiple` puts them all into `path`.

use super::extract::extract;
use super::manifest::{artifacts_dir, list, zip_path, ArtifactInfo};
use super::name_pattern::NamePattern;
use super::options::DownloadOptions;
use cap_std::fs::Dir;
use std::path::{Path, PathBuf};

/// What a download did.
#[derive(Clone, Debug, PartialEq)]
pub struct DownloadReport {
    /// The artifacts extracted, in the order they were.
    pub artifacts: Vec<String>,
    /// Files written, over all artifacts.
    pub files: usize,
    /// The resolved `path` (the `download-path` output).
    pub destination: PathBuf,
}

/// Where a download writes: `relative` below the capability `dir` (the
/// job's workspace, or mlci's staging folder for the container's own
/// files); the job sees that place as `seen`.
#[derive(Debug)]
pub struct DownloadTarget {
    pub dir: Dir,
    pub relative: PathBuf,
    pub seen: PathBuf,
}

impl DownloadTarget {
    /// A folder of the user's own (`mlci artifacts get -o DIR`), created
    /// when missing; not a job's.
    pub fn folder(path: &Path) -> Result<DownloadTarget, String> {
        std::fs::create_dir_all(path).map_err(|e| format!("cannot create `{}`: {e}", path.display()))?;
        let dir = Dir::open_ambient_dir(path, cap_std::ambient_authority())
            .map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
        Ok(DownloadTarget {
            dir,
            relative: PathBuf::new(),
            seen: path.to_path_buf(),
        })
    }
}

/// Downloads from the artifacts of a run: `store_run_dirs` is this run's
/// store folder first, then (in a rerun) those of the runs whose jobs it
/// reuses; a name in an earlier folder hides the same name in a later one.
pub fn download(
    store_run_dirs: &[PathBuf],
    target: &DownloadTarget,
    options: &DownloadOptions,
) -> Result<DownloadReport, String> {
    let available = available(store_run_dirs)?;
    let destination = target.seen.clone();
    let selected: Vec<&(ArtifactInfo, PathBuf)> = match (&options.name, &options.pattern) {
        (Some(name), _) => match available.iter().find(|(a, _)| &a.name == name) {
            Some(found) => vec![found],
            None => return Err(not_found(name, store_run_dirs, &available)),
        },
        (None, Some(pattern)) => {
            let pattern = NamePattern::parse(pattern);
            available.iter().filter(|(a, _)| pattern.matches(&a.name)).collect()
        }
        (None, None) => available.iter().collect(),
    };
    let straight = options.name.is_some() || options.merge_multiple;
    let mut report = DownloadReport {
        artifacts: Vec::new(),
        files: 0,
        destination,
    };
    for (artifact, dir) in selected {
        let (into, seen) = match straight {
            true => (target.relative.clone(), report.destination.clone()),
            false => (
                target.relative.join(&artifact.name),
                report.destination.join(&artifact.name),
            ),
        };
        report.files += extract(
            &zip_path(dir, &artifact.name),
            &artifact.name,
            &target.dir,
            &into,
            &seen,
        )?;
        report.artifacts.push(artifact.name.clone());
    }
    Ok(report)
}

/// Every artifact that can be downloaded, each with its folder, oldest
/// first; for a name in several runs, the one of the earliest run folder.
fn available(store_run_dirs: &[PathBuf]) -> Result<Vec<(ArtifactInfo, PathBuf)>, String> {
    let mut available: Vec<(ArtifactInfo, PathBuf)> = Vec::new();
    for run_dir in store_run_dirs {
        for artifact in list(run_dir)? {
            if !available.iter().any(|(a, _)| a.name == artifact.name) {
                available.push((artifact, artifacts_dir(run_dir)));
            }
        }
    }
    available.sort_by(|(a, _), (b, _)| (&a.created, &a.name).cmp(&(&b.created, &b.name)));
    Ok(available)
}

/// `artifact `x` not found in run 7; artifacts: a, b`.
fn not_found(name: &str, store_run_dirs: &[PathBuf], available: &[(ArtifactInfo, PathBuf)]) -> String {
    let run = store_run_dirs
        .first()
        .and_then(|d| d.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut names: Vec<&str> = available.iter().map(|(a, _)| a.name.as_str()).collect();
    names.sort_unstable();
    if names.is_empty() {
        format!("artifact `{name}` not found in run {run}; the run has no artifacts")
    } else {
        format!(
            "artifact `{name}` not found in run {run}; artifacts: {}",
            names.join(", ")
        )
    }
}
