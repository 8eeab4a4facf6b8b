//! The web view (`mlci ui`): its pages over plain HTTP (escaping, the CSP,
//! paging), then in headless Chromium over WebDriver — the runs list, a
//! run's graph, a failing step's log, a log followed live, and the metrics
//! chart after a regression. Runs use the host backend (`-P
//! ubuntu-latest=host`), so no container is needed.

use crate::support::browser::{browser_ready, wait_for, Browser};
use crate::support::git::commit_all;
use crate::support::http::request;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const WORKFLOW: &str = r###"name: ci <script>alert(1)</script>
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: "<script>alert('step')</script>"
        run: |
          echo "<script>alert(2)</script>"
          echo "::group::setup"
          printf '\033[1;32mgreen\033[0m\n'
          echo "::endgroup::"
          echo "after the group"
          echo "## Summary [x](javascript:alert(1))" >> "$GITHUB_STEP_SUMMARY"
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      # Both legs must print their error: with fail-fast, the first to fail
      # could cancel the other before it ran.
      fail-fast: false
      matrix:
        py: ["3.10", "3.11"]
    steps:
      - run: echo "::error::tests failed on ${{ matrix.py }}"; exit 1
"###;

fn mlci(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlci")
}

/// A repository with `workflow` committed on main.
pub(crate) fn repository(workflow: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir_all(dir.path().join(".github/workflows")).expect("folders");
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), workflow).expect("workflow");
    commit_all(dir.path(), "main", "ci");
    dir
}

/// `mlci ui` on a free port of loopback, stopped when dropped.
pub(crate) struct Ui {
    child: Child,
    pub(crate) url: String,
}

impl Ui {
    pub(crate) fn start(dir: &Path) -> Ui {
        Ui::start_with(dir, &[])
    }

    /// `mlci ui` in `dir` with more arguments (`--store`).
    pub(crate) fn start_with(dir: &Path, args: &[&str]) -> Ui {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlci"))
            .args(["ui", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start mlci ui");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the address line");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Ui { child, url }
    }

    pub(crate) fn get(&self, path: &str) -> crate::support::http::Answer {
        request("GET", &format!("{}{path}", self.url), None)
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_failing_workflow(dir: &Path) {
    let run = mlci(dir, &["run", "-P", "ubuntu-latest=host"]);
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn pages_escape_what_steps_print_and_forbid_inline_scripts() {
    let repo = repository(WORKFLOW);
    run_failing_workflow(repo.path());
    let ui = Ui::start(repo.path());
    let list = ui.get("/");
    assert_eq!(list.status, 200);
    let csp = list.header("content-security-policy").expect("a CSP");
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(
        list.body.contains("ci &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("<script>alert"));
    let run = ui.get("/runs/1");
    assert_eq!(run.status, 200);
    assert!(run.body.contains("&lt;script&gt;alert(&#39;step&#39;)&lt;/script&gt;"));
    assert!(
        run.body.contains("<path class=\"edge\""),
        "the graph has the edge build → test"
    );
    assert_eq!(run.body.matches("<g class=\"node st-").count(), 2);
    assert!(
        run.body.contains("<h2>Summary <a href=\"#\">x</a></h2>"),
        "{}",
        run.body
    );
    let log = ui.get("/runs/1/log?job=build&leg=0&attempt=1&step=0");
    assert!(log
        .body
        .contains("<span class=\"t\">&lt;script&gt;alert(2)&lt;/script&gt;</span>"));
    assert!(log.body.contains("<span class=\"f2 bo\">green</span>"));
    assert!(log.body.contains("<details class=\"group\"><summary>"));
    // The group ends at its `::endgroup::` (line 4, whose mark is not shown).
    assert!(
        log.body.contains(">green</span></span></div></div></details><div class=\"l\" id=\"L5\"><a class=\"n\" href=\"#L5\">5</a><span class=\"t\">after the group</span></div>"),
        "{}",
        log.body
    );
    assert!(!log.body.contains("◀") && !log.body.contains("id=\"L4\""));
    let logs = mlci(repo.path(), &["logs", "1", "build"]);
    assert_eq!(
        String::from_utf8_lossy(&logs.stdout),
        "==> build / <script>alert('step')</script> <==\n<script>alert(2)</script>\n▶ setup\n\u{1b}[1;32mgreen\u{1b}[0m\nafter the group\n"
    );
    assert!(!log.body.contains("<script>alert"));
    let failing = ui.get("/runs/1/log?job=test&leg=0&attempt=1&step=0");
    assert!(failing.body.contains("<li class=\"l err\"><a href=\"/runs/1/log?job=test&amp;leg=0&amp;attempt=1&amp;step=0&amp;page=0#L1\">line 1</a> Error: tests failed on 3.10</li>"), "{}", failing.body);
    assert_eq!(ui.get("/runs/99").status, 404);
    assert_eq!(ui.get("/runs/1/log?job=nope").status, 404);
    assert_eq!(ui.get("/?before=x").status, 400);
    assert_eq!(ui.get("/runs/1/artifacts/..%2f..%2fmlci.db").status, 404);
}

/// A daemon's store is not inside the repository, and a workflow file may
/// change after its run: the graph comes from the run's own record.
#[test]
fn a_store_outside_the_repository_draws_the_runs_own_graph() {
    let repo = repository(WORKFLOW);
    let outside = tempfile::tempdir().expect("a temp dir");
    let store = outside.path().join("store");
    let store = store.to_str().expect("a UTF-8 path");
    let run = mlci(repo.path(), &["run", "-P", "ubuntu-latest=host", "--store", store]);
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    std::fs::write(
        repo.path().join(".github/workflows/ci.yml"),
        WORKFLOW.replace("    needs: build\n", ""),
    )
    .expect("change the workflow");
    let ui = Ui::start_with(outside.path(), &["--store", store]);
    let page = ui.get("/runs/1");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.body
            .matches("<path class=\"edge\" data-from=\"build\" data-to=\"test\"")
            .count(),
        1,
        "{}",
        page.body
    );
}

/// Lines a step prints that look like mlci's marks (a lone `◀`, `▶ x`,
/// `Error: x`) stay the step's plain text: shown as text in the log page,
/// not folded or listed as errors, and printed back exactly by `mlci logs`.
#[test]
fn a_steps_lines_that_look_like_marks_stay_its_plain_text() {
    let repo = repository(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo '▶ not a group'\n          echo '◀'\n          echo 'Error: not an annotation'\n          echo '::error::a real one'\n",
    );
    let run = mlci(repo.path(), &["run", "-P", "ubuntu-latest=host"]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let logs = mlci(repo.path(), &["logs", "1", "build"]);
    assert_eq!(
        String::from_utf8_lossy(&logs.stdout),
        "==> build / Run echo '▶ not a group' <==\n▶ not a group\n◀\nError: not an annotation\nError: a real one\n"
    );
    let ui = Ui::start(repo.path());
    let page = ui.get("/runs/1/log?job=build&leg=0&attempt=1&step=0");
    assert_eq!(page.status, 200, "{}", page.body);
    for (n, text) in [(1, "▶ not a group"), (2, "◀"), (3, "Error: not an annotation")] {
        let plain = format!(
            "<div class=\"l\" id=\"L{n}\"><a class=\"n\" href=\"#L{n}\">{n}</a><span class=\"t\">{text}</span></div>"
        );
        assert!(page.body.contains(&plain), "line {n} as plain text:\n{}", page.body);
    }
    assert!(page.body.contains("<div class=\"l err\" id=\"L4\">"), "{}", page.body);
    assert!(!page.body.contains("<details"), "no group: {}", page.body);
}

#[test]
fn a_long_log_is_paged_not_sent_whole() {
    let lines = "seq 1 2500";
    let repo = repository(&format!(
        "on: push\njobs:\n  long:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {lines}\n"
    ));
    assert_eq!(
        mlci(repo.path(), &["run", "-P", "ubuntu-latest=host"]).status.code(),
        Some(0)
    );
    let ui = Ui::start(repo.path());
    let last = ui.get("/runs/1/log?job=long&leg=0&attempt=1&step=0");
    assert!(last.body.contains("2500 lines · page 3 of 3"), "{}", last.body);
    assert_eq!(last.body.matches("<div class=\"l\" id=\"L").count(), 500);
    assert!(last.body.contains("id=\"L2001\"") && last.body.contains(">2500</span>"));
    let first = ui.get("/runs/1/log?job=long&leg=0&attempt=1&step=0&page=0");
    assert_eq!(first.body.matches("<div class=\"l\" id=\"L").count(), 1000);
    assert!(first.body.contains("id=\"L1000\"") && !first.body.contains("id=\"L1001\""));
}

#[test]
fn the_browser_shows_runs_the_graph_and_a_failing_log_with_scripts_as_text() {
    if !browser_ready() {
        return;
    }
    let repo = repository(WORKFLOW);
    run_failing_workflow(repo.path());
    let ui = Ui::start(repo.path());
    let browser = Browser::start();
    browser.open(&format!("{}/", ui.url));
    assert_eq!(browser.texts("tr.run td:first-child a"), vec!["#1"]);
    assert_eq!(browser.texts("tr.run .badge"), vec!["failure"]);
    assert_eq!(
        browser.texts("tr.run td:nth-child(2)"),
        vec!["ci <script>alert(1)</script>"]
    );
    browser.click("tr.run a");
    wait_for("the run page", Duration::from_secs(10), || {
        browser.url().ends_with("/runs/1").then_some(())
    });
    assert_eq!(browser.texts("svg.dag g.node .title"), vec!["build", "test"]);
    assert_eq!(browser.texts("svg.dag g.node .state"), vec!["success", "failure"]);
    assert_eq!(browser.texts("svg.dag path.edge").len(), 1);
    // The step named `<script>…` is text, and no script of the data ran.
    assert!(browser
        .texts("table.steps td")
        .contains(&"<script>alert('step')</script>".to_string()));
    assert_eq!(
        browser.eval(
            "return document.querySelectorAll('main script').length;",
            serde_json::json!([])
        ),
        0
    );
    browser.open(&format!("{}/runs/1/log?job=test&leg=1&attempt=1&step=0", ui.url));
    assert_eq!(browser.texts("ul.annotations li.err a"), vec!["line 1", "line 2"]);
    assert_eq!(
        browser.texts(".log .l.err .t"),
        vec![
            "Error: tests failed on 3.11",
            "Error: Process completed with exit code 1."
        ]
    );
    let colour = browser.eval(
        "return getComputedStyle(document.querySelector('.log .l.err')).backgroundColor;",
        serde_json::json!([]),
    );
    assert_eq!(colour, "rgb(61, 20, 24)", "an error line is highlighted");
    if let Ok(dir) = std::env::var("MLCI_UI_SCREENSHOTS") {
        browser.screenshot(&Path::new(&dir).join("log.png"));
        browser.open(&format!("{}/runs/1", ui.url));
        browser.screenshot(&Path::new(&dir).join("run.png"));
    }
}

#[test]
fn the_browser_follows_a_running_steps_log() {
    if !browser_ready() {
        return;
    }
    let repo = repository(
        "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo 'epoch 1'\n          while [ ! -e \"$GO\" ]; do sleep 0.05; done\n          echo 'epoch 2 <b>done</b>'\n",
    );
    let go = repo.path().join("go");
    let mut run = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "-P", "ubuntu-latest=host", "--env"])
        .arg(format!("GO={}", go.display()))
        .current_dir(repo.path())
        .stdout(Stdio::null())
        .spawn()
        .expect("start mlci run");
    let ui = Ui::start(repo.path());
    let page = "/runs/1/log?job=train&leg=0&attempt=1&step=0";
    wait_for("the step's first line", Duration::from_secs(60), || {
        let answer = ui.get(page);
        (answer.status == 200 && answer.body.contains("epoch 1") && answer.body.contains("data-follow")).then_some(())
    });
    let browser = Browser::start();
    browser.open(&format!("{}{page}", ui.url));
    assert_eq!(browser.texts(".log .l .t"), vec!["epoch 1"]);
    std::fs::write(&go, "").expect("let the step go on");
    let lines = wait_for("the new line in the browser", Duration::from_secs(30), || {
        let lines = browser.texts(".log .l .t");
        (lines.len() == 2).then_some(lines)
    });
    assert_eq!(lines, vec!["epoch 1", "epoch 2 <b>done</b>"]);
    assert_eq!(browser.texts(".log .l .n"), vec!["1", "2"]);
    wait_for("the feed's end", Duration::from_secs(30), || {
        (browser.eval(
            "return document.getElementById('log').dataset.ended || '';",
            serde_json::json!([]),
        ) == "true")
            .then_some(())
    });
    assert_eq!(run.wait().expect("mlci run").code(), Some(0));
}

#[test]
fn the_metrics_chart_marks_a_gate_failure_after_a_regression() {
    let repo = repository(
        "on: push\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo \"{\\\"accuracy\\\": $ACC}\" > m.json\n      - uses: mlci/gate@v1\n        with:\n          metrics: m.json\n          rules: |\n            accuracy >= 0.8\n            accuracy max-drop 0.01\n",
    );
    for (acc, code) in [("0.90", 0), ("0.92", 0), ("0.85", 1)] {
        let run = mlci(
            repo.path(),
            &["run", "-P", "ubuntu-latest=host", "--env", &format!("ACC={acc}")],
        );
        assert_eq!(
            run.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&run.stdout)
        );
    }
    let plot = repo.path().join("accuracy.svg");
    let written = mlci(repo.path(), &["metrics", "--plot", plot.to_str().expect("a path")]);
    assert_eq!(
        String::from_utf8_lossy(&written.stdout),
        format!("wrote 1 chart(s) to {}\n", plot.display())
    );
    let svg = std::fs::read_to_string(&plot).expect("the plot");
    assert_eq!(svg.matches("class=\"point pass\"").count(), 2);
    assert_eq!(svg.matches("class=\"point fail\"").count(), 1);
    assert!(svg.contains("accuracy &gt;= 0.8"));
    let ui = Ui::start(repo.path());
    let run3 = ui.get("/runs/3");
    assert!(
        run3.body.contains("baseline: <a href=\"/runs/2\">run #2</a>"),
        "{}",
        run3.body
    );
    assert!(run3
        .body
        .contains("<td><code>accuracy max-drop 0.01</code></td><td><span class=\"badge fail\">fail</span>"));
    if !browser_ready() {
        return;
    }
    let browser = Browser::start();
    browser.open(&format!("{}/metrics?branch=main", ui.url));
    assert_eq!(
        browser.texts("svg.chart title"),
        vec![
            "run #1: 0.9 (gate passed)",
            "run #2: 0.92, baseline 0.9 (gate passed)",
            "run #3: 0.85, baseline 0.92 (gate failed)",
        ]
    );
    assert_eq!(browser.texts("svg.chart .threshold + text"), vec!["accuracy >= 0.8"]);
    browser.click("svg.chart a[data-run='3']");
    wait_for("the failing run's page", Duration::from_secs(10), || {
        browser.url().ends_with("/runs/3").then_some(())
    });
    if let Ok(dir) = std::env::var("MLCI_UI_SCREENSHOTS") {
        browser.open(&format!("{}/metrics?branch=main", ui.url));
        browser.screenshot(&Path::new(&dir).join("metrics.png"));
        browser.open(&format!("{}/", ui.url));
        browser.screenshot(&Path::new(&dir).join("runs.png"));
    }
}
