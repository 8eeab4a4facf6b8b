//! The dispatcher and the job/step semantics, on the fake backend: order by
//! `needs`, overlap of independent jobs, `if` and results, fail-fast,
//! retries, outputs, slots and GPU leases.

use super::dispatcher::dispatch;
use super::fake_backend::{FakeBackend, Record};
use super::gpu::GpuPool;
use super::mask::Masker;
use super::shared::{Backends, Cancel, RunSettings, RunShared};
use crate::check::{analyze, graph_of};
use crate::diag::SourceFile;
use crate::plan::LabelMap;
use crate::report::events::{EventSink, Outcome, RunEvent};
use crate::report::EventSender;
use serde_json::Map;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::Semaphore;

#[derive(Default)]
struct Collect(Mutex<Vec<RunEvent>>);

impl EventSink for Collect {
    fn emit(&self, event: &RunEvent) {
        if let Ok(mut events) = self.0.lock() {
            events.push(event.clone());
        }
    }
}

struct Ran {
    result: Outcome,
    events: Vec<RunEvent>,
    records: Vec<Record>,
    backend: FakeBackend,
}

impl Ran {
    /// `name=result` of every job leg, sorted.
    fn jobs(&self) -> Vec<String> {
        let mut jobs: Vec<String> = self
            .events
            .iter()
            .filter_map(|e| match e {
                RunEvent::JobFinished { job, result, .. } => Some(format!("{}={}", job.name, result.as_str())),
                RunEvent::JobSkipped { job, .. } => Some(format!("{}=skipped", job.name)),
                _ => None,
            })
            .collect();
        jobs.sort();
        jobs
    }

    fn lines(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                RunEvent::Output { job, line, .. } => Some(
                    line.split('\n')
                        .map(|l| format!("{}: {l}", job.name))
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn index(&self, record: Record) -> usize {
        self.records
            .iter()
            .position(|r| *r == record)
            .unwrap_or_else(|| panic!("{record:?} not in {:?}", self.records))
    }
}

async fn run_with(yaml: &str, max_parallel: usize, gpus: &[&str]) -> Ran {
    let analysis = analyze(Arc::new(SourceFile::new("test.yml", yaml)));
    let errors: Vec<_> = analysis.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let workflow = analysis.workflow.expect("a workflow");
    let graph = graph_of(&workflow).expect("a graph");
    let backend = FakeBackend::default();
    let work = tempfile::tempdir().expect("a temp dir");
    let collect = Arc::new(Collect::default());
    let (events, reporter) = EventSender::start(vec![collect.clone()]);
    let shared = Arc::new(RunShared {
        workflow: Arc::new(workflow),
        settings: RunSettings {
            run_id: 1,
            work_dir: work.path().to_path_buf(),
            max_parallel,
            labels: LabelMap::default(),
            force_host: false,
            secrets: vec![("TOKEN".into(), "s3cret".into())],
            grace: Duration::from_millis(200),
            contexts: Map::new(),
            extra_env: Vec::new(),
            only_job: None,
            store_dir: work.path().join("store"),
            repository: None,
            default_branch: None,
            reused: Default::default(),
            earlier_runs: Vec::new(),
            max_job_minutes: None,
            actions: crate::actions::settings::ActionSettings::new(Default::default(), work.path().join("actions")),
            container_policy: None,
        },
        backends: Backends {
            docker: Some(Arc::new(backend.clone())),
            host: Arc::new(backend.clone()),
            slurm: None,
        },
        events: events.clone(),
        masker: RwLock::new({
            let mut masker = Masker::default();
            masker.add("s3cret");
            masker
        }),
        gpus: GpuPool::new(gpus.iter().map(|s| s.to_string()).collect()),
        slots: Arc::new(Semaphore::new(max_parallel)),
        groups: Default::default(),
        cancel: Cancel::default(),
    });
    let result = dispatch(shared, &graph).await;
    reporter.finish(&events).expect("every event reported");
    let events = collect.0.lock().map(|e| e.clone()).unwrap_or_default();
    Ran {
        result,
        events,
        records: backend.records(),
        backend,
    }
}

async fn run(yaml: &str) -> Ran {
    run_with(yaml, 4, &[]).await
}

#[tokio::test]
async fn a_job_starts_after_its_needs_and_independent_jobs_overlap() {
    let ran = run("
on: push
jobs:
  a: {runs-on: ubuntu-latest, steps: [{run: sleep 0.3}]}
  b: {runs-on: ubuntu-latest, steps: [{run: sleep 0.3}]}
  c: {runs-on: ubuntu-latest, needs: [a], steps: [{run: echo c}]}
")
    .await;
    assert_eq!(ran.result, Outcome::Success);
    assert_eq!(ran.jobs(), ["a=success", "b=success", "c=success"]);
    // a and b both start before either ends; c starts after a ended.
    let start = |n: &str| ran.index(Record::Start(n.into()));
    let end = |n: &str| ran.index(Record::End(n.into()));
    assert!(start("a") < end("b") && start("b") < end("a"), "{:?}", ran.records);
    assert!(end("a") < start("c"), "{:?}", ran.records);
}

#[tokio::test]
async fn one_slot_runs_independent_jobs_one_after_the_other() {
    let ran = run_with(
        "
on: push
jobs:
  a: {runs-on: ubuntu-latest, steps: [{run: sleep 0.1}]}
  b: {runs-on: ubuntu-latest, steps: [{run: sleep 0.1}]}
",
        1,
        &[],
    )
    .await;
    let first = &ran.records[0];
    let other = if *first == Record::Start("a".into()) { "b" } else { "a" };
    let first_name = if other == "a" { "b" } else { "a" };
    assert!(ran.index(Record::End(first_name.into())) < ran.index(Record::Start(other.into())));
}

#[tokio::test]
async fn success_is_transitive_and_always_runs_after_a_failure() {
    let ran = run("
on: push
jobs:
  fail: {runs-on: ubuntu-latest, steps: [{run: exit 1}]}
  suc1: {runs-on: ubuntu-latest, needs: fail, if: success() || failure(), steps: [{run: exit 0}]}
  next: {runs-on: ubuntu-latest, needs: suc1, steps: [{run: exit 1}]}
  report: {runs-on: ubuntu-latest, needs: next, if: always(), steps: [{run: 'echo ${{ needs.next.result }}'}]}
")
    .await;
    assert_eq!(ran.result, Outcome::Failure);
    assert_eq!(
        ran.jobs(),
        ["fail=failure", "next=skipped", "report=success", "suc1=success"]
    );
    assert!(
        ran.lines().contains(&"report: skipped".to_string()),
        "{:?}",
        ran.lines()
    );
}

#[tokio::test]
async fn fail_fast_cancels_the_other_legs_and_can_be_turned_off() {
    let yaml = |fail_fast: bool| {
        format!(
            "
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: {fail_fast}
      matrix: {{v: [bad, good]}}
    steps:
      - run: |
          ${{{{ matrix.v == 'bad' && 'exit 1' || 'sleep 5' }}}}
"
        )
    };
    let ran = run(&yaml(true)).await;
    assert_eq!(ran.jobs(), ["t (bad)=failure", "t (good)=cancelled"]);
    let ran = run(&yaml(false).replace("sleep 5", "sleep 0.1")).await;
    assert_eq!(ran.jobs(), ["t (bad)=failure", "t (good)=success"]);
}

#[tokio::test]
async fn step_outcome_and_conclusion_with_continue_on_error() {
    let ran = run("
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - {id: s, run: exit 3, continue-on-error: true}
      - run: 'echo ${{ steps.s.outcome }} ${{ steps.s.conclusion }} ${{ job.status }}'
      - {run: exit 1}
      - run: echo not reached
      - {if: failure(), run: 'echo cleanup ${{ job.status }}'}
")
    .await;
    assert_eq!(ran.jobs(), ["j=failure"]);
    let lines: Vec<String> = ran.lines().into_iter().filter(|l| !l.contains("exit code")).collect();
    assert_eq!(lines, ["j: failure success success", "j: cleanup failure"]);
}

#[tokio::test]
async fn job_outputs_flow_to_needs_and_a_matrix_from_them_expands() {
    let ran = run(r#"
on: push
jobs:
  prepare:
    runs-on: ubuntu-latest
    outputs: {legs: '${{ steps.s.outputs.legs }}'}
    steps:
      - {id: s, run: 'output legs=["x","y"]'}
  train:
    needs: prepare
    runs-on: ubuntu-latest
    strategy: {matrix: {leg: '${{ fromJSON(needs.prepare.outputs.legs) }}'}}
    steps:
      - run: 'echo ${{ matrix.leg }}'
"#)
    .await;
    assert_eq!(
        ran.jobs(),
        ["prepare=success", "train (x)=success", "train (y)=success"]
    );
}

#[tokio::test]
async fn retries_run_the_job_again_in_a_fresh_environment() {
    let ran = run("
on: push
jobs:
  flaky:
    runs-on: ubuntu-latest
    retries: 2
    steps:
      - run: 'exit ${{ github.run_attempt == ''2'' && ''0'' || ''1'' }}'
")
    .await;
    assert_eq!(ran.jobs(), ["flaky=success"]);
    let starts = ran.records.iter().filter(|r| matches!(r, Record::Start(_))).count();
    assert_eq!(starts, 2);
    let finished = ran.events.iter().find_map(|e| match e {
        RunEvent::JobFinished { attempts, .. } => Some(*attempts),
        _ => None,
    });
    assert_eq!(finished, Some(2));
}

#[tokio::test]
async fn secrets_are_masked_in_output() {
    let ran = run("
on: push
jobs:
  j: {runs-on: ubuntu-latest, steps: [{run: 'echo token=${{ secrets.TOKEN }}'}]}
")
    .await;
    assert_eq!(ran.lines(), ["j: token=***"]);
}

#[tokio::test]
async fn a_label_mapped_to_nothing_fails_the_job_and_names_the_flag() {
    let ran = run("
on: push
jobs:
  mac: {runs-on: macos-latest, steps: [{run: echo hi}]}
")
    .await;
    assert_eq!(ran.jobs(), ["mac=failure"]);
    let lines = ran.lines();
    assert_eq!(
        lines,
        ["mac: job `mac` runs on [macos-latest], and no image is mapped to it. Map one with -P macos-latest=IMAGE (or -P macos-latest=host to run it on this machine)"]
    );
}

#[tokio::test]
async fn concurrent_gpu_jobs_get_disjoint_devices() {
    let ran = run_with(
        "
on: push
jobs:
  a: {runs-on: ubuntu-latest, container: {image: img, options: --gpus 2}, steps: [{run: sleep 0.2}]}
  b: {runs-on: ubuntu-latest, container: {image: img, options: --gpus 2}, steps: [{run: sleep 0.2}]}
",
        4,
        &["0", "1", "2", "3"],
    )
    .await;
    assert_eq!(ran.jobs(), ["a=success", "b=success"]);
    let specs = ran.backend.specs.lock().map(|s| s.clone()).unwrap_or_default();
    let mut ids: Vec<String> = specs.iter().flat_map(|s| s.gpus.ids()).collect();
    ids.sort();
    assert_eq!(ids, ["0", "1", "2", "3"]);
}

#[tokio::test]
async fn github_env_reaches_later_steps_and_a_broken_file_fails_its_step() {
    let ran = run("
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: envfile MODEL=resnet
      - run: 'echo ${{ env.MODEL }}'
      - id: broken
        continue-on-error: true
        run: |
          envfile NOTES<<EOF
          envfile no delimiter follows
      - run: 'echo ${{ steps.broken.outcome }}'
")
    .await;
    assert_eq!(ran.jobs(), ["j=success"]);
    let lines: Vec<String> = ran.lines().into_iter().filter(|l| !l.contains("exit code")).collect();
    assert_eq!(
        lines,
        [
            "j: resnet",
            "j: Unable to process file command 'env' successfully. Invalid value. Matching delimiter not found 'EOF'",
            "j: failure"
        ]
    );
}

/// The gate job crashes (a panic in mlci while its step runs): it is a
/// failure with its reason, the deploy after it is skipped and the run
/// fails — even with `continue-on-error` on another job, and with a matrix.
#[tokio::test]
async fn a_crashed_leg_is_a_failure_and_never_lets_deploy_run() {
    let ran = run("
on: push
jobs:
  lint: {runs-on: ubuntu-latest, continue-on-error: true, steps: [{run: exit 1}]}
  gate:
    runs-on: ubuntu-latest
    strategy: {matrix: {model: [a, b]}, fail-fast: false}
    steps: [{run: 'panic boom in ${{ matrix.model }}'}]
  deploy: {runs-on: ubuntu-latest, needs: [lint, gate], steps: [{run: echo deployed}]}
")
    .await;
    assert_eq!(ran.result, Outcome::Failure);
    assert_eq!(
        ran.jobs(),
        ["deploy=skipped", "gate (a)=failure", "gate (b)=failure", "lint=failure"]
    );
    let reasons: Vec<String> = ran
        .events
        .iter()
        .filter_map(|e| match e {
            RunEvent::JobFinished {
                job,
                reason: Some(reason),
                ..
            } if job.job == "gate" => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 2, "one JobFinished per crashed leg: {:?}", ran.events);
    for model in ["a", "b"] {
        let reason = format!("mlci crashed while running this job: boom in {model}");
        assert!(reasons.contains(&reason), "{reasons:?}");
    }
    assert!(!ran.lines().iter().any(|l| l.contains("deployed")));
}

/// A crash in one leg with fail-fast cancels the job's other legs, as a
/// failure would.
#[tokio::test]
async fn a_crashed_leg_triggers_fail_fast() {
    let ran = run("
on: push
jobs:
  train:
    runs-on: ubuntu-latest
    strategy: {matrix: {n: [1, 2]}}
    steps: [{run: \"${{ matrix.n == 1 && 'panic oops' || 'sleep 5' }}\"}]
")
    .await;
    assert_eq!(ran.result, Outcome::Failure);
    assert_eq!(ran.jobs(), ["train (1)=failure", "train (2)=cancelled"]);
}

/// Job-level `concurrency:`: two jobs of one group never overlap.
#[tokio::test]
async fn jobs_of_one_concurrency_group_run_one_at_a_time() {
    let ran = run("
on: push
jobs:
  a: {runs-on: ubuntu-latest, concurrency: deploy, steps: [{run: sleep 0.2}]}
  b: {runs-on: ubuntu-latest, concurrency: DEPLOY, steps: [{run: sleep 0.2}]}
")
    .await;
    assert_eq!(ran.result, Outcome::Success);
    assert_eq!(
        ran.records,
        [
            Record::Start("a".into()),
            Record::End("a".into()),
            Record::Start("b".into()),
            Record::End("b".into())
        ]
    );
    let waited = ran.events.iter().any(|e| {
        matches!(e, RunEvent::JobWaiting { job, reason } if job.job == "b" && reason == "waiting for concurrency group `DEPLOY`")
    });
    assert!(waited, "{:?}", ran.events);
}

/// One running, one waiting: the third leg of a group replaces the waiting
/// second, which is cancelled; with `cancel-in-progress` a newer leg
/// cancels the running one.
#[tokio::test]
async fn a_newer_job_replaces_the_waiting_one_and_may_cancel_the_running_one() {
    let ran = run("
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    concurrency: {group: train}
    strategy: {matrix: {n: [1, 2, 3]}}
    steps: [{run: sleep 0.2}]
")
    .await;
    assert_eq!(ran.result, Outcome::Cancelled);
    assert_eq!(ran.jobs(), ["t (1)=success", "t (2)=cancelled", "t (3)=success"]);

    let ran = run("
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    concurrency: {group: 'train-${{ github.ref }}', cancel-in-progress: true}
    strategy: {matrix: {n: [1, 2]}}
    steps: [{run: sleep 5}]
")
    .await;
    assert_eq!(ran.jobs(), ["t (1)=cancelled", "t (2)=success"]);
}

/// A secret in a step's name (run or skipped) or an output never reaches a
/// sink, nor does its base64 form in output.
#[tokio::test]
async fn secrets_are_masked_in_every_event_field_and_in_base64() {
    let ran = run("
on: push
jobs:
  leak:
    runs-on: ubuntu-latest
    outputs: {out: '${{ steps.s.outputs.v }}'}
    steps:
      - id: s
        name: 'print ${{ secrets.TOKEN }}'
        run: |
          echo czNjcmV0
          output v=s3cret
      - name: 'skipped ${{ secrets.TOKEN }}'
        if: false
        run: echo never
")
    .await;
    let text = serde_json::to_string(&ran.events).unwrap();
    assert!(!text.contains("s3cret"), "{text}");
    assert!(!text.contains("czNjcmV0"), "base64 of the secret shown: {text}");
    assert!(text.contains("print ***"), "{text}");
    assert!(text.contains("skipped ***"), "{text}");
}
