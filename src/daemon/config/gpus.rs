//! `gpus:`: the inventory of devices leased to jobs, as `mlci run --gpus`
//! takes it (`auto`, `none`, `0,1`), or as a YAML list of indexes or UUIDs.

use super::load::ConfigReader;
use crate::exec::gpu::parse_inventory;
use crate::load::{Node, NodeValue};

impl ConfigReader {
    /// The device ids; empty for none. Mistakes are reported at the value
    /// (for a list, at the item), and `auto` fails here when `nvidia-smi`
    /// does.
    pub fn gpu_inventory(&mut self, node: &Node) -> Vec<String> {
        match &node.value {
            _ if node.is_null() => Vec::new(),
            NodeValue::Scalar(_) => {
                let Some(text) = self.reader.text(node, "`gpus:`") else {
                    return Vec::new();
                };
                parse_inventory(&text.value).unwrap_or_else(|e| {
                    self.error(node.span, in_config_terms(&e));
                    Vec::new()
                })
            }
            NodeValue::Sequence(items) => {
                let mut ids: Vec<String> = Vec::new();
                for item in items {
                    let Some(id) = self.reader.non_empty_text(item, "a device in `gpus:`") else {
                        continue;
                    };
                    let id = id.value.trim().to_string();
                    if id.contains(',') {
                        self.error(item.span, format!("a device in `gpus:` is one id, not a list: `{id}`"));
                    } else if ids.contains(&id) {
                        self.error(item.span, format!("`gpus:` names device `{id}` twice"));
                    } else {
                        ids.push(id);
                    }
                }
                ids
            }
            NodeValue::Mapping(_) => {
                self.error(
                    node.span,
                    "`gpus:` must be `auto`, `none`, a list such as [0, 1] or \"0,1\", but it is a mapping",
                );
                Vec::new()
            }
        }
    }
}

/// The GPU parsers speak of the `--gpus` option of `mlci run`; here the
/// same value comes from the `gpus:` key, and the message should say so.
pub(super) fn in_config_terms(message: &str) -> String {
    message.replace("`--gpus ", "`gpus: ").replace("--gpus", "gpus:")
}
