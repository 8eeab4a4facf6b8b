//! Workflow commands on step output (`::set-output::`, `::add-mask::`, …) (stub).

/// What one output line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// An ordinary line, shown as it is.
    Print(String),
    Group(String),
    EndGroup,
    Error(String),
    Warning(String),
    Notice(String),
    Debug(String),
    Mask(String),
    SetOutput { name: String, value: String },
    SaveState { name: String, value: String },
    /// A command that shows nothing (`::echo::off`, a stop-commands marker).
    Hidden,
}

/// The per-step state of the command reader (`::stop-commands::`, echo).
#[derive(Default)]
pub struct CommandReader {}

impl CommandReader {
    pub fn new() -> CommandReader {
        CommandReader::default()
    }

    pub fn read(&mut self, line: &str) -> Action {
        Action::Print(line.to_string())
    }
}
