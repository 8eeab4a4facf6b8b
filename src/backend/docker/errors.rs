//! Turning the Docker client's errors into [`BackendError`]s that say what
//! mlci was doing when the engine refused.

use crate::backend::BackendError;
use bollard::errors::Error;

/// `failed to <what>: <the engine's message>`.
pub(super) fn failed(what: &str, error: Error) -> BackendError {
    BackendError::Other(format!("failed to {what}: {}", engine_message(&error)))
}

/// The engine's own message where it sent one (it names the container or
/// image), else the client's error.
pub(super) fn engine_message(error: &Error) -> String {
    match error {
        Error::DockerResponseServerError { message, .. } => message.trim().to_string(),
        other => other.to_string(),
    }
}

/// Whether the engine answered 404: the thing is already gone.
pub(super) fn is_not_found(error: &Error) -> bool {
    matches!(error, Error::DockerResponseServerError { status_code: 404, .. })
}
