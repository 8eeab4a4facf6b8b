//! Docker actions (`runs.using: docker`): the image — built from the
//! action's Dockerfile and tagged by the action's commit, or `docker://` —
//! and the container's arguments and environment. The container itself is
//! a step container like `uses: docker://`: the job's workspace, temp
//! folder, network and GPUs.

use super::action_file::DockerRuns;
use super::javascript::action_env;
use super::located::Located;
use crate::backend::options::split_words;
use crate::backend::LineSink;
use crate::exec::scope::Scope;
use crate::exec::step::StepContext;
use crate::exec::step_output::StepOutput;
use crate::model::Step;
use indexmap::IndexMap;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The image the action runs in, built when it is a Dockerfile.
pub async fn docker_action_image(
    cx: &StepContext<'_>,
    index: usize,
    located: &Located,
    docker: &DockerRuns,
) -> Result<String, String> {
    if let Some(image) = docker.image.strip_prefix("docker://") {
        return Ok(image.to_string());
    }
    let version = match &located.sha {
        Some(sha) => sha.get(..12).unwrap_or(sha).to_string(),
        None => folder_hash(&located.host_dir)?,
    };
    let name = if located.repository.is_empty() {
        "local"
    } else {
        &located.repository
    };
    let tag = format!("mlci-action/{}:{version}", image_name(name));
    let mut output = StepOutput::new(cx.shared, cx.key, index, false);
    let built = cx
        .env
        .build_image(&located.host_dir, &docker.image, &tag, &mut output as &mut dyn LineSink)
        .await;
    output.flush();
    built.map_err(|e| e.to_string())?;
    Ok(tag)
}

/// The action's environment: its inputs and paths, and `runs.env`
/// evaluated with `inputs` in scope.
pub fn docker_action_env(
    located: &Located,
    inputs: &IndexMap<String, String>,
    docker: &DockerRuns,
    scope: &Scope,
) -> Result<Vec<(String, String)>, String> {
    let mut env = action_env(located, inputs);
    for (name, value) in &docker.env {
        env.push((
            name.clone(),
            scope.string(value).map_err(|e| format!("runs.env `{name}`: {e}"))?,
        ));
    }
    Ok(env)
}

/// `with.args` (split as a shell would) when the step gives them, else the
/// action's `args`, each evaluated with `inputs` in scope.
pub fn docker_args(docker: &DockerRuns, step: &Step, scope: &Scope) -> Result<Vec<String>, String> {
    if let Some(args) = step.with.get("args") {
        return split_words(&scope.string(args)?);
    }
    docker
        .args
        .iter()
        .map(|arg| scope.string(arg).map_err(|e| format!("runs.args: {e}")))
        .collect()
}

/// `OWNER/REPO` as an image name: lower case, `/` kept, others `-`.
fn image_name(name: &str) -> String {
    name.chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '/' | '.' | '_' | '-') => c,
            _ => '-',
        })
        .collect()
}

/// A local action has no commit: its image is named by its files' hash.
fn folder_hash(folder: &Path) -> Result<String, String> {
    let mut files = Vec::new();
    collect(folder, folder, &mut files).map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
    files.sort();
    let mut hash = Sha256::new();
    for (name, bytes) in files {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(&bytes);
    }
    Ok(hex::encode(hash.finalize())[..12].to_string())
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        let name = path.strip_prefix(root).unwrap_or(&path).display().to_string();
        if kind.is_dir() {
            collect(root, &path, files)?;
        } else if kind.is_symlink() {
            files.push((name, std::fs::read_link(&path)?.display().to_string().into_bytes()));
        } else {
            files.push((name, std::fs::read(&path)?));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_are_what_docker_accepts() {
        assert_eq!(
            image_name("Actions/Hello-World_Docker.Action"),
            "actions/hello-world_docker.action"
        );
        assert_eq!(image_name("a b"), "a-b");
    }
}
