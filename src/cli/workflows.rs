//! Finding the workflow files a command works on.

use super::exit;
use crate::load::discover;
use std::path::{Path, PathBuf};

/// The workflow files at `path` (default `.github/workflows/`); on error,
/// prints it and gives the exit code.
pub fn find(path: Option<&Path>) -> Result<Vec<PathBuf>, i32> {
    let paths = vec![path.map_or_else(|| PathBuf::from(".github/workflows"), Path::to_path_buf)];
    find_all(&paths)
}

pub fn find_all(paths: &[PathBuf]) -> Result<Vec<PathBuf>, i32> {
    let files = discover(paths).map_err(|e| {
        eprintln!("error: {e}");
        exit::INVALID
    })?;
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!("error: no workflow files (*.yml, *.yaml) in {}", shown.join(", "));
        return Err(exit::INVALID);
    }
    Ok(files)
}
