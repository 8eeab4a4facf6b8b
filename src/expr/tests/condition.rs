use serde_json::json;

use super::TestHost;
use crate::expr::{parse_condition, Condition, ExtraFunctions, ParseOptions, TemplateErrorKind};

fn opts() -> ParseOptions {
    ParseOptions::with_named_values(["github", "vars", "env"]).functions(ExtraFunctions::STEP_IF)
}

fn condition(s: &str) -> Condition {
    match parse_condition(s, &opts()) {
        Ok(c) => c,
        Err(e) => panic!("{s:?}: {e}"),
    }
}

fn runs(s: &str, status: &'static str) -> bool {
    let host = TestHost::new(json!({"github": {"ref": "refs/heads/main"}, "vars": {"foo": ""}})).with_status(status);
    match condition(s).evaluate(&host) {
        Ok(b) => b,
        Err(e) => panic!("{s:?}: {e}"),
    }
}

#[test]
fn empty_condition_is_success() {
    for s in ["", "   ", "${{ '' }}"] {
        assert_eq!(condition(s).expression_text(), "success()", "{s:?}");
        assert!(runs(s, "success"));
        assert!(!runs(s, "failure"));
    }
}

#[test]
fn wraps_conditions_without_status_functions() {
    let cases = [
        (
            "github.ref == 'refs/heads/main'",
            "success() && (github.ref == 'refs/heads/main')",
        ),
        ("vars.foo || success()", "vars.foo || success()"),
        ("true || 'success()'", "success() && (true || 'success()')"),
        ("fromJson(toJSON(success()))", "fromJson(toJSON(success()))"),
        ("${{ !cancelled() }}", "!cancelled()"),
        ("  ${{ github.ref }}  ", "success() && (format('  {0}  ', github.ref))"),
        ("ALWAYS()", "ALWAYS()"),
    ];
    for (input, expected) in cases {
        assert_eq!(condition(input).expression_text(), expected, "{input:?}");
    }
    assert!(condition("true || 'success()'").is_wrapped());
    assert!(!condition("vars.foo || success()").is_wrapped());
}

#[test]
fn wrapped_conditions_need_success() {
    assert!(runs("github.ref == 'refs/heads/main'", "success"));
    assert!(!runs("github.ref == 'refs/heads/main'", "failure"));
    assert!(!runs("true", "cancelled"));
    assert!(runs("failure()", "failure"));
    assert!(runs("always()", "cancelled"));
    assert!(runs("${{ !cancelled() }}", "failure"));
    assert!(!runs("!cancelled()", "cancelled"));
    // `success() && (…)` short-circuits: the failing part is never run.
    assert!(!runs("fromJSON('not json')", "failure"));
}

#[test]
fn extra_text_around_an_expression_is_always_true() {
    for s in [
        "true && ${{ false }}",
        "${{ false }} ",
        "${{ false }}\n",
        "!${{ true }}",
    ] {
        assert!(condition(s).has_extra_text_around_single_expression(), "{s:?}");
        assert!(runs(s, "success"), "{s:?}");
    }
    assert!(!runs("${{ false }}", "success"));
    assert!(!condition("${{ false }}").has_extra_text_around_single_expression());
}

#[test]
fn errors_point_into_the_value() {
    let err = parse_condition("  secrets.x == 1", &opts()).err();
    assert_eq!(err.as_ref().map(|e| e.offset), Some(2));
    assert!(matches!(err.map(|e| e.kind), Some(TemplateErrorKind::Expression(e))
        if e.message == "Unrecognized named-value: 'secrets'"));
    let err = parse_condition("github.ref == 'x' && ${{ hashFiles('a') == ''", &opts()).err();
    assert_eq!(
        err.map(|e| (e.offset, e.kind)),
        Some((21, TemplateErrorKind::NotClosed))
    );
    // Status functions are only callable where the options allow them.
    let err = parse_condition("success()", &ParseOptions::with_named_values(["github"])).err();
    assert!(matches!(err.map(|e| e.kind), Some(TemplateErrorKind::Expression(e))
        if e.message == "Unrecognized function: 'success'"));
}
