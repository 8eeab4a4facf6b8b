//! Starting one recorded run of one workflow: the part `mlci run`,
//! `mlci rerun` and the runner daemon share. The caller records the run
//! (`Store::begin_run`) and says where events go; this runs the jobs,
//! cleans up after them and records the result.

use super::concurrency::ConcurrencyGroups;
use super::dispatcher::dispatch;
use super::gpu::GpuPool;
use super::mask::Masker;
use super::shared::{Backends, Cancel, RunSettings, RunShared};
use crate::backend::docker::DockerBackend;
use crate::exit;
use crate::model::Workflow;
use crate::plan::JobGraph;
use crate::report::events::{EventSink, Outcome, RunEvent};
use crate::report::EventSender;
use crate::store::{NewRun, Store, StoreError};
use std::sync::{Arc, RwLock};
use std::time::Instant;
use tokio::sync::Semaphore;

/// A run ready to start.
pub struct Launch {
    pub workflow: Arc<Workflow>,
    pub graph: JobGraph,
    /// What was recorded by `Store::begin_run`: told again in `RunStarted`.
    pub record: NewRun,
    /// `run_id` and `work_dir` are set by [`launch`].
    pub settings: RunSettings,
    pub backends: Backends,
    /// Removes what the run's containers left, should a job task die.
    pub docker: Option<DockerBackend>,
    pub gpus: GpuPool,
    /// Job slots: the run's own (`--max-parallel`) or the daemon's, shared
    /// by every run.
    pub slots: Arc<Semaphore>,
    /// Job-level `concurrency:` groups: the run's own, or the daemon's
    /// (scoped to the run's repository).
    pub groups: ConcurrencyGroups,
    pub cancel: Cancel,
    /// Where events go besides the store: the terminal, JSON, the forge.
    pub sinks: Vec<Arc<dyn EventSink>>,
}

/// Why a run's record cannot be trusted.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The store could not take the run's events at all.
    #[error("failed to record the run")]
    Store(#[from] StoreError),
    /// The run ran to `result`, but part of its record was lost.
    #[error("the run ended ({}), but its record is incomplete", result.as_str())]
    Record {
        result: Outcome,
        #[source]
        source: StoreError,
    },
}

/// Runs the jobs of run `run_id` and records the result. The store is taken
/// by value so that a daemon can run this on any thread (a connection is
/// not `Sync`).
pub async fn launch(store: Store, run_id: i64, launch: Launch) -> Result<Outcome, LaunchError> {
    let store_sink = Arc::new(store.sink()?);
    let mut sinks: Vec<Arc<dyn EventSink>> = vec![store_sink.clone()];
    sinks.extend(launch.sinks);
    let (events, reporter) = EventSender::start(sinks);
    let mut masker = Masker::default();
    for (_, value) in &launch.settings.secrets {
        masker.add(value);
    }
    let mut settings = launch.settings;
    settings.run_id = run_id;
    let run_dir = settings.run_dir(run_id);
    settings.work_dir = run_dir.join("work");
    let shared = Arc::new(RunShared {
        workflow: launch.workflow,
        settings,
        backends: launch.backends,
        events: events.clone(),
        masker: RwLock::new(masker),
        gpus: launch.gpus,
        slots: launch.slots,
        groups: launch.groups,
        cancel: launch.cancel,
    });
    let record = launch.record;
    shared.emit(RunEvent::RunStarted {
        run_id,
        workflow: record.workflow,
        path: record.path,
        event: record.event,
        git_ref: record.git_ref,
        sha: record.sha,
        rerun_of: record.rerun_of,
    });
    let started = Instant::now();
    let result = dispatch(shared.clone(), &launch.graph).await;
    // Every job removes what it created; this is the safety net for a job
    // task that died before it could (the run's label finds it all).
    if let Some(docker) = &launch.docker {
        let _ = docker.remove_run(&format!("{run_id}-{}", std::process::id())).await;
    }
    shared.emit(RunEvent::RunFinished {
        run_id,
        result,
        seconds: started.elapsed().as_secs_f64(),
    });
    // Every sink has seen every event once the reporter thread has ended.
    events.flush().await;
    let finished = tokio::task::spawn_blocking(move || reporter.finish(&events)).await;
    let reporter_crashed = !matches!(finished, Ok(Ok(())));
    let _ = std::fs::remove_dir_all(run_dir.join("work"));
    let recorded = match store_sink.take_error() {
        Some(message) => Err(StoreError::Record(message)),
        None if reporter_crashed => Err(StoreError::Record(crate::report::ReporterCrashed.to_string())),
        None => store
            .finish_run(run_id, result, exit::of_outcome(result))
            .and_then(|()| store.check_intact()),
    };
    match recorded {
        Ok(()) => Ok(result),
        Err(source) => {
            // Tell the store what is known, if it still listens.
            let _ = store.finish_run(run_id, result, exit::RECORD_FAILED);
            Err(LaunchError::Record { result, source })
        }
    }
}
