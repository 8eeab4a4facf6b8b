//! Finding the workflow files a command works on.

use super::{exit, output};
use crate::check::{analyze_file, Analysis};
use crate::load::discover;
use std::path::{Path, PathBuf};

/// The valid workflows of a folder, and how many of its files were not.
pub struct Loaded {
    /// Every analysis without an error, in file order.
    pub valid: Vec<Analysis>,
    /// Files skipped because of an error (already reported).
    pub invalid_files: usize,
}

impl Loaded {
    /// The exit code of a command that went on without the invalid files:
    /// its own, unless that says success or "nothing triggered" while a
    /// file was skipped; then INVALID, since the skipped file might have
    /// run. A worse result of the rest (a failed or cancelled run) wins.
    pub fn exit_code(invalid_files: usize, code: i32) -> i32 {
        if invalid_files > 0 && (code == exit::SUCCESS || code == exit::NOTHING_TRIGGERED) {
            exit::INVALID
        } else {
            code
        }
    }
}

/// The checked workflows at `path` (default `.github/workflows/`), for
/// `plan`, `list` and `run`. Every diagnostic is printed; a file with an
/// error is left out and the rest go on, as on GitHub, where one broken
/// workflow does not stop the others. Only when no file is valid is that
/// the exit code at once.
pub fn load_valid(path: Option<&Path>) -> Result<Loaded, i32> {
    let paths = vec![path.map_or_else(|| PathBuf::from(".github/workflows"), Path::to_path_buf)];
    let analyses: Vec<_> = find_all(&paths)?.iter().map(|f| analyze_file(f)).collect();
    output::print_diagnostics(&analyses);
    let total = analyses.len();
    let valid: Vec<Analysis> = analyses.into_iter().filter(|a| !a.has_errors()).collect();
    let invalid_files = total - valid.len();
    if valid.is_empty() {
        return Err(exit::INVALID);
    }
    if invalid_files > 0 {
        let files = if invalid_files == 1 { "file" } else { "files" };
        eprintln!(
            "note: {invalid_files} invalid workflow {files} left out; going on with the other {}",
            valid.len()
        );
    }
    Ok(Loaded { valid, invalid_files })
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
