//! A leg whose `runs-on` label is mapped to Slurm (`-P LABEL=slurm:…`,
//! runner.yml's `labels:`): it is submitted with the label's placement,
//! while the run's other legs stay on Docker or the host.

use super::leg_error::LegError;
use super::shared::RunShared;
use crate::backend::slurm::Placement;
use crate::backend::{Backend, GpuRequest, JobSpec};
use crate::report::events::JobKey;
use std::sync::Arc;

/// The Slurm backend placed for the label, and the leg's spec with the
/// label's GPUs as its request (Slurm leases them: `--gres=gpu:N`); without
/// `gpus=` in the label, a `container:`'s `--gpus N` is the request.
pub(super) fn on_slurm(
    shared: &RunShared,
    key: &JobKey,
    placement: &Placement,
    mut spec: JobSpec,
) -> Result<(Arc<dyn Backend>, JobSpec), LegError> {
    let slurm = shared
        .backends
        .slurm
        .as_ref()
        .ok_or_else(|| LegError::NoSlurm { leg: key.name.clone() })?;
    if let Some(count) = placement.gpus {
        spec.container.gpus = Some(GpuRequest::Count(count));
    }
    // The run's cancellation also stops waiting in Slurm's queue.
    let placed = slurm.placed(placement, shared.cancel.graceful.clone());
    Ok((Arc::new(placed), spec))
}
