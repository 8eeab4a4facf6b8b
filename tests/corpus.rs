//! `mlci validate` against the shared corpora: actionlint's error workflows
//! (each error GitHub itself would reject, at the line and column its `.out`
//! file gives), actionlint's ok workflows and act's fixtures (no errors).
//!
//! Where mlci deliberately differs from actionlint, the difference is
//! written down below with its reason, and asserted exactly.

use crate::support::shared;
use std::collections::BTreeSet;
use std::process::Command;

/// (line, column) positions of a severity in `mlci validate`'s output.
fn positions(file: &std::path::Path, severity: &str) -> BTreeSet<(u32, u32)> {
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .arg("validate")
        .arg(file)
        .output()
        .expect("run mlci");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let mut found = BTreeSet::new();
    for pair in lines.windows(2) {
        if pair[0].starts_with(&format!("{severity}:")) {
            // ` --> path:LINE:COL`: the last two fields.
            let mut numbers = pair[1].rsplit(':').map(|n| n.parse::<u32>().unwrap_or(0));
            let column = numbers.next().unwrap_or(0);
            found.insert((numbers.next().unwrap_or(0), column));
        }
    }
    found
}

/// The positions an actionlint `.out` file expects.
fn expected(out: &std::path::Path) -> BTreeSet<(u32, u32)> {
    let text = std::fs::read_to_string(out).expect("read .out");
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let rest = line.trim_start_matches('/').replace("test\\.yaml", "test.yaml");
        let Some(rest) = rest.strip_prefix("test.yaml:") else {
            continue;
        };
        let mut numbers = rest.split(':').map(|n| n.parse::<u32>().unwrap_or(0));
        found.insert((numbers.next().unwrap_or(0), numbers.next().unwrap_or(0)));
    }
    found
}

/// An actionlint error file, and how mlci's errors differ from its `.out`.
struct Case {
    name: &'static str,
    /// Positions actionlint reports that GitHub itself accepts (lint opinions).
    not_errors: &'static [(u32, u32)],
    /// Errors mlci reports that actionlint does not, or reports elsewhere.
    extra_errors: &'static [(u32, u32)],
    /// Positions mlci reports as warnings instead.
    warnings: &'static [(u32, u32)],
}

const ALL: &[(u32, u32)] = &[(0, 0)];

const CASES: &[Case] = &[
    // 106:35: `env` in `runs-on` is refused by GitHub's schema; actionlint
    // stops at the first bad context of the line. 189:21: GitHub's template
    // schema allows `env` in `container.credentials`; actionlint does not.
    Case {
        name: "context_availability",
        not_errors: &[(189, 21)],
        extra_errors: &[(106, 35)],
        warnings: &[],
    },
    Case {
        name: "cron_5minutes_limit",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    Case {
        name: "env_context_banned",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    Case {
        name: "exclusive_webhook_filters",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    // `[x]` is legal, only pointless: a warning. So is `\d` in a branch
    // filter: GitHub runs the file, and the escape reads as a literal `d`.
    Case {
        name: "glob_more",
        not_errors: &[(6, 12), (10, 11)],
        extra_errors: &[],
        warnings: &[(6, 12), (10, 11), (16, 13)],
    },
    // Constant conditions are legal; actionlint's opinion.
    Case {
        name: "if_cond_constants",
        not_errors: ALL,
        extra_errors: &[],
        warnings: &[],
    },
    // Legal but always true: warned about at the same places.
    Case {
        name: "if_cond_edge_cases_trailing_leading_chars",
        not_errors: ALL,
        extra_errors: &[],
        warnings: &[(8, 13), (11, 13), (13, 13), (15, 13), (17, 13), (19, 13)],
    },
    Case {
        name: "invalid_event_filters",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    Case {
        name: "invalid_float_at_timeout_minutes",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    Case {
        name: "invalid_id",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    // 24..28 are actionlint's static type opinions; GitHub evaluates them at run time.
    Case {
        name: "invalid_json_in_fromjson",
        not_errors: &[(24, 19), (25, 19), (26, 19), (27, 19), (28, 32)],
        extra_errors: &[],
        warnings: &[],
    },
    // A `needs.<job>` the job does not need evaluates to empty on GitHub,
    // which runs the file: a warning.
    Case {
        name: "issue151_child_of_child_job",
        not_errors: &[(26, 31)],
        extra_errors: &[],
        warnings: &[(26, 31)],
    },
    Case {
        name: "issue155_env_in_job_level_if",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    // GitHub accepts an exclude that matches no leg.
    Case {
        name: "matrix_exclude_no_match",
        not_errors: ALL,
        extra_errors: &[],
        warnings: &[],
    },
    // mlci points at the `needs` entry on the cycle, one line below the job key.
    Case {
        name: "minimal_cycle_in_needs",
        not_errors: &[(4, 3)],
        extra_errors: &[(5, 13)],
        warnings: &[],
    },
    Case {
        name: "random_order_cycle_in_needs",
        not_errors: &[(4, 3)],
        extra_errors: &[(5, 13)],
        warnings: &[],
    },
    Case {
        name: "schedule_event_with_no_config_1",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    Case {
        name: "schedule_invalid_timezone",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    Case {
        name: "shell_key_context_availability",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    Case {
        name: "special_function_availability",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    Case {
        name: "workflow_dispatch_more_than_25_inputs",
        not_errors: &[],
        extra_errors: &[],
        warnings: &[],
    },
    // Type opinions; an undeclared `inputs.select` gets a warning.
    Case {
        name: "workflow_dispatch_type_check_inputs",
        not_errors: ALL,
        extra_errors: &[],
        warnings: &[(23, 24)],
    },
];

#[test]
fn actionlint_error_workflows_are_reported_where_github_rejects_them() {
    let folder = shared("corpus/actionlint/err");
    let mut failures = Vec::new();
    for case in CASES {
        let yaml = folder.join(format!("{}.yaml", case.name));
        let mut want = expected(&folder.join(format!("{}.out", case.name)));
        if case.not_errors == ALL {
            want.clear();
        }
        for p in case.not_errors {
            want.remove(p);
        }
        want.extend(case.extra_errors.iter().copied());
        let got = positions(&yaml, "error");
        if got != want {
            failures.push(format!(
                "{}: errors\n  expected {want:?}\n  got      {got:?}",
                case.name
            ));
        }
        let want_warnings: BTreeSet<_> = case.warnings.iter().copied().collect();
        let got_warnings = positions(&yaml, "warning");
        if got_warnings != want_warnings {
            failures.push(format!(
                "{}: warnings\n  expected {want_warnings:?}\n  got      {got_warnings:?}",
                case.name
            ));
        }
    }
    let files = std::fs::read_dir(&folder).expect("read corpus").filter(|e| {
        e.as_ref()
            .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
    });
    assert_eq!(files.count(), CASES.len(), "every corpus file has a case");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn actionlint_ok_workflows_and_act_fixtures_are_valid() {
    let mut files: Vec<_> = std::fs::read_dir(shared("corpus/actionlint/ok"))
        .expect("read ok")
        .flatten()
        .map(|e| e.path())
        .collect();
    let act = shared("corpus/act-testdata");
    for case in std::fs::read_dir(&act).expect("read act").flatten() {
        if case.file_name() == "issue-1595" {
            continue; // broken on purpose; see the next test
        }
        collect_yaml(&case.path(), &mut files);
    }
    files.push(shared("seeds/ml-pipeline.yml"));
    assert!(files.len() > 40, "found only {} workflows", files.len());
    for file in files {
        let errors = positions(&file, "error");
        assert!(errors.is_empty(), "{} has errors at {errors:?}", file.display());
    }
}

#[test]
fn act_broken_needs_fixtures_are_errors() {
    let folder = shared("corpus/act-testdata/issue-1595");
    // `needs` names a job that does not exist; a workflow without `on:`.
    assert_eq!(
        positions(&folder.join("missing.yml"), "error"),
        BTreeSet::from([(7, 12)])
    );
    assert_eq!(
        positions(&folder.join("no-event.yml"), "error"),
        BTreeSet::from([(1, 1)])
    );
    // Its only job needs a job that does not exist: so no job can start either.
    assert_eq!(
        positions(&folder.join("no-first.yml"), "error"),
        BTreeSet::from([(5, 3), (7, 12)])
    );
}

fn collect_yaml(path: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("read dir").flatten() {
            collect_yaml(&entry.path(), out);
        }
    } else if path.extension().is_some_and(|x| x == "yml" || x == "yaml") {
        out.push(path.to_path_buf());
    }
}

/// The 7 DeepSpeed workflows their authors switched off (no `on:`, or the
/// whole file commented out): GitHub shows them as invalid too.
const SWITCHED_OFF: &[&str] = &[
    "deepspeedai__DeepSpeed/.github/workflows/nv-accelerate-v100.yml",
    "deepspeedai__DeepSpeed/.github/workflows/nv-lightning-v100.yml",
    "deepspeedai__DeepSpeed/.github/workflows/nv-mii.yml",
    "deepspeedai__DeepSpeed/.github/workflows/nv-nightly.yml",
    "deepspeedai__DeepSpeed/.github/workflows/nv-torch-latest-v100.yml",
    "deepspeedai__DeepSpeed/.github/workflows/nv-torch-nightly-v100.yml",
    "deepspeedai__DeepSpeed/.github/workflows/nv-transformers-v100.yml",
];

/// 809 workflows GitHub runs (corpus/realworld): no false refusal, no panic.
#[test]
fn realworld_workflows_github_runs_are_valid() {
    let root = shared("corpus/realworld");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .expect("read realworld")
        .flatten()
        .map(|e| e.path().join(".github/workflows"))
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    // GitHub reads only the top of the folder (a composite action may sit below).
    let files = folders
        .iter()
        .flat_map(|f| std::fs::read_dir(f).expect("read workflows").flatten())
        .filter(|e| e.path().extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .count();
    assert_eq!(files, 809, "the corpus holds 809 workflows");
    let output = Command::new(env!("CARGO_BIN_EXE_mlci"))
        .arg("validate")
        .args(&folders)
        .output()
        .expect("run mlci");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(3),
        "only the switched-off files fail:\n{stderr}"
    );
    let prefix = format!("{}/", root.display());
    let lines: Vec<&str> = stderr.lines().collect();
    let refused: BTreeSet<String> = lines
        .windows(2)
        .filter(|pair| pair[0].starts_with("error:"))
        .filter_map(|pair| {
            let path = pair[1].trim_start().strip_prefix("--> ")?;
            let path = path.rsplitn(3, ':').nth(2)?;
            Some(path.strip_prefix(&prefix).unwrap_or(path).to_string())
        })
        .collect();
    let expected: BTreeSet<String> = SWITCHED_OFF.iter().map(|s| s.to_string()).collect();
    assert_eq!(refused, expected, "false refusals:\n{stderr}");
}
