//! The files a step is handed (gha-semantics §3.6): fresh, empty file
//! command files per step under `RUNNER_TEMP/_runner_file_commands/`, the
//! step's script, and the event payload. Each lives in the job's temp
//! directory on the host and is seen by the step under `RUNNER_TEMP`.

use serde_json::Value;
use std::io;
use std::path::{Path, PathBuf};

/// The file commands: (`github` context key, file name prefix).
const FILE_COMMANDS: &[(&str, &str)] = &[
    ("env", "set_env_"),
    ("output", "set_output_"),
    ("path", "add_path_"),
    ("state", "save_state_"),
    ("step_summary", "step_summary_"),
];

pub struct StepFiles {
    host_temp: PathBuf,
    inside_temp: String,
    step: usize,
}

impl StepFiles {
    /// Creates the step's empty file command files.
    pub fn create(host_temp: &Path, inside_temp: &str, step: usize) -> io::Result<StepFiles> {
        let files = StepFiles {
            host_temp: host_temp.to_path_buf(),
            inside_temp: inside_temp.trim_end_matches('/').to_string(),
            step,
        };
        std::fs::create_dir_all(host_temp.join("_runner_file_commands"))?;
        for (key, _) in FILE_COMMANDS {
            std::fs::write(files.host_path(key), "")?;
        }
        Ok(files)
    }

    fn file_name(&self, key: &str) -> String {
        let prefix = FILE_COMMANDS.iter().find(|(k, _)| *k == key).map_or("", |(_, p)| *p);
        format!("_runner_file_commands/{prefix}{}", self.step)
    }

    fn host_path(&self, key: &str) -> PathBuf {
        self.host_temp.join(self.file_name(key))
    }

    /// `github.env`, `github.output`, … as the step sees them.
    pub fn github_keys(&self) -> Vec<(&'static str, String)> {
        FILE_COMMANDS
            .iter()
            .map(|(key, _)| (*key, format!("{}/{}", self.inside_temp, self.file_name(key))))
            .collect()
    }

    /// What the step wrote to one file command (`env`, `output`, …).
    pub fn read(&self, key: &str) -> io::Result<String> {
        let bytes = std::fs::read(self.host_path(key))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Writes the step's script; returns its path as the step sees it.
    pub fn write_script(&self, step: usize, script: &str, extension: &str) -> io::Result<String> {
        let name = format!("step-{step}{extension}");
        std::fs::write(self.host_temp.join(&name), script)?;
        Ok(format!("{}/{name}", self.inside_temp))
    }

    /// `GITHUB_EVENT_PATH` as the step sees it.
    pub fn event_path(&self) -> String {
        format!("{}/_github_workflow/event.json", self.inside_temp)
    }

    /// Writes the event payload once per job.
    pub fn write_event(&self, event: Option<&Value>) -> io::Result<()> {
        let path = self.host_temp.join("_github_workflow/event.json");
        if path.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(self.host_temp.join("_github_workflow"))?;
        let text = serde_json::to_string_pretty(event.unwrap_or(&Value::Object(Default::default())))?;
        std::fs::write(path, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_fresh_per_step_and_named_as_github_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let first = StepFiles::create(dir.path(), "/github/runner_temp/", 0).unwrap();
        std::fs::write(dir.path().join("_runner_file_commands/set_env_0"), "A=1\n").unwrap();
        assert_eq!(first.read("env").unwrap(), "A=1\n");
        let keys = first.github_keys();
        assert_eq!(
            keys[0],
            ("env", "/github/runner_temp/_runner_file_commands/set_env_0".to_string())
        );
        let again = StepFiles::create(dir.path(), "/github/runner_temp", 0).unwrap();
        assert_eq!(again.read("env").unwrap(), "");
        assert_eq!(
            again.write_script(3, "echo hi", ".sh").unwrap(),
            "/github/runner_temp/step-3.sh"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("step-3.sh")).unwrap(),
            "echo hi"
        );
    }
}
