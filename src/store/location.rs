//! Where the run store lives when `--store` is not given.

use std::path::{Path, PathBuf};

/// The folder name of the run store.
const STORE_DIR: &str = ".mlci";

/// `.mlci` at the root of the git repository around the current directory,
/// else `.mlci` in the current directory. `mlci run` records there and
/// `runs`, `show` and `logs` read there, from any folder of the repository.
pub fn default_store_dir() -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) => store_dir_for(&cwd),
        Err(_) => PathBuf::from(STORE_DIR),
    }
}

/// The default store for a command started in `dir`.
pub fn store_dir_for(dir: &Path) -> PathBuf {
    let root = git2::Repository::discover(dir)
        .ok()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf));
    root.unwrap_or_else(|| dir.to_path_buf()).join(STORE_DIR)
}
