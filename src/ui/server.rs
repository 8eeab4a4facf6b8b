//! The web view's routes and its server for `mlci ui`; the daemon merges
//! the same [`router`] into its own endpoint.

use super::auth::{require_token, UiToken};
use super::error::PageError;
use super::log_index::LogIndexes;
use super::{artifacts, assets, live, log_page, metrics_page, run_page, runs_page};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What every page handler shares.
#[derive(Clone)]
pub struct UiState {
    /// The run store shown.
    pub store: PathBuf,
    /// When set, every request shows it (off loopback).
    pub token: Option<UiToken>,
    /// Line offsets of the logs opened so far, so a page of a long log is
    /// read without reading the lines before it.
    pub(crate) logs: Arc<LogIndexes>,
}

impl UiState {
    pub fn new(store: PathBuf, token: Option<UiToken>) -> UiState {
        UiState {
            store,
            token,
            logs: Arc::new(LogIndexes::default()),
        }
    }
}

/// The pages, their live feeds and the built-in assets; all GET. It has no
/// fallback of its own, so a server that has one (the daemon's) can merge it.
pub fn router(state: UiState) -> Router {
    Router::new()
        .route("/", get(runs_page::page))
        .route("/runs/{id}", get(run_page::page))
        .route("/runs/{id}/log", get(log_page::page))
        .route("/runs/{id}/artifacts/{name}", get(artifacts::download))
        .route("/metrics", get(metrics_page::page))
        .route("/compare", get(metrics_page::compare))
        .route("/live/runs", get(live::runs))
        .route("/live/runs/{id}", get(live::run))
        .route("/live/log/{id}", get(live::log))
        .route("/static/{file}", get(assets::file))
        .route_layer(from_fn_with_state(state.clone(), require_token))
        .with_state(state)
}

/// Serves the web view until `shutdown` is cancelled.
pub async fn serve(listener: TcpListener, state: UiState, shutdown: CancellationToken) -> std::io::Result<()> {
    let app = router(state).fallback(|| async { PageError::not_found("no such page") });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled_owned().await })
        .await
}
