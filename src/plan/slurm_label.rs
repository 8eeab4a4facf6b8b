//! `-P LABEL=slurm:KEY=VALUE,…`: a label whose jobs run as Slurm jobs,
//! placed as the keys say (docs/scale-out.md lists them). `-P LABEL=slurm`
//! alone leaves everything to the cluster's defaults.

use super::labels::LabelTarget;
use crate::backend::slurm::{Placement, PLACEMENT_KEYS};

/// The Slurm target `-P`'s text after `LABEL=` names, or None when it
/// names an image or `host`.
pub fn parse_slurm_target(target: &str) -> Option<Result<LabelTarget, String>> {
    let keys = if target == "slurm" {
        ""
    } else {
        target.strip_prefix("slurm:")?
    };
    let parsed = Placement::parse(keys).map_err(|e| {
        // `slurm:24.05` is a Docker image, not a placement.
        if keys.contains('=') {
            e
        } else {
            format!(
                "{e} (after `slurm:` come the Slurm keys {}; an image named `slurm` is written \
                 docker.io/library/{target})",
                PLACEMENT_KEYS.join("=…, ") + "=…"
            )
        }
    });
    Some(parsed.map(|placement| LabelTarget::Slurm { placement }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slurm_alone_or_with_keys_is_a_slurm_target_and_anything_else_is_not() {
        assert_eq!(
            parse_slurm_target("slurm"),
            Some(Ok(LabelTarget::Slurm {
                placement: Placement::default()
            }))
        );
        let placed = parse_slurm_target("slurm:partition=gpu,constraint=a100,gpus=1");
        let Some(Ok(LabelTarget::Slurm { placement })) = placed else {
            panic!("{placed:?}")
        };
        assert_eq!(placement.partition.as_deref(), Some("gpu"));
        assert_eq!(placement.constraint.as_deref(), Some("a100"));
        assert_eq!(placement.gpus, Some(1));
        assert_eq!(parse_slurm_target("host"), None);
        assert_eq!(parse_slurm_target("slurmish:1"), None);
        assert_eq!(parse_slurm_target("mlci/runner:cuda"), None);
    }

    #[test]
    fn an_image_tag_after_slurm_gets_a_hint() {
        let Some(Err(message)) = parse_slurm_target("slurm:24.05") else {
            panic!("not an error")
        };
        assert_eq!(
            message,
            "`24.05` is not KEY=VALUE; the keys are partition, account, qos, constraint, cpus, mem, gpus, time \
             (after `slurm:` come the Slurm keys partition=…, account=…, qos=…, constraint=…, cpus=…, mem=…, \
             gpus=…, time=…; an image named `slurm` is written docker.io/library/slurm:24.05)"
        );
    }
}
