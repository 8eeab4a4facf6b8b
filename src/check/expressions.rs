//! Checks every expression in a workflow: it parses, names only contexts
//! and special functions available where it sits (gha-semantics §1.9), and
//! its `needs.<job>`, `steps.<id>`, `matrix.<key>` and `inputs.<name>`
//! references name things that exist. An `if:` with text around its one
//! `${{ }}` is always true; that gets a warning.

use super::locate::locate;
use super::sites::{ALL_CONTEXTS, SPECIAL_FUNCTIONS};
use super::walk::{walk, Scope, Visit};
use crate::diag::{did_you_mean, Diagnostic, SourceFile};
use crate::expr::{parse_condition, parse_template, Ast, ParseOptions, Template};
use crate::model::{Text, Workflow};

pub fn check_expressions(workflow: &Workflow, out: &mut Vec<Diagnostic>) {
    let inputs = declared_inputs(workflow);
    walk(workflow, |visit| {
        check_one(&workflow.source, &visit, inputs.as_deref(), out)
    });
}

/// The inputs a `workflow_dispatch` or `workflow_call` declares; None when
/// the workflow has neither, so `inputs.x` cannot be checked.
fn declared_inputs(workflow: &Workflow) -> Option<Vec<String>> {
    let events: Vec<_> = ["workflow_dispatch", "workflow_call"]
        .iter()
        .filter_map(|e| workflow.on.event(e))
        .collect();
    (!events.is_empty()).then(|| {
        events
            .iter()
            .flat_map(|e| e.inputs.iter().map(|i| i.id.value.clone()))
            .collect()
    })
}

fn check_one(source: &SourceFile, visit: &Visit, inputs: Option<&[String]>, out: &mut Vec<Diagnostic>) {
    let text = visit.text;
    if !visit.is_condition && !text.has_expression() {
        return;
    }
    let options = ParseOptions::permissive();
    let parsed = if visit.is_condition {
        parse_condition(&text.value, &options).map(|c| {
            if c.has_extra_text_around_single_expression() {
                out.push(
                    Diagnostic::warning(
                        text.span,
                        "this condition is always true: text around its ${{ }} makes it a non-empty string",
                    )
                    .with_help("put the whole condition inside one ${{ }}, or write it without ${{ }}"),
                );
            }
            c.template().map(expressions).unwrap_or_default()
        })
    } else {
        parse_template(&text.value, &options).map(|t| expressions(&t))
    };
    match parsed {
        Err(e) => out.push(Diagnostic::error(locate(source, text, e.offset, 1), e.to_string())),
        Ok(asts) => {
            for ast in asts {
                check_ast(source, text, &ast, visit, inputs, out);
            }
        }
    }
}

fn expressions(template: &Template) -> Vec<Ast> {
    template.expressions().into_iter().cloned().collect()
}

fn check_ast(
    source: &SourceFile,
    text: &Text,
    ast: &Ast,
    visit: &Visit,
    inputs: Option<&[String]>,
    out: &mut Vec<Diagnostic>,
) {
    let at = |offset: usize, len: usize| locate(source, text, ast.offset() + offset, len);
    let site = visit.site;
    for used in ast.named_values() {
        let name = used.name.to_ascii_lowercase();
        let span = at(used.offset, used.name.chars().count());
        if !ALL_CONTEXTS.contains(&name.as_str()) {
            let help = did_you_mean(&used.name, ALL_CONTEXTS.iter().copied()).map(|s| format!("did you mean `{s}`?"));
            out.push(Diagnostic::error(span, format!("unknown context `{}`", used.name)).with_optional_help(help));
            continue;
        }
        if !site.contexts().contains(&name.as_str()) {
            let available = match site.contexts() {
                [] => "no context is available here".to_string(),
                names => format!("available here: {}", names.join(", ")),
            };
            out.push(Diagnostic::error(
                span,
                format!("context `{name}` is not available in {}; {available}", site.describe()),
            ));
            continue;
        }
        if let Some(first) = used.path.first() {
            check_reference(&name, first, visit.scope, inputs, span, out);
        }
    }
    for call in ast.function_calls() {
        let canonical = SPECIAL_FUNCTIONS.iter().find(|f| f.eq_ignore_ascii_case(&call.name));
        if let Some(special) = canonical {
            if !site.special_functions().iter().any(|f| f == special) {
                out.push(Diagnostic::error(
                    at(call.offset, call.name.chars().count()),
                    format!("function `{}` is not available in {}", call.name, site.describe()),
                ));
            }
        }
        if call.name.eq_ignore_ascii_case("fromJSON") {
            if let Some(literal) = &call.string_arg {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(literal) {
                    // Point at the string argument: the first quote after the name.
                    let argument = ast.text().chars().skip(call.offset).position(|c| c == '\'');
                    out.push(Diagnostic::error(
                        at(call.offset + argument.unwrap_or(0), 1),
                        format!("fromJSON is given a string that is not JSON: {e}"),
                    ));
                }
            }
        }
    }
}

/// `needs.<job>`, `steps.<id>`, `matrix.<key>`, `inputs.<name>` should
/// exist. Each is a warning: GitHub evaluates an unknown one to empty and
/// runs the file.
fn check_reference(
    context: &str,
    property: &str,
    scope: &Scope,
    inputs: Option<&[String]>,
    span: crate::diag::Span,
    out: &mut Vec<Diagnostic>,
) {
    let known = |list: &[String]| list.iter().any(|k| k.eq_ignore_ascii_case(property));
    let suggest = |list: &[String]| {
        did_you_mean(property, list.iter().map(String::as_str)).map(|s| format!("did you mean `{s}`?"))
    };
    let diagnostic = match context {
        "needs" => scope.needs.as_deref().filter(|n| !known(n)).map(|needs| {
            let listed = if needs.is_empty() {
                "the job needs no job".to_string()
            } else {
                format!("it needs {}", needs.join(", "))
            };
            Diagnostic::warning(span, format!("`needs.{property}` is not available: {listed}"))
                .with_optional_help(suggest(needs))
        }),
        "steps" => scope.steps.as_deref().filter(|s| !known(s)).map(|steps| {
            Diagnostic::warning(
                span,
                format!("`steps.{property}` names no step with that id that runs before this point"),
            )
            .with_optional_help(suggest(steps))
        }),
        "matrix" => scope.matrix_keys.as_deref().filter(|m| !known(m)).map(|keys| {
            let message = if keys.is_empty() {
                format!("`matrix.{property}` is always empty: the job has no matrix")
            } else {
                format!(
                    "`matrix.{property}` is not a key of the job's matrix ({})",
                    keys.join(", ")
                )
            };
            Diagnostic::warning(span, message).with_optional_help(suggest(keys))
        }),
        "inputs" => inputs.filter(|i| !known(i)).map(|declared| {
            Diagnostic::warning(span, format!("`inputs.{property}` is not a declared input"))
                .with_optional_help(suggest(declared))
        }),
        _ => None,
    };
    out.extend(diagnostic);
}
