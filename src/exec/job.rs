//! One job: its matrix legs (planned when the job starts, since a matrix may
//! come from `needs` outputs), and the job's result and outputs made from
//! its legs' (gha-semantics §3.2). The dispatcher runs the legs.

use super::leg::LegResult;
use super::scope::{display, Scope};
use super::shared::RunShared;
use crate::expr::{parse_template, JsonContext, ParseOptions};
use crate::model::{Dynamic, Spanned, Text};
use crate::plan::{plan_job, PlannedLeg};
use crate::report::events::{JobKey, Outcome, RunEvent};
use serde_json::{Map, Value};

/// What the jobs that need this one see.
#[derive(Clone, Debug)]
pub struct JobResult {
    pub result: Outcome,
    pub outputs: Map<String, Value>,
    /// `continue-on-error: true` on the job: a failure does not fail the run.
    pub continue_on_error: bool,
}

impl JobResult {
    pub fn skipped() -> JobResult {
        JobResult {
            result: Outcome::Skipped,
            outputs: Map::new(),
            continue_on_error: false,
        }
    }

    /// The result as `needs.<id>.result` and `success()` see it: a failed
    /// job with `continue-on-error: true` counts as a success, as it does
    /// for the run.
    pub fn effective(&self) -> Outcome {
        match (self.result, self.continue_on_error) {
            (Outcome::Failure, true) => Outcome::Success,
            (result, _) => result,
        }
    }
}

/// A job's legs, ready for the dispatcher to start within `max_parallel`.
pub struct JobLegs {
    pub legs: Vec<PendingLeg>,
    pub max_parallel: usize,
    pub fail_fast: bool,
}

/// One leg not started yet: its key, its plan and its contexts (`matrix`
/// and `strategy` set).
pub struct PendingLeg {
    pub key: JobKey,
    pub leg: Leg,
    pub scope: Scope,
}

/// Expands the job's matrix (now that `needs` outputs are known) into legs.
/// An error is the reason the job fails before any leg starts.
pub fn plan_legs(shared: &RunShared, index: usize, scope: &Scope) -> Result<JobLegs, String> {
    let job = &shared.workflow.jobs[index];
    let key = JobKey::of_job(job);
    let planned = plan_job(job, scope.contexts(), &shared.settings.labels, &evaluate, true)?;
    if planned.legs.is_empty() {
        return Err("its matrix has no legs".to_string());
    }
    let strategy = job.strategy.as_ref();
    let fail_fast = flag(scope, strategy.and_then(|s| s.fail_fast.as_ref()), true);
    let max_parallel = strategy
        .and_then(|s| s.max_parallel.as_ref())
        .and_then(|m| number(scope, m))
        .filter(|n| *n >= 1.0)
        .map_or(planned.legs.len(), |n| n as usize);
    let total = planned.legs.len();
    let legs = planned
        .legs
        .into_iter()
        .enumerate()
        .map(|(leg_index, leg)| {
            let mut leg_scope = scope.clone();
            let matrix: Map<String, Value> = leg.matrix.clone().into_iter().collect();
            leg_scope.insert("matrix", &Value::Object(matrix));
            leg_scope.insert(
                "strategy",
                &serde_json::json!({
                    "fail-fast": fail_fast, "job-index": leg_index, "job-total": total, "max-parallel": max_parallel,
                }),
            );
            PendingLeg {
                key: JobKey {
                    job: key.job.clone(),
                    leg: leg_index,
                    name: leg.name.clone(),
                },
                leg,
                scope: leg_scope,
            }
        })
        .collect();
    Ok(JobLegs {
        legs,
        max_parallel,
        fail_fast,
    })
}

/// A job fails if any leg failed; it is cancelled if a leg was cancelled
/// and none failed. The outputs are those of the last leg to finish. Every
/// leg has a result here, a crashed one too (as a failure), so "every
/// failure was allowed to fail" is never said of an empty list.
pub fn combine(results: &[LegResult]) -> JobResult {
    let any = |o: Outcome| results.iter().any(|r| r.result == o);
    let result = if any(Outcome::Failure) || results.is_empty() {
        Outcome::Failure
    } else if any(Outcome::Cancelled) {
        Outcome::Cancelled
    } else {
        Outcome::Success
    };
    let failures: Vec<&LegResult> = results.iter().filter(|r| r.result == Outcome::Failure).collect();
    let continue_on_error = !failures.is_empty() && failures.iter().all(|r| r.continue_on_error);
    let mut outputs = Map::new();
    for leg in results {
        outputs.extend(leg.outputs.clone());
    }
    JobResult {
        result,
        outputs,
        continue_on_error,
    }
}

/// The job ends before any leg started (its matrix or `runs-on` failed to
/// evaluate): one failed leg, told as such.
pub fn fail_before_start(shared: &RunShared, key: JobKey, message: &str) -> JobResult {
    shared.emit(RunEvent::JobFinished {
        job: key,
        result: Outcome::Failure,
        attempts: 0,
        seconds: 0.0,
        outputs: Map::new(),
        reason: Some(message.to_string()),
    });
    JobResult {
        result: Outcome::Failure,
        outputs: Map::new(),
        continue_on_error: false,
    }
}

/// The evaluator plan_job uses for names, labels and matrices.
fn evaluate(text: &Text, contexts: &JsonContext) -> Result<Value, String> {
    if !text.has_expression() {
        return Ok(Value::String(text.value.clone()));
    }
    let template = parse_template(&text.value, &ParseOptions::permissive()).map_err(|e| e.to_string())?;
    template
        .evaluate(contexts)
        .map(|v| v.to_json())
        .map_err(|e| e.to_string())
}

/// A boolean key that may be an expression (`fail-fast`, `continue-on-error`).
pub fn flag(scope: &Scope, value: Option<&Spanned<Dynamic<bool>>>, default: bool) -> bool {
    match value.map(|v| &v.value) {
        None => default,
        Some(Dynamic::Fixed(b)) => *b,
        Some(Dynamic::Expression(text)) => scope.value(text).map_or(default, |v| match v {
            Value::Bool(b) => b,
            Value::String(s) => s == "true",
            other => !other.is_null(),
        }),
    }
}

/// A number key that may be an expression (`max-parallel`, `timeout-minutes`).
pub fn number(scope: &Scope, value: &Spanned<Dynamic<f64>>) -> Option<f64> {
    match &value.value {
        Dynamic::Fixed(n) => Some(*n),
        Dynamic::Expression(text) => scope.value(text).ok().and_then(|v| match v {
            Value::Number(n) => n.as_f64(),
            other => display(&other).trim().parse().ok(),
        }),
    }
}

/// Keeps the planned leg's fields the leg runner needs.
pub type Leg = PlannedLeg;
