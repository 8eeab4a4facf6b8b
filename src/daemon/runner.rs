//! The daemon's state and main loop: intake of queued events, cron, and
//! starting queued runs while capacity allows, until a stop signal; then
//! the shutdown: running jobs get `shutdown_timeout` to finish, then are
//! cancelled as `mlci run` cancels them, and queued work stays queued.

use super::config::{JobBackend, RepoConfig, RunnerConfig};
use super::cron::check_schedules;
use super::http::{serve, ApiState};
use super::intake::triage;
use super::queue::{EventRow, Queue, QueuedRun};
use super::report::{ReportedRun, Reporter};
use super::repos::RepoHandle;
use super::stop::Stop;
use crate::backend::docker::DockerBackend;
use crate::backend::host::HostBackend;
use crate::backend::slurm::SlurmBackend;
use crate::exec::gpu::GpuPool;
use crate::exec::shared::{Backends, Cancel};
use crate::store::{Clock, Store};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

/// How often the queue is looked at when nothing wakes the daemon: a git
/// hook writes the queue directly, so this bounds a push's wait.
const POLL: Duration = Duration::from_millis(200);

/// Why the daemon could not start (once started, errors fail one event or
/// one run and the daemon goes on).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("failed to open the store {0}: {1}")]
    Store(String, String),
    #[error("another mlci runner (pid {pid}) uses the store {store}")]
    AlreadyRunning { pid: i64, store: String },
    #[error("{0}")]
    Repository(String),
    #[error("{0}")]
    Docker(String),
    #[error("{0}")]
    Slurm(String),
    #[error("failed to listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

/// What every task of the daemon shares.
pub struct Daemon {
    pub(super) config: Arc<RunnerConfig>,
    pub(super) queue: Arc<Queue>,
    pub(super) repos: Vec<(RepoConfig, RepoHandle)>,
    pub(super) reporter: Reporter,
    pub(super) backends: Backends,
    pub(super) docker: Option<DockerBackend>,
    pub(super) gpus: GpuPool,
    /// Job slots shared by every run: `capacity`.
    pub(super) slots: Arc<Semaphore>,
    /// Job-level `concurrency:` groups of every run, scoped per repository.
    pub(super) groups: crate::exec::concurrency::ConcurrencyGroups,
    /// Queued run id → its cancellation.
    pub(super) running: Mutex<HashMap<i64, Cancel>>,
    /// Repositories whose oldest event intake is looking at now (a fetch
    /// may take minutes): their next events wait, the others' do not.
    pub(super) taking: Mutex<HashSet<String>>,
    /// Set once shutdown cancels runs: those are resumed at the next start.
    pub(super) stopping: AtomicBool,
    pub(super) wake: Arc<Notify>,
    pub(super) clock: Clock,
}

impl Daemon {
    /// Opens everything the daemon needs; nothing runs yet.
    pub async fn open(config: RunnerConfig, clock: Clock) -> Result<Arc<Daemon>, StartError> {
        let store_dir = config.store.display().to_string();
        let queue = Queue::open_with_clock(&config.store, clock.clone())
            .map_err(|e| StartError::Store(store_dir.clone(), e.to_string()))?;
        if let Err(running) = queue
            .claim_daemon(&config.listen.to_string())
            .map_err(|e| StartError::Store(store_dir.clone(), e.to_string()))?
        {
            let pid = running.get("pid").and_then(|p| p.as_i64()).unwrap_or(0);
            return Err(StartError::AlreadyRunning { pid, store: store_dir });
        }
        let mut repos = Vec::new();
        for repo in &config.repos {
            let handle = RepoHandle::open(repo, &config.store).map_err(|e| StartError::Repository(e.to_string()))?;
            repos.push((repo.clone(), handle));
        }
        let docker = DockerBackend::connect()
            .await
            .map_err(|e| StartError::Docker(e.to_string()))?;
        let reporter = Reporter::start(config.status.clone(), config.notify.clone());
        let slurm = slurm_backend(&config)?;
        Ok(Arc::new(Daemon {
            queue: Arc::new(queue),
            repos,
            reporter,
            backends: Backends {
                docker: Some(Arc::new(docker.clone())),
                host: Arc::new(HostBackend::new()),
                slurm,
            },
            docker: Some(docker),
            gpus: GpuPool::new(config.gpus.clone()),
            slots: Arc::new(Semaphore::new(config.capacity.max(1))),
            groups: Default::default(),
            running: Mutex::new(HashMap::new()),
            taking: Mutex::new(HashSet::new()),
            stopping: AtomicBool::new(false),
            wake: Arc::new(Notify::new()),
            clock,
            config: Arc::new(config),
        }))
    }

    /// Runs the daemon until `stop` says so, then shuts down.
    pub async fn run(self: Arc<Daemon>, stop: Stop) -> Result<(), StartError> {
        let listener = tokio::net::TcpListener::bind(self.config.listen)
            .await
            .map_err(|source| StartError::Listen {
                addr: self.config.listen.to_string(),
                source,
            })?;
        let mut runs = JoinSet::new();
        self.recover(&mut runs).await;
        let missed = self.check_cron(false);
        for (repo, workflow, cron, time) in missed {
            warn!(%repo, %workflow, %cron, %time, "cron fire missed (the runner was down)");
        }
        let http_stop = CancellationToken::new();
        let state = ApiState {
            config: self.config.clone(),
            queue: self.queue.clone(),
            wake: self.wake.clone(),
        };
        let http = tokio::spawn(serve(listener, state, http_stop.clone()));
        info!(
            listen = %self.config.listen,
            repos = self.repos.len(),
            capacity = self.config.capacity,
            gpus = self.config.gpus.len(),
            store = %self.config.store.display(),
            "listening on {}",
            self.config.listen
        );
        loop {
            tokio::select! {
                _ = stop.first.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            while runs.try_join_next().is_some() {}
            self.take_events();
            for (repo, workflow, cron, time) in self.check_cron(true) {
                info!(%repo, %workflow, %cron, %time, "cron fire queued");
            }
            self.start_runs(&mut runs);
        }
        self.shut_down(runs, &stop).await;
        http_stop.cancel();
        let _ = http.await;
        self.reporter.flush(Duration::from_secs(10)).await;
        info!("stopped");
        Ok(())
    }

    /// Starts intake of each repository's oldest queued event, off the main
    /// loop: a fetch that hangs holds its own repository only, and neither
    /// cron, the other repositories nor a stop signal wait for it. When one
    /// is done the loop is woken for the repository's next event.
    fn take_events(self: &Arc<Daemon>) {
        let events = match tokio::task::block_in_place(|| self.queue.next_events()) {
            Ok(events) => events,
            Err(e) => return error!(error = %e, "failed to read the queue"),
        };
        for event in events {
            if !self.lock_taking().insert(event.repo.clone()) {
                continue;
            }
            let daemon = self.clone();
            tokio::task::spawn_blocking(move || {
                daemon.take_event(&event);
                daemon.lock_taking().remove(&event.repo);
                daemon.wake.notify_one();
            });
        }
    }

    fn lock_taking(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.taking.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take_event(&self, event: &EventRow) {
        let Some((config, handle)) = self.repos.iter().find(|(c, _)| c.name == event.repo) else {
            let why = format!("no configured repository `{}`", event.repo);
            warn!(event_id = event.id, repo = %event.repo, "event not taken: {why}");
            let _ = self.queue.fail_event(event.id, &why);
            return;
        };
        let triage = match triage(handle, &config.workflows, &config.slug, event) {
            Ok(triage) => triage,
            Err(why) => {
                warn!(
                    event_id = event.id,
                    repo = %event.repo,
                    event = %event.name,
                    git_ref = ?event.git_ref,
                    "event not run: {why}"
                );
                let _ = self.queue.fail_event(event.id, &why);
                return;
            }
        };
        let ids = match self.queue.accept_event(event.id, &triage.runs, &triage.note) {
            Ok(ids) => ids,
            Err(e) => return error!(event_id = event.id, error = %e, "failed to queue the event's runs"),
        };
        info!(
            event_id = event.id,
            repo = %event.repo,
            event = %event.name,
            git_ref = ?event.git_ref,
            sha = short(event.after.as_deref().unwrap_or("")),
            source = %event.source,
            queued = ids.len(),
            note = %triage.note,
            "event taken: {} runs queued",
            ids.len()
        );
        // An invalid workflow gets an `error` status saying why, as GitHub
        // shows an "invalid workflow file" run.
        if let Some(sha) = &triage.sha {
            for (workflow, why) in &triage.invalid {
                let reported = ReportedRun {
                    slug: config.slug.clone(),
                    sha: sha.clone(),
                    workflow: workflow.clone(),
                    git_ref: event.git_ref.clone(),
                    target_url: None,
                    previous: None,
                };
                self.reporter.run_error(&reported, why);
            }
        }
        for (run, id) in triage.runs.iter().zip(&ids).filter(|(r, _)| r.cancel_in_progress) {
            let Some(group) = &run.concurrency_group else { continue };
            self.cancel_group(&run.repo, group, *id);
        }
    }

    /// `cancel-in-progress`: the running runs of `group` in `repo` older
    /// than the queued run `newer` are cancelled (another repository's group
    /// of the same name is not). `newer` itself may have started already:
    /// intake runs beside the loop that starts runs.
    fn cancel_group(&self, repo: &str, group: &str, newer: i64) {
        let Ok(running) = self.queue.running_in_group(repo, group) else {
            return;
        };
        let cancels = self.running.lock().unwrap_or_else(|p| p.into_inner());
        for run in running.into_iter().filter(|r| r.id < newer) {
            if let Some(cancel) = cancels.get(&run.id) {
                info!(
                    run_id = run.run_id.unwrap_or(0),
                    repo = %run.repo,
                    workflow = %run.workflow,
                    %group,
                    "run cancelled: a newer run of its concurrency group was queued"
                );
                cancel.graceful.cancel();
            }
        }
    }

    /// Starts queued runs while fewer than `capacity` runs are running (jobs
    /// then share the `capacity` job slots).
    fn start_runs(self: &Arc<Daemon>, runs: &mut JoinSet<()>) {
        let Ok(startable) = self.queue.startable() else { return };
        for queued in startable {
            if self.running_count() >= self.config.capacity.max(1) {
                return;
            }
            // Claimed and given its cancel handle under one lock: intake's
            // `cancel-in-progress` (which reads the running runs, then takes
            // this lock) never sees a claimed run without its handle.
            let cancel = Cancel::default();
            let mut cancels = self.running.lock().unwrap_or_else(|p| p.into_inner());
            match self.queue.claim(queued.id) {
                Ok(true) => {
                    cancels.insert(queued.id, cancel.clone());
                    drop(cancels);
                    runs.spawn(self.clone().run_queued(queued, None, cancel));
                }
                // Started already, or superseded since it was read.
                Ok(false) => {}
                Err(e) => return error!(queued = queued.id, error = %e, "failed to take a queued run"),
            }
        }
    }

    /// Runs an already running queued run again (recovery at start).
    pub(super) fn spawn_run(self: &Arc<Daemon>, runs: &mut JoinSet<()>, queued: QueuedRun, resume: Option<i64>) {
        let cancel = Cancel::default();
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(queued.id, cancel.clone());
        runs.spawn(self.clone().run_queued(queued, resume, cancel));
    }

    fn running_count(&self) -> usize {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    fn check_cron(&self, up: bool) -> Vec<(String, String, String, String)> {
        let repos: Vec<(&RepoConfig, &RepoHandle)> = self.repos.iter().map(|(c, h)| (c, h)).collect();
        match tokio::task::block_in_place(|| check_schedules(&self.queue, &repos, (self.clock)(), up)) {
            Ok(report) if up => report.fired,
            Ok(report) => report.missed,
            Err(e) => {
                error!(error = %e, "cron: failed to check the schedules");
                Vec::new()
            }
        }
    }

    /// Running jobs get `shutdown_timeout`; then they are cancelled (a
    /// second signal kills their steps at once).
    async fn shut_down(&self, mut runs: JoinSet<()>, stop: &Stop) {
        let running = self.running_count();
        if running == 0 {
            return;
        }
        info!(
            running,
            "stopping: {running} runs still running get up to {}s to finish",
            self.config.shutdown_timeout.as_secs()
        );
        let finish = async { while runs.join_next().await.is_some() {} };
        tokio::pin!(finish);
        tokio::select! {
            _ = &mut finish => return,
            _ = tokio::time::sleep(self.config.shutdown_timeout) => {}
            _ = stop.second.cancelled() => {}
        }
        warn!("stopping: cancelling the running jobs; they run again at the next start");
        self.stopping.store(true, Ordering::SeqCst);
        for cancel in self.running.lock().unwrap_or_else(|p| p.into_inner()).values() {
            cancel.graceful.cancel();
        }
        tokio::select! {
            _ = &mut finish => {}
            _ = stop.second.cancelled() => {
                for cancel in self.running.lock().unwrap_or_else(|p| p.into_inner()).values() {
                    cancel.kill.cancel();
                }
                finish.await;
            }
        }
    }

    pub(super) fn store(&self) -> Result<Store, String> {
        Store::open_with_clock(&self.config.store, self.clock.clone()).map_err(|e| e.to_string())
    }
}

pub(super) fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// The Slurm backend, with `backend: slurm` or a label mapped to Slurm: the
/// agent is this binary, and the store the shared folder its jobs use.
fn slurm_backend(config: &RunnerConfig) -> Result<Option<SlurmBackend>, StartError> {
    if config.backend != JobBackend::Slurm && !config.labels.uses_slurm() {
        return Ok(None);
    }
    let agent = std::env::current_exe()
        .map_err(|e| StartError::Slurm(format!("cannot find the mlci binary for the Slurm agent: {e}")))?;
    // Each run's legs are placed with that run's cancellation (start_run.rs).
    Ok(Some(SlurmBackend::new(
        agent,
        config.slurm.clone(),
        CancellationToken::new(),
    )))
}
