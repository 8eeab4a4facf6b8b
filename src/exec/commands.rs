//! Workflow commands in step output (`::group::`, `::add-mask::`,
//! `::error file=x::`, …), read line by line with the per-step state GitHub's
//! runner keeps (gha-semantics §3.7; the runner's `ActionCommand` and
//! `ActionCommandManager`).

mod annotation;
mod syntax;

use syntax::ParsedCommand;

/// What one line of step output asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Show the line as it is (after masking). It carries nothing, so an
    /// ordinary line costs no allocation: the caller still has the line.
    Print,
    /// `::group::title`: a heading; output up to `EndGroup` belongs to it.
    Group(String),
    EndGroup,
    /// An annotation, as display text: `file:line:col: title: message`, with
    /// each part only when given (`src/a.py:3:5: message`, `Lint: message`,
    /// `message`); a range shows as `3-5`. An annotation does not fail the step.
    Error(String),
    Warning(String),
    Notice(String),
    /// `::debug::`: GitHub shows it only when `ACTIONS_STEP_DEBUG` is true.
    Debug(String),
    /// Hide this value from now on; the line itself is not shown.
    Mask(String),
    SetOutput {
        name: String,
        value: String,
    },
    SaveState {
        name: String,
        value: String,
    },
    /// `::set-env`, only when unsecure commands are allowed.
    SetEnv {
        name: String,
        value: String,
    },
    /// `::add-path::`, only when unsecure commands are allowed.
    AddPath(String),
    /// `::stop-commands::TOKEN`: show the line; no command is read until a
    /// `::TOKEN::` line. When the token is longer than 6 characters, mask it
    /// before showing the line, as GitHub does so the log never reveals it.
    StopCommands {
        token: String,
    },
    /// The command could not be carried out: show the message as an error
    /// and fail the step (GitHub's texts).
    Failed(String),
    /// A command that shows nothing (`::echo::off`, `::add-matcher::`).
    Hidden,
}

impl Action {
    /// GitHub's deprecation warning for `set-output` and `save-state`, which
    /// still work (gha-semantics §3.7 leaves the warning to mlci).
    pub fn deprecation(&self) -> Option<String> {
        let command = match self {
            Action::SetOutput { .. } => "set-output",
            Action::SaveState { .. } => "save-state",
            _ => return None,
        };
        Some(format!(
            "The `{command}` command is deprecated and will be disabled soon. Please upgrade to using Environment \
             Files. For more information see: \
             https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/"
        ))
    }
}

/// The commands the runner knows; any other `::name::` line is output.
const COMMANDS: [&str; 15] = [
    "add-mask",
    "add-matcher",
    "add-path",
    "debug",
    "echo",
    "endgroup",
    "error",
    "group",
    "notice",
    "remove-matcher",
    "save-state",
    "set-env",
    "set-output",
    "stop-commands",
    "warning",
];

/// Commands whose own line is never echoed (`OmitEcho` in the runner).
const NEVER_ECHOED: [&str; 5] = ["add-mask", "debug", "error", "notice", "warning"];

/// The per-step state of command reading: whether commands are stopped, and
/// whether `::echo::on` is in effect.
#[derive(Clone, Debug, Default)]
pub struct CommandReader {
    allow_unsecure: bool,
    echo: bool,
    stop_token: Option<String>,
    echo_of_last: Echo,
}

/// What `::echo::on` adds to the log for the line just read.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Echo {
    #[default]
    Nothing,
    Line,
    MaskedAddMask,
}

impl CommandReader {
    pub fn new() -> CommandReader {
        CommandReader::default()
    }

    /// A reader that carries out `set-env` and `add-path`, for a step whose
    /// env has `ACTIONS_ALLOW_UNSECURE_COMMANDS=true`.
    pub fn allowing_unsecure(allow: bool) -> CommandReader {
        CommandReader {
            allow_unsecure: allow,
            ..CommandReader::default()
        }
    }

    /// Starts with `::echo::on` in effect, as GitHub does when
    /// `ACTIONS_STEP_DEBUG` is true.
    pub fn with_echo(mut self, on: bool) -> CommandReader {
        self.echo = on;
        self
    }

    /// Reads one line of output, without its line ending.
    pub fn read(&mut self, line: &str) -> Action {
        self.echo_of_last = Echo::Nothing;
        if !syntax::may_hold_command(line) {
            return Action::Print;
        }
        let stop_token = self.stop_token.as_deref();
        let is_known = |name: &str| command_name(name).is_some() || stop_token.is_some_and(|t| same_name(name, t));
        let Some(command) = syntax::parse(line, &is_known) else {
            return Action::Print;
        };
        if let Some(token) = stop_token {
            // GitHub shows the resume line and every line before it as output.
            if same_name(command.name, token) {
                self.stop_token = None;
            }
            return Action::Print;
        }
        let Some(name) = command_name(command.name) else {
            return Action::Print;
        };
        if self.echo && !NEVER_ECHOED.contains(&name) && name != "stop-commands" {
            self.echo_of_last = Echo::Line;
        }
        self.carry_out(name, line, command)
    }

    /// Text GitHub adds to the log for the line just read while `::echo::on`
    /// is in effect, to show before what its action shows: the command line
    /// itself, or `::add-mask::***`.
    pub fn echoed<'a>(&self, line: &'a str) -> Option<&'a str> {
        match self.echo_of_last {
            Echo::Nothing => None,
            Echo::Line => Some(line),
            Echo::MaskedAddMask => Some("::add-mask::***"),
        }
    }

    fn carry_out(&mut self, name: &'static str, line: &str, command: ParsedCommand) -> Action {
        let data = command.data.clone();
        match name {
            "group" => Action::Group(data),
            "endgroup" => Action::EndGroup,
            "debug" => Action::Debug(data),
            "error" => Action::Error(annotation::annotation_text(&command)),
            "warning" => Action::Warning(annotation::annotation_text(&command)),
            "notice" => Action::Notice(annotation::annotation_text(&command)),
            "add-mask" if data.trim().is_empty() => {
                Action::Warning("Can't add secret mask for empty string in ##[add-mask] command.".to_string())
            }
            "add-mask" => {
                if self.echo {
                    self.echo_of_last = Echo::MaskedAddMask;
                }
                Action::Mask(data)
            }
            "set-output" => match required_name(&command, name, line) {
                Ok(output) => Action::SetOutput {
                    name: output,
                    value: data,
                },
                Err(failed) => failed,
            },
            "save-state" => match required_name(&command, name, line) {
                Ok(state) => Action::SaveState {
                    name: state,
                    value: data,
                },
                Err(failed) => failed,
            },
            "set-env" => self.set_env(&command, line),
            "add-path" => self.add_path(data, line),
            "stop-commands" => self.stop_commands(data),
            "echo" => self.set_echo(&data, line),
            "add-matcher" if data.is_empty() => Action::Warning("File path must be specified.".to_string()),
            _ => Action::Hidden,
        }
    }

    fn set_env(&self, command: &ParsedCommand, line: &str) -> Action {
        if !self.allow_unsecure {
            return failed(line, &disabled("set-env"));
        }
        let name = match required_name(command, "set-env", line) {
            Ok(name) => name,
            Err(failed) => return failed,
        };
        if name.eq_ignore_ascii_case("NODE_OPTIONS") {
            return Action::Error("Can't update NODE_OPTIONS environment variable using ::set-env:: command.".into());
        }
        Action::SetEnv {
            name,
            value: command.data.clone(),
        }
    }

    fn add_path(&self, path: String, line: &str) -> Action {
        if !self.allow_unsecure {
            return failed(line, &disabled("add-path"));
        }
        if path.is_empty() {
            return failed(line, "Required value 'path' is missing in ##[add-path] command.");
        }
        Action::AddPath(path)
    }

    /// The runner refuses a token that is empty, `pause-logging` or a command
    /// name, since output could guess it and turn commands back on.
    fn stop_commands(&mut self, token: String) -> Action {
        if token.is_empty() || command_name(&token).is_some() || token.eq_ignore_ascii_case("pause-logging") {
            return Action::Failed(
                "You cannot use a endToken that is an empty string, the string 'pause-logging', or another workflow \
                 command. For more information see: \
                 https://docs.github.com/actions/learn-github-actions/workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands"
                    .to_string(),
            );
        }
        self.stop_token = Some(token.clone());
        Action::StopCommands { token }
    }

    fn set_echo(&mut self, value: &str, line: &str) -> Action {
        match value.trim().to_ascii_uppercase().as_str() {
            "ON" => self.echo = true,
            "OFF" => self.echo = false,
            _ => {
                let reason = format!(
                    "Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '{value}'."
                );
                return failed(line, &reason);
            }
        }
        Action::Hidden
    }
}

/// The known command a name stands for, matched case-insensitively.
fn command_name(name: &str) -> Option<&'static str> {
    COMMANDS.iter().copied().find(|known| known.eq_ignore_ascii_case(name))
}

/// Case-insensitive comparison for a stop token, which may be any text.
fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    let upper = |c: char| {
        let mut upper = c.to_uppercase();
        match (upper.next(), upper.next()) {
            (Some(u), None) => u,
            _ => c,
        }
    };
    a.chars().map(upper).eq(b.chars().map(upper))
}

/// The `name` property a command needs.
fn required_name(command: &ParsedCommand, name: &str, line: &str) -> Result<String, Action> {
    match command.property("name").filter(|n| !n.is_empty()) {
        Some(value) => Ok(value.to_string()),
        None => Err(failed(
            line,
            &format!("Required field 'name' is missing in ##[{name}] command."),
        )),
    }
}

/// GitHub's pair of errors for a command it could not carry out, as one line.
fn failed(line: &str, reason: &str) -> Action {
    Action::Failed(format!("Unable to process command '{line}' successfully. {reason}"))
}

fn disabled(command: &str) -> String {
    format!(
        "The `{command}` command is disabled. Please upgrade to using Environment Files or opt into unsecure command \
         execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. For more \
         information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/"
    )
}

#[cfg(test)]
#[path = "commands_tests.rs"]
mod tests;
