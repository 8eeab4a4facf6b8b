//! A page that could not be made: its status and a message, shown as a
//! small HTML page (escaped like everything else).

use super::html::{escape, page_response};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn not_found(message: impl Into<String>) -> PageError {
        PageError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> PageError {
        PageError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// A failure reading the store or a file; the message keeps its causes.
    pub fn internal(error: &dyn std::error::Error) -> PageError {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::warn!(error = %message, "web view: a page failed");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message,
        }
    }

    pub fn text(message: impl Into<String>) -> PageError {
        let message = message.into();
        tracing::warn!(error = %message, "web view: a page failed");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = format!("<p class=\"error\">{}</p>", escape(&self.message));
        let mut response = page_response("error", &body);
        *response.status_mut() = self.status;
        response
    }
}

/// Runs blocking store work (SQLite, log files) off the async workers.
pub async fn blocking<T, F>(work: F) -> Result<T, PageError>
where
    F: FnOnce() -> Result<T, PageError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|join| PageError::internal(&join))?
}
