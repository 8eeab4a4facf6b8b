//! The token rule of the daemon's API, for pages a browser opens: off
//! loopback a request must show the token — as `Authorization: Bearer`,
//! or the `mlci_token` cookie that `?token=…` sets once (then the address
//! bar and the history lose it by a redirect).

use super::server::UiState;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A token the pages require. Compared in constant time.
#[derive(Clone)]
pub struct UiToken(String);

impl UiToken {
    pub fn new(token: impl Into<String>) -> UiToken {
        UiToken(token.into())
    }

    fn matches(&self, given: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

const COOKIE_NAME: &str = "mlci_token";

pub async fn require_token(State(state): State<UiState>, request: Request, next: Next) -> Response {
    let Some(token) = &state.token else {
        return next.run(request).await;
    };
    let headers = request.headers();
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string());
    let cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string());
    if bearer.or(cookie).is_some_and(|t| token.matches(&t)) {
        return next.run(request).await;
    }
    let uri = request.uri();
    let from_query = uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "token")
            .map(|(_, value)| value.to_string())
    });
    if from_query.is_some_and(|t| token.matches(&t)) {
        // Keep the other query parameters; drop the token from the address.
        let rest: Vec<&str> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.starts_with("token="))
            .collect();
        let target = if rest.is_empty() {
            uri.path().to_string()
        } else {
            format!("{}?{}", uri.path(), rest.join("&"))
        };
        let cookie = format!("{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Strict", token.0);
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let (Ok(location), Ok(cookie)) = (HeaderValue::from_str(&target), HeaderValue::from_str(&cookie)) {
            response.headers_mut().insert(LOCATION, location);
            response.headers_mut().insert(SET_COOKIE, cookie);
            return response;
        }
    }
    let mut response = super::html::page_response(
        "token needed",
        "<p class=\"error\">This runner's pages need its API token: open them once with \
         <code>?token=…</code> (a cookie keeps it), or send <code>Authorization: Bearer …</code>.</p>",
    );
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}
