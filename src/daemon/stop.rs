//! Stop signals: the first Ctrl-C or SIGTERM starts the shutdown, a second
//! one makes it quick.

use tokio::signal::unix::{signal, SignalKind};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Default)]
pub struct Stop {
    pub first: CancellationToken,
    pub second: CancellationToken,
}

impl Stop {
    /// Listens for SIGINT and SIGTERM on the current runtime.
    pub fn on_signals() -> std::io::Result<Stop> {
        let stop = Stop::default();
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let tokens = stop.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                if tokens.first.is_cancelled() {
                    tokens.second.cancel();
                } else {
                    tokens.first.cancel();
                }
            }
        });
        Ok(stop)
    }
}
