//! Deciding each rule: the candidate's value against a bound, or its change
//! against the baseline. Pure: metrics in, rows and notes out.
//!
//! Values within a billionth (relative) of a bound count as on it, so
//! `0.92` passes `max-drop 0.01` from `0.93` although `0.93 - 0.01` is
//! `0.9200000000000002` in floating point.

use super::metrics::{read, Metrics, Reading};
use super::number::{number, plain_percent};
use super::rule::{ChangeKind, Check, Op, Rule};
use super::verdict::{Row, RowResult};

/// Relative tolerance of every comparison.
const TOLERANCE: f64 = 1e-9;

/// The rows of `rules` in order, and notes about comparisons that were
/// skipped (each note once). `baseline` is None when there is none at all;
/// the caller notes why.
pub fn evaluate(rules: &[Rule], candidate: &Metrics, baseline: Option<&Metrics>) -> (Vec<Row>, Vec<String>) {
    let mut notes = Vec::new();
    let rows = rules
        .iter()
        .map(|rule| {
            let (row, note) = decide(rule, rules, candidate, baseline);
            if let Some(note) = note.filter(|n| !notes.contains(n)) {
                notes.push(note);
            }
            row
        })
        .collect();
    (rows, notes)
}

fn decide(rule: &Rule, rules: &[Rule], candidate: &Metrics, baseline: Option<&Metrics>) -> (Row, Option<String>) {
    let found = read(candidate, &rule.metric);
    let base = baseline.map(|b| read(b, &rule.metric));
    let candidate_value = number_of(Some(&found));
    let baseline_value = number_of(base.as_ref());
    let (change, change_percent) = match (candidate_value, baseline_value) {
        (Some(c), Some(b)) if c.is_finite() && b.is_finite() => {
            (Some(c - b), (b != 0.0).then(|| (c - b) / b.abs() * 100.0))
        }
        _ => (None, None),
    };
    let mut row = Row {
        metric: rule.metric.clone(),
        baseline: baseline_value,
        candidate: candidate_value,
        change,
        change_percent,
        rule: rule.text(),
        result: RowResult::Pass,
        reason: None,
    };
    let (result, reason, note) = match candidate_finite(&found) {
        Err(problem) => (RowResult::Fail, Some(problem), None),
        Ok(c) => match rule.check {
            Check::Bound { op, limit } if holds(op, c, limit) => (RowResult::Pass, None, None),
            Check::Bound { op, .. } => (RowResult::Fail, Some(bound_failure(op, &rule.amount_text)), None),
            Check::Change { .. } => compare(rule, rules, c, base.as_ref()),
        },
    };
    row.result = result;
    row.reason = reason;
    (row, note)
}

/// A comparison rule against the baseline's value, when there is one.
fn compare(rule: &Rule, rules: &[Rule], c: f64, base: Option<&Reading>) -> (RowResult, Option<String>, Option<String>) {
    let Check::Change { kind, amount, relative } = rule.check else {
        return (RowResult::Pass, None, None);
    };
    let metric = &rule.metric;
    let skip = |reason: &str, note: Option<String>| (RowResult::Skipped, Some(reason.to_string()), note);
    let b = match base {
        None => return skip("no baseline", None),
        Some(Reading::Missing) => {
            return skip(
                "not in the baseline",
                Some(format!("no baseline for `{metric}`: comparison skipped")),
            )
        }
        Some(Reading::Number(b)) if b.is_finite() => *b,
        Some(Reading::Number(b)) => return skip(&format!("the baseline is {}", number(*b)), None),
        Some(Reading::Null | Reading::NotNumber(_)) => return skip("the baseline's value is not a number", None),
    };
    if relative && b == 0.0 {
        let covering = rules.iter().find(|r| &r.metric == metric && !r.is_relative());
        return match covering {
            Some(cover) => skip(
                "the baseline is 0",
                Some(format!(
                    "warning: the baseline of `{metric}` is 0, so `{}` cannot be checked; skipped, as `{}` covers `{metric}`",
                    rule.text(),
                    cover.text()
                )),
            ),
            None => (
                RowResult::Fail,
                Some(format!(
                    "the baseline is 0, so a relative change is undefined; add an absolute rule (`{metric} {} 0.01`)",
                    kind.keyword()
                )),
                None,
            ),
        };
    }
    let allowed = if relative { b.abs() * amount / 100.0 } else { amount };
    let passed = match kind {
        ChangeKind::MaxDrop => holds(Op::Ge, c, b - allowed),
        ChangeKind::MaxRise => holds(Op::Le, c, b + allowed),
        ChangeKind::MinGain => holds(Op::Ge, c, b + allowed),
    };
    if passed {
        return (RowResult::Pass, None, None);
    }
    let show = |x: f64| {
        if relative {
            plain_percent(x / b.abs() * 100.0)
        } else {
            number(x)
        }
    };
    let limit = if relative {
        plain_percent(amount)
    } else {
        number(amount)
    };
    let reason = match kind {
        ChangeKind::MaxDrop => format!("dropped {}, more than {limit}", show(b - c)),
        ChangeKind::MaxRise => format!("rose {}, more than {limit}", show(c - b)),
        ChangeKind::MinGain if c < b => format!("dropped {}; needs a gain of at least {limit}", show(b - c)),
        ChangeKind::MinGain => format!("gained {}; needs at least {limit}", show(c - b)),
    };
    (RowResult::Fail, Some(reason), None)
}

fn number_of(reading: Option<&Reading>) -> Option<f64> {
    match reading {
        Some(Reading::Number(x)) => Some(*x),
        _ => None,
    }
}

/// The candidate's value, or why it cannot be checked (which fails the rule).
fn candidate_finite(found: &Reading) -> Result<f64, String> {
    match found {
        Reading::Number(x) if x.is_nan() => Err("value is NaN".to_string()),
        Reading::Number(x) if x.is_infinite() => Err("value is infinite".to_string()),
        Reading::Number(x) => Ok(*x),
        Reading::Missing => Err("metric not found".to_string()),
        Reading::Null => Err("metric is null".to_string()),
        Reading::NotNumber(kind) => Err(format!("not a number ({kind})")),
    }
}

/// Whether `value OP limit` holds, within the tolerance.
fn holds(op: Op, value: f64, limit: f64) -> bool {
    let tolerance = TOLERANCE * value.abs().max(limit.abs());
    match op {
        Op::Ge => value >= limit - tolerance,
        Op::Gt => value > limit + tolerance,
        Op::Le => value <= limit + tolerance,
        Op::Lt => value < limit - tolerance,
        Op::Eq => (value - limit).abs() <= tolerance,
    }
}

fn bound_failure(op: Op, limit: &str) -> String {
    match op {
        Op::Ge => format!("below {limit}"),
        Op::Gt => format!("not above {limit}"),
        Op::Le => format!("above {limit}"),
        Op::Lt => format!("not below {limit}"),
        Op::Eq => format!("not equal to {limit}"),
    }
}
