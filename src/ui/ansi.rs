//! ANSI colours to HTML: SGR sequences (`ESC[1;31m`) become `<span>`s with
//! classes from app.css (no inline styles: the CSP forbids them); every
//! other escape sequence and control character is dropped; text is escaped.

use super::html::escape_into;

/// The colour and weight in force at a point of a line.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Style {
    fg: Option<u8>,
    bg: Option<u8>,
    bold: bool,
    italic: bool,
    underline: bool,
}

impl Style {
    fn classes(self) -> String {
        let mut classes = Vec::new();
        if let Some(fg) = self.fg {
            classes.push(format!("f{fg}"));
        }
        if let Some(bg) = self.bg {
            classes.push(format!("b{bg}"));
        }
        if self.bold {
            classes.push("bo".to_string());
        }
        if self.italic {
            classes.push("it".to_string());
        }
        if self.underline {
            classes.push("un".to_string());
        }
        classes.join(" ")
    }

    fn apply(&mut self, params: &[u16]) {
        let mut i = 0;
        let params = if params.is_empty() { &[0][..] } else { params };
        while i < params.len() {
            match params[i] {
                0 => *self = Style::default(),
                1 => self.bold = true,
                3 => self.italic = true,
                4 => self.underline = true,
                22 => self.bold = false,
                23 => self.italic = false,
                24 => self.underline = false,
                n @ 30..=37 => self.fg = Some((n - 30) as u8),
                n @ 90..=97 => self.fg = Some((n - 90 + 8) as u8),
                39 => self.fg = None,
                n @ 40..=47 => self.bg = Some((n - 40) as u8),
                n @ 100..=107 => self.bg = Some((n - 100 + 8) as u8),
                49 => self.bg = None,
                n @ (38 | 48) => {
                    let (colour, used) = extended(&params[i + 1..]);
                    if n == 38 {
                        self.fg = colour;
                    } else {
                        self.bg = colour;
                    }
                    i += used;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// A 256-colour (`5;n`) or true-colour (`2;r;g;b`) value, brought to the
/// nearest of the 16 classes; returns how many parameters it used.
fn extended(rest: &[u16]) -> (Option<u8>, usize) {
    match rest {
        [5, n, ..] if *n < 16 => (Some(*n as u8), 2),
        [5, n, ..] if *n >= 232 => (Some(if *n < 244 { 8 } else { 7 }), 2),
        [5, n, ..] => {
            let n = n - 16;
            let (r, g, b) = (n / 36 * 51, n / 6 % 6 * 51, n % 6 * 51);
            (Some(nearest(r, g, b)), 2)
        }
        [2, r, g, b, ..] => (Some(nearest(*r, *g, *b)), 4),
        _ => (None, rest.len()),
    }
}

fn nearest(r: u16, g: u16, b: u16) -> u8 {
    let bright = r.max(g).max(b) > 191;
    let bits = u8::from(r > 95) | (u8::from(g > 95) << 1) | (u8::from(b > 95) << 2);
    if bright && bits != 0 {
        bits + 8
    } else {
        bits
    }
}

/// One line of a log as HTML.
pub fn to_html(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut style = Style::default();
    let mut open = false;
    let mut text = String::new();
    let mut chars = line.chars().peekable();
    let flush = |out: &mut String, text: &mut String| {
        escape_into(out, text);
        text.clear();
    };
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            if !c.is_control() || c == '\t' {
                text.push(c);
            }
            continue;
        }
        // CSI: ESC [ params final; only `m` (SGR) means anything here.
        if chars.peek() != Some(&'[') {
            chars.next();
            continue;
        }
        chars.next();
        let mut raw = String::new();
        let mut last = None;
        for c in chars.by_ref() {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                last = Some(c);
                break;
            }
            raw.push(c);
        }
        if last != Some('m') {
            continue;
        }
        let params: Vec<u16> = raw.split(';').map(|p| p.parse().unwrap_or(0)).collect();
        let before = style;
        style.apply(&params);
        if style != before {
            flush(&mut out, &mut text);
            if open {
                out.push_str("</span>");
                open = false;
            }
            let classes = style.classes();
            if !classes.is_empty() {
                out.push_str("<span class=\"");
                out.push_str(&classes);
                out.push_str("\">");
                open = true;
            }
        }
    }
    flush(&mut out, &mut text);
    if open {
        out.push_str("</span>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn colours_become_classes_and_text_is_escaped() {
        assert_eq!(
            to_html("\u{1b}[1;31mfail\u{1b}[0m <b>"),
            "<span class=\"f1 bo\">fail</span> &lt;b&gt;"
        );
        assert_eq!(to_html("a\u{1b}[32mb\u{1b}[39mc"), "a<span class=\"f2\">b</span>c");
        assert_eq!(to_html("\u{1b}[38;5;196mred"), "<span class=\"f9\">red</span>");
        assert_eq!(to_html("\u{1b}[2Kx\u{7}y"), "xy");
        assert_eq!(to_html("\u{1b}[31"), "");
    }
}
