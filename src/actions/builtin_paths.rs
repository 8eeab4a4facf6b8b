//! The file side of the built-ins that take paths: which folders an upload
//! reads, where a download writes, and the gate's metrics file, each path
//! resolved as the job sees it ([`JobFiles`]). The container's own files
//! pass through a staging folder of mlci's; mounted folders are reached
//! below their roots.

use super::job_files::{last_name, open_dir, JobFiles, Staged};
use super::job_paths::JobPath;
use crate::artifacts::{
    download, search_roots, upload, DownloadOptions, DownloadReport, DownloadTarget, Root, UploadOptions, UploadReport,
    UploadSource,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `actions/upload-artifact`: the job's mounted folders are read in place;
/// search paths outside them are copied out of the job first.
pub async fn upload_from_job(
    files: &JobFiles<'_>,
    run_dir: PathBuf,
    options: UploadOptions,
) -> Result<UploadReport, String> {
    let workspace = files.paths.workspace().to_path_buf();
    let home = files.paths.home().map(Path::to_path_buf);
    let mut roots = Vec::new();
    for mount in files.paths.mounts() {
        roots.push(Root {
            seen: mount.seen.clone(),
            dir: Arc::new(open_dir(&mount.host)?),
        });
    }
    let mut staged: Option<Staged> = None;
    for searched in search_roots(&options.path, &workspace, home.as_deref())? {
        if files.paths.mount_of(&searched).is_some() {
            continue;
        }
        last_name(&searched).map_err(|e| format!("upload-artifact: {e}; name the files to upload"))?;
        if staged.is_none() {
            staged = Some(files.stage()?);
        }
        if let Some(into) = &staged {
            files.fetch_into(&searched, into).await?;
        }
    }
    if let Some(staged) = &staged {
        roots.push(Root {
            seen: PathBuf::from("/"),
            dir: Arc::new(staged.dir()?),
        });
    }
    let source = UploadSource { workspace, home, roots };
    blocking(move || {
        let report = upload(&run_dir, &source, &options);
        drop(staged);
        report
    })
    .await
}

/// `actions/download-artifact`: into a mounted folder below its root; into
/// the container's own folder through a staging copy.
pub async fn download_into_job(
    files: &JobFiles<'_>,
    runs: Vec<PathBuf>,
    options: DownloadOptions,
) -> Result<DownloadReport, String> {
    match files.resolve("path", &options.path)? {
        JobPath::Mounted {
            seen,
            host_root,
            relative,
        } => {
            let target = DownloadTarget {
                dir: open_dir(&host_root)?,
                relative,
                seen,
            };
            blocking(move || download(&runs, &target, &options)).await
        }
        JobPath::Own { seen } => {
            let staged = files.stage()?;
            let target = DownloadTarget {
                dir: staged.dir()?,
                relative: PathBuf::from(last_name(&seen)?),
                seen: seen.clone(),
            };
            let report = blocking(move || download(&runs, &target, &options)).await?;
            files.put(&staged, seen.parent().unwrap_or(Path::new("/"))).await?;
            Ok(report)
        }
    }
}

/// A copy of the job's file `raw` (the input `input`) in a staging folder
/// of mlci's, for the gate to read: `Ok(None)` when there is no such file.
pub async fn stage_file(files: &JobFiles<'_>, input: &str, raw: &str) -> Result<Option<(Staged, PathBuf)>, String> {
    let staged = files.stage()?;
    match files.resolve(input, raw)? {
        JobPath::Mounted {
            host_root, relative, ..
        } => {
            // Named as the job named it: the gate's messages show the name.
            let copy = staged
                .path
                .join(relative.file_name().unwrap_or(std::ffi::OsStr::new("file")));
            let bytes = match open_dir(&host_root)?.read(&relative) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(format!("cannot read {raw}: {e}")),
            };
            std::fs::write(&copy, bytes).map_err(|e| format!("cannot write {}: {e}", copy.display()))?;
            Ok(Some((staged, copy)))
        }
        JobPath::Own { seen } => {
            if !files.fetch_into(&seen, &staged).await? {
                return Ok(None);
            }
            let copy = staged.path.join(seen.strip_prefix("/").unwrap_or(&seen));
            // Not `is_file`: a link copied out of the container is never
            // followed on the host.
            let plain = std::fs::symlink_metadata(&copy).is_ok_and(|m| m.is_file());
            Ok(plain.then_some((staged, copy)))
        }
    }
}

/// Runs file work off the async threads (a 1 GB checkpoint takes seconds).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("a built-in action stopped unexpectedly: {e}"))?
}
