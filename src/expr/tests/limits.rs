use crate::expr::{evaluate, parse, ErrorKind, JsonContext, ParseOptions, Value, MAX_DEPTH};

fn run(text: &str) -> Result<Value, (ErrorKind, String)> {
    let opts = ParseOptions::with_named_values(["foo"]);
    let host = JsonContext::new(serde_json::Map::new());
    parse(text, &opts)
        .and_then(|ast| evaluate(&ast, &host))
        .map_err(|e| (e.kind, e.message))
}

fn depth_error() -> Result<Value, (ErrorKind, String)> {
    Err((ErrorKind::Parsing, format!("Exceeded max expression depth {MAX_DEPTH}")))
}

#[test]
fn tree_depth_is_limited_to_50() {
    // n `!` put the literal at depth n + 1.
    let nots = |n: usize| format!("{}true", "!".repeat(n));
    assert_eq!(run(&nots(49)), Ok(Value::Bool(false)));
    assert_eq!(run(&nots(50)), depth_error());
    assert_eq!(run(&nots(5000)), depth_error());
    let calls = |n: usize| format!("{}1{}", "format(".repeat(n), ")".repeat(n));
    assert_eq!(run(&calls(49)), Ok(Value::string("1")));
    assert_eq!(run(&calls(50)), depth_error());
    let indexes = |n: usize| format!("foo{}", "[0]".repeat(n));
    assert_eq!(run(&indexes(49)), Ok(Value::Null));
    assert_eq!(run(&indexes(50)), depth_error());
    // Left-nested comparisons deepen the tree without recursion.
    let chain = |n: usize| format!("1{}", " == 1".repeat(n));
    assert_eq!(run(&chain(49)), Ok(Value::Bool(true)));
    assert_eq!(run(&chain(50)), depth_error());
}

#[test]
fn grouping_and_flattened_logic_add_no_depth() {
    let parens = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(run(&parens(80)), Ok(Value::Number(1.0)));
    let ands = format!("1{}", " && (1".repeat(60) + &")".repeat(60));
    assert_eq!(run(&ands), Ok(Value::Number(1.0)));
    // Absurdly deep redundant parentheses are refused rather than recursed.
    assert_eq!(run(&parens(10_000)), depth_error());
}

#[test]
fn expression_length_is_limited() {
    let long = format!("'{}'", "a".repeat(20_998));
    assert_eq!(long.chars().count(), 21_000);
    assert!(run(&long).is_ok());
    let too_long = format!("'{}'", "a".repeat(20_999));
    assert_eq!(
        run(&too_long),
        Err((ErrorKind::Parsing, "Exceeded max expression length 21000".to_string()))
    );
}

#[test]
fn memory_is_limited() {
    let big = format!("format('{}', '{}')", "{0}".repeat(600), "x".repeat(1000));
    assert!(run(&big).is_err_and(|(kind, message)| kind == ErrorKind::Evaluation
        && message.starts_with(
            "The maximum allowed memory size was exceeded while evaluating the following expression: format("
        )));
    let fine = format!("format('{}', '{}')", "{0}".repeat(100), "x".repeat(1000));
    assert!(run(&fine).is_ok());
}
