//! Finding the workflow files a command works on.

use super::{exit, output};
use crate::check::{analyze_file, Analysis};
use crate::load::discover;
use std::path::{Path, PathBuf};

/// The checked workflows at `path` (default `.github/workflows/`), for
/// commands that need them all valid: any diagnostic is printed, and an
/// error gives the exit code instead.
pub fn load_valid(path: Option<&Path>) -> Result<Vec<Analysis>, i32> {
    let paths = vec![path.map_or_else(|| PathBuf::from(".github/workflows"), Path::to_path_buf)];
    let analyses: Vec<_> = find_all(&paths)?.iter().map(|f| analyze_file(f)).collect();
    if output::print_diagnostics(&analyses) > 0 {
        return Err(exit::INVALID);
    }
    Ok(analyses)
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
