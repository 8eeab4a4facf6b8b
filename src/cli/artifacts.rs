//! `mlci artifacts ls RUN` and `mlci artifacts get RUN NAME [-o DIR]`: the
//! artifacts a run uploaded, read back from the store.
//!
//! Exit codes: 0; 2 (USAGE) when the store has no run RUN or the run no
//! artifact NAME (the message lists what there is); 1 when an artifact
//! cannot be read or extracted (a damaged archive, an entry that would
//! land outside DIR).

use super::stored::{self, columns, time, StoreArg};
use crate::artifacts::{download, list, ArtifactInfo, DownloadOptions, DownloadTarget};
use crate::exit;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ArtifactsCommand,
}

#[derive(clap::Subcommand)]
enum ArtifactsCommand {
    /// List a run's artifacts: files, size, SHA-256, when uploaded, when they expire.
    Ls {
        /// The run's id (see `mlci runs`).
        run: i64,
        #[command(flatten)]
        store: StoreArg,
        /// Print the artifacts as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Extract one artifact of a run into a folder.
    Get {
        /// The run's id (see `mlci runs`).
        run: i64,
        /// The artifact's name (see `mlci artifacts ls RUN`).
        name: String,
        /// The folder to extract into (default: the current folder).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
    },
}

pub fn run(args: Args) -> i32 {
    match args.command {
        ArtifactsCommand::Ls { run, store, json } => ls(&store.dir(), run, json),
        ArtifactsCommand::Get {
            run,
            name,
            output,
            store,
        } => get(&store.dir(), run, &name, output.as_deref()),
    }
}

fn ls(dir: &Path, run: i64, json: bool) -> i32 {
    let (run_dir, artifacts) = match artifacts_of(dir, run) {
        Ok(found) => found,
        Err(code) => return code,
    };
    if json {
        stored::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&artifacts).unwrap_or_default()
        ));
        return exit::SUCCESS;
    }
    if artifacts.is_empty() {
        eprintln!("run {run} has no artifacts ({})", run_dir.display());
        return exit::SUCCESS;
    }
    stored::print(&render(&artifacts));
    exit::SUCCESS
}

fn get(dir: &Path, run: i64, name: &str, output: Option<&Path>) -> i32 {
    let (run_dir, artifacts) = match artifacts_of(dir, run) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let Ok(cwd) = std::env::current_dir() else {
        eprintln!("error: cannot read the current folder");
        return exit::FAILURE;
    };
    let options = DownloadOptions {
        name: Some(name.to_string()),
        path: output.map(|o| o.to_string_lossy().into_owned()).unwrap_or_default(),
        ..DownloadOptions::default()
    };
    let known = artifacts.iter().find(|a| a.name == name);
    let target = match DownloadTarget::folder(&cwd.join(output.unwrap_or(Path::new("")))) {
        Ok(target) => target,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::FAILURE;
        }
    };
    match download(&[run_dir], &target, &options) {
        Ok(report) => {
            let size = known.map(|a| format!(", {}", size(a.size))).unwrap_or_default();
            let files = if report.files == 1 {
                "1 file".to_string()
            } else {
                format!("{} files", report.files)
            };
            let into = output
                .map(|o| o.display().to_string())
                .unwrap_or_else(|| ".".to_string());
            stored::print(&format!("downloaded `{name}` ({files}{size}) into {into}\n"));
            exit::SUCCESS
        }
        // The message names the artifacts there are.
        Err(message) if known.is_none() => stored::usage(&message),
        Err(message) => {
            eprintln!("error: {message}");
            exit::FAILURE
        }
    }
}

/// The store folder of run `run` and its artifacts. A run is known when
/// the store records it or has a folder for it; else it is a usage error
/// that names the runs with artifacts.
fn artifacts_of(dir: &Path, run: i64) -> Result<(PathBuf, Vec<ArtifactInfo>), i32> {
    let run_dir = dir.join("runs").join(run.to_string());
    let artifacts = list(&run_dir).map_err(|message| {
        eprintln!("error: {message}");
        exit::FAILURE
    })?;
    if artifacts.is_empty() && !run_dir.is_dir() && !recorded(dir, run)? {
        let with_artifacts = runs_with_artifacts(dir);
        return Err(stored::usage(&if with_artifacts.is_empty() {
            format!("no run {run} in {}; no run has artifacts", dir.display())
        } else {
            format!(
                "no run {run} in {}; the latest runs with artifacts are {}",
                dir.display(),
                with_artifacts.join(", ")
            )
        }));
    }
    Ok((run_dir, artifacts))
}

/// Whether the store's database has run `run` (false without a store).
fn recorded(dir: &Path, run: i64) -> Result<bool, i32> {
    match stored::open(dir)? {
        None => Ok(false),
        Some(store) => store.run(run).map(|r| r.is_some()).map_err(|e| stored::failure(&e)),
    }
}

/// The ids of the (up to 5) newest runs with artifacts, newest first.
fn runs_with_artifacts(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join("runs")) else {
        return Vec::new();
    };
    let mut ids: Vec<i64> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
        .filter(|id: &i64| list(&dir.join("runs").join(id.to_string())).is_ok_and(|a| !a.is_empty()))
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.iter().take(5).map(i64::to_string).collect()
}

fn render(artifacts: &[ArtifactInfo]) -> String {
    let header = ["NAME", "FILES", "SIZE", "SHA256", "CREATED (UTC)", "EXPIRES (UTC)"];
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect()];
    for artifact in artifacts {
        rows.push(vec![
            artifact.name.clone(),
            artifact.files.to_string(),
            size(artifact.size),
            artifact.sha256.chars().take(12).collect(),
            time(&artifact.created),
            time(&artifact.expires),
        ]);
    }
    columns(&rows, "")
}

/// `512 B`, `1.5 KiB`, `12.0 MiB`, `1.00 GiB`.
fn size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else if b < KIB * KIB * KIB {
        format!("{:.1} MiB", b / (KIB * KIB))
    } else {
        format!("{:.2} GiB", b / (KIB * KIB * KIB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(12 * 1024 * 1024), "12.0 MiB");
        assert_eq!(size(1 << 30), "1.00 GiB");
    }
}
