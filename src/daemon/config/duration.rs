//! Durations in `runner.yml` (`shutdown_timeout:`, `job_timeout:`): `90s`,
//! `5m`, `2h`, `1h30m`, or a plain number of seconds.

use std::time::Duration;

/// The duration `text` spells, or None when it is not one. Each part is a
/// whole number and a unit (`h`, `m`, `s`), largest unit first, each unit
/// at most once; a number alone counts seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok().map(Duration::from_secs);
    }
    let mut seconds: u64 = 0;
    let mut rest = text;
    // The units still allowed: each may appear once, in this order.
    let mut units: &[(char, u64)] = &[('h', 3600), ('m', 60), ('s', 1)];
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let number: u64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let position = units.iter().position(|(u, _)| *u == unit)?;
        let part = number.checked_mul(units[position].1)?;
        seconds = seconds.checked_add(part)?;
        units = &units[position + 1..];
        rest = &rest[digits + unit.len_utf8()..];
    }
    (!text.is_empty()).then_some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_plain_seconds() {
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(parse_duration("90"), secs(90));
        assert_eq!(parse_duration("90s"), secs(90));
        assert_eq!(parse_duration("5m"), secs(300));
        assert_eq!(parse_duration("2h"), secs(7200));
        assert_eq!(parse_duration("1h30m"), secs(5400));
        assert_eq!(parse_duration("1h2m3s"), secs(3723));
        assert_eq!(parse_duration(" 0 "), secs(0));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "m",
            "5x",
            "1.5h",
            "-5m",
            "30m1h",
            "5m5m",
            "5 m",
            "h5",
            "99999999999999999999h",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
