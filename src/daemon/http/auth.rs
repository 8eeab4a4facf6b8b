//! The `/api/*` guard: when the runner has an API token (it must when it
//! listens beyond loopback), every request shows it as
//! `Authorization: Bearer <token>`.

use super::error::ApiError;
use super::signature::token_matches;
use super::ApiState;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn require_token(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let Some(token) = &state.config.api_token else {
        return next.run(request).await;
    };
    let given = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer);
    let refusal = match given {
        Some(given) if token_matches(token.expose(), given.trim()) => return next.run(request).await,
        Some(_) => "the bearer token is not the runner's API token",
        None => "this endpoint needs `Authorization: Bearer <token>` with the runner's API token",
    };
    let mut response = ApiError::unauthorized(refusal).into_response();
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
    response
}

/// The token of an `Authorization: Bearer <token>` header; the scheme is
/// case-insensitive (RFC 9110 §11.1), the token is not.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}
