//! Checks on `on:`: filter patterns, cron expressions and time zones, each
//! error at the exact character of the mistake.

use super::locate::locate;
use crate::diag::{Diagnostic, SourceFile, Span};
use crate::model::{Text, Workflow};
use crate::trigger::{parse_timezone, CronSchedule, FilterPattern, PatternKind, Severity};

pub fn check_triggers(workflow: &Workflow, out: &mut Vec<Diagnostic>) {
    let source = &workflow.source;
    // A snapshot's `version` is a ref-like pattern too.
    for version in workflow
        .jobs
        .iter()
        .filter_map(|j| j.snapshot.as_ref()?.version.as_ref())
    {
        check_pattern(source, version, PatternKind::Ref, out);
    }
    for event in &workflow.on.events {
        for filter in &event.filters {
            let kind = match filter.key.value.as_str() {
                "paths" | "paths-ignore" => PatternKind::Path,
                "workflows" => continue,
                _ => PatternKind::Ref,
            };
            for pattern in &filter.patterns {
                check_pattern(source, pattern, kind, out);
            }
            let negated = filter.patterns.iter().filter(|p| p.value.starts_with('!')).count();
            if negated > 0 && negated == filter.patterns.len() && !filter.key.value.ends_with("-ignore") {
                out.push(
                    Diagnostic::error(
                        filter.key.span,
                        format!("`{}` holds only `!` patterns, so it matches nothing", filter.key.value),
                    )
                    .with_help("add a positive pattern first, e.g. '**', then the `!` exclusions"),
                );
            }
        }
        for entry in &event.schedules {
            check_cron(source, &entry.cron, out);
            if let Some(tz) = &entry.timezone {
                if let Err(e) = parse_timezone(&tz.value) {
                    out.push(Diagnostic::error(tz.span, e.to_string()));
                }
            }
        }
    }
}

fn check_pattern(source: &SourceFile, pattern: &Text, kind: PatternKind, out: &mut Vec<Diagnostic>) {
    for problem in FilterPattern::validate(&pattern.value, kind) {
        let span = locate(source, pattern, problem.offset, 1);
        out.push(match problem.severity {
            Severity::Error => Diagnostic::error(span, problem.message),
            Severity::Warning => Diagnostic::warning(span, problem.message),
        });
    }
}

fn check_cron(source: &SourceFile, cron: &Text, out: &mut Vec<Diagnostic>) {
    match CronSchedule::parse(&cron.value) {
        Err(e) => out.push(Diagnostic::error(locate(source, cron, e.offset, 1), e.message)),
        Ok(schedule) => {
            if let Some(seconds) = schedule.min_interval_too_short() {
                out.push(Diagnostic::error(
                    Span::on_line(cron.span.line, cron.span.col, cron.value.chars().count() as u32 + 2),
                    format!(
                        "this schedule fires every {seconds} seconds; the shortest interval GitHub allows is 5 minutes"
                    ),
                ));
            }
        }
    }
}
