//! The text shown for `::error::`, `::warning::` and `::notice::`, with the
//! location properties checked the way the runner checks them.

use super::syntax::ParsedCommand;

/// `file:line:col: title: message`, each part only when given. A range shows
/// as `3-5`. Location parts GitHub would drop (a column without a line, an end
/// before its start, columns across several lines) are dropped, and line and
/// column appear only with a file, since only then do they point anywhere.
pub(super) fn annotation_text(command: &ParsedCommand) -> String {
    let mut text = String::new();
    if let Some(file) = command.property("file").filter(|f| !f.is_empty()) {
        let location = Location::read(command);
        text.push_str(file);
        push_range(&mut text, location.line, location.end_line);
        if location.line.is_some() {
            push_range(&mut text, location.col, location.end_col);
        }
        text.push_str(": ");
    }
    if let Some(title) = command.property("title").filter(|t| !t.is_empty()) {
        text.push_str(title);
        text.push_str(": ");
    }
    text.push_str(&command.data);
    text
}

fn push_range(text: &mut String, start: Option<i32>, end: Option<i32>) {
    if let Some(start) = start {
        text.push_str(&format!(":{start}"));
        if let Some(end) = end.filter(|&end| end != start) {
            text.push_str(&format!("-{end}"));
        }
    }
}

/// Line and column numbers after the runner's `ValidateLinesAndColumns`.
#[derive(Debug, PartialEq)]
struct Location {
    line: Option<i32>,
    end_line: Option<i32>,
    col: Option<i32>,
    end_col: Option<i32>,
}

impl Location {
    fn read(command: &ParsedCommand) -> Location {
        let number = |key| command.property(key).and_then(|v| v.trim().parse::<i32>().ok());
        let mut location = Location {
            line: number("line"),
            end_line: number("endLine"),
            col: number("col"),
            end_col: number("endColumn"),
        };
        location.validate();
        location
    }

    fn validate(&mut self) {
        if self.line.is_none() {
            self.line = self.end_line;
        }
        if self.col.is_none() {
            self.col = self.end_col;
        }
        let has_column = self.col.is_some();
        let spans_lines = matches!((self.line, self.end_line), (Some(line), Some(end)) if line != end);
        if self.line.is_none() || (spans_lines && has_column) {
            self.col = None;
            self.end_col = None;
        }
        if matches!((self.line, self.end_line), (Some(line), Some(end)) if end < line) {
            self.line = None;
            self.end_line = None;
        }
        if matches!((self.col, self.end_col), (Some(col), Some(end)) if end < col) {
            self.col = None;
            self.end_col = None;
        }
    }
}
