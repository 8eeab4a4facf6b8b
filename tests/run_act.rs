//! act's own test fixtures (`../shared/corpus/act-testdata`, see its
//! CASES.md) run through `mlci run` against the real Docker Engine. Each
//! case must end as act's test table expects, and every job leg with the
//! result GitHub's rules give it, read from the `--json` event stream.
//!
//! Deviations from act's harness, each on purpose:
//! - act skips jobs whose labels map to no image; mlci fails them, so the
//!   matrix-include-exclude case maps its labels with `-P`.
//! - act always sets `ACT=true` and the actor `nektos/act`; mlci gets them
//!   with `--env ACT=true --actor nektos/act`.
//! - act's invalid `needs` graphs (issue-1595) are workflow errors (exit 3),
//!   and a workflow without `on:` is invalid rather than silently empty.

use crate::support::docker::runner_images;
use crate::support::{shared, Test};
use serde_json::Value;

struct Case {
    path: &'static str,
    args: &'static [&'static str],
    status: i32,
    /// Every job leg's result, sorted by leg name (GitHub's legs and names:
    /// act's `strategy` case lists the same five combinations).
    jobs: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        path: "runs-on",
        args: &[],
        status: 0,
        jobs: &["many=success", "selfmany=success", "test=success"],
    },
    Case {
        path: "fail",
        args: &[],
        status: 1,
        jobs: &["build=failure"],
    },
    Case {
        path: "job-container",
        args: &[],
        status: 0,
        jobs: &["test2=success", "test=success"],
    },
    Case {
        path: "matrix-include-exclude",
        args: &[
            "-P",
            "ubuntu-18.04=mlci/runner:bookworm",
            "-P",
            "macos-latest=mlci/runner:bookworm",
            "-P",
            "ubuntu-16.04=mlci/runner:bookworm",
        ],
        status: 0,
        jobs: &[
            "PHP macos-latest 10=success",
            "PHP macos-latest 6=success",
            "PHP macos-latest 8=success",
            "PHP ubuntu-16.04 10=success",
            "PHP ubuntu-18.04 10=success",
            "PHP ubuntu-18.04 4=success",
            "PHP ubuntu-18.04 6=success",
            "PHP ubuntu-18.04 8=success",
            "test (10.x)=success",
            "test (12.x)=success",
            "test (13.x)=success",
            "test (8.x)=success",
        ],
    },
    Case {
        path: "matrix-exitcode",
        args: &[],
        status: 1,
        jobs: &["test (failure)=failure", "test (success)=success"],
    },
    Case {
        path: "evalmatrix",
        args: &[],
        status: 0,
        jobs: &[
            "_additionalInclude_0 (val)=success",
            "_additionalInclude_1=success",
            "_additionalProperties_0 (0, 0, 0)=success",
            "_additionalProperties_1=success",
            "evalm (A)=success",
            "evalm (B)=success",
        ],
    },
    Case {
        path: "evalmatrixneeds",
        args: &[],
        status: 0,
        jobs: &["evalm (a)=success", "evalm (b)=success", "prepare=success"],
    },
    Case {
        path: "workdir",
        args: &[],
        status: 0,
        jobs: &[
            "top-level-workdir=success",
            "workdir-from-matrix (/root)=success",
            "workdir-from-matrix (/tmp)=success",
            "workdir=success",
        ],
    },
    Case {
        path: "defaults-run",
        args: &[],
        status: 0,
        jobs: &[
            "override-in-step=success",
            "with-defaults=success",
            "without-defaults=success",
        ],
    },
    Case {
        path: "shells/bash",
        args: &[],
        status: 0,
        jobs: &["check-container=success", "check-job-default=success", "check=success"],
    },
    Case {
        path: "shells/defaults",
        args: &[],
        status: 0,
        jobs: &["check-container=success", "check=success"],
    },
    Case {
        path: "if-env-act",
        args: &["--env", "ACT=true"],
        status: 0,
        jobs: &["Test if env.ACT matching=success"],
    },
    Case {
        path: "environment-files",
        args: &[],
        status: 0,
        jobs: &["build=success"],
    },
    Case {
        path: "environment-files-parser-bug",
        args: &[],
        status: 0,
        jobs: &["_=success"],
    },
    Case {
        path: "set-env-new-env-file-per-step",
        args: &[],
        status: 0,
        jobs: &["_=success"],
    },
    Case {
        path: "evalenv",
        args: &[],
        status: 0,
        jobs: &["test=success"],
    },
    Case {
        path: "outputs",
        args: &[],
        status: 0,
        jobs: &["build=success", "build_output=success"],
    },
    Case {
        path: "steps-context/conclusion",
        args: &[],
        status: 0,
        jobs: &["check=success"],
    },
    Case {
        path: "steps-context/outcome",
        args: &[],
        status: 0,
        jobs: &["check=success"],
    },
    Case {
        path: "job-status-check",
        args: &[],
        status: 1,
        jobs: &["fail=failure", "next=skipped", "suc1=success", "suc2=success"],
    },
    Case {
        path: "job-needs-context-contains-result",
        args: &[],
        status: 0,
        jobs: &["assert=skipped", "test=success"],
    },
    Case {
        path: "strategy",
        args: &[],
        status: 0,
        jobs: &[
            "10.x | prod | site-a=success",
            "12.x | dev | site-b=success",
            "14.x | staging | site-c=success",
            "16.x | staging | site-c=success",
            "16.x | staging | site-d=success",
            "strategy-no-matrix=success",
            "strategy-only-fail-fast=success",
            "strategy-only-max-parallel=success",
        ],
    },
];

/// Runs one case and returns `name=result` for every job leg, sorted.
fn run_case(path: &str, extra: &[&str], status: i32) -> Vec<String> {
    let dir = shared("corpus/act-testdata").join(path);
    let dir = dir.to_string_lossy().into_owned();
    let mut args = vec!["run", "--json", "-W", &dir, "--store", ".mlci", "--actor", "nektos/act"];
    args.extend_from_slice(extra);
    let output = Test::new().args(&args).status(status).run();
    let mut jobs: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|event| {
            let name = event["job"]["name"].as_str()?.to_string();
            match event["type"].as_str()? {
                "job_finished" => Some(format!("{name}={}", event["result"].as_str()?)),
                "job_skipped" => Some(format!("{name}=skipped")),
                _ => None,
            }
        })
        .collect();
    jobs.sort();
    jobs
}

#[test]
fn act_fixtures_give_acts_expected_outcomes() {
    if !runner_images(&["node:16-buster-slim", "alpine:latest"]) {
        return;
    }
    for case in CASES {
        let jobs = run_case(case.path, case.args, case.status);
        assert_eq!(jobs, case.jobs, "job results of act's `{}` case", case.path);
    }
}

#[test]
fn secrets_from_a_dotenv_file_reach_steps_and_are_masked() {
    if !runner_images(&[]) {
        return;
    }
    let dir = shared("corpus/act-testdata/secrets");
    let secrets = dir.join(".secrets").to_string_lossy().into_owned();
    let env = dir.join(".env").to_string_lossy().into_owned();
    let jobs = run_case("secrets", &["--secret-file", &secrets, "--env-file", &env], 0);
    assert_eq!(jobs, ["build=success"]);
}

#[test]
fn workflow_dispatch_reads_inputs_from_the_event_payload() {
    if !runner_images(&[]) {
        return;
    }
    let event = shared("corpus/act-testdata/workflow_dispatch/event.json");
    let event = event.to_string_lossy().into_owned();
    let jobs = run_case(
        "workflow_dispatch",
        &["--event", "workflow_dispatch", "--eventpath", &event],
        0,
    );
    assert_eq!(jobs, ["test=success"]);
}

#[test]
fn invalid_needs_graphs_are_workflow_errors() {
    for file in ["missing.yml", "no-first.yml", "no-event.yml"] {
        let path = shared("corpus/act-testdata/issue-1595").join(file);
        Test::new()
            .args(&["run", "-W", &path.to_string_lossy(), "--store", ".mlci"])
            .status(3)
            .run();
    }
}
