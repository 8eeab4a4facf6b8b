//! The read API: recent runs with the queue beside them, one run in
//! detail, its logs, and the events received. Each request opens the store
//! afresh (a SQLite connection in WAL mode is cheap) so it reads what the
//! running jobs have committed.

use super::error::{blocking, ApiError};
use super::ApiState;
use crate::daemon::queue::RunState;
use crate::store::{as_text, LogFile, Store};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::io;

/// How many rows a list returns unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 50;
/// The most a list returns, so one request cannot ask for the whole store.
const MAX_LIMIT: usize = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<usize>,
}

impl ListQuery {
    fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsQuery {
    /// A job id or leg name; all legs when absent.
    job: Option<String>,
}

/// One log file with its contents.
#[derive(Serialize)]
struct Log {
    job: String,
    leg: usize,
    leg_name: String,
    attempt: u32,
    /// None for the job leg's own messages.
    step: Option<usize>,
    /// The step's name; None for the job leg's own messages.
    name: Option<String>,
    text: String,
}

/// `GET /api/runs?limit=N`: the newest recorded runs, and the queued runs
/// waiting or running.
pub async fn runs(
    State(state): State<ApiState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let limit = query.map_err(query_error)?.limit();
    blocking(move || {
        let runs = open_store(&state)?.runs(limit).map_err(|e| ApiError::internal(&e))?;
        let queued = state
            .queue
            .runs_in(RunState::Queued)
            .map_err(|e| ApiError::internal(&e))?;
        let running = state
            .queue
            .runs_in(RunState::Running)
            .map_err(|e| ApiError::internal(&e))?;
        Ok(Json(json!({"runs": runs, "queued": queued, "running": running})))
    })
    .await
}

/// `GET /api/runs/{id}`: a run with its job legs and steps.
pub async fn run(State(state): State<ApiState>, id: Result<Path<i64>, PathRejection>) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    blocking(move || {
        let detail = find_run(&state, id)?;
        serde_json::to_value(detail)
            .map(Json)
            .map_err(|e| ApiError::internal(&e))
    })
    .await
}

/// `GET /api/runs/{id}/logs?job=NAME`: every log file of the run (or of
/// the legs `job` names), in the order `mlci show` lists them.
pub async fn logs(
    State(state): State<ApiState>,
    id: Result<Path<i64>, PathRejection>,
    query: Result<Query<LogsQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let Query(query) = query.map_err(query_error)?;
    blocking(move || {
        let detail = find_run(&state, id)?;
        if let Some(job) = &query.job {
            if detail.legs(Some(job)).is_empty() {
                return Err(ApiError::not_found(format!("run {id} has no job `{job}`")));
            }
        }
        let logs = detail
            .log_files(&state.config.store, query.job.as_deref())
            .into_iter()
            .map(read_log)
            .collect::<Result<Vec<Log>, ApiError>>()?;
        Ok(Json(json!({"logs": logs})))
    })
    .await
}

/// `GET /api/events?limit=N`: the newest events received, with what
/// intake made of them.
pub async fn events(
    State(state): State<ApiState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let limit = query.map_err(query_error)?.limit();
    blocking(move || {
        let events = state.queue.events(limit).map_err(|e| ApiError::internal(&e))?;
        Ok(Json(json!({"events": events})))
    })
    .await
}

fn open_store(state: &ApiState) -> Result<Store, ApiError> {
    Store::open(&state.config.store).map_err(|e| ApiError::internal(&e))
}

fn find_run(state: &ApiState, id: i64) -> Result<crate::store::RunDetail, ApiError> {
    open_store(state)?
        .run(id)
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| ApiError::not_found(format!("no run {id} in the store")))
}

fn read_log(file: LogFile) -> Result<Log, ApiError> {
    let text = match std::fs::read(&file.path) {
        // Marks are for the web view; the text is what the steps printed.
        Ok(bytes) => String::from_utf8_lossy(&as_text(&bytes)).into_owned(),
        // A step that started but has not written yet has no file.
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            let message = format!("failed to read the log {}: {e}", file.path.display());
            return Err(ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, message));
        }
    };
    Ok(Log {
        job: file.job,
        leg: file.leg,
        leg_name: file.leg_name,
        attempt: file.attempt,
        step: file.step,
        name: file.step_name,
        text,
    })
}

fn query_error(rejection: QueryRejection) -> ApiError {
    ApiError::new(rejection.status(), rejection.body_text())
}
