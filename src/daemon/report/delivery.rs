//! Delivery in the background, with retries. Each key (a commit status's
//! slug, sha and context, or one notification) has at most one task sending
//! it, so a key's states reach the forge in order; a newer state waiting
//! for that task replaces an older one, and one that arrives while a state
//! is being retried replaces it at the next try (pending is no use after
//! success). Keys do not wait for each other: a dead notification webhook
//! never holds up commit statuses.

use super::forge::{self, Request, Sent};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{watch, Semaphore};
use tracing::{error, warn};

/// How failed deliveries are retried: `first`, doubling up to `max`
/// between tries, `attempts` tries in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(5 * 60),
            attempts: 10,
        }
    }
}

impl Backoff {
    /// The wait after the `failed`-th failed try (1-based).
    pub fn delay(&self, failed: u32) -> Duration {
        let factor = 2u32.saturating_pow(failed.saturating_sub(1));
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// What is sent once, or replaced by a newer one with the same key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Status { slug: String, sha: String, context: String },
    Once(u64),
}

/// One request and how log lines name it (never with a token or URL).
pub struct Delivery {
    pub request: Request,
    pub what: String,
}

/// Requests in flight at once across all keys: enough to drain a burst,
/// few enough not to flood a forge coming back up.
const IN_FLIGHT: usize = 8;

pub struct Queue {
    shared: Arc<Shared>,
    runtime: Handle,
}

struct Shared {
    client: Result<reqwest::Client, String>,
    backoff: Backoff,
    /// A key is here while a task owns it; `Some` is the next state to send.
    slots: Mutex<HashMap<Key, Option<Delivery>>>,
    /// Deliveries queued and not yet delivered, refused, given up or replaced.
    outstanding: watch::Sender<usize>,
    in_flight: Semaphore,
    next_once: AtomicU64,
}

impl Queue {
    /// A queue whose tasks run on the current tokio runtime (panics outside one).
    pub fn new(backoff: Backoff) -> Queue {
        Queue {
            shared: Arc::new(Shared {
                client: forge::client(),
                backoff,
                slots: Mutex::new(HashMap::new()),
                outstanding: watch::Sender::new(0),
                in_flight: Semaphore::new(IN_FLIGHT),
                next_once: AtomicU64::new(0),
            }),
            runtime: Handle::current(),
        }
    }

    /// A key that nothing else shares.
    pub fn once(&self) -> Key {
        Key::Once(self.shared.next_once.fetch_add(1, Ordering::Relaxed))
    }

    /// Queues a delivery; never waits.
    pub fn push(&self, key: Key, delivery: Delivery) {
        self.shared.outstanding.send_modify(|n| *n += 1);
        let mut slots = self.shared.slots();
        if let Some(next) = slots.get_mut(&key) {
            if next.replace(delivery).is_some() {
                self.shared.finished();
            }
            return;
        }
        slots.insert(key.clone(), Some(delivery));
        drop(slots);
        self.runtime.spawn(work(self.shared.clone(), key));
    }

    /// Waits until nothing is outstanding, or `timeout` passes.
    pub async fn flush(&self, timeout: Duration) {
        let mut outstanding = self.shared.outstanding.subscribe();
        let _ = tokio::time::timeout(timeout, outstanding.wait_for(|n| *n == 0)).await;
    }
}

impl Shared {
    fn slots(&self) -> MutexGuard<'_, HashMap<Key, Option<Delivery>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The key's next state, or None (and the key released) when there is none.
    fn next(&self, key: &Key) -> Option<Delivery> {
        let mut slots = self.slots();
        let next = slots.get_mut(key).and_then(Option::take);
        if next.is_none() {
            slots.remove(key);
        }
        next
    }

    fn superseded(&self, key: &Key) -> bool {
        self.slots().get(key).is_some_and(Option::is_some)
    }

    fn finished(&self) {
        self.outstanding.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// Sends the key's states one after the other until none is left.
async fn work(shared: Arc<Shared>, key: Key) {
    while let Some(delivery) = shared.next(&key) {
        deliver(&shared, &key, &delivery).await;
        shared.finished();
    }
}

/// Tries one delivery until it is delivered, refused, given up, or
/// replaced by a newer state for its key.
async fn deliver(shared: &Shared, key: &Key, delivery: &Delivery) {
    let client = match &shared.client {
        Ok(client) => client,
        Err(e) => return error!(what = %delivery.what, error = %e, "cannot send: no HTTP client"),
    };
    let backoff = &shared.backoff;
    let mut tries = 0;
    loop {
        tries += 1;
        let sent = {
            let _permit = shared.in_flight.acquire().await;
            forge::send(client, &delivery.request).await
        };
        match sent {
            Sent::Delivered => return,
            Sent::Refused(why) => return warn!(what = %delivery.what, "the forge refused it: {why}"),
            Sent::Failed(why) if tries >= backoff.attempts => {
                return warn!(what = %delivery.what, tries, "gave up: {why}")
            }
            Sent::Failed(_) => {}
        }
        tokio::time::sleep(backoff.delay(tries)).await;
        if shared.superseded(key) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let backoff = Backoff::default();
        let delays: Vec<u64> = (1..=10).map(|n| backoff.delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
        assert_eq!(backoff.delay(40), Duration::from_secs(300));
    }
}
