//! A secret placed in every field a workflow can put it in (a step's name,
//! a job output, annotations, the step summary, a failed job's reason), as
//! itself and in base64, is found nowhere mlci writes: the terminal,
//! `--json`, the store's files (the SQLite database's bytes included),
//! `mlci logs` and `mlci show`, the daemon's read API, the commit statuses
//! sent to a forge, the failure notification, and no process's command
//! line.

use crate::support::daemon::{free_port, wait_until, Forge, Origin, Runner};
use crate::support::docker::docker_ready;
use crate::support::unindent;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mlci::daemon::queue::{Queue, RunState};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

const SECRET: &str = "s3cr3t-Deploy-Key-91";

/// The secret and the base64 forms a reader would find it by.
fn forms(secret: &str) -> Vec<String> {
    let encoded = STANDARD.encode(secret);
    vec![secret.to_string(), encoded.trim_end_matches('=').to_string()]
}

fn assert_hidden(secret: &str, what: &str, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for form in forms(secret) {
        assert!(!text.contains(&form), "`{form}` in {what}:\n{text}");
    }
}

/// Every file under `dir`, bytes and all.
fn assert_hidden_in_files(secret: &str, dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("read the store").flatten() {
        let path = entry.path();
        if path.is_dir() {
            assert_hidden_in_files(secret, &path);
        } else {
            let bytes = std::fs::read(&path).unwrap_or_default();
            assert_hidden(secret, &path.display().to_string(), &bytes);
        }
    }
}

fn mlci(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(args)
        .current_dir(dir)
        .env("DEPLOY_KEY", SECRET)
        .output()
        .expect("run mlci")
}

#[test]
fn a_secret_in_every_field_reaches_no_sink_of_mlci_run() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ps = dir.path().join("ps.txt");
    let workflow = unindent(&format!(
        "
        on: push
        jobs:
          leak:
            runs-on: ubuntu-latest
            outputs:
              token: ${{{{ steps.out.outputs.token }}}}
            steps:
              - name: deploy with ${{{{ secrets.DEPLOY_KEY }}}}
                id: out
                env:
                  KEY: ${{{{ secrets.DEPLOY_KEY }}}}
                run: |
                  echo \"token=$KEY\" >> \"$GITHUB_OUTPUT\"
                  echo \"::error title=$KEY::failed with $KEY\"
                  echo \"::warning::$(printf %s \"$KEY\" | base64)\"
                  echo \"# summary $KEY $(printf %s \"$KEY\" | base64)\" >> \"$GITHUB_STEP_SUMMARY\"
                  echo \"plain $KEY\"
                  ps -eo args > {ps}
              - name: fail on ${{{{ secrets.DEPLOY_KEY }}}}
                run: exit 3
        ",
        ps = ps.display()
    ));
    std::fs::create_dir_all(dir.path().join(".github/workflows")).expect("folders");
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), workflow).expect("the workflow");
    let store = dir.path().join("store");
    let store_arg = store.to_string_lossy().into_owned();
    let base = [
        "run",
        "--backend",
        "host",
        "--store",
        &store_arg,
        "--secret",
        "DEPLOY_KEY",
    ];

    let terminal = mlci(dir.path(), &base);
    assert_eq!(
        terminal.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&terminal.stderr)
    );
    let screen = String::from_utf8_lossy(&terminal.stdout);
    assert!(screen.contains("deploy with ***"), "{screen}");
    assert!(screen.contains("plain ***"), "{screen}");
    assert_hidden(SECRET, "the terminal", &terminal.stdout);
    assert_hidden(SECRET, "stderr", &terminal.stderr);
    // `ps` during the step saw mlci's command line, without the secret.
    let listing = std::fs::read_to_string(&ps).expect("the ps listing");
    assert!(listing.contains("--secret DEPLOY_KEY"), "{listing}");
    assert_hidden(SECRET, "ps", listing.as_bytes());

    let json = mlci(dir.path(), &[&base[..], &["--json"]].concat());
    let lines = String::from_utf8_lossy(&json.stdout);
    // As on GitHub, an output that holds a secret is left out.
    assert!(
        lines.contains("output `token` holds a secret and is left out"),
        "{lines}"
    );
    assert!(lines.contains("\"markdown\":\"# summary *** ***"), "{lines}");
    assert_hidden(SECRET, "--json", &json.stdout);

    for args in [
        vec!["logs", "1", "--store", &store_arg],
        vec!["logs", "2", "--store", &store_arg],
        vec!["show", "1", "--store", &store_arg],
        vec!["show", "2", "--store", &store_arg, "--json"],
    ] {
        let shown = mlci(dir.path(), &args);
        assert!(
            shown.status.success(),
            "mlci {args:?}: {}",
            String::from_utf8_lossy(&shown.stderr)
        );
        assert_hidden(SECRET, &format!("mlci {}", args.join(" ")), &shown.stdout);
    }
    assert_hidden_in_files(SECRET, &store);
}

/// The daemon has no `secrets`; a value a step masks with `::add-mask::`
/// then shows in a later step's name, a job output and the failed job's
/// reason, which a commit status carries.
#[test]
fn a_masked_value_reaches_neither_the_forge_nor_the_read_api_nor_the_daemons_store() {
    if !docker_ready() {
        return;
    }
    // Made at run time, so that the workflow file in the repository (which
    // the store may keep) does not hold it.
    let secret = "rt-value-7f3e9a";
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let forge = Forge::start();
    std::fs::write(dir.path().join("forge.token"), "t0ken\n").expect("write the token");
    let listen = format!("127.0.0.1:{}", free_port());
    let config = dir.path().join("runner.yml");
    let text = format!(
        "store: store\nlisten: {listen}\nstatus:\n  github: {}\n  token_file: forge.token\n\
         notify:\n  - url: {}/notify\n\
         repos:\n  - name: vision\n    path: {}\n    default_branch: main\n    slug: acme/vision\n",
        forge.url,
        forge.url,
        origin.bare.display()
    );
    std::fs::write(&config, text).expect("write runner.yml");
    let hook = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["hook", "install", "--repo"])
        .arg(&origin.bare)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("run mlci hook install");
    assert!(hook.status.success(), "{}", String::from_utf8_lossy(&hook.stderr));
    let workflow = unindent(&format!(
        "
        on: push
        jobs:
          leak:
            runs-on: ubuntu-latest
            outputs:
              value: ${{{{ steps.m.outputs.v }}}}
            steps:
              - id: m
                run: |
                  value=$(printf '%s-%s' {head} {tail})
                  echo \"::add-mask::$value\"
                  echo \"v=$value\" >> \"$GITHUB_OUTPUT\"
                  echo \"# $value $(printf %s $value | base64)\" >> \"$GITHUB_STEP_SUMMARY\"
              - name: fail on ${{{{ steps.m.outputs.v }}}}
                run: echo \"::error::${{{{ steps.m.outputs.v }}}}\"; exit 1
        ",
        head = &secret[..8],
        tail = &secret[9..],
    ));
    let runner = Runner::start(&config);
    let sha = origin.commit(&[(".github/workflows/ci.yml", workflow.as_str())], "start");
    origin.push("main");
    let queue = Queue::open(&dir.path().join("store")).expect("open the queue");
    wait_until("the run to finish", Duration::from_secs(180), || {
        queue.events(10).is_ok_and(|e| e.len() == 1 && e[0].status != "queued")
            && queue.runs_in(RunState::Queued).is_ok_and(|r| r.is_empty())
            && queue.runs_in(RunState::Running).is_ok_and(|r| r.is_empty())
    });
    wait_until(
        "the final statuses and the notification",
        Duration::from_secs(60),
        || {
            forge.statuses(&sha).len() >= 4
                && forge
                    .received
                    .lock()
                    .expect("the forge's log")
                    .iter()
                    .any(|r| r.path == "/notify")
        },
    );
    let sent: Vec<serde_json::Value> = forge
        .received
        .lock()
        .expect("the forge's log")
        .iter()
        .map(|r| r.body.clone())
        .collect();
    let described = serde_json::to_string(&sent).expect("json");
    assert!(described.contains("\"failure\""), "{described}");
    assert!(described.contains("failed on main"), "the notification: {described}");
    assert_hidden(secret, "the commit statuses and the notification", described.as_bytes());

    for path in ["/api/runs", "/api/runs/1", "/api/runs/1/logs", "/api/events"] {
        let answer = http_get(&listen, path);
        assert!(answer.starts_with("HTTP/1.1 200"), "{path}: {answer}");
        assert_hidden(secret, path, answer.as_bytes());
    }
    let api = http_get(&listen, "/api/runs/1");
    assert!(api.contains("fail on ***"), "{api}");
    assert_hidden(secret, "the daemon's log", runner.log_text().as_bytes());
    assert_hidden_in_files(secret, &dir.path().join("store"));
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the runner");
    let request = format!("GET {path} HTTP/1.1\r\nHost: mlci\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send the request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    answer
}
