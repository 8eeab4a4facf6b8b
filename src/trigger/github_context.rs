//! The `github` context of a local run, read from the repository.
//!
//! On GitHub the server fills this context from the event (gha-semantics
//! §1.8). Locally the repository is the source: HEAD gives `ref` and `sha`,
//! the `origin` remote gives `repository`, git config gives `actor`. An event
//! payload, when given, is used as is; otherwise a push payload is made up
//! from HEAD's commit so that `github.event.*` expressions have something
//! real to read.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{FixedOffset, SecondsFormat, TimeZone};
use git2::{Commit, Oid, Repository};
use serde_json::{json, Map, Value};

use super::git::{repo_path, GitError};

const SERVER_URL: &str = "https://github.com";
const API_URL: &str = "https://api.github.com";
const GRAPHQL_URL: &str = "https://api.github.com/graphql";
const ZERO_SHA: &str = "0000000000000000000000000000000000000000";

/// A run id for a local run: milliseconds since the Unix epoch. It is unique
/// enough for one machine and sorts runs by start time; GitHub's ids are
/// opaque numbers, so nothing can rely on their shape. A local run's
/// `run_number` is the caller's (1 when it keeps no history).
pub fn local_run_id() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The `github` context for a run of `workflow` (its name or path) in the
/// repository at `repo_dir`, triggered by `event_name`.
///
/// `ref` is `refs/heads/<branch>` when HEAD is on a branch, `refs/tags/<tag>`
/// when HEAD is detached exactly at a tag (the first by name when several),
/// and otherwise the commit sha, with `ref_type` null since it is neither.
/// For `pull_request` and `pull_request_target` payloads the refs come from
/// the payload, as on GitHub. `event_path` appears only when given.
pub fn local_github_context(
    repo_dir: &Path,
    event_name: &str,
    event_payload: Option<Value>,
    event_path: Option<&Path>,
    workflow: &str,
    run_id: u64,
    run_number: u64,
) -> Result<Map<String, Value>, GitError> {
    let repo = Repository::discover(repo_dir).map_err(|source| GitError::Open {
        path: repo_dir.to_path_buf(),
        source,
    })?;
    let workspace = repo_path(&repo);
    let head = head_commit(&repo)?;
    let sha = head.id().to_string();
    let (mut git_ref, mut ref_name, ref_type) = head_ref(&repo, head.id())?;
    let (owner, name) = repository_slug(&repo, &workspace);
    let full_name = format!("{owner}/{name}");
    let actor = actor(&repo);
    let default = default_branch(&repo);

    let (mut base_ref, mut head_ref_name) = (String::new(), String::new());
    if let Some(pr) = event_payload.as_ref().and_then(|p| pull_request_refs(event_name, p)) {
        (git_ref, ref_name, base_ref, head_ref_name) = pr;
    }
    let event = event_payload.unwrap_or_else(|| {
        let repository = repository_json(&owner, &name, default.as_deref());
        synthesized_event(event_name, &git_ref, &head, &actor, repository)
    });

    let mut context = Map::new();
    let mut put = |key: &str, value: Value| {
        context.insert(key.to_string(), value);
    };
    put("event_name", json!(event_name));
    put("event", event);
    if let Some(path) = event_path {
        put("event_path", json!(path.display().to_string()));
    }
    put("ref", json!(git_ref));
    put("ref_name", json!(ref_name));
    put("ref_type", ref_type.map_or(Value::Null, |t| json!(t)));
    put("ref_protected", json!(false));
    put("sha", json!(sha));
    put("base_ref", json!(base_ref));
    put("head_ref", json!(head_ref_name));
    put("repository", json!(full_name));
    put("repository_owner", json!(owner));
    put("repositoryUrl", json!(format!("git://github.com/{full_name}.git")));
    put("workspace", json!(workspace.display().to_string()));
    put("actor", json!(actor));
    put("triggering_actor", json!(actor));
    put("workflow", json!(workflow));
    put("run_id", json!(run_id.to_string()));
    put("run_number", json!(run_number.to_string()));
    put("run_attempt", json!("1"));
    put("server_url", json!(SERVER_URL));
    put("api_url", json!(API_URL));
    put("graphql_url", json!(GRAPHQL_URL));
    Ok(context)
}

/// The repository's default branch: what `origin/HEAD` points at, else
/// `main` if that branch exists, else `master`, else the current branch.
pub fn default_branch(repo: &Repository) -> Option<String> {
    let from_origin = repo
        .find_reference("refs/remotes/origin/HEAD")
        .ok()
        .and_then(|r| r.symbolic_target().map(str::to_string))
        .and_then(|t| t.strip_prefix("refs/remotes/origin/").map(str::to_string));
    if from_origin.is_some() {
        return from_origin;
    }
    for name in ["main", "master"] {
        if repo.find_reference(&format!("refs/heads/{name}")).is_ok() {
            return Some(name.to_string());
        }
    }
    let head = repo.find_reference("HEAD").ok()?;
    head.symbolic_target()?.strip_prefix("refs/heads/").map(str::to_string)
}

fn head_commit(repo: &Repository) -> Result<Commit<'_>, GitError> {
    repo.head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|source| GitError::Head {
            repo: repo_path(repo),
            source,
        })
}

/// `(ref, ref_name, ref_type)` for HEAD.
fn head_ref(repo: &Repository, sha: Oid) -> Result<(String, String, Option<&'static str>), GitError> {
    let head = repo.head().map_err(|source| GitError::Head {
        repo: repo_path(repo),
        source,
    })?;
    if head.is_branch() {
        let full = head.name().unwrap_or_default().to_string();
        let short = full.strip_prefix("refs/heads/").unwrap_or(&full).to_string();
        return Ok((full, short, Some("branch")));
    }
    if let Some(tag) = tag_at(repo, sha) {
        return Ok((format!("refs/tags/{tag}"), tag, Some("tag")));
    }
    Ok((sha.to_string(), sha.to_string(), None))
}

/// The first tag, by name, whose commit is `sha`; annotated tags count.
fn tag_at(repo: &Repository, sha: Oid) -> Option<String> {
    let refs = repo.references_glob("refs/tags/*").ok()?;
    let mut names: Vec<String> = refs
        .flatten()
        .filter(|r| r.peel_to_commit().is_ok_and(|c| c.id() == sha))
        .filter_map(|r| r.name().and_then(|n| n.strip_prefix("refs/tags/")).map(str::to_string))
        .collect();
    names.sort();
    names.into_iter().next()
}

/// `(owner, name)` from the `origin` URL, else `("local", <directory name>)`.
fn repository_slug(repo: &Repository, workspace: &Path) -> (String, String) {
    let from_origin = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().and_then(parse_remote_url));
    from_origin.unwrap_or_else(|| {
        let dir = workspace
            .file_name()
            .map_or_else(|| "repository".to_string(), |n| n.to_string_lossy().into_owned());
        ("local".to_string(), dir)
    })
}

/// `(owner, name)` from a remote URL: `https://host/owner/name(.git)`,
/// `ssh://git@host[:port]/owner/name.git` or scp-like `git@host:owner/name.git`.
/// Local paths and `file://` URLs name no owner and give None.
fn parse_remote_url(url: &str) -> Option<(String, String)> {
    let path = if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.eq_ignore_ascii_case("file") {
            return None;
        }
        rest.split_once('/')?.1
    } else {
        let (host, path) = url.split_once(':')?;
        // A slash before the colon, or a one-letter "host" (a Windows drive),
        // makes it a local path rather than scp-like syntax.
        if host.contains('/') || host.contains('\\') || host.len() < 2 {
            return None;
        }
        path
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut segments = path.rsplit('/').filter(|s| !s.is_empty());
    let name = segments.next()?;
    let owner = segments.next()?;
    Some((owner.to_string(), name.to_string()))
}

/// Who runs it: git's `user.name`, else `$USER`, else `mlci`.
fn actor(repo: &Repository) -> String {
    repo.config()
        .and_then(|c| c.get_string("user.name"))
        .ok()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "mlci".to_string())
}

/// `(ref, ref_name, base_ref, head_ref)` from a pull request payload: GitHub
/// runs `pull_request` on the merge ref and `pull_request_target` on the base.
fn pull_request_refs(event_name: &str, payload: &Value) -> Option<(String, String, String, String)> {
    let pr = payload.get("pull_request")?;
    let base = pr.pointer("/base/ref")?.as_str()?.to_string();
    let head = pr.pointer("/head/ref")?.as_str()?.to_string();
    match event_name {
        "pull_request" => {
            let number = payload.get("number").or_else(|| pr.get("number"))?.as_u64()?;
            Some((
                format!("refs/pull/{number}/merge"),
                format!("{number}/merge"),
                base,
                head,
            ))
        }
        "pull_request_target" => Some((format!("refs/heads/{base}"), base.clone(), base, head)),
        _ => None,
    }
}

fn repository_json(owner: &str, name: &str, default_branch: Option<&str>) -> Value {
    json!({
        "name": name,
        "full_name": format!("{owner}/{name}"),
        "owner": {"login": owner, "name": owner},
        "default_branch": default_branch,
        "master_branch": default_branch,
        "html_url": format!("{SERVER_URL}/{owner}/{name}"),
    })
}

/// The payload GitHub would send for pushing HEAD's commit to `git_ref`
/// (§2.6): `before` is the commit's first parent, or zeros for a root commit,
/// which then counts as creating the ref. Other events get the fields every
/// payload has, and `workflow_dispatch` an empty `inputs`.
fn synthesized_event(event_name: &str, git_ref: &str, head: &Commit<'_>, actor: &str, repository: Value) -> Value {
    let sender = json!({"login": actor});
    match event_name {
        "push" => {
            let commit = commit_json(head, &repository);
            let before = head
                .parent_id(0)
                .map_or_else(|_| ZERO_SHA.to_string(), |p| p.to_string());
            let after = head.id().to_string();
            let compare = format!(
                "{}/compare/{}...{}",
                repository["html_url"].as_str().unwrap_or_default(),
                before.get(..12).unwrap_or(&before),
                after.get(..12).unwrap_or(&after)
            );
            json!({
                "ref": git_ref,
                "before": before,
                "after": after,
                "created": before == ZERO_SHA,
                "deleted": false,
                "forced": false,
                "base_ref": null,
                "compare": compare,
                "commits": [commit.clone()],
                "head_commit": commit,
                "pusher": {"name": actor, "email": head.author().email()},
                "repository": repository,
                "sender": sender,
            })
        }
        "workflow_dispatch" => {
            json!({"inputs": {}, "ref": git_ref, "repository": repository, "sender": sender})
        }
        _ => json!({"repository": repository, "sender": sender}),
    }
}

/// A commit as the push payload describes it.
fn commit_json(commit: &Commit<'_>, repository: &Value) -> Value {
    let person = |s: git2::Signature<'_>| json!({"name": s.name(), "email": s.email()});
    let when = commit.committer().when();
    let timestamp = FixedOffset::east_opt(when.offset_minutes() * 60)
        .and_then(|tz| tz.timestamp_opt(when.seconds(), 0).single())
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false));
    json!({
        "id": commit.id().to_string(),
        "tree_id": commit.tree_id().to_string(),
        "distinct": true,
        "message": String::from_utf8_lossy(commit.message_bytes()),
        "timestamp": timestamp,
        "url": format!("{}/commit/{}", repository["html_url"].as_str().unwrap_or_default(), commit.id()),
        "author": person(commit.author()),
        "committer": person(commit.committer()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trigger::git::testing::TestRepo;

    fn context(t: &TestRepo, event: &str, payload: Option<Value>) -> Map<String, Value> {
        local_github_context(t.path(), event, payload, None, "CI", 42, 1).unwrap()
    }

    fn dir_name(t: &TestRepo) -> String {
        t.path().file_name().unwrap().to_string_lossy().into_owned()
    }

    #[test]
    fn a_branch_checkout_gives_a_branch_ref_and_a_push_payload() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        let c1 = t.commit("one");
        t.checkout_new("feature/x", c1);
        t.write("b.txt", "1");
        let c2 = t.commit("two\n\nbody");
        let ctx = context(&t, "push", None);

        assert_eq!(ctx["ref"], "refs/heads/feature/x");
        assert_eq!(ctx["ref_name"], "feature/x");
        assert_eq!(ctx["ref_type"], "branch");
        assert_eq!(ctx["sha"], c2.to_string());
        assert_eq!(ctx["event_name"], "push");
        assert_eq!(ctx["repository"], format!("local/{}", dir_name(&t)));
        assert_eq!(ctx["repository_owner"], "local");
        assert_eq!(ctx["workspace"], repo_path(&t.repo).display().to_string());
        assert_eq!(ctx["workflow"], "CI");
        assert_eq!(
            (&ctx["run_id"], &ctx["run_number"], &ctx["run_attempt"]),
            (&json!("42"), &json!("1"), &json!("1"))
        );
        assert_eq!(ctx["server_url"], "https://github.com");
        assert_eq!(ctx["api_url"], "https://api.github.com");
        assert_eq!(ctx["graphql_url"], "https://api.github.com/graphql");
        assert!(!ctx.contains_key("event_path"));

        let event = &ctx["event"];
        assert_eq!(event["ref"], "refs/heads/feature/x");
        assert_eq!(event["before"], c1.to_string());
        assert_eq!(event["after"], c2.to_string());
        assert_eq!(event["created"], false);
        assert_eq!(event["head_commit"]["id"], c2.to_string());
        assert_eq!(event["head_commit"]["message"], "two\n\nbody");
        assert_eq!(event["head_commit"]["timestamp"], "2023-11-14T23:13:20+01:00");
        assert_eq!(
            event["head_commit"]["author"],
            json!({"name": "Ada", "email": "ada@example.com"})
        );
        assert_eq!(event["commits"][0], event["head_commit"]);
        assert_eq!(event["repository"]["default_branch"], "main");
        assert_eq!(event["repository"]["full_name"], ctx["repository"]);
    }

    #[test]
    fn a_root_commit_push_creates_the_ref() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        let event = &context(&t, "push", None)["event"];
        assert_eq!(event["before"], ZERO_SHA);
        assert_eq!(event["created"], true);
    }

    #[test]
    fn a_detached_tag_gives_a_tag_ref() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        let c1 = t.commit("one");
        let object = t.repo.find_object(c1, None).unwrap();
        let sig = git2::Signature::new("Ada", "ada@example.com", &git2::Time::new(0, 0)).unwrap();
        // The annotated tag sorts first, so peeling through it is exercised.
        t.repo.tag("v0.9", &object, &sig, "release", false).unwrap();
        t.repo.tag_lightweight("v1.0", &object, false).unwrap();
        t.write("b.txt", "1");
        t.commit("two");
        t.repo.set_head_detached(c1).unwrap();

        let ctx = context(&t, "push", None);
        assert_eq!(ctx["ref"], "refs/tags/v0.9");
        assert_eq!(ctx["ref_name"], "v0.9");
        assert_eq!(ctx["ref_type"], "tag");
        assert_eq!(ctx["sha"], c1.to_string());
    }

    #[test]
    fn a_detached_commit_that_is_no_tag_uses_the_sha() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        let c1 = t.commit("one");
        t.write("b.txt", "1");
        t.commit("two");
        t.repo.set_head_detached(c1).unwrap();
        let ctx = context(&t, "push", None);
        assert_eq!(ctx["ref"], c1.to_string());
        assert_eq!(ctx["ref_name"], c1.to_string());
        assert_eq!(ctx["ref_type"], Value::Null);
    }

    #[test]
    fn origin_names_the_repository() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        t.repo.remote("origin", "git@github.com:acme/ml.git").unwrap();
        let ctx = context(&t, "push", None);
        assert_eq!(ctx["repository"], "acme/ml");
        assert_eq!(ctx["repository_owner"], "acme");
        assert_eq!(ctx["event"]["repository"]["html_url"], "https://github.com/acme/ml");
    }

    #[test]
    fn remote_urls_parse_to_owner_and_name() {
        let slug = |url| parse_remote_url(url).map(|(o, n)| format!("{o}/{n}"));
        assert_eq!(slug("git@github.com:acme/ml.git").as_deref(), Some("acme/ml"));
        assert_eq!(slug("https://github.com/acme/ml").as_deref(), Some("acme/ml"));
        assert_eq!(slug("https://github.com/acme/ml.git/").as_deref(), Some("acme/ml"));
        assert_eq!(slug("ssh://git@github.com:22/acme/ml.git").as_deref(), Some("acme/ml"));
        assert_eq!(slug("https://gitlab.com/group/sub/ml.git").as_deref(), Some("sub/ml"));
        assert_eq!(slug("file:///srv/git/ml.git"), None);
        assert_eq!(slug("/srv/git/ml.git"), None);
        assert_eq!(slug("C:\\repos\\ml"), None);
        assert_eq!(slug("git@github.com:ml.git"), None);
    }

    #[test]
    fn actor_comes_from_git_config() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        t.repo.config().unwrap().set_str("user.name", "Grace").unwrap();
        assert_eq!(context(&t, "push", None)["actor"], "Grace");
    }

    #[test]
    fn a_given_payload_and_event_path_are_used_as_is() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        let payload = json!({"inputs": {"epochs": "3"}});
        let path = t.path().join("event.json");
        let ctx = local_github_context(
            t.path(),
            "workflow_dispatch",
            Some(payload.clone()),
            Some(&path),
            ".github/workflows/train.yml",
            7,
            3,
        )
        .unwrap();
        assert_eq!(ctx["event"], payload);
        assert_eq!(ctx["event_path"], path.display().to_string());
        assert_eq!(ctx["run_number"], "3");
        assert_eq!(ctx["ref"], "refs/heads/main");
    }

    #[test]
    fn a_pull_request_payload_sets_the_merge_ref() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        t.commit("one");
        let payload = json!({"number": 12, "pull_request": {"base": {"ref": "main"}, "head": {"ref": "fix"}}});
        let ctx = context(&t, "pull_request", Some(payload.clone()));
        assert_eq!(ctx["ref"], "refs/pull/12/merge");
        assert_eq!(ctx["ref_name"], "12/merge");
        assert_eq!((&ctx["base_ref"], &ctx["head_ref"]), (&json!("main"), &json!("fix")));
        let target = context(&t, "pull_request_target", Some(payload));
        assert_eq!(target["ref"], "refs/heads/main");
    }

    #[test]
    fn default_branch_prefers_origin_head_then_main_master_current() {
        let t = TestRepo::new();
        t.write("a.txt", "1");
        let c1 = t.commit("one");
        assert_eq!(default_branch(&t.repo).as_deref(), Some("main"));

        t.checkout_new("master", c1);
        t.repo.find_reference("refs/heads/main").unwrap().delete().unwrap();
        assert_eq!(default_branch(&t.repo).as_deref(), Some("master"));

        t.checkout_new("dev", c1);
        t.repo.find_reference("refs/heads/master").unwrap().delete().unwrap();
        assert_eq!(default_branch(&t.repo).as_deref(), Some("dev"));

        t.repo.reference("refs/remotes/origin/trunk", c1, true, "test").unwrap();
        t.repo
            .reference_symbolic("refs/remotes/origin/HEAD", "refs/remotes/origin/trunk", true, "test")
            .unwrap();
        assert_eq!(default_branch(&t.repo).as_deref(), Some("trunk"));
    }

    #[test]
    fn a_repository_without_commits_is_an_error() {
        let t = TestRepo::new();
        let err = local_github_context(t.path(), "push", None, None, "CI", 1, 1).unwrap_err();
        assert!(err.to_string().starts_with("failed to resolve HEAD in "));
        let missing = t.path().join("not-a-repo-parent").join("x");
        let err = local_github_context(&missing, "push", None, None, "CI", 1, 1).unwrap_err();
        assert!(matches!(err, GitError::Open { .. }), "{err}");
    }

    #[test]
    fn local_run_ids_are_time_based() {
        assert!(local_run_id() > 1_600_000_000_000);
    }
}
