//! `POST /hooks/github` and `POST /hooks/gitea`: a forge's delivery is
//! refused unless signed with the webhook secret, read into an event and
//! stored before it is acknowledged. A redelivery (the same delivery id)
//! is acknowledged and stores nothing, so it runs once.

use super::error::{blocking, ApiError};
use super::forge_event::{read_delivery, Delivery};
use super::signature::signature_matches;
use super::ApiState;
use crate::daemon::config::Forge;
use crate::daemon::queue::Pushed;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde_json::json;
use tracing::info;

/// The largest body accepted: GitHub caps its payloads at 25 MiB.
pub const MAX_BODY: usize = 25 * 1024 * 1024;

/// Where a forge puts its signature and event name.
struct Headers {
    forge: Forge,
    signature: &'static str,
    /// What precedes the hex digest in the signature header.
    prefix: &'static str,
    event: &'static str,
    /// The delivery's id: the same on a redelivery.
    delivery: &'static str,
}

const GITHUB: Headers = Headers {
    forge: Forge::Github,
    signature: "X-Hub-Signature-256",
    prefix: "sha256=",
    event: "X-GitHub-Event",
    delivery: "X-GitHub-Delivery",
};

const GITEA: Headers = Headers {
    forge: Forge::Gitea,
    signature: "X-Gitea-Signature",
    prefix: "",
    event: "X-Gitea-Event",
    delivery: "X-Gitea-Delivery",
};

pub async fn github(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    receive(&state, &GITHUB, &headers, body).await
}

pub async fn gitea(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    receive(&state, &GITEA, &headers, body).await
}

async fn receive(state: &ApiState, expected: &Headers, headers: &HeaderMap, body: Body) -> Result<Response, ApiError> {
    let Some(secret) = state.config.webhook_secret.clone() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "webhooks need webhook_secret_file in the runner config",
        ));
    };
    // A declared length over the cap is refused before a byte of the body is read.
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY as u64) {
        return Err(too_large());
    }
    let body = read_capped(body).await?;

    let signature = header(headers, expected.signature)
        .ok_or_else(|| ApiError::unauthorized(format!("the request has no {} header", expected.signature)))?;
    let hex = signature.strip_prefix(expected.prefix).unwrap_or("");
    if !signature_matches(secret.expose(), &body, hex) {
        return Err(ApiError::unauthorized(format!(
            "the {} signature does not match the body signed with the runner's webhook secret",
            expected.signature
        )));
    }

    if header(headers, CONTENT_TYPE.as_str()).is_some_and(|t| t.starts_with("application/x-www-form-urlencoded")) {
        return Err(ApiError::bad_request(
            "the webhook sends a form; set its content type to application/json",
        ));
    }
    let event = header(headers, expected.event)
        .ok_or_else(|| ApiError::bad_request(format!("the request has no {} header", expected.event)))?;
    match read_delivery(expected.forge, event, &body, &state.config.repos)? {
        Delivery::Ping => Ok(Json(json!({"ok": true})).into_response()),
        Delivery::Ignored(name) => Ok((
            StatusCode::ACCEPTED,
            Json(json!({"ignored": format!("the {name} event starts no runs")})),
        )
            .into_response()),
        Delivery::Event(event) => {
            let queue = state.queue.clone();
            let delivery = header(headers, expected.delivery).map(str::to_string);
            let (repo, name, git_ref) = (event.repo.clone(), event.name.clone(), event.git_ref.clone());
            let id_of_delivery = delivery.clone();
            let pushed = blocking(move || {
                match &id_of_delivery {
                    Some(delivery) => queue.push_delivery(&event, delivery),
                    None => queue.push_event(&event).map(Pushed::New),
                }
                .map_err(|e| ApiError::internal(&e))
            })
            .await?;
            let delivery = delivery.unwrap_or_default();
            match pushed {
                Pushed::New(id) => {
                    info!(event_id = id, %delivery, %repo, event = %name, git_ref = ?git_ref, "webhook stored");
                    state.wake.notify_one();
                    Ok((StatusCode::ACCEPTED, Json(json!({"event": id}))).into_response())
                }
                // A redelivery: acknowledged, not run again.
                Pushed::Again(id) => {
                    info!(event_id = id, %delivery, %repo, "webhook delivered again: not stored twice");
                    Ok(Json(json!({"event": id, "duplicate": true})).into_response())
                }
            }
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Reads the body, stopping at the cap whatever the request declared
/// (a chunked body declares nothing).
async fn read_capped(body: Body) -> Result<Bytes, ApiError> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("failed to read the request body: {e}")))?;
        if bytes.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the body is larger than {} MiB, the most a forge sends",
            MAX_BODY / (1024 * 1024)
        ),
    )
}
