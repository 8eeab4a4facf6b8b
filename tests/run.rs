//! `mlci run` as a user meets it, against the real Docker Engine: jobs that
//! overlap, a step over its timeout, Ctrl-C, secrets in output and in the
//! stored logs, GPU requests checked against the inventory, the host
//! backend, and an engine that does not answer.

use crate::support::docker::docker_ready;
use crate::support::Test;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn events(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// Containers of a job still on the engine (job ids are unique across
/// these tests, which run in parallel).
fn leftover_containers(job: &str) -> String {
    let output = Command::new("docker")
        .args(["ps", "-a", "-q", "--filter", &format!("label=mlci.job={job}")])
        .output()
        .expect("docker ps");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn independent_jobs_overlap_and_a_job_waits_for_its_needs() {
    if !docker_ready() {
        return;
    }
    let output = Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              overlap-a: {runs-on: ubuntu-latest, steps: [{run: sleep 3}]}
              overlap-b: {runs-on: ubuntu-latest, steps: [{run: sleep 3}]}
              overlap-c: {runs-on: ubuntu-latest, needs: [overlap-a, overlap-b], steps: [{run: echo done}]}
            ",
        )
        .args(&["run", "--json", "--max-parallel", "2"])
        .run();
    let events = events(&output.stdout);
    let at = |kind: &str, job: &str| {
        events
            .iter()
            .position(|e| e["type"] == kind && e["job"]["job"] == job)
            .unwrap_or_else(|| panic!("no {kind} for {job}"))
    };
    assert!(at("job_started", "overlap-a") < at("job_finished", "overlap-b"));
    assert!(at("job_started", "overlap-b") < at("job_finished", "overlap-a"));
    assert!(at("job_finished", "overlap-a") < at("job_started", "overlap-c"));
    assert!(at("job_finished", "overlap-b") < at("job_started", "overlap-c"));
    assert_eq!(leftover_containers("overlap-a"), "");
}

#[test]
fn a_step_over_its_timeout_is_killed_and_fails_the_job() {
    if !docker_ready() {
        return;
    }
    let started = Instant::now();
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              slow:
                runs-on: ubuntu-latest
                steps:
                  - run: sleep 600
                    timeout-minutes: 0.05
                  - if: always()
                    run: echo after the timeout
            ",
        )
        .args(&["run", "--grace-period", "1"])
        .status(1)
        .stdout_contains("[slow]   Error: The action 'Run sleep 600' has timed out after 0.05 minutes.")
        .stdout_contains("[slow]   after the timeout")
        .run();
    assert!(started.elapsed() < Duration::from_secs(60), "the step was not killed");
    assert_eq!(leftover_containers("slow"), "");
}

/// `cat /dev/zero`: output without a line break, forever, faster than it
/// can be shown. The step's timeout still ends it (the engine reads on while
/// it signals the step), and nothing is left on the engine.
#[test]
fn a_step_flooding_output_without_newlines_still_times_out() {
    if !docker_ready() {
        return;
    }
    let test = Test::new().workflow(
        "ci.yml",
        "
        on: push
        jobs:
          flood:
            runs-on: ubuntu-latest
            steps:
              - run: cat /dev/zero
                timeout-minutes: 0.05
        ",
    );
    let status = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "--grace-period", "1"])
        .current_dir(test.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run mlci");
    assert_eq!(status.code(), Some(1));
    assert_eq!(leftover_containers("flood"), "");
}

#[test]
fn ctrl_c_cancels_the_run_and_removes_its_containers() {
    if !docker_ready() {
        return;
    }
    let test = Test::new().workflow(
        "ci.yml",
        "
        on: push
        jobs:
          long: {runs-on: ubuntu-latest, steps: [{run: 'echo started; sleep 600'}]}
          after: {runs-on: ubuntu-latest, needs: long, steps: [{run: echo never}]}
        ",
    );
    let child = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "--json", "--grace-period", "3"])
        .current_dir(test.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mlci");
    // Wait until the step runs, then send SIGINT as a terminal's Ctrl-C does.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !Command::new("docker")
        .args(["ps", "-q", "--filter", "label=mlci.job=long"])
        .output()
        .is_ok_and(|o| !o.stdout.is_empty())
    {
        assert!(Instant::now() < deadline, "the job never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let signalled = Instant::now();
    unsafe_sigint(child.id());
    let output = child.wait_with_output().expect("mlci ends");
    assert!(
        signalled.elapsed() < Duration::from_secs(15),
        "took {:?}",
        signalled.elapsed()
    );
    assert_eq!(
        output.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events = events(&output.stdout);
    let result = |job: &str| {
        events.iter().find_map(|e| match e["type"].as_str() {
            Some("job_finished") if e["job"]["job"] == job => e["result"].as_str().map(str::to_string),
            Some("job_skipped") if e["job"]["job"] == job => Some("skipped".to_string()),
            _ => None,
        })
    };
    assert_eq!(result("long").as_deref(), Some("cancelled"));
    assert_eq!(result("after").as_deref(), Some("skipped"));
    assert_eq!(leftover_containers("long"), "");
}

fn unsafe_sigint(pid: u32) {
    let status = Command::new("kill").args(["-INT", &pid.to_string()]).status();
    assert!(status.is_ok_and(|s| s.success()));
}

#[test]
fn secrets_are_masked_on_screen_and_in_the_stored_logs() {
    if !docker_ready() {
        return;
    }
    let test = Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              leak:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      echo \"token=${{ secrets.API_TOKEN }}\"
                      echo \"key=$KEY\"
                      echo \"::add-mask::run-time-value\"
                      echo \"later: run-time-value\"
                    env:
                      KEY: ${{ secrets.MULTI }}
            ",
        )
        .write("secrets.env", "MULTI=\"line-one\\nline-two\"\n");
    let store = tempfile::tempdir().expect("a store");
    let store_path = store.path().to_string_lossy().into_owned();
    let output = test
        .args(&[
            "run",
            "--store",
            &store_path,
            "--secret",
            "API_TOKEN=hunter2",
            "--secret-file",
            "secrets.env",
        ])
        .stdout_contains("[leak]   token=***")
        .stdout_contains("[leak]   key=***")
        .stdout_contains("[leak]   later: ***")
        .run();
    let screen = String::from_utf8_lossy(&output.stdout);
    for secret in ["hunter2", "line-one", "line-two", "run-time-value"] {
        assert!(!screen.contains(secret), "{secret} on screen:\n{screen}");
    }
    let logs = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["logs", "1", "--store", &store_path])
        .output()
        .expect("mlci logs");
    let logs = String::from_utf8_lossy(&logs.stdout);
    assert!(logs.contains("token=***") && logs.contains("later: ***"), "{logs}");
    for secret in ["hunter2", "line-one", "line-two", "run-time-value"] {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
}

#[test]
fn a_job_asking_for_more_gpus_than_exist_is_rejected_before_anything_runs() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              big:
                runs-on: ubuntu-latest
                container:
                  image: mlci/runner:bookworm
                  options: --gpus 8
                steps: [{run: nvidia-smi}]
            ",
        )
        .args(&["run", "--gpus", "0,1,2,3", "--backend", "host"])
        .status(3)
        .stderr_contains("job `big`: ")
        .stderr_contains("8 GPUs")
        .stderr_contains(".github/workflows/ci.yml:7:")
        .run();
}

#[test]
fn host_backend_runs_steps_as_processes_with_the_gpu_lease_in_cuda_visible_devices() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              train:
                runs-on: gpu
                steps:
                  - run: echo \"cuda=$CUDA_VISIBLE_DEVICES mlci=$MLCI_GPU_IDS ws=${GITHUB_WORKSPACE#/}\"
                  - run: echo \"dir=$(pwd)\" | grep -q \"$GITHUB_WORKSPACE\"
            ",
        )
        .args(&["run", "--gpus", "0,1,2,3", "-P", "gpu=host,gpus=2"])
        .stdout_contains("[train]   cuda=0,1 mlci=0,1 ws=")
        .run();
}

#[test]
fn an_engine_that_does_not_answer_is_named_and_never_falls_back_to_the_host() {
    let test = Test::new().workflow(
        "ci.yml",
        "
        on: push
        jobs:
          a: {runs-on: ubuntu-latest, steps: [{run: echo hi}]}
        ",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .current_dir(test.path())
        .output()
        .expect("run mlci");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("unix:///nonexistent/docker.sock"), "{stderr}");
    assert!(stderr.contains("DOCKER_HOST"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("hi"));
}

#[test]
fn a_missing_image_fails_the_job_with_how_to_build_the_runner_images() {
    if !docker_ready() {
        return;
    }
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              a: {runs-on: ubuntu-latest, container: mlci-test/no-such-image:1, steps: [{run: echo hi}]}
            ",
        )
        .args(&["run"])
        .status(1)
        .stdout_contains("mlci images build")
        .run();
}

#[test]
fn a_local_composite_action_runs_with_inputs_outputs_and_env() {
    Test::new()
        .write(
            ".github/actions/greet/action.yml",
            "name: greet
inputs:
  who: {default: world}
outputs:
  greeting: {value: '${{ steps.hello.outputs.greeting }}'}
runs:
  using: composite
  steps:
    - id: hello
      shell: bash
      run: echo \"greeting=hello ${{ inputs.who }}\" >> \"$GITHUB_OUTPUT\"
    - shell: bash
      run: |
        cat \"${{ github.action_path }}/message.txt\"
        echo \"MOOD=happy\" >> \"$GITHUB_ENV\"
",
        )
        .write(".github/actions/greet/message.txt", "read from the action's folder\n")
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              greet:
                runs-on: ubuntu-latest
                steps:
                  - id: g
                    uses: ./.github/actions/greet
                    with: {who: mlci}
                  - run: echo \"${{ steps.g.outputs.greeting }} $MOOD\"
                  - uses: actions/setup-node@v4
            ",
        )
        .args(&["run", "--backend", "host", "--offline", "--actions-cache", "action-cache"])
        .status(1)
        .stdout_contains("[greet]   read from the action's folder\n")
        .stdout_contains("[greet]   hello mlci happy\n")
        .stdout_contains(
            "[greet]   Error: unable to resolve action `actions/setup-node@v4` from https://github.com/actions/setup-node: \
             mlci runs offline and the action is not in the action cache (action-cache); run `mlci actions pull` \
             where the source can be reached\n",
        )
        .run();
}

#[test]
fn a_missing_local_action_is_named_as_written_in_the_repository() {
    let output = Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: ./.github/actions/missing
            ",
        )
        .args(&["run", "--backend", "host"])
        .status(1)
        .stdout_contains(
            "[build]   Error: local action ./.github/actions/missing not found: \
             no action.yml or action.yaml at .github/actions/missing in the workspace\n",
        )
        .run();
    let all = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    assert!(
        !all.contains(".mlci") && !all.contains("/tmp"),
        "an internal path leaks: {all}"
    );
}

#[test]
fn services_are_reachable_by_id_and_docker_steps_share_the_workspace() {
    if !docker_ready() {
        return;
    }
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              svc-job:
                runs-on: ubuntu-latest
                services:
                  model-server:
                    image: mlci/runner:bookworm
                    command: python3 -m http.server 8000
                steps:
                  - uses: docker://mlci/runner:bookworm
                    with:
                      entrypoint: sh
                      args: -c \"echo from-a-sibling > shared.txt\"
                  - run: cat shared.txt
                  - shell: python
                    run: |
                      import time, urllib.request
                      for attempt in range(50):
                          try:
                              urllib.request.urlopen('http://model-server:8000/', timeout=1)
                              print('service answered')
                              break
                          except OSError:
                              time.sleep(0.2)
            ",
        )
        .args(&["run"])
        .stdout_contains("[svc-job]   from-a-sibling\n")
        .stdout_contains("[svc-job]   service answered\n")
        .run();
    assert_eq!(leftover_containers("svc-job"), "");
}

/// The health check passes on its second try and leaves `/tmp/healthy`
/// behind; the service serves `/tmp`, so the first step finding the file
/// (with no retry) shows it ran after the service was healthy.
#[test]
fn a_service_with_a_health_check_is_waited_for_before_the_first_step() {
    if !docker_ready() {
        return;
    }
    Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              healthy-job:
                runs-on: ubuntu-latest
                services:
                  db:
                    image: mlci/runner:bookworm
                    command: python3 -m http.server 8000 --directory /tmp
                    options: >-
                      --health-cmd "test -f /tmp/seen && touch /tmp/healthy || (touch /tmp/seen; false)"
                      --health-interval 200ms --health-retries 5
                steps:
                  - shell: python
                    run: |
                      import urllib.request
                      print(urllib.request.urlopen('http://db:8000/healthy', timeout=5).status)
            "#,
        )
        .args(&["run"])
        .stdout_contains("[healthy-job]   200\n")
        .run();
    assert_eq!(leftover_containers("healthy-job"), "");
}

#[test]
fn an_unhealthy_service_fails_the_job_naming_the_service() {
    if !docker_ready() {
        return;
    }
    Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              sick-job:
                runs-on: ubuntu-latest
                services:
                  broken-db:
                    image: mlci/runner:bookworm
                    command: sleep infinity
                    options: --health-cmd "echo not ready; exit 3" --health-interval 100ms --health-retries 2
                steps:
                  - run: echo the step must not run
            "#,
        )
        .args(&["run"])
        .status(1)
        .stdout_contains(
            "service broken-db is unhealthy: its health check kept failing; the last check exited with 3: not ready",
        )
        .run();
    assert_eq!(leftover_containers("sick-job"), "");
}

/// Each leg waits for the other two to arrive, so the run passes only when
/// the default `--max-parallel` lets all three legs of a `max-parallel: 3`
/// matrix run at once, whatever the machine's CPU count (this one has 2).
#[test]
fn the_default_max_parallel_runs_every_leg_the_matrix_allows_at_once() {
    let test = Test::new();
    let meeting = test.path().join("meeting");
    std::fs::create_dir(&meeting).expect("the meeting folder");
    let workflow = format!(
        "
        on: push
        jobs:
          legs:
            runs-on: ubuntu-latest
            strategy:
              max-parallel: 3
              matrix:
                n: [1, 2, 3]
            steps:
              - run: |
                  touch {dir}/leg-${{{{ matrix.n }}}}
                  for i in $(seq 600); do
                    [ $(ls {dir} | wc -l) -ge 3 ] && echo all three met && exit 0
                    sleep 0.1
                  done
                  exit 1
        ",
        dir = meeting.display()
    );
    test.workflow("ci.yml", &workflow)
        .args(&["run", "--backend", "host"])
        .stdout_contains("[legs (1)]   all three met\n")
        .stdout_contains("[legs (2)]   all three met\n")
        .stdout_contains("[legs (3)]   all three met\n")
        .run();
}

#[test]
fn a_run_that_nothing_triggers_exits_4() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: workflow_dispatch
            jobs:
              a: {runs-on: ubuntu-latest, steps: [{run: echo hi}]}
            ",
        )
        .args(&["run", "--event", "push"])
        .status(4)
        .stderr("nothing to run: no workflow is triggered by `push`\n")
        .run();
}

#[test]
fn rerun_failed_runs_only_what_did_not_succeed_and_reuses_outputs() {
    let test = Test::new().workflow(
        "ci.yml",
        "
        on: push
        jobs:
          train:
            runs-on: ubuntu-latest
            outputs: {model: '${{ steps.t.outputs.model }}'}
            steps:
              - id: t
                run: |
                  echo trained >> \"$ROOT/trainings\"
                  echo \"model=m-$(wc -l < \"$ROOT/trainings\")\" >> \"$GITHUB_OUTPUT\"
          evaluate:
            needs: train
            runs-on: ubuntu-latest
            steps:
              - run: test -f \"$ROOT/fixed\" && echo \"evaluating ${{ needs.train.outputs.model }}\"
          deploy:
            needs: evaluate
            runs-on: ubuntu-latest
            steps: [{run: echo deployed}]
        ",
    );
    let root = test.path().to_string_lossy().into_owned();
    let env = format!("ROOT={root}");
    let run = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mlci"));
        command.args(args).args(["--backend", "host", "--env", &env, "--json"]);
        command.current_dir(test.path()).output().expect("mlci")
    };
    let first = run(&["run"]);
    assert_eq!(first.status.code(), Some(1));
    std::fs::write(test.path().join("fixed"), "").expect("write");
    let second = run(&["rerun", "1", "--failed"]);
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let trainings = std::fs::read_to_string(test.path().join("trainings")).expect("read");
    assert_eq!(trainings, "trained\n", "train ran again");
    let events = events(&second.stdout);
    let lines: Vec<&str> = events.iter().filter_map(|e| e["line"].as_str()).collect();
    assert!(lines.contains(&"evaluating m-1"), "{lines:?}");
    assert_eq!(events[0]["rerun_of"], 1);
    let reused = events
        .iter()
        .find(|e| e["type"] == "job_finished" && e["job"]["job"] == "train")
        .expect("train's result");
    assert_eq!(reused["attempts"], 0);
    assert_eq!(reused["reason"], "succeeded in run 1; not run again");
}

/// `actions/cache` is scoped as on GitHub: what a feature branch saved is
/// not restored on `main`, while a feature branch restores what `main`
/// saved.
#[test]
fn a_cache_saved_on_a_feature_branch_is_not_restored_on_main() {
    use crate::support::git::commit_all;
    let test = Test::new().workflow(
        "ci.yml",
        "
        on: push
        jobs:
          cache:
            runs-on: ubuntu-latest
            steps:
              - id: c
                uses: actions/cache@v4
                with: {key: deps, path: deps}
              - run: echo \"hit=${{ steps.c.outputs.cache-hit }} from=$(cat deps/from 2>/dev/null)\"
              - run: mkdir -p deps && echo \"$GITHUB_REF_NAME\" > deps/from
        ",
    );
    commit_all(test.path(), "feature", "on a feature branch");
    let run = || {
        let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
            .args(["run", "--backend", "host"])
            .current_dir(test.path())
            .output()
            .expect("run mlci");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert_eq!(output.status.code(), Some(0), "{stdout}");
        stdout
    };
    let first = run();
    assert!(first.contains("hit=false from="), "{first}");
    commit_all(test.path(), "main", "on main");
    let on_main = run();
    assert!(
        on_main.contains("hit=false from="),
        "main restored the feature branch's cache: {on_main}"
    );
    let again_on_main = run();
    assert!(again_on_main.contains("hit=true from=main"), "{again_on_main}");
}

/// `--secret NAME` with no such variable reads the value from standard
/// input (so it shows in no `ps`), and the secret is masked in output as is
/// and in base64.
#[test]
fn a_secret_piped_on_stdin_is_used_and_masked_even_in_base64() {
    use std::io::Write;
    let test = Test::new().workflow(
        "ci.yml",
        "
        on: push
        jobs:
          use-it:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo \"plain ${{ secrets.API_TOKEN }}\"
                  echo \"encoded $(printf '%s' \"${{ secrets.API_TOKEN }}\" | base64)\"
                  test \"${{ secrets.API_TOKEN }}\" = tok-8c1f2e
        ",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "--backend", "host", "--secret", "API_TOKEN"])
        .env_remove("API_TOKEN")
        .current_dir(test.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run mlci");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"tok-8c1f2e\n")
        .expect("write the secret");
    let output = child.wait_with_output().expect("wait for mlci");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("plain ***"), "{stdout}");
    assert!(stdout.contains("encoded ***"), "{stdout}");
    assert!(
        !stdout.contains("tok-8c1f2e") && !stdout.contains("dG9rLThjMWYyZQ"),
        "{stdout}"
    );
}
