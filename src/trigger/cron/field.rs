//! One of the five cron fields: its range, its names, and the parser for
//! its text (`*`, lists with `,`, ranges with `-`, steps with `/`).
//!
//! The grammar follows GitHub's own validator (languageservices
//! `cron.ts`): a list splits on `,` first, then an item on `/`, then on `-`;
//! a step must lie in `1..=max`; a range must not be reversed; names are
//! three letters, case-insensitive, for months and days of the week only.

use std::fmt;

use super::error::CronError;

/// The five fields of a cron expression, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl CronField {
    pub const ALL: [CronField; 5] = [
        CronField::Minute,
        CronField::Hour,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
    ];

    /// The field's name in messages: `minute`, `day-of-week`, ...
    pub fn name(self) -> &'static str {
        match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
        }
    }

    /// Smallest and largest allowed value.
    pub fn range(self) -> (u32, u32) {
        match self {
            CronField::Minute => (0, 59),
            CronField::Hour => (0, 23),
            CronField::DayOfMonth => (1, 31),
            CronField::Month => (1, 12),
            CronField::DayOfWeek => (0, 6),
        }
    }

    fn name_value(self, text: &str) -> Option<u32> {
        let lower = text.to_ascii_lowercase();
        let (names, first) = match self {
            CronField::Month => (&MONTHS[..], 1),
            CronField::DayOfWeek => (&DAYS[..], 0),
            _ => return None,
        };
        let index = names.iter().position(|n| *n == lower)?;
        u32::try_from(index).ok().map(|i| i + first)
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The set of values a field allows, as bits (all ranges fit in 0..64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct FieldSet(u64);

impl FieldSet {
    fn span(lo: u32, hi: u32, step: u32) -> FieldSet {
        let mut bits = 0u64;
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
        FieldSet(bits)
    }

    pub(crate) fn contains(self, v: u32) -> bool {
        v < 64 && self.0 & (1 << v) != 0
    }

    /// The smallest member `>= v`.
    pub(crate) fn next_from(self, v: u32) -> Option<u32> {
        if v >= 64 {
            return None;
        }
        let masked = self.0 & (u64::MAX << v);
        (masked != 0).then(|| masked.trailing_zeros())
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = u32> {
        (0..64).filter(move |&v| self.contains(v))
    }
}

/// Parses one field's text; `at` is the char offset of `text` in the
/// expression (the expression is ASCII by then, so bytes are chars).
pub(crate) fn parse_field(text: &str, at: usize, field: CronField) -> Result<FieldSet, CronError> {
    let mut set = FieldSet::default();
    let mut pos = at;
    for item in text.split(',') {
        if item.is_empty() {
            return Err(CronError::new(
                pos,
                Some(field),
                format!("empty value in {field} list '{text}'"),
            ));
        }
        set.0 |= parse_item(item, pos, field)?.0;
        pos += item.len() + 1;
    }
    Ok(set)
}

fn parse_item(item: &str, at: usize, field: CronField) -> Result<FieldSet, CronError> {
    let (min, max) = field.range();
    let err = |offset, message: String| CronError::new(offset, Some(field), message);
    if let Some(slash) = item.find('/') {
        let (start, step) = (&item[..slash], &item[slash + 1..]);
        if let Some(second) = step.find('/') {
            return Err(err(
                at + slash + 1 + second,
                format!("{field} value '{item}' has more than one '/'"),
            ));
        }
        if start.is_empty() {
            return Err(err(at, format!("{field} value '{item}' has no start before '/'")));
        }
        if step.is_empty() {
            return Err(err(at + slash, format!("{field} value '{item}' has no step after '/'")));
        }
        let step_at = at + slash + 1;
        let Some(n) = number(step) else {
            return Err(err(step_at, format!("{field} step '{step}' is not a number")));
        };
        if n == 0 {
            return Err(err(step_at, format!("{field} step must be at least 1")));
        }
        if n > u64::from(max) {
            return Err(err(step_at, format!("{field} step {n} is out of range 1-{max}")));
        }
        let (lo, hi) = if start == "*" {
            (min, max)
        } else if start.contains('-') {
            parse_range(start, at, field)?
        } else {
            (parse_value(start, at, field)?, max)
        };
        return Ok(FieldSet::span(lo, hi, n as u32));
    }
    if item == "*" {
        return Ok(FieldSet::span(min, max, 1));
    }
    if item.contains('-') {
        let (lo, hi) = parse_range(item, at, field)?;
        return Ok(FieldSet::span(lo, hi, 1));
    }
    let v = parse_value(item, at, field)?;
    Ok(FieldSet::span(v, v, 1))
}

fn parse_range(text: &str, at: usize, field: CronField) -> Result<(u32, u32), CronError> {
    let err = |offset, message: String| CronError::new(offset, Some(field), message);
    let dash = text.find('-').unwrap_or(text.len());
    let (lo_text, rest) = (&text[..dash], text.get(dash + 1..).unwrap_or(""));
    if let Some(second) = rest.find('-') {
        return Err(err(
            at + dash + 1 + second,
            format!("{field} range '{text}' has more than one '-'"),
        ));
    }
    if lo_text.is_empty() {
        return Err(err(at, format!("{field} range '{text}' has no start")));
    }
    if rest.is_empty() {
        return Err(err(at + dash, format!("{field} range '{text}' has no end")));
    }
    let lo = parse_value(lo_text, at, field)?;
    let hi = parse_value(rest, at + dash + 1, field)?;
    if lo > hi {
        return Err(err(
            at,
            format!("{field} range {text} is reversed: {lo_text} comes after {rest}"),
        ));
    }
    Ok((lo, hi))
}

fn parse_value(text: &str, at: usize, field: CronField) -> Result<u32, CronError> {
    let (min, max) = field.range();
    let err = |message: String| CronError::new(at, Some(field), message);
    if let Some(n) = number(text) {
        if n < u64::from(min) || n > u64::from(max) {
            let note = if field == CronField::DayOfWeek && n == 7 {
                " (sunday is 0; 7 is not accepted)"
            } else {
                ""
            };
            return Err(err(format!("{field} value {n} is out of range {min}-{max}{note}")));
        }
        return Ok(n as u32);
    }
    if let Some(v) = field.name_value(text) {
        return Ok(v);
    }
    Err(err(match field {
        _ if text == "*" => format!("'*' cannot be part of a {field} range"),
        CronField::Month => {
            format!("month value '{text}' is not a number or a month name (jan-dec)")
        }
        CronField::DayOfWeek => {
            format!("day-of-week value '{text}' is not a number or a day name (sun-sat)")
        }
        _ => format!("{field} value '{text}' is not a number"),
    }))
}

/// Decimal digits only; saturates so a huge number reads as out of range.
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<u64>().unwrap_or(u64::MAX))
}
