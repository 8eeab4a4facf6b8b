//! The kinds of value `runner.yml` holds: paths, secret files, counts,
//! durations, addresses and URLs. Each reports its own mistake at the value
//! and returns None.

use super::load::ConfigReader;
use super::{parse_duration, Secret};
use crate::load::Node;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

impl ConfigReader {
    /// A path, made absolute from the configuration file's folder.
    pub fn path(&mut self, node: &Node, what: &str) -> Option<PathBuf> {
        let text = self.reader.non_empty_text(node, what)?;
        Some(resolve(&self.dir, Path::new(&text.value)))
    }

    /// The contents of the file a `*_file:` key names, without the trailing
    /// newline editors add. Errors name the file, never what it holds.
    pub fn secret_file(&mut self, node: &Node, what: &str) -> Option<Secret> {
        let path = self.path(node, what)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                self.error(node.span, format!("failed to read {what} {}: {e}", path.display()));
                return None;
            }
        };
        let value = text.trim_end_matches(['\n', '\r']);
        if value.is_empty() {
            self.error(node.span, format!("{what} {} is empty", path.display()));
            return None;
        }
        Some(Secret::new(value))
    }

    /// A whole number of at least 1.
    pub fn positive_integer(&mut self, node: &Node, what: &str) -> Option<usize> {
        let scalar = node.as_scalar();
        let number = scalar.and_then(|s| s.as_number());
        match number {
            Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Some(n as usize),
            Some(_) => {
                let text = scalar.map_or("", |s| s.text.as_str());
                self.error(
                    node.span,
                    format!("{what} must be a whole number of at least 1, but it is {text}"),
                );
                None
            }
            None => {
                self.error(
                    node.span,
                    format!(
                        "{what} must be a whole number of at least 1, but it is {}",
                        node.kind_name()
                    ),
                );
                None
            }
        }
    }

    /// `90s`, `5m`, `1h30m` or a number of seconds; `positive` refuses 0.
    pub fn duration(&mut self, node: &Node, what: &str, positive: bool) -> Option<Duration> {
        let text = self.reader.text(node, what)?;
        match parse_duration(&text.value) {
            Some(d) if positive && d.is_zero() => {
                self.error(node.span, format!("{what} must be longer than 0 seconds"));
                None
            }
            Some(d) => Some(d),
            None => {
                self.error(
                    node.span,
                    format!(
                        "{what} must be a duration such as 90s, 5m, 2h or 1h30m, or a number of seconds, but it is `{}`",
                        text.value
                    ),
                );
                None
            }
        }
    }

    /// `IP:PORT`, `[IPv6]:PORT` or `localhost:PORT`.
    pub fn listen(&mut self, node: &Node) -> Option<SocketAddr> {
        let text = self.reader.non_empty_text(node, "`listen:`")?;
        let value = text.value.trim();
        let address = match value.strip_prefix("localhost:") {
            Some(port) => port
                .parse()
                .ok()
                .map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port))),
            None => value.parse().ok(),
        };
        if address.is_none() {
            self.error(
                node.span,
                format!("`listen:` must be an address and port such as 127.0.0.1:8080, but it is `{value}`"),
            );
        }
        address
    }

    /// A URL with one of `schemes` (`"https"`, …), as written.
    pub fn url(&mut self, node: &Node, what: &str, schemes: &[&str]) -> Option<String> {
        let text = self.reader.non_empty_text(node, what)?;
        let value = text.value.trim();
        let scheme_ok = value
            .split_once("://")
            .is_some_and(|(scheme, rest)| !rest.is_empty() && schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)));
        if !scheme_ok {
            let wanted: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
            self.error(
                node.span,
                format!("{what} must be a {} URL, but it is `{value}`", or_list(&wanted)),
            );
            return None;
        }
        Some(value.to_string())
    }
}

/// `path` from `dir` when relative, without `.` components.
fn resolve(dir: &Path, path: &Path) -> PathBuf {
    dir.join(path)
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect()
}

/// `a`, `a or b`, `a, b or c`.
pub(super) fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
