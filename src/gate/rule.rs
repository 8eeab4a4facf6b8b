//! A gate rule as the user wrote it: a bound on a metric's value
//! (`accuracy >= 0.9`), or a limit on its change against the baseline
//! (`accuracy max-drop 0.01`, `latency_ms max-rise 10%`).

/// One rule of a gate, from one line of the rules text.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// A dotted path into the metrics object (`eval.accuracy`).
    pub metric: String,
    pub check: Check,
    /// The number as written (`0.90` stays `0.90` in the table).
    pub amount_text: String,
    /// The rules text's line, from 1.
    pub line: usize,
}

/// What a rule checks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// The candidate's value alone decides: `M >= X`.
    Bound { op: Op, limit: f64 },
    /// Decided against the baseline: `M max-drop D` (absolute) or `D%` (relative).
    Change {
        kind: ChangeKind,
        amount: f64,
        relative: bool,
    },
}

/// The comparison of a value rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

/// The limit a comparison rule puts on the change from the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Higher is better: the candidate may fall by at most the amount.
    MaxDrop,
    /// Lower is better: the candidate may rise by at most the amount.
    MaxRise,
    /// The candidate must improve on the baseline by at least the amount.
    MinGain,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "==",
        }
    }

    pub fn from_symbol(symbol: &str) -> Option<Op> {
        Some(match symbol {
            ">=" => Op::Ge,
            ">" => Op::Gt,
            "<=" => Op::Le,
            "<" => Op::Lt,
            "==" => Op::Eq,
            _ => return None,
        })
    }
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 3] = [ChangeKind::MaxDrop, ChangeKind::MaxRise, ChangeKind::MinGain];

    pub fn keyword(self) -> &'static str {
        match self {
            ChangeKind::MaxDrop => "max-drop",
            ChangeKind::MaxRise => "max-rise",
            ChangeKind::MinGain => "min-gain",
        }
    }

    pub fn from_keyword(word: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.keyword() == word)
    }
}

impl Rule {
    /// The rule in its one canonical spelling: `accuracy >= 0.90`, `f1 max-drop 2%`.
    pub fn text(&self) -> String {
        match self.check {
            Check::Bound { op, .. } => format!("{} {} {}", self.metric, op.symbol(), self.amount_text),
            Check::Change { kind, relative, .. } => format!(
                "{} {} {}{}",
                self.metric,
                kind.keyword(),
                self.amount_text,
                if relative { "%" } else { "" }
            ),
        }
    }

    /// Whether the rule needs a baseline.
    pub fn is_comparison(&self) -> bool {
        matches!(self.check, Check::Change { .. })
    }

    /// Whether the rule is a relative (`%`) comparison, which a baseline of 0 cannot decide.
    pub fn is_relative(&self) -> bool {
        matches!(self.check, Check::Change { relative: true, .. })
    }
}
