//! The HTTP side of reporting: a commit status for GitHub or Gitea, a
//! Slack-compatible notification, and what an answer means for retrying.

use super::status::CommitStatus;
use crate::daemon::config::{Forge, Secret, StatusConfig};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const USER_AGENT: &str = concat!("mlci/", env!("CARGO_PKG_VERSION"));

/// One POST to make, with its JSON body.
pub struct Request {
    pub url: String,
    /// The whole `Authorization` header value, token included.
    pub authorization: Option<Secret>,
    pub accept: &'static str,
    pub body: Value,
}

/// What came of one attempt.
pub enum Sent {
    Delivered,
    /// Worth another try: the forge could not be reached, failed (5xx) or
    /// asked to slow down (429).
    Failed(String),
    /// Another try would get the same answer (4xx other than 429).
    Refused(String),
}

/// The client every delivery shares: mlci's User-Agent (GitHub refuses
/// requests without one) and timeouts so that a hung forge is a failed
/// attempt rather than a stuck queue.
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(describe)
}

/// `POST {api_url}/repos/{slug}/statuses/{sha}`: the same path and body on
/// GitHub and Gitea; only the token's header differs.
pub fn status_request(
    config: &StatusConfig,
    slug: &str,
    sha: &str,
    status: &CommitStatus,
    target_url: Option<&str>,
) -> Request {
    let (scheme, accept) = match config.forge {
        Forge::Github => ("Bearer", "application/vnd.github+json"),
        Forge::Gitea => ("token", "application/json"),
    };
    let mut body = json!({
        "state": status.state,
        "description": status.description,
        "context": status.context,
    });
    if let Some(url) = target_url {
        body["target_url"] = json!(url);
    }
    Request {
        url: format!("{}/repos/{slug}/statuses/{sha}", config.api_url.trim_end_matches('/')),
        authorization: Some(Secret::new(format!("{scheme} {}", config.token.expose()))),
        accept,
        body,
    }
}

/// A Slack-compatible incoming webhook: `{"text": …}`, no token (the URL is
/// the credential, which is why log lines name only its host).
pub fn notify_request(url: &str, text: &str) -> Request {
    Request {
        url: url.to_string(),
        authorization: None,
        accept: "application/json",
        body: json!({ "text": text }),
    }
}

/// The host a URL points at, for log lines that must not show the URL.
pub fn host(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "an invalid URL".to_string())
}

/// Makes one attempt.
pub async fn send(client: &reqwest::Client, request: &Request) -> Sent {
    let mut builder = client
        .post(&request.url)
        .header(ACCEPT, request.accept)
        .json(&request.body);
    if let Some(authorization) = &request.authorization {
        let Ok(mut value) = HeaderValue::from_str(authorization.expose()) else {
            return Sent::Refused("the token is not a valid header value".to_string());
        };
        // Keeps the value out of hyper's and reqwest's own Debug output.
        value.set_sensitive(true);
        builder = builder.header(AUTHORIZATION, value);
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(e) if e.is_builder() => return Sent::Refused(describe(e)),
        Err(e) => return Sent::Failed(describe(e)),
    };
    let status = response.status();
    if status.is_success() {
        return Sent::Delivered;
    }
    let answer = answer(status, response.text().await.unwrap_or_default());
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        Sent::Failed(answer)
    } else {
        Sent::Refused(answer)
    }
}

/// `404 Not Found: <the forge's message>`: GitHub and Gitea explain a
/// refusal in a `message` field (an unknown commit, a token without the
/// scope); other bodies are left out, they may be whole HTML pages.
fn answer(status: StatusCode, body: String) -> String {
    let message = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string));
    match message {
        Some(message) => format!("{status}: {}", message.chars().take(200).collect::<String>()),
        None => status.to_string(),
    }
}

/// A reqwest error and its causes on one line, without the URL (a
/// notification webhook's URL is itself a credential).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
