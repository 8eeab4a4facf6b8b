//! `container:` and `services:` — the images a job runs in and beside.

use super::reader::Reader;
use super::Text;
use crate::load::{Node, NodeValue};
use indexmap::IndexMap;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Container {
    pub image: Text,
    pub env: IndexMap<String, Text>,
    pub options: Option<Text>,
    pub ports: Vec<Text>,
    pub volumes: Vec<Text>,
    pub credentials: IndexMap<String, Text>,
    /// Services only.
    pub command: Option<Text>,
    pub entrypoint: Option<Text>,
}

pub fn read_container(r: &mut Reader, node: &Node, what: &str, service: bool) -> Option<Container> {
    if let NodeValue::Scalar(_) = node.value {
        let image = r.text(node, what)?;
        return Some(Container {
            image,
            env: IndexMap::new(),
            options: None,
            ports: Vec::new(),
            volumes: Vec::new(),
            credentials: IndexMap::new(),
            command: None,
            entrypoint: None,
        });
    }
    let mapping = r.mapping(node, what)?;
    let mut keys = vec!["image", "env", "options", "ports", "volumes", "credentials"];
    if service {
        keys.extend(["command", "entrypoint"]);
    }
    r.check_keys(mapping, &keys, what);
    r.require_keys(mapping, &["image"], node.span, what);
    let credentials = mapping
        .get("credentials")
        .map(|c| r.text_map(c, "`credentials`"))
        .unwrap_or_default();
    for key in credentials.keys() {
        if key != "username" && key != "password" {
            if let Some((k, _)) = mapping
                .get("credentials")
                .and_then(|c| c.as_mapping())
                .and_then(|m| m.entry(key))
            {
                r.error(
                    k.span,
                    format!("unknown key `{key}` in `credentials`; it takes `username` and `password`"),
                );
            }
        }
    }
    Some(Container {
        image: mapping.get("image").and_then(|i| r.text(i, "`image`"))?,
        env: mapping
            .get("env")
            .map(|e| r.text_map(e, "container `env`"))
            .unwrap_or_default(),
        options: mapping.get("options").and_then(|o| r.text(o, "`options`")),
        ports: mapping
            .get("ports")
            .map(|p| r.text_list(p, "`ports`"))
            .unwrap_or_default(),
        volumes: mapping
            .get("volumes")
            .map(|v| r.text_list(v, "`volumes`"))
            .unwrap_or_default(),
        credentials,
        command: mapping.get("command").and_then(|c| r.text(c, "`command`")),
        entrypoint: mapping.get("entrypoint").and_then(|c| r.text(c, "`entrypoint`")),
    })
}
