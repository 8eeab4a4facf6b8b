//! One run: its facts, the job graph, the gate's tables, each job leg's
//! steps with durations, outcomes and log links, the step summaries and
//! the artifacts. While the run goes on, the body refreshes itself on each
//! change the live feed reports (`?fragment=1` is that body alone).

use super::error::{blocking, PageError};
use super::html::{badge, duration, escape, html_response, page_response, short_ref, time};
use super::log_page::LogRef;
use super::query::Params;
use super::server::UiState;
use super::{artifacts, dag, gate_view, markdown, workflow_graph};
use crate::store::{JobNeeds, JobRow, RunDetail, Status, Store};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::collections::HashMap;
use std::fmt::Write;

pub async fn page(
    State(state): State<UiState>,
    Path(id): Path<i64>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let fragment = Params::from(query)?.text("fragment").is_some();
    blocking(move || {
        let store = Store::open_read_only(&state.store).map_err(|e| PageError::internal(&e))?;
        let detail = store
            .run(id)
            .map_err(|e| PageError::internal(&e))?
            .ok_or_else(|| PageError::not_found(format!("no run {id} in the store")))?;
        // Runs recorded before schema 6 have no graph: read their workflow.
        let needs = match store.run_needs(id).map_err(|e| PageError::internal(&e))? {
            Some(needs) => Some(needs),
            None => workflow_graph::needs_of(&state.store, &detail.run),
        };
        let body = body(&state, &detail, needs.as_ref())?;
        if fragment {
            return Ok(html_response(body));
        }
        let run = &detail.run;
        let live = if run.status == Status::Running {
            let since = super::live::run_fingerprint(&state, id)
                .map(|(f, _)| f)
                .unwrap_or_default();
            format!(" data-live=\"/live/runs/{id}?since={since}\" data-fragment=\"/runs/{id}?fragment=1\"")
        } else {
            String::new()
        };
        let page = format!("<section id=\"run-body\"{live}>{body}</section>");
        Ok(page_response(&format!("{} #{id}", run.workflow), &page))
    })
    .await
}

/// A run's state as one word.
pub fn run_state(detail: &crate::store::RunRow) -> &'static str {
    match detail.result {
        Some(result) => result.as_str(),
        None => detail.status.as_str(),
    }
}

fn body(state: &UiState, detail: &RunDetail, needs: Option<&JobNeeds>) -> Result<String, PageError> {
    let run = &detail.run;
    let id = run.id;
    let mut out = format!(
        "<h1>{} <span class=\"muted\">#{id}</span> {}</h1><dl class=\"facts\">\
         <dt>commit</dt><dd><code>{}</code></dd><dt>ref</dt><dd>{}</dd><dt>trigger</dt><dd>{}</dd>\
         <dt>workflow file</dt><dd>{}</dd><dt>started</dt><dd>{}</dd><dt>duration</dt><dd>{}</dd>",
        escape(&run.workflow),
        badge(run_state(run)),
        escape(&run.sha.chars().take(12).collect::<String>()),
        escape(short_ref(&run.git_ref)),
        escape(&run.event),
        escape(&run.path),
        escape(&time(&run.started_at)),
        duration(run.seconds()),
    );
    if let Some(of) = run.rerun_of {
        let _ = write!(out, "<dt>rerun of</dt><dd><a href=\"/runs/{of}\">#{of}</a></dd>");
    }
    out.push_str("</dl>");
    out.push_str("<h2>Jobs</h2><div class=\"graph\">");
    out.push_str(&dag::svg(&detail.jobs, needs));
    out.push_str("</div>");
    let (records, history) = gate_view::records_of_run(&state.store, id).map_err(PageError::text)?;
    if !records.is_empty() {
        out.push_str("<h2>Gate</h2>");
        out.push_str(&gate_view::tables(&records, history.as_ref()));
    }
    // Each job's legs together and in matrix order; jobs as first recorded.
    let mut legs: Vec<&crate::store::JobRow> = detail.jobs.iter().collect();
    legs.sort_by_key(|l| (detail.jobs.iter().position(|j| j.job == l.job), l.leg));
    let mut shown = Vec::new();
    for leg in legs {
        let first_of_job = !shown.contains(&leg.job);
        shown.push(leg.job.clone());
        out.push_str(&job_section(state, detail, leg, first_of_job));
    }
    let listed = crate::artifacts::list(&crate::store::run_dir(&state.store, id)).map_err(PageError::text)?;
    out.push_str(&artifacts::table(id, &listed));
    Ok(out)
}

fn job_section(state: &UiState, detail: &RunDetail, leg: &JobRow, first_of_job: bool) -> String {
    let id = detail.run.id;
    let anchor = if first_of_job {
        format!(" id=\"job-{}\"", dag::anchor(&leg.job))
    } else {
        String::new()
    };
    let mut out = format!(
        "<section class=\"job\"{anchor} data-leg=\"{}/{}\"><h3>{} {}</h3><p class=\"muted\">{}",
        escape(&leg.job),
        leg.leg,
        escape(&leg.name),
        badge(dag::state(leg)),
        duration(leg.seconds())
    );
    if leg.attempts > 1 || leg.max_attempts.is_some_and(|m| m > 1) {
        let _ = write!(
            out,
            " · attempt {} of {}",
            leg.attempts,
            leg.max_attempts.unwrap_or(leg.attempts)
        );
    }
    if let Some(backend) = &leg.backend {
        let _ = write!(out, " · {}", escape(backend));
    }
    if let Some(image) = &leg.image {
        let _ = write!(out, " · {}", escape(image));
    }
    if !leg.gpus.is_empty() {
        let _ = write!(out, " · GPUs {}", escape(&leg.gpus.join(", ")));
    }
    if let Some(slurm) = &leg.slurm {
        let _ = write!(out, " · {}", escape(&slurm.describe()));
    }
    out.push_str("</p>");
    if let Some(reason) = &leg.reason {
        let _ = write!(out, "<p class=\"reason\">{}</p>", escape(reason));
    }
    let files = detail.log_files(&state.store, Some(&leg.job));
    let own_logs: Vec<_> = files.iter().filter(|f| f.leg == leg.leg && f.step.is_none()).collect();
    if !leg.steps.is_empty() {
        out.push_str(
            "<table class=\"steps\"><thead><tr><th>step</th><th>outcome</th><th>duration</th><th>log</th></tr></thead><tbody>",
        );
        for step in &leg.steps {
            let outcome = match (step.conclusion, step.outcome) {
                (Some(c), _) => c.as_str(),
                (None, Some(o)) => o.as_str(),
                (None, None) => step.status.as_str(),
            };
            let log = if step.log.is_some() {
                let which = LogRef {
                    job: leg.job.clone(),
                    leg: leg.leg,
                    attempt: step.attempt,
                    step: Some(step.step),
                };
                format!("<a href=\"/runs/{id}/log?{}\">log</a>", escape(&which.query()))
            } else {
                String::new()
            };
            let attempt = if leg.attempts > 1 {
                format!(" <span class=\"muted\">(attempt {})</span>", step.attempt)
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<tr class=\"step {outcome}\"><td>{}{attempt}{}</td><td>{}</td><td>{}</td><td>{log}</td></tr>",
                escape(&step.name),
                step.reason
                    .as_ref()
                    .map(|r| format!(" <span class=\"muted\">{}</span>", escape(r)))
                    .unwrap_or_default(),
                badge(outcome),
                duration(step.seconds()),
            );
        }
        out.push_str("</tbody></table>");
    }
    for file in own_logs {
        let _ = write!(
            out,
            "<p><a href=\"/runs/{id}/log?{}\">job messages{}</a></p>",
            escape(&LogRef::of(file).query()),
            if file.attempt > 1 {
                format!(" (attempt {})", file.attempt)
            } else {
                String::new()
            }
        );
    }
    let summary = state.store.join(&leg.log_dir).join("summary.md");
    if let Ok(markdown_text) = std::fs::read_to_string(summary) {
        let _ = write!(
            out,
            "<div class=\"summary\"><h4>Summary</h4>{}</div>",
            markdown::render(&markdown_text)
        );
    }
    out.push_str("</section>");
    out
}
