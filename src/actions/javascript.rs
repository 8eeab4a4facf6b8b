//! JavaScript actions: which node runs them, and what the action's process
//! is handed (`INPUT_*`, `GITHUB_ACTION_PATH`, …). The step machinery
//! (file commands, masking, timeouts) is the same as a `run:` step's.

use super::action_file::{Action, NodeRuns};
use super::located::Located;
use crate::exec::scope::Scope;
use crate::model::{Step, Text};
use indexmap::IndexMap;
use std::path::{Path, PathBuf};

/// Where mlci's node lives in a job container: the runner image has it,
/// and other images get it mounted read-only (GitHub's `/__e`).
pub const CONTAINER_NODE_ROOT: &str = "/__e";

/// The node an action's `runs.using` asks for, and a note when it runs on
/// another (GitHub runs node12 and node16 actions on node20).
pub fn node_version(using: &str) -> (&'static str, Option<String>) {
    match using {
        "node24" => ("node24", None),
        "node20" => ("node20", None),
        old => (
            "node20",
            Some(format!(
                "`using: {old}` is no longer supported; running the action on node20, as GitHub does"
            )),
        ),
    }
}

/// The node program for a job: mlci's own in a container, the configured
/// one or `node` on PATH on the host backend.
pub fn node_program(version: &str, on_host: bool, configured: Option<&Path>) -> Result<String, String> {
    if !on_host {
        return Ok(format!("{CONTAINER_NODE_ROOT}/{version}/bin/node"));
    }
    if let Some(node) = configured {
        return Ok(node.display().to_string());
    }
    find_on_path("node").map(|p| p.display().to_string()).ok_or_else(|| {
        "this JavaScript action needs node, and the host backend found none: \
         put node (20 or later) on PATH, or pass --node PATH"
            .to_string()
    })
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The action's inputs: each `with:` value, else the input's default,
/// evaluated in the step's scope (`${{ github.token }}`). Every declared
/// input is there, empty when it has neither, as GitHub does.
pub fn action_inputs(action: &Action, step: &Step, scope: &Scope) -> Result<IndexMap<String, String>, String> {
    let mut inputs = IndexMap::new();
    for input in &action.inputs {
        let default = match &input.default {
            Some(default) => scope
                .string(&Text::detached(default.clone()))
                .map_err(|e| format!("the default of input `{}`: {e}", input.name))?,
            None => String::new(),
        };
        inputs.insert(input.name.clone(), default);
    }
    for (name, value) in &step.with {
        let value = scope.string(value).map_err(|e| format!("with `{name}`: {e}"))?;
        let declared = inputs.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned();
        inputs.insert(declared.unwrap_or_else(|| name.clone()), value);
    }
    Ok(inputs)
}

/// `INPUT_<NAME>`: spaces become `_`, letters upper case (`@actions/core`).
pub fn input_variable(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// What a JavaScript or Docker action's process gets beside the step's
/// environment.
pub fn action_env(located: &Located, inputs: &IndexMap<String, String>) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = inputs.iter().map(|(k, v)| (input_variable(k), v.clone())).collect();
    env.push(("GITHUB_ACTION_PATH".into(), located.visible_dir.clone()));
    env.push(("GITHUB_ACTION_REPOSITORY".into(), located.repository.clone()));
    env.push(("GITHUB_ACTION_REF".into(), located.git_ref.clone()));
    env
}

/// The script a JavaScript action runs for one of its stages, as the step
/// sees it.
pub fn script_path(located: &Located, script: &str) -> String {
    format!(
        "{}/{}",
        located.visible_dir.trim_end_matches('/'),
        script.trim_start_matches("./")
    )
}

/// `runs.pre`/`runs.post`, when the action has them.
pub fn stage(node: &NodeRuns, post: bool) -> Option<(&str, Option<&Text>)> {
    if post {
        node.post.as_deref().map(|s| (s, node.post_if.as_ref()))
    } else {
        node.pre.as_deref().map(|s| (s, node.pre_if.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_nodes_run_on_node20_with_a_note() {
        assert_eq!(node_version("node24"), ("node24", None));
        assert_eq!(node_version("node20"), ("node20", None));
        let (version, note) = node_version("node16");
        assert_eq!(version, "node20");
        assert_eq!(
            note.unwrap(),
            "`using: node16` is no longer supported; running the action on node20, as GitHub does"
        );
    }

    #[test]
    fn input_variables_are_named_as_actions_core_reads_them() {
        assert_eq!(input_variable("github-token"), "INPUT_GITHUB-TOKEN");
        assert_eq!(input_variable("result encoding"), "INPUT_RESULT_ENCODING");
    }

    #[test]
    fn a_container_job_runs_mlcis_node() {
        assert_eq!(node_program("node24", false, None).unwrap(), "/__e/node24/bin/node");
        assert_eq!(
            node_program("node20", true, Some(Path::new("/opt/node/bin/node"))).unwrap(),
            "/opt/node/bin/node"
        );
    }
}
