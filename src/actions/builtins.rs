//! The actions mlci has built in: `actions/checkout`, `actions/upload-artifact`,
//! `actions/download-artifact`, `actions/setup-python`, `actions/cache` (any
//! version) and `mlci/gate`. They run in mlci itself, on the job's
//! workspace directory, which the job's container sees as its workspace.

use crate::actions::builtin_paths::{download_into_job, stage_file, upload_from_job};
use crate::actions::cache::{restore, save, CacheOptions, CacheScope, Restored};
use crate::actions::checkout::{checkout, CheckoutOptions};
use crate::actions::job_files::JobFiles;
use crate::actions::job_paths::JobPath;
use crate::actions::setup_python::check_python;
use crate::artifacts::{DownloadOptions, UploadOptions};
use crate::backend::{ExecSpec, LineSink};
use crate::exec::scope::Scope;
use crate::exec::shared::RunSettings;
use crate::exec::step::{Ended, JobState, StepContext};
use crate::gate::{run_gate, BaselineSource, GateInput};
use crate::model::Step;
use crate::report::events::{LineKind, RunEvent};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Checkout,
    UploadArtifact,
    DownloadArtifact,
    SetupPython,
    /// `actions/cache`: restore now, save at the end of a successful job.
    Cache,
    /// `actions/cache/restore`: restore only.
    CacheRestore,
    /// `actions/cache/save`: save now.
    CacheSave,
    Gate,
}

/// The built-in action a `uses:` names, whatever its version.
pub fn builtin(uses: &str) -> Option<Builtin> {
    let name = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    Some(match name.as_str() {
        "actions/checkout" => Builtin::Checkout,
        "actions/upload-artifact" => Builtin::UploadArtifact,
        "actions/download-artifact" => Builtin::DownloadArtifact,
        "actions/setup-python" => Builtin::SetupPython,
        "actions/cache" => Builtin::Cache,
        "actions/cache/restore" => Builtin::CacheRestore,
        "actions/cache/save" => Builtin::CacheSave,
        "mlci/gate" => Builtin::Gate,
        _ => return None,
    })
}

/// The step's `with:` inputs, evaluated.
pub fn inputs(step: &Step, scope: &Scope) -> Result<IndexMap<String, String>, String> {
    let mut with = IndexMap::new();
    for (name, value) in &step.with {
        with.insert(name.to_ascii_lowercase(), scope.string(value)?);
    }
    Ok(with)
}

pub async fn run_builtin(
    cx: &StepContext<'_>,
    state: &mut JobState,
    scope: &Scope,
    index: usize,
    which: Builtin,
    with: IndexMap<String, String>,
) -> Result<(Ended, Map<String, Value>), String> {
    let say = |kind: LineKind, text: &str| cx.shared.say(cx.key, Some(index), kind, text);
    let settings = &cx.shared.settings;
    let workspace = cx.spec.workspace.clone();
    let github = scope.json("github");
    let github_text = |key: &str| github.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut outputs = Map::new();
    let ok = match which {
        Builtin::Checkout => {
            let repository = settings.repository.clone().ok_or_else(|| {
                "actions/checkout: mlci is not running in a git repository, so there is nothing to check out"
                    .to_string()
            })?;
            let mut options = CheckoutOptions::from_inputs(&with)?;
            // `path: ${{ github.workspace }}/repo` is the job's path; the
            // checkout takes it relative to the workspace. Anything else is
            // left for the checkout to refuse in its own words.
            if options.path.starts_with('/') {
                let files = job_files(cx, state, &with).await;
                if let Ok(JobPath::Mounted {
                    host_root, relative, ..
                }) = files.paths.resolve("path", &options.path)
                {
                    if host_root == workspace {
                        options.path = relative.to_string_lossy().into_owned();
                    }
                }
            }
            let sha = github_text("sha");
            let report = blocking(move || checkout(&repository, &sha, &workspace, &options)).await?;
            for note in &report.notes {
                say(LineKind::Warning, note);
            }
            say(
                LineKind::Runner,
                &format!("checked out {} ({} files)", short(&report.commit), report.files),
            );
            true
        }
        Builtin::UploadArtifact => {
            let options = UploadOptions::from_inputs(&with)?;
            let run_dir = settings.run_dir(settings.run_id);
            let files = job_files(cx, state, &with).await;
            let report = upload_from_job(&files, run_dir, options).await?;
            for warning in &report.warnings {
                say(LineKind::Warning, warning);
            }
            if report.files > 0 {
                say(
                    LineKind::Runner,
                    &format!(
                        "uploaded artifact `{}`: {} files, {} bytes, sha256 {}",
                        report.name, report.files, report.size, report.sha256
                    ),
                );
                outputs.insert("artifact-digest".into(), json!(report.sha256));
            }
            true
        }
        Builtin::DownloadArtifact => {
            let options = DownloadOptions::from_inputs(&with)?;
            let mut runs = vec![settings.run_dir(settings.run_id)];
            runs.extend(settings.earlier_runs.iter().map(|r| settings.run_dir(*r)));
            let files = job_files(cx, state, &with).await;
            let report = download_into_job(&files, runs, options).await?;
            say(
                LineKind::Runner,
                &format!(
                    "downloaded {} ({} files) into {}",
                    report.artifacts.join(", "),
                    report.files,
                    report.destination.display()
                ),
            );
            outputs.insert("download-path".into(), json!(report.destination.display().to_string()));
            true
        }
        Builtin::SetupPython => {
            let version = image_python(cx).await?;
            let check = check_python(with.get("python-version").map(String::as_str), &version);
            say(
                if check.matches {
                    LineKind::Runner
                } else {
                    LineKind::Warning
                },
                &check.message,
            );
            outputs.insert("python-version".into(), json!(check.version));
            true
        }
        Builtin::Cache | Builtin::CacheRestore => {
            let options = CacheOptions::from_inputs(&with)?;
            let cache_scope = job_cache_scope(settings, &github);
            let files = job_files(cx, state, &with).await;
            let restored = restore(&cache_scope, &files, &options).await?;
            let (hit, matched, message) = match &restored {
                Restored::Exact(key) => (true, key.clone(), format!("cache restored from key {key}")),
                Restored::Partial(key) => (false, key.clone(), format!("cache restored from restore key {key}")),
                Restored::Miss => (false, String::new(), format!("cache not found for key {}", options.key)),
            };
            say(LineKind::Runner, &message);
            outputs.insert("cache-hit".into(), json!(hit.to_string()));
            let fail_on_miss = with.get("fail-on-cache-miss").is_some_and(|v| v == "true");
            if which == Builtin::CacheRestore {
                outputs.insert("cache-primary-key".into(), json!(options.key));
                outputs.insert("cache-matched-key".into(), json!(matched));
            } else if !hit {
                state.cache_saves.push(options.clone());
            }
            if fail_on_miss && matched.is_empty() {
                say(
                    LineKind::Error,
                    &format!(
                        "Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: {}",
                        options.key
                    ),
                );
            }
            !(fail_on_miss && matched.is_empty())
        }
        Builtin::CacheSave => {
            let options = CacheOptions::from_inputs(&with)?;
            let cache_scope = job_cache_scope(settings, &github);
            let files = job_files(cx, state, &with).await;
            match save(&cache_scope, &files, &options).await? {
                true => say(LineKind::Runner, &format!("cache saved with key {}", options.key)),
                false => say(
                    LineKind::Warning,
                    &format!(
                        "Cache save failed: a cache entry with key {} exists already",
                        options.key
                    ),
                ),
            }
            true
        }
        Builtin::Gate => {
            let files = job_files(cx, state, &with).await;
            gate(cx, &files, scope, index, &with, &mut outputs).await?
        }
    };
    Ok((Ended::Exited(if ok { 0 } else { 1 }), outputs))
}

/// The job's files as its steps see them; `~` is `HOME` when the job's
/// env sets it.
pub async fn job_files<'a>(cx: &StepContext<'a>, state: &JobState, with: &IndexMap<String, String>) -> JobFiles<'a> {
    let home = state.env.get("HOME").map(String::as_str);
    JobFiles::of(cx.env, cx.spec, home, with.values().map(String::as_str)).await
}

/// The cache folders of a job: its repository's, its ref's, falling back on
/// its base and default branch's.
pub fn job_cache_scope(settings: &RunSettings, github: &Value) -> CacheScope {
    let text = |key: &str| github.get(key).and_then(Value::as_str).unwrap_or_default();
    CacheScope::of(
        &settings.store_dir.join("cache"),
        text("repository"),
        text("ref"),
        Some(text("base_ref")),
        settings.default_branch.as_deref(),
    )
}

/// `uses: mlci/gate@v1`: the same gate as `mlci gate`, on the job's
/// metrics file (resolved as the job sees it, and read through a copy);
/// the table goes to the log and the step summary.
async fn gate(
    cx: &StepContext<'_>,
    files: &JobFiles<'_>,
    scope: &Scope,
    index: usize,
    with: &IndexMap<String, String>,
    outputs: &mut Map<String, Value>,
) -> Result<bool, String> {
    let settings = &cx.shared.settings;
    let github = scope.json("github");
    let metrics = with
        .get("metrics")
        .ok_or_else(|| "mlci/gate: the `metrics` input is required (a JSON or YAML file)".to_string())?;
    let rules = with
        .get("rules")
        .ok_or_else(|| "mlci/gate: the `rules` input is required (one rule per line)".to_string())?;
    let Some((_metrics_copy, metrics_path)) = stage_file(files, "metrics", metrics).await? else {
        return Err(format!("mlci/gate: cannot read {metrics}: there is no such file"));
    };
    // A baseline that names no file of the job's is a branch.
    let mut baseline_copy = None;
    let baseline = match with.get("baseline").filter(|b| !b.is_empty()) {
        Some(b) => match stage_file(files, "baseline", b).await {
            Ok(Some((copy, path))) => {
                baseline_copy = Some(copy);
                BaselineSource::File(path)
            }
            Ok(None) | Err(_) => BaselineSource::Branch(b.clone()),
        },
        None => BaselineSource::Branch(settings.default_branch.clone().unwrap_or_else(|| "main".into())),
    };
    let branch = (github.get("ref_type").and_then(Value::as_str) == Some("branch"))
        .then(|| github.get("ref_name").and_then(Value::as_str).map(str::to_string))
        .flatten();
    let input = GateInput {
        metrics_path,
        rules: rules.clone(),
        baseline,
        branch,
        run_id: Some(settings.run_id),
    };
    let mut verdict = run_gate(&settings.store_dir, &input)?;
    // The files were read from mlci's copies; the job knows them by its names.
    verdict.metrics_path = metrics.clone();
    if let (Some(_), Some(baseline)) = (&baseline_copy, with.get("baseline")) {
        verdict.baseline_label = Some(format!("file {baseline}"));
    }
    // The table ends with its notes and a summary line (passed or FAILED).
    cx.shared
        .say(cx.key, Some(index), LineKind::Output, verdict.table().trim_end());
    if !verdict.passed {
        cx.shared
            .say(cx.key, Some(index), LineKind::Error, "the quality gate failed");
    }
    cx.shared.emit(RunEvent::StepSummary {
        job: cx.key.clone(),
        step: index,
        markdown: verdict.markdown(),
    });
    // The verdict is kept with the run, beside its artifacts.
    let dir = settings.run_dir(settings.run_id).join("gate");
    let file = dir.join(format!("{}-{}-{index}.json", cx.key.job, cx.key.leg));
    let stored = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, serde_json::to_string_pretty(&verdict).unwrap_or_default()));
    if let Err(e) = stored {
        let note = format!("could not keep the verdict in {}: {e}", file.display());
        cx.shared.say(cx.key, Some(index), LineKind::Warning, &note);
    }
    outputs.insert("passed".into(), json!(verdict.passed.to_string()));
    Ok(verdict.passed)
}

/// `python3 --version` in the job's environment.
async fn image_python(cx: &StepContext<'_>) -> Result<String, String> {
    struct Collect(String);
    impl LineSink for Collect {
        fn line(&mut self, line: &str) {
            self.0.push_str(line);
        }
    }
    let mut collect = Collect(String::new());
    let spec = ExecSpec {
        argv: vec!["python3".into(), "--version".into()],
        // The host's PATH for the host backend, then the usual container one.
        env: vec![(
            "PATH".into(),
            format!(
                "{}:{}",
                std::env::var("PATH").unwrap_or_default(),
                crate::exec::step::CONTAINER_PATH
            ),
        )],
        working_directory: cx.env.workspace(),
        records_pid: false,
    };
    match cx.env.exec(&spec, &mut collect).await {
        Ok(0) => Ok(collect.0.trim().to_string()),
        Ok(code) => Err(format!(
            "actions/setup-python: `python3 --version` exited with {code}: {}",
            collect.0
        )),
        Err(e) => Err(format!("actions/setup-python: cannot run python3: {e}")),
    }
}

/// Runs file work off the async threads (a 1 GB checkpoint takes seconds).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("a built-in action stopped unexpectedly: {e}"))?
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}
