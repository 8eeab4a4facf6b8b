//! The `pre` and `post` stages of a job's actions, each shown and recorded
//! as a step of its own (`Pre NAME`, `Post NAME`): the `pre` stages before
//! the job's first step, the `post` stages after its last, in reverse
//! order, after failures too (`post-if` defaults to `always()`). A failing
//! stage fails the job, as on GitHub.

use super::program::{run_program, Program};
use super::scope::Scope;
use super::step::{outcome_of, prepare_scope, step_title, Ended, JobState, StepContext};
use crate::actions::builtins::builtin;
use crate::actions::located::locate_published;
use crate::actions::run_uses::{stage_program, Stage};
use crate::model::{Step, Text, Uses};
use crate::report::events::{LineKind, Outcome, RunEvent};

/// Resolves the job's published actions (GitHub's "Set up job" downloads
/// them all first) and runs the `pre` stages they have, numbered after the
/// job's steps. Returns the next free step number. An action that cannot
/// be resolved is left to fail its own step, with the reason.
pub async fn run_pres(cx: &StepContext<'_>, state: &mut JobState, scope: &mut Scope, steps: &[Step]) -> usize {
    let mut index = steps.len();
    for (n, step) in steps.iter().enumerate() {
        let Some(uses) = step.uses.as_ref().and_then(|u| scope.string(u).ok()) else {
            continue;
        };
        let Ok(Uses::Published(action)) = Uses::parse(&uses) else {
            continue;
        };
        if builtin(&action.name()).is_some() && !cx.shared.settings.actions.runs_published(&action.name()) {
            continue;
        }
        let Ok(located) = locate_published(cx, state, n, &action).await else {
            continue;
        };
        let Some((program, condition)) = stage_program(cx, state, scope, &located, step, n, Stage::Pre).await else {
            continue;
        };
        let name = format!("Pre {}", step_title(step, scope));
        let action_id = state.step_ids.get(n).cloned().unwrap_or_default();
        run_stage(cx, state, scope, index, (name, condition, action_id), program).await;
        index += 1;
    }
    index
}

/// The `post` stages of the actions that ran, last first, numbered from
/// `first`.
pub async fn run_posts(cx: &StepContext<'_>, state: &mut JobState, scope: &mut Scope, first: usize) {
    let posts = std::mem::take(&mut state.posts);
    for (n, post) in posts.into_iter().rev().enumerate() {
        let stage = (post.name, post.condition, post.action_id);
        run_stage(cx, state, scope, first + n, stage, Ok(post.program)).await;
    }
}

/// Runs one stage, (name, condition, the action's `GITHUB_ACTION`), as
/// step `index`: its condition, events and outcome.
async fn run_stage(
    cx: &StepContext<'_>,
    state: &mut JobState,
    scope: &mut Scope,
    index: usize,
    (name, condition, action_id): (String, Option<Text>, String),
    program: Result<Program, String>,
) {
    let shared = cx.shared;
    prepare_scope(cx, state, scope, &action_id);
    let always = Text::detached("always()");
    let job = cx.key.clone();
    match scope.condition(Some(condition.as_ref().unwrap_or(&always))) {
        Ok(true) => {}
        Ok(false) => {
            let reason = format!("`{}` is false", condition.map_or(always.value, |c| c.value));
            shared.emit(RunEvent::StepSkipped {
                job,
                step: index,
                name,
                reason,
            });
            return;
        }
        Err(e) => {
            shared.emit(RunEvent::StepStarted { job, step: index, name });
            shared.say(cx.key, Some(index), LineKind::Error, &format!("`if`: {e}"));
            state.failed = true;
            return;
        }
    }
    let started = std::time::Instant::now();
    shared.emit(RunEvent::StepStarted {
        job: job.clone(),
        step: index,
        name: name.clone(),
    });
    let env = state.env.clone();
    let ended = match program {
        Ok(program) => match run_program(cx, state, scope, index, &env, None, program).await {
            Ok((ended, _)) => ended,
            Err(message) => Ended::Error(message),
        },
        Err(message) => Ended::Error(message),
    };
    // A stage has no timeout of its own, only the job's.
    let (outcome, exit_code) = outcome_of(cx, state, index, ended, String::new);
    if outcome == Outcome::Failure {
        state.failed = true;
    }
    shared.emit(RunEvent::StepFinished {
        job,
        step: index,
        name,
        outcome,
        conclusion: outcome,
        exit_code,
        seconds: started.elapsed().as_secs_f64(),
    });
}
