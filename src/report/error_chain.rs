//! One way to print a runtime error: its message, then each `source` in
//! turn (`failed to record the run: the database is locked`), so the cause
//! is never dropped and never printed twice.

use std::error::Error;

/// `error` and its sources, joined by `: `.
pub fn error_chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their source in their own message.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("failed to record the run")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn prints_every_cause_once() {
        let error = Outer(std::io::Error::other("database is locked"));
        assert_eq!(error_chain(&error), "failed to record the run: database is locked");
    }

    #[test]
    fn an_error_without_a_source_is_its_message() {
        assert_eq!(error_chain(&std::io::Error::other("disk full")), "disk full");
    }
}
