//! The record of each stored artifact: a small JSON manifest beside its
//! zip archive (`<name>.json` and `<name>.zip` in the run's `artifacts/`
//! folder). One file per artifact, written by rename, so that the legs of
//! a matrix can upload at the same time without sharing an index.

use super::name::validate_name;
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One stored artifact, as `mlci artifacts ls --json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactInfo {
    pub name: String,
    /// Bytes of the zip archive (what GitHub reports as an artifact's size).
    pub size: u64,
    /// SHA-256 of the zip archive, hex (upload-artifact's `artifact-digest`).
    pub sha256: String,
    /// How many files the archive holds.
    pub files: usize,
    /// When it was uploaded (RFC 3339, UTC).
    pub created: String,
    /// Recorded as asked; mlci does not delete expired artifacts.
    pub retention_days: u32,
    /// `created` plus `retention_days`.
    pub expires: String,
}

/// `<run dir>/artifacts`.
pub(super) fn artifacts_dir(store_run_dir: &Path) -> PathBuf {
    store_run_dir.join("artifacts")
}

pub(super) fn zip_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.zip"))
}

fn manifest_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.json"))
}

/// Every artifact of a run, oldest first (a run without any has none).
pub fn list(store_run_dir: &Path) -> Result<Vec<ArtifactInfo>, String> {
    let dir = artifacts_dir(store_run_dir);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot list the artifacts in `{}`: {e}", dir.display())),
    };
    let mut artifacts = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list the artifacts in `{}`: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "json") {
            artifacts.push(read_manifest(&path)?);
        }
    }
    artifacts.sort_by(|a, b| (&a.created, &a.name).cmp(&(&b.created, &b.name)));
    Ok(artifacts)
}

/// The artifact named `name` in `dir`, if there is one.
pub(super) fn find(dir: &Path, name: &str) -> Result<Option<ArtifactInfo>, String> {
    let path = manifest_path(dir, name);
    if !path.exists() {
        return Ok(None);
    }
    read_manifest(&path).map(Some)
}

fn read_manifest(path: &Path) -> Result<ArtifactInfo, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let info: ArtifactInfo = serde_json::from_str(&text)
        .map_err(|e| format!("the artifact manifest `{}` is not valid: {e}", path.display()))?;
    // The name makes the archive's path: it must not lead elsewhere.
    validate_name(&info.name).map_err(|e| format!("the artifact manifest `{}` is not valid: {e}", path.display()))?;
    if path.file_name() != Some(format!("{}.json", info.name).as_ref()) {
        return Err(format!(
            "the artifact manifest `{}` is not valid: it is for an artifact named `{}`",
            path.display(),
            info.name
        ));
    }
    Ok(info)
}

/// Writes the manifest of `info` (replacing any) through a temporary file
/// and a rename, so a reader never sees half of it.
pub(super) fn write_manifest(dir: &Path, info: &ArtifactInfo) -> Result<(), String> {
    let path = manifest_path(dir, &info.name);
    let temporary = dir.join(format!("{}.json.tmp-{}", info.name, std::process::id()));
    let text = serde_json::to_string_pretty(info).map_err(|e| e.to_string())? + "\n";
    fs::write(&temporary, text)
        .and_then(|()| fs::rename(&temporary, &path))
        .map_err(|e| {
            let _ = fs::remove_file(&temporary);
            format!("cannot write `{}`: {e}", path.display())
        })
}

/// An exclusive lock on a run's artifacts folder, held while a name is
/// checked and taken; the kernel drops it if mlci dies.
pub(super) struct Lock {
    _file: File,
}

impl Lock {
    pub(super) fn acquire(dir: &Path) -> Result<Lock, String> {
        use std::os::fd::AsRawFd;
        let path = dir.join(".lock");
        let cannot = |e: std::io::Error| format!("cannot lock `{}`: {e}", path.display());
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(cannot)?;
        loop {
            // SAFETY: flock on a file descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                break;
            }
            let error = std::io::Error::last_os_error();
            if error.kind() != std::io::ErrorKind::Interrupted {
                return Err(cannot(error));
            }
        }
        let _ = file.flush();
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, created: &str) -> ArtifactInfo {
        ArtifactInfo {
            name: name.into(),
            size: 10,
            sha256: "ab".into(),
            files: 1,
            created: created.into(),
            retention_days: 90,
            expires: "2025-04-02T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn manifests_round_trip_and_list_oldest_first() {
        let run = tempfile::tempdir().expect("a temporary directory");
        assert_eq!(list(run.path()), Ok(vec![]));
        let dir = artifacts_dir(run.path());
        fs::create_dir_all(&dir).expect("create folders");
        let newer = info("b.json", "2025-01-02T00:00:01.000Z");
        let older = info("z", "2025-01-02T00:00:00.000Z");
        write_manifest(&dir, &newer).expect("write");
        write_manifest(&dir, &older).expect("write");
        assert_eq!(list(run.path()), Ok(vec![older.clone(), newer]));
        assert_eq!(find(&dir, "z"), Ok(Some(older)));
        assert_eq!(find(&dir, "y"), Ok(None));
    }

    #[test]
    fn a_manifest_naming_another_path_is_refused() {
        let run = tempfile::tempdir().expect("a temporary directory");
        let dir = artifacts_dir(run.path());
        fs::create_dir_all(&dir).expect("create folders");
        let mut evil = serde_json::to_value(info("x", "t")).expect("json");
        evil["name"] = "../../x".into();
        fs::write(dir.join("x.json"), evil.to_string()).expect("write");
        let error = list(run.path()).expect_err("refused");
        assert!(error.ends_with("x.json` is not valid: the artifact name `../../x` is not valid: it contains a forward slash /; artifact names cannot contain double quote \", colon :, less than <, greater than >, vertical bar |, asterisk *, question mark ?, carriage return \\r, line feed \\n, backslash \\, forward slash /"), "{error}");
        fs::write(
            dir.join("x.json"),
            serde_json::to_string(&info("y", "t")).expect("json"),
        )
        .expect("write");
        let error = list(run.path()).expect_err("refused");
        assert!(
            error.ends_with("x.json` is not valid: it is for an artifact named `y`"),
            "{error}"
        );
        fs::write(dir.join("x.json"), "{").expect("write");
        assert!(list(run.path()).is_err());
    }
}
