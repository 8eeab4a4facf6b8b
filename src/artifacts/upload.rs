//! `actions/upload-artifact`: find the files, check the name, write the
//! archive beside the run's other artifacts and record it.

use super::archive::write_zip;
use super::manifest::{artifacts_dir, find, write_manifest, zip_path, ArtifactInfo, Lock};
use super::name::{validate_file_path, validate_name};
use super::options::{IfNoFiles, UploadOptions};
use super::search::{find_files, Root};
use chrono::{SecondsFormat, Utc};
use std::fs;
use std::path::{Path, PathBuf};

/// The retention of an artifact when none is asked for, and the most
/// allowed (GitHub's default repository setting).
pub const MAX_RETENTION_DAYS: u32 = 90;

/// What an upload did. `files` is 0 when nothing matched and no artifact
/// was made (then `warnings` says so unless `if-no-files-found: ignore`).
#[derive(Clone, Debug, PartialEq)]
pub struct UploadReport {
    pub name: String,
    pub files: usize,
    /// Bytes of the zip archive.
    pub size: u64,
    /// SHA-256 of the zip archive, hex (the `artifact-digest` output).
    pub sha256: String,
    /// Lines for the step's log, each a `::warning::` on GitHub.
    pub warnings: Vec<String>,
}

/// Where an upload reads from: the job's workspace and home folder, as the
/// job sees them, and the folders its files may be read below.
#[derive(Clone, Debug)]
pub struct UploadSource {
    pub workspace: PathBuf,
    pub home: Option<PathBuf>,
    pub roots: Vec<Root>,
}

impl UploadSource {
    /// A folder of the user's own, read as a host job's workspace: only
    /// what is below it.
    pub fn folder(path: &Path) -> Result<UploadSource, String> {
        let path = &super::paths::absolute(path)?;
        let dir = cap_std::fs::Dir::open_ambient_dir(path, cap_std::ambient_authority())
            .map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
        Ok(UploadSource {
            workspace: path.to_path_buf(),
            home: None,
            roots: vec![Root {
                seen: path.to_path_buf(),
                dir: std::sync::Arc::new(dir),
            }],
        })
    }
}

/// Uploads the files of `options.path` (relative to the workspace) as the
/// artifact `options.name` of the run whose store folder is `store_run_dir`.
pub fn upload(store_run_dir: &Path, source: &UploadSource, options: &UploadOptions) -> Result<UploadReport, String> {
    let search = find_files(
        &options.path,
        &source.workspace,
        source.home.as_deref(),
        &source.roots,
        options.include_hidden_files,
    )?;
    let mut report = UploadReport {
        name: options.name.clone(),
        files: 0,
        size: 0,
        sha256: String::new(),
        warnings: search.warnings,
    };
    if search.files.is_empty() {
        let message = format!(
            "No files were found with the provided path: {}. No artifacts will be uploaded.",
            options.path.lines().map(str::trim).collect::<Vec<_>>().join(", ")
        );
        return match options.if_no_files_found {
            IfNoFiles::Error => Err(message),
            IfNoFiles::Warn => {
                report.warnings.push(message);
                Ok(report)
            }
            IfNoFiles::Ignore => Ok(report),
        };
    }
    // GitHub checks the name and the paths once it has files to upload.
    validate_name(&options.name)?;
    for found in &search.files {
        validate_file_path(&found.entry)?;
    }
    let retention_days = match options.retention_days {
        None | Some(0) => MAX_RETENTION_DAYS,
        Some(days) if days > MAX_RETENTION_DAYS => {
            report.warnings.push(format!(
                "Retention days cannot be greater than the maximum allowed retention set within the repository. \
                 Using {MAX_RETENTION_DAYS} instead."
            ));
            MAX_RETENTION_DAYS
        }
        Some(days) => days,
    };

    let dir = artifacts_dir(store_run_dir);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    // Refuse early, before a long compression, and again under the lock.
    refuse_existing(&dir, options)?;
    let temporary = Temporary(dir.join(format!("{}.zip.tmp-{}-{}", options.name, std::process::id(), unique())));
    let written = write_zip(&search.files, options.compression_level, &temporary.0)?;

    let _lock = Lock::acquire(&dir)?;
    refuse_existing(&dir, options)?;
    let created = Utc::now();
    let info = ArtifactInfo {
        name: options.name.clone(),
        size: written.size,
        sha256: written.sha256,
        files: search.files.len(),
        // Nanoseconds: uploads one after another keep their order.
        created: created.to_rfc3339_opts(SecondsFormat::Nanos, true),
        retention_days,
        expires: (created + chrono::Duration::days(i64::from(retention_days)))
            .to_rfc3339_opts(SecondsFormat::Nanos, true),
    };
    let archive = zip_path(&dir, &options.name);
    fs::rename(&temporary.0, &archive).map_err(|e| format!("cannot write `{}`: {e}", archive.display()))?;
    write_manifest(&dir, &info)?;
    report.files = info.files;
    report.size = info.size;
    report.sha256 = info.sha256;
    Ok(report)
}

/// v4 artifacts are immutable: a second upload of a name fails unless it
/// asks to overwrite (then the new archive replaces the old one).
fn refuse_existing(dir: &Path, options: &UploadOptions) -> Result<(), String> {
    if options.overwrite || find(dir, &options.name)?.is_none() {
        return Ok(());
    }
    Err(format!(
        "an artifact named `{}` already exists in this run; artifacts cannot be changed once uploaded \
         (give this one another name, or set `overwrite: true` to replace it)",
        options.name
    ))
}

/// A number no other upload of this process uses at the same time.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The archive being written; removed unless it was renamed into place.
struct Temporary(PathBuf);

impl Drop for Temporary {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
