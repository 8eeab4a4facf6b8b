//! The text of a notification: a failed run, or a run that succeeded after
//! the previous run of its workflow on its branch failed.

use super::ReportedRun;
use crate::daemon::config::NotifyConfig;
use crate::report::events::Outcome;

/// What to tell one `notify:` webhook about a finished run, if anything.
pub fn text(run: &ReportedRun, result: Outcome, seconds: f64, config: &NotifyConfig) -> Option<String> {
    let (mark, what) = match result {
        Outcome::Failure if config.on_failure => ("✗", "failed"),
        Outcome::Success if config.on_recovery && run.previous == Some(Outcome::Failure) => ("✓", "recovered"),
        _ => return None,
    };
    let sha7: String = run.sha.chars().take(7).collect();
    let mut text = format!(
        "mlci: {mark} {} {what} on {} at {sha7} ({seconds:.0}s)",
        escape(&run.workflow),
        escape(branch(&run.git_ref)),
    );
    if let Some(url) = &run.target_url {
        text.push(' ');
        text.push_str(url);
    }
    Some(text)
}

/// `refs/heads/main` → `main`, `refs/tags/v1` → `v1`; other refs as they are.
fn branch(git_ref: &str) -> &str {
    git_ref
        .strip_prefix("refs/heads/")
        .or_else(|| git_ref.strip_prefix("refs/tags/"))
        .unwrap_or(git_ref)
}

/// Slack reads `<…>` as a link and `&` as an entity: names are escaped so
/// that they show as written.
fn escape(name: &str) -> String {
    name.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
