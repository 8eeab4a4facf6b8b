//! `mlci metrics`: the metrics recorded by quality gates over time, oldest
//! first, one line per gate with a column per metric.

use super::stored::{columns, print, time, StoreArg};
use crate::exit;
use crate::gate::{flatten, format_number, history};
use std::collections::{BTreeMap, BTreeSet};

#[derive(clap::Args)]
pub struct Args {
    /// Only this branch's gates.
    #[arg(long, value_name = "BRANCH")]
    branch: Option<String>,
    #[command(flatten)]
    store: StoreArg,
    /// Print the records as JSON.
    #[arg(long)]
    json: bool,
    /// Write the charts (one per metric, as in `mlci ui`) to this SVG file instead.
    #[arg(long, value_name = "FILE")]
    plot: Option<std::path::PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let dir = args.store.dir();
    let records = match history(&dir, args.branch.as_deref()) {
        Ok(records) => records,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::FAILURE;
        }
    };
    if let Some(path) = &args.plot {
        return plot(path, &records);
    }
    if args.json {
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&records).unwrap_or_default()
        ));
        return exit::SUCCESS;
    }
    if records.is_empty() {
        match &args.branch {
            Some(branch) => eprintln!("no metrics recorded for branch `{branch}` in {}", dir.display()),
            None => eprintln!("no metrics recorded in {}", dir.display()),
        }
        return exit::SUCCESS;
    }
    // Each record's numeric metrics by dotted path; the columns are all of them, sorted.
    let values: Vec<BTreeMap<String, f64>> = records
        .iter()
        .map(|r| {
            r.metrics
                .as_object()
                .map(flatten)
                .unwrap_or_default()
                .into_iter()
                .collect()
        })
        .collect();
    let names: BTreeSet<&String> = values.iter().flat_map(|v| v.keys()).collect();
    let mut header: Vec<String> = ["RECORDED (UTC)", "BRANCH", "RUN", "PASSED"]
        .map(str::to_string)
        .to_vec();
    header.extend(names.iter().map(|n| n.to_string()));
    let mut rows = vec![header];
    for (record, values) in records.iter().zip(&values) {
        let mut row = vec![
            time(&record.recorded_at),
            record.branch.clone(),
            record.run_id.map_or_else(|| "-".to_string(), |id| id.to_string()),
            if record.passed { "yes" } else { "no" }.to_string(),
        ];
        row.extend(
            names
                .iter()
                .map(|n| values.get(*n).map_or_else(|| "-".to_string(), |v| format_number(*v))),
        );
        rows.push(row);
    }
    print(&columns(&rows, ""));
    exit::SUCCESS
}

/// Writes the charts of `records` (one branch's, or all) to an SVG file.
fn plot(path: &std::path::Path, records: &[crate::gate::Record]) -> i32 {
    if path.extension().is_some_and(|e| !e.eq_ignore_ascii_case("svg")) {
        eprintln!("error: --plot writes SVG; name the file `….svg` (PNG is not supported)");
        return exit::USAGE;
    }
    let series = crate::ui::chart::series(records);
    if series.is_empty() {
        eprintln!("error: no metrics recorded to plot");
        return exit::FAILURE;
    }
    match std::fs::write(path, crate::ui::chart::document(&series)) {
        Ok(()) => {
            print(&format!("wrote {} chart(s) to {}\n", series.len(), path.display()));
            exit::SUCCESS
        }
        Err(e) => {
            eprintln!("error: failed to write {}: {e}", path.display());
            exit::FAILURE
        }
    }
}
