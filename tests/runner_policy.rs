//! The daemon's container policy on real containers: an option that opens
//! the host fails its job before it starts, naming the option and the
//! runner.yml key that would allow it; an allowed one runs; every container
//! gets the configured process and memory limits.

use crate::support::daemon::{free_port, wait_until, Origin, Runner};
use crate::support::docker::docker_ready;
use mlci::daemon::queue::{Queue, RunState};
use mlci::report::events::Outcome;
use mlci::store::Store;
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(180);

#[test]
fn the_daemon_refuses_what_opens_the_host_runs_what_runner_yml_allows_and_limits_every_container() {
    if !docker_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).expect("a host folder");
    std::fs::write(shared.join("data.txt"), "host data\n").expect("a host file");
    let origin = Origin::new(dir.path());
    let config = dir.path().join("runner.yml");
    let text = format!(
        "store: store\ncapacity: 2\nlisten: 127.0.0.1:{}\nlimits:\n  pids: 321\n  memory: 256m\n\
         repos:\n  - name: vision\n    path: {}\n    default_branch: main\n    allow: [host-volumes]\n",
        free_port(),
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
    let workflow = format!(
        "on: push
jobs:
  privileged:
    runs-on: ubuntu-latest
    container:
      image: mlci/runner:bookworm
      options: --privileged --network host
    steps:
      - run: echo never runs
  mounted:
    runs-on: ubuntu-latest
    container:
      image: mlci/runner:bookworm
      volumes: ['{}:/host-data:ro']
    steps:
      - run: cat /host-data/data.txt
      - run: echo pids $(cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max)
      - run: echo memory $(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
",
        shared.display()
    );
    let _runner = Runner::start(&config);
    origin.commit(&[(".github/workflows/ci.yml", workflow.as_str())], "start");
    origin.push("main");
    let queue = Queue::open(&dir.path().join("store")).expect("open the queue");
    wait_until("the push to be handled", LIMIT, || {
        queue.events(10).is_ok_and(|e| e.len() == 1 && e[0].status != "queued")
            && queue.runs_in(RunState::Queued).is_ok_and(|r| r.is_empty())
            && queue.runs_in(RunState::Running).is_ok_and(|r| r.is_empty())
    });

    let store_dir = dir.path().join("store");
    let store = Store::open(&store_dir).expect("open the store");
    let runs = store.runs(10).expect("list runs");
    assert_eq!(runs.len(), 1);
    let detail = store.run(runs[0].id).expect("read the run").expect("the run");
    let job = |name: &str| detail.jobs.iter().find(|j| j.job == name).expect("the job").clone();
    let refused = job("privileged");
    assert_eq!(refused.result, Some(Outcome::Failure));
    assert_eq!(refused.attempts, 0, "refused before any container started");
    assert_eq!(
        refused.reason.as_deref(),
        Some(
            "the job container: `--privileged` would give the job the host's devices and kernel capabilities, \
             which this runner refuses; to allow it, add `allow: [privileged]` to repository `vision` in runner.yml\n\
             the job container: `--network host` would give the job the host's network, which this runner refuses; \
             to allow it, add `allow: [host-network]` to repository `vision` in runner.yml"
        )
    );
    let mounted = job("mounted");
    assert_eq!(mounted.result, Some(Outcome::Success), "{:?}", mounted.reason);
    let log: String = detail
        .log_files(&store_dir, Some("mounted"))
        .iter()
        .map(|f| std::fs::read_to_string(&f.path).unwrap_or_default())
        .collect();
    assert!(log.contains("host data"), "the logs: {log}");
    assert!(log.contains("pids 321"), "the logs: {log}");
    assert!(log.contains(&format!("memory {}", 256 << 20)), "the logs: {log}");
}
