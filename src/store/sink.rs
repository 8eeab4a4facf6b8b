//! [`StoreSink`]: records a run's events into the store as they happen.

use super::clock::Clock;
use super::recorder::Recorder;
use crate::report::events::{EventSink, RunEvent};
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long an output line may wait in a buffer before `mlci logs` can see it.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// An [`EventSink`] that records job legs and steps in the database and
/// writes output lines to log files. It never panics and never prints: the
/// first thing that failed is kept for [`StoreSink::take_error`], and
/// recording goes on with the next event.
///
/// Log files are buffered; a background thread flushes them every 200 ms,
/// and a step's file is flushed and closed when the step finishes.
pub struct StoreSink {
    recorder: Arc<Mutex<Recorder>>,
    /// Dropping it stops the flusher.
    stop: Option<Sender<()>>,
    flusher: Option<JoinHandle<()>>,
}

impl StoreSink {
    pub(crate) fn new(conn: Connection, dir: PathBuf, clock: Clock) -> StoreSink {
        let recorder = Arc::new(Mutex::new(Recorder::new(conn, dir, clock)));
        let (stop, stopped) = mpsc::channel::<()>();
        let shared = Arc::clone(&recorder);
        let spawned = std::thread::Builder::new()
            .name("mlci-store-flush".to_string())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(FLUSH_EVERY) {
                    lock(&shared).flush();
                }
            });
        let flusher = match spawned {
            Ok(handle) => Some(handle),
            Err(e) => {
                lock(&recorder).note(format!(
                    "failed to start the log flusher (logs are written as steps finish): {e}"
                ));
                None
            }
        };
        StoreSink {
            recorder,
            stop: Some(stop),
            flusher,
        }
    }

    /// The first error since the last call (a full disk, a locked database),
    /// if any; the sink kept recording what it could after it.
    pub fn take_error(&self) -> Option<String> {
        lock(&self.recorder).take_error()
    }

    /// Writes out every buffered log line now.
    pub fn flush(&self) {
        lock(&self.recorder).flush();
    }
}

impl EventSink for StoreSink {
    fn emit(&self, event: &RunEvent) {
        lock(&self.recorder).record(event);
    }
}

impl Drop for StoreSink {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        lock(&self.recorder).flush();
    }
}

/// The recorder never panics while holding the lock, but a poisoned lock
/// must not stop recording either.
fn lock(recorder: &Mutex<Recorder>) -> MutexGuard<'_, Recorder> {
    recorder.lock().unwrap_or_else(PoisonError::into_inner)
}
