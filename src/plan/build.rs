//! The plan of one triggered workflow: its jobs in dependency order, each
//! with its matrix legs expanded and the labels and image of every leg.
//!
//! Values that hold expressions (a leg's name, `runs-on: ${{ matrix.os }}`,
//! a matrix from `fromJSON(...)`) are evaluated here with what is known
//! before anything runs: `github`, `inputs`, `vars`, `matrix`, `strategy`.
//! A matrix that reads `needs` outputs stays unexpanded until those jobs
//! have finished.

use super::graph::JobGraph;
use super::labels::{LabelMap, LabelTarget};
use super::matrix::{expand_named, MatrixLeg};
use super::matrix_spec::MatrixSpec;
use crate::expr::JsonContext;
use crate::model::{Dynamic, Job, Matrix, Text, Workflow};
use serde::Serialize;
use serde_json::{Map, Value};

/// Evaluates a workflow string (which may hold `${{ }}`) against contexts.
pub type Evaluate<'a> = &'a dyn Fn(&Text, &JsonContext) -> Result<Value, String>;

#[derive(Clone, Debug, Serialize)]
pub struct PlannedJob {
    pub id: String,
    pub needs: Vec<String>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    pub legs: Vec<PlannedLeg>,
    /// Set when the matrix waits for the outputs of jobs it needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deferred_matrix: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlannedLeg {
    pub name: String,
    #[serde(skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub matrix: MatrixLeg,
    pub runs_on: Vec<String>,
    /// The image the leg runs in; None when no label maps to one.
    pub image: Option<String>,
    /// Whether its labels send the leg to Slurm (`-P LABEL=slurm:…`); the
    /// image is then its `container:`'s, or `slurm` without one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub slurm: bool,
}

/// Plans every job (or only `only` and the jobs it needs, transitively).
pub fn plan_jobs(
    workflow: &Workflow,
    graph: &JobGraph,
    contexts: &Map<String, Value>,
    labels: &LabelMap,
    only: Option<&str>,
    evaluate: Evaluate,
) -> Result<Vec<PlannedJob>, String> {
    let wanted: Option<Vec<usize>> = match only {
        None => None,
        Some(id) => {
            let index = graph.index_of(id).ok_or_else(|| {
                let ids: Vec<&str> = workflow.jobs.iter().map(|j| j.id.value.as_str()).collect();
                format!(
                    "there is no job `{id}` in {}; its jobs are {}",
                    workflow.display_name(),
                    ids.join(", ")
                )
            })?;
            let mut set = graph.ancestors(index);
            set.push(index);
            Some(set)
        }
    };
    // Built once: legs clone it (cheaply) and add `matrix` and `strategy`.
    let host = JsonContext::new(contexts.clone());
    let mut jobs = Vec::new();
    for &index in graph.order() {
        if wanted.as_ref().is_some_and(|w| !w.contains(&index)) {
            continue;
        }
        if let Some(job) = workflow.jobs.get(index) {
            jobs.push(plan_job(job, &host, labels, evaluate, false)?);
        }
    }
    Ok(jobs)
}

/// Plans one job. `needs_known` is set at run time, once the jobs it needs
/// have finished and `contexts` holds their outputs: a matrix that reads
/// them is then expanded instead of deferred.
pub fn plan_job(
    job: &Job,
    contexts: &JsonContext,
    labels: &LabelMap,
    evaluate: Evaluate,
    needs_known: bool,
) -> Result<PlannedJob, String> {
    let mut planned = PlannedJob {
        id: job.id.value.clone(),
        needs: job.needs.iter().map(|n| n.value.clone()).collect(),
        condition: job.condition.as_ref().map(|c| c.value.clone()),
        legs: Vec::new(),
        deferred_matrix: None,
    };
    let legs = match matrix_spec(job, contexts, evaluate, needs_known)? {
        MatrixPlan::None => vec![(MatrixLeg::new(), job.id.value.clone())],
        MatrixPlan::Deferred(text) => {
            planned.deferred_matrix = Some(text);
            return Ok(planned);
        }
        MatrixPlan::Spec(spec) => {
            expand_named(&spec, &job.id.value).map_err(|e| format!("the matrix of job `{}`: {e}", job.id.value))?
        }
    };
    let total = legs.len();
    for (index, (leg, default_name)) in legs.into_iter().enumerate() {
        let mut leg_contexts = contexts.clone();
        leg_contexts.insert("matrix", &Value::Object(leg.clone().into_iter().collect()));
        leg_contexts.insert("strategy", &serde_json::json!({"job-index": index, "job-total": total}));
        let text = |t: &Text| {
            evaluate(t, &leg_contexts)
                .map(|v| display(&v))
                .unwrap_or_else(|_| t.value.clone())
        };
        let name = match &job.name {
            Some(name) => text(name),
            None => default_name,
        };
        let runs_on: Vec<String> = job.runs_on.iter().flat_map(|r| r.labels.iter().map(text)).collect();
        // An image that evaluates to empty (a matrix value left out) means
        // no container, as on GitHub: the labels decide.
        let image = match job
            .container
            .as_ref()
            .map(|c| text(&c.image))
            .filter(|i| !i.trim().is_empty())
        {
            Some(image) => Some(image),
            None => labels.resolve(&runs_on).map(str::to_string),
        };
        let slurm = matches!(labels.target(&runs_on), Some(LabelTarget::Slurm { .. }));
        planned.legs.push(PlannedLeg {
            name,
            matrix: leg,
            runs_on,
            image,
            slurm,
        });
    }
    Ok(planned)
}

enum MatrixPlan {
    None,
    Deferred(String),
    Spec(MatrixSpec),
}

/// The job's matrix as a spec to expand, evaluating expressions that need
/// nothing from other jobs.
fn matrix_spec(job: &Job, contexts: &JsonContext, evaluate: Evaluate, needs_known: bool) -> Result<MatrixPlan, String> {
    let Some(matrix) = job.strategy.as_ref().and_then(|s| s.matrix.as_ref()) else {
        return Ok(MatrixPlan::None);
    };
    let needs_outputs = |t: &Text| !needs_known && t.value.contains("needs.");
    let eval = |t: &Text| evaluate(t, contexts).map_err(|e| format!("the matrix of job `{}`: {e}", job.id.value));
    match matrix {
        Matrix::Expression(text) if needs_outputs(text) => Ok(MatrixPlan::Deferred(text.value.clone())),
        Matrix::Expression(text) => {
            let value = eval(text)?;
            MatrixSpec::from_json(&value)
                .map(MatrixPlan::Spec)
                .map_err(|e| format!("the matrix of job `{}`: {e}", job.id.value))
        }
        Matrix::Fixed(fixed) => {
            let mut object = Map::new();
            let mut lists: Vec<(String, &Dynamic<Vec<Value>>)> =
                fixed.vectors.iter().map(|(k, v)| (k.value.clone(), v)).collect();
            lists.extend(fixed.include.iter().map(|v| ("include".to_string(), v)));
            lists.extend(fixed.exclude.iter().map(|v| ("exclude".to_string(), v)));
            for (key, list) in lists {
                let value = match list {
                    Dynamic::Fixed(values) => Value::Array(values.clone()),
                    Dynamic::Expression(text) if needs_outputs(text) => {
                        return Ok(MatrixPlan::Deferred(text.value.clone()))
                    }
                    Dynamic::Expression(text) => eval(text)?,
                };
                object.insert(key, value);
            }
            MatrixSpec::from_json(&Value::Object(object))
                .map(MatrixPlan::Spec)
                .map_err(|e| format!("the matrix of job `{}`: {e}", job.id.value))
        }
    }
}

/// A value as it reads inside a label or name.
fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
