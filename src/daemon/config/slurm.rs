//! `backend:` and `slurm:` in runner.yml, and labels mapped to Slurm. The
//! keys of `slurm:` (and of a label's `slurm:`) are those of `mlci run -P
//! LABEL=slurm:KEY=VALUE,…`, checked by the same code.

use super::load::ConfigReader;
use crate::backend::slurm::{Placement, PLACEMENT_KEYS};
use crate::load::Node;

/// Where the daemon runs jobs whose label does not say otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JobBackend {
    /// In containers (or on the host, for labels mapped to `host`).
    #[default]
    Docker,
    /// Every job as a Slurm job (`backend: slurm`).
    Slurm,
}

impl ConfigReader {
    /// `backend:`: `docker` (the default) or `slurm`.
    pub fn job_backend(&mut self, node: &Node) -> Option<JobBackend> {
        let text = self.reader.non_empty_text(node, "`backend:`")?;
        match text.value.trim() {
            "docker" => Some(JobBackend::Docker),
            "slurm" => Some(JobBackend::Slurm),
            other => {
                self.error(
                    node.span,
                    format!("`backend:` is `docker` or `slurm`, not `{other}` (jobs on this machine: map their labels to `host`)"),
                );
                None
            }
        }
    }

    /// A placement: `slurm:` or a label's `slurm:` (`what`), a mapping of
    /// the `-P LABEL=slurm:` keys; empty (`slurm:` or `slurm: true` in a
    /// label) for the cluster's defaults.
    pub fn slurm_placement(&mut self, node: &Node, what: &str) -> Option<Placement> {
        if node.is_null() || node.as_scalar().and_then(|s| s.as_bool()) == Some(true) {
            return Some(Placement::default());
        }
        let mapping = self.reader.mapping(node, what)?;
        let mut placement = Placement::default();
        let mut valid = true;
        for (key, key_node, value) in mapping.iter() {
            if !PLACEMENT_KEYS.contains(&key) {
                let keys = PLACEMENT_KEYS.join(", ");
                self.error(
                    key_node.span,
                    format!("unknown key `{key}` in {what}; the keys are {keys}"),
                );
                valid = false;
                continue;
            }
            let Some(text) = self.reader.text(value, &format!("`{key}:` of {what}")) else {
                valid = false;
                continue;
            };
            if let Err(e) = placement.set(key, &text.value) {
                self.error(value.span, format!("{what}: {e}"));
                valid = false;
            }
        }
        valid.then_some(placement)
    }
}
