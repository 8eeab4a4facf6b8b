//! Checks `mlci run` makes before anything starts, reported at the line of
//! the workflow that causes them: a job that asks for more GPUs than the
//! inventory has, or for devices it does not have, can never run.

use crate::backend::options::parse_options;
use crate::backend::ContainerConfig;
use crate::diag::{render, Diagnostic};
use crate::exec::gpu::GpuPool;
use crate::model::Workflow;

/// Every GPU request written in `container.options` (without expressions)
/// checked against the inventory; the rendered errors, if any.
pub fn check_gpu_requests(workflow: &Workflow, gpus: &GpuPool) -> Vec<String> {
    if gpus.total() == 0 {
        return Vec::new();
    }
    let mut errors = Vec::new();
    for job in &workflow.jobs {
        let Some(options) = job.container.as_ref().and_then(|c| c.options.as_ref()) else {
            continue;
        };
        if options.has_expression() {
            continue;
        }
        let mut config = ContainerConfig::default();
        if parse_options(&options.value, &mut config).is_err() {
            continue; // the job reports it when it starts
        }
        if let Some(request) = &config.gpus {
            if let Err(message) = gpus.check(request) {
                let diagnostic = Diagnostic::error(options.span, format!("job `{}`: {message}", job.id.value));
                errors.push(render(&diagnostic, &workflow.source));
            }
        }
    }
    errors
}
