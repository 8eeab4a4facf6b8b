//! `on:` — the events that trigger a workflow, with their filters,
//! schedules and dispatch inputs. Only structure is checked here; pattern,
//! cron and timezone syntax are checked by `check`.

use super::events::{event, events_with_filter, is_known_filter, EVENTS};
use super::reader::Reader;
use super::{Spanned, Text};
use crate::diag::{did_you_mean, Diagnostic, Span};
use crate::load::{Node, NodeValue};
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Triggers {
    pub events: Vec<EventTrigger>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventTrigger {
    pub name: Spanned<String>,
    pub types: Vec<Text>,
    pub filters: Vec<Filter>,
    pub schedules: Vec<CronEntry>,
    pub inputs: Vec<Input>,
    /// `workflow_call`: input defaults and output values that hold expressions.
    #[serde(skip)]
    pub call_defaults: Vec<Text>,
    #[serde(skip)]
    pub call_outputs: Vec<Text>,
}

/// One filter key of an event: `branches: [main, 'releases/**']`.
#[derive(Clone, Debug, Serialize)]
pub struct Filter {
    pub key: Spanned<String>,
    pub patterns: Vec<Text>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CronEntry {
    pub cron: Text,
    pub timezone: Option<Text>,
}

/// A `workflow_dispatch` or `workflow_call` input.
#[derive(Clone, Debug, Serialize)]
pub struct Input {
    pub id: Spanned<String>,
    pub description: Option<Text>,
    pub required: bool,
    pub default: Option<serde_json::Value>,
    #[serde(rename = "type")]
    pub kind: String,
    pub options: Vec<Text>,
}

/// GitHub's limit on `workflow_dispatch` inputs.
const MAX_DISPATCH_INPUTS: usize = 25;

impl Triggers {
    pub fn event(&self, name: &str) -> Option<&EventTrigger> {
        self.events.iter().find(|e| e.name.value == name)
    }
}

impl EventTrigger {
    pub fn filter(&self, key: &str) -> Option<&Filter> {
        self.filters.iter().find(|f| f.key.value == key)
    }
}

pub fn read_triggers(r: &mut Reader, node: &Node) -> Triggers {
    let mut triggers = Triggers::default();
    match &node.value {
        NodeValue::Scalar(_) => {
            if let Some(name) = r.non_empty_text(node, "`on`") {
                push_event(r, &mut triggers, Spanned::new(name.value, node.span), None);
            }
        }
        NodeValue::Sequence(items) => {
            for item in items {
                if let Some(name) = r.non_empty_text(item, "an event in `on`") {
                    push_event(r, &mut triggers, Spanned::new(name.value, item.span), None);
                }
            }
        }
        NodeValue::Mapping(mapping) => {
            for (name, key, config) in mapping.iter() {
                push_event(r, &mut triggers, Spanned::new(name.to_string(), key.span), Some(config));
            }
        }
    }
    triggers
}

fn push_event(r: &mut Reader, triggers: &mut Triggers, name: Spanned<String>, config: Option<&Node>) {
    let Some(kind) = event(&name.value) else {
        let help = did_you_mean(&name.value, EVENTS.iter().map(|e| e.name)).map(|s| format!("did you mean `{s}`?"));
        r.push(Diagnostic::error(name.span, format!("unknown event `{}`", name.value)).with_optional_help(help));
        return;
    };
    let mut trigger = EventTrigger {
        name,
        types: Vec::new(),
        filters: Vec::new(),
        schedules: Vec::new(),
        inputs: Vec::new(),
        call_defaults: Vec::new(),
        call_outputs: Vec::new(),
    };
    let config = config.filter(|c| !c.is_null());
    match (kind.name, config) {
        ("schedule", Some(config)) => trigger.schedules = read_schedules(r, config),
        ("schedule", None) => r.error(
            trigger.name.span,
            "the schedule event must be configured with a sequence of `cron:` entries",
        ),
        (_, None) => {}
        (_, Some(config)) => read_event_config(r, &mut trigger, kind, config),
    }
    triggers.events.push(trigger);
}

fn read_event_config(r: &mut Reader, trigger: &mut EventTrigger, kind: &super::events::EventKind, config: &Node) {
    let what = format!("the `{}` event", kind.name);
    let Some(mapping) = r.mapping(config, &what) else {
        return;
    };
    for (key, key_node, value) in mapping.iter() {
        let key_span = key_node.span;
        match key {
            // `repository_dispatch` types are the sender's own names.
            "types" if kind.name == "repository_dispatch" => {
                trigger.types.extend(r.text_list(value, "`types`"));
            }
            "types" if !kind.types.is_empty() => {
                for t in r.text_list(value, "`types`") {
                    if !kind.types.contains(&t.value.as_str()) {
                        let list = kind
                            .types
                            .iter()
                            .map(|t| format!("`{t}`"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        r.error(
                            t.span,
                            format!(
                                "invalid activity type `{}` for the `{}` event; it takes {list}",
                                t.value, kind.name
                            ),
                        );
                    }
                    trigger.types.push(t);
                }
            }
            "inputs" if kind.name == "workflow_dispatch" || kind.name == "workflow_call" => {
                trigger.inputs = read_inputs(r, value, kind.name == "workflow_dispatch", trigger.name.span);
                if kind.name == "workflow_call" {
                    let specs = value.as_mapping().map(|m| m.entries.as_slice()).unwrap_or_default();
                    for default in specs.iter().filter_map(|(_, s)| s.as_mapping()?.get("default")) {
                        trigger.call_defaults.extend(r.whole_expression(default));
                    }
                }
            }
            "outputs" if kind.name == "workflow_call" => read_call_outputs(r, trigger, value),
            "secrets" if kind.name == "workflow_call" => {
                r.mapping(value, "`secrets` of workflow_call");
            }
            _ if kind.filters.contains(&key) => {
                let patterns = r.pattern_list(value, &format!("`{key}`"));
                trigger.filters.push(Filter {
                    key: Spanned::new(key.to_string(), key_span),
                    patterns,
                });
            }
            _ if is_known_filter(key) || key == "types" => {
                let only = events_with_filter(key).join(", ");
                let message = if key == "types" {
                    format!("the `{}` event has no activity types", kind.name)
                } else {
                    format!(
                        "the `{key}` filter is not available for the `{}` event; it is only for {only}",
                        kind.name
                    )
                };
                r.error(key_span, message);
            }
            _ => {
                let mut allowed: Vec<&str> = kind.filters.to_vec();
                if !kind.types.is_empty() || kind.name == "repository_dispatch" {
                    allowed.push("types");
                }
                let help = did_you_mean(key, allowed.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                r.push(Diagnostic::error(key_span, format!("unknown key `{key}` in {what}")).with_optional_help(help));
            }
        }
    }
    check_exclusive_filters(r, trigger);
}

fn read_call_outputs(r: &mut Reader, trigger: &mut EventTrigger, node: &Node) {
    let Some(outputs) = r.mapping(node, "`outputs` of workflow_call") else {
        return;
    };
    for (name, _, output) in outputs.iter() {
        let what = format!("output `{name}`");
        let Some(fields) = r.mapping(output, &what) else {
            continue;
        };
        r.check_keys(fields, &["description", "value"], &what);
        trigger
            .call_outputs
            .extend(fields.get("value").and_then(|v| r.text(v, "`value`")));
    }
}

/// `branches` with `branches-ignore` (and likewise tags, paths) is refused by GitHub.
fn check_exclusive_filters(r: &mut Reader, trigger: &EventTrigger) {
    for base in ["branches", "tags", "paths"] {
        let ignore = format!("{base}-ignore");
        if let (Some(a), Some(b)) = (trigger.filter(base), trigger.filter(&ignore)) {
            let second = if a.key.span > b.key.span { a } else { b };
            r.push(
                Diagnostic::error(
                    second.key.span,
                    format!(
                        "`{base}` and `{ignore}` cannot both be used for the `{}` event",
                        trigger.name.value
                    ),
                )
                .with_help(format!("use `!` patterns in `{base}` to exclude")),
            );
        }
    }
}

fn read_schedules(r: &mut Reader, node: &Node) -> Vec<CronEntry> {
    let Some(items) = r.sequence(node, "`schedule`") else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for item in items {
        let Some(mapping) = r.mapping(item, "a `schedule` entry") else {
            continue;
        };
        r.check_keys(mapping, &["cron", "timezone"], "a `schedule` entry");
        r.require_keys(mapping, &["cron"], item.span, "a `schedule` entry");
        let timezone = mapping.get("timezone").and_then(|t| r.non_empty_text(t, "`timezone`"));
        if let Some(cron) = mapping.get("cron").and_then(|c| r.non_empty_text(c, "`cron`")) {
            entries.push(CronEntry { cron, timezone });
        }
    }
    entries
}

fn read_inputs(r: &mut Reader, node: &Node, dispatch: bool, event_span: Span) -> Vec<Input> {
    if node.is_null() {
        return Vec::new();
    }
    let Some(mapping) = r.mapping(node, "`inputs`") else {
        return Vec::new();
    };
    if dispatch && mapping.entries.len() > MAX_DISPATCH_INPUTS {
        r.error(
            event_span,
            format!(
                "workflow_dispatch takes at most {MAX_DISPATCH_INPUTS} inputs, but {} are given",
                mapping.entries.len()
            ),
        );
    }
    let kinds: &[&str] = if dispatch {
        &["string", "boolean", "number", "choice", "environment"]
    } else {
        &["string", "boolean", "number"]
    };
    let mut inputs = Vec::new();
    for (id, id_node, spec) in mapping.iter() {
        let what = format!("input `{id}`");
        let mut input = Input {
            id: Spanned::new(id.to_string(), id_node.span),
            description: None,
            required: false,
            default: None,
            kind: "string".into(),
            options: Vec::new(),
        };
        if !spec.is_null() {
            let Some(fields) = r.mapping(spec, &what) else { continue };
            r.check_keys(
                fields,
                &[
                    "description",
                    "required",
                    "default",
                    "type",
                    "options",
                    "deprecationMessage",
                ],
                &what,
            );
            input.description = fields.get("description").and_then(|d| r.text(d, "`description`"));
            if let Some(req) = fields.get("required") {
                match req.as_scalar().and_then(|s| s.as_bool()) {
                    Some(b) => input.required = b,
                    None => r.error(req.span, format!("`required` of {what} must be true or false")),
                }
            }
            match fields.get("type") {
                Some(t) => {
                    if let Some(text) = r.text(t, "`type`") {
                        if kinds.contains(&text.value.as_str()) {
                            input.kind = text.value;
                        } else {
                            r.error(
                                t.span,
                                format!(
                                    "invalid type `{}` for {what}; use one of {}",
                                    text.value,
                                    kinds.join(", ")
                                ),
                            );
                        }
                    }
                }
                None if !dispatch => r.error(id_node.span, format!("{what} of workflow_call needs a `type`")),
                None => {}
            }
            if let Some(options) = fields.get("options") {
                input.options = r.text_list(options, "`options`");
            }
            input.default = fields.get("default").map(Node::to_json);
            check_input(r, &input, fields.get("default"), spec.span);
        }
        inputs.push(input);
    }
    inputs
}

/// A choice needs options and a default among them; a boolean default is a boolean.
fn check_input(r: &mut Reader, input: &Input, default: Option<&Node>, span: Span) {
    let what = format!("input `{}`", input.id.value);
    if input.kind == "choice" {
        if input.options.is_empty() {
            r.error(span, format!("{what} is a choice and needs `options`"));
        }
        if let (Some(node), Some(default)) = (default, default.and_then(Node::as_str)) {
            if !input.options.iter().any(|o| o.value == default) {
                r.error(
                    node.span,
                    format!("the default `{default}` of {what} is not one of its options"),
                );
            }
        }
    }
    if input.kind == "boolean" {
        if let Some(node) = default {
            let text = node.as_str().unwrap_or_default();
            let is_bool = node.as_scalar().and_then(|s| s.as_bool()).is_some() || text.contains("${{");
            if !is_bool {
                r.error(
                    node.span,
                    format!("the default of boolean {what} must be true or false"),
                );
            }
        }
    }
}
