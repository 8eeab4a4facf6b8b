//! Visits every value of a workflow that may hold an expression, with the
//! `Site` it sits at and what the job around it defines (its `needs`, the
//! step ids before it, its matrix keys), so `expressions` can check it.

use super::sites::Site;
use crate::model::{Container, Dynamic, Job, Matrix, Spanned, Text, Workflow};

/// What an expression can refer to at its place in the workflow.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// The job's direct `needs`; None outside a job.
    pub needs: Option<Vec<String>>,
    /// Ids of the steps that run before this point; None outside steps.
    pub steps: Option<Vec<String>>,
    /// The matrix keys when the matrix is written out; None when unknown.
    pub matrix_keys: Option<Vec<String>>,
}

/// One value to check: its text, whether it is an `if:` condition (a bare
/// expression even without `${{ }}`), its site and scope.
pub struct Visit<'a> {
    pub text: &'a Text,
    pub is_condition: bool,
    pub site: Site,
    pub scope: &'a Scope,
}

impl<'a> Visit<'a> {
    fn value(text: &'a Text, site: Site, scope: &'a Scope) -> Visit<'a> {
        Visit {
            text,
            is_condition: false,
            site,
            scope,
        }
    }

    fn condition(text: &'a Text, site: Site, scope: &'a Scope) -> Visit<'a> {
        Visit {
            text,
            is_condition: true,
            site,
            scope,
        }
    }
}

pub fn walk(workflow: &Workflow, mut visit: impl FnMut(Visit)) {
    let top = Scope::default();
    let mut see = |text: &Text, site: Site, scope: &Scope| visit(Visit::value(text, site, scope));
    if let Some(t) = &workflow.run_name {
        see(t, Site::RunName, &top);
    }
    if let Some(c) = &workflow.concurrency {
        see(&c.group, Site::WorkflowConcurrency, &top);
        dynamic(&c.cancel_in_progress, Site::WorkflowConcurrency, &top, &mut see);
    }
    workflow.env.values().for_each(|t| see(t, Site::WorkflowEnv, &top));
    for event in &workflow.on.events {
        event
            .call_defaults
            .iter()
            .for_each(|t| see(t, Site::CallInputDefault, &top));
        event
            .call_outputs
            .iter()
            .for_each(|t| see(t, Site::CallOutputValue, &top));
    }
    if let Some(d) = &workflow.defaults {
        d.shell
            .iter()
            .chain(&d.working_directory)
            .for_each(|t| see(t, Site::NoExpressions, &top));
    }
    for job in &workflow.jobs {
        walk_job(job, &mut visit);
    }
}

fn walk_job(job: &Job, visit: &mut impl FnMut(Visit)) {
    let mut scope = Scope {
        needs: Some(job.needs.iter().map(|n| n.value.clone()).collect()),
        steps: None,
        matrix_keys: matrix_keys(job),
    };
    if let Some(t) = &job.condition {
        visit(Visit::condition(t, Site::JobIf, &scope));
    }
    let mut see = |text: &Text, site: Site, scope: &Scope| visit(Visit::value(text, site, scope));
    if let Some(strategy) = &job.strategy {
        if let Some(Matrix::Expression(t)) = &strategy.matrix {
            see(t, Site::JobStrategy, &scope);
        }
        if let Some(Matrix::Fixed(m)) = &strategy.matrix {
            for (_, list) in &m.vectors {
                if let Dynamic::Expression(t) = list {
                    see(t, Site::JobStrategy, &scope);
                }
            }
            m.embedded_expressions
                .iter()
                .for_each(|t| see(t, Site::JobStrategy, &scope));
            for list in m.include.iter().chain(&m.exclude) {
                if let Dynamic::Expression(t) = list {
                    see(t, Site::JobStrategy, &scope);
                }
            }
        }
        dynamic(&strategy.fail_fast, Site::JobStrategy, &scope, &mut see);
        dynamic(&strategy.max_parallel, Site::JobStrategy, &scope, &mut see);
    }
    job.name.iter().for_each(|t| see(t, Site::JobSetting, &scope));
    if let Some(runs_on) = &job.runs_on {
        runs_on
            .labels
            .iter()
            .chain(&runs_on.group)
            .for_each(|t| see(t, Site::JobSetting, &scope));
    }
    dynamic(&job.timeout_minutes, Site::JobSetting, &scope, &mut see);
    dynamic(&job.continue_on_error, Site::JobSetting, &scope, &mut see);
    if let Some(c) = &job.concurrency {
        see(&c.group, Site::JobSetting, &scope);
        dynamic(&c.cancel_in_progress, Site::JobSetting, &scope, &mut see);
    }
    if let Some(e) = &job.environment {
        see(&e.name, Site::JobSetting, &scope);
    }
    job.env.values().for_each(|t| see(t, Site::JobEnv, &scope));
    if let Some(d) = &job.defaults {
        d.shell
            .iter()
            .chain(&d.working_directory)
            .for_each(|t| see(t, Site::JobDefaultsRun, &scope));
    }
    if let Some(c) = &job.container {
        container(c, &scope, &mut see);
    }
    job.services.values().for_each(|c| container(c, &scope, &mut see));
    job.services_expression
        .iter()
        .for_each(|t| see(t, Site::JobSetting, &scope));
    job.with.values().for_each(|t| see(t, Site::ReusableWith, &scope));
    if let Some(s) = &job.snapshot {
        s.condition.iter().for_each(|t| see(t, Site::SnapshotIf, &scope));
    }
    let mut prior = Vec::new();
    for step in &job.steps {
        scope.steps = Some(prior.clone());
        walk_step(step, &scope, visit);
        if let Some(id) = &step.id {
            prior.push(id.value.clone());
        }
    }
    scope.steps = Some(prior);
    let mut see = |text: &Text, site: Site, scope: &Scope| visit(Visit::value(text, site, scope));
    job.outputs.values().for_each(|t| see(t, Site::JobOutputs, &scope));
    if let Some(url) = job.environment.as_ref().and_then(|e| e.url.as_ref()) {
        see(url, Site::EnvironmentUrl, &scope);
    }
}

fn walk_step(step: &crate::model::Step, scope: &Scope, visit: &mut impl FnMut(Visit)) {
    if let Some(t) = &step.condition {
        visit(Visit::condition(t, Site::StepIf, scope));
    }
    let mut see = |text: &Text, site: Site| visit(Visit::value(text, site, scope));
    if let Some(id) = &step.id {
        let text = Text {
            value: id.value.clone(),
            span: id.span,
            style: crate::load::ScalarStyle::Plain,
        };
        see(&text, Site::NoExpressions);
    }
    // A step's `shell` is read before the step has any context.
    step.shell.iter().for_each(|t| see(t, Site::NoExpressions));
    for t in step
        .name
        .iter()
        .chain(&step.run)
        .chain(&step.uses)
        .chain(&step.working_directory)
    {
        see(t, Site::Step);
    }
    step.env
        .values()
        .chain(step.with.values())
        .for_each(|t| see(t, Site::Step));
    let mut see = |t: &Text, site: Site, _: &Scope| see(t, site);
    dynamic(&step.continue_on_error, Site::Step, scope, &mut see);
    dynamic(&step.timeout_minutes, Site::Step, scope, &mut see);
}

fn container(c: &Container, scope: &Scope, see: &mut impl FnMut(&Text, Site, &Scope)) {
    see(&c.image, Site::JobSetting, scope);
    c.options
        .iter()
        .chain(&c.ports)
        .chain(&c.volumes)
        .chain(&c.command)
        .chain(&c.entrypoint)
        .for_each(|t| see(t, Site::JobSetting, scope));
    c.env.values().for_each(|t| see(t, Site::ContainerEnv, scope));
    c.credentials.values().for_each(|t| see(t, Site::Credentials, scope));
}

fn dynamic<T>(
    value: &Option<Spanned<Dynamic<T>>>,
    site: Site,
    scope: &Scope,
    see: &mut impl FnMut(&Text, Site, &Scope),
) {
    if let Some(Spanned {
        value: Dynamic::Expression(t),
        ..
    }) = value
    {
        see(t, site, scope);
    }
}

/// The keys a written-out matrix defines: its vectors and every include key.
fn matrix_keys(job: &Job) -> Option<Vec<String>> {
    let Some(Matrix::Fixed(m)) = job.strategy.as_ref()?.matrix.as_ref() else {
        return job.strategy.as_ref().map_or(Some(Vec::new()), |_| None);
    };
    let mut keys: Vec<String> = m.vectors.iter().map(|(k, _)| k.value.clone()).collect();
    match &m.include {
        Some(Dynamic::Fixed(entries)) => {
            for entry in entries {
                if let Some(object) = entry.as_object() {
                    keys.extend(object.keys().cloned());
                }
            }
        }
        Some(Dynamic::Expression(_)) => return None,
        None => {}
    }
    if m.vectors.iter().any(|(_, v)| matches!(v, Dynamic::Expression(_))) {
        return None;
    }
    Some(keys)
}
