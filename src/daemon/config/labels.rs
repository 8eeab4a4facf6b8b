//! `labels:`: `runs-on` label → an image, `host`, `slurm`, or a profile
//! with GPUs or a Slurm placement, on top of mlci's default labels. A
//! profile's `gpus:` is what `mlci run -P LABEL=IMAGE,gpus=…` takes; its
//! `slurm:` takes the keys of `-P LABEL=slurm:…` (see slurm.rs).

use super::gpus::in_config_terms;
use super::load::ConfigReader;
use crate::load::{Mapping, Node, NodeValue};
use crate::plan::labels::LabelTarget;
use crate::plan::parse_gpus;
use crate::plan::LabelMap;

const PROFILE_KEYS: &[&str] = &["image", "host", "gpus", "slurm"];

impl ConfigReader {
    pub fn labels(&mut self, node: &Node) -> LabelMap {
        let mut map = LabelMap::default();
        if node.is_null() {
            return map;
        }
        let Some(mapping) = self.reader.mapping(node, "`labels:`") else {
            return map;
        };
        for (label, key, value) in mapping.iter() {
            if label.trim().is_empty() {
                self.error(key.span, "a label in `labels:` must not be empty");
                continue;
            }
            if let Some(target) = self.label_target(label, value) {
                map.insert(label, target);
            }
        }
        map
    }

    fn label_target(&mut self, label: &str, node: &Node) -> Option<LabelTarget> {
        match &node.value {
            NodeValue::Scalar(_) => {
                let what = format!("the target of label `{label}`");
                let text = self.reader.non_empty_text(node, &what)?;
                Some(match text.value.trim() {
                    "host" => LabelTarget::Host { gpus: None },
                    "slurm" => LabelTarget::Slurm {
                        placement: Default::default(),
                    },
                    image => LabelTarget::Image {
                        image: image.to_string(),
                        gpus: None,
                    },
                })
            }
            NodeValue::Mapping(profile) => self.profile(label, node, profile),
            NodeValue::Sequence(_) => {
                self.error(
                    node.span,
                    format!(
                        "the target of label `{label}` must be an image, `host`, or a mapping with `image:` \
                         (or `host: true`) and `gpus:`, but it is a sequence"
                    ),
                );
                None
            }
        }
    }

    /// `{ image: IMAGE, gpus: N }`, `{ host: true, gpus: N }` or
    /// `{ slurm: { partition: P, gpus: N, … } }`.
    fn profile(&mut self, label: &str, node: &Node, profile: &Mapping) -> Option<LabelTarget> {
        let what = format!("label `{label}`");
        self.reader.check_keys(profile, PROFILE_KEYS, &what);
        if let Some((key, slurm)) = profile.entry("slurm") {
            if let Some(other) = ["image", "host", "gpus"]
                .into_iter()
                .find(|k| profile.entry(k).is_some())
            {
                let message = format!(
                    "{what} gives `slurm:` and `{other}:`; a Slurm label takes its GPUs inside `slurm:` (`gpus: N`), \
                     and no `image:` or `host:`"
                );
                self.error(key.span, message);
                return None;
            }
            let placement = self.slurm_placement(slurm, &format!("`slurm:` of {what}"))?;
            return Some(LabelTarget::Slurm { placement });
        }
        let gpus = match profile.get("gpus") {
            Some(value) => {
                let text = self.reader.non_empty_text(value, &format!("`gpus:` of {what}"))?;
                match parse_gpus(text.value.trim()) {
                    Ok(request) => Some(request),
                    Err(e) => {
                        self.error(value.span, in_config_terms(&e));
                        return None;
                    }
                }
            }
            None => None,
        };
        let host = profile.entry("host");
        if let Some((_, value)) = host {
            if value.as_scalar().and_then(|s| s.as_bool()) != Some(true) {
                self.error(
                    value.span,
                    format!("`host:` of {what} can only be true; for a container give `image:` instead"),
                );
                return None;
            }
        }
        match (profile.get("image"), host) {
            (Some(_), Some((key, _))) => {
                self.error(key.span, format!("{what} gives both `image:` and `host:`; give one"));
                None
            }
            (Some(image), None) => {
                let image = self.reader.non_empty_text(image, &format!("`image:` of {what}"))?;
                Some(LabelTarget::Image {
                    image: image.value.trim().to_string(),
                    gpus,
                })
            }
            (None, Some(_)) => Some(LabelTarget::Host { gpus }),
            (None, None) => {
                self.error(node.span, format!("{what} needs `image:` or `host: true`"));
                None
            }
        }
    }
}
