//! One matrix leg of a job: where it runs (an image, or the host), the GPUs
//! it leases, a slot among the run's `--max-parallel`, and its attempts
//! (`retries:`, mlci's extension: each attempt in a fresh container).

use super::attempt::{run_attempt, Attempt, AttemptResult};
use super::concurrency::{Admission, GroupSlot};
use super::gpu::{assignment, GpuLease};
use super::job::{flag, Leg};
use super::leg_error::LegError;
use super::scope::Scope;
use super::shared::RunShared;
use super::slurm_leg::on_slurm;
use crate::backend::options::parse_options;
use crate::backend::options::policy::{ContainerPolicy, Refusal};
use crate::backend::{Backend, ContainerConfig, GpuRequest, JobSpec, ServiceSpec};
use crate::model::{Container, Job};
use crate::plan::labels::LabelTarget;
use crate::report::events::{JobKey, LineKind, Outcome, RunEvent};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub struct LegResult {
    pub result: Outcome,
    pub outputs: Map<String, Value>,
    pub continue_on_error: bool,
}

pub async fn run_leg(
    shared: Arc<RunShared>,
    index: usize,
    key: JobKey,
    leg: Leg,
    mut scope: Scope,
    cancel: CancellationToken,
) -> LegResult {
    let started = Instant::now();
    let job = &shared.workflow.jobs[index];
    let secrets: Map<String, Value> = shared
        .settings
        .secrets
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    scope.insert("secrets", &Value::Object(secrets));
    let continue_on_error = flag(&scope, job.continue_on_error.as_ref(), false);
    let finish = |result: Outcome, attempts: u32, outputs: Map<String, Value>, reason: Option<String>| {
        shared.emit(RunEvent::JobFinished {
            job: key.clone(),
            result,
            attempts,
            seconds: started.elapsed().as_secs_f64(),
            outputs: outputs.clone(),
            reason,
        });
        LegResult {
            result,
            outputs,
            continue_on_error,
        }
    };
    if cancel.is_cancelled() {
        return finish(
            Outcome::Cancelled,
            0,
            Map::new(),
            Some("cancelled before it started".into()),
        );
    }
    let (backend, spec) = match prepare(&shared, job, &leg, &scope, &key) {
        Ok(prepared) => prepared,
        Err(error) => {
            let message = error.to_string();
            shared.say(&key, None, LineKind::Error, &message);
            return finish(Outcome::Failure, 0, Map::new(), Some(message));
        }
    };
    // Refused options fail the job at once, not after a wait for a slot.
    if let Err(message) = refuse(&shared, &spec, ContainerPolicy::check_before_lease) {
        shared.say(&key, None, LineKind::Error, &message);
        return finish(Outcome::Failure, 0, Map::new(), Some(message));
    }
    let _group = match enter_group(&shared, job, &scope, &key, &cancel).await {
        Ok(slot) => slot,
        Err(GroupWait::Cancelled(reason)) => return finish(Outcome::Cancelled, 0, Map::new(), Some(reason)),
        Err(GroupWait::Failed(reason)) => {
            shared.say(&key, None, LineKind::Error, &reason);
            return finish(Outcome::Failure, 0, Map::new(), Some(reason));
        }
    };
    // Slurm leases a Slurm job's GPUs; mlci's pool is this machine's.
    let request = spec.container.gpus.as_ref().filter(|_| !backend.schedules_gpus());
    let Some(lease) = lease_gpus(&shared, &key, request, &cancel).await else {
        return finish(
            Outcome::Cancelled,
            0,
            Map::new(),
            Some("cancelled while waiting".into()),
        );
    };
    let permit = tokio::select! {
        permit = shared.slots.acquire() => permit.ok(),
        _ = cancel.cancelled() => None,
    };
    if permit.is_none() {
        return finish(
            Outcome::Cancelled,
            0,
            Map::new(),
            Some("cancelled while waiting".into()),
        );
    }
    let mut spec = spec;
    if let Some(request) = spec.container.gpus.clone() {
        spec.gpus = assignment(&request, lease.as_ref());
    }
    // After the lease: a `--device` of a leased GPU is allowed.
    if let Err(message) = apply_policy(&shared, &mut spec) {
        shared.say(&key, None, LineKind::Error, &message);
        return finish(Outcome::Failure, 0, Map::new(), Some(message));
    }
    let attempts = 1 + job.retries.as_ref().map_or(0, |r| r.value);
    let delay = job.retry_delay.as_ref().map_or(Duration::ZERO, |d| d.value);
    let mut last = AttemptResult::cancelled();
    for attempt in 1..=attempts {
        if attempt > 1 {
            let message = format!(
                "attempt {} of {attempts} failed; retrying in a fresh container in {}",
                attempt - 1,
                humanize(delay)
            );
            shared.say(&key, None, LineKind::Runner, &message);
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = cancel.cancelled() => break,
            }
        }
        let run = Attempt {
            shared: &shared,
            job_index: index,
            key: &key,
            number: attempt,
            attempts,
            backend: backend.as_ref(),
            spec: &spec,
            scope: &scope,
            cancel: &cancel,
        };
        last = run_attempt(run).await;
        if last.result != Outcome::Failure || cancel.is_cancelled() {
            break;
        }
    }
    drop(lease);
    let attempts_made = last.attempt;
    finish(last.result, attempts_made, last.outputs, last.reason)
}

enum GroupWait {
    Cancelled(String),
    Failed(String),
}

/// Waits for the job's `concurrency:` group, if it has one (each leg is a
/// member of its own, as each is a job on GitHub).
async fn enter_group(
    shared: &RunShared,
    job: &Job,
    scope: &Scope,
    key: &JobKey,
    cancel: &CancellationToken,
) -> Result<Option<GroupSlot>, GroupWait> {
    let Some(concurrency) = &job.concurrency else {
        return Ok(None);
    };
    let group = scope
        .string(&concurrency.group)
        .map_err(|e| GroupWait::Failed(format!("concurrency group: {e}")))?;
    let cancel_in_progress = flag(scope, concurrency.cancel_in_progress.as_ref(), false);
    let entering = shared.groups.enter(&group, cancel_in_progress, cancel);
    tokio::pin!(entering);
    // Told only when the job really waits.
    let admission = tokio::select! {
        biased;
        admission = &mut entering => admission,
        () = std::future::ready(()) => {
            shared.emit(RunEvent::JobWaiting {
                job: key.clone(),
                reason: format!("waiting for concurrency group `{group}`"),
            });
            entering.await
        }
    };
    match admission {
        Admission::Admitted(slot) => Ok(Some(slot)),
        Admission::Superseded => Err(GroupWait::Cancelled(format!(
            "cancelled: a newer job of concurrency group `{group}` is waiting"
        ))),
        Admission::Cancelled => Err(GroupWait::Cancelled("cancelled while waiting".to_string())),
    }
}

/// Leases the GPUs the job asks for; `None` when cancelled while waiting.
/// `Some(None)` when no lease is needed (no request, or no inventory).
async fn lease_gpus(
    shared: &RunShared,
    key: &JobKey,
    request: Option<&GpuRequest>,
    cancel: &CancellationToken,
) -> Option<Option<GpuLease>> {
    let Some(request) = request else { return Some(None) };
    if shared.gpus.total() == 0 {
        return Some(None);
    }
    if let Some(lease) = shared.gpus.try_lease(request) {
        return Some(Some(lease));
    }
    let reason = match request {
        GpuRequest::Count(n) => format!("waiting for {n} GPU{}", if *n == 1 { "" } else { "s" }),
        GpuRequest::All => "waiting for all GPUs".to_string(),
        GpuRequest::Devices(ids) => format!("waiting for GPUs {}", ids.join(",")),
    };
    shared.emit(RunEvent::JobWaiting {
        job: key.clone(),
        reason,
    });
    tokio::select! {
        lease = shared.gpus.lease(request) => Some(Some(lease)),
        _ = cancel.cancelled() => None,
    }
}

/// Where the leg runs and the spec of its environment.
fn prepare(
    shared: &RunShared,
    job: &Job,
    leg: &Leg,
    scope: &Scope,
    key: &JobKey,
) -> Result<(Arc<dyn Backend>, JobSpec), LegError> {
    let mut spec = JobSpec {
        // Run ids are per store; with the pid, two mlci processes on one
        // engine never share container names or labels.
        run_id: format!("{}-{}", shared.settings.run_id, std::process::id()),
        job_id: key.job.clone(),
        leg_name: key.name.clone(),
        job_container: job.container.is_some(),
        ..JobSpec::default()
    };
    let on_host = |spec: JobSpec| {
        if let Some(request) = &spec.container.gpus {
            shared.gpus.check(request).map_err(|reason| LegError::Gpus {
                leg: key.name.clone(),
                reason,
            })?;
        }
        Ok((shared.backends.host.clone(), spec))
    };
    // An image that evaluates to empty means no container, as on GitHub.
    let container = match &job.container {
        Some(container)
            if !scope
                .string(&container.image)
                .map_err(LegError::Expression)?
                .trim()
                .is_empty() =>
        {
            Some(container)
        }
        _ => None,
    };
    // A label mapped to Slurm sends the leg there, whatever `--backend` says.
    let slurm = match shared.settings.labels.target(&leg.runs_on) {
        Some(LabelTarget::Slurm { placement }) => Some(placement),
        _ => None,
    };
    if let Some(container) = container {
        if slurm.is_none() && shared.settings.force_host && !shared.backends.host.runs_containers() {
            return Err(LegError::ContainerOnHost { job: key.job.clone() });
        }
        spec.image = scope.string(&container.image).map_err(LegError::Expression)?;
        spec.container = container_config(container, scope)?;
    } else if let Some(placement) = slurm {
        return on_slurm(shared, key, placement, spec);
    } else if shared.settings.force_host {
        // A label's GPU profile still applies (`-P gpu=host,gpus=2`).
        if let Some(LabelTarget::Host { gpus } | LabelTarget::Image { gpus, .. }) =
            shared.settings.labels.target(&leg.runs_on)
        {
            spec.container.gpus = gpus.clone();
        }
        return on_host(spec);
    } else {
        match shared.settings.labels.target(&leg.runs_on) {
            Some(LabelTarget::Host { gpus }) => {
                spec.container.gpus = gpus.clone();
                return on_host(spec);
            }
            Some(LabelTarget::Image { image, gpus }) => {
                spec.image = image.clone();
                spec.container.gpus = gpus.clone();
            }
            // Sent to Slurm above; here for the compiler.
            Some(LabelTarget::Slurm { placement }) => return on_slurm(shared, key, placement, spec),
            None => {
                let labels = &shared.settings.labels;
                return Err(LegError::Unmapped(labels.unmapped_message(&key.name, &leg.runs_on)));
            }
        }
    }
    for (id, service) in &job.services {
        let image = scope.string(&service.image).map_err(LegError::Expression)?;
        if image.is_empty() {
            continue; // `image: ''` leaves the service out (gha-semantics §3.3)
        }
        spec.services.push(ServiceSpec {
            id: id.clone(),
            image,
            config: container_config(service, scope)?,
            command: service
                .command
                .as_ref()
                .map(|c| {
                    scope
                        .string(c)
                        .map(|s| s.split_whitespace().map(str::to_string).collect())
                })
                .transpose()
                .map_err(LegError::Expression)?,
            entrypoint: service
                .entrypoint
                .as_ref()
                .map(|e| scope.string(e))
                .transpose()
                .map_err(LegError::Expression)?,
        });
    }
    if let Some(placement) = slurm {
        // The `container:` runs on the node Slurm chose.
        return on_slurm(shared, key, placement, spec);
    }
    if let Some(request) = &spec.container.gpus {
        shared.gpus.check(request).map_err(|reason| LegError::Gpus {
            leg: key.name.clone(),
            reason,
        })?;
    }
    if shared.settings.force_host {
        // `--backend slurm`: the container runs on the node Slurm chose.
        return Ok((shared.backends.host.clone(), spec));
    }
    let docker = shared
        .backends
        .docker
        .clone()
        .ok_or_else(|| LegError::NoDocker { leg: key.name.clone() })?;
    Ok((docker, spec))
}

/// The daemon's container policy: refuses the options that break
/// isolation (every one named, at once) and sets the limits.
fn apply_policy(shared: &RunShared, spec: &mut JobSpec) -> Result<(), String> {
    refuse(shared, spec, ContainerPolicy::check)?;
    if let Some(policy) = &shared.settings.container_policy {
        policy.limit(spec);
    }
    Ok(())
}

/// The refusals of `check`, one line each; none without a policy (`mlci
/// run`) or a container (a job on the host).
fn refuse(
    shared: &RunShared,
    spec: &JobSpec,
    check: fn(&ContainerPolicy, &JobSpec) -> Vec<Refusal>,
) -> Result<(), String> {
    let Some(policy) = &shared.settings.container_policy else {
        return Ok(());
    };
    if spec.image.is_empty() {
        return Ok(());
    }
    let refused = check(policy, spec);
    if refused.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = refused.iter().map(ToString::to_string).collect();
    Err(lines.join("\n"))
}

fn container_config(container: &Container, scope: &Scope) -> Result<ContainerConfig, LegError> {
    let text = |t| scope.string(t).map_err(LegError::Expression);
    let mut config = ContainerConfig::default();
    if let Some(options) = &container.options {
        parse_options(&text(options)?, &mut config).map_err(LegError::Options)?;
    }
    for (name, value) in &container.env {
        config.env.push((name.clone(), text(value)?));
    }
    for volume in &container.volumes {
        config.volumes.push(text(volume)?);
    }
    for port in &container.ports {
        config.ports.push(text(port)?);
    }
    Ok(config)
}

fn humanize(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0 => "0s".to_string(),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
