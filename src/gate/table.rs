//! The verdict as people read it: an aligned plain-text table for the log
//! and the terminal, and the same as Markdown for a job's step summary.

use super::number::{number, percent, signed};
use super::verdict::{Row, RowResult, Verdict};

const HEADER: [&str; 7] = [
    "METRIC",
    "BASELINE",
    "CANDIDATE",
    "CHANGE",
    "CHANGE %",
    "RULE",
    "RESULT",
];
const MARKDOWN_HEADER: &str =
    "| Metric | Baseline | Candidate | Change | Change % | Rule | Result |\n|:--|--:|--:|--:|--:|:--|:--|\n";
/// Columns holding numbers, aligned right.
const NUMERIC: [bool; 7] = [false, true, true, true, true, false, false];

impl Verdict {
    /// The table (metric, baseline, candidate, change, change %, rule,
    /// result), a `note:` line per note, and the summary line.
    pub fn table(&self) -> String {
        let mut lines = vec![HEADER.map(str::to_string).to_vec()];
        lines.extend(self.rows.iter().map(|row| cells(row).to_vec()));
        let mut out = align(&lines);
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// The same as Markdown, headed by the outcome, for `$GITHUB_STEP_SUMMARY`.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "### Quality gate: {}\n\n{MARKDOWN_HEADER}",
            if self.passed { "passed" } else { "FAILED" }
        );
        for row in &self.rows {
            let cells = cells(row).map(|cell| cell.replace('|', "\\|"));
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
        for note in &self.notes {
            out.push_str(&format!("- {note}\n"));
        }
        if !self.notes.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{}\n", self.summary()));
        out
    }
}

fn cells(row: &Row) -> [String; 7] {
    let optional = |value: Option<f64>, show: fn(f64) -> String| value.map_or_else(|| "-".to_string(), show);
    let result = match (row.result, &row.reason) {
        (RowResult::Pass, _) => "pass".to_string(),
        (RowResult::Fail, Some(reason)) => format!("FAIL: {reason}"),
        (RowResult::Fail, None) => "FAIL".to_string(),
        (RowResult::Skipped, Some(reason)) => format!("skipped: {reason}"),
        (RowResult::Skipped, None) => "skipped".to_string(),
    };
    [
        row.metric.clone(),
        optional(row.baseline, number),
        optional(row.candidate, number),
        optional(row.change, signed),
        optional(row.change_percent, percent),
        row.rule.clone(),
        result,
    ]
}

/// Cells padded into columns two spaces apart, numbers aligned right, each
/// line's trailing blanks trimmed.
fn align(lines: &[Vec<String>]) -> String {
    let mut widths = [0usize; 7];
    for line in lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for line in lines {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            let pad = " ".repeat(widths[i] - cell.chars().count());
            if NUMERIC[i] {
                text.push_str(&format!("{pad}{cell}  "));
            } else {
                text.push_str(&format!("{cell}{pad}  "));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}
