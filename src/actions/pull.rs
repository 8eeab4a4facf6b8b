//! Every published action a workflow needs, resolved into the action cache
//! ahead of time (`mlci actions pull`, for machines that run offline), and
//! checked against its `action.yml` (`mlci validate --actions`).

use super::action_file::{read_action_dir, Action, Runs};
use super::builtins::builtin;
use super::resolve::Resolved;
use super::settings::ActionSettings;
use crate::diag::{Diagnostic, Span};
use crate::model::{ActionRef, Step, Uses, Workflow};
use std::collections::HashSet;
use std::path::Path;

/// One action a workflow uses, resolved or not.
pub struct Needed {
    /// Where the workflow names it (nested actions: the step that nests them).
    pub span: Span,
    pub action: ActionRef,
    pub resolved: Result<(Resolved, Action), String>,
}

/// The published actions of `workflow`'s steps and of the composite
/// actions they run, one entry per step that uses one. Built-ins are left out unless the
/// settings run them as published.
pub fn resolve_workflow<'w>(workflow: &'w Workflow, settings: &ActionSettings) -> Vec<(Needed, Option<&'w Step>)> {
    let mut needed = Vec::new();
    for job in &workflow.jobs {
        for step in &job.steps {
            // Each step is checked; the resolver resolves each action once.
            let mut seen = HashSet::new();
            let found = resolve_step(step, step.span, settings, &mut seen, &mut needed);
            if let Some(index) = found {
                needed[index].1 = Some(step);
            }
        }
    }
    needed
}

/// Resolves the action `step` uses (and, for a composite, what it nests);
/// returns the index of the step's own entry.
fn resolve_step(
    step: &Step,
    span: Span,
    settings: &ActionSettings,
    seen: &mut HashSet<String>,
    needed: &mut Vec<(Needed, Option<&Step>)>,
) -> Option<usize> {
    let uses = step.uses.as_ref().filter(|u| !u.has_expression())?;
    let Ok(Uses::Published(action)) = Uses::parse(&uses.value) else {
        return None;
    };
    if builtin(&action.name()).is_some() && !settings.runs_published(&action.name()) {
        return None;
    }
    if !seen.insert(action.to_string()) {
        return None;
    }
    let resolved = settings
        .resolver
        .resolve(&action)
        .map_err(|e| e.to_string())
        .and_then(|r| read_action_dir(&r.dir(), Path::new(&action.name())).map(|a| (r, a)));
    let nested: Vec<Step> = match &resolved {
        Ok((_, metadata)) if matches!(metadata.runs, Runs::Composite { .. }) => metadata.steps().to_vec(),
        _ => Vec::new(),
    };
    needed.push((Needed { span, action, resolved }, None));
    let index = needed.len() - 1;
    for inner in &nested {
        resolve_step(inner, span, settings, seen, needed);
    }
    Some(index)
}

/// What GitHub says of a step's `with:` against the action's inputs: an
/// input that is required and neither given nor defaulted is an error, an
/// input the action does not declare a warning.
pub fn check_inputs(step: &Step, action: &Action, shown: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let span = step.uses.as_ref().map_or(step.span, |u| u.span);
    for input in &action.inputs {
        let given = step.with.keys().any(|k| k.eq_ignore_ascii_case(&input.name));
        if input.required && input.default.is_none() && !given {
            found.push(Diagnostic::error(
                span,
                format!(
                    "`{shown}` requires the input `{}`, and the step's `with:` does not give it",
                    input.name
                ),
            ));
        }
    }
    let valid: Vec<String> = action.inputs.iter().map(|i| format!("'{}'", i.name)).collect();
    for (name, value) in &step.with {
        let declared = action.inputs.iter().any(|i| i.name.eq_ignore_ascii_case(name));
        // `args` and `entrypoint` are the step's own for a Docker action.
        let docker_own = matches!(action.runs, Runs::Docker(_)) && (name == "args" || name == "entrypoint");
        if !declared && !docker_own {
            found.push(Diagnostic::warning(
                value.span,
                format!("Unexpected input '{name}', valid inputs are [{}]", valid.join(", ")),
            ));
        }
    }
    found
}
