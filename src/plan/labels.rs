//! Which image runs a job: its `container:` image, else the image its
//! `runs-on` labels map to. The default mapping sends GitHub's Linux labels
//! to the runner image mlci builds itself (`mlci images build`).

use indexmap::IndexMap;

pub const RUNNER_IMAGE: &str = "mlci/runner:bookworm";
/// The `runs-on` labels that map to [`RUNNER_IMAGE`] unless `-P` says otherwise.
pub const DEFAULT_LABELS: &[&str] = &["ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04", "linux", "self-hosted"];

/// `runs-on` label → image (or `host`), in the order they were given.
#[derive(Clone, Debug)]
pub struct LabelMap {
    images: IndexMap<String, String>,
}

impl Default for LabelMap {
    fn default() -> LabelMap {
        let images = DEFAULT_LABELS
            .iter()
            .map(|l| (l.to_string(), RUNNER_IMAGE.to_string()))
            .collect();
        LabelMap { images }
    }
}

impl LabelMap {
    /// Adds or overrides one mapping (`-P LABEL=IMAGE`).
    pub fn set(&mut self, label: &str, image: &str) {
        self.images.insert(label.to_ascii_lowercase(), image.to_string());
    }

    /// The image of the first label that has one (labels match ignoring case).
    pub fn resolve<'a>(&'a self, labels: &[String]) -> Option<&'a str> {
        labels
            .iter()
            .find_map(|l| self.images.get(&l.to_ascii_lowercase()).map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_mapped_label_wins_and_overrides_apply() {
        let mut map = LabelMap::default();
        let labels = |ls: &[&str]| ls.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            map.resolve(&labels(&["macos-latest", "Ubuntu-Latest"])),
            Some(RUNNER_IMAGE)
        );
        assert_eq!(map.resolve(&labels(&["macos-latest"])), None);
        map.set("gpu", "mlci/runner:cuda");
        assert_eq!(map.resolve(&labels(&["gpu", "linux"])), Some("mlci/runner:cuda"));
    }
}
