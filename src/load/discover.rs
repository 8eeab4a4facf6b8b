//! Finding workflow files: explicit files, or every `*.yml`/`*.yaml` in a
//! folder (by default `.github/workflows/`), in name order.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    #[error("failed to read folder {path}")]
    ReadDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DiscoverError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(workflows_in(path)?);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(DiscoverError::NotFound(path.clone()));
        }
    }
    Ok(files)
}

fn workflows_in(dir: &Path) -> Result<Vec<PathBuf>, DiscoverError> {
    let read_error = |source| DiscoverError::ReadDir {
        path: dir.to_path_buf(),
        source,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        let is_yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"));
        if is_yaml && path.is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}
