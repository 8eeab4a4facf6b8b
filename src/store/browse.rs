//! Reading the store for the web view (`mlci ui`, the daemon's pages): a
//! read-only connection that never blocks the run being recorded, and the
//! runs list paged and filtered.

use super::error::{sql, StoreError};
use super::queries::{run_row, RUN_COLUMNS};
use super::rows::RunRow;
use super::schema;
use super::store::Store;
use rusqlite::{types::Value as SqlValue, OpenFlags};
use std::path::Path;

/// Which runs a list shows; every field set narrows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunFilter {
    pub workflow: Option<String>,
    /// The ref as recorded (`refs/heads/main`) or a branch name (`main`).
    pub branch: Option<String>,
    pub event: Option<String>,
    /// A result (`success`, `failure`, `cancelled`, `skipped`) or a status
    /// without one (`running`, `interrupted`).
    pub result: Option<String>,
}

/// One page of runs, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct RunPage {
    pub runs: Vec<RunRow>,
    /// The `before` of the next (older) page; None on the last page.
    pub next_before: Option<i64>,
}

/// The values the filters can take, for the list's menus.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterChoices {
    pub workflows: Vec<String>,
    pub branches: Vec<String>,
    pub events: Vec<String>,
}

impl Store {
    /// Opens the store in `dir` for reading only: it creates nothing,
    /// migrates nothing and takes no write lock, so a page load never waits
    /// for (or delays) the run being recorded. WAL readers see the last commit.
    pub fn open_read_only(dir: &Path) -> Result<Store, StoreError> {
        let path = schema::db_path(dir);
        let open = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = rusqlite::Connection::open_with_flags(&path, flags).map_err(open)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(open)?;
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(open)?;
        if found > schema::VERSION {
            return Err(StoreError::NewerSchema {
                path,
                found,
                known: schema::VERSION,
            });
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            conn,
            clock: super::clock::system_clock(),
            identity: None,
        })
    }

    /// Up to `limit` runs older than `before` (all when None) that pass
    /// `filter`, newest first. Walks the id index backwards, so a page costs
    /// the same on a store of ten runs or ten thousand.
    pub fn run_page(&self, filter: &RunFilter, before: Option<i64>, limit: usize) -> Result<RunPage, StoreError> {
        let mut clauses = vec!["id < ?1".to_string()];
        let mut values = vec![SqlValue::Integer(before.unwrap_or(i64::MAX))];
        let branch = filter.branch.as_ref().map(|b| {
            if b.starts_with("refs/") {
                b.clone()
            } else {
                format!("refs/heads/{b}")
            }
        });
        // A result, or a status for runs without one; `?N` may repeat.
        let wanted = [
            ("workflow = ?N", filter.workflow.as_ref()),
            ("git_ref = ?N", branch.as_ref()),
            ("event = ?N", filter.event.as_ref()),
            (
                "(result = ?N OR (result IS NULL AND status = ?N))",
                filter.result.as_ref(),
            ),
        ];
        for (clause, value) in wanted {
            if let Some(value) = value {
                values.push(SqlValue::Text(value.clone()));
                clauses.push(clause.replace("?N", &format!("?{}", values.len())));
            }
        }
        // One more than asked, to know whether an older page exists.
        values.push(SqlValue::Integer(
            i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1),
        ));
        let query = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE {} ORDER BY id DESC LIMIT ?{}",
            clauses.join(" AND "),
            values.len()
        );
        let mut statement = self.conn.prepare(&query).map_err(sql("list runs"))?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), run_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("list runs"))?;
        let mut runs = rows.into_iter().collect::<Result<Vec<RunRow>, StoreError>>()?;
        let next_before = if runs.len() > limit {
            runs.truncate(limit);
            runs.last().map(|r| r.id)
        } else {
            None
        };
        Ok(RunPage { runs, next_before })
    }

    /// The runs with these ids (those that exist), newest first: what a
    /// live list asks for while its runs go on.
    pub fn runs_by_id(&self, ids: &[i64]) -> Result<Vec<RunRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; ids.len()].join(",");
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE id IN ({marks}) ORDER BY id DESC"
            ))
            .map_err(sql("read runs"))?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(ids), run_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("read runs"))?;
        rows.into_iter().collect()
    }

    /// Every workflow, branch and event the store has seen, sorted.
    pub fn filter_choices(&self) -> Result<FilterChoices, StoreError> {
        let distinct = |column: &str| -> Result<Vec<String>, StoreError> {
            let mut statement = self
                .conn
                .prepare(&format!("SELECT DISTINCT {column} FROM runs ORDER BY 1"))
                .map_err(sql("list filter values"))?;
            let values = statement
                .query_map([], |row| row.get::<_, String>(0))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(sql("list filter values"));
            values
        };
        let branches = distinct("git_ref")?
            .into_iter()
            .map(|r| r.strip_prefix("refs/heads/").map(str::to_string).unwrap_or(r))
            .collect();
        Ok(FilterChoices {
            workflows: distinct("workflow")?,
            branches,
            events: distinct("event")?,
        })
    }
}
