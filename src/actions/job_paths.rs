//! Paths in `with:` inputs, resolved as the job sees them. In a Docker job
//! `${{ github.workspace }}/models` is `/github/workspace/models` and `~` is
//! the home of the container's user; on the host backend both are host
//! paths. [`JobPaths`] maps such a path to one of two places:
//!
//! - [`JobPath::Mounted`]: inside a folder the job shares with the host (its
//!   workspace or its runner temp), reached below that folder through cap-std
//!   so that no link can lead out of it;
//! - [`JobPath::Own`]: anywhere else, which is the job's own file (the
//!   container's, read and written through Docker's archive API; on the host
//!   backend the host's, as on a GitHub self-hosted runner).
//!
//! A `..` that climbs out of a mounted folder is refused, whatever follows
//! it: `../../etc/passwd` from the workspace never means the container's
//! `/etc/passwd` by accident.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// One folder the job shares with the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// What the folder is, in messages: `the workspace`.
    pub name: &'static str,
    /// The path the job sees (`/github/workspace`).
    pub seen: PathBuf,
    /// The folder on the host.
    pub host: PathBuf,
}

/// Where a path a job names is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobPath {
    /// Inside a mounted folder: `relative` below `host_root` on the host.
    Mounted {
        seen: PathBuf,
        host_root: PathBuf,
        relative: PathBuf,
    },
    /// The job's own file, outside its mounts.
    Own { seen: PathBuf },
}

impl JobPath {
    /// The path as the job sees it, for messages and outputs.
    pub fn seen(&self) -> &Path {
        match self {
            JobPath::Mounted { seen, .. } | JobPath::Own { seen } => seen,
        }
    }
}

/// A path a job may not name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("the `{input}` input `{path}` climbs out of {mount} ({seen}) with `..`; name a path inside it, or an absolute path")]
    Escape {
        input: String,
        path: String,
        mount: &'static str,
        seen: String,
    },
    #[error("the `{input}` input `{path}` starts with `~`, but the job's home folder is unknown (HOME is not set)")]
    NoHome { input: String, path: String },
}

/// The job's mounted folders and home, as the job sees them.
#[derive(Clone, Debug)]
pub struct JobPaths {
    mounts: Vec<Mount>,
    home: Option<PathBuf>,
}

impl JobPaths {
    /// `mounts[0]` is the workspace, against which relative paths resolve.
    pub fn new(workspace: Mount, others: Vec<Mount>, home: Option<PathBuf>) -> JobPaths {
        let mut mounts = vec![workspace];
        mounts.extend(others);
        JobPaths { mounts, home }
    }

    /// The workspace as the job sees it.
    pub fn workspace(&self) -> &Path {
        &self.mounts[0].seen
    }

    /// The mounted folders, the workspace first.
    pub fn mounts(&self) -> &[Mount] {
        &self.mounts
    }

    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// The mounted folder the job's path `seen` (absolute, folded) is in,
    /// the innermost one first.
    pub fn mount_of(&self, seen: &Path) -> Option<&Mount> {
        self.mounts
            .iter()
            .filter(|m| seen.starts_with(&m.seen))
            .max_by_key(|m| m.seen.components().count())
    }

    /// Resolves `raw`, the value of the input named `input`: `~` is the
    /// home folder, a relative path is in the workspace, `.` and `..` are
    /// folded by name (as Node's `path.resolve` does in the actions).
    pub fn resolve(&self, input: &str, raw: &str) -> Result<JobPath, PathError> {
        let absolute = self.absolute(input, raw)?;
        let mut parts: Vec<Component<'_>> = Vec::new();
        for component in absolute.components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir => {
                    let before: PathBuf = parts.iter().collect();
                    if parts.len() > 1 {
                        parts.pop();
                    }
                    let after: PathBuf = parts.iter().collect();
                    if let Some(mount) = self.mount_of(&before).filter(|m| !after.starts_with(&m.seen)) {
                        return Err(PathError::Escape {
                            input: input.to_string(),
                            path: raw.to_string(),
                            mount: mount.name,
                            seen: mount.seen.display().to_string(),
                        });
                    }
                }
                other => parts.push(other),
            }
        }
        let seen: PathBuf = parts.iter().collect();
        Ok(match self.mount_of(&seen) {
            Some(mount) => JobPath::Mounted {
                relative: seen.strip_prefix(&mount.seen).unwrap_or(Path::new("")).to_path_buf(),
                host_root: mount.host.clone(),
                seen,
            },
            None => JobPath::Own { seen },
        })
    }

    /// `raw` with `~` expanded and made absolute against the workspace.
    pub fn absolute(&self, input: &str, raw: &str) -> Result<PathBuf, PathError> {
        let tilde = raw == "~" || raw.starts_with("~/");
        if tilde {
            let home = self.home.as_ref().ok_or_else(|| PathError::NoHome {
                input: input.to_string(),
                path: raw.to_string(),
            })?;
            return Ok(home.join(raw[1..].trim_start_matches('/')));
        }
        Ok(self.workspace().join(raw))
    }
}

impl fmt::Display for Mount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.seen.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docker() -> JobPaths {
        JobPaths::new(
            Mount {
                name: "the workspace",
                seen: "/github/workspace".into(),
                host: "/srv/w/ws".into(),
            },
            vec![Mount {
                name: "the runner temp folder",
                seen: "/github/runner_temp".into(),
                host: "/srv/w/temp".into(),
            }],
            Some("/root".into()),
        )
    }

    fn mounted(seen: &str, host_root: &str, relative: &str) -> JobPath {
        JobPath::Mounted {
            seen: seen.into(),
            host_root: host_root.into(),
            relative: relative.into(),
        }
    }

    #[test]
    fn paths_are_resolved_as_the_container_sees_them() {
        let paths = docker();
        let resolve = |raw: &str| paths.resolve("path", raw).unwrap();
        assert_eq!(
            resolve("models"),
            mounted("/github/workspace/models", "/srv/w/ws", "models")
        );
        assert_eq!(
            resolve("/github/workspace/models/"),
            mounted("/github/workspace/models", "/srv/w/ws", "models")
        );
        assert_eq!(resolve("."), mounted("/github/workspace", "/srv/w/ws", ""));
        assert_eq!(
            resolve("a/./b/../c"),
            mounted("/github/workspace/a/c", "/srv/w/ws", "a/c")
        );
        assert_eq!(
            resolve("/github/runner_temp/x"),
            mounted("/github/runner_temp/x", "/srv/w/temp", "x")
        );
        assert_eq!(
            resolve("~/.cache/pip"),
            JobPath::Own {
                seen: "/root/.cache/pip".into()
            }
        );
        assert_eq!(
            resolve("/etc/hostname"),
            JobPath::Own {
                seen: "/etc/hostname".into()
            }
        );
        assert_eq!(resolve("/opt/../etc"), JobPath::Own { seen: "/etc".into() });
        assert_eq!(
            resolve("~user/x"),
            mounted("/github/workspace/~user/x", "/srv/w/ws", "~user/x"),
            "only `~` and `~/` are the home folder, as in the actions"
        );
        assert_eq!(
            resolve("/srv/w/ws/models"),
            JobPath::Own {
                seen: "/srv/w/ws/models".into()
            },
            "the host's path means nothing in the container"
        );
    }

    #[test]
    fn climbing_out_of_a_mount_is_refused() {
        let paths = docker();
        let error = paths.resolve("path", "../../../etc/passwd").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the `path` input `../../../etc/passwd` climbs out of the workspace (/github/workspace) \
             with `..`; name a path inside it, or an absolute path"
        );
        assert!(paths.resolve("path", "a/../../x").is_err());
        assert!(paths.resolve("path", "/github/runner_temp/../workspace/x").is_err());
        assert!(paths.resolve("path", "/github/workspace/a/../b").is_ok());
    }

    #[test]
    fn a_tilde_without_a_home_is_an_error() {
        let paths = JobPaths::new(
            Mount {
                name: "the workspace",
                seen: "/ws".into(),
                host: "/ws".into(),
            },
            Vec::new(),
            None,
        );
        assert_eq!(
            paths.resolve("path", "~/x").unwrap_err().to_string(),
            "the `path` input `~/x` starts with `~`, but the job's home folder is unknown (HOME is not set)"
        );
    }
}
