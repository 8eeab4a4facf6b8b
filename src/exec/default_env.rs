//! The variables every step gets (gha-semantics §3.8): `CI`, `GITHUB_*` from
//! the `github` context and `RUNNER_*` from the `runner` context. Steps
//! cannot override the `GITHUB_*` and `RUNNER_*` ones; `CI` they can.

use super::scope::display;
use serde_json::{Map, Value};

/// `github` context keys that become `GITHUB_<KEY>` variables.
const GITHUB_KEYS: &[&str] = &[
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "actor",
    "actor_id",
    "api_url",
    "base_ref",
    "env",
    "event_name",
    "event_path",
    "graphql_url",
    "head_ref",
    "job",
    "output",
    "path",
    "ref",
    "ref_name",
    "ref_protected",
    "ref_type",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "retention_days",
    "run_attempt",
    "run_id",
    "run_number",
    "server_url",
    "sha",
    "state",
    "step_summary",
    "triggering_actor",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "workspace",
];

/// `runner` context keys that become `RUNNER_<KEY>` variables.
const RUNNER_KEYS: &[&str] = &["arch", "environment", "name", "os", "temp", "tool_cache"];

/// The fixed variables, from the step's `github` and `runner` contexts.
pub fn fixed_variables(github: &Map<String, Value>, runner: &Map<String, Value>) -> Vec<(String, String)> {
    let mut vars = vec![("GITHUB_ACTIONS".to_string(), "true".to_string())];
    let mut add = |prefix: &str, keys: &[&str], context: &Map<String, Value>| {
        for key in keys {
            match context.get(*key) {
                Some(Value::Null) | None => {}
                Some(value) => vars.push((format!("{prefix}{}", key.to_ascii_uppercase()), display(value))),
            }
        }
    };
    add("GITHUB_", GITHUB_KEYS, github);
    add("RUNNER_", RUNNER_KEYS, runner);
    vars
}

/// Whether a step may set this variable (through `env:` or `$GITHUB_ENV`).
pub fn is_fixed(name: &str) -> bool {
    name.starts_with("GITHUB_") || name.starts_with("RUNNER_")
}

/// The `runner` context of a job whose temp directory steps see as `temp`.
pub fn runner_context(temp: &str, on_host: bool) -> Map<String, Value> {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "X64",
        "aarch64" => "ARM64",
        "arm" => "ARM",
        "x86" => "X86",
        other => other,
    };
    let mut runner = Map::new();
    runner.insert("os".into(), "Linux".into());
    runner.insert("arch".into(), arch.into());
    runner.insert("name".into(), if on_host { "mlci-host" } else { "mlci" }.into());
    runner.insert("environment".into(), "self-hosted".into());
    runner.insert("temp".into(), temp.into());
    runner.insert("tool_cache".into(), format!("{temp}/_tool").into());
    runner
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn github_keys_become_fixed_variables_and_null_ones_are_left_out() {
        let github = json!({"sha": "abc", "ref_type": null, "run_id": "7", "event": {"x": 1}});
        let runner = runner_context("/tmp/t", false);
        let vars = fixed_variables(github.as_object().unwrap(), &runner);
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("GITHUB_SHA"), Some("abc"));
        assert_eq!(get("GITHUB_RUN_ID"), Some("7"));
        assert_eq!(get("GITHUB_REF_TYPE"), None);
        assert_eq!(get("GITHUB_EVENT"), None);
        assert_eq!(get("GITHUB_ACTIONS"), Some("true"));
        assert_eq!(get("RUNNER_OS"), Some("Linux"));
        assert_eq!(get("RUNNER_TEMP"), Some("/tmp/t"));
        assert!(is_fixed("GITHUB_SHA") && is_fixed("RUNNER_TEMP") && !is_fixed("CI"));
    }
}
