//! `ports:` entries in Docker CLI form, and the host ports Docker picked.

use crate::backend::BackendError;
use bollard::models::{PortBinding, PortMap};
use std::collections::{BTreeMap, HashMap};

/// The exposed ports (`8000/tcp`) and their bindings for a container's
/// `ports:` list. A bare container port is published to a random host port,
/// as `docker run -p 8000` does.
pub(super) fn publish(ports: &[String]) -> Result<(Vec<String>, PortMap), BackendError> {
    let mut exposed = Vec::new();
    let mut bindings: PortMap = HashMap::new();
    for entry in ports {
        let (key, binding) = parse(entry)?;
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(binding);
    }
    Ok((exposed, bindings))
}

/// `[[IP:]HOST:]CONTAINER[/PROTO]` → (`CONTAINER/PROTO`, binding).
fn parse(entry: &str) -> Result<(String, PortBinding), BackendError> {
    let bad = |why: &str| BackendError::Other(format!("invalid port `{entry}`: {why}"));
    let (addr, proto) = match entry.trim().rsplit_once('/') {
        Some((addr, proto)) => (addr, proto),
        None => (entry.trim(), "tcp"),
    };
    if !matches!(proto, "tcp" | "udp" | "sctp") {
        return Err(bad("the protocol must be tcp, udp or sctp"));
    }
    let mut parts = addr.rsplitn(3, ':');
    let container = parts.next().unwrap_or_default();
    let host_port = parts.next().unwrap_or_default();
    let host_ip = parts
        .next()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if container.contains('-') || host_port.contains('-') {
        return Err(bad("port ranges are not supported; list each port"));
    }
    if !is_port(container) {
        return Err(bad("the container port must be a number from 1 to 65535"));
    }
    if !host_port.is_empty() && !is_port(host_port) {
        return Err(bad("the host port must be a number from 1 to 65535"));
    }
    let binding = PortBinding {
        host_ip: Some(host_ip.to_string()),
        host_port: Some(host_port.to_string()),
    };
    Ok((format!("{container}/{proto}"), binding))
}

fn is_port(text: &str) -> bool {
    text.parse::<u16>().is_ok_and(|p| p > 0)
}

/// `{"8000": "49153"}` from an inspected container's ports: the container
/// port without its protocol (as GitHub's `job.services.<id>.ports` has it)
/// to the first host port it is published on.
pub(super) fn published(ports: Option<&PortMap>) -> BTreeMap<u16, String> {
    let mut out = BTreeMap::new();
    for (key, bindings) in ports.into_iter().flatten() {
        let Some(port) = key.split('/').next().and_then(|p| p.parse::<u16>().ok()) else {
            continue;
        };
        let host = bindings
            .iter()
            .flatten()
            .find_map(|b| b.host_port.clone().filter(|p| !p.is_empty()));
        if let Some(host) = host {
            // tcp first: a port published for both keeps its tcp mapping.
            if key.ends_with("/tcp") || !out.contains_key(&port) {
                out.insert(port, host);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(ip: &str, port: &str) -> PortBinding {
        PortBinding {
            host_ip: Some(ip.into()),
            host_port: Some(port.into()),
        }
    }

    #[test]
    fn bare_port_is_published_to_a_random_host_port() {
        let (exposed, map) = publish(&["8000".into()]).unwrap();
        assert_eq!(exposed, ["8000/tcp"]);
        assert_eq!(map["8000/tcp"], Some(vec![binding("", "")]));
    }

    #[test]
    fn host_ip_and_protocol_forms() {
        let entries = ["8080:80".into(), "127.0.0.1:5353:53/udp".into(), "[::1]::9000".into()];
        let (exposed, map) = publish(&entries).unwrap();
        assert_eq!(exposed, ["80/tcp", "53/udp", "9000/tcp"]);
        assert_eq!(map["80/tcp"], Some(vec![binding("", "8080")]));
        assert_eq!(map["53/udp"], Some(vec![binding("127.0.0.1", "5353")]));
        assert_eq!(map["9000/tcp"], Some(vec![binding("::1", "")]));
    }

    #[test]
    fn one_container_port_on_two_host_ports() {
        let (exposed, map) = publish(&["1:80".into(), "2:80".into()]).unwrap();
        assert_eq!(exposed, ["80/tcp"]);
        assert_eq!(map["80/tcp"], Some(vec![binding("", "1"), binding("", "2")]));
    }

    #[test]
    fn bad_ports_say_why() {
        let err = |p: &str| publish(&[p.into()]).unwrap_err().to_string();
        assert_eq!(
            err("http"),
            "invalid port `http`: the container port must be a number from 1 to 65535"
        );
        assert_eq!(
            err("70000"),
            "invalid port `70000`: the container port must be a number from 1 to 65535"
        );
        assert_eq!(
            err("x:80"),
            "invalid port `x:80`: the host port must be a number from 1 to 65535"
        );
        assert_eq!(
            err("80/icmp"),
            "invalid port `80/icmp`: the protocol must be tcp, udp or sctp"
        );
        assert_eq!(
            err("8000-8001"),
            "invalid port `8000-8001`: port ranges are not supported; list each port"
        );
    }

    #[test]
    fn published_ports_by_container_port() {
        let map: PortMap = HashMap::from([
            (
                "8000/tcp".to_string(),
                Some(vec![binding("0.0.0.0", "49153"), binding("::", "49153")]),
            ),
            ("53/udp".to_string(), Some(vec![binding("0.0.0.0", "49154")])),
            ("53/tcp".to_string(), Some(vec![binding("0.0.0.0", "49155")])),
            ("9000/tcp".to_string(), None),
        ]);
        let ports = published(Some(&map));
        assert_eq!(
            ports,
            BTreeMap::from([(53, "49155".to_string()), (8000, "49153".to_string())])
        );
        assert!(published(None).is_empty());
    }
}
