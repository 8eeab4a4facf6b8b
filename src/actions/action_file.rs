//! An action's `action.yml`: its inputs and outputs, and how it runs — a
//! composite action's steps, a JavaScript action's `main`/`pre`/`post`
//! scripts, or a Docker action's image and entrypoints.
//!
//! The file goes through the same YAML loader and model readers as a
//! workflow, so a composite action's steps obey the same rules and every
//! error points at its line in `action.yml` the way workflow errors do.

use crate::diag::{did_you_mean, render, Diagnostic, SourceFile, Span};
use crate::load::{parse_yaml, Node};
use crate::model::{is_valid_id, read_step, Reader, Step, Text};
use std::path::{Path, PathBuf};

/// One of the action's `inputs`, which its steps read as `inputs.<name>`.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionInput {
    pub name: String,
    pub default: Option<String>,
    /// As declared. GitHub only documents it: a caller that leaves a
    /// required input out still runs the action, with the default.
    pub required: bool,
}

/// An action, ready to run: what it takes, what a composite action gives
/// back (`outputs.<name>.value` expressions, evaluated after its steps; a
/// JavaScript or Docker action sets its outputs through `$GITHUB_OUTPUT`),
/// and how it runs.
#[derive(Clone, Debug)]
pub struct Action {
    pub name: String,
    pub inputs: Vec<ActionInput>,
    pub outputs: Vec<(String, Text)>,
    pub runs: Runs,
}

#[derive(Clone, Debug)]
pub enum Runs {
    Composite { steps: Vec<Step> },
    Node(NodeRuns),
    Docker(DockerRuns),
}

/// `runs:` of a JavaScript action: scripts relative to the action's folder.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRuns {
    /// `node12`, `node16`, `node20` or `node24`, as written (lower case).
    pub using: String,
    pub main: String,
    pub pre: Option<String>,
    pub post: Option<String>,
    /// `pre-if` and `post-if`; both default to `always()`.
    pub pre_if: Option<Text>,
    pub post_if: Option<Text>,
}

/// `runs:` of a Docker action.
#[derive(Clone, Debug, PartialEq)]
pub struct DockerRuns {
    /// `Dockerfile` (a path in the action's folder) or `docker://IMAGE`.
    pub image: String,
    pub entrypoint: Option<String>,
    pub args: Vec<Text>,
    pub env: Vec<(String, Text)>,
    pub pre_entrypoint: Option<String>,
    pub post_entrypoint: Option<String>,
    pub pre_if: Option<Text>,
    pub post_if: Option<Text>,
}

impl Action {
    /// A composite action's steps; none for the other kinds.
    pub fn steps(&self) -> &[Step] {
        match &self.runs {
            Runs::Composite { steps } => steps,
            _ => &[],
        }
    }
}

/// The names GitHub looks for, in its order of preference.
const ACTION_FILES: &[&str] = &["action.yml", "action.yaml"];
const ACTION_KEYS: &[&str] = &["name", "description", "author", "inputs", "outputs", "runs", "branding"];
const INPUT_KEYS: &[&str] = &["description", "required", "default", "deprecationMessage"];
const OUTPUT_KEYS: &[&str] = &["description", "value"];
const COMPOSITE_RUNS_KEYS: &[&str] = &["using", "steps"];
const NODE_RUNS_KEYS: &[&str] = &["using", "main", "pre", "post", "pre-if", "post-if"];
const DOCKER_RUNS_KEYS: &[&str] = &[
    "using",
    "image",
    "entrypoint",
    "args",
    "env",
    "pre-entrypoint",
    "post-entrypoint",
    "pre-if",
    "post-if",
];
/// The `runs.using` values GitHub knows.
const USING: &[&str] = &["composite", "node12", "node16", "node20", "node24", "docker"];
/// Stands for the job id in `read_step`'s messages, which are then
/// rewritten to speak of the action instead of a job.
const STEP_OWNER: &str = "\u{1}action";

/// Loads a `uses: ./path` step's action: `uses` is taken relative to the
/// workspace, as GitHub does (also inside composite actions). Messages name
/// the action as the repository has it (`.github/actions/x/action.yml`),
/// never the workspace's place on this machine, which means nothing to the
/// reader and leaks the store's layout.
pub fn load_local_action(workspace: &Path, uses: &str) -> Result<Action, String> {
    let relative = in_repository(uses);
    let dir = workspace.join(&relative);
    if !has_action_file(&dir) {
        return Err(missing_local_action(uses));
    }
    read_action_dir(&dir, Path::new(&relative))
}

/// The error for a `uses: ./path` whose directory holds no action file.
pub fn missing_local_action(uses: &str) -> String {
    format!(
        "local action {uses} not found: no action.yml or action.yaml at {} in the workspace",
        in_repository(uses)
    )
}

/// `uses: ./a/b/` as a path inside the repository: `a/b`.
fn in_repository(uses: &str) -> String {
    let trimmed = uses.trim_start_matches("./").trim_end_matches('/');
    if trimmed.is_empty() {
        ".".into()
    } else {
        trimmed.into()
    }
}

/// Whether `dir` holds an `action.yml` or `action.yaml`.
pub fn has_action_file(dir: &Path) -> bool {
    action_file(dir).is_some()
}

/// Reads the action in `dir`. The error is either one line (no file,
/// unreadable file) or every problem in the file, each rendered with its
/// `file:line:col` and source line.
pub fn load_action(dir: &Path) -> Result<Action, String> {
    read_action_dir(dir, dir)
}

/// Reads the action in `dir`, naming it `shown` in messages (a published
/// action as `OWNER/REPO/action.yml`, never the cache's place).
pub fn read_action_dir(dir: &Path, shown: &Path) -> Result<Action, String> {
    let path = action_file(dir).ok_or_else(|| no_action_file(shown))?;
    let shown_file = shown.join(path.file_name().map(PathBuf::from).unwrap_or_default());
    let bytes = std::fs::read(&path).map_err(|e| format!("failed to read {}: {e}", shown_file.display()))?;
    let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let source = SourceFile::new(shown_file, text);
    let (action, mut diagnostics) = read_action(&source);
    diagnostics.sort_by_key(|d| d.span);
    diagnostics.dedup();
    match action {
        Some(mut action) if !diagnostics.iter().any(Diagnostic::is_error) => {
            if action.name.is_empty() {
                action.name = shown.display().to_string();
            }
            Ok(action)
        }
        _ => Err(diagnostics
            .iter()
            .map(|d| render(d, &source))
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

fn action_file(dir: &Path) -> Option<PathBuf> {
    ACTION_FILES.iter().map(|name| dir.join(name)).find(|p| p.is_file())
}

fn no_action_file(dir: &Path) -> String {
    format!("there is no action.yml or action.yaml in {}", dir.display())
}

/// The action, whenever its YAML parsed and its `runs` is of a known kind,
/// with every problem found; the caller decides by the errors.
fn read_action(source: &SourceFile) -> (Option<Action>, Vec<Diagnostic>) {
    let loaded = parse_yaml(&source.text);
    let mut r = Reader {
        diagnostics: loaded.diagnostics,
    };
    let Some(root) = loaded.root else {
        if r.diagnostics.is_empty() {
            r.error(Span::file_start(), "the action file is empty");
        }
        return (None, r.diagnostics);
    };
    let Some(mapping) = r.mapping(&root, "an action") else {
        return (None, r.diagnostics);
    };
    r.check_keys(mapping, ACTION_KEYS, "the action");
    r.require_keys(mapping, &["runs"], Span::file_start(), "the action");
    let Some(runs) = mapping.get("runs").and_then(|n| read_runs(&mut r, n)) else {
        return (None, r.diagnostics);
    };
    let composite = matches!(runs, Runs::Composite { .. });
    let get = |key| mapping.get(key);
    let action = Action {
        name: get("name")
            .and_then(|n| r.text(n, "`name`"))
            .map(|t| t.value)
            .unwrap_or_default(),
        inputs: get("inputs").map(|n| read_inputs(&mut r, n)).unwrap_or_default(),
        outputs: get("outputs")
            .map(|n| read_outputs(&mut r, n, composite))
            .unwrap_or_default(),
        runs,
    };
    (Some(action), r.diagnostics)
}

/// `runs`, of whichever kind `using` names; an unknown kind is the one
/// error worth reporting, since none of the rest can run.
fn read_runs(r: &mut Reader, node: &Node) -> Option<Runs> {
    let runs = r.mapping(node, "`runs`")?;
    r.require_keys(runs, &["using"], node.span, "`runs`");
    let using = r.text(runs.get("using")?, "`runs.using`")?;
    let kind = using.value.trim().to_ascii_lowercase();
    let text = |r: &mut Reader, key: &str| runs.get(key).and_then(|n| r.text(n, &format!("`runs.{key}`")));
    let string = |r: &mut Reader, key: &str| text(r, key).map(|t| t.value);
    match kind.as_str() {
        "composite" => {
            r.check_keys(runs, COMPOSITE_RUNS_KEYS, "`runs` of a composite action");
            r.require_keys(runs, &["steps"], node.span, "`runs`");
            let steps = runs.get("steps").map(|n| read_steps(r, n)).unwrap_or_default();
            Some(Runs::Composite { steps })
        }
        "node12" | "node16" | "node20" | "node24" => {
            r.check_keys(runs, NODE_RUNS_KEYS, "`runs` of a JavaScript action");
            r.require_keys(runs, &["main"], node.span, "`runs`");
            Some(Runs::Node(NodeRuns {
                using: kind,
                main: string(r, "main")?,
                pre: string(r, "pre"),
                post: string(r, "post"),
                pre_if: text(r, "pre-if"),
                post_if: text(r, "post-if"),
            }))
        }
        "docker" => {
            r.check_keys(runs, DOCKER_RUNS_KEYS, "`runs` of a Docker action");
            r.require_keys(runs, &["image"], node.span, "`runs`");
            let args = match runs.get("args") {
                Some(node) => r
                    .sequence(node, "`runs.args`")
                    .map(|items| items.iter().filter_map(|n| r.text(n, "an argument")).collect())
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let env = runs
                .get("env")
                .map(|n| r.text_map(n, "`runs.env`"))
                .unwrap_or_default()
                .into_iter()
                .collect();
            Some(Runs::Docker(DockerRuns {
                image: string(r, "image")?,
                entrypoint: string(r, "entrypoint"),
                args,
                env,
                pre_entrypoint: string(r, "pre-entrypoint"),
                post_entrypoint: string(r, "post-entrypoint"),
                pre_if: text(r, "pre-if"),
                post_if: text(r, "post-if"),
            }))
        }
        _ => {
            let help = did_you_mean(&kind, USING.iter().copied()).map(|s| format!("did you mean `{s}`?"));
            let message = format!(
                "`runs.using: {}` is not a kind of action; it is one of {}",
                using.value,
                USING.join(", ")
            );
            r.push(Diagnostic::error(using.span, message).with_optional_help(help));
            None
        }
    }
}

fn read_inputs(r: &mut Reader, node: &Node) -> Vec<ActionInput> {
    let mut inputs = Vec::new();
    if node.is_null() {
        return inputs;
    }
    let Some(mapping) = r.mapping(node, "`inputs`") else {
        return inputs;
    };
    for (name, _, value) in mapping.iter() {
        let what = format!("input `{name}`");
        let mut input = ActionInput {
            name: name.to_string(),
            default: None,
            required: false,
        };
        if !value.is_null() {
            if let Some(settings) = r.mapping(value, &what) {
                r.check_keys(settings, INPUT_KEYS, &what);
                input.default = settings
                    .get("default")
                    .filter(|n| !n.is_null())
                    .and_then(|n| r.text(n, &format!("`default` of {what}")))
                    .map(|t| t.value);
                input.required = settings
                    .get("required")
                    .and_then(|n| r.text(n, &format!("`required` of {what}")))
                    .is_some_and(|t| t.value.trim().eq_ignore_ascii_case("true"));
            }
        }
        inputs.push(input);
    }
    inputs
}

/// The outputs whose values a composite action declares; a JavaScript or
/// Docker action's outputs have a description only.
fn read_outputs(r: &mut Reader, node: &Node, composite: bool) -> Vec<(String, Text)> {
    let mut outputs = Vec::new();
    if node.is_null() {
        return outputs;
    }
    let Some(mapping) = r.mapping(node, "`outputs`") else {
        return outputs;
    };
    for (name, key, value) in mapping.iter() {
        let what = format!("output `{name}`");
        let Some(settings) = r.mapping(value, &what) else {
            continue;
        };
        r.check_keys(settings, OUTPUT_KEYS, &what);
        if !composite {
            continue;
        }
        r.require_keys(settings, &["value"], key.span, &what);
        if let Some(text) = settings
            .get("value")
            .and_then(|n| r.text(n, &format!("`value` of {what}")))
        {
            outputs.push((name.to_string(), text));
        }
    }
    outputs
}

/// The steps, read by the workflow's step reader, plus what composite
/// actions add: a `run` step names its shell, there is no `timeout-minutes`,
/// and step ids are unique (outputs refer to them).
fn read_steps(r: &mut Reader, node: &Node) -> Vec<Step> {
    let Some(items) = r.sequence(node, "`runs.steps`") else {
        return Vec::new();
    };
    let mut steps: Vec<Step> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let first_new = r.diagnostics.len();
        let step = read_step(r, item, STEP_OWNER, index);
        for diagnostic in &mut r.diagnostics[first_new..] {
            diagnostic.message = diagnostic
                .message
                .replace(&format!("of job `{STEP_OWNER}`"), "of the action");
        }
        let Some(step) = step else { continue };
        check_composite_step(r, &step, index, &steps);
        steps.push(step);
    }
    steps
}

fn check_composite_step(r: &mut Reader, step: &Step, index: usize, earlier: &[Step]) {
    if step.run.is_some() && step.shell.is_none() {
        r.push(
            Diagnostic::error(step.span, "Required property is missing: shell").with_help(format!(
                "step {} of the action runs a script; in a composite action every `run` step names its shell, \
                 e.g. `shell: bash`",
                index + 1
            )),
        );
    }
    if let Some(timeout) = &step.timeout_minutes {
        r.error(
            timeout.span,
            "`timeout-minutes` is not supported in a composite action's steps",
        );
    }
    if let Some(id) = step.id.as_ref().filter(|id| !id.value.contains("${{")) {
        if !is_valid_id(&id.value) {
            r.error(
                id.span,
                format!(
                    "invalid step id `{}`: it must start with a letter or `_` and hold only letters, digits, `-` and `_`",
                    id.value
                ),
            );
        }
        let used_before = earlier
            .iter()
            .filter_map(|s| s.id.as_ref())
            .any(|s| s.value.eq_ignore_ascii_case(&id.value));
        if used_before {
            r.error(id.span, format!("step id `{}` is used twice in the action", id.value));
        }
    }
}

#[cfg(test)]
#[path = "action_file_tests.rs"]
mod tests;
