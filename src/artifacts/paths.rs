//! Absolute paths with `.` and `..` resolved by their names, as Node's
//! `path.resolve` does, so that matching and the archive's paths see the
//! same names a user wrote.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against the current folder, `.` and `..` removed.
pub(super) fn absolute(path: &Path) -> Result<PathBuf, String> {
    let absolute = std::path::absolute(path).map_err(|e| format!("cannot resolve `{}`: {e}", path.display()))?;
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_resolved_by_name() {
        assert_eq!(absolute(Path::new("/a/./b/../c/")), Ok(PathBuf::from("/a/c")));
        assert_eq!(absolute(Path::new("/../x")), Ok(PathBuf::from("/x")));
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(absolute(Path::new("y")), Ok(cwd.join("y")));
    }
}
