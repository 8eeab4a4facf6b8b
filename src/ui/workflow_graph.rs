//! The job graph of a run recorded before schema 6, which stored job legs
//! but not their `needs:`: the edges come from the workflow file at the
//! run's commit (in the git repository around the store), else the file as
//! it is on disk. Such a run whose workflow cannot be found is drawn
//! without edges. Newer runs carry their graph (`Store::run_needs`).

use crate::diag::SourceFile;
use crate::store::{JobNeeds, RunRow};
use std::path::Path;
use std::sync::Arc;

/// Each job id of the workflow with the jobs it needs.
pub fn needs_of(store_dir: &Path, run: &RunRow) -> Option<JobNeeds> {
    let text = at_commit(store_dir, run).or_else(|| on_disk(store_dir, &run.path))?;
    let (workflow, _) = crate::model::read_workflow(Arc::new(SourceFile::new(&run.path, text)));
    let workflow = workflow?;
    Some(
        workflow
            .jobs
            .iter()
            .map(|job| {
                let needs = job.needs.iter().map(|n| n.value.clone()).collect();
                (job.id.value.clone(), needs)
            })
            .collect(),
    )
}

/// The file `run.path` in the commit `run.sha` of the repository around the store.
fn at_commit(store_dir: &Path, run: &RunRow) -> Option<String> {
    let repo = git2::Repository::discover(store_dir).ok()?;
    let oid = git2::Oid::from_str(&run.sha).ok()?;
    let tree = repo.find_commit(oid).ok()?.tree().ok()?;
    let relative = run.path.trim_start_matches("./");
    let entry = tree.get_path(Path::new(relative)).ok()?;
    let blob = repo.find_blob(entry.id()).ok()?;
    std::str::from_utf8(blob.content()).ok().map(str::to_string)
}

fn on_disk(store_dir: &Path, path: &str) -> Option<String> {
    let root = store_dir.parent()?;
    let file = Path::new(path);
    let full = if file.is_absolute() {
        file.to_path_buf()
    } else {
        root.join(file)
    };
    std::fs::read_to_string(full).ok()
}
