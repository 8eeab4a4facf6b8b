//! `mlci plan --json | head -c 10`: once the reader has closed the pipe,
//! the next print to stdout fails with EPIPE. Rust ignores SIGPIPE, so
//! `println!` panics, and the command died with exit 101 and a panic
//! message. This turns that one panic, in every command and on any thread,
//! into a quiet exit 0: the reader took what it wanted.
//!
//! SIGPIPE stays ignored, so a socket or child pipe that closes under the
//! runner daemon is still an error it handles, never a signal that kills it.

use super::exit;

/// Installs the panic hook; every other panic goes to the default hook.
pub fn exit_quietly_when_stdout_closes() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if is_closed_stdout(message) {
            std::process::exit(exit::SUCCESS);
        }
        default(info);
    }));
}

/// The message std's `print!` family panics with when stdout is a closed pipe.
fn is_closed_stdout(message: &str) -> bool {
    message.starts_with("failed printing to stdout") && message.contains("Broken pipe")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_broken_stdout_pipe_is_quiet() {
        assert!(is_closed_stdout("failed printing to stdout: Broken pipe (os error 32)"));
        assert!(!is_closed_stdout(
            "failed printing to stdout: No space left on device (os error 28)"
        ));
        assert!(!is_closed_stdout(
            "failed printing to stderr: Broken pipe (os error 32)"
        ));
        assert!(!is_closed_stdout("index out of bounds"));
    }
}
