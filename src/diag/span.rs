//! A region of a source file, as 1-based lines and 1-based character columns.

use serde::Serialize;

/// Where a value came from in its file. Lines and columns are 1-based and
/// count characters, not bytes, so they match what an editor shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Span {
    pub fn new(line: u32, col: u32, end_line: u32, end_col: u32) -> Span {
        Span {
            line,
            col,
            end_line,
            end_col,
        }
    }

    /// A span covering `len` characters on one line.
    pub fn on_line(line: u32, col: u32, len: u32) -> Span {
        Span::new(line, col, line, col + len.max(1))
    }

    /// A one-character span, for errors that point at a position.
    pub fn point(line: u32, col: u32) -> Span {
        Span::on_line(line, col, 1)
    }

    /// The start of the file, for errors about the file as a whole.
    pub fn file_start() -> Span {
        Span::point(1, 1)
    }
}
