//! [`Tail`] over real files that the test appends to between polls.

use super::*;
use std::fs::OpenOptions;

struct Files {
    dir: tempfile::TempDir,
    tail: Tail,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().expect("a temporary directory"),
            tail: Tail::default(),
        }
    }

    fn source(&self, name: &str) -> Source {
        Source {
            path: self.dir.path().join(name),
            heading: format!("job / {name}"),
        }
    }

    fn append(&self, name: &str, text: &str) {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(name))
            .expect("open");
        file.write_all(text.as_bytes()).expect("append");
    }

    /// What a poll over the named files prints.
    fn poll(&mut self, names: &[&str], last: bool) -> String {
        let sources: Vec<Source> = names.iter().map(|name| self.source(name)).collect();
        let mut out = Vec::new();
        self.tail.poll(&sources, &mut out, last).expect("write");
        String::from_utf8(out).expect("utf-8")
    }
}

#[test]
fn the_first_poll_prints_every_file_in_order_headed_even_when_empty() {
    let mut files = Files::new();
    files.append("0.log", "checked out\n");
    files.append("1.log", "");
    files.append("2.log", "12 passed\n");
    assert_eq!(
        files.poll(&["0.log", "1.log", "2.log"], false),
        "==> job / 0.log <==\nchecked out\n\n==> job / 1.log <==\n\n==> job / 2.log <==\n12 passed\n"
    );
    assert_eq!(files.poll(&["0.log", "1.log", "2.log"], false), "");
}

#[test]
fn new_lines_are_headed_only_when_they_come_from_another_file() {
    let mut files = Files::new();
    files.append("0.log", "a\n");
    files.append("1.log", "b\n");
    assert_eq!(
        files.poll(&["0.log", "1.log"], false),
        "==> job / 0.log <==\na\n\n==> job / 1.log <==\nb\n"
    );
    files.append("1.log", "c\n");
    assert_eq!(files.poll(&["0.log", "1.log"], false), "c\n");
    files.append("0.log", "d\n");
    files.append("2.log", "e\n");
    assert_eq!(
        files.poll(&["0.log", "1.log", "2.log"], true),
        "\n==> job / 0.log <==\nd\n\n==> job / 2.log <==\ne\n"
    );
}

#[test]
fn a_line_without_its_newline_waits_for_it_or_for_the_last_poll() {
    let mut files = Files::new();
    files.append("0.log", "epoch 1\nepo");
    assert_eq!(files.poll(&["0.log"], false), "==> job / 0.log <==\nepoch 1\n");
    files.append("0.log", "ch 2");
    assert_eq!(files.poll(&["0.log"], false), "");
    files.append("0.log", "\nepoch 3");
    assert_eq!(files.poll(&["0.log"], false), "epoch 2\n");
    assert_eq!(files.poll(&["0.log"], true), "epoch 3");
}

#[test]
fn a_missing_file_is_waited_for_and_is_an_error_only_at_the_end() {
    let mut files = Files::new();
    assert_eq!(files.poll(&["0.log"], false), "");
    assert!(!files.tail.unreadable);
    files.append("0.log", "late\n");
    assert_eq!(files.poll(&["0.log", "1.log"], false), "==> job / 0.log <==\nlate\n");
    assert_eq!(files.poll(&["0.log", "1.log"], true), "\n==> job / 1.log <==\n");
    assert!(files.tail.unreadable);
}
