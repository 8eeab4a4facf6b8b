use crate::expr::{parse, Function, FunctionUse, NamedValueUse, ParseOptions};

fn ast(text: &str) -> crate::expr::Ast {
    match parse(text, &ParseOptions::permissive()) {
        Ok(ast) => ast,
        Err(e) => panic!("{text:?}: {e}"),
    }
}

fn named(name: &str, offset: usize, path: &[&str], path_offsets: &[usize]) -> NamedValueUse {
    NamedValueUse {
        name: name.to_string(),
        offset,
        path: path.iter().map(|s| s.to_string()).collect(),
        path_offsets: path_offsets.to_vec(),
    }
}

#[test]
fn lists_named_values_with_literal_paths() {
    let uses = ast("needs.build.outputs.x == inputs['my-in'] && contains(Needs.*.result, steps.a[github.x].outcome)")
        .named_values();
    assert_eq!(
        uses,
        vec![
            named("needs", 0, &["build", "outputs", "x"], &[6, 12, 20]),
            named("inputs", 25, &["my-in"], &[32]),
            named("Needs", 53, &[], &[]),
            named("steps", 69, &["a"], &[75]),
            named("github", 77, &["x"], &[84]),
        ]
    );
}

#[test]
fn lists_function_calls() {
    let calls = ast("fromJSON('[1]')[0] || toJson(format('{0}', x)) || success()").function_calls();
    let summary: Vec<(Function, &str, usize, usize, Option<&str>)> = calls
        .iter()
        .map(|c: &FunctionUse| {
            (
                c.function,
                c.name.as_str(),
                c.offset,
                c.arg_count,
                c.string_arg.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Function::FromJson, "fromJSON", 0, 1, Some("[1]")),
            (Function::ToJson, "toJson", 22, 1, None),
            (Function::Format, "format", 29, 2, None),
            (Function::Success, "success", 50, 0, None),
        ]
    );
}

#[test]
fn finds_status_functions_only_in_calls() {
    assert!(ast("fromJson(toJSON(success()))").uses_status_function());
    assert!(ast("x || Always()").uses_status_function());
    assert!(!ast("true || 'success()'").uses_status_function());
    assert!(!ast("success.x").uses_status_function());
    assert!(!ast("").uses_status_function());
}
