//! The `schedule` event: cron expressions and their fire times (reference
//! §2.4).
//!
//! [`CronSchedule`] is one validated 5-field expression. It knows which
//! wall-clock minutes match and finds the next one without scanning minute
//! by minute (it skips by month, day, hour, then minute). [`Schedule`] adds
//! the `timezone` key and turns wall-clock matches into UTC instants, with
//! GitHub's DST rule: a time skipped by a spring-forward jump fires at the
//! first instant after the jump, and a time repeated by a fall-back fires
//! once, at its first occurrence.
//!
//! When both day-of-month and day-of-week are restricted, a day matches if
//! either does (POSIX cron). A field counts as unrestricted only when it is
//! written `*` or `*/1`.

mod error;
mod field;
mod next;
mod schedule;

pub use error::CronError;
pub use field::CronField;
pub use schedule::{parse_timezone, FireTimes, Schedule, TimezoneError};

use chrono::{Datelike, NaiveDate};

use field::{parse_field, FieldSet};

/// GitHub's shortest allowed interval between two runs, in seconds.
pub const MIN_INTERVAL_SECONDS: u32 = 5 * 60;

/// A validated 5-field cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    text: String,
    minutes: FieldSet,
    hours: FieldSet,
    days_of_month: FieldSet,
    months: FieldSet,
    days_of_week: FieldSet,
    dom_restricted: bool,
    dow_restricted: bool,
}

/// What `@name` shorthands would be as 5 fields; none is supported.
const SHORTHANDS: &[(&str, &str)] = &[
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

impl CronSchedule {
    /// Parses and validates `text` as GitHub does: exactly five fields
    /// separated by spaces, no `@` shorthands, no `?`, `L`, `W` or `#`, and
    /// day-of-week 0-6 (7 is rejected).
    pub fn parse(text: &str) -> Result<CronSchedule, CronError> {
        check_shape(text)?;
        let mut fields = Vec::with_capacity(5);
        let mut at = 0;
        for part in text.split(' ') {
            if !part.is_empty() {
                fields.push((at, part));
            }
            at += part.len() + 1;
        }
        if fields.len() != 5 {
            let offset = fields.get(5).map_or(text.len(), |(at, _)| *at);
            return Err(CronError::new(
                offset,
                None,
                format!("expected 5 fields but found {}", fields.len()),
            ));
        }
        let mut sets = [FieldSet::default(); 5];
        for (set, (&(at, part), field)) in sets.iter_mut().zip(fields.iter().zip(CronField::ALL)) {
            *set = parse_field(part, at, field)?;
        }
        let unrestricted = |t: &str| t == "*" || t == "*/1";
        Ok(CronSchedule {
            text: text.to_string(),
            minutes: sets[0],
            hours: sets[1],
            days_of_month: sets[2],
            months: sets[3],
            days_of_week: sets[4],
            dom_restricted: !unrestricted(fields[2].1),
            dow_restricted: !unrestricted(fields[4].1),
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The values a field allows, ascending.
    pub fn values(&self, field: CronField) -> Vec<u32> {
        let set = match field {
            CronField::Minute => self.minutes,
            CronField::Hour => self.hours,
            CronField::DayOfMonth => self.days_of_month,
            CronField::Month => self.months,
            CronField::DayOfWeek => self.days_of_week,
        };
        set.iter().collect()
    }

    /// Whether the schedule runs on `date` (month, then the day rule).
    pub fn matches_date(&self, date: NaiveDate) -> bool {
        if !self.months.contains(date.month()) {
            return false;
        }
        let dom = self.days_of_month.contains(date.day());
        let dow = self.days_of_week.contains(date.weekday().num_days_from_sunday());
        if self.dom_restricted && self.dow_restricted {
            dom || dow
        } else {
            dom && dow
        }
    }

    /// Whether no date can ever match, e.g. `0 0 30 2 *`.
    pub fn never_fires(&self) -> bool {
        if self.dow_restricted || !self.dom_restricted {
            return false;
        }
        !self.months.iter().any(|m| {
            let longest = match m {
                2 => 29,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            self.days_of_month.next_from(1).is_some_and(|d| d <= longest)
        })
    }

    /// The shortest time between two consecutive runs when it is below
    /// GitHub's 5 minutes, in seconds (`*/4` gives 240). Computed on the
    /// UTC wall clock: gaps inside an hour, and the gap across an hour
    /// boundary when two consecutive hours (or days, for 23 → 0) both run.
    pub fn min_interval_too_short(&self) -> Option<u32> {
        if self.never_fires() {
            return None;
        }
        let minutes: Vec<u32> = self.minutes.iter().collect();
        let (&first, &last) = (minutes.first()?, minutes.last()?);
        let mut shortest = minutes.windows(2).map(|w| w[1] - w[0]).min();
        let across_hours = 60 - last + first;
        if across_hours < 5 && self.has_consecutive_hours() {
            shortest = Some(shortest.map_or(across_hours, |s| s.min(across_hours)));
        }
        shortest.map(|m| m * 60).filter(|&s| s < MIN_INTERVAL_SECONDS)
    }

    fn has_consecutive_hours(&self) -> bool {
        (0..23).any(|h| self.hours.contains(h) && self.hours.contains(h + 1))
            || (self.hours.contains(23) && self.hours.contains(0) && self.has_consecutive_days())
    }

    /// Whether two calendar days in a row both run; 28 years cover every
    /// weekday/leap-year combination.
    fn has_consecutive_days(&self) -> bool {
        let Some(start) = NaiveDate::from_ymd_opt(2000, 1, 1) else {
            return false;
        };
        let mut previous = false;
        for date in start.iter_days().take(28 * 366) {
            let now = self.matches_date(date);
            if now && previous {
                return true;
            }
            previous = now;
        }
        false
    }
}

/// Whole-expression checks before splitting into fields.
fn check_shape(text: &str) -> Result<(), CronError> {
    if text.is_empty() {
        return Err(CronError::new(0, None, "cron expression is empty"));
    }
    if text.starts_with('@') {
        let word = text.split_whitespace().next().unwrap_or(text);
        let message = match SHORTHANDS.iter().find(|(n, _)| n.eq_ignore_ascii_case(word)) {
            Some((_, fields)) => {
                format!("{word} is not supported: write it as 5 fields, e.g. '{fields}'")
            }
            None => format!("{word} is not supported: write the schedule as 5 fields"),
        };
        return Err(CronError::new(0, None, message));
    }
    for (i, c) in text.chars().enumerate() {
        let message = match c {
            ' ' => continue,
            '\t' => "unexpected tab: fields are separated by spaces".to_string(),
            '\n' | '\r' => "unexpected line break: fields are separated by spaces".to_string(),
            c if c.is_whitespace() => {
                format!("unexpected whitespace {c:?}: fields are separated by spaces")
            }
            c if c.is_control() || !c.is_ascii() => format!("unexpected character {c:?}"),
            _ => continue,
        };
        return Err(CronError::new(i, None, message));
    }
    if text.starts_with(' ') {
        return Err(CronError::new(0, None, "cron expression starts with a space"));
    }
    if text.ends_with(' ') {
        let offset = text.trim_end_matches(' ').len();
        return Err(CronError::new(offset, None, "cron expression ends with a space"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
