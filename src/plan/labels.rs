//! Which image runs a job: its `container:` image, else the image its
//! `runs-on` labels map to. The default mapping sends GitHub's Linux labels
//! to the runner image mlci builds itself (`mlci images build`). `-P` adds
//! mappings: to another image, to an image with GPUs (a profile such as
//! `-P gpu=mlci/runner:cuda,gpus=1`), to `host` (no container at all), or
//! to Slurm (`-P gpu-a100=slurm:partition=gpu,gpus=1`; see slurm_label.rs).

use super::slurm_label::parse_slurm_target;
use crate::backend::slurm::Placement;
use crate::plan::parse_gpus;
use crate::plan::GpuRequest;
use indexmap::IndexMap;

pub const RUNNER_IMAGE: &str = "mlci/runner:bookworm";
/// The `runs-on` labels that map to [`RUNNER_IMAGE`] unless `-P` says
/// otherwise, besides every `ubuntu-*` label (see [`is_default_label`]).
pub const DEFAULT_LABELS: &[&str] = &["ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04", "linux", "self-hosted"];

/// The architecture label of this machine, as GitHub's runners spell it.
fn host_arch_label() -> Option<&'static str> {
    match std::env::consts::ARCH {
        "x86_64" => Some("x64"),
        "aarch64" => Some("arm64"),
        _ => None,
    }
}

/// Whether the runner image serves `label` (lowercase): the defaults, the
/// host's architecture, and every `ubuntu-*` label (`ubuntu-20.04`,
/// `ubuntu-slim`, …); `ubuntu-*-arm` only on an arm host, since the image
/// is built for the host's architecture.
fn is_default_label(label: &str) -> bool {
    if DEFAULT_LABELS.contains(&label) || host_arch_label() == Some(label) {
        return true;
    }
    match label.strip_prefix("ubuntu-") {
        Some(rest) if !rest.is_empty() => !label.ends_with("-arm") || std::env::consts::ARCH == "aarch64",
        _ => false,
    }
}

/// The runner image, where the default labels run.
static DEFAULT_TARGET: std::sync::LazyLock<LabelTarget> = std::sync::LazyLock::new(|| image(RUNNER_IMAGE, None));

/// Where jobs with a label run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelTarget {
    /// In a container of `image`, with the GPUs the profile asks for.
    Image { image: String, gpus: Option<GpuRequest> },
    /// On the host, without a container; `gpus` leases devices for
    /// `CUDA_VISIBLE_DEVICES`.
    Host { gpus: Option<GpuRequest> },
    /// As a Slurm job, placed as the label says (its `gpus` is the leg's
    /// GPU request), whatever `--backend` says for the other labels.
    Slurm { placement: Placement },
}

/// `runs-on` labels → target. As on GitHub, a job runs only where *every*
/// one of its labels is served: each must be a default label (served by the
/// runner image) or one given with `-P` (or runner.yml's `labels:`). The
/// target is that of the first given label among the job's; a job of
/// default labels only gets the runner image. So `[self-hosted, gpu-a100]`
/// never lands on the CPU image because `self-hosted` alone is mapped.
#[derive(Clone, Debug, Default)]
pub struct LabelMap {
    /// Labels given with `-P` or runner.yml, lowercase, in order.
    given: IndexMap<String, LabelTarget>,
}

fn image(image: &str, gpus: Option<GpuRequest>) -> LabelTarget {
    LabelTarget::Image {
        image: image.to_string(),
        gpus,
    }
}

impl LabelMap {
    /// Adds or overrides one mapping written as `-P` takes it:
    /// `LABEL=IMAGE`, `LABEL=IMAGE,gpus=N|all|"device=…"` or `LABEL=host`.
    pub fn parse_and_set(&mut self, spec: &str) -> Result<(), String> {
        let form =
            || format!("-P takes LABEL=IMAGE, LABEL=IMAGE,gpus=N, LABEL=host or LABEL=slurm:KEY=VALUE,…, not `{spec}`");
        let (label, target) = spec.split_once('=').ok_or_else(form)?;
        if let Some(slurm) = parse_slurm_target(target) {
            if label.is_empty() {
                return Err(form());
            }
            let target = slurm.map_err(|e| format!("-P {spec}: {e}"))?;
            self.given.insert(label.to_ascii_lowercase(), target);
            return Ok(());
        }
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
        self.given.insert(label.to_ascii_lowercase(), target);
        Ok(())
    }

    /// Adds or overrides one mapping with a target already resolved (the
    /// daemon's `labels:` in runner.yml).
    pub fn insert(&mut self, label: &str, target: LabelTarget) {
        self.given.insert(label.to_ascii_lowercase(), target);
    }

    /// Whether some label runs its jobs on Slurm.
    pub fn uses_slurm(&self) -> bool {
        self.given.values().any(|t| matches!(t, LabelTarget::Slurm { .. }))
    }

    /// Every named label (lowercase) and its target: the defaults still
    /// served by the runner image first, then the given ones, in order.
    /// (`ubuntu-*` labels beyond [`DEFAULT_LABELS`] are served too.)
    pub fn iter(&self) -> impl Iterator<Item = (&str, &LabelTarget)> {
        DEFAULT_LABELS
            .iter()
            .copied()
            .filter(|l| !self.given.contains_key(*l))
            .map(|l| (l, &*DEFAULT_TARGET))
            .chain(self.given.iter().map(|(label, target)| (label.as_str(), target)))
    }

    /// The job's labels that nothing serves, as written.
    pub fn unmapped<'a>(&self, labels: &'a [String]) -> Vec<&'a str> {
        labels
            .iter()
            .filter(|l| {
                let lower = l.to_ascii_lowercase();
                !self.given.contains_key(&lower) && !is_default_label(&lower)
            })
            .map(String::as_str)
            .collect()
    }

    /// Where a job with these labels runs: None when a label is served by
    /// nothing (or there are none).
    pub fn target(&self, labels: &[String]) -> Option<&LabelTarget> {
        if labels.is_empty() || !self.unmapped(labels).is_empty() {
            return None;
        }
        let given = labels.iter().find_map(|l| self.given.get(&l.to_ascii_lowercase()));
        Some(given.unwrap_or(&DEFAULT_TARGET))
    }

    /// The image of a job with these labels, or `host`, or `slurm`.
    pub fn resolve<'a>(&'a self, labels: &[String]) -> Option<&'a str> {
        self.target(labels).map(|target| match target {
            LabelTarget::Image { image, .. } => image.as_str(),
            LabelTarget::Host { .. } => "host",
            LabelTarget::Slurm { .. } => "slurm",
        })
    }

    /// Why a job (`job`, shown by name) has nowhere to run, naming `-P`.
    pub fn unmapped_message(&self, job: &str, labels: &[String]) -> String {
        let unmapped = self.unmapped(labels);
        let first = unmapped
            .first()
            .copied()
            .or(labels.first().map(String::as_str))
            .unwrap_or("LABEL");
        let hint = format!("Map one with -P {first}=IMAGE (or -P {first}=host to run it on this machine)");
        let shown = labels.join(", ");
        if labels.len() <= 1 {
            format!("job `{job}` runs on [{shown}], and no image is mapped to it. {hint}")
        } else {
            format!(
                "job `{job}` runs on [{shown}], and nothing serves `{}`: a job runs only where every one of its labels \
                 is served. {hint}",
                unmapped.join("`, `")
            )
        }
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
        assert_eq!(map.resolve(&labels(&["Ubuntu-Latest", "Linux"])), Some(RUNNER_IMAGE));
        // A label nothing serves: GitHub waits for a runner with all of them.
        assert_eq!(map.resolve(&labels(&["macos-latest", "Ubuntu-Latest"])), None);
        assert_eq!(map.resolve(&labels(&["macos-latest"])), None);
        map.parse_and_set("gpu=mlci/runner:cuda").unwrap();
        assert_eq!(map.resolve(&labels(&["gpu", "linux"])), Some("mlci/runner:cuda"));
        map.parse_and_set("Bare=host").unwrap();
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
            map.target(&labels(&["self-hosted", "GPU", "linux"])),
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
    fn every_label_of_a_job_must_be_served() {
        let mut map = LabelMap::default();
        let gpu_job = labels(&["self-hosted", "gpu-a100"]);
        assert_eq!(map.target(&gpu_job), None);
        assert_eq!(map.unmapped(&gpu_job), ["gpu-a100"]);
        assert_eq!(
            map.unmapped_message("train", &gpu_job),
            "job `train` runs on [self-hosted, gpu-a100], and nothing serves `gpu-a100`: a job runs only where every \
             one of its labels is served. Map one with -P gpu-a100=IMAGE (or -P gpu-a100=host to run it on this machine)"
        );
        map.parse_and_set("gpu-a100=mlci/runner:cuda,gpus=1").unwrap();
        assert_eq!(
            map.target(&gpu_job),
            Some(&image("mlci/runner:cuda", Some(GpuRequest::Count(1))))
        );
        // GitHub's own self-hosted labels need nothing given.
        let arch = host_arch_label().unwrap_or("linux");
        assert_eq!(
            map.resolve(&labels(&["self-hosted", "linux", arch])),
            Some(RUNNER_IMAGE)
        );
    }

    #[test]
    fn every_ubuntu_label_maps_to_the_runner_image() {
        let map = LabelMap::default();
        for label in ["ubuntu-20.04", "ubuntu-slim", "ubuntu-26.04", "UBUNTU-22.04"] {
            assert_eq!(map.resolve(&labels(&[label])), Some(RUNNER_IMAGE), "{label}");
        }
        let arm = map.resolve(&labels(&["ubuntu-24.04-arm"]));
        let on_arm = std::env::consts::ARCH == "aarch64";
        assert_eq!(arm, on_arm.then_some(RUNNER_IMAGE));
        assert_eq!(map.resolve(&labels(&["ubuntu-"])), None);
        assert_eq!(map.resolve(&labels(&["windows-latest"])), None);
    }

    #[test]
    fn a_slurm_label_sends_its_jobs_to_slurm_and_the_rest_stay_local() {
        let mut map = LabelMap::default();
        assert!(!map.uses_slurm());
        map.parse_and_set("GPU-A100=slurm:partition=gpu,constraint=a100,gpus=1,time=60")
            .unwrap();
        map.parse_and_set("cluster=slurm").unwrap();
        assert!(map.uses_slurm());
        let expected = Placement {
            partition: Some("gpu".into()),
            constraint: Some("a100".into()),
            gpus: Some(1),
            time: Some(60),
            ..Placement::default()
        };
        assert_eq!(
            map.target(&labels(&["self-hosted", "gpu-a100"])),
            Some(&LabelTarget::Slurm { placement: expected })
        );
        assert_eq!(
            map.target(&labels(&["cluster"])),
            Some(&LabelTarget::Slurm {
                placement: Placement::default()
            })
        );
        assert_eq!(map.resolve(&labels(&["gpu-a100"])), Some("slurm"));
        assert_eq!(map.resolve(&labels(&["ubuntu-latest"])), Some(RUNNER_IMAGE));
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
        let form = |s: &str| {
            format!("-P takes LABEL=IMAGE, LABEL=IMAGE,gpus=N, LABEL=host or LABEL=slurm:KEY=VALUE,…, not `{s}`")
        };
        let cases = [
            ("gpu".to_string(), form("gpu")),
            ("=img".to_string(), form("=img")),
            ("gpu=".to_string(), form("gpu=")),
            ("gpu=,gpus=1".to_string(), form("gpu=,gpus=1")),
            ("=slurm".to_string(), form("=slurm")),
            (
                "gpu=slurm:zone=eu".to_string(),
                "-P gpu=slurm:zone=eu: `zone` is not a Slurm placement key; the keys are partition, account, qos, \
                 constraint, cpus, mem, gpus, time"
                    .to_string(),
            ),
            (
                "gpu=slurm:gpus=0".to_string(),
                "-P gpu=slurm:gpus=0: `gpus=0`: `gpus` takes a number of GPUs, a whole number above 0".to_string(),
            ),
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
