//! The live feeds, as server-sent events. The runs list and a run's page
//! are told `changed` when what they show changed (they then fetch their
//! fragment again); a running step's log gets its new lines, rendered,
//! within about [`LOG_POLL`] of their reaching the file.
//!
//! Each feed polls the store or the file: the recording run never waits
//! for a reader, and a feed costs one small task and a few KiB per client.

use super::log_page::LogRef;
use super::log_render;
use super::query::Params;
use super::server::UiState;
use crate::store::{RunFilter, Status, Store};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Read, Seek, SeekFrom};
use std::time::Duration;

/// How often a log feed looks for new lines (the store's writer flushes
/// every 200 ms, so a line reaches the browser within about 0.3 s).
const LOG_POLL: Duration = Duration::from_millis(100);
/// How often the list and run feeds look at the store.
const STATE_POLL: Duration = Duration::from_millis(500);
/// How many log polls pass between two looks at the store.
const CHECK_EVERY: u32 = 10;
/// The most bytes one log event carries, so a burst is sent in pieces.
const MAX_CHUNK: usize = 256 * 1024;

type Query_ = Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>;

fn fingerprint(value: &impl Hash) -> String {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// What the runs list shows of the runs that match its filters: their
/// states, and the newest id (a new run appears on the first page).
pub fn list_fingerprint(state: &UiState, filter: &RunFilter, before: Option<i64>) -> String {
    let Ok(store) = Store::open_read_only(&state.store) else {
        return String::new();
    };
    let Ok(page) = store.run_page(filter, before, super::runs_page::PER_PAGE) else {
        return String::new();
    };
    let states: Vec<(i64, String, Option<String>)> = page
        .runs
        .iter()
        .map(|r| (r.id, r.status.as_str().to_string(), r.finished_at.clone()))
        .collect();
    fingerprint(&states)
}

/// A run's jobs and steps as far as its page shows them; None when the run
/// is gone.
pub fn run_fingerprint(state: &UiState, id: i64) -> Option<(String, bool)> {
    let detail = Store::open_read_only(&state.store).ok()?.run(id).ok()??;
    let mut facts = vec![format!("{:?}{:?}", detail.run.status, detail.run.result)];
    for job in &detail.jobs {
        facts.push(format!(
            "{}{}{:?}{:?}{}",
            job.job, job.leg, job.status, job.result, job.attempts
        ));
        for step in &job.steps {
            facts.push(format!(
                "{}{}{:?}{:?}",
                step.attempt, step.step, step.status, step.conclusion
            ));
        }
    }
    Some((fingerprint(&facts), detail.run.status == Status::Running))
}

fn sse(events: impl Stream<Item = Result<Event, Infallible>> + Send + 'static) -> Response {
    let mut response = Sse::new(events).keep_alive(KeepAlive::default()).into_response();
    super::html::secure(response.headers_mut());
    response
}

async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(work).await.ok()
}

/// `GET /live/runs?<the list's filters>&since=F`: `changed` each time the
/// list's fingerprint differs from the last one sent (or from `since`).
pub async fn runs(State(state): State<UiState>, query: Query_) -> Response {
    let Ok(params) = Params::from(query) else {
        return super::error::PageError::bad_request("bad query").into_response();
    };
    let filter = RunFilter {
        workflow: params.text("workflow"),
        branch: params.text("branch"),
        event: params.text("event"),
        result: params.text("result"),
    };
    let before = params.number::<i64>("before").ok().flatten();
    let since = params.text("since").unwrap_or_default();
    let events = stream::unfold((state, since, true), move |(state, last, first)| {
        let filter = filter.clone();
        async move {
            loop {
                if !first {
                    tokio::time::sleep(STATE_POLL).await;
                }
                let look = state.clone();
                let filter = filter.clone();
                let now = off_thread(move || list_fingerprint(&look, &filter, before)).await?;
                if now != last && !now.is_empty() {
                    let event = Event::default().event("changed").data(now.clone());
                    return Some((Ok(event), (state, now, false)));
                }
                if first {
                    tokio::time::sleep(STATE_POLL).await;
                }
            }
        }
    });
    sse(events)
}

/// `GET /live/runs/{id}?since=F`: `changed` on each change of the run's
/// jobs and steps; `end` once it is no longer running.
pub async fn run(State(state): State<UiState>, Path(id): Path<i64>, query: Query_) -> Response {
    let since = Params::from(query)
        .ok()
        .and_then(|p| p.text("since"))
        .unwrap_or_default();
    let events = stream::unfold(Some((state, since)), move |feed| async move {
        let (state, last) = feed?;
        loop {
            let look = state.clone();
            let (now, running) = off_thread(move || run_fingerprint(&look, id)).await??;
            if now != last {
                let event = Event::default().event("changed").data(now.clone());
                return Some((Ok(event), Some((state, now))));
            }
            if !running {
                return Some((Ok(Event::default().event("end").data("end")), None));
            }
            tokio::time::sleep(STATE_POLL).await;
        }
    });
    sse(events)
}

/// Where a log feed stands: lines sent and the byte after the last one.
struct LogFeed {
    state: UiState,
    run: i64,
    which: LogRef,
    line: u64,
    byte: u64,
    /// Polls until the next look at whether the step still runs.
    until_check: u32,
    /// The step's log file, once the store named it.
    path: Option<std::path::PathBuf>,
    ended: bool,
}

/// `GET /live/log/{id}?job=…&leg=…&attempt=…&step=…&line=N&byte=B`: the
/// lines after line N (which ends at byte B) as `lines` events of HTML,
/// each with the id `N:B` so a reconnecting browser resumes where it was;
/// `end` once the step has finished and its last line was sent.
pub async fn log(State(state): State<UiState>, Path(run): Path<i64>, headers: HeaderMap, query: Query_) -> Response {
    let params = match Params::from(query) {
        Ok(params) => params,
        Err(e) => return e.into_response(),
    };
    let which = match LogRef::from_params(&params) {
        Ok(which) => which,
        Err(e) => return e.into_response(),
    };
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(':'))
        .and_then(|(l, b)| Some((l.parse().ok()?, b.parse().ok()?)));
    let (line, byte) = match resumed {
        Some(at) => at,
        None => (
            params.number("line").ok().flatten().unwrap_or(0),
            params.number("byte").ok().flatten().unwrap_or(0),
        ),
    };
    let feed = LogFeed {
        state,
        run,
        which,
        line,
        byte,
        until_check: 0,
        path: None,
        ended: false,
    };
    let events = stream::unfold(feed, |mut feed| async move {
        if feed.ended {
            return None;
        }
        loop {
            let (next, event) = off_thread(move || {
                let event = feed.poll();
                (feed, event)
            })
            .await?;
            feed = next;
            if let Some(event) = event {
                return Some((Ok(event), feed));
            }
            tokio::time::sleep(LOG_POLL).await;
        }
    });
    sse(events)
}

impl LogFeed {
    /// One look: new lines, or the end, or nothing yet. The store is read
    /// once a second (is the step still running, where is its log); in
    /// between, a look is one `stat` of the log file, so many followers of
    /// a busy log cost little.
    fn poll(&mut self) -> Option<Event> {
        if self.until_check == 0 || self.path.is_none() {
            self.until_check = CHECK_EVERY;
            let store = Store::open_read_only(&self.state.store).ok();
            let detail = store.as_ref().and_then(|s| s.run(self.run).ok().flatten());
            let found = detail.as_ref().and_then(|d| self.which.find(d, &self.state.store));
            self.path = found.as_ref().map(|(file, _)| file.path.clone());
            if !found.as_ref().is_some_and(|(_, running)| *running) {
                // Finished: send what is left, then end.
                if let Some(event) = found.as_ref().and_then(|(file, _)| self.read(&file.path)) {
                    return Some(event);
                }
                self.ended = true;
                return Some(Event::default().event("end").data("end"));
            }
        }
        self.until_check -= 1;
        let path = self.path.clone()?;
        self.read(&path)
    }

    /// The complete lines after `byte`, as one `lines` event.
    fn read(&mut self, path: &std::path::Path) -> Option<Event> {
        let mut file = std::fs::File::open(path).ok()?;
        if file.metadata().ok()?.len() <= self.byte {
            return None;
        }
        file.seek(SeekFrom::Start(self.byte)).ok()?;
        let mut buffer = Vec::new();
        file.take(MAX_CHUNK as u64).read_to_end(&mut buffer).ok()?;
        let end = buffer.iter().rposition(|b| *b == b'\n')? + 1;
        let mut html = String::new();
        for raw in buffer[..end - 1].split(|b| *b == b'\n') {
            self.line += 1;
            let text = String::from_utf8_lossy(&raw[..raw.len().min(super::log_index::MAX_LINE)]);
            html.push_str(&log_render::line(self.line, &text));
        }
        self.byte += end as u64;
        Some(
            Event::default()
                .event("lines")
                .id(format!("{}:{}", self.line, self.byte))
                .data(html),
        )
    }
}
