//! Reading the rules text: one rule per line, `#` comments and blank lines
//! ignored. Every line that does not parse is reported, each naming its
//! line, so a typo can never turn into a rule that silently passes.

use super::rule::{ChangeKind, Check, Op, Rule};
use std::fmt;

/// Characters that make up a comparison operator; a metric name has none.
const OPERATOR_CHARS: &[char] = &['<', '>', '=', '!'];

/// What the two rule forms look like, for messages.
const FORMS: &str = "expected `METRIC >= N` (or <=, >, <, ==) or `METRIC max-drop|max-rise|min-gain N[%]`";

/// A line of the rules text that is not a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The line, from 1.
    pub line: usize,
    /// The line as written, comment and surrounding blanks removed.
    pub text: String,
    pub reason: String,
}

impl RuleError {
    /// `cannot read `acc >> 0.9`: …`, without the place; see [`RuleError::render`].
    pub fn message(&self) -> String {
        format!("cannot read `{}`: {}", self.text, self.reason)
    }

    /// `SOURCE:LINE: cannot read `…`: …`, e.g. `rules:3: cannot read `acc >> 0.9`: …`.
    pub fn render(&self, source: &str) -> String {
        format!("{source}:{}: {}", self.line, self.message())
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("rules"))
    }
}

/// Every rule of `text`, in order, or every line that is not a rule. An
/// empty result is not an error here (the caller may join several sources);
/// see [`no_rules`].
pub fn parse_rules(text: &str) -> Result<Vec<Rule>, Vec<RuleError>> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let content = raw.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        let line = index + 1;
        match parse_rule(content) {
            Ok(parsed) => rules.push(Rule { line, ..parsed }),
            Err(reason) => errors.push(RuleError {
                line,
                text: content.to_string(),
                reason,
            }),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// The error for a gate without rules: it would pass anything.
pub fn no_rules(source: &str) -> String {
    format!("{source}: no rules (every line is blank or a comment); a gate without rules would pass anything")
}

/// One non-empty line, without its comment.
fn parse_rule(content: &str) -> Result<Rule, String> {
    match content.find(OPERATOR_CHARS) {
        Some(at) => parse_bound(&content[..at], &content[at..]),
        None => parse_change(content),
    }
}

/// `METRIC OP NUMBER`; `rest` starts at the operator.
fn parse_bound(metric: &str, rest: &str) -> Result<Rule, String> {
    let symbol_len = rest.find(|c| !OPERATOR_CHARS.contains(&c)).unwrap_or(rest.len());
    let (symbol, value) = rest.split_at(symbol_len);
    let op = Op::from_symbol(symbol).ok_or_else(|| match symbol {
        "=" => "`=` is not a comparison; did you mean `==`?".to_string(),
        "!=" => "`!=` is not supported: a rule states what must hold; use >=, <=, >, < or ==".to_string(),
        _ => format!("`{symbol}` is not a comparison; use >=, <=, >, < or =="),
    })?;
    let metric = metric_name(metric.trim(), symbol)?;
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("the number after `{symbol}` is missing"));
    }
    if value.ends_with('%') {
        return Err("a bound is a plain number; `%` goes only with max-drop, max-rise and min-gain".to_string());
    }
    let limit = number(value)?;
    Ok(Rule {
        metric,
        check: Check::Bound { op, limit },
        amount_text: value.to_string(),
        line: 0,
    })
}

/// `METRIC KEYWORD AMOUNT[%]`.
fn parse_change(content: &str) -> Result<Rule, String> {
    let joined: String;
    let mut words: Vec<&str> = content.split_whitespace().collect();
    // `f1 max-drop 2 %`: the percent sign written apart.
    if words.len() == 4 && words[3] == "%" {
        joined = format!("{}%", words[2]);
        words.truncate(2);
        words.push(&joined);
    }
    let keyword = match words.get(1) {
        Some(word) => ChangeKind::from_keyword(word).ok_or_else(|| unknown_keyword(word))?,
        None => return Err(format!("`{content}` has no condition; {FORMS}")),
    };
    let Some(amount) = words.get(2) else {
        return Err(format!("the amount after `{}` is missing", keyword.keyword()));
    };
    if let Some(extra) = words.get(3) {
        return Err(format!("unexpected `{extra}` after the amount; {FORMS}"));
    }
    let metric = metric_name(words[0], keyword.keyword())?;
    let (digits, relative) = match amount.strip_suffix('%') {
        Some(digits) => (digits, true),
        None => (*amount, false),
    };
    if digits.is_empty() {
        return Err(format!("the amount after `{}` is missing", keyword.keyword()));
    }
    let value = number(digits)?;
    if value < 0.0 {
        return Err(format!(
            "the amount must not be negative (`{metric} {} 0.01` allows a change of 0.01)",
            keyword.keyword()
        ));
    }
    Ok(Rule {
        metric,
        check: Check::Change {
            kind: keyword,
            amount: value,
            relative,
        },
        amount_text: digits.to_string(),
        line: 0,
    })
}

fn unknown_keyword(word: &str) -> String {
    let closest = ChangeKind::ALL
        .into_iter()
        .map(|k| (strsim::levenshtein(word, k.keyword()), k.keyword()))
        .min();
    match closest {
        Some((distance, keyword)) if distance <= 2 => format!("`{word}` is not a rule; did you mean `{keyword}`?"),
        _ => format!("`{word}` is not a rule; {FORMS}"),
    }
}

fn metric_name(name: &str, before: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err(format!("the metric name before `{before}` is missing"));
    }
    if name.contains(char::is_whitespace) {
        return Err(format!("`{name}` is not a metric name (a name has no spaces)"));
    }
    Ok(name.to_string())
}

/// A finite decimal number (`0.9`, `-1`, `1e-3`).
fn number(text: &str) -> Result<f64, String> {
    let is_decimal = text.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    match text.parse::<f64>() {
        Ok(value) if is_decimal && value.is_finite() => Ok(value),
        _ => Err(format!("`{text}` is not a number")),
    }
}
