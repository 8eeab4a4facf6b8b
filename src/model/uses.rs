//! What a step's `uses:` names, read as GitHub's runner reads it: a local
//! action (`./path`), an image (`docker://IMAGE`), or a published action
//! (`OWNER/REPO[/PATH]@REF`).

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uses {
    /// `./path/to/action`, in the workspace.
    Local(String),
    /// `docker://IMAGE`.
    Image(String),
    Published(ActionRef),
}

/// `OWNER/REPO[/PATH]@REF`: REF is a tag, a branch or a commit SHA.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActionRef {
    pub owner: String,
    pub repo: String,
    /// The action's folder inside the repository, if not its root.
    pub path: Option<String>,
    pub git_ref: String,
}

impl Uses {
    /// Splits as GitHub's runner does; the error is its own wording.
    pub fn parse(uses: &str) -> Result<Uses, String> {
        if let Some(image) = uses.strip_prefix("docker://") {
            return Ok(Uses::Image(image.to_string()));
        }
        if uses.starts_with("./") || uses.starts_with(".\\") {
            return Ok(Uses::Local(uses.to_string()));
        }
        let bad = || format!("Expected format {{org}}/{{repo}}[/path]@ref. Actual '{uses}'");
        let (name, git_ref) = uses.split_once('@').ok_or_else(bad)?;
        if git_ref.is_empty() || git_ref.contains('@') {
            return Err(bad());
        }
        let mut segments = name.split(['/', '\\']).filter(|s| !s.is_empty());
        let (Some(owner), Some(repo)) = (segments.next(), segments.next()) else {
            return Err(bad());
        };
        let path: Vec<&str> = segments.collect();
        Ok(Uses::Published(ActionRef {
            owner: owner.to_string(),
            repo: repo.to_string(),
            path: (!path.is_empty()).then(|| path.join("/")),
            git_ref: git_ref.to_string(),
        }))
    }
}

impl ActionRef {
    /// `OWNER/REPO`, the repository the action lives in.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// `OWNER/REPO[/PATH]`, the action's name without its ref.
    pub fn name(&self) -> String {
        match &self.path {
            Some(path) => format!("{}/{}/{path}", self.owner, self.repo),
            None => self.repository(),
        }
    }
}

impl fmt::Display for ActionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name(), self.git_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published(uses: &str) -> ActionRef {
        match Uses::parse(uses).unwrap() {
            Uses::Published(action) => action,
            other => panic!("{uses}: {other:?}"),
        }
    }

    #[test]
    fn published_actions_split_into_owner_repo_path_and_ref() {
        let checkout = published("actions/checkout@v4");
        assert_eq!(
            (
                checkout.owner.as_str(),
                checkout.repo.as_str(),
                checkout.path,
                checkout.git_ref.as_str()
            ),
            ("actions", "checkout", None, "v4")
        );
        let restore = published("actions/cache/restore@0c45773b623bea8c8e75f6c82b208c3cf94ea4f9");
        assert_eq!(restore.path.as_deref(), Some("restore"));
        assert_eq!(restore.name(), "actions/cache/restore");
        assert_eq!(
            restore.to_string(),
            "actions/cache/restore@0c45773b623bea8c8e75f6c82b208c3cf94ea4f9"
        );
        assert_eq!(published("o/r/a/b@main").path.as_deref(), Some("a/b"));
    }

    #[test]
    fn local_and_image_steps_are_told_apart() {
        assert_eq!(
            Uses::parse("./.github/actions/x").unwrap(),
            Uses::Local("./.github/actions/x".into())
        );
        assert_eq!(
            Uses::parse("docker://alpine:3.19").unwrap(),
            Uses::Image("alpine:3.19".into())
        );
    }

    #[test]
    fn a_malformed_uses_gets_githubs_error() {
        for bad in [
            "actions/checkout",
            "checkout@v4",
            "actions/checkout@",
            "a/b@c@d",
            "/x@v1",
        ] {
            assert_eq!(
                Uses::parse(bad).unwrap_err(),
                format!("Expected format {{org}}/{{repo}}[/path]@ref. Actual '{bad}'"),
                "{bad}"
            );
        }
    }
}
