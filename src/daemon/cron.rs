//! Cron: the `schedule:` workflows on each repository's default branch fire
//! at their times. Fire times are recorded in the queue, so each fires once
//! even across restarts; the ones that passed while the daemon was down are
//! recorded as missed and not run late (GitHub, too, drops them).

use super::config::RepoConfig;
use super::queue::{Fire, NewEvent, Queue};
use super::repos::RepoHandle;
use super::workflows_at::workflows_at;
use crate::trigger::{CronSchedule, Schedule};
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde_json::json;

/// How far fire times were handled, kept in the queue between starts.
const CHECKED_UNTIL: &str = "cron_checked_until";

/// What one check found: `(repository, workflow, cron, fire time)`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CronReport {
    pub fired: Vec<(String, String, String, String)>,
    pub missed: Vec<(String, String, String, String)>,
}

/// Handles the fire times in `[last check, now)`: fired when `up` (the
/// daemon was running all along), missed when not (the first check after a
/// start). The very first check of a new store only sets the bookmark.
pub fn check_schedules(
    queue: &Queue,
    repos: &[(&RepoConfig, &RepoHandle)],
    now: DateTime<Utc>,
    up: bool,
) -> Result<CronReport, String> {
    let mut report = CronReport::default();
    let checked = queue.state(CHECKED_UNTIL).map_err(|e| e.to_string())?;
    let Some(from) = checked.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()) else {
        queue
            .set_state_value(CHECKED_UNTIL, &stamp(now))
            .map_err(|e| e.to_string())?;
        return Ok(report);
    };
    let from = from.with_timezone(&Utc);
    // Fire times are whole minutes: none lies in [from, now) when `from` is
    // past the start of now's minute. This keeps the daemon's frequent
    // checks from reading every repository's workflows each time.
    let minute = now.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
    if from >= now || from > minute {
        return Ok(report);
    }
    for (config, handle) in repos {
        check_repo(queue, config, handle, from, now, up, &mut report)?;
    }
    queue
        .set_state_value(CHECKED_UNTIL, &stamp(now))
        .map_err(|e| e.to_string())?;
    Ok(report)
}

fn check_repo(
    queue: &Queue,
    config: &RepoConfig,
    handle: &RepoHandle,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
    up: bool,
    report: &mut CronReport,
) -> Result<(), String> {
    let Some(branch) = handle.default_branch() else {
        return Ok(());
    };
    let git = handle.repository().map_err(|e| e.to_string())?;
    let git_ref = format!("refs/heads/{branch}");
    let Ok(tip) = git.revparse_single(&git_ref).and_then(|o| o.peel_to_commit()) else {
        return Ok(());
    };
    let analyses = workflows_at(&git, tip.id(), &config.workflows).map_err(|e| e.to_string())?;
    for workflow in analyses
        .iter()
        .filter(|a| !a.has_errors())
        .filter_map(|a| a.workflow.as_ref())
    {
        let Some(trigger) = workflow.on.event("schedule") else {
            continue;
        };
        let path = workflow.path.display().to_string();
        for entry in &trigger.schedules {
            let cron = entry.cron.value.as_str();
            let Ok(parsed) = CronSchedule::parse(cron) else {
                continue;
            };
            let Ok(schedule) = Schedule::new(parsed, entry.timezone.as_ref().map(|t| t.value.as_str())) else {
                continue;
            };
            for time in schedule.fire_times_between(from, now) {
                let time = stamp(time);
                let found = (config.name.clone(), path.clone(), cron.to_string(), time.clone());
                let recorded = if up {
                    let event = NewEvent {
                        repo: config.name.clone(),
                        name: "schedule".into(),
                        git_ref: git_ref.clone(),
                        before: None,
                        after: Some(tip.id().to_string()),
                        payload: Some(json!({"workflow": path, "schedule": cron})),
                        source: "cron".into(),
                    };
                    queue.fire_schedule(cron, &time, &event)
                } else {
                    queue.record_fire(&config.name, &path, cron, &time, Fire::Missed)
                };
                if recorded.map_err(|e| e.to_string())? {
                    if up { &mut report.fired } else { &mut report.missed }.push(found);
                }
            }
        }
    }
    Ok(())
}

fn stamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}
