//! Metrics over time: per branch, one chart per metric across the gates
//! recorded (each point links to its run), and two runs' metrics side by
//! side (`/compare?a=RUN&b=RUN`, like `dvc metrics diff`).

use super::chart;
use super::error::{blocking, PageError};
use super::html::{escape, page_response};
use super::query::Params;
use super::server::UiState;
use crate::gate::{flatten, format_number, history, Record};
use axum::extract::{Query, State};
use axum::response::Response;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

type Query_ = Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>;

pub async fn page(State(state): State<UiState>, query: Query_) -> Result<Response, PageError> {
    let branch = Params::from(query)?.text("branch");
    blocking(move || {
        let all = history(&state.store, None).map_err(PageError::text)?;
        let branches: BTreeSet<&str> = all.iter().map(|r| r.branch.as_str()).collect();
        let chosen = branch
            .clone()
            .or_else(|| branches.contains("main").then(|| "main".to_string()))
            .or_else(|| branches.iter().next().map(|b| b.to_string()));
        let mut body = String::from("<h1>Metrics over time</h1>");
        if all.is_empty() {
            body.push_str("<p class=\"muted\">no gate has recorded metrics yet (<code>uses: mlci/gate@v1</code> or <code>mlci gate</code>)</p>");
            return Ok(page_response("metrics", &body));
        }
        body.push_str("<form class=\"filters\" method=\"get\" action=\"/metrics\"><label>branch <select name=\"branch\">");
        for b in &branches {
            let selected = if Some(*b) == chosen.as_deref() { " selected" } else { "" };
            let _ = write!(body, "<option{selected}>{}</option>", escape(b));
        }
        body.push_str("</select></label><button type=\"submit\">show</button></form>");
        let records: Vec<Record> = all.into_iter().filter(|r| Some(&r.branch) == chosen.as_ref()).collect();
        let link = |run: i64| format!("/runs/{run}");
        for series in chart::series(&records) {
            let _ = write!(body, "<figure class=\"metric\">{}</figure>", chart::svg(&series, Some(&link)));
        }
        let runs: Vec<i64> = records.iter().filter_map(|r| r.run_id).collect();
        if let [.., a, b] = runs[..] {
            let _ = write!(
                body,
                "<p><a href=\"/compare?a={a}&amp;b={b}\">compare the last two runs (#{a}, #{b})</a></p>"
            );
        }
        let title = format!("metrics of {}", chosen.as_deref().unwrap_or(""));
        Ok(page_response(&title, &body))
    })
    .await
}

pub async fn compare(State(state): State<UiState>, query: Query_) -> Result<Response, PageError> {
    let params = Params::from(query)?;
    let (a, b): (Option<i64>, Option<i64>) = (params.number("a")?, params.number("b")?);
    blocking(move || {
        let mut body = format!(
            "<h1>Compare two runs' metrics</h1><form class=\"filters\" method=\"get\" action=\"/compare\">\
             <label>run <input name=\"a\" size=\"6\" value=\"{}\"></label> <label>with run <input name=\"b\" size=\"6\" value=\"{}\"></label>\
             <button type=\"submit\">compare</button></form>",
            a.map(|a| a.to_string()).unwrap_or_default(),
            b.map(|b| b.to_string()).unwrap_or_default()
        );
        let (Some(a), Some(b)) = (a, b) else {
            return Ok(page_response("compare", &body));
        };
        let all = history(&state.store, None).map_err(PageError::text)?;
        let metrics_of = |run: i64| -> Option<BTreeMap<String, f64>> {
            let record = all.iter().rev().find(|r| r.run_id == Some(run))?;
            Some(record.metrics.as_object().map(flatten).unwrap_or_default().into_iter().collect())
        };
        let (Some(left), Some(right)) = (metrics_of(a), metrics_of(b)) else {
            let _ = write!(
                body,
                "<p class=\"error\">run #{} has no gate metrics recorded</p>",
                if metrics_of(a).is_none() { a } else { b }
            );
            return Ok(page_response("compare", &body));
        };
        let _ = write!(
            body,
            "<table class=\"compare\"><thead><tr><th>metric</th><th><a href=\"/runs/{a}\">run #{a}</a></th>\
             <th><a href=\"/runs/{b}\">run #{b}</a></th><th>change</th></tr></thead><tbody>"
        );
        let names: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
        for name in names {
            let (x, y) = (left.get(name), right.get(name));
            let change = match (x, y) {
                (Some(x), Some(y)) if *x != 0.0 => {
                    format!("{} ({:+.1}%)", signed(y - x), (y - x) / x.abs() * 100.0)
                }
                (Some(x), Some(y)) => signed(y - x),
                _ => "–".to_string(),
            };
            let cell = |v: Option<&f64>| v.map_or_else(|| "–".to_string(), |v| format_number(*v));
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                cell(x),
                cell(y),
                escape(&change)
            );
        }
        body.push_str("</tbody></table>");
        Ok(page_response("compare", &body))
    })
    .await
}

/// A change with its sign, rounded as the gate's table rounds.
fn signed(change: f64) -> String {
    let text = format_number((change * 1e9).round() / 1e9);
    if change > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}
