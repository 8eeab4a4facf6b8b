//! Renders a diagnostic the way rustc and just do:
//!
//! ```text
//! error: unknown key `runs_on` in job `build`
//!   --> .github/workflows/ci.yml:5:5
//!    |
//!  5 |     runs_on: ubuntu-latest
//!    |     ^^^^^^^
//!    = help: did you mean `runs-on`?
//! ```

use super::{Diagnostic, Severity, SourceFile};
use std::fmt::Write;

/// Tabs are shown as this many spaces so the caret lines up.
const TAB_WIDTH: usize = 4;

pub fn render(diagnostic: &Diagnostic, file: &SourceFile) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let span = diagnostic.span;
    let mut out = String::new();
    let _ = writeln!(out, "{severity}: {}", diagnostic.message);
    let number = span.line.to_string();
    let gutter = " ".repeat(number.len());
    let _ = writeln!(out, "{gutter}--> {}:{}:{}", file.path.display(), span.line, span.col);
    if let Some(line) = file.line(span.line) {
        let (shown, caret_start) = expand_tabs(line, span.col as usize);
        let caret_len = caret_length(line, span);
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{number} | {shown}");
        let _ = writeln!(out, "{gutter} | {}{}", " ".repeat(caret_start), "^".repeat(caret_len));
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "{gutter} = help: {help}");
    }
    out
}

/// The line with tabs expanded, and the display column of the 1-based
/// character column `col`.
fn expand_tabs(line: &str, col: usize) -> (String, usize) {
    let mut shown = String::with_capacity(line.len());
    let mut caret = None;
    for (i, c) in line.chars().enumerate() {
        if i + 1 == col {
            caret = Some(shown.chars().count());
        }
        if c == '\t' {
            shown.push_str(&" ".repeat(TAB_WIDTH));
        } else {
            shown.push(c);
        }
    }
    let end = shown.chars().count();
    (shown, caret.unwrap_or(end))
}

/// How many carets: the span's width on its first line, at least one.
fn caret_length(line: &str, span: super::Span) -> usize {
    let line_len = line.chars().count() as u32;
    let end = if span.end_line == span.line {
        span.end_col.min(line_len + 1)
    } else {
        line_len + 1
    };
    end.saturating_sub(span.col).max(1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;

    #[test]
    fn renders_source_line_and_caret() {
        let file = SourceFile::new("ci.yml", "jobs:\n  build:\n    runs_on: x\n");
        let d = Diagnostic::error(Span::on_line(3, 5, 7), "unknown key `runs_on`").with_help("did you mean `runs-on`?");
        assert_eq!(
            render(&d, &file),
            "error: unknown key `runs_on`\n --> ci.yml:3:5\n  |\n3 |     runs_on: x\n  |     ^^^^^^^\n  = help: did you mean `runs-on`?\n"
        );
    }

    #[test]
    fn lines_up_caret_after_tabs() {
        let file = SourceFile::new("t.yml", "\tkey: v");
        let d = Diagnostic::error(Span::point(1, 2), "tab");
        let text = render(&d, &file);
        assert!(text.contains("1 |     key: v\n  |     ^\n"), "{text}");
    }

    #[test]
    fn survives_span_past_end_of_file() {
        let file = SourceFile::new("t.yml", "a: 1");
        let d = Diagnostic::error(Span::point(9, 9), "gone");
        assert_eq!(render(&d, &file), "error: gone\n --> t.yml:9:9\n");
    }
}
