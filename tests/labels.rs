//! Where a job runs: every one of its `runs-on` labels must be served, and
//! an empty `container:` means no container.

use crate::support::docker::docker_ready;
use crate::support::Test;

const WORKFLOW: &str = "
    on: push
    jobs:
      gpu:
        runs-on: [self-hosted, gpu-a100]
        steps:
          - run: nvidia-smi
      cpu:
        runs-on: [self-hosted, linux]
        container: ''
        steps:
          - run: echo cpu
      old:
        runs-on: ubuntu-20.04
        container: null
        steps:
          - run: echo old
    ";

#[test]
fn a_job_needs_every_label_served_and_an_empty_container_is_none() {
    Test::new()
        .workflow("ci.yml", WORKFLOW)
        .args(&["plan"])
        .stdout_contains(
            "    - gpu  runs-on: self-hosted, gpu-a100  image: no image for these labels (map one with -P LABEL=IMAGE)\n",
        )
        .stdout_contains("    - cpu  runs-on: self-hosted, linux  image: mlci/runner:bookworm\n")
        .stdout_contains("    - old  runs-on: ubuntu-20.04  image: mlci/runner:bookworm\n")
        .run();
    Test::new()
        .workflow("ci.yml", WORKFLOW)
        .args(&["plan", "-P", "gpu-a100=mlci/runner:cuda"])
        .stdout_contains("    - gpu  runs-on: self-hosted, gpu-a100  image: mlci/runner:cuda\n")
        .run();
}

#[test]
fn a_gpu_job_never_lands_on_the_cpu_image() {
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              train:
                runs-on: [self-hosted, gpu-a100]
                steps:
                  - run: echo never
            ",
        )
        .args(&["run", "--backend", "docker"])
        .status(1)
        .stdout_contains(
            "job `train` runs on [self-hosted, gpu-a100], and nothing serves `gpu-a100`: a job runs only where every \
             one of its labels is served. Map one with -P gpu-a100=IMAGE (or -P gpu-a100=host to run it on this machine)",
        )
        .run();
}

#[test]
fn a_container_image_missing_from_the_matrix_runs_in_the_runner_image() {
    if !docker_ready() {
        return;
    }
    Test::new()
        .workflow(
            "ci.yml",
            "
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    include:
                      - name: plain
                container: ${{ matrix.image }}
                steps:
                  - run: echo \"ran in $(. /etc/os-release; echo $VERSION_CODENAME)\"
            ",
        )
        .args(&["run"])
        .stdout_contains("ran in bookworm\n")
        .run();
}

/// `mlci plan` reads `-P` as `mlci run` does: a label mapped to Slurm says
/// so (with the `container:` image where there is one), and a wrong
/// placement key is refused before anything is planned.
#[test]
fn the_plan_names_the_legs_a_slurm_label_sends_to_slurm() {
    let workflow = "
        on: push
        jobs:
          train:
            runs-on: gpu-a100
            container: pytorch/pytorch:2.4
            steps:
              - run: python train.py
          eval:
            runs-on: gpu-a100
            steps:
              - run: python eval.py
        ";
    Test::new()
        .workflow("ci.yml", workflow)
        .args(&["plan", "-P", "gpu-a100=slurm:partition=gpu,gpus=1"])
        .stdout_contains("    - train  runs-on: gpu-a100  on Slurm, image: pytorch/pytorch:2.4\n")
        .stdout_contains("    - eval  runs-on: gpu-a100  on Slurm\n")
        .run();
    Test::new()
        .workflow("ci.yml", workflow)
        .args(&["plan", "-P", "gpu-a100=slurm:zone=eu"])
        .status(2)
        .stderr_contains(
            "-P gpu-a100=slurm:zone=eu: `zone` is not a Slurm placement key; the keys are partition, account, qos, \
             constraint, cpus, mem, gpus, time",
        )
        .run();
}
