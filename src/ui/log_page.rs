//! One log page: a step's (or a job leg's own) log, one page of
//! [`PAGE`] lines at a time, with its errors and warnings listed on top
//! and, while the step runs, new lines following live.

use super::error::{blocking, PageError};
use super::html::{badge, escape, page_response, query_value};
use super::log_index::PAGE;
use super::log_render;
use super::query::Params;
use super::server::UiState;
use crate::store::{LogFile, RunDetail, Status, Store};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::collections::HashMap;
use std::fmt::Write;

/// Which log of a run: a leg, an attempt, and a step (None: the leg's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRef {
    pub job: String,
    pub leg: usize,
    pub attempt: u32,
    pub step: Option<usize>,
}

impl LogRef {
    pub fn from_params(params: &Params) -> Result<LogRef, PageError> {
        Ok(LogRef {
            job: params
                .text("job")
                .ok_or_else(|| PageError::bad_request("which job? (`job=`)"))?,
            leg: params.number("leg")?.unwrap_or(0),
            attempt: params.number("attempt")?.unwrap_or(1),
            step: params.number("step")?,
        })
    }

    /// `job=…&leg=…&attempt=…[&step=…]`.
    pub fn query(&self) -> String {
        let mut q = format!(
            "job={}&leg={}&attempt={}",
            query_value(&self.job),
            self.leg,
            self.attempt
        );
        if let Some(step) = self.step {
            let _ = write!(q, "&step={step}");
        }
        q
    }

    pub fn of(file: &LogFile) -> LogRef {
        LogRef {
            job: file.job.clone(),
            leg: file.leg,
            attempt: file.attempt,
            step: file.step,
        }
    }

    /// The log file it names in `detail`, and whether it may still grow.
    pub fn find(&self, detail: &RunDetail, store: &std::path::Path) -> Option<(LogFile, bool)> {
        let file = detail
            .log_files(store, Some(&self.job))
            .into_iter()
            .find(|f| f.job == self.job && f.leg == self.leg && f.attempt == self.attempt && f.step == self.step)?;
        let leg = detail.jobs.iter().find(|j| j.job == self.job && j.leg == self.leg)?;
        let running = detail.run.status == Status::Running
            && match self.step {
                Some(step) => leg
                    .steps
                    .iter()
                    .any(|s| s.attempt == self.attempt && s.step == step && s.status == Status::Running),
                None => matches!(leg.status, Status::Running | Status::Waiting),
            };
        Some((file, running))
    }
}

pub async fn page(
    State(state): State<UiState>,
    Path(id): Path<i64>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let params = Params::from(query)?;
    let which = LogRef::from_params(&params)?;
    let page: Option<u64> = params.number("page")?;
    blocking(move || render(&state, id, &which, page)).await
}

fn render(state: &UiState, id: i64, which: &LogRef, page: Option<u64>) -> Result<Response, PageError> {
    let store = Store::open_read_only(&state.store).map_err(|e| PageError::internal(&e))?;
    let detail = store
        .run(id)
        .map_err(|e| PageError::internal(&e))?
        .ok_or_else(|| PageError::not_found(format!("no run {id} in the store")))?;
    let (file, running) = which
        .find(&detail, &state.store)
        .ok_or_else(|| PageError::not_found(format!("run {id} has no such log")))?;
    let index = state.logs.get(&file.path).map_err(|e| PageError::internal(&e))?;
    let pages = index.pages();
    // The last page by default: where a failure, or a running step, is.
    let page = page.unwrap_or(pages - 1).min(pages - 1);
    let (first, lines) = index.read_page(&file.path, page).map_err(|e| PageError::internal(&e))?;
    let base = format!("/runs/{id}/log?{}", which.query());
    let title = match &file.step_name {
        Some(step) => format!("{} · {step}", file.leg_name),
        None => format!("{} · job messages", file.leg_name),
    };
    let mut body = format!(
        "<p class=\"crumbs\"><a href=\"/runs/{id}\">run #{id}</a> › {}{}</p><h1>{}</h1>",
        escape(&file.leg_name),
        if file.attempt > 1 {
            format!(" (attempt {})", file.attempt)
        } else {
            String::new()
        },
        escape(&title)
    );
    if running {
        body.push_str(&badge("running"));
    }
    body.push_str(&log_render::annotations(&index.annotations, |line| {
        format!("{base}&page={}#L{line}", (line - 1) / PAGE)
    }));
    let pager = pager(&base, page, pages, index.lines);
    body.push_str(&pager);
    let follow = if running && page == pages - 1 {
        format!(
            " data-follow=\"/live/log/{id}?{}&line={}&byte={}\"",
            escape(&which.query()),
            index.lines,
            index.bytes
        )
    } else {
        String::new()
    };
    let _ = write!(
        body,
        "<div class=\"log\" id=\"log\"{follow}>{}</div>",
        log_render::lines(first, &lines)
    );
    if lines.is_empty() {
        body.push_str("<p class=\"muted\" id=\"log-empty\">no output yet</p>");
    }
    body.push_str(&pager);
    Ok(page_response(&title, &body))
}

fn pager(base: &str, page: u64, pages: u64, lines: u64) -> String {
    let mut out = format!("<p class=\"pager\">{lines} lines · page {} of {pages}", page + 1);
    let link = |out: &mut String, label: &str, to: u64| {
        let _ = write!(out, " <a href=\"{}&amp;page={to}\">{label}</a>", escape(base));
    };
    if page > 0 {
        link(&mut out, "first", 0);
        link(&mut out, "previous", page - 1);
    }
    if page + 1 < pages {
        link(&mut out, "next", page + 1);
        link(&mut out, "last", pages - 1);
    }
    out.push_str("</p>");
    out
}
