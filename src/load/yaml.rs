//! The adapter between the YAML parser (saphyr-parser's event stream) and
//! our `Node` tree. It is the only file that knows which parser we use.
//!
//! We build the tree ourselves rather than use a ready-made loader so that
//! every node gets a start *and* end position, scalars keep their quoting
//! style (which decides their type), anchors and aliases work, duplicate
//! keys are reported instead of silently overwritten, and no input can make
//! us panic or blow the stack (nesting and alias expansion are bounded).

use super::{Mapping, Node, NodeValue, Scalar, ScalarStyle};
use crate::diag::{Diagnostic, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle as YamlStyle};
use std::collections::HashMap;

/// Workflow files larger than this are refused before parsing: GitHub's
/// own workflows are kilobytes, and a runaway file should fail fast.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Deeper nesting than this is refused; the tree is walked recursively later.
const MAX_DEPTH: usize = 256;
/// Bounds alias expansion ("billion laughs").
const MAX_NODES: usize = 2_000_000;

/// The tree of the file's one document (None for an empty file), and every
/// problem found on the way. A syntax error stops the parse, so `root` is
/// None whenever an error is present.
pub struct LoadedYaml {
    pub root: Option<Node>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parse_yaml(text: &str) -> LoadedYaml {
    let mut builder = Builder {
        lines: text.split('\n').collect(),
        ..Builder::default()
    };
    if text.len() > MAX_FILE_BYTES {
        let message = format!(
            "the file is {:.1} MiB; mlci reads workflow files of up to {} MiB",
            text.len() as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES / (1024 * 1024)
        );
        builder.diagnostics.push(Diagnostic::error(Span::file_start(), message));
        return builder.finish();
    }
    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(ok) => ok,
            Err(e) => {
                builder.syntax_error(*e.marker(), e.info());
                break;
            }
        };
        let span = builder.span_of(span.start, span.end);
        if let Err(diagnostic) = builder.event(event, span) {
            builder.diagnostics.push(diagnostic);
            break;
        }
    }
    builder.finish()
}

enum Frame {
    Sequence {
        span: Span,
        anchor: usize,
        items: Vec<Node>,
        /// Values in the subtree so far, aliases expanded (for an anchor's size).
        size: usize,
    },
    Mapping {
        span: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        size: usize,
    },
}

#[derive(Default)]
struct Builder<'t> {
    /// The source lines, to find a block scalar's `|` or `>` indicator.
    lines: Vec<&'t str>,
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event, span: Span) -> Result<(), Diagnostic> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Diagnostic::error(
                        span,
                        "a workflow file holds one YAML document, but a second one starts here",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let forced_string = match tag.as_deref() {
                    None => false,
                    Some(t) if t.handle == "!!" && t.suffix == "str" => true,
                    Some(t) if t.handle == "tag:yaml.org,2002:" && t.suffix == "str" => true,
                    Some(t) => {
                        return Err(Diagnostic::error(
                            span,
                            format!("YAML tag `{}{}` is not supported in workflows", t.handle, t.suffix),
                        ))
                    }
                };
                let style = match style {
                    YamlStyle::Plain => ScalarStyle::Plain,
                    YamlStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    YamlStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    YamlStyle::Literal => ScalarStyle::Literal,
                    YamlStyle::Folded => ScalarStyle::Folded,
                };
                let span = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => self.block_indicator(span).unwrap_or(span),
                    _ => span,
                };
                let scalar = Scalar {
                    text: text.into_owned(),
                    style,
                    forced_string,
                };
                self.complete(
                    Node {
                        span,
                        value: NodeValue::Scalar(scalar),
                    },
                    anchor,
                    1,
                    1,
                )?;
            }
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Sequence {
                    span,
                    anchor,
                    items: Vec::new(),
                    size: 1,
                },
                span,
            )?,
            Event::MappingStart(anchor, _) => self.open(
                Frame::Mapping {
                    span,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    size: 1,
                },
                span,
            )?,
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id).cloned() else {
                    return Err(Diagnostic::error(span, "this alias names no anchor defined before it"));
                };
                self.complete(node, 0, size, size)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// The parser places a block scalar at its first content line; users
    /// (and other linters) expect it at the `|` or `>` that starts it.
    fn block_indicator(&self, span: Span) -> Option<Span> {
        for line in (1..=span.line).rev() {
            let text = self.lines.get(line as usize - 1)?;
            let code = text.split(" #").next().unwrap_or(text).trim_end();
            let header = code.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
            if header.ends_with('|') || header.ends_with('>') {
                let col = header.chars().count() as u32;
                return Some(Span::new(line, col, span.end_line, span.end_col));
            }
        }
        None
    }

    fn open(&mut self, frame: Frame, span: Span) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::error(
                span,
                format!("the YAML is nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.nodes += 1;
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let stretch = |start: Span| Span::new(start.line, start.col, end.end_line, end.end_col);
        let (node, anchor, size) = match frame {
            Frame::Sequence {
                span,
                anchor,
                items,
                size,
            } => (
                Node {
                    span: stretch(span),
                    value: NodeValue::Sequence(items),
                },
                anchor,
                size,
            ),
            Frame::Mapping {
                span,
                anchor,
                entries,
                size,
                ..
            } => {
                self.check_duplicate_keys(&entries);
                (
                    Node {
                        span: stretch(span),
                        value: NodeValue::Mapping(Mapping { entries }),
                    },
                    anchor,
                    size,
                )
            }
        };
        // The container itself was counted when it opened; its children as
        // they completed.
        self.complete(node, anchor, size, 0)
    }

    /// Places a finished node in its parent (or as the document root).
    /// `size` is the node's expanded subtree size; `added` is how many
    /// values it adds to the document that were not counted before (each
    /// value is counted once, so a large file without aliases never trips
    /// the bound; an alias adds its anchor's whole size).
    fn complete(&mut self, node: Node, anchor: usize, size: usize, added: usize) -> Result<(), Diagnostic> {
        self.nodes += added;
        if self.nodes > MAX_NODES {
            return Err(Diagnostic::error(
                node.span,
                format!("the YAML expands to more than {MAX_NODES} values (aliases repeated too often?)"),
            ));
        }
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Sequence { items, size: total, .. }) => {
                *total += size;
                items.push(node)
            }
            Some(Frame::Mapping {
                entries,
                key,
                size: total,
                ..
            }) => match key.take() {
                Some(k) => {
                    *total += size;
                    entries.push((k, node))
                }
                None if node.as_scalar().is_some() => {
                    *total += size;
                    *key = Some(node)
                }
                None => {
                    return Err(Diagnostic::error(
                        node.span,
                        "mapping keys must be plain strings, not a mapping or a sequence",
                    ))
                }
            },
        }
        Ok(())
    }

    fn check_duplicate_keys(&mut self, entries: &[(Node, Node)]) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for (key, _) in entries {
            let text = key.as_str().unwrap_or_default();
            if let Some(first) = seen.get(text) {
                self.diagnostics.push(Diagnostic::error(
                    key.span,
                    format!("key `{text}` is defined twice; the first is at line {}", first.line),
                ));
            } else {
                seen.insert(text, key.span);
            }
        }
    }

    /// The span between two parser positions. At the end of a file without
    /// a final newline the parser reports the line after the last (for an
    /// error, or an empty node such as the key of a trailing `? `); such a
    /// position becomes the end of the last line.
    fn span_of(&self, start: Marker, end: Marker) -> Span {
        let last = self.lines.len().max(1) as u32;
        let last_end = self.lines.last().map_or(0, |l| l.chars().count()) as u32 + 1;
        let pos = |m: Marker| match m.line() as u32 {
            line if line > last => (last, last_end),
            line => (line, m.col() as u32 + 1),
        };
        let (line, col) = pos(start);
        let (end_line, end_col) = pos(end);
        Span::new(line, col, end_line.max(line), end_col)
    }

    fn syntax_error(&mut self, at: Marker, info: &str) {
        let span = self.span_of(at, at);
        let diagnostic = if info.contains("tab") {
            Diagnostic::error(span, format!("YAML syntax error: {info}"))
                .with_help("YAML indentation must use spaces, not tabs")
        } else {
            Diagnostic::error(span, format!("YAML syntax error: {info}"))
        };
        self.diagnostics.push(diagnostic);
    }

    fn finish(self) -> LoadedYaml {
        let failed = self.diagnostics.iter().any(Diagnostic::is_error);
        LoadedYaml {
            root: if failed { None } else { self.root },
            diagnostics: self.diagnostics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root(text: &str) -> Node {
        let loaded = parse_yaml(text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        loaded.root.expect("a document")
    }

    fn first_error(text: &str) -> Diagnostic {
        parse_yaml(text).diagnostics.into_iter().next().expect("an error")
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = root("on: push\njobs:\n  build:\n    runs-on: 'x'\n");
        let jobs = node.as_mapping().unwrap().entry("jobs").unwrap();
        assert_eq!((jobs.0.span.line, jobs.0.span.col), (2, 1));
        let build = jobs.1.as_mapping().unwrap().get("build").unwrap();
        let (key, value) = build.as_mapping().unwrap().entry("runs-on").unwrap();
        assert_eq!(key.span, Span::new(4, 5, 4, 12));
        assert_eq!(value.span, Span::new(4, 14, 4, 17));
        assert_eq!(value.as_scalar().unwrap().style, ScalarStyle::SingleQuoted);
    }

    #[test]
    fn block_scalars_start_at_their_indicator() {
        let node = root("a: |\n  one\nb: >-\n  two\n");
        let mapping = node.as_mapping().unwrap();
        assert_eq!(
            (mapping.get("a").unwrap().span.line, mapping.get("a").unwrap().span.col),
            (1, 4)
        );
        assert_eq!(
            (mapping.get("b").unwrap().span.line, mapping.get("b").unwrap().span.col),
            (3, 4)
        );
    }

    #[test]
    fn on_is_a_string_key() {
        let node = root("on: [push]\nyes: no\n");
        assert_eq!(node.to_json(), json!({"on": ["push"], "yes": "no"}));
    }

    #[test]
    fn anchors_and_aliases_expand() {
        let node = root("a: &x {k: 1}\nb: *x\n");
        assert_eq!(node.to_json(), json!({"a": {"k": 1}, "b": {"k": 1}}));
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let d = first_error("a: 1\nb: 2\na: 3\n");
        assert_eq!(d.message, "key `a` is defined twice; the first is at line 1");
        assert_eq!((d.span.line, d.span.col), (3, 1));
    }

    #[test]
    fn tabs_point_at_the_tab() {
        let d = first_error("jobs:\n\tbuild: x\n");
        assert_eq!(d.span.line, 2);
        assert!(d.message.starts_with("YAML syntax error"), "{}", d.message);
    }

    #[test]
    fn empty_text_has_no_root_and_no_error() {
        let loaded = parse_yaml("");
        assert!(loaded.root.is_none() && loaded.diagnostics.is_empty());
        let loaded = parse_yaml("# only a comment\n");
        assert!(loaded.root.is_none() && loaded.diagnostics.is_empty());
    }

    #[test]
    fn an_error_at_the_end_of_the_file_points_at_its_last_line() {
        let d = first_error("a:\n  - b\n${{ x }}");
        assert_eq!((d.span.line, d.span.col), (3, 9), "{}", d.message);
    }

    #[test]
    fn an_empty_key_at_the_end_of_the_file_is_on_its_last_line() {
        let loaded = parse_yaml("a: 1\n? ");
        let mapping = loaded.root.expect("a document");
        let (key, _) = &mapping.as_mapping().unwrap().entries[1];
        assert_eq!(key.span, Span::new(2, 3, 2, 3));
    }

    #[test]
    fn second_document_is_an_error() {
        let d = first_error("a: 1\n---\nb: 2\n");
        assert_eq!(d.span.line, 2);
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(first_error(&bomb).message.contains("expands to more than"));
        // The parser's own recursion guard or ours, whichever trips first.
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        let message = first_error(&deep).message;
        assert!(
            message.contains("nested more than") || message.contains("recursion limit"),
            "{message}"
        );
    }

    #[test]
    fn a_flow_sequence_may_close_under_its_key() {
        // saphyr-parser refused this after a quoted item (vendor/saphyr-parser/PATCHED.md).
        let node = root("z: [\n  \"1\"\n]\njobs:\n  m: [\n    \"0\",\n    \"0,1\"\n  ]\n  n: {\n    a: 'x'\n  }\n");
        assert_eq!(
            node.to_json(),
            json!({"z": ["1"], "jobs": {"m": ["0", "0,1"], "n": {"a": "x"}}})
        );
    }

    #[test]
    fn a_large_file_without_aliases_is_not_an_alias_bomb() {
        // Deep nesting used to count each value once per enclosing level.
        let mut text = String::new();
        for i in 0..40_000 {
            text.push_str(&format!("k{i}:\n  a:\n    b:\n      c:\n        d: [1, 2, 3]\n"));
        }
        let loaded = parse_yaml(&text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics.first());
        assert!(loaded.root.is_some());
    }

    #[test]
    fn garbage_never_panics() {
        let pieces = [
            "[", "]", "{", "}", ":", "- ", "\n", "\t", "'", "\"", "&a ", "*a", "!!", "? ", "|", ">", "#", "a", " ",
        ];
        let mut seed: u64 = 42;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..24 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let _ = parse_yaml(&text);
        }
    }
}
