//! `mlci logs -f RUN [JOB]`: what the run's logs hold so far, as `mlci logs`
//! prints it, then each new line as it is appended and each new step's log
//! as it appears, until the run is no longer running.
//!
//! The store is written by another process (`mlci run`, the daemon), so
//! this one polls: every 200 ms it re-reads the run (its status and which
//! log files it has) and reads what the files gained. A line is printed
//! only once its newline is there (the writer's buffer may have been
//! flushed mid-line); when the run ends, whatever remains is printed.
//!
//! Exit codes as `mlci logs`. A JOB that names no leg yet is waited for
//! while the run goes on (jobs are recorded as they start); if the run ends
//! without it, it is the same usage error.

use super::logs::{heading, retried_legs, unknown_job};
use super::show::find_run;
use super::stored;
use crate::exit;
use crate::store::{as_text, RunDetail, Status};
use std::collections::HashMap;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the store is read again: as often as the writer flushes.
const POLL_EVERY: Duration = Duration::from_millis(200);

pub(super) fn follow(dir: &Path, run: i64, job: Option<&str>) -> i32 {
    // Checks the run exists, with `mlci logs`'s messages if not.
    if let Err(code) = find_run(dir, run) {
        return code;
    }
    let store = match stored::open(dir) {
        Ok(Some(store)) => store,
        Ok(None) => return stored::usage(&format!("no run {run}: {} holds no runs", dir.display())),
        Err(code) => return code,
    };
    let mut tail = Tail::default();
    let mut stdout = std::io::stdout().lock();
    loop {
        // A run whose mlci died would otherwise be followed forever.
        let _ = store.mark_abandoned();
        let detail = match store.run(run) {
            Ok(Some(detail)) => detail,
            Ok(None) => return stored::usage(&format!("no run {run} in {}", dir.display())),
            Err(e) => return stored::failure(&e),
        };
        let running = detail.run.status == Status::Running;
        if let Some(job) = job {
            if !running && detail.legs(Some(job)).is_empty() {
                return stored::usage(&unknown_job(&detail, job));
            }
        }
        let written = tail
            .poll(&sources(&detail, dir, job), &mut stdout, !running)
            .and_then(|()| stdout.flush());
        // A closed pipe (`| head`) ends the command, as in `mlci logs`.
        if written.is_err() || !running {
            return if tail.unreadable { exit::FAILURE } else { exit::SUCCESS };
        }
        std::thread::sleep(POLL_EVERY);
    }
}

/// The run's log files in `mlci logs` order, each with its heading.
fn sources(detail: &RunDetail, dir: &Path, job: Option<&str>) -> Vec<Source> {
    let retried = retried_legs(detail);
    detail
        .log_files(dir, job)
        .into_iter()
        .map(|file| Source {
            heading: heading(&file, retried.contains(&(file.job.as_str(), file.leg))),
            path: file.path,
        })
        .collect()
}

/// A file to tail and the heading its lines are printed under.
pub(super) struct Source {
    pub path: PathBuf,
    pub heading: String,
}

/// Tails several files in order, like `tail -f a b c`: each poll reads what
/// every file gained, in the order given, and prints its complete lines
/// under a `==> heading <==` line whenever the lines come from another file
/// than the last ones printed. A file seen for the first time is headed
/// even while empty, so a first poll prints exactly what `mlci logs` does.
#[derive(Default)]
pub(super) struct Tail {
    files: HashMap<PathBuf, Tailed>,
    /// The file whose lines were printed last.
    current: Option<PathBuf>,
    /// Whether anything was printed: headings after the first are set off
    /// by a blank line.
    printed: bool,
    /// Whether some file could not be read (reported on stderr).
    pub unreadable: bool,
}

/// A file being tailed: open, positioned after what was read, with the
/// start of a line whose newline has not come yet.
struct Tailed {
    file: Option<File>,
    partial: Vec<u8>,
}

impl Tail {
    /// Prints what the files gained since the last poll. On the `last` poll
    /// a line without its newline is printed too, and a file that is not
    /// there is an error (before, it may be about to be created).
    pub fn poll(&mut self, sources: &[Source], out: &mut impl Write, last: bool) -> std::io::Result<()> {
        let mut chunk = vec![0; 64 * 1024];
        for source in sources {
            if !self.files.contains_key(&source.path) && !self.open(source, out, last)? {
                continue;
            }
            while let Some(lines) = self.read(source, out, &mut chunk)? {
                // Marks are for the web view; print what the steps printed.
                let lines = as_text(&lines);
                if !lines.is_empty() {
                    self.head(source, out)?;
                    out.write_all(&lines)?;
                }
            }
            let rest = match self.files.get_mut(&source.path) {
                Some(tailed) if last => std::mem::take(&mut tailed.partial),
                _ => Vec::new(),
            };
            if !rest.is_empty() {
                self.head(source, out)?;
                out.write_all(&as_text(&rest))?;
            }
        }
        Ok(())
    }

    /// Starts tailing a file seen for the first time, printing its heading;
    /// false while it is not there yet (and this is not the last poll).
    fn open(&mut self, source: &Source, out: &mut impl Write, last: bool) -> std::io::Result<bool> {
        let file = match File::open(&source.path) {
            Err(e) if e.kind() == ErrorKind::NotFound && !last => return Ok(false),
            Err(e) => {
                self.head(source, out)?;
                self.report(out, &source.path, &e)?;
                None
            }
            Ok(file) => {
                self.head(source, out)?;
                Some(file)
            }
        };
        let tailed = Tailed {
            file,
            partial: Vec::new(),
        };
        self.files.insert(source.path.clone(), tailed);
        Ok(true)
    }

    /// Reads the next chunk of a file: the complete lines it finished
    /// (maybe none); None at its end or when it cannot be read.
    fn read(&mut self, source: &Source, out: &mut impl Write, chunk: &mut [u8]) -> std::io::Result<Option<Vec<u8>>> {
        let Some(tailed) = self.files.get_mut(&source.path) else {
            return Ok(None);
        };
        let Some(file) = tailed.file.as_mut() else {
            return Ok(None);
        };
        match file.read(chunk) {
            Ok(0) => Ok(None),
            Ok(read) => {
                tailed.partial.extend_from_slice(&chunk[..read]);
                let complete = tailed
                    .partial
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |end| end + 1);
                Ok(Some(tailed.partial.drain(..complete).collect()))
            }
            Err(e) => {
                tailed.file = None;
                self.report(out, &source.path, &e)?;
                Ok(None)
            }
        }
    }

    /// Prints the source's heading unless its lines were the last printed.
    fn head(&mut self, source: &Source, out: &mut impl Write) -> std::io::Result<()> {
        if self.current.as_ref() == Some(&source.path) {
            return Ok(());
        }
        let separator = if self.printed { "\n" } else { "" };
        writeln!(out, "{separator}==> {} <==", source.heading)?;
        self.current = Some(source.path.clone());
        self.printed = true;
        Ok(())
    }

    fn report(&mut self, out: &mut impl Write, path: &Path, error: &std::io::Error) -> std::io::Result<()> {
        // Flushed first, so the message comes after the heading it belongs to.
        out.flush()?;
        eprintln!("error: failed to read {}: {error}", path.display());
        self.unreadable = true;
        Ok(())
    }
}

#[cfg(test)]
#[path = "logs_follow_tests.rs"]
mod logs_follow_tests;
