//! Values the daemon keeps between starts: how far cron was checked, and
//! which process is the daemon (so `mlci runner status` can tell whether
//! one is up, and a second daemon on the same store is refused).

use super::Queue;
use crate::store::{is_alive, sql, start_time, StoreError};
use rusqlite::OptionalExtension;
use serde_json::{json, Value};

const DAEMON_KEY: &str = "daemon";

impl Queue {
    /// A value the daemon keeps between runs (`cron_checked_until`).
    pub fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT value FROM daemon_state WHERE key = ?1", [key], |row| row.get(0))
            .optional()
            .map_err(sql("read the daemon's state"))
    }

    pub fn set_state_value(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO daemon_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map_err(sql("write the daemon's state"))?;
        Ok(())
    }

    /// Records this process as the store's daemon, with what it listens on;
    /// refuses when another live daemon holds the store.
    pub fn claim_daemon(&self, listen: &str) -> Result<Result<(), Value>, StoreError> {
        if let Some(running) = self.daemon()? {
            return Ok(Err(running));
        }
        let pid = i64::from(std::process::id());
        let record = json!({"pid": pid, "pid_started": start_time(pid), "listen": listen, "started_at": self.now()});
        self.set_state_value(DAEMON_KEY, &record.to_string())?;
        Ok(Ok(()))
    }

    /// The live daemon of this store, as it recorded itself; None when none
    /// is running.
    pub fn daemon(&self) -> Result<Option<Value>, StoreError> {
        let Some(text) = self.state(DAEMON_KEY)? else {
            return Ok(None);
        };
        let record: Value = serde_json::from_str(&text).unwrap_or_default();
        let pid = record.get("pid").and_then(Value::as_i64).unwrap_or(0);
        let started = record.get("pid_started").and_then(Value::as_i64);
        Ok((pid > 0 && is_alive(pid, started)).then_some(record))
    }
}
