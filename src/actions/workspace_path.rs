//! Paths that steps name relative to the workspace, resolved without touching
//! the disk, and checkout's refusal of a destination through a link.

use std::path::{Component, Path, PathBuf};

/// Folds `.` and `..` away by text alone, as `path.resolve` does in the
/// actions' JavaScript: `a/./b/../c` is `a/c`. A `..` above the root of an
/// absolute path stays at the root; a `..` above a relative path's start is
/// kept, so the caller can tell the path leaves where it started.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => parts.push(component),
            },
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

/// The folder `path` names inside `workspace`: relative to it, or absolute
/// but inside it. Anything else is refused with actions/checkout's own
/// wording, because a checkout clears its folder first.
pub(crate) fn under_workspace(workspace: &Path, path: &str) -> Result<PathBuf, String> {
    let workspace = normalize(workspace);
    let joined = normalize(&workspace.join(path));
    if joined.starts_with(&workspace) {
        Ok(joined)
    } else {
        Err(format!(
            "Repository path '{}' is not under '{}'",
            joined.display(),
            workspace.display()
        ))
    }
}

/// Refuses a destination inside the workspace that passes through a link
/// (`path: link/sub` with `link` → a host folder): clearing and writing it
/// would follow the link on the host. Only the part below the workspace is
/// checked; the workspace itself is mlci's.
pub(crate) fn refuse_links_below(workspace: &Path, dest: &Path, shown: &str) -> Result<(), String> {
    let workspace = normalize(workspace);
    let Ok(below) = dest.strip_prefix(&workspace) else {
        return Ok(());
    };
    let mut at = workspace.clone();
    for part in below.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "refusing to check out into `{shown}`: `{}` is a symbolic link, and mlci never writes through links in the workspace",
                    at.strip_prefix(&workspace).unwrap_or(&at).display()
                ));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_dots_by_text() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("/w/../../x")), PathBuf::from("/x"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new("a/../../x")), PathBuf::from("../x"));
    }

    #[test]
    fn a_path_must_stay_inside_the_workspace() {
        let ws = Path::new("/ws");
        assert_eq!(under_workspace(ws, "").unwrap(), PathBuf::from("/ws"));
        assert_eq!(under_workspace(ws, ".").unwrap(), PathBuf::from("/ws"));
        assert_eq!(under_workspace(ws, "src/../repo").unwrap(), PathBuf::from("/ws/repo"));
        assert_eq!(under_workspace(ws, "/ws/repo").unwrap(), PathBuf::from("/ws/repo"));
        assert_eq!(
            under_workspace(ws, "../x").unwrap_err(),
            "Repository path '/x' is not under '/ws'"
        );
        assert_eq!(
            under_workspace(ws, "/etc").unwrap_err(),
            "Repository path '/etc' is not under '/ws'"
        );
        assert!(under_workspace(ws, "/wsx").is_err());
    }

    #[test]
    fn a_checkout_through_a_link_in_the_workspace_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        std::fs::create_dir_all(ws.join("real")).unwrap();
        std::os::unix::fs::symlink(dir.path(), ws.join("link")).unwrap();
        assert_eq!(
            refuse_links_below(&ws, &ws.join("link/sub"), "link/sub").unwrap_err(),
            "refusing to check out into `link/sub`: `link` is a symbolic link, and mlci never writes through links in the workspace"
        );
        assert!(refuse_links_below(&ws, &ws.join("real/sub"), "real/sub").is_ok());
        assert!(refuse_links_below(&ws, &ws, "").is_ok());
    }
}
