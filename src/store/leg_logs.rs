//! The log files of one job leg while a run is recorded: which attempt it
//! is in, and the buffered files of its steps (and its own messages) that
//! are open.

use super::layout::log_name;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub(crate) struct LegLogs {
    /// The attempt its lines belong to, from the latest `JobStarted`.
    pub(crate) attempt: u32,
    /// The store directory.
    store: PathBuf,
    /// `runs/<run>/<job>-<leg>`, relative to the store directory.
    pub(crate) dir: PathBuf,
    /// By step index; None for the leg's own messages.
    open: HashMap<Option<usize>, BufWriter<File>>,
}

impl LegLogs {
    pub(crate) fn new(store: &Path, dir: PathBuf) -> LegLogs {
        LegLogs {
            attempt: 1,
            store: store.to_path_buf(),
            dir,
            open: HashMap::new(),
        }
    }

    /// Where a step's (or the leg's own) lines go in the current attempt,
    /// relative to the store directory.
    pub(crate) fn path(&self, step: Option<usize>) -> PathBuf {
        self.dir.join(log_name(step, self.attempt))
    }

    /// Appends a line to a step's (or the leg's own) file.
    pub(crate) fn write(&mut self, step: Option<usize>, prefix: &str, line: &str) -> Result<(), String> {
        // Three plain writes: `writeln!` formatting costs more than the copy.
        let file = self.file(step)?;
        let written = file
            .write_all(prefix.as_bytes())
            .and_then(|()| file.write_all(line.as_bytes()))
            .and_then(|()| file.write_all(b"\n"));
        written.map_err(|e| format!("failed to write {}: {e}", self.store.join(self.path(step)).display()))
    }

    /// The open file of a step (or of the leg's own messages), opened for
    /// appending if it is not open yet, so a late line never truncates.
    pub(crate) fn file(&mut self, step: Option<usize>) -> Result<&mut BufWriter<File>, String> {
        match self.open.entry(step) {
            Entry::Occupied(open) => Ok(open.into_mut()),
            Entry::Vacant(closed) => {
                let path = self.store.join(&self.dir).join(log_name(step, self.attempt));
                let file = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| OpenOptions::new().create(true).append(true).open(&path))
                    .map_err(|e| format!("failed to open {}: {e}", path.display()))?;
                Ok(closed.insert(BufWriter::new(file)))
            }
        }
    }

    /// Appends a step's `$GITHUB_STEP_SUMMARY` Markdown to the leg's
    /// `summary.md` (all steps and attempts, in order, as GitHub shows them).
    pub(crate) fn append_summary(&self, markdown: &str) -> Result<(), String> {
        let path = self.store.join(&self.dir).join("summary.md");
        let appended = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| OpenOptions::new().create(true).append(true).open(&path))
            .and_then(|mut file| writeln!(file, "{}", markdown.trim_end_matches('\n')));
        appended.map_err(|e| format!("failed to write {}: {e}", path.display()))
    }

    /// Flushes and closes one file, if open.
    pub(crate) fn close(&mut self, step: Option<usize>) -> Result<(), String> {
        match self.open.remove(&step) {
            Some(mut file) => file.flush().map_err(|e| write_failed(&e)),
            None => Ok(()),
        }
    }

    /// Flushes and closes every open file; the first failure is returned.
    pub(crate) fn close_all(&mut self) -> Result<(), String> {
        let mut result = Ok(());
        for (_, mut file) in self.open.drain() {
            if let (Err(e), true) = (file.flush(), result.is_ok()) {
                result = Err(write_failed(&e));
            }
        }
        result
    }

    /// Writes out the buffers of the open files, keeping them open.
    pub(crate) fn flush(&mut self) -> Result<(), String> {
        let mut result = Ok(());
        for file in self.open.values_mut() {
            if let (Err(e), true) = (file.flush(), result.is_ok()) {
                result = Err(write_failed(&e));
            }
        }
        result
    }
}

fn write_failed(e: &std::io::Error) -> String {
    format!("failed to write a log file: {e}")
}
