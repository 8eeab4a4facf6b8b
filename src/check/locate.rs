//! Maps a character offset inside a workflow string back to its file
//! position, so an error inside `${{ }}` or a filter pattern points at the
//! exact column, whether the string was plain, quoted or a block scalar.

use crate::diag::{SourceFile, Span};
use crate::load::ScalarStyle;
use crate::model::Text;

/// The span of `len` characters starting at char `offset` of `text`'s value.
pub fn locate(source: &SourceFile, text: &Text, offset: usize, len: usize) -> Span {
    let len = len.max(1) as u32;
    let value_lines: Vec<&str> = text.value.split('\n').collect();
    let (line_index, column) = line_and_column(&text.value, offset);
    let single_line = value_lines.len() == 1 && text.span.line == text.span.end_line;
    match text.style {
        ScalarStyle::Plain if single_line => Span::on_line(text.span.line, text.span.col + column as u32, len),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if single_line => {
            Span::on_line(text.span.line, text.span.col + 1 + column as u32, len)
        }
        // A problem with the value as a whole points at its `|` indicator.
        ScalarStyle::Literal if offset == 0 => Span::on_line(text.span.line, text.span.col, len),
        ScalarStyle::Literal => {
            // Content starts on the line after the `|` indicator; each value
            // line is one source line, shifted by the block's indentation
            // (that of its first non-empty line).
            let line = text.span.line + 1 + line_index as u32;
            let indent = (text.span.line + 1..=text.span.end_line.max(text.span.line + 1))
                .filter_map(|l| source.line(l))
                .find(|l| !l.trim().is_empty())
                .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
            Span::on_line(line, (indent + column + 1) as u32, len)
        }
        _ => search(source, text, &value_lines, line_index, column, len),
    }
}

/// For folded and multi-line flow scalars the value's lines do not map one
/// to one onto the file's, so look for the text around the offset.
fn search(source: &SourceFile, text: &Text, lines: &[&str], line_index: usize, column: usize, len: u32) -> Span {
    let value_line = lines.get(line_index).copied().unwrap_or_default();
    let needle: String = value_line.chars().skip(column).take(12).collect();
    if !needle.is_empty() {
        for line in text.span.line..=text.span.end_line.max(text.span.line) {
            if let Some(found) = source
                .line(line)
                .and_then(|l| l.find(&needle).map(|b| l[..b].chars().count()))
            {
                return Span::on_line(line, found as u32 + 1, len);
            }
        }
    }
    Span::on_line(text.span.line, text.span.col, len)
}

/// The 0-based line and column (in chars) of char `offset` in `value`.
fn line_and_column(value: &str, offset: usize) -> (usize, usize) {
    let mut line = 0;
    let mut column = 0;
    for c in value.chars().take(offset) {
        if c == '\n' {
            line += 1;
            column = 0;
        } else {
            column += 1;
        }
    }
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_yaml;

    fn text_at(yaml: &str, key: &str) -> (SourceFile, Text) {
        let root = parse_yaml(yaml).root.unwrap();
        let node = root.as_mapping().unwrap().get(key).unwrap().clone();
        let scalar = node.as_scalar().unwrap();
        let text = Text {
            value: scalar.text.clone(),
            span: node.span,
            style: scalar.style,
        };
        (SourceFile::new("t.yml", yaml), text)
    }

    fn position(yaml: &str, key: &str, needle: &str) -> (u32, u32) {
        let (source, text) = text_at(yaml, key);
        let offset = text.value[..text.value.find(needle).unwrap()].chars().count();
        let span = locate(&source, &text, offset, needle.len());
        (span.line, span.col)
    }

    #[test]
    fn plain_quoted_and_block_scalars() {
        assert_eq!(position("a: x ${{ env.A }}\n", "a", "env"), (1, 10));
        assert_eq!(position("a: 'x ${{ env.A }}'\n", "a", "env"), (1, 11));
        assert_eq!(position("a: \"${{ env.A }}\"\n", "a", "env"), (1, 9));
        assert_eq!(position("a: |\n  echo\n    ${{ env.A }}\n", "a", "env"), (3, 9));
        assert_eq!(position("a: >\n  one\n  two ${{ env.A }}\n", "a", "env"), (3, 11));
    }
}
