//! Fetching a mirror from its URL: every branch and tag, pruned. git2 is
//! built without HTTPS here, so `file://` goes through git2 and `http(s)://`
//! through the `git` command, which takes the token as an `Authorization`
//! header from the environment (`GIT_CONFIG_*`): never in its arguments,
//! where `ps` would show it, and never in an error message.

use super::Secret;
use git2::{AutotagOption, FetchOptions, FetchPrune, Repository};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How often a running git is looked at for its exit.
const WAIT_STEP: Duration = Duration::from_millis(20);

/// A mirror's branches and tags are the remote's, under the same names.
pub(crate) const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// Environment variables that make `git` print its HTTP traffic, headers
/// and all; they must not reach the child that holds the token.
const TRACE_VARIABLES: &[&str] = &["GIT_TRACE", "GIT_TRACE_CURL", "GIT_CURL_VERBOSE", "GIT_TRACE_PACKET"];

pub(super) fn is_http(url: &str) -> bool {
    let url = url.to_ascii_lowercase();
    url.starts_with("http://") || url.starts_with("https://")
}

pub(super) fn with_git2(repo: &Repository) -> Result<(), String> {
    let message = |e: git2::Error| e.message().to_string();
    let mut remote = repo.find_remote("origin").map_err(message)?;
    let mut options = FetchOptions::new();
    options.prune(FetchPrune::On).download_tags(AutotagOption::None);
    remote.fetch(&REFSPECS, Some(&mut options), None).map_err(message)?;
    // The remote's HEAD stays known after the fetch disconnects.
    if let Some(head) = remote
        .default_branch()
        .ok()
        .and_then(|b| b.as_str().map(str::to_string))
    {
        follow_head(repo, &head);
    }
    Ok(())
}

pub(crate) fn with_git_cli(git_dir: &Path, token: Option<&Secret>, timeout: Duration) -> Result<(), String> {
    let mut fetch = git(Some(git_dir), token);
    fetch.args(["fetch", "--prune", "--no-tags", "origin"]).args(REFSPECS);
    run(fetch, token, timeout)?;
    let mut head = git(Some(git_dir), token);
    head.args(["ls-remote", "--symref", "origin", "HEAD"]);
    let listing = run(head, token, timeout)?;
    let symref = listing
        .lines()
        .find_map(|l| l.strip_prefix("ref: ")?.strip_suffix("\tHEAD").map(str::to_string));
    if let (Some(head), Ok(repo)) = (symref, Repository::open_bare(git_dir)) {
        follow_head(&repo, &head);
    }
    Ok(())
}

/// `git fetch URL REFSPEC…` into the bare repository `git_dir`, through
/// the `git` command whatever the URL; `--depth=1` when `shallow`, else the
/// whole history (`--unshallow` when an earlier fetch was shallow).
pub(super) fn fetch_refs(
    git_dir: &Path,
    url: &str,
    refspecs: &[String],
    shallow: bool,
    token: Option<&Secret>,
    timeout: Duration,
) -> Result<(), String> {
    let mut fetch = git(Some(git_dir), token);
    fetch.args(["fetch", "--no-tags", "--force", "--quiet"]);
    if shallow {
        fetch.arg("--depth=1");
    } else if git_dir.join("shallow").exists() {
        fetch.arg("--unshallow");
    }
    fetch.arg("--").arg(url).args(refspecs);
    run(fetch, token, timeout).map(drop)
}

/// `git ls-remote URL`: every ref of the remote, without fetching.
pub(super) fn ls_remote(url: &str, token: Option<&Secret>, timeout: Duration) -> Result<String, String> {
    let mut list = git(None, token);
    list.args(["ls-remote", "--", url]);
    run(list, token, timeout)
}

/// Points the mirror's HEAD at the remote's default branch, when it has
/// been fetched, so that the default branch reads the same as there.
fn follow_head(repo: &Repository, head: &str) {
    if repo.find_reference(head).is_ok() {
        // Best effort: without it the default branch falls back to main/master.
        let _ = repo.set_head(head);
    }
}

/// `git [--git-dir DIR]`, never prompting, with the token as a header.
fn git(git_dir: Option<&Path>, token: Option<&Secret>) -> Command {
    let mut command = Command::new("git");
    if let Some(git_dir) = git_dir {
        command.arg("--git-dir").arg(git_dir);
    }
    command.env("GIT_TERMINAL_PROMPT", "0").stdin(Stdio::null());
    for variable in TRACE_VARIABLES {
        command.env_remove(variable);
    }
    if let Some(token) = token {
        command
            .env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "http.extraHeader")
            .env("GIT_CONFIG_VALUE_0", authorization(token));
    }
    command
}

/// Runs `command`, killed after `timeout` (a remote that accepts and never
/// answers would hold intake of its repository for ever); its stdout, or
/// why it failed with the token blanked out.
fn run(mut command: Command, token: Option<&Secret>, timeout: Duration) -> Result<String, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("failed to run git: {e}"))?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("git did not finish within {timeout:?}: stopped"));
            }
            // A child has no way to say it is done but exiting: look again shortly.
            Ok(None) => std::thread::sleep(WAIT_STEP),
            Err(e) => return Err(format!("failed to wait for git: {e}")),
        }
    };
    let output = (stdout.join().unwrap_or_default(), stderr.join().unwrap_or_default());
    if status.success() {
        return Ok(String::from_utf8_lossy(&output.0).into_owned());
    }
    let mut said = String::from_utf8_lossy(&output.1).trim().to_string();
    if let Some(token) = token {
        said = said
            .replace(&authorization(token), "***")
            .replace(token.expose(), "***");
    }
    let what = command.get_args().find(|a| *a == "fetch" || *a == "ls-remote");
    let what = what.map_or("git".into(), |w| format!("git {}", w.to_string_lossy()));
    Err(format!("{what} failed ({status}): {said}"))
}

/// Basic auth with the token as password: GitHub (`x-access-token`), Gitea
/// and GitLab all take a token this way for git over HTTPS.
fn authorization(token: &Secret) -> String {
    let credentials = format!("x-access-token:{}", token.expose());
    format!("Authorization: Basic {}", base64(credentials.as_bytes()))
}

/// Standard base64 with padding (RFC 4648), for the one header above.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `url` without a `user:password@` part, for messages.
pub fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(
            authorization(&Secret::new("t0k")),
            "Authorization: Basic eC1hY2Nlc3MtdG9rZW46dDBr"
        );
    }

    #[test]
    fn credentials_are_cut_from_urls() {
        assert_eq!(without_credentials("https://u:p@host/a/b.git"), "https://host/a/b.git");
        assert_eq!(without_credentials("https://host/a@b.git"), "https://host/a@b.git");
        assert_eq!(without_credentials("file:///srv/x.git"), "file:///srv/x.git");
    }
}
