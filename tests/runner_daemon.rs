//! The runner daemon as a user runs it: a real `mlci runner start`, a bare
//! repository pushed to with the git CLI through the installed hook, real
//! containers, and a loopback forge that records commit statuses.

use crate::support::daemon::{free_port, git, wait_until, Forge, Origin, Runner};
use crate::support::docker::docker_ready;
use mlci::daemon::queue::{Queue, RunState};
use mlci::report::events::Outcome;
use mlci::store::{Status, Store};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(180);

/// Writes `runner.yml` for the bare repository and installs its hook.
fn configure(dir: &Path, origin: &Origin, extra: &str) -> std::path::PathBuf {
    let config = dir.join("runner.yml");
    let text = format!(
        "store: store\ncapacity: 2\nlisten: 127.0.0.1:{}\nrepos:\n  - name: vision\n    path: {}\n    default_branch: main\n    slug: acme/vision\n{extra}",
        free_port(),
        origin.bare.display()
    );
    std::fs::write(&config, text).expect("write runner.yml");
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["hook", "install", "--repo"])
        .arg(&origin.bare)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("run mlci hook install");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    config
}

/// `configure` with commit statuses sent to a forge on loopback (GitHub's
/// API, token `t0ken`).
fn configure_with_forge(dir: &Path, origin: &Origin) -> (Forge, std::path::PathBuf) {
    let forge = Forge::start();
    std::fs::write(dir.join("forge.token"), "t0ken\n").expect("write the token");
    let status = format!("status:\n  github: {}\n  token_file: forge.token\n", forge.url);
    let config = configure(dir, origin, &status);
    (forge, config)
}

/// Every event handled and no run queued or running.
fn settled(queue: &Queue, events: usize) -> bool {
    let all = queue.events(1000).unwrap_or_default();
    all.len() >= events
        && all.iter().all(|e| e.status != "queued")
        && queue.runs_in(RunState::Queued).is_ok_and(|r| r.is_empty())
        && queue.runs_in(RunState::Running).is_ok_and(|r| r.is_empty())
}

#[test]
fn a_push_runs_the_workflow_whose_paths_match_and_reports_its_status() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let (forge, config) = configure_with_forge(dir.path(), &origin);
    let workflow = "name: train\non:\n  push:\n    paths: ['src/model/**']\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo training on $GITHUB_REF_NAME\n";
    let _runner = Runner::start(&config);
    origin.commit(
        &[(".github/workflows/train.yml", workflow), ("README.md", "# vision\n")],
        "start",
    );
    let said = origin.push("main");
    assert!(
        said.contains("mlci: queued refs/heads/main as event 1"),
        "the hook said: {said}"
    );
    let docs = origin.commit(&[("docs/guide.md", "how to\n")], "docs");
    origin.push("main");
    let model = origin.commit(&[("src/model/net.py", "layers = 3\n")], "model");
    origin.push("main");
    let queue = Queue::open(&dir.path().join("store")).expect("open the queue");
    wait_until("the three pushes to be handled", LIMIT, || settled(&queue, 3));

    let store = Store::open(&dir.path().join("store")).expect("open the store");
    let runs = store.runs(10).expect("list runs");
    let ran: Vec<(&str, &str, Option<Outcome>)> = runs
        .iter()
        .map(|r| (r.sha.as_str(), r.git_ref.as_str(), r.result))
        .collect();
    assert_eq!(ran, [(model.as_str(), "refs/heads/main", Some(Outcome::Success))]);
    let notes: Vec<String> = queue
        .events(10)
        .expect("events")
        .into_iter()
        .rev()
        .map(|e| e.note.unwrap_or_default())
        .collect();
    assert!(
        notes[1].contains("no changed file matches"),
        "the docs push: {}",
        notes[1]
    );
    assert_eq!(forge.statuses(&docs), []);
    let statuses = |sha| {
        let mut sent = Vec::new();
        wait_until("the statuses to arrive", LIMIT, || {
            sent = forge.statuses(sha);
            sent.len() >= 4
        });
        sent
    };
    let pair = |c: &str, s: &str| (c.to_string(), s.to_string());
    // Each context's states arrive in order; the run's and the job's are
    // sent side by side, so only the order within one context is fixed.
    let mut sent = statuses(&model);
    sent.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        sent,
        [
            pair("mlci/train", "pending"),
            pair("mlci/train", "success"),
            pair("mlci/train/train", "pending"),
            pair("mlci/train/train", "success"),
        ]
    );
    let first = forge.received.lock().expect("the log")[0].clone();
    assert_eq!(first.path, format!("/repos/acme/vision/statuses/{model}"));
    assert_eq!(first.authorization, "Bearer t0ken");
    let store_dir = dir.path().join("store");
    let detail = store.run(runs[0].id).expect("read the run").expect("the run");
    let log: String = detail
        .log_files(&store_dir, None)
        .iter()
        .map(|f| std::fs::read_to_string(&f.path).unwrap_or_default())
        .collect();
    assert!(log.contains("training on main"), "the logs: {log}");
}

/// The most job legs that ran at the same time, from their recorded times.
fn most_at_once(store: &Store) -> usize {
    let mut edges = Vec::new();
    for run in store.runs(1000).expect("list runs") {
        let detail = store.run(run.id).expect("read a run").expect("the run");
        for job in detail.jobs.iter().filter(|j| j.started_at.is_some()) {
            edges.push((job.started_at.clone().unwrap_or_default(), 1i32));
            edges.push((job.finished_at.clone().unwrap_or_default(), -1));
        }
    }
    // At equal times an end sorts before a start: the slot was free first.
    edges.sort();
    let (mut now, mut most) = (0, 0);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most as usize
}

#[test]
fn fifty_pushes_to_five_branches_are_all_recorded_and_superseded_runs_are_cancelled() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let config = configure(dir.path(), &origin, "labels:\n  ubuntu-latest: host\n");
    let workflow = "on: push\nconcurrency:\n  group: build-${{ github.ref }}\n  cancel-in-progress: true\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sleep 1\n";
    origin.commit(&[(".github/workflows/build.yml", workflow)], "start");
    let _runner = Runner::start(&config);
    let mut last = Vec::new();
    for branch in ["b1", "b2", "b3", "b4", "b5"] {
        origin.checkout(branch);
        let mut sha = String::new();
        for i in 0..10 {
            sha = origin.commit(
                &[(&format!("{branch}.txt"), &format!("{i}\n"))],
                &format!("{branch} {i}"),
            );
            origin.push(branch);
        }
        last.push(sha);
    }
    let store_dir = dir.path().join("store");
    let queue = Queue::open(&store_dir).expect("open the queue");
    wait_until("the fifty pushes to be handled", LIMIT, || settled(&queue, 50));

    let events = queue.events(1000).expect("list events");
    assert_eq!(events.len(), 50, "every push is recorded");
    assert!(events.iter().all(|e| e.status == "done" && e.source == "hook"));
    let queued = queue.recent_runs(1000).expect("list queued runs");
    assert_eq!(queued.len(), 50, "each push queues the workflow once");
    let superseded = queued.iter().filter(|r| r.state == RunState::Superseded).count();
    let store = Store::open(&store_dir).expect("open the store");
    let runs = store.runs(1000).expect("list runs");
    let cancelled = runs.iter().filter(|r| r.result == Some(Outcome::Cancelled)).count();
    assert_eq!(
        superseded + runs.len(),
        50,
        "a run either ran or was superseded before it started"
    );
    assert!(
        superseded + cancelled >= 45 - 10,
        "superseded {superseded}, cancelled {cancelled}"
    );
    for sha in &last {
        let run = runs.iter().find(|r| &r.sha == sha).expect("the branch's last push ran");
        assert_eq!(
            run.result,
            Some(Outcome::Success),
            "the newest run of a branch is never cancelled"
        );
    }
    assert!(runs.iter().all(|r| r.result != Some(Outcome::Failure)));
    assert!(most_at_once(&store) <= 2, "capacity 2 was exceeded");
}

/// Whether job `job` of the newest run is running.
fn job_running(store: &Store, job: &str) -> bool {
    let newest = store.runs(1).ok().and_then(|r| r.first().map(|r| r.id));
    newest
        .and_then(|id| store.run(id).ok().flatten())
        .is_some_and(|d| d.jobs.iter().any(|j| j.job == job && j.status == Status::Running))
}

fn containers_of(pid: u32) -> Vec<String> {
    let output = Command::new("docker")
        .args(["ps", "--all", "--quiet", "--filter", &format!("label=mlci.pid={pid}")])
        .output()
        .expect("run docker ps");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_killed_runner_resumes_its_run_after_a_restart_and_runs_what_was_queued_behind_it() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let config = configure(dir.path(), &origin, "");
    let workflow = "on: push\njobs:\n  prepare:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo prepared\n  train:\n    needs: prepare\n    runs-on: ubuntu-latest\n    steps:\n      - run: sleep 3 && echo trained\n";
    let first = origin.commit(&[(".github/workflows/train.yml", workflow)], "start");
    let mut runner = Runner::start(&config);
    origin.push("main");
    let store_dir = dir.path().join("store");
    let store = Store::open(&store_dir).expect("open the store");
    wait_until("job `train` to start", LIMIT, || job_running(&store, "train"));
    let dead = runner.pid();
    wait_until("train's container", LIMIT, || !containers_of(dead).is_empty());
    runner.signal("KILL");
    runner.wait(LIMIT);
    let second = origin.commit(&[("src/b.py", "b = 2\n")], "behind it");
    let said = origin.push("main");
    assert!(
        said.contains("as event 2"),
        "the push still succeeds with the runner down: {said}"
    );
    assert!(!containers_of(dead).is_empty(), "the dead runner left its container");

    let restarted = Runner::start(&config);
    let queue = Queue::open(&store_dir).expect("open the queue");
    wait_until("both pushes to be handled", LIMIT, || settled(&queue, 2));
    assert_eq!(
        containers_of(dead),
        Vec::<String>::new(),
        "the dead runner's containers are removed"
    );
    let mut runs = store.runs(10).expect("list runs");
    runs.reverse();
    let summary: Vec<(&str, Status, Option<Outcome>, Option<i64>)> = runs
        .iter()
        .map(|r| (r.sha.as_str(), r.status, r.result, r.rerun_of))
        .collect();
    let interrupted = runs[0].id;
    assert_eq!(
        summary,
        [
            (first.as_str(), Status::Interrupted, None, None),
            (
                first.as_str(),
                Status::Finished,
                Some(Outcome::Success),
                Some(interrupted)
            ),
            (second.as_str(), Status::Finished, Some(Outcome::Success), None),
        ],
        "{}",
        restarted.log_text()
    );
    let resumed = store.run(runs[1].id).expect("read the run").expect("the resumed run");
    let prepare = resumed.jobs.iter().find(|j| j.job == "prepare").expect("prepare");
    let reason = format!("succeeded in run {interrupted}; not run again");
    assert_eq!(
        prepare.reason.as_deref(),
        Some(reason.as_str()),
        "prepare succeeded before the kill"
    );
    let said = restarted.log_text();
    assert!(
        said.contains(&format!("run {interrupted} was interrupted: running it again")),
        "{said}"
    );
    assert!(!said.contains("cancelled by a shutdown"), "{said}");
}

#[test]
fn sigterm_lets_the_running_job_finish_and_keeps_queued_events() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let config = configure(
        dir.path(),
        &origin,
        "labels:\n  ubuntu-latest: host\nshutdown_timeout: 60s\n",
    );
    let workflow = "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo started && sleep 2 && echo finished\n";
    origin.commit(&[(".github/workflows/train.yml", workflow)], "start");
    let mut runner = Runner::start(&config);
    origin.push("main");
    let store_dir = dir.path().join("store");
    let store = Store::open(&store_dir).expect("open the store");
    wait_until("the job to start", LIMIT, || job_running(&store, "train"));
    runner.signal("TERM");
    assert_eq!(runner.wait(LIMIT), Some(0), "{}", runner.log_text());
    let runs = store.runs(10).expect("list runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0].result,
        Some(Outcome::Success),
        "the job finished within shutdown_timeout"
    );
    assert!(runner
        .log_text()
        .contains("stopping: 1 runs still running get up to 60s to finish"));
    // A push while the runner is down waits in the queue.
    origin.commit(&[("a.txt", "a\n")], "later");
    origin.push("main");
    let queue = Queue::open(&store_dir).expect("open the queue");
    assert_eq!(queue.next_event().expect("read the queue").map(|e| e.id), Some(2));
}

/// The JSON log lines whose message starts with `start`.
fn json_lines(log: &str, start: &str) -> Vec<serde_json::Value> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["message"].as_str().is_some_and(|m| m.starts_with(start)))
        .collect()
}

#[test]
fn json_logs_carry_the_event_and_run_ids_as_fields() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let config = configure(dir.path(), &origin, "labels:\n  ubuntu-latest: host\n");
    let workflow = "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo trained\n";
    origin.commit(&[(".github/workflows/train.yml", workflow)], "start");
    let mut runner = Runner::start_with(&config, &["--log-format", "json"]);
    origin.push("main");
    runner.wait_for_line("run 1 finished", LIMIT);
    runner.signal("TERM");
    assert_eq!(runner.wait(LIMIT), Some(0), "{}", runner.log_text());
    let log = runner.log_text();
    // Every line the daemon wrote is one JSON object.
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_err())
        .collect();
    assert_eq!(bad, Vec::<&str>::new());
    let taken = json_lines(&log, "event taken");
    assert_eq!(taken.len(), 1, "{log}");
    let field = |line: &serde_json::Value, key: &str| line[key].clone();
    assert_eq!(
        ["level", "event_id", "repo", "git_ref", "queued"].map(|k| field(&taken[0], k)),
        [
            json!("INFO"),
            json!(1),
            json!("vision"),
            json!("\"refs/heads/main\""),
            json!(1)
        ]
    );
    let finished = json_lines(&log, "run 1 finished");
    assert_eq!(
        ["run_id", "repo", "result"].map(|k| field(&finished[0], k)),
        [json!(1), json!("vision"), json!("success")]
    );
}

/// `mlci hook install` for another repository of the same runner.
fn install_hook(origin: &Origin, config: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["hook", "install", "--repo"])
        .arg(&origin.bare)
        .arg("--config")
        .arg(config)
        .output()
        .expect("run mlci hook install");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn two_repositories_whose_concurrency_groups_read_the_same_never_cancel_each_other() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).expect("a folder");
    std::fs::create_dir_all(&b).expect("a folder");
    let (vision, speech) = (Origin::new(&a), Origin::new(&b));
    let marker = dir.path().join("speech-finished");
    let second = format!(
        "  - name: speech\n    path: {}\n    default_branch: main\n    slug: acme/speech\nlabels:\n  ubuntu-latest: host\n",
        speech.bare.display()
    );
    let config = configure(dir.path(), &vision, &second);
    install_hook(&speech, &config);
    // Both groups read `ci-refs/heads/main`; vision's job waits until
    // speech's run has finished, so both are running at once.
    let workflow = |wait: bool| {
        let step = if wait {
            format!("until [ -f {} ]; do sleep 0.05; done", marker.display())
        } else {
            "echo speech".to_string()
        };
        format!("on: push\nconcurrency:\n  group: ci-${{{{ github.ref }}}}\n  cancel-in-progress: true\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {step}\n")
    };
    vision.commit(&[(".github/workflows/ci.yml", &workflow(true))], "vision");
    speech.commit(&[(".github/workflows/ci.yml", &workflow(false))], "speech");
    let mut runner = Runner::start(&config);
    let store_dir = dir.path().join("store");
    let store = Store::open(&store_dir).expect("open the store");
    let queue = Queue::open(&store_dir).expect("open the queue");
    vision.push("main");
    wait_until("vision's job to start", LIMIT, || job_running(&store, "train"));
    speech.push("main");
    wait_until("speech's run to finish", LIMIT, || {
        store
            .runs(10)
            .unwrap_or_default()
            .iter()
            .any(|r| r.id == 2 && r.result.is_some())
    });
    std::fs::write(&marker, "done").expect("write the marker");
    wait_until("both runs to finish", LIMIT, || settled(&queue, 2));
    runner.signal("TERM");
    assert_eq!(runner.wait(LIMIT), Some(0), "{}", runner.log_text());
    let mut results: Vec<(String, Option<Outcome>)> = store
        .runs(10)
        .expect("list runs")
        .into_iter()
        .map(|r| (r.sha, r.result))
        .collect();
    results.sort_by_key(|r| r.0.clone());
    let mut expected = vec![
        (
            git(&vision.work, &["rev-parse", "HEAD"]).trim().to_string(),
            Some(Outcome::Success),
        ),
        (
            git(&speech.work, &["rev-parse", "HEAD"]).trim().to_string(),
            Some(Outcome::Success),
        ),
    ];
    expected.sort_by_key(|r| r.0.clone());
    assert_eq!(results, expected, "{}", runner.log_text());
    assert_eq!(queue.runs_in(RunState::Finished).expect("list").len(), 2);
    assert_eq!(queue.runs_in(RunState::Superseded).expect("list"), []);
}

#[test]
fn a_workflow_invalid_at_the_pushed_commit_gets_an_error_status_with_its_first_error() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let (forge, config) = configure_with_forge(dir.path(), &origin);
    let broken = "name: lint\non: push\njobs:\n  lint:\n    steps:\n      - run: echo lint\n";
    let sha = origin.commit(&[(".github/workflows/lint.yml", broken)], "broken");
    let _runner = Runner::start(&config);
    origin.push("main");
    let store_dir = dir.path().join("store");
    let queue = Queue::open(&store_dir).expect("open the queue");
    wait_until("the event to be taken", LIMIT, || settled(&queue, 1));
    let why = ".github/workflows/lint.yml:4:3: job `lint` is missing the required key `runs-on`";
    assert_eq!(
        queue.events(10).expect("list events")[0].note.as_deref(),
        Some(format!(".github/workflows/lint.yml: invalid, not run: {why}").as_str())
    );
    wait_until("the status to arrive", LIMIT, || !forge.statuses(&sha).is_empty());
    let received = forge.received.lock().expect("the forge's log")[0].clone();
    assert_eq!(
        ["context", "state", "description"].map(|k| received.body[k].clone()),
        [json!("mlci/lint"), json!("error"), json!(why)]
    );
    assert_eq!(
        Store::open(&store_dir)
            .expect("open the store")
            .runs(10)
            .expect("list")
            .len(),
        0
    );
}

/// The `listen:` address `configure` wrote into runner.yml.
fn listen_of(config: &Path) -> String {
    let text = std::fs::read_to_string(config).expect("read runner.yml");
    let line = text.lines().find_map(|l| l.strip_prefix("listen: "));
    line.expect("a listen line").to_string()
}

/// `POST path` with a JSON body over a plain socket; the status code.
fn post_json(addr: &str, path: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the runner");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: mlci\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send the request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    answer.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0)
}

#[test]
fn a_remote_that_never_answers_holds_neither_the_other_repositories_nor_sigterm() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    // A forge that accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let stuck = format!(
        "  - name: stuck\n    url: http://{}/acme/stuck.git\n    default_branch: main\nlabels:\n  ubuntu-latest: host\n",
        silent.local_addr().expect("its address")
    );
    let config = configure(dir.path(), &origin, &stuck);
    let workflow = "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo trained\n";
    origin.commit(&[(".github/workflows/train.yml", workflow)], "start");
    let mut runner = Runner::start(&config);
    // The stuck repository's mirror has nothing yet: the dispatch is queued,
    // and intake's fetch of it hangs.
    let body = r#"{"repo": "stuck", "workflow": "train.yml"}"#;
    assert_eq!(post_json(&listen_of(&config), "/api/dispatch", body), 202);
    let queue = Queue::open(&dir.path().join("store")).expect("open the queue");
    origin.push("main");
    let store = Store::open(&dir.path().join("store")).expect("open the store");
    // Well under the fetch timeout (300 s): only intake off the loop passes.
    let bound = Duration::from_secs(100);
    wait_until("vision's run to finish while stuck is fetched", bound, || {
        store
            .runs(10)
            .unwrap_or_default()
            .iter()
            .any(|r| r.result == Some(Outcome::Success))
    });
    let events = queue.events(10).expect("list events");
    let states: Vec<(&str, &str)> = events.iter().map(|e| (e.repo.as_str(), e.status.as_str())).collect();
    assert_eq!(states, [("vision", "done"), ("stuck", "queued")]);
    runner.signal("TERM");
    assert_eq!(runner.wait(bound), Some(0), "{}", runner.log_text());
    // What intake had not finished waits for the next start.
    assert_eq!(
        queue.next_event().expect("read").map(|e| e.repo),
        Some("stuck".to_string())
    );
    drop(silent);
}

#[test]
fn a_dispatch_runs_with_its_inputs_and_defaults_and_an_undeclared_input_runs_nothing() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let origin = Origin::new(dir.path());
    let config = configure(dir.path(), &origin, "labels:\n  ubuntu-latest: host\n");
    let workflow = "on:\n  workflow_dispatch:\n    inputs:\n      lr:\n        default: '0.1'\n      epochs:\n        type: number\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"lr=${{ inputs.lr }} epochs=${{ inputs.epochs }} event=${{ github.event.inputs.lr }}\"\n";
    origin.commit(&[(".github/workflows/train.yml", workflow)], "start");
    origin.push("main");
    let _runner = Runner::start(&config);
    let listen = listen_of(&config);
    let bogus = r#"{"repo": "vision", "workflow": "train.yml", "inputs": {"lr": "0.5", "bogus": "1"}}"#;
    assert_eq!(post_json(&listen, "/api/dispatch", bogus), 422);
    let good = r#"{"repo": "vision", "workflow": "train.yml", "inputs": {"epochs": "3"}}"#;
    assert_eq!(post_json(&listen, "/api/dispatch", good), 202);
    let store_dir = dir.path().join("store");
    let queue = Queue::open(&store_dir).expect("open the queue");
    // The push before the runner started, and the one good dispatch.
    wait_until("the dispatch to run", LIMIT, || settled(&queue, 2));
    let store = Store::open(&store_dir).expect("open the store");
    let runs = store.runs(10).expect("list runs");
    let summary: Vec<(&str, Option<Outcome>)> = runs.iter().map(|r| (r.event.as_str(), r.result)).collect();
    assert_eq!(summary, [("workflow_dispatch", Some(Outcome::Success))]);
    let detail = store.run(runs[0].id).expect("read the run").expect("the run");
    let log: String = detail
        .log_files(&store_dir, None)
        .iter()
        .map(|f| std::fs::read_to_string(&f.path).unwrap_or_default())
        .collect();
    assert!(log.contains("lr=0.1 epochs=3 event=0.1"), "the logs: {log}");
}
