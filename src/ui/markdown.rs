//! Step summaries (`$GITHUB_STEP_SUMMARY`) from Markdown, as GitHub shows
//! them but safe: raw HTML is dropped, and a link or image whose address
//! has a scheme other than http, https or mailto (`javascript:`, `data:`,
//! `vbscript:` …) loses its address.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(_) | Event::InlineHtml(_) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Some(Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        })),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Some(Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        })),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The address if it is relative or http(s)/mailto; else `#`. Browsers
/// ignore whitespace and control characters inside a scheme, so they are
/// dropped before it is read.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = cleaned.find(':');
    let path_start = cleaned.find(['/', '?', '#']);
    let has_scheme = match (scheme_end, path_start) {
        (Some(colon), Some(path)) => colon < path,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if !has_scheme || ["http:", "https:", "mailto:"].iter().any(|s| cleaned.starts_with(s)) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn raw_html_and_script_links_are_dropped() {
        let html = render(
            "# Accuracy\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n\
             [x](javascript:alert(1)) [y]( JaVa\tScRiPt:alert(1)) [ok](https://example.com/a) [rel](../b)\n\n\
             text <img src=x onerror=alert(1)> more",
        );
        assert!(html.contains("<h1>Accuracy</h1>"));
        assert!(html.contains("<table>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(!html.to_ascii_lowercase().contains("javascript"));
        assert!(html.contains("<a href=\"https://example.com/a\">ok</a>"));
        assert!(html.contains("<a href=\"../b\">rel</a>"));
        assert!(html.contains("<a href=\"#\">x</a>"));
    }
}
