//! Reaching the Docker Engine: `DOCKER_HOST` (unix:// or tcp://) or the
//! default socket, pinged and version-negotiated before anything runs. No
//! silent fallback: when the engine does not answer, the error names the
//! address that was tried and where it came from.

use super::{names, DockerBackend};
use crate::backend::BackendError;
use bollard::{Docker, API_DEFAULT_VERSION};
use std::sync::Arc;
use std::time::Duration;

/// Docker's own default.
pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";

/// How long a request may wait for the engine's answer (its headers; a
/// stream may then run for as long as the step runs).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the first ping may take before the engine counts as down.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the address came from, for the error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressSource {
    /// The `DOCKER_HOST` environment variable.
    DockerHost,
    /// Docker's default socket, as `DOCKER_HOST` is not set.
    Default,
}

impl DockerBackend {
    /// Connects to `DOCKER_HOST`, else to the default socket.
    pub async fn connect() -> Result<DockerBackend, BackendError> {
        match std::env::var("DOCKER_HOST") {
            Ok(host) if !host.is_empty() => DockerBackend::connect_to(&host, AddressSource::DockerHost).await,
            _ => DockerBackend::connect_to(DEFAULT_SOCKET, AddressSource::Default).await,
        }
    }

    /// Connects to `address` (`unix:///path` or `tcp://host:port`), pings
    /// the engine and settles on the API version both sides speak.
    pub async fn connect_to(address: &str, source: AddressSource) -> Result<DockerBackend, BackendError> {
        let unreachable = |cause: String| {
            let origin = match source {
                AddressSource::DockerHost => "from DOCKER_HOST",
                AddressSource::Default => "DOCKER_HOST is not set",
            };
            BackendError::Unreachable(format!(
                "cannot reach the Docker Engine at {address} ({origin}): {cause}. Start Docker, or set DOCKER_HOST; \
                 use --backend host to run steps on this machine instead."
            ))
        };
        let docker = client(address).map_err(unreachable)?;
        let docker = match tokio::time::timeout(PING_TIMEOUT, handshake(docker)).await {
            Ok(Ok(docker)) => docker,
            Ok(Err(e)) => return Err(unreachable(with_causes(&e))),
            Err(_) => return Err(unreachable(format!("no answer within {} s", PING_TIMEOUT.as_secs()))),
        };
        Ok(DockerBackend {
            docker,
            endpoint: Arc::from(address),
            host: Arc::from(names::host_name()),
        })
    }

    /// The address of the engine, as given (`unix:///var/run/docker.sock`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

/// A client for `address`; nothing is sent yet.
fn client(address: &str) -> Result<Docker, String> {
    let timeout = REQUEST_TIMEOUT.as_secs();
    let docker = if let Some(path) = address.strip_prefix("unix://") {
        if !std::path::Path::new(path).exists() {
            return Err(format!("{path} does not exist"));
        }
        Docker::connect_with_unix(address, timeout, API_DEFAULT_VERSION)
    } else if address.starts_with("tcp://") || address.starts_with("http://") {
        Docker::connect_with_http(address, timeout, API_DEFAULT_VERSION)
    } else {
        return Err("mlci speaks to the engine over unix:// and tcp:// addresses only".to_string());
    };
    docker.map_err(|e| e.to_string())
}

/// An error and its sources (`client error (Connect): Permission denied`):
/// the client's own message rarely says what went wrong.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Ping, then lower the client's API version to the engine's if it is older
/// (Docker 20.10 speaks 1.41; bollard starts from a newer one).
async fn handshake(docker: Docker) -> Result<Docker, bollard::errors::Error> {
    docker.ping().await?;
    docker.negotiate_version().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn missing_socket_is_unreachable_and_named() {
        let err = DockerBackend::connect_to("unix:///nonexistent.sock", AddressSource::DockerHost)
            .await
            .err()
            .unwrap();
        assert_eq!(
            err,
            BackendError::Unreachable(
                "cannot reach the Docker Engine at unix:///nonexistent.sock (from DOCKER_HOST): /nonexistent.sock \
                 does not exist. Start Docker, or set DOCKER_HOST; use --backend host to run steps on this machine \
                 instead."
                    .into()
            )
        );
    }

    #[tokio::test]
    async fn refused_tcp_port_is_unreachable_and_says_default_when_not_from_env() {
        // Port 1 on localhost: nothing listens there.
        let err = DockerBackend::connect_to("tcp://127.0.0.1:1", AddressSource::Default)
            .await
            .err()
            .unwrap();
        let BackendError::Unreachable(message) = err else {
            panic!("expected Unreachable, got {err:?}");
        };
        assert!(
            message.starts_with("cannot reach the Docker Engine at tcp://127.0.0.1:1 (DOCKER_HOST is not set): "),
            "{message}"
        );
        assert!(
            message.ends_with("use --backend host to run steps on this machine instead."),
            "{message}"
        );
    }

    #[tokio::test]
    async fn unsupported_scheme_is_refused() {
        let err = DockerBackend::connect_to("ssh://box", AddressSource::DockerHost)
            .await
            .err()
            .unwrap();
        assert_eq!(
            err,
            BackendError::Unreachable(
                "cannot reach the Docker Engine at ssh://box (from DOCKER_HOST): mlci speaks to the engine over \
                 unix:// and tcp:// addresses only. Start Docker, or set DOCKER_HOST; use --backend host to run \
                 steps on this machine instead."
                    .into()
            )
        );
    }
}
