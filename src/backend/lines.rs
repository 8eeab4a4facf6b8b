//! Output bytes to lines, as GitHub's runner reads them (.NET `ReadLine`):
//! a line ends at `\n`, `\r` or `\r\n`; a last line without an end is still
//! a line. Bytes that are not UTF-8 become U+FFFD. One splitter for every
//! backend.
//!
//! A line longer than [`MAX_LINE`] is given in pieces of at most that size
//! (never splitting a character), so output without line breaks
//! (`cat /dev/zero`) costs constant memory.

use crate::backend::LineSink;
use std::borrow::Cow;

/// The longest line kept whole: longer ones come in pieces.
pub const MAX_LINE: usize = 1024 * 1024;

/// One stream's partial line between chunks. Complete lines inside a chunk
/// go to the sink straight from the chunk, without a copy.
#[derive(Debug, Default)]
pub struct LineSplitter {
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
            if self.partial.is_empty() && end <= MAX_LINE {
                emit(&data[..end], sink);
            } else {
                self.partial.extend_from_slice(&data[..end]);
                self.emit_pieces(sink);
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
        self.emit_pieces(sink);
    }

    /// Gives the held line's start in pieces while it is over the limit.
    fn emit_pieces(&mut self, sink: &mut dyn LineSink) {
        while self.partial.len() > MAX_LINE {
            let cut = char_boundary(&self.partial[..MAX_LINE]);
            emit(&self.partial[..cut], sink);
            self.partial.drain(..cut);
        }
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

/// Where to cut `bytes` so that a UTF-8 character at its end is not split:
/// before a lead byte whose character would run past the end.
fn char_boundary(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let at = bytes.len() - back;
        let needs = match bytes[at] {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => continue,
        };
        return if needs > back { at } else { bytes.len() };
    }
    bytes.len()
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
    fn long_lines_come_in_pieces_without_splitting_characters() {
        // A line's start with no break yet, its last character straddling
        // the limit, then the rest of the line.
        let mut start = vec![b'a'; MAX_LINE - 1];
        start.extend_from_slice("é".as_bytes());
        let lines = split(&[&start, b"b\n"]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), MAX_LINE - 1);
        assert_eq!(lines[1], "éb");
        // Inside one chunk too, and at most MAX_LINE bytes are ever held.
        let mut one = vec![b'z'; 2 * MAX_LINE + 5];
        one.push(b'\n');
        let lines = split(&[&one]);
        assert_eq!(
            lines.iter().map(String::len).collect::<Vec<_>>(),
            [MAX_LINE, MAX_LINE, 5]
        );
        let mut splitter = LineSplitter::default();
        for _ in 0..10 {
            splitter.push(&vec![0u8; MAX_LINE / 2 + 1], &mut Lines::default());
            assert!(splitter.partial.len() <= MAX_LINE);
        }
    }

    #[test]
    fn char_boundaries() {
        assert_eq!(char_boundary(b"abc"), 3);
        assert_eq!(char_boundary("aé".as_bytes()), 3);
        assert_eq!(char_boundary(&"aé".as_bytes()[..2]), 1);
        assert_eq!(char_boundary(&"a€".as_bytes()[..3]), 1);
        assert_eq!(char_boundary(&"a😀".as_bytes()[..4]), 1);
        assert_eq!(char_boundary(b""), 0);
    }

    #[test]
    fn invalid_utf8_is_replaced_even_when_split_across_chunks() {
        assert_eq!(split(&[b"caf\xc3", b"\xa9\n"]), ["café"]);
        assert_eq!(split(&[b"x\xffy\n"]), ["x\u{fffd}y"]);
    }
}
