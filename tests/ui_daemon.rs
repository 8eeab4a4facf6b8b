//! The web view as the runner daemon serves it: a real `mlci runner start`
//! on a loopback port over a store that holds a run, its pages at `/`, and
//! the token rule — with `api_token_file:` set, a page needs the token as
//! `Authorization: Bearer`, as the `mlci_token` cookie, or once as
//! `?token=`, which sets the cookie and redirects to the address without it.

use crate::support::daemon::{free_port, Runner};
use crate::support::http::{request, request_with, Answer};
use crate::ui::repository;
use std::process::Command;

const TOKEN: &str = "s3cret-token";

const WORKFLOW: &str = "name: nightly\non: push\njobs:\n  prepare:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo preparing\n  train:\n    needs: prepare\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo '::group::fit'\n          echo training\n          echo '::endgroup::'\n";

/// A repository with one finished run in `.mlci`, and the daemon's config
/// over that store (`api_token_file:` when `token`).
fn setup(token: bool) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let repo = repository(WORKFLOW);
    let run = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "-P", "ubuntu-latest=host"])
        .current_dir(repo.path())
        .output()
        .expect("run mlci");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let port = free_port();
    let mut text = format!(
        "store: {}\nlisten: 127.0.0.1:{port}\nrepos:\n  - name: nightly\n    path: {}\n",
        repo.path().join(".mlci").display(),
        repo.path().display()
    );
    if token {
        std::fs::write(repo.path().join("api.token"), format!("{TOKEN}\n")).expect("write the token");
        text.push_str("api_token_file: api.token\n");
    }
    let config = repo.path().join("runner.yml");
    std::fs::write(&config, text).expect("write runner.yml");
    (repo, config, format!("http://127.0.0.1:{port}"))
}

fn shows_the_run(page: &Answer) {
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<a href=\"/runs/1\">#1</a>"), "{}", page.body);
    assert!(page.body.contains("nightly"), "{}", page.body);
}

#[test]
fn the_daemon_serves_the_runs_and_a_run_page_on_loopback_without_a_token() {
    let (_repo, config, url) = setup(false);
    let _runner = Runner::start(&config);
    shows_the_run(&request("GET", &format!("{url}/"), None));
    let run = request("GET", &format!("{url}/runs/1"), None);
    assert_eq!(run.status, 200);
    assert_eq!(
        run.body.matches("<g class=\"node st-success\"").count(),
        2,
        "{}",
        run.body
    );
    assert_eq!(run.body.matches("<path class=\"edge\"").count(), 1, "prepare → train");
    let log = request(
        "GET",
        &format!("{url}/runs/1/log?job=train&leg=0&attempt=1&step=0"),
        None,
    );
    assert!(log.body.contains("<span class=\"t\">training</span>"), "{}", log.body);
    // The API is still there beside the pages.
    let api = request("GET", &format!("{url}/api/runs"), None);
    assert_eq!(api.status, 200);
    // The API's text has the group's heading but not its end mark.
    let logs = request("GET", &format!("{url}/api/runs/1/logs?job=train"), None);
    let logs: serde_json::Value = serde_json::from_str(&logs.body).expect("JSON");
    assert_eq!(logs["logs"][0]["text"], "▶ fit\ntraining\n");
}

#[test]
fn with_a_token_the_daemons_pages_take_it_as_bearer_cookie_or_once_in_the_address() {
    let (_repo, config, url) = setup(true);
    let _runner = Runner::start(&config);
    let get = |path: &str, headers: &[(&str, &str)]| request_with("GET", &format!("{url}{path}"), headers, None);

    let refused = get("/", &[]);
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("need its API token"), "{}", refused.body);
    assert!(!refused.body.contains("nightly"));
    assert_eq!(get("/runs/1", &[]).status, 401);
    assert_eq!(get("/static/app.js", &[]).status, 401);
    assert_eq!(get("/", &[("Authorization", "Bearer wrong")]).status, 401);
    assert_eq!(get("/", &[("Cookie", "mlci_token=wrong")]).status, 401);
    assert_eq!(get("/runs/1?token=wrong", &[]).status, 401);

    let bearer = format!("Bearer {TOKEN}");
    shows_the_run(&get("/", &[("Authorization", &bearer)]));

    // `?token=` once: a cookie, and a redirect to the same page without it.
    let once = get(
        &format!("/runs/1/log?job=train&token={TOKEN}&leg=0&attempt=1&step=0"),
        &[],
    );
    assert_eq!(once.status, 303);
    assert_eq!(
        once.header("location"),
        Some("/runs/1/log?job=train&leg=0&attempt=1&step=0")
    );
    assert_eq!(
        once.header("set-cookie"),
        Some(format!("mlci_token={TOKEN}; Path=/; HttpOnly; SameSite=Strict").as_str())
    );
    let cookie = format!("other=1; mlci_token={TOKEN}");
    let log = get("/runs/1/log?job=train&leg=0&attempt=1&step=0", &[("Cookie", &cookie)]);
    assert_eq!(log.status, 200);
    assert!(log.body.contains("<span class=\"t\">training</span>"), "{}", log.body);
    let run = get("/runs/1", &[("Cookie", &cookie)]);
    assert_eq!(run.status, 200);
    assert_eq!(run.body.matches("<g class=\"node st-success\"").count(), 2);
    assert_eq!(get("/static/app.js", &[("Cookie", &cookie)]).status, 200);
    // The API keeps its own rule: Bearer only.
    assert_eq!(get("/api/runs", &[("Cookie", &cookie)]).status, 401);
    assert_eq!(get("/api/runs", &[("Authorization", &bearer)]).status, 200);
}
