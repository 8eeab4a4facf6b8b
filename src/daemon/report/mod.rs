//! Reporting runs back to the forge and the team: a commit status for each
//! workflow run and each job leg (`status:`), and a Slack-compatible message
//! when a run fails or recovers (`notify:`). A run only queues them; a
//! background delivery retries while the forge is down, so reporting never
//! holds up or fails a run. Described in docs/runner.md.
//!
//! - [`status`]: which commit status an event means;
//! - [`notify`]: the text of a notification;
//! - [`forge`]: the requests, for GitHub, Gitea and webhooks;
//! - [`delivery`]: the queue, its order and its retries.

mod delivery;
mod forge;
mod notify;
mod sink;
mod status;

pub use delivery::Backoff;

use crate::daemon::config::{NotifyConfig, StatusConfig};
use crate::report::events::{EventSink, Outcome};
use delivery::{Delivery, Key, Queue};
use status::CommitStatus;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The run a sink reports on, as the forge knows it.
#[derive(Clone, Debug)]
pub struct ReportedRun {
    /// `owner/name` on the forge.
    pub slug: String,
    pub sha: String,
    /// The workflow's display name.
    pub workflow: String,
    /// `refs/heads/main`.
    pub git_ref: String,
    /// A link to the run in the daemon's API.
    pub target_url: Option<String>,
    /// The result of the previous finished run of this workflow on this
    /// ref, to tell a recovery.
    pub previous: Option<Outcome>,
}

/// Queues commit statuses and notifications; cheap to clone.
#[derive(Clone)]
pub struct Reporter {
    inner: Arc<Inner>,
}

struct Inner {
    status: Option<StatusConfig>,
    notify: Vec<NotifyConfig>,
    queue: Queue,
}

impl Reporter {
    /// Starts delivery on the current tokio runtime, retrying with the
    /// default backoff (1s doubling to 5 minutes, 10 tries).
    pub fn start(status: Option<StatusConfig>, notify: Vec<NotifyConfig>) -> Reporter {
        Reporter::with_backoff(status, notify, Backoff::default())
    }

    /// The same with a custom retry schedule. Must be called within a
    /// tokio runtime.
    pub fn with_backoff(status: Option<StatusConfig>, notify: Vec<NotifyConfig>, backoff: Backoff) -> Reporter {
        Reporter {
            inner: Arc::new(Inner {
                status,
                notify,
                queue: Queue::new(backoff),
            }),
        }
    }

    /// An event sink for one run: turns its events into commit statuses
    /// and notifications. Its `emit` never waits and never fails.
    pub fn run_sink(&self, run: ReportedRun) -> Arc<dyn EventSink> {
        Arc::new(sink::RunSink::new(self.clone(), run))
    }

    /// An `error` status for a run that could not start (an invalid
    /// workflow at that commit, say).
    pub fn run_error(&self, run: &ReportedRun, description: &str) {
        self.post_status(run, status::run_error(&run.workflow, description));
    }

    /// Waits until everything queued was delivered or given up, or
    /// `timeout` passes (at shutdown).
    pub async fn flush(&self, timeout: Duration) {
        self.inner.queue.flush(timeout).await;
    }

    fn post_status(&self, run: &ReportedRun, status: CommitStatus) {
        let Some(config) = &self.inner.status else {
            return;
        };
        let sha7: String = run.sha.chars().take(7).collect();
        let delivery = Delivery {
            request: forge::status_request(config, &run.slug, &run.sha, &status, run.target_url.as_deref()),
            what: format!(
                "the commit status {} ({}) for {}@{sha7}",
                status.context,
                status.state.as_str(),
                run.slug
            ),
        };
        let key = Key::Status {
            slug: run.slug.clone(),
            sha: run.sha.clone(),
            context: status.context,
        };
        self.inner.queue.push(key, delivery);
    }

    fn notify_finished(&self, run: &ReportedRun, result: Outcome, seconds: f64) {
        for config in &self.inner.notify {
            if let Some(text) = notify::text(run, result, seconds, config) {
                let delivery = Delivery {
                    request: forge::notify_request(&config.url, &text),
                    what: format!("the notification to {}", forge::host(&config.url)),
                };
                self.inner.queue.push(self.inner.queue.once(), delivery);
            }
        }
    }
}

/// Names where reports go; never a token or a webhook URL.
impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.inner.status.as_ref().map(|s| (s.forge, s.api_url.as_str()));
        f.debug_struct("Reporter")
            .field("status", &status)
            .field("notify", &self.inner.notify.len())
            .finish()
    }
}

#[cfg(test)]
mod test_forge;

#[cfg(test)]
#[path = "reporter_tests.rs"]
mod reporter_tests;
