//! The runs list: newest first, filtered by workflow, branch, event and
//! result, paged by id (`before=`), so 10,000 runs cost what 50 do. Each
//! row: commit, trigger, duration, the gate's verdict, `rerun of #N`. While
//! any run on the page runs, the rows refresh on each change.

use super::error::{blocking, PageError};
use super::html::{badge, duration, escape, html_response, page_response, query_value, short_ref, time};
use super::query::Params;
use super::run_page::run_state;
use super::server::UiState;
use crate::gate::History;
use crate::store::{RunFilter, RunRow, Status, Store};
use axum::extract::{Query, State};
use axum::response::Response;
use std::collections::HashMap;
use std::fmt::Write;

/// Runs per page.
pub const PER_PAGE: usize = 50;
const RESULTS: [&str; 6] = ["success", "failure", "cancelled", "skipped", "running", "interrupted"];

pub async fn page(
    State(state): State<UiState>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let params = Params::from(query)?;
    let filter = RunFilter {
        workflow: params.text("workflow"),
        branch: params.text("branch"),
        event: params.text("event"),
        result: params.text("result"),
    };
    let before: Option<i64> = params.number("before")?;
    let fragment = params.text("fragment").is_some();
    blocking(move || render(&state, &filter, before, fragment)).await
}

fn render(state: &UiState, filter: &RunFilter, before: Option<i64>, fragment: bool) -> Result<Response, PageError> {
    if !Store::exists(&state.store) {
        let body = format!(
            "<h1>Runs</h1><p class=\"muted\" id=\"no-runs\">no runs recorded in {} yet: <code>mlci run</code> records them</p>",
            escape(&state.store.display().to_string())
        );
        return Ok(page_response("runs", &body));
    }
    let store = Store::open_read_only(&state.store).map_err(|e| PageError::internal(&e))?;
    let page = store
        .run_page(filter, before, PER_PAGE)
        .map_err(|e| PageError::internal(&e))?;
    let ids: Vec<i64> = page.runs.iter().map(|r| r.id).collect();
    let gates = match History::open_existing(&state.store).map_err(PageError::text)? {
        Some(history) if !ids.is_empty() => history.gate_results(&ids).map_err(PageError::text)?,
        _ => HashMap::new(),
    };
    let rows = rows(&page.runs, &gates);
    if fragment {
        return Ok(html_response(rows));
    }
    let choices = store.filter_choices().map_err(|e| PageError::internal(&e))?;
    let mut body = String::from("<h1>Runs</h1><form class=\"filters\" method=\"get\" action=\"/\">");
    select(&mut body, "workflow", &choices.workflows, filter.workflow.as_deref());
    select(&mut body, "branch", &choices.branches, filter.branch.as_deref());
    select(&mut body, "event", &choices.events, filter.event.as_deref());
    let results: Vec<String> = RESULTS.iter().map(|r| r.to_string()).collect();
    select(&mut body, "result", &results, filter.result.as_deref());
    body.push_str("<button type=\"submit\">filter</button></form>");
    // Live while a run on the page goes on; the first page also learns of new runs.
    let live = if page.runs.iter().any(|r| r.status == Status::Running) || before.is_none() {
        let since = super::live::list_fingerprint(state, filter, before);
        let feed = link(filter, before, false).replacen("/?", "/live/runs?", 1);
        format!(
            " data-live=\"{}\" data-fragment=\"{}\"",
            escape(&format!("{feed}&since={since}")),
            escape(&link(filter, before, true)),
        )
    } else {
        String::new()
    };
    let _ = write!(
        body,
        "<table class=\"runs\"><thead><tr><th>run</th><th>workflow</th><th>result</th><th>branch</th>\
         <th>commit</th><th>trigger</th><th>started</th><th>duration</th><th>gate</th></tr></thead>\
         <tbody id=\"runs-rows\"{live}>{rows}</tbody></table>"
    );
    if page.runs.is_empty() {
        body.push_str("<p class=\"muted\">no runs match</p>");
    }
    if let Some(older) = page.next_before {
        let _ = write!(
            body,
            "<p class=\"pager\"><a href=\"{}\">newest</a> <a id=\"older\" href=\"{}\">older runs</a></p>",
            escape(&link(filter, None, false)),
            escape(&link(filter, Some(older), false))
        );
    }
    Ok(page_response("runs", &body))
}

/// The list's address with these filters (and page).
fn link(filter: &RunFilter, before: Option<i64>, fragment: bool) -> String {
    let mut parts = Vec::new();
    for (name, value) in [
        ("workflow", &filter.workflow),
        ("branch", &filter.branch),
        ("event", &filter.event),
        ("result", &filter.result),
    ] {
        if let Some(value) = value {
            parts.push(format!("{name}={}", query_value(value)));
        }
    }
    if let Some(before) = before {
        parts.push(format!("before={before}"));
    }
    if fragment {
        parts.push("fragment=1".to_string());
    }
    format!("/?{}", parts.join("&"))
}

fn select(out: &mut String, name: &str, values: &[String], chosen: Option<&str>) {
    let _ = write!(
        out,
        "<label>{name} <select name=\"{name}\"><option value=\"\">all</option>"
    );
    for value in values {
        let selected = if Some(value.as_str()) == chosen {
            " selected"
        } else {
            ""
        };
        let _ = write!(out, "<option{selected}>{}</option>", escape(value));
    }
    out.push_str("</select></label>");
}

fn rows(runs: &[RunRow], gates: &HashMap<i64, bool>) -> String {
    let mut out = String::new();
    for run in runs {
        let gate = match gates.get(&run.id) {
            Some(true) => badge("passed"),
            Some(false) => badge("failed"),
            None => String::new(),
        };
        let rerun = run
            .rerun_of
            .map(|of| format!(" <span class=\"muted\">rerun of <a href=\"/runs/{of}\">#{of}</a></span>"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<tr class=\"run\" data-run=\"{id}\"><td><a href=\"/runs/{id}\">#{id}</a>{rerun}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{gate}</td></tr>",
            escape(&run.workflow),
            badge(run_state(run)),
            escape(short_ref(&run.git_ref)),
            escape(&run.sha.chars().take(7).collect::<String>()),
            escape(&run.event),
            escape(&time(&run.started_at)),
            duration(run.seconds()),
            id = run.id,
        );
    }
    out
}
