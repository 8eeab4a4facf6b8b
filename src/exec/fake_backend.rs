//! A backend that runs nothing, for unit-testing the scheduler: each step's
//! script is read line by line as `echo TEXT`, `sleep SECONDS`, `exit CODE`
//! `output NAME=VALUE` (a line of $GITHUB_OUTPUT) or `envfile TEXT` (a line
//! of $GITHUB_ENV), and `panic TEXT` (a bug in mlci while the step runs).
//! It records when each
//! job started and ended so tests can check order and overlap.

use crate::backend::{Backend, BackendError, ExecSpec, ImageStepSpec, JobEnv, JobSpec, LineSink, StopSignal};
use async_trait::async_trait;
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Start(String),
    End(String),
}

#[derive(Clone, Default)]
pub struct FakeBackend {
    pub log: Arc<Mutex<Vec<Record>>>,
    pub specs: Arc<Mutex<Vec<JobSpec>>>,
}

impl FakeBackend {
    pub fn records(&self) -> Vec<Record> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

struct FakeJob {
    name: String,
    spec: JobSpec,
    log: Arc<Mutex<Vec<Record>>>,
    stop: Mutex<CancellationToken>,
}

#[async_trait]
impl Backend for FakeBackend {
    fn name(&self) -> &'static str {
        "fake"
    }

    async fn start_job(&self, spec: &JobSpec) -> Result<Box<dyn JobEnv>, BackendError> {
        let name = spec.leg_name.clone();
        if let Ok(mut log) = self.log.lock() {
            log.push(Record::Start(name.clone()));
        }
        if let Ok(mut specs) = self.specs.lock() {
            specs.push(spec.clone());
        }
        Ok(Box::new(FakeJob {
            name,
            spec: spec.clone(),
            log: self.log.clone(),
            stop: Mutex::new(CancellationToken::new()),
        }))
    }
}

#[async_trait]
impl JobEnv for FakeJob {
    fn workspace(&self) -> String {
        self.spec.workspace.display().to_string()
    }

    fn temp(&self) -> String {
        self.spec.temp.display().to_string()
    }

    fn container_context(&self) -> Map<String, Value> {
        Map::new()
    }

    fn services_context(&self) -> Map<String, Value> {
        Map::new()
    }

    async fn exec(&self, spec: &ExecSpec, sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        let script_path = spec.argv.last().cloned().unwrap_or_default();
        let script = std::fs::read_to_string(&script_path).map_err(|e| BackendError::Other(e.to_string()))?;
        let stop = self.stop.lock().map(|s| s.clone()).unwrap_or_default();
        let file_of = |name: &str| spec.env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let (output_file, env_file) = (file_of("GITHUB_OUTPUT"), file_of("GITHUB_ENV"));
        for line in script.lines().map(str::trim) {
            if let Some(text) = line.strip_prefix("echo ") {
                sink.line(text);
            } else if let Some(seconds) = line.strip_prefix("sleep ") {
                let seconds: f64 = seconds.parse().unwrap_or(0.0);
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs_f64(seconds)) => {}
                    _ = stop.cancelled() => return Ok(143),
                }
            } else if let Some(text) = line.strip_prefix("panic ") {
                panic!("{text}");
            } else if let Some(code) = line.strip_prefix("exit ") {
                return Ok(code.parse().unwrap_or(1));
            } else if let (Some(text), Some(file)) = (line.strip_prefix("envfile "), &env_file) {
                let mut content = std::fs::read_to_string(file).unwrap_or_default();
                content.push_str(text);
                content.push('\n');
                std::fs::write(file, content).map_err(|e| BackendError::Other(e.to_string()))?;
            } else if let (Some(pair), Some(file)) = (line.strip_prefix("output "), &output_file) {
                let mut text = std::fs::read_to_string(file).unwrap_or_default();
                text.push_str(pair);
                text.push('\n');
                std::fs::write(file, text).map_err(|e| BackendError::Other(e.to_string()))?;
            }
        }
        Ok(0)
    }

    async fn run_image(&self, _spec: &ImageStepSpec, _sink: &mut dyn LineSink) -> Result<i64, BackendError> {
        Err(BackendError::Other("no images here".into()))
    }

    async fn build_image(
        &self,
        _context: &std::path::Path,
        _dockerfile: &str,
        _tag: &str,
        _sink: &mut dyn LineSink,
    ) -> Result<(), BackendError> {
        Err(BackendError::Other("no images here".to_string()))
    }

    async fn stop_steps(&self, _signal: StopSignal) {
        if let Ok(stop) = self.stop.lock() {
            stop.cancel();
        }
    }

    async fn remove(&self) -> Result<(), BackendError> {
        if let Ok(mut log) = self.log.lock() {
            log.push(Record::End(self.name.clone()));
        }
        Ok(())
    }
}
