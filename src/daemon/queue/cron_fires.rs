//! Cron fire times already handled, so each fires once even across
//! restarts.

use super::events::insert_event;
use super::rows::NewEvent;
use super::Queue;
use crate::store::{sql, StoreError};
use rusqlite::{params, TransactionBehavior};

/// What became of a fire time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fire {
    /// The daemon was up: the workflow was queued.
    Fired,
    /// The daemon was down at that time: logged, not run late.
    Missed,
}

impl Queue {
    /// Records a fire time; false when it was recorded before (it must
    /// not fire again).
    pub fn record_fire(
        &self,
        repo: &str,
        workflow: &str,
        cron: &str,
        time: &str,
        fire: Fire,
    ) -> Result<bool, StoreError> {
        let status = match fire {
            Fire::Fired => "fired",
            Fire::Missed => "missed",
        };
        let inserted = self
            .conn()
            .execute(
                "INSERT OR IGNORE INTO cron_fires (repo, workflow, cron, fire_time, status, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![repo, workflow, cron, time, status, self.now()],
            )
            .map_err(sql("record a cron fire time"))?;
        Ok(inserted == 1)
    }

    /// The fire times recorded for one workflow's cron, oldest first, with
    /// `fired` or `missed`.
    pub fn fires(&self, repo: &str, workflow: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        let query = "SELECT cron, fire_time, status FROM cron_fires WHERE repo = ?1 AND workflow = ?2
                     ORDER BY fire_time, cron";
        self.select("list cron fire times", query, [repo, workflow], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
    }

    /// Records a fire time and queues its event in one transaction, so a
    /// crash cannot queue it without recording it, or the reverse; false
    /// (and nothing queued) when the time was recorded before.
    pub fn fire_schedule(&self, cron: &str, time: &str, event: &NewEvent) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let now = self.now();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("queue a cron fire"))?;
        let workflow = event
            .payload
            .as_ref()
            .and_then(|p| p.get("workflow"))
            .and_then(|w| w.as_str());
        let inserted = tx
            .execute(
                "INSERT OR IGNORE INTO cron_fires (repo, workflow, cron, fire_time, status, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, 'fired', ?5)",
                params![event.repo, workflow.unwrap_or_default(), cron, time, now],
            )
            .map_err(sql("record a cron fire time"))?;
        if inserted == 1 {
            insert_event(&tx, event, &now)?;
        }
        tx.commit().map_err(sql("queue a cron fire"))?;
        Ok(inserted == 1)
    }
}
