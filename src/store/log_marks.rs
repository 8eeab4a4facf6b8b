//! The marks a stored log line carries besides a step's text. Workflow
//! commands are kept as lines of the log: `::group::T` as `▶ T`,
//! `::error::M` as `Error: M` (and `Warning: `, `Notice: `, `Debug: `), and
//! `::endgroup::` as a line holding only [`GROUP_END`], so a reader knows
//! where a group stops. Readers that print a log as text (`mlci logs`, the
//! API) drop the end lines: a terminal shows a group's lines as they came.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read, Write};

/// How a group heading starts.
pub const GROUP_HEADING: &str = "▶ ";

/// The line (without its newline) that ends a group.
pub const GROUP_END: &str = "◀";

const GROUP_END_LINE: &[u8] = "◀\n".as_bytes();

/// Whether a stored line (with or without its newline) ends a group.
pub fn is_group_end(line: &str) -> bool {
    line.strip_suffix('\n').unwrap_or(line) == GROUP_END
}

/// Whole lines of a log without its group ends; borrowed when it has none.
pub fn without_group_ends(lines: &[u8]) -> Cow<'_, [u8]> {
    if !lines.split_inclusive(|&b| b == b'\n').any(|l| l == GROUP_END_LINE) {
        return Cow::Borrowed(lines);
    }
    let kept: Vec<u8> = lines
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| *l != GROUP_END_LINE)
        .flatten()
        .copied()
        .collect();
    Cow::Owned(kept)
}

/// Copies a log to `out` without its group ends, a buffer of whole lines
/// at a time (a line longer than the buffer is copied as it comes: it is
/// no group end).
pub fn copy_without_group_ends(log: impl Read, out: &mut impl Write) -> std::io::Result<()> {
    const CAPACITY: usize = 64 * 1024;
    let mut reader = BufReader::with_capacity(CAPACITY, log);
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
                out.write_all(&without_group_ends(&line))?;
                continue;
            }
        };
        out.write_all(&without_group_ends(&buffer[..whole]))?;
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
            String::from_utf8_lossy(&without_group_ends(log.as_bytes())),
            "a\n▶ setup\nb\nc ◀\n◀ d\n◀"
        );
        assert!(matches!(without_group_ends(b"a\nb\n"), Cow::Borrowed(_)));
        let mut out = Vec::new();
        copy_without_group_ends(format!("{log}\nlast").as_bytes(), &mut out).expect("copy");
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
        copy_without_group_ends(log.as_bytes(), &mut out).expect("copy");
        let expected: String = (0..20_000).map(|i| format!("line {i}\n")).collect::<String>() + &"x".repeat(100_000);
        assert_eq!(String::from_utf8_lossy(&out), expected);
        assert!(is_group_end("◀\n") && is_group_end("◀") && !is_group_end("◀ x"));
    }
}
