//! The job graph drawn as SVG: one node per job (its matrix legs listed
//! inside), in columns by depth of `needs:`, edges from each need. Each
//! node shows its state, duration, attempts and the GPUs it held, and links
//! to the job's section of the page.

use super::html::{duration, escape};
use crate::store::JobNeeds as Needs;
use crate::store::{JobRow, Status};
use std::collections::BTreeMap;
use std::fmt::Write;

const WIDTH: i64 = 230;
const GAP_X: i64 = 60;
const GAP_Y: i64 = 20;
const HEAD: i64 = 24;
const LEG: i64 = 18;

/// A leg's state as one word: its result when finished, else its status.
pub fn state(job: &JobRow) -> &'static str {
    match (job.status, job.result) {
        (_, Some(result)) => result.as_str(),
        (Status::Finished, None) => "finished",
        (status, None) => status.as_str(),
    }
}

/// The state of a whole job from its legs: the worst one wins, so a
/// failing leg shows on the node.
fn job_state(legs: &[&JobRow]) -> &'static str {
    const ORDER: [&str; 8] = [
        "failure",
        "cancelled",
        "interrupted",
        "running",
        "waiting",
        "success",
        "skipped",
        "finished",
    ];
    let states: Vec<&str> = legs.iter().map(|l| state(l)).collect();
    ORDER.into_iter().find(|s| states.contains(s)).unwrap_or("waiting")
}

/// The SVG of the graph of `jobs` (the run's legs, in recorded order).
pub fn svg(jobs: &[JobRow], needs: Option<&Needs>) -> String {
    // The jobs in order: the workflow's when known, else as recorded.
    let mut order: Vec<String> = needs.map(|n| n.keys().cloned().collect()).unwrap_or_default();
    for job in jobs {
        if !order.contains(&job.job) {
            order.push(job.job.clone());
        }
    }
    // Legs in matrix order: the store has them in the order they first
    // reported, which changes from run to run.
    let legs_of = |id: &str| -> Vec<&JobRow> {
        let mut legs: Vec<&JobRow> = jobs.iter().filter(|j| j.job == id).collect();
        legs.sort_by_key(|j| j.leg);
        legs
    };
    let depth = depths(&order, needs);
    let mut columns: BTreeMap<usize, Vec<&String>> = BTreeMap::new();
    for id in &order {
        columns.entry(depth[id]).or_default().push(id);
    }
    let height_of = |id: &str| HEAD + LEG * legs_of(id).len().max(1) as i64 + 8;
    let mut place: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    let mut total_height = 0;
    for (column, ids) in &columns {
        let mut y = 10;
        for id in ids {
            let h = height_of(id);
            place.insert(id.as_str(), (10 + *column as i64 * (WIDTH + GAP_X), y, h));
            y += h + GAP_Y;
        }
        total_height = total_height.max(y);
    }
    let total_width = 20 + columns.len() as i64 * (WIDTH + GAP_X) - GAP_X;
    let mut out = format!(
        "<svg class=\"dag\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{total_width}\" height=\"{total_height}\" \
         viewBox=\"0 0 {total_width} {total_height}\" role=\"img\" aria-label=\"job graph\">"
    );
    if let Some(needs) = needs {
        for (id, wanted) in needs {
            let Some(&(x2, y2, h2)) = place.get(id.as_str()) else {
                continue;
            };
            for need in wanted {
                let Some(&(x1, y1, h1)) = place.get(need.as_str()) else {
                    continue;
                };
                let (sx, sy, ex, ey) = (x1 + WIDTH, y1 + h1 / 2, x2, y2 + h2 / 2);
                let mid = (sx + ex) / 2;
                // The ends named, so a test (or a reader of the SVG) knows the edge.
                let _ = write!(
                    out,
                    "<path class=\"edge\" data-from=\"{}\" data-to=\"{}\" d=\"M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}\"/>",
                    escape(need),
                    escape(id)
                );
            }
        }
    }
    for id in &order {
        let (x, y, h) = place[id.as_str()];
        let legs = legs_of(id);
        let state = job_state(&legs);
        let _ = write!(
            out,
            "<a href=\"#job-{}\"><g class=\"node st-{state}\" data-job=\"{}\">\
             <rect x=\"{x}\" y=\"{y}\" width=\"{WIDTH}\" height=\"{h}\" rx=\"6\"/>\
             <text class=\"title\" x=\"{}\" y=\"{}\">{}</text><text class=\"state\" x=\"{}\" y=\"{}\">{state}</text>",
            anchor(id),
            escape(id),
            x + 8,
            y + 16,
            escape(&clip(id, 20)),
            x + WIDTH - 8,
            y + 16,
        );
        if legs.is_empty() {
            let _ = write!(
                out,
                "<text class=\"leg\" x=\"{}\" y=\"{}\">not started</text>",
                x + 8,
                y + HEAD + 12
            );
        }
        for (i, leg) in legs.iter().enumerate() {
            let mut facts = vec![duration(leg.seconds())];
            if leg.attempts > 1 {
                facts.push(format!("{} attempts", leg.attempts));
            }
            if !leg.gpus.is_empty() {
                facts.push(format!("GPU {}", leg.gpus.join(",")));
            }
            let _ = write!(
                out,
                "<text class=\"leg st-{}\" x=\"{}\" y=\"{}\"><title>{}</title>{} · {}</text>",
                state_of(leg),
                x + 8,
                y + HEAD + 12 + i as i64 * LEG,
                escape(&leg.name),
                escape(&clip(&leg.name, 18)),
                escape(&facts.join(" · "))
            );
        }
        out.push_str("</g></a>");
    }
    out.push_str("</svg>");
    out
}

fn state_of(leg: &JobRow) -> &'static str {
    state(leg)
}

/// The id of a job's section on the page (ids are letters, digits, `-`, `_`).
pub fn anchor(job: &str) -> String {
    job.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

/// Each job's column: one past its deepest need (0 without needs). A cycle
/// (the checks refuse them, but the store may hold anything) stops at 0.
fn depths(order: &[String], needs: Option<&Needs>) -> BTreeMap<String, usize> {
    let mut depth: BTreeMap<String, usize> = order.iter().map(|id| (id.clone(), 0)).collect();
    let Some(needs) = needs else { return depth };
    for _ in 0..order.len() {
        let mut changed = false;
        for (id, wanted) in needs {
            let d = wanted
                .iter()
                .filter_map(|n| depth.get(n))
                .map(|d| d + 1)
                .max()
                .unwrap_or(0);
            if depth.get(id).is_some_and(|&old| d > old && d < order.len()) {
                depth.insert(id.clone(), d);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    depth
}
