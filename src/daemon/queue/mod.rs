//! The daemon's durable queue, in the store's database: events as they
//! arrive (git hooks, webhooks, dispatch, cron), the runs intake made of
//! them, and the cron fire times already handled. Every change commits at
//! once, so a killed daemon loses nothing it acknowledged.

mod cron_fires;
mod events;
mod jobs;
mod rows;
mod runs;
mod state;

pub use cron_fires::Fire;
pub use jobs::RunningJob;
pub use rows::{EventRow, NewEvent, NewQueuedRun, Pushed, QueuedRun, RunState};

use crate::store::{connect, sql, system_clock, Clock, Store, StoreError};
use rusqlite::{Connection, Params, Row};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// The queue in one store directory. Shared between the daemon's tasks;
/// each call holds the connection for one short statement or transaction.
pub struct Queue {
    conn: Mutex<Connection>,
    clock: Clock,
}

impl Queue {
    /// Opens the queue of the store in `dir`, creating the store as needed.
    pub fn open(dir: &Path) -> Result<Queue, StoreError> {
        Queue::open_with_clock(dir, system_clock())
    }

    pub fn open_with_clock(dir: &Path, clock: Clock) -> Result<Queue, StoreError> {
        // Opening the store creates the folder and brings the schema up to date.
        drop(Store::open_with_clock(dir, clock.clone())?);
        Ok(Queue {
            conn: Mutex::new(connect(dir)?),
            clock,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable:
        // every write is its own statement or transaction.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs one SELECT and collects its rows; `action` names it in errors.
    fn select<T, P: Params>(
        &self,
        action: &'static str,
        query: &str,
        params: P,
        row: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let conn = self.conn();
        let mut statement = conn.prepare(query).map_err(sql(action))?;
        let rows = statement
            .query_map(params, row)
            .and_then(|rows| rows.collect())
            .map_err(sql(action));
        rows
    }

    fn now(&self) -> String {
        crate::store::timestamp(&self.clock)
    }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod queue_tests;
