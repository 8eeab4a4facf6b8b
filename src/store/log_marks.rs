//! The marks a stored log line carries besides a step's text. Workflow
//! commands are kept as lines of the log: `::group::T` as `▶ T`,
//! `::error::M` as `Error: M` (and `Warning: `, `Notice: `, `Debug: `), and
//! `::endgroup::` as a line holding only [`GROUP_END`], so a reader knows
//! where a group stops. Readers that print a log as text (`mlci logs`, the
//! API) drop the end lines: a terminal shows a group's lines as they came.
//!
//! A line a step printed that would read as a mark (`Error: x`, a lone
//! `◀`) is stored behind [`AS_WRITTEN`], so the web view shows it as plain
//! text and a text reader gives it back exactly as the step wrote it.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read, Write};

/// How a group heading starts.
pub const GROUP_HEADING: &str = "▶ ";

/// The line (without its newline) that ends a group.
pub const GROUP_END: &str = "◀";

/// How the lines of `::error::`, `::warning::`, `::notice::` and
/// `::debug::` start.
pub const ERROR: &str = "Error: ";
pub const WARNING: &str = "Warning: ";
pub const NOTICE: &str = "Notice: ";
pub const DEBUG: &str = "Debug: ";

/// Put before a step's line that would read as a mark, or that starts with
/// this itself: an ANSI reset, which a terminal and the web view show as
/// nothing, and which text readers drop.
pub const AS_WRITTEN: &str = "\x1b[0m";

const GROUP_END_LINE: &[u8] = "◀\n".as_bytes();

/// Whether a stored line (with or without its newline) ends a group.
pub fn is_group_end(line: &str) -> bool {
    line.strip_suffix('\n').unwrap_or(line) == GROUP_END
}

/// Whether a line of a step's own would be taken for a mark.
fn reads_as_mark(line: &str) -> bool {
    is_group_end(line)
        || [AS_WRITTEN, GROUP_HEADING, ERROR, WARNING, NOTICE, DEBUG]
            .iter()
            .any(|mark| line.starts_with(mark))
}

/// A step's own text (lines joined by `\n`) as the log stores it: each
/// line that would read as a mark behind [`AS_WRITTEN`]; borrowed when no
/// line would. `first` is false when the text follows a mark on its first
/// line (a multi-line annotation), which then stays as it is.
pub fn as_stored(text: &str, first: bool) -> Cow<'_, str> {
    let needs = |(i, line): (usize, &str)| (i > 0 || first) && reads_as_mark(line);
    if !text.split('\n').enumerate().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut stored = String::with_capacity(text.len() + AS_WRITTEN.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            stored.push('\n');
        }
        if needs((i, line)) {
            stored.push_str(AS_WRITTEN);
        }
        stored.push_str(line);
    }
    Cow::Owned(stored)
}

/// Whole lines of a log as text: without group ends, and without the
/// [`AS_WRITTEN`] before a step's own lines; borrowed when there is
/// neither.
pub fn as_text(lines: &[u8]) -> Cow<'_, [u8]> {
    as_text_from(lines, true)
}

/// [`as_text`] of a piece of a log; `at_line_start` is false when the piece
/// continues a line begun before it, whose start was seen already.
fn as_text_from(piece: &[u8], at_line_start: bool) -> Cow<'_, [u8]> {
    let marked = |(i, line): (usize, &[u8])| {
        (i > 0 || at_line_start) && (line == GROUP_END_LINE || line.starts_with(AS_WRITTEN.as_bytes()))
    };
    if !piece.split_inclusive(|&b| b == b'\n').enumerate().any(marked) {
        return Cow::Borrowed(piece);
    }
    let mut text = Vec::with_capacity(piece.len());
    for (i, line) in piece.split_inclusive(|&b| b == b'\n').enumerate() {
        if !marked((i, line)) {
            text.extend_from_slice(line);
        } else if line != GROUP_END_LINE {
            text.extend_from_slice(&line[AS_WRITTEN.len()..]);
        }
    }
    Cow::Owned(text)
}

/// Copies a log to `out` as text ([`as_text`]), a buffer of whole lines at
/// a time (a line longer than the buffer is copied in pieces, and only its
/// first piece starts a line).
pub fn copy_as_text(log: impl Read, out: &mut impl Write) -> std::io::Result<()> {
    const CAPACITY: usize = 64 * 1024;
    let mut reader = BufReader::with_capacity(CAPACITY, log);
    let mut at_line_start = true;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        let whole = match buffer.iter().rposition(|&b| b == b'\n') {
            Some(end) => end + 1,
            None if buffer.len() == CAPACITY => buffer.len(),
            // The last line, or a line split by a short read: read on
            // until it ends (or the file does).
            None => {
                let mut line = Vec::new();
                reader.read_until(b'\n', &mut line)?;
                out.write_all(&as_text_from(&line, at_line_start))?;
                at_line_start = line.ends_with(b"\n");
                continue;
            }
        };
        out.write_all(&as_text_from(&buffer[..whole], at_line_start))?;
        at_line_start = buffer[whole - 1] == b'\n';
        reader.consume(whole);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ends_are_dropped_and_other_lines_kept_as_they_are() {
        let log = "a\n▶ setup\nb\n◀\nc ◀\n◀ d\n◀";
        assert_eq!(
            String::from_utf8_lossy(&as_text(log.as_bytes())),
            "a\n▶ setup\nb\nc ◀\n◀ d\n◀"
        );
        assert!(matches!(as_text(b"a\nb\n"), Cow::Borrowed(_)));
        let mut out = Vec::new();
        copy_as_text(format!("{log}\nlast").as_bytes(), &mut out).expect("copy");
        assert_eq!(String::from_utf8_lossy(&out), "a\n▶ setup\nb\nc ◀\n◀ d\nlast");
    }

    #[test]
    fn a_long_log_is_copied_whole_across_buffers() {
        let mut log = String::new();
        for i in 0..20_000 {
            log.push_str(&format!("line {i}\n{GROUP_END}\n"));
        }
        log.push_str(&"x".repeat(100_000));
        let mut out = Vec::new();
        copy_as_text(log.as_bytes(), &mut out).expect("copy");
        let expected: String = (0..20_000).map(|i| format!("line {i}\n")).collect::<String>() + &"x".repeat(100_000);
        assert_eq!(String::from_utf8_lossy(&out), expected);
        assert!(is_group_end("◀\n") && is_group_end("◀") && !is_group_end("◀ x"));
    }

    #[test]
    fn a_steps_lines_that_read_as_marks_come_back_as_written() {
        let printed = [
            "◀",
            "▶ not a group",
            "Error: not an annotation",
            "\x1b[0mreset",
            "plain",
            "c ◀",
            "",
        ];
        let text = printed.join("\n");
        let stored = as_stored(&text, true);
        assert_eq!(
            stored,
            "\x1b[0m◀\n\x1b[0m▶ not a group\n\x1b[0mError: not an annotation\n\x1b[0m\x1b[0mreset\nplain\nc ◀\n"
        );
        // Text readers give back what the step printed, whole or in pieces.
        let file = format!("{stored}\n");
        assert_eq!(String::from_utf8_lossy(&as_text(file.as_bytes())), format!("{text}\n"));
        let mut out = Vec::new();
        copy_as_text(file.as_bytes(), &mut out).expect("copy");
        assert_eq!(String::from_utf8_lossy(&out), format!("{text}\n"));
        // Plain text is not copied; a multi-line annotation keeps its mark.
        assert!(matches!(as_stored("a\nb ◀", true), Cow::Borrowed(_)));
        assert_eq!(as_stored("boom\n◀", false), "boom\n\x1b[0m◀");
    }

    #[test]
    fn a_line_longer_than_the_buffer_is_only_unmarked_at_its_start() {
        // The reset falls exactly at the buffer's edge inside one long line.
        let long = format!(
            "{AS_WRITTEN}{}{AS_WRITTEN}tail\n{AS_WRITTEN}◀\n",
            "x".repeat(64 * 1024 - AS_WRITTEN.len())
        );
        let mut out = Vec::new();
        copy_as_text(long.as_bytes(), &mut out).expect("copy");
        let expected = format!("{}{AS_WRITTEN}tail\n◀\n", "x".repeat(64 * 1024 - AS_WRITTEN.len()));
        assert_eq!(String::from_utf8_lossy(&out), expected);
    }
}
