//! `status:` (where commit statuses go) and `notify:` (Slack-compatible
//! webhooks for failed and recovered runs).

use super::load::ConfigReader;
use super::{Forge, NotifyConfig, StatusConfig};
use crate::diag::{did_you_mean, Diagnostic, Span};
use crate::load::Node;

const STATUS_KEYS: &[&str] = &["github", "gitea", "token_file"];
const NOTIFY_KEYS: &[&str] = &["url", "on"];
const NOTIFY_ON: &[&str] = &["failure", "recovered"];
const WEB: &[&str] = &["http", "https"];

impl ConfigReader {
    pub fn status(&mut self, node: &Node) -> Option<StatusConfig> {
        let m = self.reader.mapping(node, "`status:`")?;
        let start = Span::point(node.span.line, node.span.col);
        self.reader.check_keys(m, STATUS_KEYS, "`status:`");
        self.reader.require_keys(m, &["token_file"], start, "`status:`");
        let forge = match (m.get("github"), m.entry("gitea")) {
            (Some(url), None) => Some((Forge::Github, url)),
            (None, Some((_, url))) => Some((Forge::Gitea, url)),
            (Some(_), Some((key, _))) => {
                self.error(key.span, "`status:` gives both `github:` and `gitea:`; give one");
                None
            }
            (None, None) => {
                self.error(
                    start,
                    "`status:` needs `github:` or `gitea:` with the forge's API base URL",
                );
                None
            }
        };
        let api_url = forge.and_then(|(forge, url)| {
            let what = match forge {
                Forge::Github => "`github:` in `status:`",
                Forge::Gitea => "`gitea:` in `status:`",
            };
            self.url(url, what, WEB)
        });
        let token = m
            .get("token_file")
            .and_then(|n| self.secret_file(n, "`token_file:` of `status:`"));
        Some(StatusConfig {
            forge: forge?.0,
            api_url: api_url?.trim_end_matches('/').to_string(),
            token: token?,
        })
    }

    pub fn notify(&mut self, node: &Node) -> Vec<NotifyConfig> {
        if node.is_null() {
            return Vec::new();
        }
        let Some(items) = self.reader.sequence(node, "`notify:`") else {
            return Vec::new();
        };
        items.iter().filter_map(|item| self.notify_entry(item)).collect()
    }

    fn notify_entry(&mut self, node: &Node) -> Option<NotifyConfig> {
        let m = self.reader.mapping(node, "a `notify:` entry")?;
        let start = Span::point(node.span.line, node.span.col);
        self.reader.check_keys(m, NOTIFY_KEYS, "a `notify:` entry");
        self.reader.require_keys(m, &["url"], start, "a `notify:` entry");
        let url = m
            .get("url")
            .and_then(|n| self.url(n, "`url:` of a `notify:` entry", WEB));
        let (mut on_failure, mut on_recovery) = (true, true);
        if let Some(on) = m.get("on") {
            let events = self.reader.text_list(on, "`on:` of a `notify:` entry");
            if events.is_empty() && on.as_sequence().is_some() {
                self.error(
                    on.span,
                    "`on:` of a `notify:` entry must name failure, recovered or both",
                );
            }
            (on_failure, on_recovery) = (false, false);
            for event in events {
                match event.value.as_str() {
                    "failure" => on_failure = true,
                    "recovered" => on_recovery = true,
                    other => {
                        let help =
                            did_you_mean(other, NOTIFY_ON.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                        let message = format!("`on:` of a `notify:` entry takes failure and recovered, not `{other}`");
                        self.reader
                            .push(Diagnostic::error(event.span, message).with_optional_help(help));
                    }
                }
            }
        }
        Some(NotifyConfig {
            url: url?,
            on_failure,
            on_recovery,
        })
    }
}
