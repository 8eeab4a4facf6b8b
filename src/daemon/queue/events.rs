//! Events: stored as they arrive, then taken by intake in arrival order.

use super::rows::{EventRow, NewEvent, NewQueuedRun, Pushed};
use super::Queue;
use crate::store::{sql, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

const EVENT_COLUMNS: &str = "id, repo, name, git_ref, before, after, payload, source, received_at, status, note";

impl Queue {
    /// Stores an event; once this returns, the event survives a crash.
    pub fn push_event(&self, event: &NewEvent) -> Result<i64, StoreError> {
        let conn = self.conn();
        insert_event(&conn, event, &self.now())
    }

    /// Stores a forge's delivery once: a delivery id seen before from the
    /// same source (the forge redelivered it) stores nothing and answers the
    /// first event's id.
    pub fn push_delivery(&self, event: &NewEvent, delivery: &str) -> Result<Pushed, StoreError> {
        let mut conn = self.conn();
        let now = self.now();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("store a delivery"))?;
        let seen: Option<i64> = tx
            .query_row(
                "SELECT id FROM events WHERE source = ?1 AND delivery = ?2",
                [&event.source, delivery],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql("look up a delivery"))?;
        if let Some(id) = seen {
            return Ok(Pushed::Again(id));
        }
        let id = insert_event(&tx, event, &now)?;
        tx.execute("UPDATE events SET delivery = ?2 WHERE id = ?1", params![id, delivery])
            .map_err(sql("store a delivery"))?;
        tx.commit().map_err(sql("store a delivery"))?;
        Ok(Pushed::New(id))
    }

    /// One event by id.
    pub fn event(&self, id: i64) -> Result<Option<EventRow>, StoreError> {
        let query = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1");
        Ok(self.select("read an event", &query, [id], event_row)?.pop())
    }

    /// The oldest event intake has not handled yet.
    pub fn next_event(&self) -> Result<Option<EventRow>, StoreError> {
        let query = format!("SELECT {EVENT_COLUMNS} FROM events WHERE status = 'queued' ORDER BY id LIMIT 1");
        Ok(self.select("read the next event", &query, [], event_row)?.pop())
    }

    /// The oldest event intake has not handled yet of each repository,
    /// oldest first: repositories are taken side by side, each in order.
    pub fn next_events(&self) -> Result<Vec<EventRow>, StoreError> {
        let query = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE id IN
             (SELECT MIN(id) FROM events WHERE status = 'queued' GROUP BY repo) ORDER BY id"
        );
        self.select("read the next events", &query, [], event_row)
    }

    /// The newest events, newest first.
    pub fn events(&self, limit: usize) -> Result<Vec<EventRow>, StoreError> {
        let query = format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY id DESC LIMIT ?1");
        self.select("list events", &query, [limit as i64], event_row)
    }

    /// Marks an event handled and queues the runs it triggered, in one
    /// transaction: a crash leaves the event queued with no runs, or handled
    /// with all of them, never half. Each new run supersedes the queued
    /// runs of its concurrency group in its repository (groups are scoped to
    /// the repository, as on GitHub); returns the new runs' ids.
    pub fn accept_event(&self, event_id: i64, runs: &[NewQueuedRun], note: &str) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn();
        let now = self.now();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("queue an event's runs"))?;
        let mut ids = Vec::new();
        for run in runs {
            if let Some(group) = &run.concurrency_group {
                tx.execute(
                    "UPDATE queued_runs SET status = 'superseded', note = 'a newer run of its concurrency group was queued'
                     WHERE status = 'queued' AND repo = ?1 AND concurrency_group = ?2",
                    [&run.repo, group],
                )
                .map_err(sql("supersede queued runs"))?;
            }
            tx.execute(
                "INSERT INTO queued_runs (event_id, repo, workflow, git_ref, sha, concurrency_group, cancel_in_progress, status, queued_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8)",
                params![
                    event_id,
                    run.repo,
                    run.workflow,
                    run.git_ref,
                    run.sha,
                    run.concurrency_group,
                    run.cancel_in_progress,
                    now
                ],
            )
            .map_err(sql("queue a run"))?;
            ids.push(tx.last_insert_rowid());
        }
        tx.execute(
            "UPDATE events SET status = 'done', note = ?2 WHERE id = ?1",
            params![event_id, note],
        )
        .map_err(sql("mark an event handled"))?;
        tx.commit().map_err(sql("queue an event's runs"))?;
        Ok(ids)
    }

    /// Marks an event that intake could not handle (an unknown repository,
    /// a commit that cannot be fetched), with why.
    pub fn fail_event(&self, event_id: i64, why: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE events SET status = 'failed', note = ?2 WHERE id = ?1",
                params![event_id, why],
            )
            .map_err(sql("mark an event failed"))?;
        Ok(())
    }
}

fn event_row(row: &Row) -> rusqlite::Result<EventRow> {
    let payload: Option<String> = row.get(6)?;
    Ok(EventRow {
        id: row.get(0)?,
        repo: row.get(1)?,
        name: row.get(2)?,
        git_ref: row.get(3)?,
        before: row.get(4)?,
        after: row.get(5)?,
        payload: payload.and_then(|p| serde_json::from_str(&p).ok()),
        source: row.get(7)?,
        received_at: row.get(8)?,
        status: row.get(9)?,
        note: row.get(10)?,
    })
}

/// Stores an event as `queued`; returns its id.
pub(super) fn insert_event(conn: &Connection, event: &NewEvent, now: &str) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO events (repo, name, git_ref, before, after, payload, source, received_at, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued')",
        params![
            event.repo,
            event.name,
            event.git_ref,
            event.before,
            event.after,
            event.payload.as_ref().map(|p| p.to_string()),
            event.source,
            now,
        ],
    )
    .map_err(sql("store an event"))?;
    Ok(conn.last_insert_rowid())
}
