//! A `uses:` step, whatever it names: a built-in, a local or published
//! action (composite, JavaScript or Docker), or a `docker://` image. This
//! turns it into the program the step runs ([`Program`]) — or runs it in
//! mlci, for built-ins and composites — and registers the action's `post`
//! stage for the end of the job.

use super::action_file::{DockerRuns, NodeRuns, Runs};
use super::builtins::{builtin, inputs, run_builtin};
use super::composite_run::{run_composite, Call};
use super::docker_action::{docker_action_env, docker_action_image, docker_args};
use super::javascript::{action_env, action_inputs, node_program, node_version, script_path, stage};
use super::located::{locate_local, locate_published, Located};
use crate::backend::options::split_words;
use crate::exec::program::{run_program, ImageRun, PostStep, Program};
use crate::exec::scope::Scope;
use crate::exec::step::{step_env_only, step_title, Ended, JobState, StepContext};
use crate::model::{Step, Text, Uses};
use crate::report::events::LineKind;
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tokio::time::Instant;

/// The step being run, and where: its index and `GITHUB_ACTION`, and how
/// deep inside composite actions.
pub struct StepCall<'a> {
    pub index: usize,
    pub step: &'a Step,
    pub action_id: &'a str,
    pub depth: usize,
}

/// Runs a `uses:` step with `env` (workflow, job and step `env`).
pub async fn run_uses(
    cx: &StepContext<'_>,
    state: &mut JobState,
    scope: &mut Scope,
    call: StepCall<'_>,
    env: &IndexMap<String, String>,
    step_deadline: Option<Instant>,
) -> Result<(Ended, Map<String, Value>), String> {
    let StepCall {
        index,
        step,
        action_id,
        depth,
    } = call;
    let shared = cx.shared;
    let uses = match &step.uses {
        Some(uses) => scope.string(uses)?,
        None => return Err("the step has no `uses`".into()),
    };
    let located = match Uses::parse(&uses)? {
        Uses::Image(image) => {
            let program = image_step(&image, step, scope)?;
            return run_program(cx, state, scope, index, env, step_deadline, program).await;
        }
        Uses::Published(action) => {
            let name = action.name();
            if let Some(which) = builtin(&name).filter(|_| !shared.settings.actions.runs_published(&name)) {
                let with = inputs(step, scope)?;
                return run_builtin(cx, state, scope, index, which, with).await;
            }
            locate_published(cx, state, index, &action).await?
        }
        Uses::Local(path) => Arc::new(locate_local(cx, &path)?),
    };
    let program = match &located.action.runs {
        Runs::Composite { .. } => {
            let call = Call {
                uses: &uses,
                step,
                index,
                action_id,
                env: step_env_only(step, scope)?,
                depth,
            };
            return Box::pin(run_composite(cx, state, scope, call, &located)).await;
        }
        Runs::Node(node) => {
            if let Some(note) = node_version(&node.using).1 {
                shared.say(cx.key, Some(index), LineKind::Warning, &note);
            }
            node_stage(cx, state, scope, &located, node, step, &node.main)?
        }
        Runs::Docker(docker) => docker_stage(cx, scope, index, &located, docker, step, None).await?,
    };
    if let Some((post, condition)) = stage_program(cx, state, scope, &located, step, index, Stage::Post).await {
        state.posts.push(PostStep {
            name: format!("Post {}", step_title(step, scope)),
            condition,
            action_id: action_id.to_string(),
            program: post?,
        });
    }
    run_program(cx, state, scope, index, env, step_deadline, program).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Pre,
    Post,
}

/// The program of an action's `pre` or `post` stage and its condition
/// (`pre-if`/`post-if`), when the action has that stage.
pub async fn stage_program(
    cx: &StepContext<'_>,
    state: &JobState,
    scope: &Scope,
    located: &Located,
    step: &Step,
    index: usize,
    which: Stage,
) -> Option<(Result<Program, String>, Option<Text>)> {
    match &located.action.runs {
        Runs::Node(node) => {
            let (script, condition) = stage(node, which == Stage::Post)?;
            let program = node_stage(cx, state, scope, located, node, step, script);
            Some((program, condition.cloned()))
        }
        Runs::Docker(docker) => {
            let (entrypoint, condition) = match which {
                Stage::Pre => (docker.pre_entrypoint.as_ref()?, docker.pre_if.clone()),
                Stage::Post => (docker.post_entrypoint.as_ref()?, docker.post_if.clone()),
            };
            let program = docker_stage(cx, scope, index, located, docker, step, Some(entrypoint)).await;
            Some((program, condition))
        }
        Runs::Composite { .. } => None,
    }
}

/// `node SCRIPT` with the action's inputs and paths.
fn node_stage(
    cx: &StepContext<'_>,
    state: &JobState,
    scope: &Scope,
    located: &Located,
    node: &NodeRuns,
    step: &Step,
    script: &str,
) -> Result<Program, String> {
    let (version, _) = node_version(&node.using);
    let inputs = action_inputs(&located.action, step, scope)?;
    Ok(Program::Node {
        node: node_program(version, state.on_host, cx.shared.settings.actions.host_node.as_deref())?,
        script: script_path(located, script),
        env: action_env(located, &inputs),
    })
}

/// The action's container: its image (built when it is a Dockerfile), its
/// `args` (not for `pre`/`post` entrypoints) and `env`, with `inputs` in
/// scope; `entrypoint` for a `pre-entrypoint` or `post-entrypoint`.
async fn docker_stage(
    cx: &StepContext<'_>,
    scope: &Scope,
    index: usize,
    located: &Located,
    docker: &DockerRuns,
    step: &Step,
    entrypoint: Option<&String>,
) -> Result<Program, String> {
    let inputs = action_inputs(&located.action, step, scope)?;
    let image = docker_action_image(cx, index, located, docker).await?;
    let mut action_scope = scope.clone();
    action_scope.insert("inputs", &json!(inputs));
    let env = docker_action_env(located, &inputs, docker, &action_scope)?;
    let run = match entrypoint {
        Some(entrypoint) => ImageRun {
            image,
            args: Vec::new(),
            entrypoint: Some(entrypoint.clone()),
        },
        None => ImageRun {
            image,
            args: docker_args(docker, step, &action_scope)?,
            entrypoint: step
                .with
                .get("entrypoint")
                .map(|t| scope.string(t))
                .transpose()?
                .or_else(|| docker.entrypoint.clone()),
        },
    };
    Ok(Program::Image { run, env })
}

/// `uses: docker://IMAGE`: `with.args` split as GitHub's runner splits
/// them (quotes honoured), `with.entrypoint`, and each `with:` as `INPUT_*`.
fn image_step(image: &str, step: &Step, scope: &Scope) -> Result<Program, String> {
    let with = |key: &str| step.with.get(key).map(|t| scope.string(t)).transpose();
    let mut env = Vec::new();
    for (name, value) in &step.with {
        env.push((format!("INPUT_{}", name.to_ascii_uppercase()), scope.string(value)?));
    }
    let run = ImageRun {
        image: image.to_string(),
        args: with("args")?.map(|a| split_words(&a)).transpose()?.unwrap_or_default(),
        entrypoint: with("entrypoint")?,
    };
    Ok(Program::Image { run, env })
}
