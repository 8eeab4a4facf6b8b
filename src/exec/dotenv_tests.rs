use super::*;

fn pairs(text: &str) -> Vec<(String, String)> {
    match parse_dotenv(text) {
        Ok(pairs) => pairs,
        Err(e) => panic!("{text:?} should parse, got {e}"),
    }
}

fn pair(key: &str, value: &str) -> (String, String) {
    (key.to_string(), value.to_string())
}

fn error(text: &str) -> String {
    match parse_dotenv(text) {
        Ok(pairs) => panic!("{text:?} should fail, got {pairs:?}"),
        Err(e) => e,
    }
}

#[test]
fn acts_secrets_fixture() {
    let text = "MY_SECRET=top-secret\nMULTILINE_SECRET=\"foo\\nbar\\nbaz\"\nJSON_SECRET={\"foo\": \"bar\"}\n";
    if let Ok(file) = std::fs::read_to_string("/work/shared/corpus/act-testdata/secrets/.secrets") {
        assert_eq!(file, text, "the fixture changed");
    }
    assert_eq!(
        pairs(text),
        vec![
            pair("MY_SECRET", "top-secret"),
            pair("MULTILINE_SECRET", "foo\nbar\nbaz"),
            pair("JSON_SECRET", "{\"foo\": \"bar\"}"),
        ]
    );
}

#[test]
fn acts_env_fixture() {
    let text = "HELLO=WORLD\nMULTILINE_ENV=\"foo\\nbar\\nbaz\"\n";
    if let Ok(file) = std::fs::read_to_string("/work/shared/corpus/act-testdata/secrets/.env") {
        assert_eq!(file, text, "the fixture changed");
    }
    assert_eq!(
        pairs(text),
        vec![pair("HELLO", "WORLD"), pair("MULTILINE_ENV", "foo\nbar\nbaz")]
    );
}

#[test]
fn blank_lines_comments_and_crlf() {
    let text = "\n# a comment\n  \nA=1\r\n   # indented comment\nB=2\n#last";
    assert_eq!(pairs(text), vec![pair("A", "1"), pair("B", "2")]);
    assert_eq!(pairs(""), vec![]);
}

#[test]
fn export_prefix_and_yaml_style() {
    assert_eq!(
        pairs("export A=1\nexport\tB=2\nC: 3\n"),
        vec![pair("A", "1"), pair("B", "2"), pair("C", "3")]
    );
    // "export" followed by no space is an ordinary key.
    assert_eq!(
        pairs("export=1\nexported=2"),
        vec![pair("export", "1"), pair("exported", "2")]
    );
}

#[test]
fn spaces_around_key_and_unquoted_value_are_trimmed() {
    assert_eq!(pairs("  A  =   spaced value  \n"), vec![pair("A", "spaced value")]);
    assert_eq!(pairs("A=\nB=2"), vec![pair("A", ""), pair("B", "2")]);
    assert_eq!(pairs("A="), vec![pair("A", "")]);
}

#[test]
fn unquoted_values_lose_a_trailing_comment() {
    assert_eq!(pairs("A=value # comment\n"), vec![pair("A", "value")]);
    assert_eq!(pairs("A=val#ue\n"), vec![pair("A", "val#ue")]);
    // godotenv cuts at the last " #".
    assert_eq!(pairs("A=x #one #two\n"), vec![pair("A", "x #one")]);
    // A value may start with '#'.
    assert_eq!(pairs("A=#hash\n"), vec![pair("A", "#hash")]);
}

#[test]
fn unquoted_value_keeps_equals_and_quotes_inside() {
    assert_eq!(
        pairs("A=b=c\nB=it's \"x\"\n"),
        vec![pair("A", "b=c"), pair("B", "it's \"x\"")]
    );
}

#[test]
fn single_quoted_values_are_literal() {
    assert_eq!(
        pairs("A='a\\nb $HOME # not a comment'\n"),
        vec![pair("A", "a\\nb $HOME # not a comment")]
    );
    assert_eq!(pairs("A='  spaced  '"), vec![pair("A", "  spaced  ")]);
    assert_eq!(pairs("A=''"), vec![pair("A", "")]);
}

#[test]
fn double_quoted_escapes() {
    assert_eq!(pairs(r#"A="say \"hi\"""#), vec![pair("A", "say \"hi\"")]);
    assert_eq!(pairs(r#"A="back\\slash""#), vec![pair("A", "back\\slash")]);
    assert_eq!(pairs(r#"A="a\nb\rc""#), vec![pair("A", "a\nb\rc")]);
    assert_eq!(pairs(r#"A="not\\n a newline""#), vec![pair("A", "not\\n a newline")]);
    assert_eq!(pairs(r#"A="\t is t""#), vec![pair("A", "t is t")]);
    assert_eq!(pairs(r#"A="  spaced  ""#), vec![pair("A", "  spaced  ")]);
}

#[test]
fn double_quoted_value_may_span_lines() {
    let text = "A=\"line 1\nline 2\n\"\nB=2\n";
    assert_eq!(pairs(text), vec![pair("A", "line 1\nline 2\n"), pair("B", "2")]);
}

#[test]
fn comment_after_a_quoted_value() {
    assert_eq!(
        pairs("A=\"x\" # comment\nB='y'   # c\n"),
        vec![pair("A", "x"), pair("B", "y")]
    );
}

#[test]
fn variables_expand_from_earlier_keys() {
    let text = "USER=me\nA=$USER\nB=\"${USER}-x\"\nC='$USER'\nD=$NOPE.\nE=\\$USER\nF=cost $5 or $\n";
    assert_eq!(
        pairs(text),
        vec![
            pair("USER", "me"),
            pair("A", "me"),
            pair("B", "me-x"),
            pair("C", "$USER"),
            pair("D", "."),
            pair("E", "$USER"),
            pair("F", "cost  or $"),
        ]
    );
}

#[test]
fn lowercase_names_and_doubled_dollars_are_not_expanded() {
    assert_eq!(
        pairs("A=pa$$word\nB=$lower"),
        vec![pair("A", "pa$$word"), pair("B", "$lower")]
    );
}

#[test]
fn later_key_is_used_for_expansion_and_both_pairs_are_kept() {
    let text = "A=1\nA=2\nB=$A\n";
    assert_eq!(pairs(text), vec![pair("A", "1"), pair("A", "2"), pair("B", "2")]);
}

#[test]
fn key_characters() {
    assert_eq!(pairs("a.b_C9=1\nÜBER=2"), vec![pair("a.b_C9", "1"), pair("ÜBER", "2")]);
    assert_eq!(error("A-B=1\n"), "line 1: unexpected character '-' in variable name");
    assert_eq!(
        error("A=1\n\nB$=2\n"),
        "line 3: unexpected character '$' in variable name"
    );
}

#[test]
fn line_without_equals_is_an_error() {
    assert_eq!(
        error("A=1\nJUSTAWORD\nB=2\n"),
        "line 2: 'JUSTAWORD' needs '=' and a value"
    );
    assert_eq!(error("A=1\nLAST"), "line 2: 'LAST' needs '=' and a value");
}

#[test]
fn missing_name_is_an_error() {
    assert_eq!(error("=value\n"), "line 1: a variable name is missing");
    assert_eq!(error("A=1\n  : value\n"), "line 2: a variable name is missing");
}

#[test]
fn unterminated_quote_is_an_error() {
    assert_eq!(
        error("A=1\nB=\"open\nC=3\n"),
        "line 2: the quoted value has no closing \""
    );
    assert_eq!(error("B='open"), "line 1: the quoted value has no closing '");
    assert_eq!(
        error(r#"B="escaped end\""#),
        "line 1: the quoted value has no closing \""
    );
}

#[test]
fn text_after_a_quoted_value_is_an_error() {
    assert_eq!(error("A=\"x\" junk\n"), "line 1: 'junk' needs '=' and a value");
}
