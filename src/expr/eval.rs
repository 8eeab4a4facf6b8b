//! Evaluates an [`Ast`] against an [`EvalHost`], with the runner's
//! semantics: `&&`/`||` return an operand and short-circuit, index misses
//! give null, `.*` produces filtered arrays, and memory use is capped.

use std::sync::Arc;

use super::ast::{Ast, Literal, Node, NodeKind};
use super::error::ExprError;
use super::host::EvalHost;
use super::memory::{self, EvaluationMemory, MemoryExceeded};
use super::value::Value;

mod calls;
mod index;

/// Evaluates a parsed expression. An empty expression gives null. Error
/// columns are relative to the expression text.
pub fn evaluate(ast: &Ast, host: &dyn EvalHost) -> Result<Value, ExprError> {
    let Some(root) = &ast.root else {
        return Ok(Value::Null);
    };
    let mut evaluator = Evaluator {
        host,
        text: &ast.text,
        memory: EvaluationMemory::default(),
    };
    evaluator.eval(root, 0).map(Evaluated::into_value)
}

/// A result inside the evaluator. A filtered array (from `.*`) is an array
/// whose later `.x` / `[i]` steps apply to each element; it becomes a plain
/// array once it leaves the evaluator.
enum Evaluated {
    Value(Value),
    Filtered(Vec<Value>),
}

impl Evaluated {
    fn into_value(self) -> Value {
        match self {
            Evaluated::Value(v) => v,
            Evaluated::Filtered(items) => Value::Array(Arc::new(items)),
        }
    }
}

struct Evaluator<'a> {
    host: &'a dyn EvalHost,
    text: &'a str,
    memory: EvaluationMemory,
}

impl Evaluator<'_> {
    fn memory_error(&self, node: &Node) -> ExprError {
        let source: String = self
            .text
            .chars()
            .skip(node.start)
            .take(node.end.saturating_sub(node.start))
            .collect();
        ExprError::evaluation(
            format!("The maximum allowed memory size was exceeded while evaluating the following expression: {source}"),
            node.start,
        )
    }

    fn value(&mut self, node: &Node, level: usize) -> Result<Value, ExprError> {
        self.eval(node, level).map(Evaluated::into_value)
    }

    fn eval(&mut self, node: &Node, level: usize) -> Result<Evaluated, ExprError> {
        let result = match &node.kind {
            NodeKind::Literal(literal) => Evaluated::Value(match literal {
                Literal::Null => Value::Null,
                Literal::Bool(b) => Value::Bool(*b),
                Literal::Number(n) => Value::Number(*n),
                Literal::String(s) => Value::String(s.clone()),
            }),
            NodeKind::NamedValue(name) => Evaluated::Value(self.host.named_value(name).unwrap_or(Value::Null)),
            NodeKind::Not(operand) => Evaluated::Value(Value::Bool(!self.value(operand, level + 1)?.is_truthy())),
            NodeKind::Compare { op, left, right } => {
                let left = self.value(left, level + 1)?;
                let right = self.value(right, level + 1)?;
                Evaluated::Value(Value::Bool(op.apply(&left, &right)))
            }
            NodeKind::And(items) => self.logical(items, level, false)?,
            NodeKind::Or(items) => self.logical(items, level, true)?,
            NodeKind::Index { target, index } => self.index(target, index, level)?,
            NodeKind::Call { function, args, .. } => self.call(node, *function, args, level)?,
        };
        let (bytes, release) = match &result {
            Evaluated::Value(Value::String(s)) => (memory::string_bytes(s), true),
            Evaluated::Value(v) => (memory::MIN_OBJECT_BYTES, v.is_primitive()),
            Evaluated::Filtered(items) => (memory::MIN_OBJECT_BYTES + memory::POINTER_BYTES * items.len(), false),
        };
        self.memory
            .charge(level, bytes, release)
            .map_err(|MemoryExceeded| self.memory_error(node))?;
        Ok(result)
    }

    /// `&&` returns the first falsy operand, `||` the first truthy one;
    /// otherwise both return the last.
    fn logical(&mut self, items: &[Node], level: usize, or: bool) -> Result<Evaluated, ExprError> {
        let mut last = Evaluated::Value(Value::Null);
        for item in items {
            last = self.eval(item, level + 1)?;
            let truthy = match &last {
                Evaluated::Value(v) => v.is_truthy(),
                Evaluated::Filtered(_) => true,
            };
            if truthy == or {
                break;
            }
        }
        Ok(last)
    }
}
