//! A job's files as the built-in actions reach them. A path the job names
//! is resolved by [`JobPaths`]; inside a mounted folder it is read and
//! written on the host below that folder through cap-std, and anywhere else
//! it is the job's own file, copied out of or into the job by its backend
//! (Docker's archive API for a container) through a staging folder of
//! mlci's own that no job can see.

use super::job_paths::{JobPath, JobPaths, Mount};
use crate::backend::{JobEnv, JobSpec};
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct JobFiles<'a> {
    pub paths: JobPaths,
    env: &'a dyn JobEnv,
    /// mlci's own folder beside the job's (never mounted into it).
    staging: PathBuf,
}

impl<'a> JobFiles<'a> {
    /// The job's files. `~` is `home` when the job's env sets `HOME`, else
    /// the home of the job's user as the backend reports it (unknown when
    /// it cannot: a path with `~` is then an error that says so). The
    /// backend is asked only when one of `inputs` has a `~` (in Docker it
    /// costs an exec).
    pub async fn of<'i>(
        env: &'a dyn JobEnv,
        spec: &JobSpec,
        home: Option<&str>,
        mut inputs: impl Iterator<Item = &'i str>,
    ) -> JobFiles<'a> {
        let home = match home.filter(|h| !h.is_empty()) {
            Some(home) => Some(home.to_string()),
            None if inputs.any(|input| input.contains('~')) => env.home().await.ok(),
            None => None,
        };
        let paths = JobPaths::new(
            Mount {
                name: "the workspace",
                seen: PathBuf::from(env.workspace()),
                host: spec.workspace.clone(),
            },
            vec![Mount {
                name: "the runner temp folder",
                seen: PathBuf::from(env.temp()),
                host: spec.temp.clone(),
            }],
            home.map(PathBuf::from),
        );
        let staging = staging_root(&spec.temp);
        JobFiles { paths, env, staging }
    }

    /// Resolves the input `input`'s value `raw` as the job sees it.
    pub fn resolve(&self, input: &str, raw: &str) -> Result<JobPath, String> {
        self.paths.resolve(input, raw).map_err(|e| e.to_string())
    }

    /// A new, empty staging folder, removed when dropped.
    pub fn stage(&self) -> Result<Staged, String> {
        Staged::new_in(&self.staging)
    }

    /// Copies the job's own file or folder `seen` into a new staging
    /// folder, as `<staged>/<its name>`; None when nothing is there.
    pub async fn fetch(&self, seen: &Path) -> Result<Option<Staged>, String> {
        let staged = self.stage()?;
        match self.env.copy_out(&seen.to_string_lossy(), &staged.path).await {
            Ok(true) => Ok(Some(staged)),
            Ok(false) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Copies the job's own `seen` into `staged` at the same path below it
    /// (`/etc/hostname` → `<staged>/etc/hostname`), so several paths can
    /// share one staging folder; false when nothing is there.
    pub async fn fetch_into(&self, seen: &Path, staged: &Staged) -> Result<bool, String> {
        let parent = seen.parent().unwrap_or(Path::new("/"));
        let into = staged.path.join(parent.strip_prefix("/").unwrap_or(parent));
        std::fs::create_dir_all(&into).map_err(|e| format!("cannot create {}: {e}", into.display()))?;
        self.env
            .copy_out(&seen.to_string_lossy(), &into)
            .await
            .map_err(|e| e.to_string())
    }

    /// Copies what is in `staged` into the job's own folder `seen_dir`.
    pub async fn put(&self, staged: &Staged, seen_dir: &Path) -> Result<(), String> {
        self.env
            .copy_in(&staged.path, &seen_dir.to_string_lossy())
            .await
            .map_err(|e| e.to_string())
    }
}

/// Opens `path`, a folder of mlci's or one the job shares, as the root of
/// what a built-in may touch there.
pub fn open_dir(path: &Path) -> Result<Dir, String> {
    Dir::open_ambient_dir(path, ambient_authority()).map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// mlci's staging folder beside a job's folder (its workspace or its temp
/// folder): never mounted into the job, and on the same file system, so
/// what is staged there can be renamed into place.
pub fn staging_root(job_folder: &Path) -> PathBuf {
    job_folder.with_file_name(".mlci-staging")
}

/// A staging folder; removed with its contents when dropped.
#[derive(Debug)]
pub struct Staged {
    pub path: PathBuf,
}

impl Staged {
    /// A new, empty staging folder under `root`.
    pub fn new_in(root: &Path) -> Result<Staged, String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = root.join(format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Staged { path })
    }

    pub fn dir(&self) -> Result<Dir, String> {
        open_dir(&self.path)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The name of the last part of `seen` (`pip` for `/root/.cache/pip`), as
/// a staged copy is named; an error for `/`.
pub fn last_name(seen: &Path) -> Result<&std::ffi::OsStr, String> {
    seen.file_name()
        .ok_or_else(|| format!("`{}` names no file or folder", seen.display()))
}
