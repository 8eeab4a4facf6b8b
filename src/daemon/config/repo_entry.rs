//! `repos:`: the repositories the daemon watches, each a local `path:` or a
//! `url:` to mirror, with its name, default branch, workflows folder and
//! forge slug.

use super::load::ConfigReader;
use super::{RepoConfig, RepoSource};
use crate::diag::Span;
use crate::load::{Mapping, Node};
use std::collections::HashMap;
use std::path::{Component, Path};

const KEYS: &[&str] = &[
    "name",
    "path",
    "url",
    "token_file",
    "default_branch",
    "workflows",
    "slug",
    "allow",
];
const DEFAULT_WORKFLOWS: &str = ".github/workflows";
const URL_SCHEMES: &[&str] = &["file", "http", "https"];

impl ConfigReader {
    pub fn repos(&mut self, node: &Node) -> Vec<RepoConfig> {
        let Some(items) = self.reader.sequence(node, "`repos:`") else {
            return Vec::new();
        };
        if items.is_empty() {
            self.error(node.span, "`repos:` must list at least one repository");
        }
        // Name → the line it was first given on.
        let mut seen: HashMap<String, u32> = HashMap::new();
        items.iter().filter_map(|item| self.repo(item, &mut seen)).collect()
    }

    fn repo(&mut self, node: &Node, seen: &mut HashMap<String, u32>) -> Option<RepoConfig> {
        let m = self.reader.mapping(node, "a repository in `repos:`")?;
        let start = Span::point(node.span.line, node.span.col);
        let name = m.get("name").and_then(|n| self.repo_name(n, seen));
        let what = match &name {
            Some(name) => format!("repository `{name}`"),
            None => "this repository".to_string(),
        };
        self.reader.check_keys(m, KEYS, &what);
        self.reader.require_keys(m, &["name"], start, &what);
        let source = self.source(m, start, &what);
        let default_branch = m.get("default_branch").and_then(|n| self.branch(n, &what));
        let workflows = match m.get("workflows") {
            Some(n) => self.workflows_folder(n, &what),
            None => Some(DEFAULT_WORKFLOWS.to_string()),
        };
        let slug = m.get("slug").and_then(|n| self.slug(n, &what));
        let allow = m.get("allow").map(|n| self.allowances(n, &what)).unwrap_or_default();
        let name = name?;
        let slug = slug.unwrap_or_else(|| match &source {
            Some(RepoSource::Url { url, .. }) => slug_from_url(url).unwrap_or_else(|| name.clone()),
            _ => name.clone(),
        });
        Some(RepoConfig {
            name,
            source: source?,
            default_branch,
            workflows: workflows?,
            slug,
            allow,
        })
    }

    fn repo_name(&mut self, node: &Node, seen: &mut HashMap<String, u32>) -> Option<String> {
        let name = self.reader.non_empty_text(node, "a repository's `name:`")?.value;
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            self.error(
                node.span,
                format!("repository name `{name}` may hold only letters, digits, `.`, `_` and `-`"),
            );
            return None;
        }
        if let Some(first) = seen.get(&name) {
            self.error(
                node.span,
                format!("repository name `{name}` is used twice; the first is at line {first}"),
            );
        } else {
            seen.insert(name.clone(), node.span.line);
        }
        // Even a second use names the entry, so its other errors say which.
        Some(name)
    }

    /// `path:` (which must exist) or `url:` (with its `token_file:`).
    fn source(&mut self, m: &Mapping, start: Span, what: &str) -> Option<RepoSource> {
        let token = m.entry("token_file");
        let source = match (m.get("path"), m.entry("url")) {
            (Some(_), Some((url_key, _))) => {
                self.error(url_key.span, format!("{what} gives both `path:` and `url:`; give one"));
                return None;
            }
            (None, None) => {
                self.error(
                    start,
                    format!("{what} needs `path:` (a local repository) or `url:` (one to fetch)"),
                );
                return None;
            }
            (Some(path_node), None) => {
                if let Some((token_key, _)) = token {
                    let message = format!("`token_file:` of {what} is only for repositories with `url:`");
                    self.error(token_key.span, message);
                }
                let path = self.path(path_node, &format!("`path:` of {what}"))?;
                if !path.exists() {
                    self.error(
                        path_node.span,
                        format!("`path:` of {what}: {} does not exist", path.display()),
                    );
                    return None;
                }
                RepoSource::Path(path)
            }
            (None, Some((_, url_node))) => {
                let url = self.url(url_node, &format!("`url:` of {what}"), URL_SCHEMES);
                let token = match token {
                    Some((_, file)) => Some(self.secret_file(file, &format!("`token_file:` of {what}"))?),
                    None => None,
                };
                RepoSource::Url { url: url?, token }
            }
        };
        Some(source)
    }

    fn branch(&mut self, node: &Node, what: &str) -> Option<String> {
        let branch = self
            .reader
            .non_empty_text(node, &format!("`default_branch:` of {what}"))?
            .value;
        if !git2::Reference::is_valid_name(&format!("refs/heads/{branch}")) {
            self.error(
                node.span,
                format!("`default_branch:` of {what}: `{branch}` is not a valid branch name"),
            );
            return None;
        }
        Some(branch)
    }

    fn workflows_folder(&mut self, node: &Node, what: &str) -> Option<String> {
        let folder = self
            .reader
            .non_empty_text(node, &format!("`workflows:` of {what}"))?
            .value;
        let path = Path::new(&folder);
        let inside = path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            self.error(
                node.span,
                format!("`workflows:` of {what} must be a folder inside the repository, such as .github/workflows, but it is `{folder}`"),
            );
            return None;
        }
        Some(folder.trim_end_matches('/').to_string())
    }

    fn slug(&mut self, node: &Node, what: &str) -> Option<String> {
        let slug = self.reader.non_empty_text(node, &format!("`slug:` of {what}"))?.value;
        let part_ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        match slug.split_once('/') {
            Some((owner, name)) if part_ok(owner) && part_ok(name) => Some(slug),
            _ => {
                self.error(
                    node.span,
                    format!("`slug:` of {what} must be `owner/name`, but it is `{slug}`"),
                );
                None
            }
        }
    }
}

/// `owner/name` from the last two segments of a URL's path, without `.git`.
fn slug_from_url(url: &str) -> Option<String> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = if url.to_ascii_lowercase().starts_with("file://") {
        after_scheme
    } else {
        // Drop the host (and any user or port with it).
        after_scheme.split_once('/').map_or("", |(_, path)| path)
    };
    let mut segments = path.split('/').filter(|s| !s.is_empty()).rev();
    let name = segments.next()?;
    let name = name.strip_suffix(".git").unwrap_or(name);
    let owner = segments.next()?;
    (!name.is_empty()).then(|| format!("{owner}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::slug_from_url;

    #[test]
    fn slugs_come_from_the_last_two_segments() {
        let slug = |u| slug_from_url(u);
        assert_eq!(
            slug("https://git.example.com/acme/nlp.git").as_deref(),
            Some("acme/nlp")
        );
        assert_eq!(slug("https://github.com/acme/nlp/").as_deref(), Some("acme/nlp"));
        assert_eq!(slug("file:///srv/git/acme/vision.git").as_deref(), Some("acme/vision"));
        assert_eq!(slug("https://host/nlp.git"), None);
        assert_eq!(slug("https://host.example/"), None);
    }
}
