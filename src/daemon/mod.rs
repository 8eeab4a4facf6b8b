//! `mlci runner`: the self-hosted runner daemon. It watches the configured
//! repositories (git hooks, forge webhooks, cron), queues every event in the
//! store before acknowledging it, and runs the triggered workflows with the
//! same engine as `mlci run`, sharing one job capacity and one GPU pool
//! across runs. Commit statuses and notifications go back to the forge.
//!
//! - [`config`]: `runner.yml`, read with line and column for every mistake;
//! - [`repos`]: the repositories, local or mirrored from a URL;
//! - [`queue`]: events and queued runs in the store's database;
//! - [`http`]: webhooks, dispatch and the read API;
//! - [`report`]: commit statuses and notifications, retried in the background.

pub mod config;
pub mod http;
pub mod queue;
