//! The sink a step's output goes through: workflow commands are read
//! (`::set-output::`, `::add-mask::`, `::group::`…), every line is masked,
//! and what is shown becomes an `Output` event.

use super::commands::{Action, CommandReader};
use super::shared::RunShared;
use crate::backend::LineSink;
use crate::report::events::{JobKey, LineKind, RunEvent};
use serde_json::{Map, Value};
use std::sync::Arc;

pub struct StepOutput<'a> {
    shared: &'a RunShared,
    key: Arc<JobKey>,
    step: usize,
    reader: CommandReader,
    /// `::set-output` values (the legacy command still works, with a warning).
    pub outputs: Map<String, Value>,
    warned_set_output: bool,
    /// A workflow command failed the step (a disabled `set-env`, …).
    pub failed: bool,
    /// `::set-env` and `::add-path`, when ACTIONS_ALLOW_UNSECURE_COMMANDS allows them.
    pub env: Vec<(String, String)>,
    pub paths: Vec<String>,
    /// `::save-state` values (deprecated, still honoured).
    pub state: Vec<(String, String)>,
    /// Plain lines of the current chunk, each ending in `\n`, sent as one
    /// `Output` event at the chunk's end (or before anything else).
    pending: String,
}

impl<'a> StepOutput<'a> {
    pub fn new(shared: &'a RunShared, key: &'a JobKey, step: usize, unsecure: bool) -> StepOutput<'a> {
        StepOutput {
            shared,
            key: Arc::new(key.clone()),
            step,
            reader: CommandReader::allowing_unsecure(unsecure),
            outputs: Map::new(),
            warned_set_output: false,
            failed: false,
            env: Vec::new(),
            paths: Vec::new(),
            state: Vec::new(),
            pending: String::new(),
        }
    }

    /// Sends the batched plain lines, masked, as one event.
    fn send_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = self.shared.mask(self.pending.trim_end_matches('\n'));
        self.pending.clear();
        self.shared.emit(RunEvent::Output {
            job: self.key.clone(),
            step: Some(self.step),
            kind: LineKind::Output,
            line: text,
        });
    }

    fn emit(&mut self, kind: LineKind, text: &str) {
        self.send_pending();
        let line = self.shared.mask(text);
        self.shared.emit(RunEvent::Output {
            job: self.key.clone(),
            step: Some(self.step),
            kind,
            line,
        });
    }
}

impl LineSink for StepOutput<'_> {
    fn line(&mut self, line: &str) {
        match self.reader.read(line) {
            Action::Print => {
                self.pending.push_str(line);
                self.pending.push('\n');
            }
            Action::StopCommands { token } => {
                self.send_pending();
                if token.chars().count() > 6 {
                    self.shared.add_mask(&token);
                }
                self.emit(LineKind::Output, line);
            }
            Action::Failed(text) => {
                self.failed = true;
                self.emit(LineKind::Error, &text);
            }
            Action::SetEnv { name, value } => {
                self.env.push((name, value));
            }
            Action::AddPath(path) => self.paths.push(path),
            Action::Group(title) => self.emit(LineKind::Group, &title),
            Action::EndGroup => self.emit(LineKind::EndGroup, ""),
            Action::Error(text) => self.emit(LineKind::Error, &text),
            Action::Warning(text) => self.emit(LineKind::Warning, &text),
            Action::Notice(text) => self.emit(LineKind::Notice, &text),
            Action::Debug(text) => self.emit(LineKind::Debug, &text),
            Action::Mask(value) => {
                // Lines before the command are not masked by it, as on GitHub.
                self.send_pending();
                self.shared.add_mask(&value);
            }
            Action::SetOutput { name, value } => {
                if !self.warned_set_output {
                    self.warned_set_output = true;
                    self.emit(
                        LineKind::Warning,
                        "The `set-output` command is deprecated; write to $GITHUB_OUTPUT instead",
                    );
                }
                self.outputs.insert(name, Value::String(value));
            }
            Action::SaveState { name, value } => self.state.push((name, value)),
            Action::Hidden => {}
        }
    }

    fn flush(&mut self) {
        self.send_pending();
    }
}
