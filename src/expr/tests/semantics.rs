//! Behaviour from gha-semantics §1 that the conformance suite does not
//! cover: lazy arguments, identity, number formatting, `env` casing.

use serde_json::json;

use crate::expr::{eval_json, evaluate, parse, Object, ParseOptions, Value};

fn eval(expr: &str) -> Result<serde_json::Value, String> {
    let contexts = json!({"foo": {"arr": [1, 2], "obj": {"a": {"x": 1}, "b": {"x": 2}}}});
    eval_json(expr, contexts.as_object().unwrap_or(&serde_json::Map::new())).map_err(|e| e.message)
}

#[test]
fn spec_examples() {
    assert_eq!(eval("!2 < 3"), Ok(json!(true)));
    assert_eq!(eval("3 < 2 < 1"), Ok(json!(true)));
    assert_eq!(eval("1 == 1 && 2"), Ok(json!(2)));
    assert_eq!(eval("1 || 2 && 3"), Ok(json!(1)));
    assert_eq!(eval("null == ''"), Ok(json!(true)));
    assert_eq!(eval("false == '  '"), Ok(json!(true)));
    assert_eq!(eval("true == '2'"), Ok(json!(false)));
    assert_eq!(eval("'a' < '['"), Ok(json!(true)));
    assert_eq!(eval("null <= null"), Ok(json!(true)));
    assert_eq!(eval("foo.OBJ.*.X"), Ok(json!([1, 2])));
}

#[test]
fn numbers_format_like_dotnet() {
    assert_eq!(eval("format('{0}', 1e15)"), Ok(json!("1E+15")));
    assert_eq!(
        eval("format('{0}', 123456789012345678)"),
        Ok(json!("1.23456789012346E+17"))
    );
    assert_eq!(eval("format('{0}', 0.00001)"), Ok(json!("1E-05")));
    assert_eq!(eval("toJSON(fromJSON('[1e300]'))"), Ok(json!("[\n  1E+300\n]")));
    assert_eq!(eval("toJSON(NaN)"), Ok(json!("NaN")));
    assert_eq!(eval("0xFFFFFFFF"), Ok(json!(-1)));
}

#[test]
fn only_needed_arguments_are_evaluated() {
    assert_eq!(eval("case(true, 1, fromJSON('bad'))"), Ok(json!(1)));
    assert_eq!(eval("format('x', fromJSON('bad'))"), Ok(json!("x")));
    assert_eq!(eval("false && fromJSON('bad')"), Ok(json!(false)));
    assert_eq!(eval("foo.missing[fromJSON('bad')]"), Ok(json!(null)));
    assert!(eval("format('{0}', fromJSON('bad'))").is_err());
}

#[test]
fn filtered_arrays_are_new_arrays() {
    assert_eq!(eval("foo.arr == foo.arr"), Ok(json!(true)));
    assert_eq!(eval("foo.arr[*] == foo.arr"), Ok(json!(false)));
    assert_eq!(eval("fromJSON('[]') == fromJSON('[]')"), Ok(json!(false)));
    // Outside the evaluator a filtered array is a plain array again.
    assert_eq!(eval("fromJSON(toJSON(foo.arr.*))[0]"), Ok(json!(1)));
}

#[test]
fn function_errors_use_github_texts() {
    assert_eq!(
        eval("format('{0:x}', 1)"),
        Err("The format specifiers 'x' are not valid for objects of type 'Number'".to_string())
    );
    assert!(eval("fromJSON('1 2')").is_err_and(|m| m.starts_with("Error parsing fromJson")));
    assert_eq!(eval("join(foo.arr.*, '-')"), Ok(json!("1-2")));
}

#[test]
fn case_sensitive_objects_match_keys_exactly() {
    let mut env = Object::case_sensitive();
    env.insert("Path", Value::string("a"));
    env.insert("PATH", Value::string("b"));
    struct Env(Value);
    impl crate::expr::EvalHost for Env {
        fn named_value(&self, name: &str) -> Option<Value> {
            name.eq_ignore_ascii_case("env").then(|| self.0.clone())
        }
    }
    let host = Env(Value::object(env));
    let run = |expr: &str| {
        parse(expr, &ParseOptions::with_named_values(["env"]))
            .and_then(|ast| evaluate(&ast, &host))
            .ok()
    };
    assert_eq!(run("ENV.PATH"), Some(Value::string("b")));
    assert_eq!(run("env.Path"), Some(Value::string("a")));
    assert_eq!(run("env.path"), Some(Value::Null));
}
