//! Artifacts: `actions/upload-artifact` and `actions/download-artifact`
//! (v4's rules, and v3's inputs, which are a subset), built in. Each
//! artifact is a zip archive in the run store with a manifest beside it:
//!
//! ```text
//! <store>/runs/<run>/artifacts/
//!   <name>.zip     the files, paths relative to the artifact's root folder
//!   <name>.json    name, size and SHA-256 of the zip, file count, created, retention
//!   .lock          taken while a name is checked and claimed
//! ```
//!
//! The layout follows GitHub exactly (gha-semantics.md §4 in the shared
//! reference): the root is the least common ancestor of the search paths,
//! or a single file's folder, so `path: models/` uploaded and downloaded
//! with `path: models/` gives `models/<files>`. Paths are the job's own
//! (`/github/workspace/…` in a container; see `actions::job_paths`).
//! Symbolic links are followed on upload while they stay inside the folder
//! they are in (the workspace, or the container's folder copied out); a link
//! that leads out of it is skipped with a warning, never followed to the
//! host. mlci's archives never hold links. Files
//! that do not compress are stored, not deflated, and come out of a
//! download through the kernel's `copy_file_range`.
//!
//! This module knows nothing of the SQLite store: a run's folder is all it
//! needs, so it works the same for `mlci run` and for a rerun reading the
//! artifacts of the run it resumes.

mod archive;
mod download;
mod extract;
mod inputs;
mod manifest;
mod name;
mod name_pattern;
mod options;
mod paths;
mod pattern;
mod search;
mod upload;

pub use download::{download, DownloadReport, DownloadTarget};
pub use manifest::{list, ArtifactInfo};
pub use name::validate_name;
pub use options::{DownloadOptions, IfNoFiles, UploadOptions};
pub use search::{search_roots, Root};
pub use upload::{upload, UploadReport, UploadSource, MAX_RETENTION_DAYS};

#[cfg(test)]
mod bench;
#[cfg(test)]
mod download_tests;
#[cfg(test)]
mod upload_tests;
