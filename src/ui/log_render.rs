//! A page of log lines as HTML: line numbers that link to themselves,
//! ANSI colours, `::group::` headings that fold (a group runs to its
//! `::endgroup::`, whose mark in the log is not shown, or to the next
//! heading), and the lines mlci wrote for `::error::`/`::warning::`/
//! `::notice::` highlighted.

use super::ansi;
use super::html::escape;
use crate::store::{is_group_end, AS_WRITTEN, ERROR, GROUP_HEADING, NOTICE, WARNING};
use std::fmt::Write;

/// What a stored line is, from the prefix mlci's store gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Plain,
    Group,
    /// The mark of an `::endgroup::`: a line of the file, never shown.
    EndGroup,
    Error,
    Warning,
    Notice,
}

impl LineKind {
    pub fn of(line: &str) -> LineKind {
        if line.starts_with(AS_WRITTEN) {
            // A step's own line that only looks like a mark.
            LineKind::Plain
        } else if line.starts_with(GROUP_HEADING) {
            LineKind::Group
        } else if is_group_end(line) {
            LineKind::EndGroup
        } else if line.starts_with(ERROR) {
            LineKind::Error
        } else if line.starts_with(WARNING) {
            LineKind::Warning
        } else if line.starts_with(NOTICE) {
            LineKind::Notice
        } else {
            LineKind::Plain
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            LineKind::Plain => "l",
            LineKind::Group => "l grp",
            LineKind::EndGroup => "l end",
            LineKind::Error => "l err",
            LineKind::Warning => "l warn",
            LineKind::Notice => "l note",
        }
    }
}

/// One line: `<div class="l err" id="L12"><a href="#L12">12</a><span>…</span></div>`;
/// nothing for a group's end (its number is skipped, as the file counts it).
pub fn line(number: u64, text: &str) -> String {
    let kind = LineKind::of(text);
    if kind == LineKind::EndGroup {
        return String::new();
    }
    format!(
        "<div class=\"{}\" id=\"L{number}\"><a class=\"n\" href=\"#L{number}\">{number}</a><span class=\"t\">{}</span></div>",
        kind.class(),
        ansi::to_html(text)
    )
}

/// Lines numbered from `first`, groups folded (open when they hold an
/// error). A group ends at its end mark or the next heading (GitHub does
/// not nest groups); a page that starts inside a group shows those lines
/// unfolded.
pub fn lines(first: u64, lines: &[String]) -> String {
    let mut out = String::new();
    let mut in_group = false;
    let mut index = 0;
    while index < lines.len() {
        let text = &lines[index];
        let number = first + index as u64;
        let kind = LineKind::of(text);
        if kind == LineKind::EndGroup {
            if in_group {
                out.push_str("</div></details>");
                in_group = false;
            }
        } else if kind == LineKind::Group {
            if in_group {
                out.push_str("</div></details>");
            }
            let end = lines[index + 1..]
                .iter()
                .position(|l| matches!(LineKind::of(l), LineKind::Group | LineKind::EndGroup))
                .map_or(lines.len(), |p| index + 1 + p);
            let has_error = lines[index + 1..end]
                .iter()
                .any(|l| matches!(LineKind::of(l), LineKind::Error | LineKind::Warning));
            let _ = write!(
                out,
                "<details class=\"group\"{}><summary>{}</summary><div class=\"body\">",
                if has_error { " open" } else { "" },
                line(number, text)
            );
            in_group = true;
        } else {
            out.push_str(&line(number, text));
        }
        index += 1;
    }
    if in_group {
        out.push_str("</div></details>");
    }
    out
}

/// The annotations list at the top of a log: each error and warning with
/// a link to its line (`href` gives the page that holds a line).
pub fn annotations(found: &[(u64, LineKind, String)], href: impl Fn(u64) -> String) -> String {
    if found.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"annotations\">");
    for (number, kind, text) in found {
        let _ = write!(
            out,
            "<li class=\"{}\"><a href=\"{}\">line {number}</a> {}</li>",
            kind.class(),
            escape(&href(*number)),
            ansi::to_html(text)
        );
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_printed_by_a_step_stays_text() {
        assert_eq!(
            line(3, "<script>alert(1)</script>"),
            "<div class=\"l\" id=\"L3\"><a class=\"n\" href=\"#L3\">3</a><span class=\"t\">&lt;script&gt;alert(1)&lt;/script&gt;</span></div>"
        );
    }

    #[test]
    fn groups_fold_to_the_next_heading_and_open_on_an_error() {
        let text: Vec<String> = ["a", "▶ setup", "b", "▶ test", "Error: boom"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let html = lines(1, &text);
        assert_eq!(html.matches("<details class=\"group\">").count(), 1);
        assert_eq!(html.matches("<details class=\"group\" open>").count(), 1);
        assert!(html.contains("<div class=\"l err\" id=\"L5\">"));
        assert!(html.ends_with("</div></details>"));
    }

    #[test]
    fn a_group_ends_at_its_end_mark_which_is_not_shown() {
        let text: Vec<String> = ["▶ setup", "b", "◀", "after", "◀", "Error: boom"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            lines(1, &text),
            [
                "<details class=\"group\"><summary>",
                "<div class=\"l grp\" id=\"L1\"><a class=\"n\" href=\"#L1\">1</a><span class=\"t\">▶ setup</span></div>",
                "</summary><div class=\"body\">",
                "<div class=\"l\" id=\"L2\"><a class=\"n\" href=\"#L2\">2</a><span class=\"t\">b</span></div>",
                "</div></details>",
                "<div class=\"l\" id=\"L4\"><a class=\"n\" href=\"#L4\">4</a><span class=\"t\">after</span></div>",
                "<div class=\"l err\" id=\"L6\"><a class=\"n\" href=\"#L6\">6</a><span class=\"t\">Error: boom</span></div>",
            ]
            .concat()
        );
        assert_eq!(line(3, "◀"), "");
    }
}
