//! The rules grammar: every form, and every error with its line.

use super::{parse_rules, ChangeKind, Check, Op, Rule, RuleError};

fn one(text: &str) -> Rule {
    match parse_rules(text) {
        Ok(rules) if rules.len() == 1 => rules[0].clone(),
        other => panic!("{text:?} gave {other:?}"),
    }
}

/// The error messages of `text`, rendered as `rules:LINE: …`.
fn errors(text: &str) -> Vec<String> {
    match parse_rules(text) {
        Err(errors) => errors.iter().map(|e| e.render("rules")).collect(),
        Ok(rules) => panic!("{text:?} parsed as {rules:?}"),
    }
}

fn error(line: &str) -> String {
    let mut all = errors(line);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

#[test]
fn every_value_form() {
    for (text, op) in [
        ("accuracy >= 0.90", Op::Ge),
        ("accuracy > 0.90", Op::Gt),
        ("accuracy <= 0.90", Op::Le),
        ("accuracy < 0.90", Op::Lt),
        ("accuracy == 0.90", Op::Eq),
    ] {
        let rule = one(text);
        assert_eq!(rule.metric, "accuracy");
        assert_eq!(rule.check, Check::Bound { op, limit: 0.9 });
        assert_eq!(rule.text(), text, "the canonical text keeps the number as written");
        assert_eq!(rule.line, 1);
        assert!(!rule.is_comparison());
    }
}

#[test]
fn spacing_is_free_and_the_canonical_text_normalises_it() {
    let rule = one("  eval.accuracy>=0.9  ");
    assert_eq!(rule.metric, "eval.accuracy");
    assert_eq!(rule.text(), "eval.accuracy >= 0.9");
    assert_eq!(
        one("loss<=-1e-3").check,
        Check::Bound {
            op: Op::Le,
            limit: -0.001
        }
    );
}

#[test]
fn every_comparison_form() {
    for (text, kind, amount, relative) in [
        ("accuracy max-drop 0.01", ChangeKind::MaxDrop, 0.01, false),
        ("f1 max-drop 2%", ChangeKind::MaxDrop, 2.0, true),
        ("latency_ms.p95 max-rise 5", ChangeKind::MaxRise, 5.0, false),
        ("latency_ms max-rise 10%", ChangeKind::MaxRise, 10.0, true),
        ("auc min-gain 0.001", ChangeKind::MinGain, 0.001, false),
        ("auc min-gain 1.5%", ChangeKind::MinGain, 1.5, true),
    ] {
        let rule = one(text);
        assert_eq!(rule.check, Check::Change { kind, amount, relative }, "{text}");
        assert_eq!(rule.text(), text);
        assert!(rule.is_comparison());
        assert_eq!(rule.is_relative(), relative);
    }
    assert_eq!(one("f1   max-drop   2 %").text(), "f1 max-drop 2%");
}

#[test]
fn comments_and_blank_lines_are_skipped_and_lines_counted() {
    let rules = parse_rules("# the gate\n\naccuracy >= 0.9   # floor\n   \n  # indented comment\nloss max-rise 5%\n")
        .expect("parses");
    let lines: Vec<_> = rules.iter().map(|r| (r.line, r.text())).collect();
    assert_eq!(
        lines,
        vec![(3, "accuracy >= 0.9".to_string()), (6, "loss max-rise 5%".to_string())]
    );
    assert_eq!(parse_rules("# nothing\n\n"), Ok(vec![]));
}

#[test]
fn operators_that_are_not_comparisons() {
    assert_eq!(
        error("acc >> 0.9"),
        "rules:1: cannot read `acc >> 0.9`: `>>` is not a comparison; use >=, <=, >, < or =="
    );
    assert_eq!(
        error("acc = 0.9"),
        "rules:1: cannot read `acc = 0.9`: `=` is not a comparison; did you mean `==`?"
    );
    assert_eq!(
        error("acc != 0.9"),
        "rules:1: cannot read `acc != 0.9`: `!=` is not supported: a rule states what must hold; use >=, <=, >, < or =="
    );
    assert_eq!(
        error("acc => 0.9"),
        "rules:1: cannot read `acc => 0.9`: `=>` is not a comparison; use >=, <=, >, < or =="
    );
}

#[test]
fn bad_numbers_and_missing_parts() {
    assert_eq!(
        error("acc >= high"),
        "rules:1: cannot read `acc >= high`: `high` is not a number"
    );
    assert_eq!(
        error("acc >= inf"),
        "rules:1: cannot read `acc >= inf`: `inf` is not a number"
    );
    assert_eq!(
        error("acc >= NaN"),
        "rules:1: cannot read `acc >= NaN`: `NaN` is not a number"
    );
    assert_eq!(
        error("acc >= 0.9 0.8"),
        "rules:1: cannot read `acc >= 0.9 0.8`: `0.9 0.8` is not a number"
    );
    assert_eq!(
        error("acc >="),
        "rules:1: cannot read `acc >=`: the number after `>=` is missing"
    );
    assert_eq!(
        error(">= 0.9"),
        "rules:1: cannot read `>= 0.9`: the metric name before `>=` is missing"
    );
    assert_eq!(
        error("eval acc >= 0.9"),
        "rules:1: cannot read `eval acc >= 0.9`: `eval acc` is not a metric name (a name has no spaces)"
    );
    assert_eq!(
        error("acc >= 90%"),
        "rules:1: cannot read `acc >= 90%`: a bound is a plain number; `%` goes only with max-drop, max-rise and min-gain"
    );
}

#[test]
fn bad_comparison_rules() {
    assert_eq!(
        error("acc max-dorp 0.01"),
        "rules:1: cannot read `acc max-dorp 0.01`: `max-dorp` is not a rule; did you mean `max-drop`?"
    );
    assert_eq!(
        error("acc max_rise 0.01"),
        "rules:1: cannot read `acc max_rise 0.01`: `max_rise` is not a rule; did you mean `max-rise`?"
    );
    assert_eq!(
        error("acc should-be 0.01"),
        "rules:1: cannot read `acc should-be 0.01`: `should-be` is not a rule; expected `METRIC >= N` (or <=, >, <, ==) or `METRIC max-drop|max-rise|min-gain N[%]`"
    );
    assert_eq!(
        error("accuracy"),
        "rules:1: cannot read `accuracy`: `accuracy` has no condition; expected `METRIC >= N` (or <=, >, <, ==) or `METRIC max-drop|max-rise|min-gain N[%]`"
    );
    assert_eq!(
        error("acc max-drop"),
        "rules:1: cannot read `acc max-drop`: the amount after `max-drop` is missing"
    );
    assert_eq!(
        error("acc max-drop 1 2"),
        "rules:1: cannot read `acc max-drop 1 2`: unexpected `2` after the amount; expected `METRIC >= N` (or <=, >, <, ==) or `METRIC max-drop|max-rise|min-gain N[%]`"
    );
    assert_eq!(
        error("acc max-drop two%"),
        "rules:1: cannot read `acc max-drop two%`: `two` is not a number"
    );
    assert_eq!(
        error("acc max-drop -0.01"),
        "rules:1: cannot read `acc max-drop -0.01`: the amount must not be negative (`acc max-drop 0.01` allows a change of 0.01)"
    );
    assert_eq!(
        error("acc max-drop %"),
        "rules:1: cannot read `acc max-drop %`: the amount after `max-drop` is missing"
    );
}

#[test]
fn every_bad_line_is_reported_with_its_line() {
    let text = "accuracy >= 0.9\n# fine\nacc >> 0.9  # typo\nloss max-rise 5%\nf1 max-drop\n";
    assert_eq!(
        errors(text),
        vec![
            "rules:3: cannot read `acc >> 0.9`: `>>` is not a comparison; use >=, <=, >, < or ==",
            "rules:5: cannot read `f1 max-drop`: the amount after `max-drop` is missing",
        ]
    );
    let first = RuleError {
        line: 3,
        text: "acc >> 0.9".into(),
        reason: "why".into(),
    };
    assert_eq!(first.to_string(), "rules:3: cannot read `acc >> 0.9`: why");
    assert_eq!(
        first.render("gate.rules"),
        "gate.rules:3: cannot read `acc >> 0.9`: why"
    );
    assert_eq!(first.message(), "cannot read `acc >> 0.9`: why");
}
