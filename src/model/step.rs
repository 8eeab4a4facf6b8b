//! A step of a job: a `run:` script or a `uses:` action.

use super::reader::Reader;
use super::{Dynamic, Spanned, Text, Uses};
use crate::diag::Span;
use crate::load::Node;
use indexmap::IndexMap;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub id: Option<Spanned<String>>,
    pub name: Option<Text>,
    #[serde(rename = "if")]
    pub condition: Option<Text>,
    pub run: Option<Text>,
    pub uses: Option<Text>,
    pub with: IndexMap<String, Text>,
    pub env: IndexMap<String, Text>,
    pub shell: Option<Text>,
    pub working_directory: Option<Text>,
    pub continue_on_error: Option<Spanned<Dynamic<bool>>>,
    pub timeout_minutes: Option<Spanned<Dynamic<f64>>>,
    #[serde(skip)]
    pub span: Span,
}

const STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "if",
    "run",
    "uses",
    "with",
    "env",
    "shell",
    "working-directory",
    "continue-on-error",
    "timeout-minutes",
];

impl Step {
    /// How the step is shown: its name, else its `uses`, else its first `run` line.
    pub fn display_name(&self) -> String {
        if let Some(name) = &self.name {
            return name.value.clone();
        }
        if let Some(uses) = &self.uses {
            return uses.value.clone();
        }
        let first = self
            .run
            .as_ref()
            .and_then(|r| r.value.lines().next())
            .unwrap_or_default();
        format!("Run {first}")
    }
}

pub fn read_step(r: &mut Reader, node: &Node, job_id: &str, index: usize) -> Option<Step> {
    let what = format!("step {} of job `{job_id}`", index + 1);
    let mapping = r.mapping(node, &what)?;
    r.check_keys(mapping, STEP_KEYS, &what);
    let get = |key| mapping.get(key);
    let step = Step {
        id: get("id")
            .and_then(|n| r.non_empty_text(n, "a step `id`"))
            .map(|t| Spanned::new(t.value, t.span)),
        name: get("name").and_then(|n| r.text(n, "a step `name`")),
        condition: get("if").and_then(|n| r.text(n, "`if`")),
        run: get("run").and_then(|n| r.non_empty_text(n, "`run`")),
        uses: get("uses").and_then(|n| r.non_empty_text(n, "`uses`")),
        with: get("with").map(|n| r.text_map(n, "`with`")).unwrap_or_default(),
        env: get("env").map(|n| r.text_map(n, "step `env`")).unwrap_or_default(),
        shell: get("shell").and_then(|n| r.non_empty_text(n, "`shell`")),
        working_directory: get("working-directory").and_then(|n| r.non_empty_text(n, "`working-directory`")),
        continue_on_error: get("continue-on-error").and_then(|n| r.bool_or_expression(n, "`continue-on-error`")),
        timeout_minutes: get("timeout-minutes").and_then(|n| r.minutes_or_expression(n, "`timeout-minutes`")),
        span: node.span,
    };
    match (&step.run, &step.uses) {
        (Some(run), Some(_)) => r.error(
            run.span,
            format!("{what} has both `run` and `uses`; a step does one or the other"),
        ),
        (None, None) if get("run").is_none() && get("uses").is_none() => {
            r.error(node.span, format!("{what} needs either `run` or `uses`"))
        }
        _ => {}
    }
    if let Some(uses) = step.uses.as_ref().filter(|u| !u.has_expression()) {
        if let Err(message) = Uses::parse(&uses.value) {
            r.error(uses.span, message);
        }
    }
    if step.run.is_none() {
        for (key, key_node, _) in mapping.iter() {
            if key == "shell" || key == "working-directory" {
                r.error(key_node.span, format!("`{key}` is only for `run` steps"));
            }
        }
    }
    Some(step)
}
