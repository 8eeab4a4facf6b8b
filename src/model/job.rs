//! A job: where it runs, what it needs, and its steps (or, for a reusable
//! workflow call, what it calls).

use super::container::{read_container, Container};
use super::reader::Reader;
use super::shared::{
    read_concurrency, read_defaults, read_environment, read_permissions, Concurrency, Defaults, Environment,
};
use super::step::{read_step, Step};
use super::strategy::{read_strategy, Strategy};
use super::{Dynamic, Spanned, Text};
use crate::diag::Span;
use crate::load::{Node, NodeValue};
use indexmap::IndexMap;
use serde::Serialize;
use std::time::Duration;

#[derive(Clone, Debug, Serialize)]
pub struct Job {
    pub id: Spanned<String>,
    pub name: Option<Text>,
    pub needs: Vec<Text>,
    #[serde(rename = "if")]
    pub condition: Option<Text>,
    pub runs_on: Option<RunsOn>,
    pub env: IndexMap<String, Text>,
    pub defaults: Option<Defaults>,
    pub outputs: IndexMap<String, Text>,
    pub strategy: Option<Strategy>,
    pub continue_on_error: Option<Spanned<Dynamic<bool>>>,
    pub timeout_minutes: Option<Spanned<Dynamic<f64>>>,
    pub container: Option<Container>,
    pub services: IndexMap<String, Container>,
    /// `services:` given as one expression instead of a mapping.
    pub services_expression: Option<Text>,
    pub environment: Option<Environment>,
    pub concurrency: Option<Concurrency>,
    pub permissions: Option<serde_json::Value>,
    /// A reusable workflow call: `uses: ./.github/workflows/x.yml` or `owner/repo/...@ref`.
    pub uses: Option<Text>,
    pub with: IndexMap<String, Text>,
    pub secrets: Option<serde_json::Value>,
    pub steps: Vec<Step>,
    /// Custom-image snapshot of the runner after the job (GitHub larger runners).
    pub snapshot: Option<Snapshot>,
    /// mlci extension: run the whole job again this many times when it fails.
    pub retries: Option<Spanned<u32>>,
    /// mlci extension: wait this long between attempts.
    #[serde(serialize_with = "serialize_delay")]
    pub retry_delay: Option<Spanned<Duration>>,
    #[serde(skip)]
    pub span: Span,
}

/// `snapshot:` as an image name, or a mapping with `image-name`, `version`, `if`.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub image_name: Text,
    pub version: Option<Text>,
    #[serde(rename = "if")]
    pub condition: Option<Text>,
}

/// `runs-on:` as a label, a list of labels, or a runner group with labels.
#[derive(Clone, Debug, Serialize)]
pub struct RunsOn {
    pub labels: Vec<Text>,
    pub group: Option<Text>,
    #[serde(skip)]
    pub span: Span,
}

const JOB_KEYS: &[&str] = &[
    "name",
    "needs",
    "if",
    "runs-on",
    "env",
    "defaults",
    "outputs",
    "strategy",
    "continue-on-error",
    "timeout-minutes",
    "container",
    "services",
    "environment",
    "concurrency",
    "permissions",
    "steps",
    "uses",
    "with",
    "secrets",
    "snapshot",
    "retries",
    "retry-delay",
];
/// The keys a job that calls a reusable workflow may have.
const CALLER_KEYS: &[&str] = &[
    "name",
    "needs",
    "if",
    "uses",
    "with",
    "secrets",
    "strategy",
    "concurrency",
    "permissions",
];
/// mlci's own keys, which GitHub would reject (`validate --github` flags them).
pub const EXTENSION_KEYS: &[&str] = &["retries", "retry-delay"];

impl Job {
    /// The job's display name as written (may hold matrix expressions), else its id.
    pub fn display_name(&self) -> &str {
        self.name.as_ref().map_or(&self.id.value, |n| &n.value)
    }
}

pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// GitHub's id rules for jobs and steps, as a diagnostic when broken.
pub fn check_id(r: &mut Reader, id: &str, span: Span, what: &str) {
    if !is_valid_id(id) {
        r.error(span, format!("invalid {what} id `{id}`: it must start with a letter or `_` and hold only letters, digits, `-` and `_`"));
    } else if id.starts_with("__") {
        r.error(
            span,
            format!("invalid {what} id `{id}`: ids starting with `__` are reserved"),
        );
    } else if id.len() >= 100 {
        r.error(
            span,
            format!("invalid {what} id: it must be shorter than 100 characters"),
        );
    }
}

pub fn read_job(r: &mut Reader, id: Spanned<String>, node: &Node) -> Option<Job> {
    let what = format!("job `{}`", id.value);
    check_id(r, &id.value, id.span, "job");
    let mapping = r.mapping(node, &what)?;
    let get = |key| mapping.get(key);
    let calls_workflow = get("uses").is_some();
    if calls_workflow {
        r.check_keys(mapping, CALLER_KEYS, &format!("{what} (it calls a reusable workflow)"));
    } else {
        r.check_keys(mapping, JOB_KEYS, &what);
        r.require_keys(mapping, &["runs-on", "steps"], id.span, &what);
    }
    let mut job = Job {
        name: get("name").and_then(|n| r.text(n, "a job `name`")),
        needs: get("needs").map(|n| r.text_list(n, "`needs`")).unwrap_or_default(),
        condition: get("if").and_then(|n| r.text(n, "`if`")),
        runs_on: get("runs-on").and_then(|n| read_runs_on(r, n)),
        env: get("env").map(|n| r.text_map(n, "job `env`")).unwrap_or_default(),
        defaults: get("defaults").and_then(|n| read_defaults(r, n, &what)),
        outputs: get("outputs").map(|n| r.text_map(n, "`outputs`")).unwrap_or_default(),
        strategy: get("strategy").and_then(|n| read_strategy(r, n, &id.value)),
        continue_on_error: get("continue-on-error").and_then(|n| r.bool_or_expression(n, "`continue-on-error`")),
        timeout_minutes: get("timeout-minutes").and_then(|n| r.minutes_or_expression(n, "`timeout-minutes`")),
        // `container: ''` or `null` (or `image: ''`) means no container, as on GitHub.
        container: get("container")
            .and_then(|n| read_container(r, n, "`container`", false))
            .filter(|c| !c.image.value.trim().is_empty()),
        services: IndexMap::new(),
        services_expression: get("services").and_then(|n| r.whole_expression(n)),
        environment: get("environment").and_then(|n| read_environment(r, n)),
        concurrency: get("concurrency").and_then(|n| read_concurrency(r, n)),
        permissions: get("permissions").and_then(|n| read_permissions(r, n)),
        uses: get("uses").and_then(|n| r.non_empty_text(n, "`uses`")),
        with: get("with").map(|n| r.text_map(n, "`with`")).unwrap_or_default(),
        secrets: get("secrets").map(Node::to_json),
        steps: Vec::new(),
        snapshot: get("snapshot").and_then(|n| read_snapshot(r, n)),
        retries: get("retries").and_then(|n| read_retries(r, n)),
        retry_delay: get("retry-delay").and_then(|n| read_delay(r, n)),
        span: node.span,
        id,
    };
    let services = get("services").filter(|n| r.whole_expression(n).is_none());
    if let Some(services) = services.and_then(|n| r.mapping(n, "`services`")) {
        for (name, _, spec) in services.iter() {
            if let Some(service) = read_container(r, spec, &format!("service `{name}`"), true) {
                job.services.insert(name.to_string(), service);
            }
        }
    }
    if let Some(steps) = get("steps") {
        job.steps = read_steps(r, steps, &job.id.value);
    }
    Some(job)
}

fn read_steps(r: &mut Reader, node: &Node, job_id: &str) -> Vec<Step> {
    let Some(items) = r.sequence(node, "`steps`") else {
        return Vec::new();
    };
    if items.is_empty() {
        r.error(node.span, format!("job `{job_id}` has no steps"));
    }
    let steps: Vec<Step> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| read_step(r, item, job_id, i))
        .collect();
    let mut seen: Vec<&str> = Vec::new();
    for step in &steps {
        if let Some(id) = step.id.as_ref().filter(|id| !id.value.contains("${{")) {
            check_id(r, &id.value, id.span, "step");
            if seen.iter().any(|s| s.eq_ignore_ascii_case(&id.value)) {
                r.error(
                    id.span,
                    format!("step id `{}` is used twice in job `{job_id}`", id.value),
                );
            }
            seen.push(&id.value);
        }
    }
    steps
}

fn read_snapshot(r: &mut Reader, node: &Node) -> Option<Snapshot> {
    if let NodeValue::Scalar(_) = node.value {
        let image_name = r.non_empty_text(node, "`snapshot`")?;
        return Some(Snapshot {
            image_name,
            version: None,
            condition: None,
        });
    }
    let mapping = r.mapping(node, "`snapshot`")?;
    r.check_keys(mapping, &["image-name", "version", "if"], "`snapshot`");
    r.require_keys(mapping, &["image-name"], node.span, "`snapshot`");
    Some(Snapshot {
        image_name: mapping
            .get("image-name")
            .and_then(|n| r.non_empty_text(n, "`image-name`"))?,
        version: mapping.get("version").and_then(|n| r.non_empty_text(n, "`version`")),
        condition: mapping.get("if").and_then(|n| r.text(n, "`if`")),
    })
}

fn read_runs_on(r: &mut Reader, node: &Node) -> Option<RunsOn> {
    let mut runs_on = RunsOn {
        labels: Vec::new(),
        group: None,
        span: node.span,
    };
    match &node.value {
        NodeValue::Mapping(mapping) => {
            r.check_keys(mapping, &["group", "labels"], "`runs-on`");
            runs_on.group = mapping.get("group").and_then(|g| r.non_empty_text(g, "`group`"));
            runs_on.labels = mapping
                .get("labels")
                .map(|l| r.text_list(l, "`labels`"))
                .unwrap_or_default();
        }
        _ => runs_on.labels = r.text_list(node, "`runs-on`"),
    }
    if runs_on.labels.is_empty() && runs_on.group.is_none() {
        r.error(node.span, "`runs-on` names no runner label");
    }
    Some(runs_on)
}

fn read_retries(r: &mut Reader, node: &Node) -> Option<Spanned<u32>> {
    let n = node.as_scalar().and_then(|s| s.as_number());
    match n {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 100.0 => Some(Spanned::new(n as u32, node.span)),
        _ => {
            r.error(node.span, "`retries` must be a whole number from 0 to 100");
            None
        }
    }
}

const MAX_RETRY_DELAY: Duration = Duration::from_secs(24 * 3600);

fn read_delay(r: &mut Reader, node: &Node) -> Option<Spanned<Duration>> {
    let text = node.as_str().unwrap_or_default();
    match parse_duration(text) {
        // A day is far more than any backoff needs; beyond it a typo is likelier.
        Some(d) if d > MAX_RETRY_DELAY => {
            r.error(
                node.span,
                format!("`retry-delay` must be at most 24h, but it is `{text}`"),
            );
            None
        }
        Some(d) => Some(Spanned::new(d, node.span)),
        None => {
            r.error(
                node.span,
                format!("`retry-delay` must be a duration such as 30s, 5m or 1h, but it is `{text}`"),
            );
            None
        }
    }
}

/// `90`, `30s`, `5m`, `1h`: seconds by default.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, "s"),
    };
    let value: f64 = number.parse().ok()?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

fn serialize_delay<S: serde::Serializer>(delay: &Option<Spanned<Duration>>, s: S) -> Result<S::Ok, S::Error> {
    match delay {
        Some(d) => s.serialize_some(&d.value.as_secs_f64()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["build", "_x", "a-b_c1"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["-foo", "v1.2.3", "1-2-3", "", "a b"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("5d"), None);
    }
}
