//! Output bytes to lines, as GitHub's runner reads them (.NET `ReadLine`):
//! a line ends at `\n`, `\r` or `\r\n`; a last line without an end is still
//! a line. Bytes that are not UTF-8 become U+FFFD.

use crate::backend::LineSink;
use std::borrow::Cow;

/// One stream's partial line between chunks. Complete lines inside a chunk
/// go to the sink straight from the chunk, without a copy.
#[derive(Debug, Default)]
pub(super) struct LineSplitter {
    partial: Vec<u8>,
    /// The chunk ended in `\r`: a `\n` starting the next one belongs to it.
    after_cr: bool,
}

impl LineSplitter {
    pub fn push(&mut self, mut data: &[u8], sink: &mut dyn LineSink) {
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = data.strip_prefix(b"\n") {
                data = rest;
            }
        }
        while let Some(end) = data.iter().position(|&b| b == b'\n' || b == b'\r') {
            if self.partial.is_empty() {
                emit(&data[..end], sink);
            } else {
                self.partial.extend_from_slice(&data[..end]);
                emit(&self.partial, sink);
                self.partial.clear();
            }
            let mut next = end + 1;
            if data[end] == b'\r' {
                match data.get(next) {
                    Some(b'\n') => next += 1,
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            data = &data[next..];
        }
        self.partial.extend_from_slice(data);
    }

    /// The last line, if the output did not end with a line break.
    pub fn finish(&mut self, sink: &mut dyn LineSink) {
        if !self.partial.is_empty() {
            emit(&self.partial, sink);
            self.partial.clear();
        }
        self.after_cr = false;
    }
}

fn emit(line: &[u8], sink: &mut dyn LineSink) {
    match String::from_utf8_lossy(line) {
        Cow::Borrowed(text) => sink.line(text),
        Cow::Owned(text) => sink.line(&text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Lines(Vec<String>);

    impl LineSink for Lines {
        fn line(&mut self, line: &str) {
            self.0.push(line.to_string());
        }
    }

    /// Feeds `chunks` one by one and returns the lines.
    fn split(chunks: &[&[u8]]) -> Vec<String> {
        let mut splitter = LineSplitter::default();
        let mut lines = Lines::default();
        for chunk in chunks {
            splitter.push(chunk, &mut lines);
        }
        splitter.finish(&mut lines);
        lines.0
    }

    #[test]
    fn lines_within_and_across_chunks() {
        assert_eq!(split(&[b"a\nb\n"]), ["a", "b"]);
        assert_eq!(split(&[b"he", b"llo\nwor", b"ld\n"]), ["hello", "world"]);
        assert_eq!(split(&[b"\n\n"]), ["", ""]);
    }

    #[test]
    fn last_line_without_newline_is_flushed() {
        assert_eq!(split(&[b"a\nno end"]), ["a", "no end"]);
        assert_eq!(split(&[b""]), Vec::<String>::new());
    }

    #[test]
    fn carriage_returns_end_lines_like_dotnet_readline() {
        assert_eq!(split(&[b"a\r\nb\rc\n"]), ["a", "b", "c"]);
        assert_eq!(split(&[b"a\r", b"\nb"]), ["a", "b"]);
        assert_eq!(split(&[b"a\r", b"b\r"]), ["a", "b"]);
        assert_eq!(split(&[b"a\r", b"\r\n"]), ["a", ""]);
    }

    #[test]
    fn invalid_utf8_is_replaced_even_when_split_across_chunks() {
        assert_eq!(split(&[b"caf\xc3", b"\xa9\n"]), ["café"]);
        assert_eq!(split(&[b"x\xffy\n"]), ["x\u{fffd}y"]);
    }
}
