//! The host backend's `copy_out` and `copy_in`: on the host a job's own
//! files are the host's (as on a GitHub self-hosted runner), so these are
//! plain copies. The path the job named is resolved as the host resolves it;
//! below it, links are copied as links and never followed.

use crate::backend::BackendError;
use crate::exec::dir_copy::{copy_tree, Spot};
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use std::io;
use std::path::{Path, PathBuf};

fn failed(what: &str, path: &Path, e: io::Error) -> BackendError {
    BackendError::Other(format!("failed to {what} {}: {e}", path.display()))
}

fn open(path: &Path) -> Result<Dir, BackendError> {
    Dir::open_ambient_dir(path, ambient_authority()).map_err(|e| failed("open", path, e))
}

/// Copies `path` to `into/<its name>`; Ok(false) when nothing is there.
pub(crate) fn copy_out(path: &Path, into: &Path) -> Result<bool, BackendError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(failed("read", path, e)),
    }
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(BackendError::Other(format!(
            "cannot copy `{}`: name a file or folder, not the root",
            path.display()
        )));
    };
    let parent = std::fs::canonicalize(parent).map_err(|e| failed("resolve", parent, e))?;
    let (from, to) = (open(&parent)?, open(into)?);
    copy_tree(Spot::new(&from, Path::new(name)), Spot::new(&to, Path::new(name)))
        .map_err(|e| BackendError::Other(e.to_string()))?;
    Ok(true)
}

/// Copies the contents of `from` into `dir`, creating `dir` when missing.
pub(crate) fn copy_in(from: &Path, dir: &Path) -> Result<(), BackendError> {
    std::fs::create_dir_all(dir).map_err(|e| failed("create", dir, e))?;
    let (source, target) = (open(from)?, open(dir)?);
    for entry in std::fs::read_dir(from).map_err(|e| failed("read", from, e))? {
        let name = entry.map_err(|e| failed("read", from, e))?.file_name();
        // A folder of the host's that is a link (`~/.cache` → a bigger
        // disk) is the user's own set-up: the copy goes where it leads.
        let (staged, dest) = (from.join(&name), dir.join(&name));
        let linked_folder = std::fs::symlink_metadata(&dest).is_ok_and(|m| m.is_symlink())
            && dest.is_dir()
            && std::fs::symlink_metadata(&staged).is_ok_and(|m| m.is_dir());
        if linked_folder {
            copy_in(&staged, &dest)?;
            continue;
        }
        copy_tree(
            Spot::new(&source, Path::new(&name)),
            Spot::new(&target, Path::new(&name)),
        )
        .map_err(|e| BackendError::Other(e.to_string()))?;
    }
    Ok(())
}

/// `$HOME` of this process: a host job's `~`.
pub(crate) fn home() -> Result<String, BackendError> {
    std::env::var("HOME")
        .ok()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| BackendError::Other("HOME is not set, so `~` means nothing on this host".into()))
}

/// Runs a copy off the async threads: a cache can be gigabytes.
/// [`copy_out`] off the async threads: the host's `JobEnv::copy_out`.
pub(crate) async fn copy_out_of_job(path: &str, into: &Path) -> Result<bool, BackendError> {
    let (path, into) = (PathBuf::from(path), into.to_path_buf());
    blocking(move || copy_out(&path, &into)).await
}

/// [`copy_in`] off the async threads: the host's `JobEnv::copy_in`.
pub(crate) async fn copy_into_job(from: &Path, dir: &str) -> Result<(), BackendError> {
    let (from, dir) = (from.to_path_buf(), PathBuf::from(dir));
    blocking(move || copy_in(&from, &dir)).await
}

pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BackendError> + Send + 'static,
) -> Result<T, BackendError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BackendError::Other(format!("a copy stopped unexpectedly: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_host_folder_that_is_a_link_is_copied_into_where_it_leads() {
        let dir = tempfile::tempdir().unwrap();
        let (home, disk, staged) = (
            dir.path().join("home"),
            dir.path().join("disk"),
            dir.path().join("staged"),
        );
        fs::create_dir_all(&home).unwrap();
        fs::create_dir_all(&disk).unwrap();
        symlink(&disk, home.join(".cache")).unwrap();
        fs::create_dir_all(staged.join(".cache/pip")).unwrap();
        fs::write(staged.join(".cache/pip/wheel"), "whl").unwrap();

        copy_in(&staged, &home).unwrap();

        assert!(
            fs::symlink_metadata(home.join(".cache")).unwrap().is_symlink(),
            "the link stays"
        );
        assert_eq!(fs::read_to_string(disk.join("pip/wheel")).unwrap(), "whl");
    }

    #[test]
    fn copy_out_keeps_a_link_and_says_when_nothing_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let (into, victim) = (dir.path().join("into"), dir.path().join("victim"));
        fs::create_dir_all(&into).unwrap();
        fs::write(&victim, "x").unwrap();
        symlink(&victim, dir.path().join("link")).unwrap();
        assert!(copy_out(&dir.path().join("link"), &into).unwrap());
        assert_eq!(fs::read_link(into.join("link")).unwrap(), victim);
        assert!(!copy_out(&dir.path().join("missing"), &into).unwrap());
    }
}
