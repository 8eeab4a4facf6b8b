//! File commands: GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_PATH (stub).

/// Parses a GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE file (gha-semantics §3.6).
pub fn parse_env_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let _ = text;
    Err("not yet".into())
}

/// The directories of a GITHUB_PATH file, in file order.
pub fn parse_path_file(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

pub fn prepend_paths(added: &mut Vec<String>, new: &[String]) {
    for path in new {
        added.retain(|p| p != path);
        added.insert(0, path.clone());
    }
}

pub fn join_path(added: &[String], base: &str) -> String {
    let mut parts = added.to_vec();
    parts.push(base.to_string());
    parts.join(":")
}
