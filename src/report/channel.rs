//! The engine's side of reporting: events go over a channel to one
//! reporter thread, which hands each to every sink in order (terminal,
//! JSON, store, forge). Sending never blocks, so a slow terminal or a
//! locked database never stalls a job, a step or a timer.

use super::events::{EventSink, RunEvent};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

enum Message {
    Event(RunEvent),
    /// Answered once every event sent before it has reached every sink.
    Flush(oneshot::Sender<()>),
    /// The run is over: the thread ends, whoever still holds a sender.
    Close,
}

/// Where the engine sends its events. Cheap to clone; every clone feeds the
/// same reporter thread.
#[derive(Clone)]
pub struct EventSender {
    tx: Sender<Message>,
}

impl EventSender {
    /// Starts the reporter thread over `sinks`, in the order given.
    pub fn start(sinks: Vec<Arc<dyn EventSink>>) -> (EventSender, Reporter) {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("mlci-reporter".to_string())
            .spawn(move || deliver(rx, sinks));
        match thread {
            Ok(handle) => (EventSender { tx }, Reporter { thread: Some(handle) }),
            // Without a thread of its own, reporting would have to block the
            // engine; a process that cannot start one thread is failing anyway.
            Err(e) => {
                tracing::error!("failed to start the reporter thread: {e}");
                (EventSender { tx }, Reporter { thread: None })
            }
        }
    }

    pub fn send(&self, event: RunEvent) {
        // The receiver only goes away with the reporter thread, at the end.
        let _ = self.tx.send(Message::Event(event));
    }

    /// Waits until every event sent so far has reached every sink.
    pub async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).is_ok() {
            let _ = flushed.await;
        }
    }
}

/// A sink panicked (or the thread never started): events went unreported.
#[derive(Debug, thiserror::Error)]
#[error("the reporter thread crashed, so part of the run went unreported")]
pub struct ReporterCrashed;

/// The reporter thread.
pub struct Reporter {
    thread: Option<JoinHandle<()>>,
}

impl Reporter {
    /// Delivers what was sent before this call, then ends the thread; an
    /// error if a sink panicked, so that later events went unreported.
    pub fn finish(mut self, events: &EventSender) -> Result<(), ReporterCrashed> {
        let _ = events.tx.send(Message::Close);
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| ReporterCrashed),
            None => Err(ReporterCrashed),
        }
    }
}

fn deliver(rx: Receiver<Message>, sinks: Vec<Arc<dyn EventSink>>) {
    for message in rx {
        match message {
            Message::Event(event) => {
                for sink in &sinks {
                    sink.emit(&event);
                }
            }
            Message::Flush(done) => {
                let _ = done.send(());
            }
            Message::Close => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::events::Outcome;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Collect(Mutex<Vec<i64>>);

    impl EventSink for Collect {
        fn emit(&self, event: &RunEvent) {
            if let RunEvent::RunFinished { run_id, .. } = event {
                self.0.lock().unwrap().push(*run_id);
            }
        }
    }

    fn finished(run_id: i64) -> RunEvent {
        RunEvent::RunFinished {
            run_id,
            result: Outcome::Success,
            seconds: 0.0,
        }
    }

    #[tokio::test]
    async fn flush_waits_for_every_event_sent_before_it_in_order() {
        let collect = Arc::new(Collect::default());
        let (events, _reporter) = EventSender::start(vec![collect.clone()]);
        let sender = events.clone();
        for id in 0..1000 {
            sender.send(finished(id));
        }
        events.flush().await;
        assert_eq!(*collect.0.lock().unwrap(), (0..1000).collect::<Vec<_>>());
    }

    /// A sink that blocks (a stalled terminal) holds up the reporter, never
    /// the sender.
    #[test]
    fn sending_does_not_wait_for_a_blocked_sink() {
        struct Blocked(Mutex<Option<mpsc::Receiver<()>>>);
        impl EventSink for Blocked {
            fn emit(&self, _: &RunEvent) {
                if let Some(gate) = self.0.lock().unwrap().take() {
                    let _ = gate.recv();
                }
            }
        }
        let (open, gate) = mpsc::channel();
        let collect = Arc::new(Collect::default());
        let (events, reporter) = EventSender::start(vec![Arc::new(Blocked(Mutex::new(Some(gate)))), collect.clone()]);
        for id in 0..100 {
            events.send(finished(id));
        }
        // All 100 were sent while the first sink still blocks the thread.
        assert!(collect.0.lock().unwrap().is_empty());
        open.send(()).unwrap();
        reporter.finish(&events).unwrap();
        assert_eq!(collect.0.lock().unwrap().len(), 100);
    }
}
