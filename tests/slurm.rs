//! The Slurm backend against a real Slurm cluster on this machine (started
//! by tests/slurm/setup.sh: one node, four fake GPUs). Each job leg becomes
//! a Slurm job whose agent runs the steps on the node.

use crate::support::slurm::{slurm_cluster, squeue_ids, squeue_job, squeue_names};
use crate::support::Test;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_two_job_workflow_runs_on_slurm_and_passes_outputs_along() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let output = Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              first:
                runs-on: ubuntu-latest
                outputs: {word: "${{ steps.w.outputs.word }}"}
                steps:
                  - id: w
                    run: |
                      test -n "$SLURM_JOB_ID"
                      echo "word=from-slurm-$SLURM_JOB_NAME" >> "$GITHUB_OUTPUT"
              second:
                needs: first
                runs-on: ubuntu-latest
                steps:
                  - run: echo "got ${{ needs.first.outputs.word }}"
            "#,
        )
        .args(&["run", "--backend", "slurm"])
        .stdout_contains("[first] submitting to Slurm\n")
        .stdout_contains("[second]   got from-slurm-first\n")
        .stdout_contains("run 1: success")
        .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let submitted = stdout.lines().filter(|l| l.contains("submitted as Slurm job ")).count();
    assert_eq!(submitted, 2, "{stdout}");
}

#[test]
fn a_job_asking_for_two_gpus_sees_the_two_slurm_leased() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let output = Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              gpus_two:
                runs-on: gpu2
                steps:
                  - run: echo "ids=$CUDA_VISIBLE_DEVICES mlci=$MLCI_GPU_IDS"
            "#,
        )
        .args(&["run", "--backend", "slurm", "-P", "gpu2=host,gpus=2"])
        .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("[gpus_two]   ids="))
        .unwrap_or_else(|| panic!("no ids line: {stdout}"));
    let (cuda, mlci) = line.split_once(" mlci=").expect("both variables");
    let ids: Vec<u32> = cuda.split(',').map(|id| id.parse().expect("a device index")).collect();
    assert_eq!(ids.len(), 2, "{line}");
    assert!(ids.iter().all(|&id| id < 4) && ids[0] != ids[1], "{line}");
    assert_eq!(mlci, cuda);
    assert!(stdout.contains("; running on node "), "{stdout}");
    assert!(stdout.contains(&format!(" with GPUs {cuda}\n")), "{stdout}");
}

/// Three legs of 2 GPUs each on a node with 4: each leg logs its start
/// (with its devices) and its end, and a running leg stays until it has
/// seen a leg of its run waiting in Slurm with reason `Resources` (or all
/// three have started). The log then shows at most two running at once,
/// on disjoint devices, and the third waiting for resources.
#[test]
fn three_legs_of_two_gpus_share_four_two_at_a_time() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          share:
            runs-on: gpu2
            strategy: {matrix: {n: [1, 2, 3]}}
            steps:
              - run: |
                  log="$LEGS/log"
                  flock "$log" sh -c "echo start $SLURM_JOB_ID $CUDA_VISIBLE_DEVICES >> $log"
                  for _ in $(seq 1 600); do
                    [ "$(grep -c '^start' "$log")" = 3 ] && break
                    if squeue -h -t PENDING -o '%j|%r' | grep -q '^share (.)|Resources$'; then
                      flock "$log" sh -c "echo saw-waiting $SLURM_JOB_ID >> $log"
                      break
                    fi
                    sleep 0.1
                  done
                  flock "$log" sh -c "echo end $SLURM_JOB_ID >> $log"
        "#,
    );
    // Outside the test's folder, which is gone once mlci has run.
    let legs_dir = tempfile::tempdir().unwrap();
    let legs = legs_dir.path();
    let legs_env = format!("LEGS={}", legs.display());
    test.args(&[
        "run",
        "--backend",
        "slurm",
        "-P",
        "gpu2=host,gpus=2",
        "--env",
        &legs_env,
    ])
    .stdout_contains("run 1: success")
    .run();
    let log = std::fs::read_to_string(legs.join("log")).unwrap();
    let mut running: Vec<(String, Vec<String>)> = Vec::new();
    let mut most = 0;
    for line in log.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["start", id, devices] => {
                let devices: Vec<String> = devices.split(',').map(str::to_string).collect();
                for (other, theirs) in &running {
                    assert!(
                        devices.iter().all(|d| !theirs.contains(d)),
                        "{id} and {other} share GPUs: {log}"
                    );
                }
                running.push((id.to_string(), devices));
                most = most.max(running.len());
            }
            ["end", id] => running.retain(|(other, _)| other != id),
            ["saw-waiting", _] => {}
            _ => panic!("unexpected line {line:?} in {log}"),
        }
    }
    assert_eq!(log.lines().filter(|l| l.starts_with("start")).count(), 3, "{log}");
    assert!(most <= 2, "more than two legs ran at once: {log}");
    assert!(
        log.contains("saw-waiting"),
        "no leg saw another wait for Resources: {log}"
    );
}

#[test]
fn a_job_cancelled_in_slurm_fails_with_slurms_reason() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              cancelled_outside:
                runs-on: ubuntu-latest
                steps:
                  - run: scancel "$SLURM_JOB_ID"; sleep 120
            "#,
        )
        .args(&["run", "--backend", "slurm"])
        .status(1)
        .stdout_contains("ended: it was cancelled (CANCELLED; scancel or an administrator)")
        .run();
}

/// Ctrl-C while one leg runs on all 4 GPUs and the other (the same) waits
/// in Slurm's queue for them: both are cancelled and neither is left in
/// `squeue`. The legs are alike, so it does not matter which Slurm starts.
#[test]
fn ctrl_c_leaves_no_slurm_job_behind() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          interrupted:
            runs-on: gpu4
            strategy: {matrix: {n: [1, 2]}}
            steps:
              - run: touch "$GITHUB_WORKSPACE/../../../started"; sleep 600
        "#,
    );
    let child = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args([
            "run",
            "--backend",
            "slurm",
            "--grace-period",
            "3",
            "-P",
            "gpu4=host,gpus=4",
        ])
        .current_dir(test.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mlci");
    let child = KillOnDrop(Some(child));
    let legs = || {
        let mut states = squeue_names("interrupted (1)");
        states.extend(squeue_names("interrupted (2)"));
        states.sort();
        states
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while !started(test.path()) || legs() != ["PENDING", "RUNNING"] {
        assert!(
            Instant::now() < deadline,
            "the legs never got to running and pending: {:?}",
            legs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    assert!(status.is_ok_and(|s| s.success()));
    let output = child.wait_with_output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(5), "{stdout}");
    assert_eq!(stdout.matches("] submitted as Slurm job ").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("⊘ job cancelled\n").count(), 2, "{stdout}");
    assert_eq!(legs(), Vec::<String>::new());
}

/// mlci under test, killed if the test fails before it ends, so that a
/// failed test leaves no Slurm job for the next one.
struct KillOnDrop(Option<std::process::Child>);

impl KillOnDrop {
    fn id(&self) -> u32 {
        self.0.as_ref().map_or(0, |c| c.id())
    }

    /// SIGKILL, and waits for it to end.
    fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            child.kill().expect("SIGKILL mlci");
            child.wait().expect("mlci ends");
        }
    }

    fn wait_with_output(mut self) -> std::process::Output {
        self.0.take().expect("mlci").wait_with_output().expect("mlci ends")
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether the step touched its marker (somewhere under the test's store).
fn started(root: &std::path::Path) -> bool {
    let found = Command::new("find")
        .arg(root)
        .args(["-name", "started"])
        .output()
        .expect("find");
    !found.stdout.is_empty()
}

/// The ML example's train → gate → deploy pipeline with every leg a Slurm
/// job: artifacts cross between jobs through the store, and the gate passes
/// as it does locally.
#[test]
fn the_ml_example_passes_its_gate_on_slurm() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let repo = crate::ml_example::example_repository();
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args([
            "run",
            "-W",
            ".github/workflows/train-gate-deploy.yml",
            "--backend",
            "slurm",
        ])
        .current_dir(repo.path())
        .output()
        .expect("run mlci");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let submitted: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("] submitted as Slurm job "))
        .map(|l| l.split(']').next().unwrap_or_default())
        .collect();
    let mut legs = submitted.clone();
    legs.sort_unstable();
    assert_eq!(
        legs,
        [
            "[deploy",
            "[evaluate",
            "[gate",
            "[ingest",
            "[train (lr=0.1)",
            "[train (lr=0.3)",
            "[train (lr=0.8)",
            "[validate",
        ],
        "{stdout}"
    );
    assert!(stdout.contains("[deploy] ✓ job success"), "{stdout}");
}

/// mlci killed with SIGKILL while a leg runs: its agent sees the heartbeat
/// stop, stops the step and ends the Slurm job, which then leaves the
/// queue by itself (in about 30 s) instead of holding its GPUs until its
/// `--time`.
#[test]
fn a_killed_mlci_leaves_no_slurm_job_running() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          orphaned:
            runs-on: ubuntu-latest
            steps:
              - run: touch "$GITHUB_WORKSPACE/../../../started"; sleep 600
        "#,
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "--backend", "slurm"])
        .current_dir(test.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mlci");
    let deadline = Instant::now() + Duration::from_secs(120);
    while squeue_names("orphaned").is_empty() || !started(test.path()) {
        assert!(Instant::now() < deadline, "the Slurm job never started its step");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().expect("SIGKILL mlci");
    child.wait().expect("mlci ends");
    let deadline = Instant::now() + Duration::from_secs(180);
    while !squeue_names("orphaned").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the Slurm job outlived mlci: {:?}",
            squeue_names("orphaned")
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn the_partition_is_slurms_and_a_wrong_one_fails_the_leg_with_slurms_word() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let workflow = r#"
        on: push
        jobs:
          placed:
            runs-on: ubuntu-latest
            steps:
              - run: echo "partition=$SLURM_JOB_PARTITION"
        "#;
    Test::new()
        .workflow("ci.yml", workflow)
        .args(&["run", "--backend", "slurm", "--slurm-partition", "debug"])
        .stdout_contains("[placed]   partition=debug\n")
        .run();
    Test::new()
        .workflow("ci.yml", workflow)
        .args(&["run", "--backend", "slurm", "--slurm-partition", "nowhere"])
        .status(1)
        .stdout_contains("--partition=nowhere")
        .stdout_contains("invalid partition")
        .run();
    Test::new()
        .workflow("ci.yml", workflow)
        .args(&["run", "--backend", "host", "--slurm-partition", "debug"])
        .status(2)
        .stderr(
            "error: --slurm-partition and --slurm-constraint need --backend slurm (for one label, write -P \
             LABEL=slurm:partition=P,constraint=C)\n",
        )
        .run();
}

/// The job id `scontrol` knows a leg's Slurm job by, from the
/// `submitted as Slurm job N` line of the leg `leg`.
fn slurm_job_of(stdout: &str, leg: &str) -> String {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("[{leg}] ")) && l.contains("submitted as Slurm job "))
        .unwrap_or_else(|| panic!("no Slurm job for {leg}: {stdout}"));
    let after = line.split("submitted as Slurm job ").nth(1).unwrap_or_default();
    after.chars().take_while(char::is_ascii_digit).collect()
}

/// The `KEY=VALUE` fields of `scontrol show job ID` (Slurm keeps a
/// finished job for MinJobAge, 10 minutes here).
fn scontrol_job(id: &str) -> Vec<String> {
    let output = Command::new("scontrol")
        .args(["show", "job", id])
        .output()
        .expect("scontrol");
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// `-P gpu-a100=slurm:…` sends that label's job to Slurm with the label's
/// placement, while the run's other job stays on this machine
/// (`--backend host`); the job has no `timeout-minutes`, so there is no
/// `--time` and the partition's default applies.
#[test]
fn a_label_mapped_to_slurm_runs_there_with_its_placement_and_the_rest_stay_local() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let output = Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              train:
                runs-on: gpu-a100
                steps:
                  - run: echo "train slurm=$SLURM_JOB_ID gpus=$CUDA_VISIBLE_DEVICES"
              lint:
                runs-on: ubuntu-latest
                steps:
                  - run: echo "lint slurm=${SLURM_JOB_ID:-none}"
            "#,
        )
        .args(&[
            "run",
            "--backend",
            "host",
            "-P",
            "gpu-a100=slurm:partition=debug,gpus=1,cpus=1,mem=100M",
        ])
        .stdout_contains("[lint]   lint slurm=none\n")
        .stdout_contains("run 1: success")
        .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let id = slurm_job_of(&stdout, "train");
    assert!(
        stdout.contains(&format!("[train]   train slurm={id} gpus=")),
        "{stdout}"
    );
    assert_eq!(stdout.matches("submitted as Slurm job ").count(), 1, "{stdout}");
    let job = scontrol_job(&id);
    for field in [
        "JobName=train",
        "Partition=debug",
        "NumCPUs=1",
        "MinMemoryNode=100M",
        "TresPerNode=gres:gpu:1",
        "Requeue=0",
        "TimeLimit=UNLIMITED",
    ] {
        assert!(job.iter().any(|f| f == field), "no {field} in {job:?}");
    }
}

/// A step's `timeout-minutes` on Slurm ends the step with mlci's own
/// message, and the job's `timeout-minutes` became `--time` (a minute
/// over it).
#[test]
fn a_step_timeout_on_slurm_ends_the_step_with_mlcis_message() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let output = Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              slow:
                runs-on: cluster
                timeout-minutes: 5
                steps:
                  - run: sleep 120
                    timeout-minutes: 0.05
            "#,
        )
        .args(&["run", "--backend", "host", "-P", "cluster=slurm"])
        .status(1)
        .stdout_contains("[slow]   Error: The action 'Run sleep 120' has timed out after 0.05 minutes.")
        .stdout_contains("[slow] ✗ job failure")
        .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let job = scontrol_job(&slurm_job_of(&stdout, "slow"));
    assert!(job.iter().any(|f| f == "TimeLimit=00:06:00"), "{job:?}");
}

/// A label's `time=` caps the Slurm job's `--time`; when Slurm ends the
/// job at that limit, the leg fails with Slurm's reason. Slurm checks time
/// limits every 30 s, so this takes one to two minutes.
#[test]
fn a_slurm_time_limit_reached_fails_the_leg_with_slurms_reason() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let output = Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              overrun:
                runs-on: short
                steps:
                  - run: sleep 300
            "#,
        )
        .args(&["run", "--backend", "host", "-P", "short=slurm:time=1"])
        .status(1)
        .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let id = slurm_job_of(&stdout, "overrun");
    assert!(
        stdout.contains(&format!("Slurm job {id} ended: it reached its time limit (TIMEOUT; ")),
        "{stdout}"
    );
    assert!(stdout.contains("[overrun] ✗ job failure"), "{stdout}");
    let job = scontrol_job(&id);
    for field in ["JobState=TIMEOUT", "TimeLimit=00:01:00"] {
        assert!(job.iter().any(|f| f == field), "no {field} in {job:?}");
    }
}

/// mlci killed with SIGKILL while a leg's step runs, then started again in
/// the same repository: the restart finds the dead run's Slurm job by its
/// recorded id and cancels it before it goes on (long before the agent's
/// 30 s heartbeat would end it), says so, and `mlci show` names the job.
#[test]
fn a_restart_after_kill_9_cancels_the_dead_runs_slurm_job() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    // The second run finds the marker of the first and ends at once.
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          killed_under:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  [ -e "$MARKER" ] && exit 0
                  touch "$MARKER"; sleep 600
        "#,
    );
    let marker = format!("MARKER={}", test.path().join("started").display());
    let run = ["run", "--backend", "slurm", "--env", &marker];
    let mlci = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mlci"))
            .args(args)
            .current_dir(test.path())
            .output()
            .expect("run mlci")
    };
    let child = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(run)
        .current_dir(test.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mlci");
    let mut child = KillOnDrop(Some(child));
    let deadline = Instant::now() + Duration::from_secs(120);
    while squeue_ids("killed_under").is_empty() || !test.path().join("started").exists() {
        assert!(Instant::now() < deadline, "the Slurm job never started its step");
        std::thread::sleep(Duration::from_millis(100));
    }
    let ids = squeue_ids("killed_under");
    assert_eq!(ids.len(), 1, "{ids:?}");
    let id = &ids[0];
    child.kill();

    let again = mlci(&run);
    let stdout = String::from_utf8_lossy(&again.stdout);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "run 1 was interrupted (its mlci is gone); cancelled its Slurm job {id}\n"
        )),
        "{stderr}"
    );
    // Checked once the restart returned: the job ended under it.
    assert_eq!(squeue_job(id), None);
    assert!(stdout.contains("run 2: success"), "{stdout}");

    let show = mlci(&["show", "1"]);
    let shown = String::from_utf8_lossy(&show.stdout);
    assert!(
        shown.contains("result:   interrupted (mlci stopped before the run finished)\n"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "killed_under  interrupted  1 attempt  Slurm job {id} CANCELLED"
        )),
        "{shown}"
    );
}

/// `mlci show` and `--json` of a finished Slurm run name each leg's Slurm
/// job, the node it ran on and the state it ended in.
#[test]
fn show_names_a_finished_legs_slurm_job_and_its_final_state() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          shown:
            runs-on: ubuntu-latest
            steps:
              - run: echo "slurm-job=$SLURM_JOB_ID"
        "#,
    );
    let mlci = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
            .args(args)
            .current_dir(test.path())
            .output()
            .expect("run mlci");
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let stdout = mlci(&["run", "--backend", "slurm"]);
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("[shown]   slurm-job="))
        .unwrap_or_else(|| panic!("no job id line: {stdout}"))
        .to_string();
    let shown = mlci(&["show", "1"]);
    assert!(shown.contains(&format!("Slurm job {id} COMPLETED\n")), "{shown}");
    let json: serde_json::Value = serde_json::from_str(&mlci(&["show", "1", "--json"])).expect("JSON");
    assert_eq!(
        json["jobs"][0]["slurm"],
        serde_json::json!({"attempt": 1, "id": id, "state": "COMPLETED", "reason": "None", "node": "vm"})
    );
}

/// Two legs that each want all 4 GPUs: the one Slurm starts first stays
/// until the run store holds the other's pending reason, so the waiting
/// leg's line is certain to have been printed, with its job id.
#[test]
fn a_leg_waiting_for_gpus_in_slurm_says_why_and_its_job_id() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          queued:
            runs-on: gpu4
            strategy: {matrix: {n: [1, 2]}}
            steps:
              - run: |
                  [ -e "$LEGS/saw" ] && exit 0
                  for _ in $(seq 1 600); do
                    if "$MLCI" show 1 --store "$STORE" | grep -q 'PENDING (Resources)'; then
                      touch "$LEGS/saw"; exit 0
                    fi
                    sleep 0.2
                  done
                  exit 1
        "#,
    );
    let legs_dir = tempfile::tempdir().unwrap();
    let store = test.path().join(".mlci");
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "--backend", "slurm", "-P", "gpu4=host,gpus=4", "--env"])
        .arg(format!("LEGS={}", legs_dir.path().display()))
        .arg("--env")
        .arg(format!("MLCI={}", env!("CARGO_BIN_EXE_mlci")))
        .arg("--env")
        .arg(format!("STORE={}", store.display()))
        .current_dir(test.path())
        .output()
        .expect("run mlci");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let waited: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("] waiting for GPUs: Resources (Slurm job "))
        .collect();
    // The waiting leg's line names its own job, which it then ran in.
    let last = waited
        .last()
        .unwrap_or_else(|| panic!("no leg said it waited for GPUs: {stdout}"));
    let id = last
        .rsplit("Slurm job ")
        .next()
        .and_then(|rest| rest.strip_suffix(')'))
        .expect("a job id");
    let leg = last.split(']').next().unwrap_or_default();
    assert!(
        stdout.contains(&format!("{leg}] submitted as Slurm job {id}; running on node vm")),
        "{stdout}"
    );
}
