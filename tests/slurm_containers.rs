//! `container:` jobs on Slurm: the agent starts the job container on the
//! node Slurm chose, through that node's Docker Engine (on this one-node
//! cluster, the machine's), and runs steps, `docker://` steps and the
//! built-in actions' copies there.

use crate::support::docker::docker_ready;
use crate::support::git::commit_all;
use crate::support::slurm::slurm_cluster;
use crate::support::Test;

#[test]
fn a_container_job_runs_in_its_image_on_the_slurm_node_with_image_steps_and_its_own_files() {
    if !docker_ready() {
        return;
    }
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().write("data.txt", "from the workspace\n").workflow(
        "ci.yml",
        r#"
            on: push
            jobs:
              train:
                runs-on: cluster
                container:
                  image: mlci/runner:bookworm
                  env: {FROM_CONTAINER: set}
                outputs: {where: "${{ steps.w.outputs.where }}"}
                steps:
                  - uses: actions/checkout@v4
                  - id: w
                    run: |
                      test -f /.dockerenv
                      echo "job $SLURM_JOB_NAME in $GITHUB_WORKSPACE: $(cat data.txt) $FROM_CONTAINER"
                      echo "where=container-of-slurm-job-$SLURM_JOB_ID" >> "$GITHUB_OUTPUT"
                      mkdir -p ~/.cache/model && echo "weights" > ~/.cache/model/w.bin
                  - uses: docker://mlci/runner:bookworm
                    with:
                      args: sh -c "echo image step sees $(cat /github/workspace/data.txt)"
                  - uses: actions/upload-artifact@v4
                    with: {name: model, path: ~/.cache/model/w.bin}
              use:
                needs: train
                runs-on: ubuntu-latest
                container: mlci/runner:bookworm
                steps:
                  - uses: actions/download-artifact@v4
                    with: {name: model, path: ~/restored}
                  - run: echo "${{ needs.train.outputs.where }} gave $(cat ~/restored/w.bin)"
            "#,
    );
    commit_all(test.path(), "main", "a model");
    let output = test
        // `train` goes to Slurm through its label, `use` through --backend.
        .args(&["run", "--backend", "slurm", "-P", "cluster=slurm:cpus=1"])
        .stdout_contains("[train]   job train in /github/workspace: from the workspace set\n")
        .stdout_contains("[train]   image step sees from the workspace\n")
        .stdout_contains("run 1: success")
        .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let containers = stdout
        .lines()
        .filter(|l| l.contains("in a container of its Docker Engine"))
        .count();
    assert_eq!(containers, 2, "{stdout}");
    let got = stdout
        .lines()
        .find_map(|l| l.strip_prefix("[use]   container-of-slurm-job-"))
        .unwrap_or_else(|| panic!("no line from `use`: {stdout}"));
    let (job, rest) = got.split_once(' ').expect("a job id and the file");
    assert!(job.parse::<u64>().is_ok(), "{got}");
    assert_eq!(rest, "gave weights");
}

/// The node's Docker Engine starts a job container outside the Slurm job's
/// cgroup: the container gets the job's CPUs and memory as Docker limits,
/// or its own options' when they ask for less; an image step, the memory.
#[test]
fn a_job_container_on_slurm_is_held_to_the_jobs_cpus_and_memory() {
    if !docker_ready() {
        return;
    }
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let limits = r#"
                  - run: |
                      if [ -f /sys/fs/cgroup/memory.max ]; then
                        echo "memory $(cat /sys/fs/cgroup/memory.max) cpu $(cat /sys/fs/cgroup/cpu.max)"
                      else
                        echo "memory $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) cpu $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
                      fi"#;
    let test = Test::new().workflow(
        "ci.yml",
        &format!(
            r#"
            on: push
            jobs:
              slurms:
                runs-on: cluster
                container: mlci/runner:bookworm
                steps:{limits}
                  - uses: docker://mlci/runner:bookworm
                    with:
                      args: sh -c "echo image step memory $(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
              own:
                runs-on: cluster
                container:
                  image: mlci/runner:bookworm
                  options: --memory 200m
                steps:{limits}
            "#
        ),
    );
    commit_all(test.path(), "main", "limits");
    test.args(&["run", "-P", "cluster=slurm:cpus=1,mem=300M"])
        .stdout_contains("[slurms]   memory 314572800 cpu 100000 100000\n")
        .stdout_contains("[own]   memory 209715200 cpu 100000 100000\n")
        .stdout_contains("[slurms]   image step memory 314572800\n")
        .stdout_contains("run 1: success")
        .run();
}

#[test]
fn an_image_step_in_a_job_on_the_nodes_own_processes_says_what_it_needs() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    Test::new()
        .workflow(
            "ci.yml",
            r#"
            on: push
            jobs:
              bare:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker://mlci/runner:bookworm
            "#,
        )
        .args(&["run", "--backend", "slurm"])
        .status(1)
        .stdout_contains(
            "`docker://` steps and Docker actions on Slurm need a job with a `container:` (they run on the node's \
             Docker Engine beside it); this job runs as the node's own processes",
        )
        .run();
}

/// A node whose Docker Engine does not answer (here: the agent inherits a
/// `DOCKER_HOST` that leads nowhere, as sbatch passes the environment on)
/// fails the container job before its first step, naming the node.
#[test]
fn a_container_job_on_a_node_without_docker_fails_before_its_steps_naming_the_node() {
    let Some(_cluster) = slurm_cluster() else {
        return;
    };
    let test = Test::new().workflow(
        "ci.yml",
        r#"
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            container: mlci/runner:bookworm
            steps:
              - run: echo "never runs"
        "#,
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mlci"))
        .args(["run", "--backend", "slurm"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .current_dir(test.path())
        .output()
        .expect("run mlci");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "job `boxed` has a `container:`, which on Slurm runs through the node's Docker Engine, and node vm has \
             none that answers: "
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("never runs"), "{stdout}");
}
