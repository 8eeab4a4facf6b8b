use serde_json::json;

use super::TestHost;
use crate::expr::{parse_template, ErrorKind, ParseOptions, Template, TemplateErrorKind, TemplatePart, Value};

fn opts() -> ParseOptions {
    ParseOptions::with_named_values(["github", "matrix"])
}

fn eval(s: &str) -> Result<Value, String> {
    let host = TestHost::new(json!({"github": {"ref": "refs/heads/main"}, "matrix": {"n": 3}}));
    let template = parse_template(s, &opts()).map_err(|e| e.to_string())?;
    template.evaluate(&host).map_err(|e| e.to_string())
}

#[test]
fn text_without_expressions_is_literal() {
    assert_eq!(
        parse_template("plain } {{ text", &opts()),
        Ok(Template::Literal("plain } {{ text".into()))
    );
}

#[test]
fn whole_value_expression_keeps_its_type() {
    assert_eq!(eval("${{ matrix.n }}"), Ok(Value::Number(3.0)));
    assert_eq!(
        eval("${{ fromJSON('[1, true]') }}"),
        Ok(Value::array(vec![Value::Number(1.0), Value::Bool(true)]))
    );
    assert_eq!(eval("${{ github.nothing }}"), Ok(Value::Null));
    assert!(matches!(
        parse_template("${{ matrix.n }}", &opts()),
        Ok(Template::Expression(_))
    ));
}

#[test]
fn text_around_expressions_makes_a_string() {
    assert_eq!(eval("n=${{ matrix.n }}, ${{ true }}!"), Ok(Value::string("n=3, true!")));
    assert_eq!(
        eval("${{ 1 }}${{ fromJSON('{}') }}${{ null }}"),
        Ok(Value::string("1Object"))
    );
    assert_eq!(eval("${{ false }} "), Ok(Value::string("false ")));
}

#[test]
fn closing_braces_inside_string_literals_do_not_end_the_expression() {
    let template = parse_template("a ${{ '}}' }} b", &opts());
    let Ok(Template::Format(parts)) = &template else {
        panic!("expected a format template, got {template:?}")
    };
    assert_eq!(parts.len(), 3);
    assert!(matches!(&parts[0], TemplatePart::Literal(s) if s == "a "));
    assert_eq!(eval("a ${{ '}}' }} b"), Ok(Value::string("a }} b")));
    assert_eq!(eval("${{ format('{0}}}', 'x') }}"), Ok(Value::string("x}")));
}

#[test]
fn a_lone_string_literal_is_a_literal() {
    assert_eq!(
        parse_template("${{ 'it''s ${{ here' }}", &opts()),
        Ok(Template::Literal("it's ${{ here".into()))
    );
}

#[test]
fn unclosed_and_empty_expressions_are_errors_at_their_offset() {
    let err = parse_template("ab ${{ matrix.n", &opts()).err();
    assert_eq!(
        err.as_ref().map(|e| (e.offset, e.kind.clone())),
        Some((3, TemplateErrorKind::NotClosed))
    );
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.")
    );
    let err = parse_template("x ${{ '}} ", &opts()).err();
    assert_eq!(err.map(|e| e.kind), Some(TemplateErrorKind::NotClosed));
    let err = parse_template("x${{   }}", &opts()).err();
    assert_eq!(
        err.map(|e| (e.offset, e.to_string())),
        Some((1, "An expression was expected".into()))
    );
}

#[test]
fn expression_errors_are_mapped_into_the_string() {
    let err = parse_template("ab ${{  secrets.x }}", &opts()).err();
    let Some(err) = err else { panic!("expected an error") };
    assert_eq!(err.offset, 8);
    assert!(matches!(&err.kind, TemplateErrorKind::Expression(e)
        if e.kind == ErrorKind::Parsing && e.message == "Unrecognized named-value: 'secrets'" && e.column == 1));
    // Evaluation errors carry 1-based columns within the scanned string.
    let template = parse_template("xy ${{ format('{0') }}", &opts());
    let host = TestHost::new(json!({}));
    let err = template.ok().and_then(|t| t.evaluate(&host).err());
    assert_eq!(err.map(|e| (e.kind, e.column)), Some((ErrorKind::Evaluation, 8)));
}

#[test]
fn expressions_know_where_they_are() {
    let Ok(template) = parse_template("ab ${{  matrix.n }} ${{github.ref}}", &opts()) else {
        panic!("should parse")
    };
    let offsets: Vec<(usize, &str)> = template.expressions().iter().map(|a| (a.offset(), a.text())).collect();
    assert_eq!(offsets, [(8, "matrix.n"), (23, "github.ref")]);
}

#[test]
fn rewrites_like_github() {
    let text = |s: &str| {
        parse_template(s, &opts())
            .map(|t| t.to_expression_text())
            .unwrap_or_default()
    };
    assert_eq!(
        text("it's {x} ${{ matrix.n }}!"),
        "format('it''s {{x}} {0}!', matrix.n)"
    );
    assert_eq!(text("${{ matrix.n }}"), "matrix.n");
    assert_eq!(text("a'b"), "'a''b'");
}

#[test]
fn extra_text_is_detected() {
    let extra = |s: &str| parse_template(s, &opts()).map(|t| t.has_extra_text_around_single_expression());
    assert_eq!(extra("${{ false }} "), Ok(true));
    assert_eq!(extra("!${{ false }}"), Ok(true));
    assert_eq!(extra("${{ false }}"), Ok(false));
    assert_eq!(extra("${{ false }}${{ true }}"), Ok(false));
    assert_eq!(extra("no expression"), Ok(false));
}
