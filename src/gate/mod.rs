//! The metrics quality gate: checks a model's metrics against rules —
//! bounds on values (`accuracy >= 0.9`) and limits on the change from a
//! baseline (`accuracy max-drop 0.01`, `latency_ms max-rise 10%`) — and
//! records passing metrics as the branch's new baseline.
//!
//! One implementation for the built-in step `uses: mlci/gate@v1` and the
//! `mlci gate` command. Semantics: `shared/reference/quality-gates.md`.
//!
//! Stages: rules text → [`parse_rules`] → [`Rule`]s; metrics file →
//! `metrics` (JSON or YAML object); baseline → `baseline` (a branch's last
//! passing record in `<store>/metrics.db`, or a file); `evaluate` → rows;
//! [`Verdict`] → [`Verdict::table`] / [`Verdict::markdown`] / JSON.

mod baseline;
mod evaluate;
mod history;
mod metrics;
mod number;
mod parse;
mod rule;
mod table;
mod verdict;

pub use baseline::BaselineSource;
pub(crate) use history::History;
pub use history::{Record, DB_FILE};
pub use metrics::{flatten, load_metrics, Metrics};
pub use number::number as format_number;
pub use parse::{no_rules, parse_rules, RuleError};
pub use rule::{ChangeKind, Check, Op, Rule};
pub use verdict::{Row, RowResult, Verdict};

use crate::store::{system_clock, Clock};
use baseline::{resolve, Resolved};
use chrono::SecondsFormat;
use std::path::{Path, PathBuf};

/// What a gate is asked to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateInput {
    /// The candidate's metrics: a JSON or YAML object.
    pub metrics_path: PathBuf,
    /// The rules, one per line (`#` comments and blank lines allowed).
    pub rules: String,
    pub baseline: BaselineSource,
    /// The branch being gated: its history gets the metrics, and a passing
    /// gate makes them its new baseline. None: nothing is recorded.
    pub branch: Option<String>,
    /// The run whose step this is, kept with the record.
    pub run_id: Option<i64>,
}

/// Runs the gate with the system clock; see [`run_gate_with_clock`].
pub fn run_gate(store_dir: &Path, input: &GateInput) -> Result<Verdict, String> {
    run_gate_with_clock(store_dir, input, &system_clock())
}

/// Checks the metrics against the rules and the baseline, and records the
/// metrics on `input.branch` (in `<store_dir>/metrics.db`).
///
/// Errors (no verdict) only for input the gate cannot use: rules that do
/// not parse (every bad line, `rules:3: cannot read …`), no rules, a
/// metrics or baseline file that cannot be read or is not an object, or a
/// `metrics.db` that cannot be read or written. A failing rule is not an
/// error: it is a verdict with `passed: false`.
pub fn run_gate_with_clock(store_dir: &Path, input: &GateInput, clock: &Clock) -> Result<Verdict, String> {
    let rules = parse_rules(&input.rules)
        .map_err(|errors| errors.iter().map(|e| e.render("rules")).collect::<Vec<_>>().join("\n"))?;
    if rules.is_empty() {
        return Err(no_rules("rules"));
    }
    let candidate = load_metrics(&input.metrics_path)?;
    let (baseline, baseline_label, baseline_id, absent) = match resolve(store_dir, &input.baseline)? {
        Resolved::Found { metrics, label, record } => (Some(metrics), Some(label), record, None),
        Resolved::Absent { why } => (None, None, None, Some(why)),
    };
    let (rows, mut notes) = evaluate::evaluate(&rules, &candidate, baseline.as_ref());
    if let Some(why) = absent.filter(|_| rules.iter().any(Rule::is_comparison)) {
        notes.insert(0, format!("no baseline: comparison skipped ({why})"));
    }
    let passed = rows.iter().all(|row| row.result != RowResult::Fail);
    if let Some(branch) = &input.branch {
        notes.push(if passed {
            format!("recorded as the new baseline of branch `{branch}`")
        } else {
            format!("recorded in the history of branch `{branch}`; its baseline is unchanged")
        });
    }
    let verdict = Verdict {
        passed,
        rows,
        notes,
        baseline_label,
        metrics_path: input.metrics_path.display().to_string(),
        branch: input.branch.clone(),
        recorded: input.branch.is_some(),
    };
    if let Some(branch) = &input.branch {
        let at = clock().to_rfc3339_opts(SecondsFormat::Millis, true);
        let what = history::Recorded {
            branch,
            run_id: input.run_id,
            recorded_at: &at,
            passed,
            baseline_id,
            verdict: Some(&verdict),
        };
        History::open(store_dir)?.record(&what, &candidate)?;
    }
    Ok(verdict)
}

/// Every gate recorded in `<store_dir>/metrics.db`, oldest first, of one
/// branch or of all. No file yet: no records (reading creates nothing).
pub fn history(store_dir: &Path, branch: Option<&str>) -> Result<Vec<Record>, String> {
    match History::open_existing(store_dir)? {
        Some(history) => history.records(branch),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod parse_tests;

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod evaluate_tests;

#[cfg(test)]
#[path = "flow_tests.rs"]
mod flow_tests;
