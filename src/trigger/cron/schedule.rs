//! A cron expression in a time zone: UTC fire instants with DST handled.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};

use super::CronSchedule;

/// One `on.schedule` entry: `cron` and its optional `timezone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub cron: CronSchedule,
    /// `Etc/UTC` when the entry has no `timezone`.
    pub timezone: Tz,
}

/// Why a `timezone` value is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TimezoneError {
    pub message: String,
    /// A valid name the user probably meant.
    pub suggestion: Option<String>,
}

/// Parses a `timezone` value as actionlint does (`err/schedule_invalid_timezone`):
/// an exact IANA name; empty, `UTC` and `local` (any case) are rejected.
pub fn parse_timezone(name: &str) -> Result<Tz, TimezoneError> {
    let reject = |message: String, suggestion: Option<&str>| TimezoneError {
        message,
        suggestion: suggestion.map(str::to_string),
    };
    if name.is_empty() {
        return Err(reject(
            "timezone is empty: use an IANA name such as 'Etc/UTC' or 'Europe/Berlin'".into(),
            None,
        ));
    }
    if name.eq_ignore_ascii_case("utc") {
        return Err(reject(
            format!("timezone '{name}' is not accepted: write 'Etc/UTC'"),
            Some("Etc/UTC"),
        ));
    }
    if name.eq_ignore_ascii_case("local") {
        return Err(reject(
            format!("timezone '{name}' is not accepted: name the zone, e.g. 'Europe/Berlin'"),
            None,
        ));
    }
    if let Ok(tz) = name.parse::<Tz>() {
        return Ok(tz);
    }
    match closest_zone(name) {
        Some(close) => Err(reject(
            format!("unknown timezone '{name}': did you mean '{close}'?"),
            Some(close),
        )),
        None => Err(reject(
            format!("unknown timezone '{name}': it must be an IANA name such as 'Europe/Berlin'"),
            None,
        )),
    }
}

/// The zone name that differs only in case, or by a small edit.
fn closest_zone(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let names = TZ_VARIANTS.iter().map(|tz| tz.name());
    if let Some(same) = names.clone().find(|n| n.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    names
        .map(|n| (strsim::levenshtein(&n.to_ascii_lowercase(), &lower), n))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// The most wall-clock candidates one `next_after` looks at before giving
/// up; a repeated hour or a gap costs at most a day's worth of minutes.
const MAX_CANDIDATES: usize = 100_000;

impl Schedule {
    /// A schedule in `timezone` (`None`: `Etc/UTC`).
    pub fn new(cron: CronSchedule, timezone: Option<&str>) -> Result<Schedule, TimezoneError> {
        let timezone = match timezone {
            Some(name) => parse_timezone(name)?,
            None => Tz::Etc__UTC,
        };
        Ok(Schedule { cron, timezone })
    }

    /// The first fire instant strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let utc = after.naive_utc();
        let offset = self.timezone.offset_from_utc_datetime(&utc).fix();
        let local = utc.checked_add_offset(offset)?;
        let mut from = local.with_second(0)?.with_nanosecond(0)?;
        for _ in 0..MAX_CANDIDATES {
            let wall = self.cron.next_match(from)?;
            let instant = self.resolve(wall)?;
            if instant > after {
                return Some(instant);
            }
            from = wall.checked_add_signed(TimeDelta::minutes(1))?;
        }
        None
    }

    /// Every fire instant in `[from, to)`, in order, computed lazily.
    pub fn fire_times_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> FireTimes<'_> {
        FireTimes {
            schedule: self,
            cursor: from.checked_sub_signed(TimeDelta::nanoseconds(1)),
            to,
        }
    }

    /// The instant a wall-clock time fires at: its first occurrence when a
    /// fall-back repeats it, the end of the jump when spring-forward skips it.
    fn resolve(&self, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
        let mut t = wall;
        for _ in 0..=(2 * 24 * 60) {
            match self.timezone.from_local_datetime(&t) {
                LocalResult::Single(dt) => return Some(dt.with_timezone(&Utc)),
                LocalResult::Ambiguous(a, b) => return Some(a.min(b).with_timezone(&Utc)),
                LocalResult::None => t = t.checked_add_signed(TimeDelta::minutes(1))?,
            }
        }
        None
    }
}

/// The iterator of [`Schedule::fire_times_between`].
#[derive(Debug, Clone)]
pub struct FireTimes<'a> {
    schedule: &'a Schedule,
    /// The last instant yielded (or just before `from`); `None` when done.
    cursor: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
}

impl Iterator for FireTimes<'_> {
    type Item = DateTime<Utc>;

    fn next(&mut self) -> Option<DateTime<Utc>> {
        let next = self.schedule.next_after(self.cursor?).filter(|&t| t < self.to);
        self.cursor = next;
        next
    }
}
