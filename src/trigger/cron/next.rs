//! Finding the next matching wall-clock minute, skipping by field.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike};

use super::CronSchedule;

/// How far ahead to look. A schedule that can fire at all fires within 8
/// years (29 February across a non-leap century year).
const HORIZON_YEARS: i32 = 30;

impl CronSchedule {
    /// The first matching minute at or after `from` (rounded up to a whole
    /// minute), on the naive wall clock. `None` when the schedule never
    /// fires or the calendar runs out.
    pub fn next_match(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        if self.never_fires() {
            return None;
        }
        let mut start = from.with_second(0)?.with_nanosecond(0)?;
        if start < from {
            start = start.checked_add_signed(TimeDelta::minutes(1))?;
        }
        let horizon = start.year().checked_add(HORIZON_YEARS)?;
        let mut date = start.date();
        let (mut hour, mut minute) = (start.hour(), start.minute());
        loop {
            if date.year() > horizon {
                return None;
            }
            if !self.months.contains(date.month()) {
                date = first_of_next_month(date)?;
                (hour, minute) = (0, 0);
                continue;
            }
            if !self.matches_date(date) {
                date = date.succ_opt()?;
                (hour, minute) = (0, 0);
                continue;
            }
            match self.hours.next_from(hour) {
                None => {
                    date = date.succ_opt()?;
                    (hour, minute) = (0, 0);
                    continue;
                }
                Some(h) if h != hour => (hour, minute) = (h, 0),
                Some(_) => {}
            }
            match self.minutes.next_from(minute) {
                None => (hour, minute) = (hour + 1, 0),
                Some(m) => return date.and_hms_opt(hour, m, 0),
            }
        }
    }
}

fn first_of_next_month(date: NaiveDate) -> Option<NaiveDate> {
    if date.month() == 12 {
        NaiveDate::from_ymd_opt(date.year().checked_add(1)?, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
    }
}
