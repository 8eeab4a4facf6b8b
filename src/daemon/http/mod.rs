//! The daemon's HTTP endpoint (docs/runner.md, "The HTTP endpoint"):
//!
//! - `POST /hooks/github`, `POST /hooks/gitea`: signed forge webhooks
//!   ([`webhook`]), read into queue events ([`forge_event`]);
//! - `POST /api/dispatch`: a `workflow_dispatch` with inputs ([`dispatch`]);
//! - `GET /api/runs`, `/api/runs/{id}`, `/api/runs/{id}/logs`,
//!   `/api/events`: the read API ([`read_api`]);
//! - `GET /`, `/runs/…`, `/metrics`, …: the web view ([`crate::ui`]).
//!
//! Every event is in the queue before its request is answered; the
//! endpoint only stores and wakes intake, it never runs anything itself.
//! `/api/*` takes the runner's API token when it has one ([`auth`]).
//! Every answer is JSON; a refusal is `{"error": "..."}`.

mod auth;
mod dispatch;
mod error;
mod forge_event;
mod guarded;
mod read_api;
mod signature;
mod webhook;

pub use webhook::MAX_BODY;

use crate::daemon::config::RunnerConfig;
use crate::daemon::queue::Queue;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use error::ApiError;
use guarded::{GuardedListener, MAX_CONNECTIONS, REQUEST_TIMEOUT};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What every request handler shares.
#[derive(Clone)]
pub struct ApiState {
    pub config: Arc<RunnerConfig>,
    pub queue: Arc<Queue>,
    /// Woken after an event is stored, so intake looks at once.
    pub wake: Arc<Notify>,
}

/// The endpoint's routes.
pub fn router(state: ApiState) -> Router {
    let api = Router::new()
        .route("/api/dispatch", post(dispatch::dispatch))
        .route("/api/runs", get(read_api::runs))
        .route("/api/runs/{id}", get(read_api::run))
        .route("/api/runs/{id}/logs", get(read_api::logs))
        .route("/api/events", get(read_api::events))
        .route_layer(from_fn_with_state(state.clone(), auth::require_token));
    Router::new()
        .route("/hooks/github", post(webhook::github))
        .route("/hooks/gitea", post(webhook::gitea))
        .merge(api)
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this endpoint does not take that method",
            )
        })
        .with_state(state.clone())
        // The web view (docs/ui.md) at `/`, under the same token rule.
        .merge(crate::ui::router(crate::ui::UiState::new(
            state.config.store.clone(),
            state
                .config
                .api_token
                .as_ref()
                .map(|t| crate::ui::UiToken::new(t.expose())),
        )))
}

/// How long requests still in flight at shutdown may take to finish. A
/// client that stalls mid-body must not hold the daemon's exit hostage.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves until `shutdown` is cancelled (graceful: in-flight requests
/// finish, for up to ten seconds), guarded against slow clients.
pub async fn serve(listener: TcpListener, state: ApiState, shutdown: CancellationToken) -> std::io::Result<()> {
    serve_guarded(listener, state, shutdown, MAX_CONNECTIONS, REQUEST_TIMEOUT).await
}

async fn serve_guarded(
    listener: TcpListener,
    state: ApiState,
    shutdown: CancellationToken,
    limit: usize,
    timeout: Duration,
) -> std::io::Result<()> {
    let listener = GuardedListener::new(listener, limit, timeout);
    let stop = shutdown.clone();
    let server =
        axum::serve(listener, router(state)).with_graceful_shutdown(async move { stop.cancelled_owned().await });
    tokio::select! {
        served = server => served,
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => Ok(()),
    }
}

#[cfg(test)]
#[path = "api_tests.rs"]
mod api_tests;
#[cfg(test)]
mod test_server;
#[cfg(test)]
#[path = "webhook_tests.rs"]
mod webhook_tests;
