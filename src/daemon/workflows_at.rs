//! The workflows of a repository at one commit, read from git's objects
//! rather than a working tree: a bare repository has none, and the tree the
//! user works in may be at another commit than the one pushed.

use crate::check::{analyze, Analysis};
use crate::diag::SourceFile;
use git2::{ObjectType, Oid, Repository};
use std::path::Path;
use std::sync::Arc;

/// Every `*.yml` and `*.yaml` file directly in `folder` (as GitHub reads
/// them: subfolders are not workflows) at commit `sha`, analysed, sorted by
/// path. A commit without the folder has no workflows.
pub fn workflows_at(repo: &Repository, sha: Oid, folder: &str) -> Result<Vec<Analysis>, git2::Error> {
    let tree = repo.find_commit(sha)?.tree()?;
    let folder = folder.trim_end_matches('/');
    let entry = match tree.get_path(Path::new(folder)) {
        Ok(entry) => entry,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let Some(dir) = entry.to_object(repo)?.into_tree().ok() else {
        return Ok(Vec::new());
    };
    let mut analyses = Vec::new();
    for item in dir.iter() {
        let Some(name) = item.name() else { continue };
        let is_workflow = name.ends_with(".yml") || name.ends_with(".yaml");
        if !is_workflow || item.kind() != Some(ObjectType::Blob) {
            continue;
        }
        let blob = item.to_object(repo)?.peel_to_blob()?;
        let text = String::from_utf8_lossy(blob.content()).into_owned();
        let path = format!("{folder}/{name}");
        analyses.push(analyze(Arc::new(SourceFile::new(path, text))));
    }
    analyses.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    Ok(analyses)
}

/// Why an analysed workflow cannot run, in one line: its first error as
/// `file:line:col: message` (`mlci validate` shows them all, with the source).
pub fn first_error(analysis: &Analysis) -> String {
    let path = analysis.source.path.display();
    match analysis.diagnostics.iter().find(|d| d.is_error()) {
        Some(d) => format!("{path}:{}:{}: {}", d.span.line, d.span.col, d.message),
        None => format!("{path} is invalid"),
    }
}

/// The name a workflow's commit status and runs go by: its `name:`, else
/// its path, also when it is invalid.
pub fn workflow_name(analysis: &Analysis) -> String {
    analysis
        .workflow
        .as_ref()
        .map_or_else(|| analysis.source.path.display().to_string(), |w| w.display_name())
}
