//! Streaming a process's output from Docker to a [`LineSink`].

use crate::backend::lines::LineSplitter;
use crate::backend::{BackendError, LineSink};
use bollard::container::LogOutput;
use futures_util::{Stream, StreamExt};

/// Reads Docker's multiplexed output to its end; stdout and stderr lines go
/// to `sink` in the order their bytes arrive, each stream keeping its own
/// partial line.
pub(super) async fn stream_lines<S>(mut output: S, sink: &mut dyn LineSink, what: &str) -> Result<(), BackendError>
where
    S: Stream<Item = Result<LogOutput, bollard::errors::Error>> + Unpin,
{
    let mut stdout = LineSplitter::default();
    let mut stderr = LineSplitter::default();
    let mut result = Ok(());
    while let Some(chunk) = output.next().await {
        match chunk {
            Ok(LogOutput::StdErr { message }) => {
                stderr.push(&message, sink);
                sink.flush();
            }
            Ok(LogOutput::StdOut { message } | LogOutput::Console { message }) => {
                stdout.push(&message, sink);
                sink.flush();
            }
            Ok(LogOutput::StdIn { .. }) => {}
            Err(e) => {
                result = Err(super::errors::failed(&format!("read the output of {what}"), e));
                break;
            }
        }
    }
    stdout.finish(sink);
    stderr.finish(sink);
    sink.flush();
    result
}
