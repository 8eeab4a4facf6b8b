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
/// label's GPUs as its request (Slurm leases them: `--gres=gpu:N`).
pub(super) fn on_slurm(
    shared: &RunShared,
    key: &JobKey,
    has_container: bool,
    placement: &Placement,
    mut spec: JobSpec,
) -> Result<(Arc<dyn Backend>, JobSpec), LegError> {
    if has_container {
        return Err(LegError::ContainerOnSlurm { job: key.job.clone() });
    }
    let slurm = shared
        .backends
        .slurm
        .as_ref()
        .ok_or_else(|| LegError::NoSlurm { leg: key.name.clone() })?;
    spec.container.gpus = placement.gpus.map(GpuRequest::Count);
    // The run's cancellation also stops waiting in Slurm's queue.
    let placed = slurm.placed(placement, shared.cancel.graceful.clone());
    Ok((Arc::new(placed), spec))
}
