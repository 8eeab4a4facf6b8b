//! Running one queued run: its workflow read again from the commit, the
//! run recorded in the store, the engine started with the daemon's shared
//! job slots and GPUs, and the result reported to the forge.

use super::config::JobBackend;
use super::context::{run_contexts, RunFor};
use super::queue::QueuedRun;
use super::report::ReportedRun;
use super::runner::{short, Daemon};
use super::workflows_at::{first_error, workflows_at};
use crate::actions::action_source::ActionSource;
use crate::actions::settings::ActionSettings;
use crate::exec::launch::{launch, Launch};
use crate::exec::shared::{Backends, Cancel, RunSettings};
use crate::model::Workflow;
use crate::store::{NewRun, RunDetail};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tracing::{info, warn};

/// How long a stopped step gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(10);

impl Daemon {
    /// Runs `queued` (again from its failed jobs when `resume` names the
    /// interrupted run), then marks it finished, unless the daemon's own
    /// shutdown cancelled it: then it stays running, to be resumed.
    pub(super) async fn run_queued(self: Arc<Daemon>, queued: QueuedRun, resume: Option<i64>, cancel: Cancel) {
        let outcome = self.clone().try_run(&queued, resume, cancel).await;
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&queued.id);
        match outcome {
            Err(why) => {
                warn!(
                    queued = queued.id,
                    repo = %queued.repo,
                    workflow = %queued.workflow,
                    sha = short(&queued.sha),
                    "run not started: {why}"
                );
                let _ = self.queue.mark_finished(queued.id, Some(&why));
            }
            Ok(_) if self.stopping.load(Ordering::SeqCst) => {}
            Ok(_) => {
                let _ = self.queue.mark_finished(queued.id, None);
            }
        }
        self.wake.notify_one();
    }

    async fn try_run(self: Arc<Daemon>, queued: &QueuedRun, resume: Option<i64>, cancel: Cancel) -> Result<(), String> {
        let (config, handle) = self
            .repos
            .iter()
            .find(|(c, _)| c.name == queued.repo)
            .ok_or_else(|| format!("repository `{}` is no longer configured", queued.repo))?;
        let event = self
            .queue
            .event(queued.event_id)
            .map_err(|e| e.to_string())?
            .ok_or("its event is gone from the queue")?;
        let mut reported = ReportedRun {
            slug: config.slug.clone(),
            sha: queued.sha.clone(),
            workflow: queued.workflow.clone(),
            git_ref: queued.git_ref.clone(),
            target_url: None,
            previous: None,
        };
        let git = handle.repository().map_err(|e| e.to_string())?;
        let workflow = match read_workflow(&git, &queued.sha, &config.workflows, &queued.workflow) {
            Ok(workflow) => workflow,
            Err(why) => {
                self.reporter.run_error(&reported, &why);
                return Err(why);
            }
        };
        let graph = crate::check::graph_of(&workflow).ok_or("its jobs do not form a graph")?;
        let name = workflow.display_name();
        let store = self.store()?;
        let earlier = match resume {
            Some(id) => store.run(id).map_err(|e| e.to_string())?,
            None => None,
        };
        let record = NewRun {
            workflow: name.clone(),
            path: queued.workflow.clone(),
            event: event.name.clone(),
            git_ref: queued.git_ref.clone(),
            sha: queued.sha.clone(),
            rerun_of: resume,
            needs: graph.needs_by_id(),
        };
        let run_id = store.begin_run(&record).map_err(|e| e.to_string())?;
        self.queue.mark_running(queued.id, run_id).map_err(|e| e.to_string())?;
        let default_branch = handle.default_branch();
        let for_run = RunFor {
            event: &event,
            slug: &config.slug,
            default_branch: default_branch.as_deref(),
            git_ref: &queued.git_ref,
            sha: &queued.sha,
            workflow: &name,
            run_id,
        };
        let contexts = run_contexts(&git, &for_run, &workflow);
        drop(git);
        reported.workflow = name.clone();
        reported.target_url = Some(self.config.run_url(run_id));
        reported.previous = store
            .previous_result(&queued.workflow, &queued.git_ref, run_id)
            .ok()
            .flatten();
        info!(
            run_id,
            event_id = queued.event_id,
            repo = %queued.repo,
            workflow = %queued.workflow,
            git_ref = ?queued.git_ref,
            sha = short(&queued.sha),
            resumes = resume,
            "run {run_id} started: {name}"
        );
        // The forge token the runner reports with is the jobs' `github.token`,
        // as GitHub hands each job its own; it also fetches the actions.
        let token = self.config.status.as_ref().map(|s| s.token.clone());
        let secrets: Vec<(String, String)> = token
            .iter()
            .map(|t| ("GITHUB_TOKEN".to_string(), t.expose().to_string()))
            .collect();
        let source = ActionSource {
            token,
            base: self
                .config
                .actions_url
                .clone()
                .unwrap_or_else(|| ActionSource::default().base),
            offline: false,
        };
        let mut actions = ActionSettings::new(source, self.config.store.join("actions"));
        actions.published = self.config.published_actions.clone();
        let settings = RunSettings {
            run_id,
            work_dir: Default::default(),
            max_parallel: self.config.capacity,
            labels: self.config.labels.clone(),
            // `backend: slurm`: every job a Slurm job, as host processes on its node.
            force_host: self.config.backend == JobBackend::Slurm,
            secrets,
            grace: GRACE,
            contexts,
            extra_env: Vec::new(),
            only_job: None,
            store_dir: self.config.store.clone(),
            repository: Some(handle.git_dir().to_path_buf()),
            default_branch,
            reused: earlier.as_ref().map(RunDetail::succeeded_jobs).unwrap_or_default(),
            earlier_runs: earlier.as_ref().map(|d| store.rerun_chain(d)).unwrap_or_default(),
            max_job_minutes: self.config.job_timeout.map(|t| t.as_secs_f64() / 60.0),
            actions,
            container_policy: Some(self.config.container_policy(config)),
        };
        let run = Launch {
            workflow: Arc::new(workflow),
            graph,
            record,
            settings,
            backends: self.run_backends(&cancel),
            docker: self.docker.clone(),
            gpus: self.gpus.clone(),
            slots: self.slots.clone(),
            groups: self.groups.scoped(&queued.repo),
            cancel,
            sinks: vec![self.reporter.run_sink(reported)],
        };
        let result = launch(store, run_id, run)
            .await
            .map_err(|e| crate::report::error_chain(&e))?;
        info!(run_id, repo = %queued.repo, result = result.as_str(), "run {run_id} finished: {name} {}", result.as_str());
        Ok(())
    }
}

impl Daemon {
    /// The backends of one run: with `backend: slurm`, Slurm stands in for
    /// the host, its waits in the queue ended by this run's cancellation.
    fn run_backends(&self, cancel: &Cancel) -> Backends {
        let mut backends = self.backends.clone();
        if let (JobBackend::Slurm, Some(slurm)) = (self.config.backend, &backends.slurm) {
            let placed = slurm.placed(&Default::default(), cancel.graceful.clone());
            backends.host = Arc::new(placed);
        }
        backends
    }
}

/// The workflow file `path` at commit `sha`, valid.
fn read_workflow(git: &git2::Repository, sha: &str, folder: &str, path: &str) -> Result<Workflow, String> {
    let oid = git2::Oid::from_str(sha).map_err(|e| e.to_string())?;
    let analyses = workflows_at(git, oid, folder).map_err(|e| format!("failed to read the workflows: {e}"))?;
    let analysis = analyses
        .into_iter()
        .find(|a| a.source.path.display().to_string() == path)
        .ok_or_else(|| format!("{path} is not in commit {}", short(sha)))?;
    if analysis.has_errors() {
        return Err(format!("invalid at {}: {}", short(sha), first_error(&analysis)));
    }
    analysis
        .workflow
        .ok_or_else(|| format!("{path} is not a workflow at {}", short(sha)))
}
