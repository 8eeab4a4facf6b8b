//! `--secret` and `--secret-file`: the `secrets` context of a run.

use crate::exec::dotenv::parse_dotenv;
use std::path::{Path, PathBuf};

/// The variables of `--env-file` dotenv files, in order.
pub fn read_env_files(files: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut vars = Vec::new();
    for file in files {
        vars.extend(read_dotenv(file)?);
    }
    Ok(vars)
}

fn read_dotenv(file: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    parse_dotenv(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// `NAME=VALUE`, `NAME` (from mlci's environment), then dotenv files; a
/// later value for the same name wins.
pub fn read_secrets(flags: &[String], files: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut secrets: Vec<(String, String)> = Vec::new();
    let mut set = |name: String, value: String| {
        secrets.retain(|(n, _)| n != &name);
        secrets.push((name, value));
    };
    for file in files {
        for (name, value) in read_dotenv(file)? {
            set(name, value);
        }
    }
    for flag in flags {
        match flag.split_once('=') {
            Some((name, value)) if !name.is_empty() => set(name.to_string(), value.to_string()),
            Some(_) => return Err(format!("--secret takes NAME=VALUE or NAME, not `{flag}`")),
            None => {
                let value = std::env::var(flag).map_err(|_| {
                    format!("--secret {flag}: there is no environment variable `{flag}` to take it from")
                })?;
                set(flag.clone(), value);
            }
        }
    }
    Ok(secrets)
}
