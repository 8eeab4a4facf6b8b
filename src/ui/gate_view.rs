//! The gate's tables on a run's page: each gate step's verdict (metric,
//! baseline, candidate, change, rule, result) as recorded in
//! `metrics.db`, with the run whose metrics were the baseline linked.

use super::html::{badge, escape};
use crate::gate::{format_number, History, Record};
use serde_json::Value;
use std::fmt::Write;
use std::path::Path;

/// The gate records a run made (none without a `metrics.db`).
pub fn records_of_run(store: &Path, run: i64) -> Result<(Vec<Record>, Option<History>), String> {
    let Some(history) = History::open_existing(store)? else {
        return Ok((Vec::new(), None));
    };
    Ok((history.records_of_run(run)?, Some(history)))
}

/// The HTML of a run's gate tables; empty when it had no gate.
pub fn tables(records: &[Record], history: Option<&History>) -> String {
    let mut out = String::new();
    for record in records {
        let baseline_run = record
            .baseline_id
            .and_then(|id| history?.record_by_id(id).ok().flatten())
            .and_then(|b| b.run_id);
        let _ = write!(
            out,
            "<div class=\"gate\" id=\"gate-{}\"><h3>Gate on {} {}</h3>",
            record.id,
            escape(&record.branch),
            badge(if record.passed { "passed" } else { "failed" })
        );
        if let Some(run) = baseline_run {
            let _ = write!(out, "<p>baseline: <a href=\"/runs/{run}\">run #{run}</a></p>");
        }
        let Some(verdict) = &record.verdict else {
            out.push_str("<p class=\"muted\">recorded before mlci kept verdicts: metrics only</p></div>");
            continue;
        };
        if baseline_run.is_none() {
            let label = verdict["baseline_label"].as_str().unwrap_or("none");
            let _ = write!(out, "<p>baseline: {}</p>", escape(label));
        }
        out.push_str(
            "<table class=\"verdict\"><thead><tr><th>metric</th><th>baseline</th><th>candidate</th>\
             <th>change</th><th>rule</th><th>result</th></tr></thead><tbody>",
        );
        for row in verdict["rows"].as_array().into_iter().flatten() {
            let result = row["result"].as_str().unwrap_or("");
            let change = match (row["change"].as_f64(), row["change_percent"].as_f64()) {
                (Some(c), Some(p)) => format!("{}{} ({}{:.1}%)", sign(c), format_number(c), sign(p), p),
                (Some(c), None) => format!("{}{}", sign(c), format_number(c)),
                _ => "–".to_string(),
            };
            let _ = write!(
                out,
                "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}{}</td></tr>",
                escape(result),
                escape(row["metric"].as_str().unwrap_or("")),
                number(&row["baseline"]),
                number(&row["candidate"]),
                escape(&change),
                escape(row["rule"].as_str().unwrap_or("")),
                badge(result),
                row["reason"]
                    .as_str()
                    .map(|r| format!(" <span class=\"muted\">{}</span>", escape(r)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</tbody></table>");
        for note in verdict["notes"].as_array().into_iter().flatten() {
            let _ = write!(out, "<p class=\"note\">{}</p>", escape(note.as_str().unwrap_or("")));
        }
        out.push_str("</div>");
    }
    out
}

fn sign(x: f64) -> &'static str {
    if x > 0.0 {
        "+"
    } else {
        ""
    }
}

fn number(value: &Value) -> String {
    value.as_f64().map_or_else(|| "–".to_string(), format_number)
}
