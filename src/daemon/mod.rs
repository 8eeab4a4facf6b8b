//! `mlci runner`: the self-hosted runner daemon. It watches the configured
//! repositories (git hooks, forge webhooks, cron), queues every event in the
//! store before acknowledging it, and runs the triggered workflows with the
//! same engine as `mlci run`, sharing one job capacity and one GPU pool
//! across runs. Commit statuses and notifications go back to the forge.
//!
//! - [`config`]: `runner.yml`, read with line and column for every mistake;
//! - [`repos`]: the repositories, local or mirrored from a URL;
//! - [`queue`]: events, queued runs and cron fire times in the store's database;
//! - [`intake`]: which workflows an event runs ([`workflows_at`] a commit,
//!   the [`context`] of a run); [`cron`] makes schedule events;
//! - [`runner`]: the main loop; [`start_run`] runs one queued run,
//!   [`recovery`] picks up after a killed daemon, [`stop`] listens for signals;
//! - [`http`]: webhooks, dispatch and the read API; [`dispatch`] says
//!   what a `workflow_dispatch` may ask, for the endpoint and intake alike;
//! - [`report`]: commit statuses and notifications, retried in the background.

pub mod config;
pub mod context;
pub mod cron;
pub mod dispatch;
pub mod http;
pub mod intake;
pub mod queue;
pub mod recovery;
pub mod report;
pub mod repos;
pub mod runner;
pub mod start_run;
pub mod stop;
pub mod workflows_at;

#[cfg(test)]
#[path = "cron_tests.rs"]
mod cron_tests;
