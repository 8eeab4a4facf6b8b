//! Every mistake found in `runner.yml`, rendered as workflow errors are:
//! `error: message`, `--> file:line:col`, the source line and carets.

use crate::diag::{render, Diagnostic, SourceFile};
use std::fmt;

/// The mistakes in one configuration file, in file order. `Display` renders
/// them all, one after another.
#[derive(Debug)]
pub struct ConfigErrors {
    /// The file as the user named it, and its text (empty when unreadable).
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// Set when the file itself could not be read: no line to point at.
    unreadable: Option<String>,
}

impl ConfigErrors {
    pub(super) fn new(file: SourceFile, mut diagnostics: Vec<Diagnostic>) -> ConfigErrors {
        diagnostics.sort_by_key(|d| d.span);
        ConfigErrors {
            file,
            diagnostics,
            unreadable: None,
        }
    }

    pub(super) fn unreadable(file: SourceFile, error: &std::io::Error) -> ConfigErrors {
        let message = format!("failed to read the configuration file {}: {error}", file.path.display());
        ConfigErrors {
            file,
            diagnostics: Vec::new(),
            unreadable: Some(message),
        }
    }

    /// How many errors there are (at least one).
    pub fn count(&self) -> usize {
        self.diagnostics.len().max(1)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(message) = &self.unreadable {
            return writeln!(f, "error: {message}");
        }
        for diagnostic in &self.diagnostics {
            f.write_str(&render(diagnostic, &self.file))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
