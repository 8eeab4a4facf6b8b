//! The files a step is handed (gha-semantics §3.6): fresh, empty file
//! command files per step under `RUNNER_TEMP/_runner_file_commands/`, the
//! step's script, and the event payload. Each lives in the job's temp
//! directory on the host and is seen by the step under `RUNNER_TEMP`.
//!
//! The job can write to that directory, so it can plant links there. mlci
//! touches it only as a [`JobDir`], which cannot reach outside it, and it
//! creates each of its files anew: a link planted in place of a script or a
//! file command is removed, never written or read through.

use super::job_dir::JobDir;
use serde_json::Value;
use std::io;
use std::path::Path;

/// The file commands: (`github` context key, file name prefix).
const FILE_COMMANDS: &[(&str, &str)] = &[
    ("env", "set_env_"),
    ("output", "set_output_"),
    ("path", "add_path_"),
    ("state", "save_state_"),
    ("step_summary", "step_summary_"),
];

const PID_PRELOAD: &str = "const file = process.env.MLCI_PID_FILE;\n\
if (file) {\n\
  delete process.env.MLCI_PID_FILE;\n\
  try { require('fs').writeFileSync(file, String(process.pid)); } catch (e) {}\n\
}\n";

pub struct StepFiles {
    /// The job's temp directory on the host.
    temp: JobDir,
    inside_temp: String,
    step: usize,
}

impl StepFiles {
    /// Creates the step's empty file command files.
    pub fn create(host_temp: &Path, inside_temp: &str, step: usize) -> io::Result<StepFiles> {
        let files = StepFiles {
            temp: JobDir::open(host_temp)?,
            inside_temp: inside_temp.trim_end_matches('/').to_string(),
            step,
        };
        files.temp.create_dir_all("_runner_file_commands")?;
        for (key, _) in FILE_COMMANDS {
            files.temp.write_fresh(files.file_name(key), b"", 0o644)?;
        }
        Ok(files)
    }

    fn file_name(&self, key: &str) -> String {
        let prefix = FILE_COMMANDS.iter().find(|(k, _)| *k == key).map_or("", |(_, p)| *p);
        format!("_runner_file_commands/{prefix}{}", self.step)
    }

    /// `github.env`, `github.output`, … as the step sees them.
    pub fn github_keys(&self) -> Vec<(&'static str, String)> {
        FILE_COMMANDS
            .iter()
            .map(|(key, _)| (*key, format!("{}/{}", self.inside_temp, self.file_name(key))))
            .collect()
    }

    /// What the step wrote to one file command (`env`, `output`, …).
    /// A link the step put there is followed only inside the temp folder.
    pub fn read(&self, key: &str) -> io::Result<String> {
        let bytes = self.temp.read(self.file_name(key))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Writes the step's script, readable by its owner alone (it may hold
    /// expanded secrets); returns its path as the step sees it.
    pub fn write_script(&self, step: usize, script: &str, extension: &str) -> io::Result<String> {
        let name = format!("step-{step}{extension}");
        self.temp.write_fresh(&name, script.as_bytes(), 0o600)?;
        Ok(format!("{}/{name}", self.inside_temp))
    }

    /// Writes the module node loads before a JavaScript action: it records
    /// node's pid where `MLCI_PID_FILE` says (a backend that stops steps by
    /// their process group needs it) and hides that variable from the
    /// action. Returns its path as the step sees it.
    pub fn write_pid_preload(&self) -> io::Result<String> {
        let name = format!("step-{}-preload.js", self.step);
        self.temp.write_fresh(&name, PID_PRELOAD.as_bytes(), 0o644)?;
        Ok(format!("{}/{name}", self.inside_temp))
    }

    /// `GITHUB_EVENT_PATH` as the step sees it.
    pub fn event_path(&self) -> String {
        format!("{}/_github_workflow/event.json", self.inside_temp)
    }

    /// Writes the event payload once per job.
    pub fn write_event(&self, event: Option<&Value>) -> io::Result<()> {
        let path = "_github_workflow/event.json";
        if self.temp.exists(path) {
            return Ok(());
        }
        self.temp.create_dir_all("_github_workflow")?;
        let text = serde_json::to_string_pretty(event.unwrap_or(&Value::Object(Default::default())))?;
        self.temp.write_fresh(path, text.as_bytes(), 0o644)
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

    /// The job plants links in its temp folder, pointing at host files, in
    /// place of the next step's script, a file command and the folder of the
    /// file commands. None of the host files is written, truncated or read.
    #[test]
    fn links_planted_in_the_temp_folder_are_never_followed_out_of_it() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let host = tempfile::tempdir().unwrap();
        let victim = host.path().join("victim");
        std::fs::write(&victim, "host secret\n").unwrap();
        let temp = host.path().join("temp");
        std::fs::create_dir(&temp).unwrap();

        symlink(&victim, temp.join("step-1.sh")).unwrap();
        let files = StepFiles::create(&temp, "/github/runner_temp", 1).unwrap();
        files.write_script(1, "echo job", ".sh").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "host secret\n");
        let script = std::fs::symlink_metadata(temp.join("step-1.sh")).unwrap();
        assert!(script.is_file());
        assert_eq!(script.permissions().mode() & 0o777, 0o600);

        // A file command replaced by a link to the host: reading refuses.
        std::fs::remove_file(temp.join("_runner_file_commands/set_env_1")).unwrap();
        symlink(&victim, temp.join("_runner_file_commands/set_env_1")).unwrap();
        assert!(files.read("env").is_err());

        // The whole folder replaced by a link to a host folder: the next
        // step's files are not created there.
        let host_dir = host.path().join("host-dir");
        std::fs::create_dir(&host_dir).unwrap();
        std::fs::remove_dir_all(temp.join("_runner_file_commands")).unwrap();
        symlink(&host_dir, temp.join("_runner_file_commands")).unwrap();
        assert!(StepFiles::create(&temp, "/github/runner_temp", 2).is_err());
        assert_eq!(std::fs::read_dir(&host_dir).unwrap().count(), 0);
    }
}
