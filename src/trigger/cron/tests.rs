use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::*;

fn cron(text: &str) -> CronSchedule {
    CronSchedule::parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e:?}"))
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid RFC 3339")
        .with_timezone(&Utc)
}

fn schedule(text: &str, timezone: Option<&str>) -> Schedule {
    Schedule::new(cron(text), timezone).expect("valid timezone")
}

/// The fire times in `[from, to)` as RFC 3339 strings.
fn fires(s: &Schedule, from: &str, to: &str) -> Vec<String> {
    s.fire_times_between(utc(from), utc(to))
        .map(|t| t.to_rfc3339())
        .collect()
}

fn err(text: &str) -> (usize, Option<CronField>, String) {
    let e = CronSchedule::parse(text).expect_err(text);
    (e.offset, e.field, e.message)
}

#[test]
fn field_values() {
    let c = cron("1-5/2 */6 1,15 jan-MAR mon-fri");
    assert_eq!(c.values(CronField::Minute), [1, 3, 5]);
    assert_eq!(c.values(CronField::Hour), [0, 6, 12, 18]);
    assert_eq!(c.values(CronField::DayOfMonth), [1, 15]);
    assert_eq!(c.values(CronField::Month), [1, 2, 3]);
    assert_eq!(c.values(CronField::DayOfWeek), [1, 2, 3, 4, 5]);
    // `20/15`: from 20 to the end in steps (the docs' example)
    assert_eq!(cron("20/15 * * * *").values(CronField::Minute), [20, 35, 50]);
    assert_eq!(cron("0 0 * * SUN,sat").values(CronField::DayOfWeek), [0, 6]);
    assert_eq!(cron("0 0 */31 * *").values(CronField::DayOfMonth), [1]);
    // several spaces separate fields too
    assert_eq!(cron("0  12 * * *").values(CronField::Hour), [12]);
    assert_eq!(cron("*,5 * * * *").values(CronField::Minute).len(), 60);
}

#[test]
fn parse_errors_name_field_value_and_offset() {
    use CronField::*;
    let cases: &[(&str, usize, Option<CronField>, &str)] = &[
        ("", 0, None, "cron expression is empty"),
        (
            "@daily",
            0,
            None,
            "@daily is not supported: write it as 5 fields, e.g. '0 0 * * *'",
        ),
        (
            "@hourly",
            0,
            None,
            "@hourly is not supported: write it as 5 fields, e.g. '0 * * * *'",
        ),
        (
            "@reboot",
            0,
            None,
            "@reboot is not supported: write the schedule as 5 fields",
        ),
        ("0 0 * * * *", 10, None, "expected 5 fields but found 6"),
        ("0 */3 * *", 9, None, "expected 5 fields but found 4"),
        ("60 * * * *", 0, Some(Minute), "minute value 60 is out of range 0-59"),
        ("0 24 * * *", 2, Some(Hour), "hour value 24 is out of range 0-23"),
        (
            "0 0 0 * *",
            4,
            Some(DayOfMonth),
            "day-of-month value 0 is out of range 1-31",
        ),
        ("0 0 * 13 *", 6, Some(Month), "month value 13 is out of range 1-12"),
        (
            "0 0 * * 7",
            8,
            Some(DayOfWeek),
            "day-of-week value 7 is out of range 0-6 (sunday is 0; 7 is not accepted)",
        ),
        ("*/0 * * * *", 2, Some(Minute), "minute step must be at least 1"),
        ("*/60 * * * *", 2, Some(Minute), "minute step 60 is out of range 1-59"),
        (
            "0 0 * * */7",
            10,
            Some(DayOfWeek),
            "day-of-week step 7 is out of range 1-6",
        ),
        (
            "30-10 * * * *",
            0,
            Some(Minute),
            "minute range 30-10 is reversed: 30 comes after 10",
        ),
        (
            "0 0 * * fri-mon",
            8,
            Some(DayOfWeek),
            "day-of-week range fri-mon is reversed: fri comes after mon",
        ),
        ("1,,2 * * * *", 2, Some(Minute), "empty value in minute list '1,,2'"),
        ("0 1, * * *", 4, Some(Hour), "empty value in hour list '1,'"),
        (
            "0 0 * * monday",
            8,
            Some(DayOfWeek),
            "day-of-week value 'monday' is not a number or a day name (sun-sat)",
        ),
        (
            "0 0 * * ?",
            8,
            Some(DayOfWeek),
            "day-of-week value '?' is not a number or a day name (sun-sat)",
        ),
        (
            "0 0 L * *",
            4,
            Some(DayOfMonth),
            "day-of-month value 'L' is not a number",
        ),
        ("mon 0 * * *", 0, Some(Minute), "minute value 'mon' is not a number"),
        (
            "0 0 * * 1/2/3",
            11,
            Some(DayOfWeek),
            "day-of-week value '1/2/3' has more than one '/'",
        ),
        (
            "/5 * * * *",
            0,
            Some(Minute),
            "minute value '/5' has no start before '/'",
        ),
        ("5/ * * * *", 1, Some(Minute), "minute value '5/' has no step after '/'"),
        ("*/x * * * *", 2, Some(Minute), "minute step 'x' is not a number"),
        (
            "1-2-3 * * * *",
            3,
            Some(Minute),
            "minute range '1-2-3' has more than one '-'",
        ),
        ("5- * * * *", 1, Some(Minute), "minute range '5-' has no end"),
        (
            "0 0 -5 * *",
            4,
            Some(DayOfMonth),
            "day-of-month range '-5' has no start",
        ),
        ("*-5 * * * *", 0, Some(Minute), "'*' cannot be part of a minute range"),
        (
            "0 0 1-40 * *",
            6,
            Some(DayOfMonth),
            "day-of-month value 40 is out of range 1-31",
        ),
        (
            "99999999999999999999 * * * *",
            0,
            Some(Minute),
            "minute value 18446744073709551615 is out of range 0-59",
        ),
        (
            "0\t0 * * * *",
            1,
            None,
            "unexpected tab: fields are separated by spaces",
        ),
        (
            "0 0 * * *\n",
            9,
            None,
            "unexpected line break: fields are separated by spaces",
        ),
        ("0 é * * *", 2, None, "unexpected character 'é'"),
        (" 0 0 * * *", 0, None, "cron expression starts with a space"),
        ("0 0 * * *  ", 9, None, "cron expression ends with a space"),
    ];
    for &(text, offset, field, message) in cases {
        assert_eq!(err(text), (offset, field, message.to_string()), "{text:?}");
    }
}

/// actionlint's `err/cron_5minutes_limit` and `err/schedule_invalid_timezone`.
#[test]
fn five_minute_rule_matches_actionlint() {
    assert_eq!(cron("*/5 * * * *").min_interval_too_short(), None);
    assert_eq!(cron("*/4 * * * *").min_interval_too_short(), Some(240));
    assert_eq!(cron("* */3 * * *").min_interval_too_short(), Some(60));
    assert_eq!(cron("0-2 * * * *").min_interval_too_short(), Some(60));
    assert_eq!(cron("0,10 * * * *").min_interval_too_short(), None);
    assert_eq!(cron("58 * * * *").min_interval_too_short(), None);
    // across an hour boundary: 00:58 then 01:00
    assert_eq!(cron("0,58 * * * *").min_interval_too_short(), Some(120));
    assert_eq!(cron("0,58 5 * * *").min_interval_too_short(), None);
    // across midnight: only when two days in a row run
    assert_eq!(cron("0,58 0,23 * * *").min_interval_too_short(), Some(120));
    assert_eq!(cron("0,58 0,23 1 1 *").min_interval_too_short(), None);
    assert_eq!(cron("0,58 0,23 1,31 1,12 *").min_interval_too_short(), Some(120));
    assert_eq!(cron("0,1 0 30 2 *").min_interval_too_short(), None);
}

#[test]
fn empty_cron_of_the_timezone_corpus() {
    assert_eq!(err(""), (0, None, "cron expression is empty".to_string()));
}

#[test]
fn timezones_follow_actionlint() {
    // ok/schedule_timezone
    assert_eq!(parse_timezone("America/New_York"), Ok(Tz::America__New_York));
    assert_eq!(parse_timezone("Europe/London"), Ok(Tz::Europe__London));
    assert_eq!(parse_timezone("Etc/UTC"), Ok(Tz::Etc__UTC));
    // err/schedule_invalid_timezone
    let rejected = |name: &str| parse_timezone(name).expect_err(name);
    assert_eq!(
        rejected("Not/A/Timezone").message,
        "unknown timezone 'Not/A/Timezone': it must be an IANA name such as 'Europe/Berlin'"
    );
    let e = rejected("UTC");
    assert_eq!(e.message, "timezone 'UTC' is not accepted: write 'Etc/UTC'");
    assert_eq!(e.suggestion.as_deref(), Some("Etc/UTC"));
    assert_eq!(
        rejected("local").message,
        "timezone 'local' is not accepted: name the zone, e.g. 'Europe/Berlin'"
    );
    assert_eq!(
        rejected("").message,
        "timezone is empty: use an IANA name such as 'Etc/UTC' or 'Europe/Berlin'"
    );
    // near misses get a suggestion
    assert_eq!(
        rejected("europe/berlin").message,
        "unknown timezone 'europe/berlin': did you mean 'Europe/Berlin'?"
    );
    assert_eq!(rejected("Europe/Berln").suggestion.as_deref(), Some("Europe/Berlin"));
    assert_eq!(schedule("0 0 * * *", None).timezone, Tz::Etc__UTC);
}

#[test]
fn weekly_monday_six_utc() {
    let s = schedule("0 6 * * 1", None);
    // 2025-01-01 is a Wednesday
    assert_eq!(
        s.next_after(utc("2025-01-01T00:00:00Z")),
        Some(utc("2025-01-06T06:00:00Z"))
    );
    assert_eq!(
        fires(&s, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"),
        [
            "2025-01-06T06:00:00+00:00",
            "2025-01-13T06:00:00+00:00",
            "2025-01-20T06:00:00+00:00",
            "2025-01-27T06:00:00+00:00",
        ]
    );
    // strictly after: a fire time itself is not returned again
    assert_eq!(
        s.next_after(utc("2025-01-06T06:00:00Z")),
        Some(utc("2025-01-13T06:00:00Z"))
    );
    assert_eq!(
        s.next_after(utc("2025-01-06T05:59:59.999Z")),
        Some(utc("2025-01-06T06:00:00Z"))
    );
}

#[test]
fn every_five_minutes_fires_twelve_times_an_hour() {
    let s = schedule("*/5 * * * *", None);
    let all = fires(&s, "2025-05-05T10:00:00Z", "2025-05-05T11:00:00Z");
    assert_eq!(all.len(), 12);
    assert_eq!(all[0], "2025-05-05T10:00:00+00:00");
    assert_eq!(all[11], "2025-05-05T10:55:00+00:00");
}

/// Europe/Berlin springs forward on 2025-03-30 (02:00 CET → 03:00 CEST, at
/// 01:00 UTC): 02:30 does not exist and fires at 03:00 CEST.
#[test]
fn spring_forward_gap_fires_right_after_the_jump() {
    let s = schedule("30 2 * * *", Some("Europe/Berlin"));
    assert_eq!(
        fires(&s, "2025-03-29T00:00:00Z", "2025-04-01T00:00:00Z"),
        [
            "2025-03-29T01:30:00+00:00",
            "2025-03-30T01:00:00+00:00",
            "2025-03-31T00:30:00+00:00",
        ]
    );
    // several slots in the gap collapse into one run at the jump
    let s = schedule("*/15 * * * *", Some("Europe/Berlin"));
    assert_eq!(
        fires(&s, "2025-03-30T00:30:00Z", "2025-03-30T01:20:00Z"),
        [
            "2025-03-30T00:30:00+00:00",
            "2025-03-30T00:45:00+00:00",
            "2025-03-30T01:00:00+00:00",
            "2025-03-30T01:15:00+00:00",
        ]
    );
}

/// Europe/Berlin falls back on 2025-10-26 (03:00 CEST → 02:00 CET, at 01:00
/// UTC): 02:30 happens twice and fires once, at the first.
#[test]
fn fall_back_repeated_hour_fires_once() {
    let s = schedule("30 2 * * *", Some("Europe/Berlin"));
    assert_eq!(
        fires(&s, "2025-10-25T00:00:00Z", "2025-10-28T00:00:00Z"),
        [
            "2025-10-25T00:30:00+00:00",
            "2025-10-26T00:30:00+00:00",
            "2025-10-27T01:30:00+00:00",
        ]
    );
    // asked from inside the second pass, the repeat is not fired
    assert_eq!(
        s.next_after(utc("2025-10-26T01:10:00Z")),
        Some(utc("2025-10-27T01:30:00Z"))
    );
}

#[test]
fn timezone_shifts_a_daily_run() {
    let s = schedule("30 5 * * 1-5", Some("America/New_York"));
    // 2025-07-07 is a Monday; EDT is UTC-4
    assert_eq!(
        s.next_after(utc("2025-07-05T00:00:00Z")),
        Some(utc("2025-07-07T09:30:00Z"))
    );
    // in January, EST is UTC-5
    assert_eq!(
        s.next_after(utc("2025-01-04T00:00:00Z")),
        Some(utc("2025-01-06T10:30:00Z"))
    );
}

#[test]
fn day_of_month_or_day_of_week_when_both_restricted() {
    // the 13th or any Friday; 2025-06-01 is a Sunday
    let s = schedule("0 0 13 * 5", None);
    assert_eq!(
        fires(&s, "2025-06-01T00:00:00Z", "2025-07-19T00:00:00Z"),
        [
            "2025-06-06T00:00:00+00:00",
            "2025-06-13T00:00:00+00:00",
            "2025-06-20T00:00:00+00:00",
            "2025-06-27T00:00:00+00:00",
            "2025-07-04T00:00:00+00:00",
            "2025-07-11T00:00:00+00:00",
            "2025-07-13T00:00:00+00:00",
            "2025-07-18T00:00:00+00:00",
        ]
    );
    // with one of them `*`, only the other counts
    let s = schedule("0 0 13 * *", None);
    assert_eq!(
        fires(&s, "2025-06-01T00:00:00Z", "2025-08-01T00:00:00Z"),
        ["2025-06-13T00:00:00+00:00", "2025-07-13T00:00:00+00:00"]
    );
    let s = schedule("0 0 * * 5", None);
    assert_eq!(fires(&s, "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z").len(), 4);
}

#[test]
fn sparse_and_impossible_dates() {
    let leap = schedule("0 12 29 2 *", None);
    assert_eq!(
        leap.next_after(utc("2025-03-01T00:00:00Z")),
        Some(utc("2028-02-29T12:00:00Z"))
    );
    // 2100 is not a leap year
    assert_eq!(
        leap.next_after(utc("2096-03-01T00:00:00Z")),
        Some(utc("2104-02-29T12:00:00Z"))
    );
    let never = cron("0 0 30 2 *");
    assert!(never.never_fires());
    assert!(cron("0 0 31 4,6,9,11 *").never_fires());
    assert!(!cron("0 0 31 4,6,9,12 *").never_fires());
    assert!(!cron("0 0 30 2 1").never_fires());
    assert_eq!(
        Schedule::new(never, None)
            .expect("utc")
            .next_after(utc("2025-01-01T00:00:00Z")),
        None
    );
}

#[test]
fn next_match_skips_by_field() {
    let c = cron("15 10 1 jan *");
    let from = NaiveDate::from_ymd_opt(2025, 1, 1)
        .and_then(|d| d.and_hms_opt(10, 15, 30))
        .expect("valid");
    assert_eq!(
        c.next_match(from).map(|t| t.to_string()).as_deref(),
        Some("2026-01-01 10:15:00")
    );
}

#[test]
fn extreme_instants_do_not_panic() {
    let s = schedule("* * * * *", Some("Pacific/Kiritimati"));
    assert_eq!(s.next_after(DateTime::<Utc>::MAX_UTC), None);
    let _ = s.next_after(DateTime::<Utc>::MIN_UTC);
    let s = schedule("0 0 * * *", Some("America/Los_Angeles"));
    let _ = s.next_after(DateTime::<Utc>::MIN_UTC);
    assert!(s.next_after(utc("0001-01-01T00:00:00Z")).is_some());
    assert_eq!(s.next_after(DateTime::<Utc>::MAX_UTC), None);
}

/// A small deterministic generator for the no-panic tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }

    /// 1 to `n` pieces glued together.
    fn glue(&mut self, from: &[&str], n: u64) -> String {
        let count = 1 + self.next() % n;
        (0..count).map(|_| self.pick(from)).collect()
    }
}

/// Arbitrary input never panics; what parses can compute fire times.
#[test]
fn never_panics_on_generated_input() {
    const PIECES: &[&str] = &[
        "*", "/", "-", ",", " ", "0", "5", "7", "23", "59", "60", "mon", "JAN", "@", "?", "\t", "é", "31", "1", " ",
    ];
    const PLAUSIBLE: &[&str] = &["0", "1", "*/5", "1-5", "10-20/3", "mon", "jan", "2,30", "5/15"];
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let start = utc("2025-03-29T22:00:00Z");
    let end = utc("2025-03-30T03:00:00Z");
    let mut parsed = 0;
    for round in 0..30_000 {
        let text = if round % 4 == 0 {
            rng.glue(PIECES, 14)
        } else {
            // five fields, each usually `*` or a plausible value
            let fields: Vec<String> = (0..5)
                .map(|_| match rng.next() % 4 {
                    0 => rng.glue(PIECES, 3).replace([' ', '\t'], "-"),
                    1 => rng.pick(PLAUSIBLE).to_string(),
                    _ => "*".to_string(),
                })
                .collect();
            fields.join(" ")
        };
        match CronSchedule::parse(&text) {
            Ok(c) => {
                parsed += 1;
                let _ = c.min_interval_too_short();
                let s = Schedule {
                    cron: c,
                    timezone: Tz::Europe__Berlin,
                };
                let mut last = None;
                for t in s.fire_times_between(start, end).take(20) {
                    assert!(t >= start && t < end && last < Some(t), "{text:?}");
                    last = Some(t);
                }
            }
            Err(e) => assert!(e.offset <= text.chars().count(), "{text:?}: {e:?}"),
        }
    }
    assert!(parsed > 2_000, "only {parsed} generated expressions parsed");
}
