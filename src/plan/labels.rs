//! Which image runs a job: its `container:` image, else the image its
//! `runs-on` labels map to. The default mapping sends GitHub's Linux labels
//! to the runner image mlci builds itself (`mlci images build`). `-P` adds
//! mappings: to another image, to an image with GPUs (a profile such as
//! `-P gpu=mlci/runner:cuda,gpus=1`), or to `host` (no container at all).

use crate::plan::parse_gpus;
use crate::plan::GpuRequest;
use indexmap::IndexMap;

pub const RUNNER_IMAGE: &str = "mlci/runner:bookworm";
/// The `runs-on` labels that map to [`RUNNER_IMAGE`] unless `-P` says otherwise.
pub const DEFAULT_LABELS: &[&str] = &["ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04", "linux", "self-hosted"];

/// Where jobs with a label run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelTarget {
    /// In a container of `image`, with the GPUs the profile asks for.
    Image { image: String, gpus: Option<GpuRequest> },
    /// On the host, without a container; `gpus` leases devices for
    /// `CUDA_VISIBLE_DEVICES`.
    Host { gpus: Option<GpuRequest> },
}

/// `runs-on` label → target, in the order they were given.
#[derive(Clone, Debug)]
pub struct LabelMap {
    targets: IndexMap<String, LabelTarget>,
}

impl Default for LabelMap {
    fn default() -> LabelMap {
        let targets = DEFAULT_LABELS
            .iter()
            .map(|l| (l.to_string(), image(RUNNER_IMAGE, None)))
            .collect();
        LabelMap { targets }
    }
}

fn image(image: &str, gpus: Option<GpuRequest>) -> LabelTarget {
    LabelTarget::Image {
        image: image.to_string(),
        gpus,
    }
}

impl LabelMap {
    /// Adds or overrides one mapping (`-P LABEL=IMAGE`); the image `host`
    /// means the host.
    pub fn set(&mut self, label: &str, image_or_host: &str) {
        let target = match image_or_host {
            "host" => LabelTarget::Host { gpus: None },
            name => image(name, None),
        };
        self.targets.insert(label.to_ascii_lowercase(), target);
    }

    /// Adds or overrides one mapping written as `-P` takes it:
    /// `LABEL=IMAGE`, `LABEL=IMAGE,gpus=N|all|"device=…"` or `LABEL=host`.
    pub fn parse_and_set(&mut self, spec: &str) -> Result<(), String> {
        let form = || format!("-P takes LABEL=IMAGE, LABEL=IMAGE,gpus=N or LABEL=host, not `{spec}`");
        let (label, target) = spec.split_once('=').ok_or_else(form)?;
        let (name, profile) = match target.split_once(',') {
            Some((name, profile)) => (name, Some(profile)),
            None => (target, None),
        };
        if label.is_empty() || name.is_empty() {
            return Err(form());
        }
        let gpus = match profile {
            None => None,
            Some(profile) => match profile.strip_prefix("gpus=") {
                Some(value) => Some(parse_gpus(value).map_err(|e| format!("-P {spec}: {e}"))?),
                None => {
                    return Err(format!(
                    "-P {spec}: after the image only gpus=N, gpus=all or gpus=\"device=…\" may follow, not `{profile}`"
                ))
                }
            },
        };
        let target = match name {
            "host" => LabelTarget::Host { gpus },
            name => image(name, gpus),
        };
        self.targets.insert(label.to_ascii_lowercase(), target);
        Ok(())
    }

    /// Adds or overrides one mapping with a target already resolved (the
    /// daemon's `labels:` in runner.yml).
    pub fn insert(&mut self, label: &str, target: LabelTarget) {
        self.targets.insert(label.to_ascii_lowercase(), target);
    }

    /// Every label (lowercase) and its target, defaults first, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &LabelTarget)> {
        self.targets.iter().map(|(label, target)| (label.as_str(), target))
    }

    /// The target of the first label that has one (labels match ignoring case).
    pub fn target(&self, labels: &[String]) -> Option<&LabelTarget> {
        labels.iter().find_map(|l| self.targets.get(&l.to_ascii_lowercase()))
    }

    /// The image of the first label that has a target, or `host`.
    pub fn resolve<'a>(&'a self, labels: &[String]) -> Option<&'a str> {
        self.target(labels).map(|target| match target {
            LabelTarget::Image { image, .. } => image.as_str(),
            LabelTarget::Host { .. } => "host",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ls: &[&str]) -> Vec<String> {
        ls.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn first_mapped_label_wins_and_overrides_apply() {
        let mut map = LabelMap::default();
        assert_eq!(
            map.resolve(&labels(&["macos-latest", "Ubuntu-Latest"])),
            Some(RUNNER_IMAGE)
        );
        assert_eq!(map.resolve(&labels(&["macos-latest"])), None);
        map.set("gpu", "mlci/runner:cuda");
        assert_eq!(map.resolve(&labels(&["gpu", "linux"])), Some("mlci/runner:cuda"));
        map.set("Bare", "host");
        assert_eq!(map.target(&labels(&["bare"])), Some(&LabelTarget::Host { gpus: None }));
    }

    #[test]
    fn profiles_carry_a_gpu_request() {
        let mut map = LabelMap::default();
        map.parse_and_set("gpu=mlci/runner:cuda,gpus=1").unwrap();
        map.parse_and_set("GPU-All=mlci/runner:cuda,gpus=all").unwrap();
        map.parse_and_set("pair=img:1,gpus=\"device=0,1\"").unwrap();
        map.parse_and_set("plain=python:3.12").unwrap();
        assert_eq!(
            map.target(&labels(&["self-hosted-x", "GPU", "linux"])),
            Some(&image("mlci/runner:cuda", Some(GpuRequest::Count(1))))
        );
        assert_eq!(
            map.target(&labels(&["gpu-all"])),
            Some(&image("mlci/runner:cuda", Some(GpuRequest::All)))
        );
        assert_eq!(
            map.target(&labels(&["pair"])),
            Some(&image("img:1", Some(GpuRequest::Devices(vec!["0".into(), "1".into()]))))
        );
        assert_eq!(map.target(&labels(&["plain"])), Some(&image("python:3.12", None)));
        assert_eq!(map.resolve(&labels(&["gpu"])), Some("mlci/runner:cuda"));
    }

    #[test]
    fn host_runs_without_a_container() {
        let mut map = LabelMap::default();
        map.parse_and_set("linux=host").unwrap();
        assert_eq!(map.target(&labels(&["linux"])), Some(&LabelTarget::Host { gpus: None }));
        assert_eq!(map.resolve(&labels(&["linux"])), Some("host"));
        assert_eq!(map.resolve(&labels(&["ubuntu-latest"])), Some(RUNNER_IMAGE));
    }

    #[test]
    fn bad_specs_are_refused_and_change_nothing() {
        let form = |s: &str| format!("-P takes LABEL=IMAGE, LABEL=IMAGE,gpus=N or LABEL=host, not `{s}`");
        let cases = [
            ("gpu".to_string(), form("gpu")),
            ("=img".to_string(), form("=img")),
            ("gpu=".to_string(), form("gpu=")),
            ("gpu=,gpus=1".to_string(), form("gpu=,gpus=1")),
            (
                "gpu=img,gpus=0".to_string(),
                "-P gpu=img,gpus=0: `--gpus 0` asks for no GPUs; leave the option out instead".to_string(),
            ),
            (
                "gpu=img,cpus=2".to_string(),
                "-P gpu=img,cpus=2: after the image only gpus=N, gpus=all or gpus=\"device=…\" may follow, not `cpus=2`"
                    .to_string(),
            ),
        ];
        let mut host = LabelMap::default();
        assert_eq!(host.parse_and_set("gpu=host,gpus=1"), Ok(()));
        assert_eq!(
            host.target(&labels(&["gpu"])),
            Some(&LabelTarget::Host {
                gpus: Some(GpuRequest::Count(1))
            })
        );
        for (spec, message) in cases {
            let mut map = LabelMap::default();
            assert_eq!(map.parse_and_set(&spec), Err(message), "{spec}");
            assert_eq!(map.target(&labels(&["gpu"])), None, "{spec}");
        }
    }
}
