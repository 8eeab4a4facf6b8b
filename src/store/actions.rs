//! The supply-chain record of a run: the commit each published action of
//! each step resolved to, and where it came from.

use super::error::{sql, StoreError};
use super::Store;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionRow {
    pub job: String,
    pub leg: usize,
    pub attempt: u32,
    pub step: usize,
    /// `OWNER/REPO[/PATH]@REF`, as the workflow names it.
    pub action: String,
    pub sha: String,
    pub source: String,
}

impl Store {
    /// The actions run `run_id` resolved, in job and step order.
    pub fn run_actions(&self, run_id: i64) -> Result<Vec<ActionRow>, StoreError> {
        let mut query = self
            .conn
            .prepare(
                "SELECT job, leg, attempt, step, action, sha, source FROM actions WHERE run_id = ?1
                 ORDER BY rowid",
            )
            .map_err(sql("read a run's actions"))?;
        let rows = query
            .query_map([run_id], |row| {
                Ok(ActionRow {
                    job: row.get(0)?,
                    leg: row.get::<_, i64>(1)?.try_into().unwrap_or_default(),
                    attempt: row.get::<_, i64>(2)?.try_into().unwrap_or_default(),
                    step: row.get::<_, i64>(3)?.try_into().unwrap_or_default(),
                    action: row.get(4)?,
                    sha: row.get(5)?,
                    source: row.get(6)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("read a run's actions"))?;
        Ok(rows)
    }
}
