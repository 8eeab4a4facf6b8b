//! The gate's result: one row per rule, the notes that explain skipped
//! comparisons, and whether the gate passed. Serialized as the JSON verdict
//! stored with a run (`mlci gate --json`).

use serde::Serialize;

/// What a gate decided.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// Whether every rule passed (skipped comparisons do not fail a gate).
    pub passed: bool,
    /// One row per rule, in the order of the rules.
    pub rows: Vec<Row>,
    /// Why comparisons were skipped, warnings, and what was recorded.
    pub notes: Vec<String>,
    /// What the candidate was compared with (`branch main (run 3, …)`, `file
    /// base.json`); None when there was no baseline, so a passing verdict
    /// says it passed without one.
    pub baseline_label: Option<String>,
    /// The metrics file, as given.
    pub metrics_path: String,
    /// The branch gated, if any; its history got this verdict's metrics.
    pub branch: Option<String>,
    /// Whether the metrics were recorded in the store (on `branch`).
    pub recorded: bool,
}

/// One rule's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The metric's dotted path.
    pub metric: String,
    /// The baseline's value (JSON null when absent or not finite).
    pub baseline: Option<f64>,
    /// The candidate's value (JSON null when absent, not a number, or not finite).
    pub candidate: Option<f64>,
    /// `candidate - baseline`, when both are finite numbers.
    pub change: Option<f64>,
    /// The change relative to the baseline's magnitude, in percent (not for a baseline of 0).
    pub change_percent: Option<f64>,
    /// The rule, in its canonical spelling.
    pub rule: String,
    pub result: RowResult,
    /// Why the rule failed or was skipped.
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowResult {
    Pass,
    Fail,
    Skipped,
}

impl RowResult {
    pub fn as_str(self) -> &'static str {
        match self {
            RowResult::Pass => "pass",
            RowResult::Fail => "fail",
            RowResult::Skipped => "skipped",
        }
    }
}

impl Verdict {
    /// How many rows have `result`.
    pub fn count(&self, result: RowResult) -> usize {
        self.rows.iter().filter(|r| r.result == result).count()
    }

    /// The last line under the table: `gate passed: 3 passed, 0 failed, 1 skipped; baseline: none`.
    pub fn summary(&self) -> String {
        format!(
            "gate {}: {} passed, {} failed, {} skipped; baseline: {}",
            if self.passed { "passed" } else { "FAILED" },
            self.count(RowResult::Pass),
            self.count(RowResult::Fail),
            self.count(RowResult::Skipped),
            self.baseline_label.as_deref().unwrap_or("none")
        )
    }
}
