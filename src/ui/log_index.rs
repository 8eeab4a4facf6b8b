//! Where the lines of a log file start, every [`PAGE`] lines, and where its
//! errors and warnings are: built by one pass over the file the first time
//! it is opened and extended as it grows, so any page of a 1,000,000-line
//! log is read by one seek and [`PAGE`] lines, never the whole file.

use super::log_render::LineKind;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Lines per page, and the distance between two recorded offsets.
pub const PAGE: u64 = 1000;
/// The most annotations kept per log: the list at its top stays readable.
const MAX_ANNOTATIONS: usize = 200;
/// The longest line kept whole; a longer one is cut on the page.
pub const MAX_LINE: usize = 64 * 1024;

/// What is known about one log file.
#[derive(Clone, Debug, Default)]
pub struct LogIndex {
    /// Bytes indexed: up to the end of the last complete line.
    pub bytes: u64,
    /// Complete lines in those bytes.
    pub lines: u64,
    /// The byte offset of line `k * PAGE` (lines numbered from 0).
    marks: Vec<u64>,
    /// Error, warning and notice lines: (line number from 1, kind, text).
    pub annotations: Vec<(u64, LineKind, String)>,
}

impl LogIndex {
    /// Pages of complete lines (at least one).
    pub fn pages(&self) -> u64 {
        self.lines.div_ceil(PAGE).max(1)
    }

    /// Reads more of the file from where the index ends.
    fn extend(&mut self, path: &Path) -> std::io::Result<()> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(self.bytes))?;
        let mut reader = BufReader::with_capacity(256 * 1024, file);
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            if read == 0 || line.last() != Some(&b'\n') {
                // A line still being written is indexed once it ends.
                return Ok(());
            }
            if self.lines % PAGE == 0 {
                self.marks.push(self.bytes);
            }
            self.bytes += read as u64;
            self.lines += 1;
            if self.annotations.len() < MAX_ANNOTATIONS && matches!(line.first(), Some(b'E' | b'W' | b'N')) {
                let text = String::from_utf8_lossy(&line[..line.len() - 1]);
                let kind = LineKind::of(&text);
                if kind != LineKind::Plain {
                    let text: String = text.chars().take(500).collect();
                    self.annotations.push((self.lines, kind, text));
                }
            }
        }
    }

    /// The lines of page `page` (from 0): its first line's number (from 1)
    /// and the lines, each cut at [`MAX_LINE`] bytes.
    pub fn read_page(&self, path: &Path, page: u64) -> std::io::Result<(u64, Vec<String>)> {
        let Some(&start) = self.marks.get(page as usize) else {
            return Ok((page * PAGE + 1, Vec::new()));
        };
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(start))?;
        let count = PAGE.min(self.lines - page * PAGE);
        let mut reader = BufReader::new(file);
        let mut lines = Vec::with_capacity(count as usize);
        let mut buffer = Vec::new();
        for _ in 0..count {
            buffer.clear();
            if reader.read_until(b'\n', &mut buffer)? == 0 {
                break;
            }
            if buffer.last() == Some(&b'\n') {
                buffer.pop();
            }
            buffer.truncate(MAX_LINE);
            lines.push(String::from_utf8_lossy(&buffer).into_owned());
        }
        Ok((page * PAGE + 1, lines))
    }
}

/// The indexes of the logs opened so far, by path.
#[derive(Default)]
pub struct LogIndexes {
    known: Mutex<HashMap<PathBuf, LogIndex>>,
}

impl LogIndexes {
    /// The index of `path`, brought up to the file's current end. A file
    /// that shrank (replaced) is indexed afresh; a missing one is empty.
    pub fn get(&self, path: &Path) -> std::io::Result<LogIndex> {
        let size = match std::fs::metadata(path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LogIndex::default()),
            Err(e) => return Err(e),
        };
        let mut index = self
            .known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(path)
            .cloned()
            .unwrap_or_default();
        if size < index.bytes {
            index = LogIndex::default();
        }
        if size > index.bytes {
            index.extend(path)?;
            self.known
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(path.to_path_buf(), index.clone());
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_from_their_offset_and_a_growing_file_extends_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("0.log");
        let text: String = (1..=2500).map(|n| format!("line {n}\n")).collect();
        std::fs::write(&path, format!("{text}Error: boom\npartial")).unwrap();
        let indexes = LogIndexes::default();
        let index = indexes.get(&path).unwrap();
        assert_eq!((index.lines, index.pages()), (2501, 3));
        assert_eq!(
            index.annotations,
            vec![(2501, LineKind::Error, "Error: boom".to_string())]
        );
        let (first, lines) = index.read_page(&path, 2).unwrap();
        assert_eq!((first, lines.len()), (2001, 501));
        assert_eq!((lines[0].as_str(), lines[500].as_str()), ("line 2001", "Error: boom"));
        std::fs::write(&path, format!("{text}Error: boom\npartial line\n")).unwrap();
        let index = indexes.get(&path).unwrap();
        assert_eq!(index.lines, 2502);
        assert_eq!(index.read_page(&path, 2).unwrap().1[501], "partial line");
    }
}
