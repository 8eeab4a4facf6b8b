//! Local composite actions (`uses: ./path/to/action`): the `action.yml` in
//! that directory read into the steps a job runs in place of the `uses` step.
//!
//! The file goes through the same YAML loader and model readers as a
//! workflow, so its steps obey the same rules and every error points at its
//! line in `action.yml` the way workflow errors do. mlci runs composite
//! actions only: JavaScript and Docker actions would need Node.js or an
//! image build, which mlci does not do.

use crate::diag::{did_you_mean, render, Diagnostic, SourceFile, Span};
use crate::load::{parse_yaml, Mapping, Node};
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

/// A composite action, ready to run: what it takes, what it gives back
/// (`outputs.<name>.value` expressions, evaluated after its steps) and its steps.
#[derive(Clone, Debug)]
pub struct CompositeAction {
    pub name: String,
    pub inputs: Vec<ActionInput>,
    pub outputs: Vec<(String, Text)>,
    pub steps: Vec<Step>,
}

/// The names GitHub looks for, in its order of preference.
const ACTION_FILES: &[&str] = &["action.yml", "action.yaml"];
const ACTION_KEYS: &[&str] = &["name", "description", "author", "inputs", "outputs", "runs", "branding"];
const INPUT_KEYS: &[&str] = &["description", "required", "default", "deprecationMessage"];
const OUTPUT_KEYS: &[&str] = &["description", "value"];
const COMPOSITE_RUNS_KEYS: &[&str] = &["using", "steps"];
/// Stands for the job id in `read_step`'s messages, which are then
/// rewritten to speak of the action instead of a job.
const STEP_OWNER: &str = "\u{1}action";

/// Loads a `uses: ./path` step's action: `uses` is taken relative to the
/// workspace, as GitHub does (also inside composite actions). Messages name
/// the action as the repository has it (`.github/actions/x/action.yml`),
/// never the workspace's place on this machine, which means nothing to the
/// reader and leaks the store's layout.
pub fn load_local_action(workspace: &Path, uses: &str) -> Result<CompositeAction, String> {
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

/// Reads the composite action in `dir`. The error is either one line (no
/// file, unreadable file) or every problem in the file, each rendered with
/// its `file:line:col` and source line.
pub fn load_action(dir: &Path) -> Result<CompositeAction, String> {
    read_action_dir(dir, dir)
}

/// Reads the action in `dir`, naming it `shown` in messages.
fn read_action_dir(dir: &Path, shown: &Path) -> Result<CompositeAction, String> {
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

/// The action, whenever its YAML parsed and it is a composite action, with
/// every problem found; the caller decides by the errors.
fn read_action(source: &SourceFile) -> (Option<CompositeAction>, Vec<Diagnostic>) {
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
    let Some(runs) = mapping.get("runs").and_then(|n| composite_runs(&mut r, n)) else {
        return (None, r.diagnostics);
    };
    let get = |key| mapping.get(key);
    let action = CompositeAction {
        name: get("name")
            .and_then(|n| r.text(n, "`name`"))
            .map(|t| t.value)
            .unwrap_or_default(),
        inputs: get("inputs").map(|n| read_inputs(&mut r, n)).unwrap_or_default(),
        outputs: get("outputs").map(|n| read_outputs(&mut r, n)).unwrap_or_default(),
        steps: runs.get("steps").map(|n| read_steps(&mut r, n)).unwrap_or_default(),
    };
    (Some(action), r.diagnostics)
}

/// `runs`, when it describes a composite action; anything else is the one
/// error worth reporting, since none of the rest can run.
fn composite_runs<'n>(r: &mut Reader, node: &'n Node) -> Option<&'n Mapping> {
    let runs = r.mapping(node, "`runs`")?;
    r.require_keys(runs, &["using"], node.span, "`runs`");
    let using = r.text(runs.get("using")?, "`runs.using`")?;
    let kind = using.value.trim().to_ascii_lowercase();
    if kind != "composite" {
        r.push(not_composite(&using, &kind));
        return None;
    }
    r.check_keys(runs, COMPOSITE_RUNS_KEYS, "`runs` of a composite action");
    r.require_keys(runs, &["steps"], node.span, "`runs`");
    Some(runs)
}

fn not_composite(using: &Text, kind: &str) -> Diagnostic {
    let written = &using.value;
    let (message, help) = if kind.starts_with("node") {
        (
            format!(
                "mlci runs composite local actions only; JavaScript actions (`using: {written}`) are not supported"
            ),
            Some(
                "mlci does not run Node.js actions; a composite action has `using: composite` and `steps`".to_string(),
            ),
        )
    } else if kind == "docker" {
        (
            format!("mlci runs composite local actions only; Docker container actions (`using: {written}`) are not supported"),
            Some("to run an image as a step, use `uses: docker://IMAGE`".to_string()),
        )
    } else {
        (
            format!("mlci runs composite local actions only, not `using: {written}`"),
            did_you_mean(kind, ["composite"]).map(|s| format!("did you mean `{s}`?")),
        )
    };
    Diagnostic::error(using.span, message).with_optional_help(help)
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

fn read_outputs(r: &mut Reader, node: &Node) -> Vec<(String, Text)> {
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
#[path = "composite_tests.rs"]
mod tests;
