//! Real processes on this machine.

use super::*;
use crate::backend::ServiceSpec;
use tokio::sync::oneshot;
use tokio::time::{timeout, Instant};

/// A bound on how long a step may take before a test fails, so a hang is a
/// failure and not a stuck test run.
const HANG: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Collect {
    lines: Vec<String>,
    /// Told when the first line arrives.
    first: Option<oneshot::Sender<String>>,
}

impl LineSink for Collect {
    fn line(&mut self, line: &str) {
        if let Some(first) = self.first.take() {
            let _ = first.send(line.to_string());
        }
        self.lines.push(line.to_string());
    }
}

fn told_on_first_line() -> (Collect, oneshot::Receiver<String>) {
    let (sender, receiver) = oneshot::channel();
    let sink = Collect {
        lines: Vec::new(),
        first: Some(sender),
    };
    (sink, receiver)
}

async fn start(dir: &tempfile::TempDir) -> Box<dyn JobEnv> {
    let spec = JobSpec {
        leg_name: "build".into(),
        workspace: dir.path().join("work"),
        temp: dir.path().join("temp"),
        ..JobSpec::default()
    };
    HostBackend::new().start_job(&spec).await.unwrap()
}

fn sh(script: &str) -> ExecSpec {
    ExecSpec {
        argv: vec!["sh".into(), "-c".into(), script.into()],
        env: vec![("PATH".into(), std::env::var("PATH").unwrap_or_default())],
        working_directory: String::new(),
        records_pid: false,
    }
}

async fn run(job: &dyn JobEnv, spec: &ExecSpec) -> (i64, Vec<String>) {
    let mut sink = Collect::default();
    let code = timeout(HANG, job.exec(spec, &mut sink))
        .await
        .expect("the step hung")
        .unwrap();
    (code, sink.lines)
}

/// Waits (a bounded while) until process `pid` is gone or a zombie.
async fn gone(pid: &str) -> bool {
    let deadline = Instant::now() + HANG;
    while Instant::now() < deadline {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat)
                if stat
                    .rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')) =>
            {
                return true
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    false
}

#[tokio::test]
async fn stdout_and_stderr_keep_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let (code, lines) = run(
        &*job,
        &sh("echo 1; echo 2 >&2; echo 3; printf 'x\\377y\\n' >&2; printf 4"),
    )
    .await;
    assert_eq!(code, 0);
    assert_eq!(lines, ["1", "2", "3", "x\u{fffd}y", "4"]);
}

#[tokio::test]
async fn exit_codes_and_signals_read_like_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    assert_eq!(run(&*job, &sh("exit 3")).await.0, 3);
    assert_eq!(run(&*job, &sh("kill -TERM $$")).await.0, 143);
    assert_eq!(run(&*job, &sh("kill -KILL $$")).await.0, 137);
}

#[tokio::test]
async fn steps_get_exactly_their_env_and_directory() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let path = std::env::var("PATH").unwrap_or_default();
    let env = ExecSpec {
        argv: vec!["env".into()],
        env: vec![("PATH".into(), path.clone()), ("FOO".into(), "a b".into())],
        working_directory: String::new(),
        records_pid: false,
    };
    let (code, mut lines) = run(&*job, &env).await;
    lines.sort();
    // And the job's mark, which finds what the job leaves behind.
    let mark = lines.iter().position(|l| l.starts_with("MLCI_HOST_JOB="));
    lines.remove(mark.expect("the job's mark"));
    assert_eq!((code, lines), (0, vec!["FOO=a b".to_string(), format!("PATH={path}")]));

    let sub = dir.path().join("work/sub");
    std::fs::create_dir(&sub).unwrap();
    let pwd = ExecSpec {
        working_directory: sub.display().to_string(),
        ..sh("pwd -P")
    };
    let expected = sub.canonicalize().unwrap().display().to_string();
    assert_eq!(run(&*job, &pwd).await, (0, vec![expected]));
    let default = run(&*job, &sh("pwd -P")).await;
    let workspace = dir.path().join("work").canonicalize().unwrap().display().to_string();
    assert_eq!(default, (0, vec![workspace]));
}

#[tokio::test]
async fn stop_steps_stops_a_step_and_what_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let spec = sh("sleep 30 & echo $!; sleep 30");
    let (mut sink, first) = told_on_first_line();
    let stopper = async {
        let child = first.await.unwrap();
        job.stop_steps(StopSignal::Terminate).await;
        child
    };
    let (code, child) = timeout(HANG, async { tokio::join!(job.exec(&spec, &mut sink), stopper) })
        .await
        .expect("the stopped step did not end");
    assert_eq!(code.unwrap(), 143);
    assert!(gone(&child).await, "the step's background sleep survived");

    let (mut sink, first) = told_on_first_line();
    let stopper = async {
        first.await.unwrap();
        job.stop_steps(StopSignal::Kill).await;
    };
    let (code, ()) = timeout(HANG, async { tokio::join!(job.exec(&spec, &mut sink), stopper) })
        .await
        .expect("the killed step did not end");
    assert_eq!(code.unwrap(), 137);
}

#[tokio::test]
async fn a_background_process_does_not_hold_the_step_and_remove_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let (code, lines) = run(&*job, &sh("sleep 100 & echo $!; echo done")).await;
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1], "done");
    assert!(
        !gone_now(&lines[0]),
        "the background sleep should still run until the job is removed"
    );
    job.remove().await.unwrap();
    assert!(gone(&lines[0]).await, "remove() left the background sleep running");
    job.remove().await.unwrap();
}

/// A step starts a server in a new session (`setsid`) and a daemon by a
/// double fork; neither is in the step's process group or under the step,
/// and neither outlives the job.
#[tokio::test]
async fn processes_in_other_sessions_do_not_outlive_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let script = "setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $!
        sh -c 'sleep 1001 </dev/null >/dev/null 2>&1 & echo $!' </dev/null
        echo started";
    let (code, lines) = run(&*job, &sh(script)).await;
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines.len(), 3, "{lines:?}");
    let (session, daemon) = (&lines[0], &lines[1]);
    // Really out of the step's group: the group kill alone misses them.
    let sid = |pid: &str| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let fields: Vec<String> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .map(str::to_string)
            .collect();
        (fields[2].clone(), fields[3].clone()) // (pgrp, session)
    };
    // `setsid` runs in the background child: wait (boundedly) until it has
    // made its session, or the group kill alone would still reach it.
    let deadline = Instant::now() + HANG;
    while sid(session).1 != *session {
        assert!(Instant::now() < deadline, "setsid made no session of its own");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!gone_now(daemon), "the double-forked sleep runs on");
    job.remove().await.unwrap();
    assert!(gone(session).await, "the setsid sleep outlived the job");
    assert!(gone(daemon).await, "the double-forked sleep outlived the job");
}

/// A step that leaves its session and clears its environment escapes the
/// job's mark; where mlci can make the job a cgroup (root, as CI runs),
/// the cgroup holds it and it ends with the job.
#[tokio::test]
async fn a_process_that_clears_its_environment_ends_with_the_job_where_a_cgroup_holds_it() {
    let Some(probe) = cgroup::JobCgroup::create(&leftovers::new_mark()) else {
        let message = "this user cannot make a cgroup for a host job";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("skipped: {message}");
        return;
    };
    drop(probe);
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let script = "setsid env -i sleep 1004 </dev/null >/dev/null 2>&1 & echo $!";
    let (code, lines) = run(&*job, &sh(script)).await;
    assert_eq!(code, 0, "{lines:?}");
    let escaped = &lines[0];
    // Wait (boundedly) until it has run `env -i`: its environment is empty.
    let deadline = Instant::now() + HANG;
    while std::fs::read(format!("/proc/{escaped}/environ")).map_or(true, |e| !e.is_empty()) {
        assert!(
            Instant::now() < deadline,
            "the step's sleep never cleared its environment"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    job.remove().await.unwrap();
    assert!(gone(escaped).await, "the sleep without the job's mark outlived the job");
}

fn gone_now(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_err()
}

#[tokio::test]
async fn dropping_exec_kills_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let (mut sink, first) = told_on_first_line();
    let spec = sh("echo $$; sleep 30");
    let pid = tokio::select! {
        _ = job.exec(&spec, &mut sink) => panic!("the step ended by itself"),
        pid = first => pid.unwrap(),
    };
    assert!(gone(&pid).await, "the step outlived its exec");
}

#[tokio::test]
async fn a_million_lines_all_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let (code, lines) = run(&*job, &sh("seq 1 1000000")).await;
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1_000_000);
    assert_eq!((lines[0].as_str(), lines[999_999].as_str()), ("1", "1000000"));
}

#[tokio::test]
async fn steps_that_cannot_start_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let mut sink = Collect::default();
    let missing = ExecSpec {
        argv: vec!["mlci-no-such-program".into()],
        ..sh("")
    };
    let error = job.exec(&missing, &mut sink).await.unwrap_err().to_string();
    assert!(error.starts_with("failed to start `mlci-no-such-program`: "), "{error}");
    let nowhere = ExecSpec {
        working_directory: "/mlci/no/such/dir".into(),
        ..sh("true")
    };
    assert_eq!(
        job.exec(&nowhere, &mut sink).await.unwrap_err().to_string(),
        "failed to start `sh`: the working directory /mlci/no/such/dir does not exist"
    );
    let empty = ExecSpec {
        argv: Vec::new(),
        ..sh("")
    };
    assert_eq!(
        job.exec(&empty, &mut sink).await.unwrap_err().to_string(),
        "a step has no command to run"
    );
}

#[tokio::test]
async fn the_job_lives_in_its_directories_without_containers() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    assert_eq!(job.workspace(), dir.path().join("work").display().to_string());
    assert_eq!(job.temp(), dir.path().join("temp").display().to_string());
    assert!(dir.path().join("work").is_dir() && dir.path().join("temp").is_dir());
    assert!(job.container_context().is_empty());
    assert!(job.services_context().is_empty());
    let image = ImageStepSpec {
        image: "alpine".into(),
        ..ImageStepSpec::default()
    };
    assert_eq!(
        job.run_image(&image, &mut Collect::default())
            .await
            .unwrap_err()
            .to_string(),
        "`docker://` steps need the docker backend; this job runs on the host"
    );
}

#[tokio::test]
async fn services_need_docker() {
    let dir = tempfile::tempdir().unwrap();
    let spec = JobSpec {
        leg_name: "test".into(),
        workspace: dir.path().join("work"),
        temp: dir.path().join("temp"),
        services: vec![ServiceSpec {
            id: "postgres".into(),
            image: "postgres:16".into(),
            ..ServiceSpec::default()
        }],
        ..JobSpec::default()
    };
    let error = HostBackend::new().start_job(&spec).await.err().unwrap();
    assert_eq!(
        error,
        BackendError::Other("job `test` has services; services need the docker backend".into())
    );
}

#[tokio::test]
async fn a_background_process_that_keeps_writing_does_not_hold_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let job = start(&dir).await;
    let (code, lines) = run(&*job, &sh("yes spam & echo done")).await;
    assert_eq!(code, 0);
    // `done` may land inside a write of `yes`.
    assert!(
        lines.iter().any(|l| l.contains("done")),
        "{:?}",
        &lines[..10.min(lines.len())]
    );
    job.remove().await.unwrap();
}
