//! The README's main example in the browser: `examples/ml-pipeline/`'s
//! train → gate → deploy workflow run through Docker as a user runs it,
//! then its run page in headless Chromium — the job graph with every job,
//! the three training legs and each `needs:` edge, and the gate's table.

use crate::ml_example::example_repository;
use crate::support::browser::{browser_ready, Browser};
use crate::support::docker::docker_ready;
use crate::ui::Ui;
use std::path::Path;
use std::process::Command;

#[test]
fn the_ml_examples_run_page_draws_its_graph_and_its_gate_table() {
    if !docker_ready() || !browser_ready() {
        return;
    }
    let repo = example_repository();
    let run = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "-W", ".github/workflows/train-gate-deploy.yml"])
        .current_dir(repo.path())
        .output()
        .expect("run mlci");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let ui = Ui::start(repo.path());
    let browser = Browser::start();
    browser.open(&format!("{}/runs/1", ui.url));

    // Jobs in the workflow's order of ids, each with its state.
    assert_eq!(
        browser.texts("svg.dag g.node .title"),
        ["deploy", "evaluate", "gate", "ingest", "train", "validate"]
    );
    assert_eq!(browser.texts("svg.dag g.node .state"), ["success"; 6]);
    // The matrix legs are listed inside their job's node.
    assert_eq!(
        browser.texts("svg.dag g.node[data-job='train'] text.leg title"),
        ["train (lr=0.8)", "train (lr=0.3)", "train (lr=0.1)"]
    );
    let edges = browser.eval(
        "return Array.from(document.querySelectorAll('svg.dag path.edge')).map(e => e.dataset.from + ' -> ' + e.dataset.to);",
        serde_json::json!([]),
    );
    assert_eq!(
        edges,
        serde_json::json!([
            "gate -> deploy",
            "train -> evaluate",
            "evaluate -> gate",
            "validate -> train",
            "ingest -> validate"
        ])
    );
    // The gate's table: one row per rule, the first run has no baseline.
    assert_eq!(browser.texts("div.gate h3"), ["Gate on main passed"]);
    assert_eq!(
        browser.texts("table.verdict th"),
        ["metric", "baseline", "candidate", "change", "rule", "result"]
    );
    assert_eq!(
        browser.texts("table.verdict td:nth-child(5)"),
        ["accuracy >= 0.90", "loss <= 0.25", "accuracy max-drop 0.02"]
    );
    assert_eq!(
        browser.texts("table.verdict td:first-child"),
        ["accuracy", "loss", "accuracy"]
    );
    assert_eq!(
        browser.texts("table.verdict td:nth-child(6) .badge"),
        ["pass", "pass", "skipped"]
    );
    if let Ok(dir) = std::env::var("MLCI_UI_SCREENSHOTS") {
        browser.screenshot(&Path::new(&dir).join("ml-run.png"));
    }
}
