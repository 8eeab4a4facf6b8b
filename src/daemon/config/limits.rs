//! `limits:`: what each job container (and service) of the daemon may use,
//! and `allow:` of a repository: the ways out of the container it may take.
//! See [`crate::backend::options::policy`] for what they guard against.

use super::load::ConfigReader;
use crate::backend::options::parse_bytes;
use crate::backend::options::policy::{Allowance, ContainerLimits};
use crate::load::Node;

const KEYS: &[&str] = &["pids", "memory"];
/// Enough for any build or data loader; a fork bomb stops here.
pub(super) const DEFAULT_PIDS: i64 = 4096;
/// A runaway job is killed inside its container, by its own cgroup, before
/// the kernel has to pick a victim on the host (the daemon, dockerd).
pub(super) const DEFAULT_MEMORY_PERCENT: f64 = 90.0;

impl ConfigReader {
    /// The limits, with the defaults for what `limits:` leaves out.
    pub fn limits(&mut self, node: Option<&Node>) -> ContainerLimits {
        let mapping = node
            .filter(|n| !n.is_null())
            .and_then(|n| self.reader.mapping(n, "`limits:`"));
        if let Some(m) = mapping {
            self.reader.check_keys(m, KEYS, "`limits:`");
        }
        let pids = match mapping.and_then(|m| m.get("pids")) {
            Some(node) if is_none(node) => None,
            Some(node) => self.positive_integer(node, "`pids:` of `limits:`").map(|n| n as i64),
            None => Some(DEFAULT_PIDS),
        };
        let memory = match mapping.and_then(|m| m.get("memory")) {
            Some(node) if is_none(node) => None,
            Some(node) => self.memory(node),
            None => share_of_host_memory(DEFAULT_MEMORY_PERCENT),
        };
        ContainerLimits { pids, memory }
    }

    /// `16g`, `512m`, or `80%` of the host's memory.
    fn memory(&mut self, node: &Node) -> Option<i64> {
        let text = self.reader.non_empty_text(node, "`memory:` of `limits:`")?;
        let value = text.value.trim();
        let parsed = match value.strip_suffix('%') {
            Some(percent) => match percent.trim().parse::<f64>() {
                Ok(p) if p > 0.0 && p <= 100.0 => Ok(share_of_host_memory(p)),
                _ => Err(()),
            },
            None => parse_bytes(value).filter(|&b| b >= 6 << 20).map(Some).ok_or(()),
        };
        parsed.unwrap_or_else(|()| {
            self.error(
                node.span,
                format!("`memory:` of `limits:` must be a size of at least 6m such as 16g, a share of the host's memory such as 80%, or `none`, but it is `{value}`"),
            );
            None
        })
    }

    /// `allow:` of a repository.
    pub fn allowances(&mut self, node: &Node, what: &str) -> Vec<Allowance> {
        let mut allow = Vec::new();
        for word in self.reader.text_list(node, &format!("`allow:` of {what}")) {
            match Allowance::from_key(word.value.trim()) {
                Some(a) if !allow.contains(&a) => allow.push(a),
                Some(_) => {}
                None => {
                    let known: Vec<&str> = Allowance::ALL.iter().map(|a| a.key()).collect();
                    self.error(
                        word.span,
                        format!(
                            "`allow:` of {what}: `{}` is not one of {}",
                            word.value,
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        allow
    }
}

fn is_none(node: &Node) -> bool {
    node.as_scalar().is_some_and(|s| s.text == "none")
}

/// `percent` of the host's physical memory, in bytes; None (no limit) where
/// `/proc/meminfo` cannot be read.
fn share_of_host_memory(percent: f64) -> Option<i64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: f64 = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some((kib * 1024.0 * percent / 100.0) as i64)
}
