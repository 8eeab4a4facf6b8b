use super::*;

fn pairs(text: &str) -> Vec<(String, String)> {
    match parse_env_file(text) {
        Ok(pairs) => pairs,
        Err(e) => panic!("{text:?} should parse, got {e}"),
    }
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

fn error(text: &str) -> String {
    match parse_env_file(text) {
        Ok(pairs) => panic!("{text:?} should fail, got {pairs:?}"),
        Err(e) => e,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn name_value_lines_in_file_order() {
    assert_eq!(
        pairs("A=1\nB=2\nA=3\n"),
        vec![pair("A", "1"), pair("B", "2"), pair("A", "3")]
    );
}

#[test]
fn empty_file_and_empty_lines_give_nothing() {
    assert_eq!(pairs(""), vec![]);
    assert_eq!(pairs("\n\n"), vec![]);
    assert_eq!(pairs("\nA=1\n\n\nB=2"), vec![pair("A", "1"), pair("B", "2")]);
}

#[test]
fn value_is_split_at_the_first_equals_and_kept_verbatim() {
    // act's environment-files fixture: KEY=value=anothervalue.
    assert_eq!(
        pairs("KEY=value=anothervalue\n"),
        vec![pair("KEY", "value=anothervalue")]
    );
    assert_eq!(pairs("KEY=a<<b\n"), vec![pair("KEY", "a<<b")]);
    assert_eq!(pairs("KEY=  spaced  \n"), vec![pair("KEY", "  spaced  ")]);
    assert_eq!(pairs("KEY=\n"), vec![pair("KEY", "")]);
    assert_eq!(pairs(" KEY =x"), vec![pair(" KEY ", "x")]);
}

#[test]
fn last_line_needs_no_newline() {
    assert_eq!(pairs("KEY=value"), vec![pair("KEY", "value")]);
}

#[test]
fn carriage_return_stays_in_the_value_on_linux() {
    assert_eq!(
        pairs("KEY=value\r\nB=2\r\n"),
        vec![pair("KEY", "value\r"), pair("B", "2\r")]
    );
}

#[test]
fn byte_order_mark_is_dropped() {
    assert_eq!(pairs("\u{feff}KEY=value\n"), vec![pair("KEY", "value")]);
}

#[test]
fn heredoc_value() {
    // act's environment-files fixture, the EOF and the UUID delimiter cases.
    assert_eq!(pairs("KEY2<<EOF\nvalue2\nEOF\n"), vec![pair("KEY2", "value2")]);
    let uuid = "KEY3<<ghadelimiter_b8273c6d-d535-419a-a010-b0aaac240e36\nvalue3\n\
                ghadelimiter_b8273c6d-d535-419a-a010-b0aaac240e36\n";
    assert_eq!(pairs(uuid), vec![pair("KEY3", "value3")]);
}

#[test]
fn heredoc_lines_join_with_newlines_and_keep_empty_lines() {
    assert_eq!(pairs("K<<EOF\na\n\nb\nEOF\n"), vec![pair("K", "a\n\nb")]);
    assert_eq!(pairs("K<<EOF\n\n\nEOF\n"), vec![pair("K", "\n")]);
    assert_eq!(pairs("K<<EOF\n\nEOF\n"), vec![pair("K", "")]);
    assert_eq!(pairs("K<<EOF\nEOF\n"), vec![pair("K", "")]);
}

#[test]
fn heredoc_body_lines_with_equals_are_value_not_variables() {
    // act's environment-files-parser-bug fixture.
    let text = "test<<World\nx=Thats really Weird\nWorld\n";
    assert_eq!(pairs(text), vec![pair("test", "x=Thats really Weird")]);
}

#[test]
fn heredoc_delimiter_must_match_exactly() {
    // " EOF" and "EOF " are value lines; only "EOF" ends the value.
    assert_eq!(
        pairs("K<<EOF\n EOF\nEOF \neof\nEOF\n"),
        vec![pair("K", " EOF\nEOF \neof")]
    );
    // A CR before the newline makes the line "EOF\r", which is not "EOF".
    assert_eq!(
        error("K<<EOF\nv\r\nEOF\r\n"),
        "Invalid value. Matching delimiter not found 'EOF'"
    );
    // With CRLF throughout, the delimiter itself is "EOF\r" and matches.
    assert_eq!(pairs("K<<EOF\r\nv\r\nEOF\r\n"), vec![pair("K", "v\r")]);
}

#[test]
fn delimiter_line_may_end_the_file_without_newline() {
    assert_eq!(pairs("K<<EOF\nv\nEOF"), vec![pair("K", "v")]);
    assert_eq!(pairs("K<<EOF\nv\nEOF\nA=1"), vec![pair("K", "v"), pair("A", "1")]);
}

#[test]
fn heredoc_when_angle_brackets_come_before_equals() {
    assert_eq!(pairs("K<<A=B\nv\nA=B\n"), vec![pair("K", "v")]);
}

#[test]
fn heredocs_mixed_with_plain_lines() {
    let text = "A=1\nB<<X\nline 1\nline=2\nX\nC=3\n";
    assert_eq!(
        pairs(text),
        vec![pair("A", "1"), pair("B", "line 1\nline=2"), pair("C", "3")]
    );
}

#[test]
fn multibyte_text_is_kept() {
    assert_eq!(
        pairs("GRÜß=é=ü\nK<<ΩΩ\nλ\nΩΩ\n"),
        vec![pair("GRÜß", "é=ü"), pair("K", "λ")]
    );
}

#[test]
fn empty_name_or_delimiter_is_an_error() {
    let want = "Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty";
    assert_eq!(error("<<EOF\nv\nEOF\n"), want);
    let want = "Invalid format 'K<<'. Name must not be empty and delimiter must not be empty";
    assert_eq!(error("K<<\nv\n\n"), want);
    assert_eq!(error("=value\n"), "Invalid format '=value'. Name must not be empty");
}

#[test]
fn missing_delimiter_is_an_error() {
    assert_eq!(
        error("K<<EOF\nv\n"),
        "Invalid value. Matching delimiter not found 'EOF'"
    );
    assert_eq!(error("K<<EOF"), "Invalid value. Matching delimiter not found 'EOF'");
    assert_eq!(error("K<<EOF\n"), "Invalid value. Matching delimiter not found 'EOF'");
}

#[test]
fn value_line_ending_the_file_without_newline_is_an_error() {
    assert_eq!(error("K<<EOF\nv"), "Invalid value. EOF marker missing new line.");
    // The runner's own test: the closing EOF is not on a line of its own.
    let text = "MY_OUTPUT<<EOF line one\n    line two\n    line three EOF";
    assert_eq!(error(text), "Invalid value. EOF marker missing new line.");
}

#[test]
fn line_without_equals_or_heredoc_is_an_error() {
    assert_eq!(error("A=1\njust text\n"), "Invalid format 'just text'");
    assert_eq!(error("K<EOF\n"), "Invalid format 'K<EOF'");
}

#[test]
fn path_file_lines_in_order_without_empty_ones() {
    assert_eq!(parse_path_file("/a\n\n/b\n"), strings(&["/a", "/b"]));
    assert_eq!(parse_path_file(""), Vec::<String>::new());
    assert_eq!(parse_path_file("/a"), strings(&["/a"]));
}

#[test]
fn path_file_lines_end_at_cr_lf_or_both() {
    assert_eq!(parse_path_file("/a\r\n/b\r/c\n"), strings(&["/a", "/b", "/c"]));
    assert_eq!(parse_path_file("\u{feff}/a\n"), strings(&["/a"]));
}

#[test]
fn path_file_keeps_spaces() {
    assert_eq!(parse_path_file(" /a b \n"), strings(&[" /a b "]));
}

#[test]
fn later_entries_come_first() {
    // act's environment-files fixture: someOtherFolder, added in a later
    // step, comes before someFolder.
    let mut added = Vec::new();
    prepend_paths(&mut added, &strings(&["/home/someFolder"]));
    prepend_paths(&mut added, &strings(&["/home/someOtherFolder"]));
    assert_eq!(added, strings(&["/home/someOtherFolder", "/home/someFolder"]));
    assert_eq!(
        join_path(&added, "/usr/bin:/bin"),
        "/home/someOtherFolder:/home/someFolder:/usr/bin:/bin"
    );
}

#[test]
fn later_line_of_one_file_comes_first() {
    let mut added = Vec::new();
    prepend_paths(&mut added, &strings(&["/a", "/b"]));
    assert_eq!(added, strings(&["/b", "/a"]));
}

#[test]
fn re_added_entry_moves_to_the_front_once() {
    let mut added = strings(&["/c", "/b", "/a"]);
    prepend_paths(&mut added, &strings(&["/a"]));
    assert_eq!(added, strings(&["/a", "/c", "/b"]));
    prepend_paths(&mut added, &strings(&["/b", "/b"]));
    assert_eq!(added, strings(&["/b", "/a", "/c"]));
}

#[test]
fn join_path_with_nothing_added_or_no_base() {
    assert_eq!(join_path(&[], "/usr/bin"), "/usr/bin");
    assert_eq!(join_path(&strings(&["/a", "/b"]), ""), "/a:/b");
    assert_eq!(join_path(&[], ""), "");
}
