//! A metric's history as an SVG chart: the candidates as points (a gate
//! failure as a red cross), the baseline each one was compared with, the
//! limit a change rule put on it, and bound rules as horizontal lines. Each
//! point links to its run. Colours are SVG attributes, so the same chart
//! stands alone in a file (`mlci metrics --plot out.svg`).

use super::html::escape;
use crate::gate::{format_number, parse_rules, ChangeKind, Check, Record};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write;

/// One gate's candidate value of a metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub run: Option<i64>,
    pub value: f64,
    pub passed: bool,
    /// The baseline's value it was compared with.
    pub baseline: Option<f64>,
    /// The limit a change rule set from that baseline (`max-drop`: the least allowed).
    pub allowed: Option<f64>,
}

/// A bound rule (`accuracy >= 0.9`) drawn as a line.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub rule: String,
    pub value: f64,
}

/// One metric's chart data.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub metric: String,
    pub points: Vec<Point>,
    pub thresholds: Vec<Threshold>,
}

/// The series of every numeric metric in `records` (oldest first), sorted by name.
pub fn series(records: &[Record]) -> Vec<Series> {
    let flat: Vec<Vec<(String, f64)>> = records
        .iter()
        .map(|r| r.metrics.as_object().map(crate::gate::flatten).unwrap_or_default())
        .collect();
    let names: BTreeSet<&String> = flat.iter().flatten().map(|(n, _)| n).collect();
    names
        .into_iter()
        .map(|name| {
            let mut points = Vec::new();
            for (record, values) in records.iter().zip(&flat) {
                let Some((_, value)) = values.iter().find(|(n, _)| n == name) else {
                    continue;
                };
                let rows = verdict_rows(record, name);
                let baseline = rows.iter().find_map(|r| r["baseline"].as_f64());
                let allowed = rows.iter().find_map(|r| change_limit(r["rule"].as_str()?, baseline?));
                points.push(Point {
                    run: record.run_id,
                    value: *value,
                    passed: record.passed,
                    baseline,
                    allowed,
                });
            }
            // The rules of the latest gate that checked this metric.
            let thresholds = records
                .iter()
                .rev()
                .map(|r| verdict_rows(r, name))
                .find(|rows| !rows.is_empty())
                .unwrap_or_default()
                .iter()
                .filter_map(|row| bound(row["rule"].as_str()?))
                .collect();
            Series {
                metric: name.clone(),
                points,
                thresholds,
            }
        })
        .collect()
}

fn verdict_rows<'a>(record: &'a Record, metric: &str) -> Vec<&'a Value> {
    record
        .verdict
        .as_ref()
        .and_then(|v| v["rows"].as_array())
        .into_iter()
        .flatten()
        .filter(|row| row["metric"].as_str() == Some(metric))
        .collect()
}

fn bound(rule: &str) -> Option<Threshold> {
    let parsed = parse_rules(rule).ok()?.into_iter().next()?;
    match parsed.check {
        Check::Bound { limit, .. } => Some(Threshold {
            rule: rule.to_string(),
            value: limit,
        }),
        Check::Change { .. } => None,
    }
}

fn change_limit(rule: &str, baseline: f64) -> Option<f64> {
    let parsed = parse_rules(rule).ok()?.into_iter().next()?;
    let Check::Change { kind, amount, relative } = parsed.check else {
        return None;
    };
    let delta = if relative {
        baseline.abs() * amount / 100.0
    } else {
        amount
    };
    Some(match kind {
        ChangeKind::MaxDrop => baseline - delta,
        ChangeKind::MaxRise | ChangeKind::MinGain => baseline + delta,
    })
}

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 34.0;

/// The chart of one series. `link` gives a run's address (None: no links).
pub fn svg(series: &Series, link: Option<&dyn Fn(i64) -> String>) -> String {
    let mut values: Vec<f64> = series.points.iter().map(|p| p.value).collect();
    values.extend(series.points.iter().filter_map(|p| p.baseline));
    values.extend(series.points.iter().filter_map(|p| p.allowed));
    values.extend(series.thresholds.iter().map(|t| t.value));
    values.retain(|v| v.is_finite());
    let (mut low, mut high) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
    if !low.is_finite() {
        (low, high) = (0.0, 1.0);
    }
    let pad = if high > low {
        (high - low) * 0.1
    } else {
        low.abs().max(1.0) * 0.1
    };
    (low, high) = (low - pad, high + pad);
    let n = series.points.len().max(1);
    let plot_w = W - LEFT - RIGHT;
    let x = |i: usize| {
        LEFT + if n == 1 {
            plot_w / 2.0
        } else {
            plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - low) / (high - low));
    let mut out = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" \
         role=\"img\" aria-label=\"{0} over time\" data-metric=\"{0}\" font-family=\"sans-serif\" font-size=\"11\">\
         <rect width=\"{W}\" height=\"{H}\" fill=\"#fff\"/><text x=\"{LEFT}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{0}</text>",
        escape(&series.metric)
    );
    for k in 0..=4 {
        let v = low + (high - low) * f64::from(k) / 4.0;
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{yv:.1}\" y2=\"{yv:.1}\" stroke=\"#eee\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" fill=\"#555\">{label}</text>",
            x2 = W - RIGHT,
            yv = y(v),
            tx = LEFT - 6.0,
            ty = y(v) + 4.0,
            label = escape(&format_number((v * 1e6).round() / 1e6))
        );
    }
    for t in &series.thresholds {
        let _ = write!(
            out,
            "<line class=\"threshold\" x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{yv:.1}\" y2=\"{yv:.1}\" stroke=\"#d97706\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" fill=\"#d97706\">{label}</text>",
            x2 = W - RIGHT,
            yv = y(t.value),
            tx = W - RIGHT + 6.0,
            ty = y(t.value) + 4.0,
            label = escape(&t.rule)
        );
    }
    let line = |pick: &dyn Fn(&Point) -> Option<f64>| -> String {
        series
            .points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| pick(p).map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let baseline = line(&|p| p.baseline);
    if !baseline.is_empty() {
        let _ = write!(
            out,
            "<polyline class=\"baseline\" points=\"{baseline}\" fill=\"none\" stroke=\"#2563eb\" stroke-dasharray=\"2 3\" stroke-width=\"2\"/>"
        );
    }
    let allowed = line(&|p| p.allowed);
    if !allowed.is_empty() {
        let _ = write!(
            out,
            "<polyline class=\"allowed\" points=\"{allowed}\" fill=\"none\" stroke=\"#d97706\" stroke-dasharray=\"1 3\"/>"
        );
    }
    let _ = write!(
        out,
        "<polyline class=\"candidate\" points=\"{}\" fill=\"none\" stroke=\"#888\"/>",
        line(&|p| Some(p.value))
    );
    for (i, p) in series.points.iter().enumerate() {
        let (cx, cy) = (x(i), y(p.value));
        let what = format!(
            "{}{}: {}{} ({})",
            p.run.map_or_else(|| "gate".to_string(), |r| format!("run #{r}")),
            "",
            format_number(p.value),
            p.baseline
                .map(|b| format!(", baseline {}", format_number(b)))
                .unwrap_or_default(),
            if p.passed { "gate passed" } else { "gate failed" }
        );
        let mark = if p.passed {
            format!("<circle class=\"point pass\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"5\" fill=\"#16a34a\"/>")
        } else {
            format!(
                "<path class=\"point fail\" d=\"M{:.1},{:.1} l10,10 m0,-10 l-10,10\" stroke=\"#dc2626\" stroke-width=\"3\"/>\
                 <circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"7\" fill=\"transparent\"/>",
                cx - 5.0,
                cy - 5.0
            )
        };
        let body = format!("<title>{}</title>{mark}", escape(&what));
        match (p.run, link) {
            (Some(run), Some(link)) => {
                let _ = write!(out, "<a href=\"{}\" data-run=\"{run}\">{body}</a>", escape(&link(run)));
            }
            _ => out.push_str(&format!("<g>{body}</g>")),
        }
        if n <= 20 || i % n.div_ceil(20) == 0 {
            let label = p.run.map_or_else(String::new, |r| format!("#{r}"));
            let _ = write!(
                out,
                "<text x=\"{cx:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
                H - BOTTOM + 16.0,
                escape(&label)
            );
        }
    }
    // The legend runs along the top, right of the title: the right margin
    // is where the thresholds' labels go.
    let lx = W - RIGHT - 215.0;
    let ly = TOP - 14.0;
    let _ = write!(
        out,
        "<g fill=\"#555\"><circle cx=\"{}\" cy=\"{ly}\" r=\"4\" fill=\"#16a34a\"/><text x=\"{}\" y=\"{}\">passed</text>\
         <path d=\"M{},{} l8,8 m0,-8 l-8,8\" stroke=\"#dc2626\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">gate failed</text>\
         <line x1=\"{}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"#2563eb\" stroke-dasharray=\"2 3\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">baseline</text></g>",
        lx + 4.0, lx + 12.0, ly + 4.0,
        lx + 64.0, ly - 4.0, lx + 76.0, ly + 4.0,
        lx + 150.0, lx + 160.0, lx + 164.0, ly + 4.0,
    );
    out.push_str("</svg>");
    out
}

/// Every series stacked in one standalone SVG document.
pub fn document(all: &[Series]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{}\">",
        H * all.len().max(1) as f64
    );
    for (i, s) in all.iter().enumerate() {
        let _ = write!(
            out,
            "<g transform=\"translate(0 {})\">{}</g>",
            H * i as f64,
            svg(s, None)
        );
    }
    out.push_str("</svg>\n");
    out
}
