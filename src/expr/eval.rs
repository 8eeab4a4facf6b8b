//! Evaluates an [`Ast`] against an [`EvalHost`], with the runner's
//! semantics: `&&`/`||` return an operand and short-circuit, index misses
//! give null, `.*` produces filtered arrays, and memory use is capped.

use std::rc::Rc;

use super::ast::{Ast, IndexKey, Literal, Node, NodeKind};
use super::error::ExprError;
use super::function::Function;
use super::functions::{self, format::Piece};
use super::host::{EvalHost, StatusFunction};
use super::memory::{self, EvaluationMemory, MemoryCounter, MemoryExceeded};
use super::value::Value;

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
            Evaluated::Filtered(items) => Value::Array(Rc::new(items)),
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
            format!(
                "The maximum allowed memory size was exceeded while evaluating the following expression: {source}"
            ),
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
            NodeKind::NamedValue(name) => {
                Evaluated::Value(self.host.named_value(name).unwrap_or(Value::Null))
            }
            NodeKind::Not(operand) => {
                Evaluated::Value(Value::Bool(!self.value(operand, level + 1)?.is_truthy()))
            }
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
            Evaluated::Filtered(items) => (
                memory::MIN_OBJECT_BYTES + memory::POINTER_BYTES * items.len(),
                false,
            ),
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

    fn index(
        &mut self,
        target: &Node,
        key: &IndexKey,
        level: usize,
    ) -> Result<Evaluated, ExprError> {
        let collection = self.eval(target, level + 1)?;
        // The index is only evaluated when there is something to index.
        let is_collection = matches!(
            collection,
            Evaluated::Filtered(_) | Evaluated::Value(Value::Array(_) | Value::Object(_))
        );
        if !is_collection {
            return Ok(match key {
                IndexKey::Wildcard => Evaluated::Filtered(Vec::new()),
                IndexKey::Expr(_) => Evaluated::Value(Value::Null),
            });
        }
        let key = match key {
            IndexKey::Wildcard => None,
            IndexKey::Expr(expr) => Some(self.value(expr, level + 1)?),
        };
        Ok(match collection {
            Evaluated::Filtered(items) => {
                let mut out = Vec::new();
                for item in &items {
                    match (item, &key) {
                        (Value::Object(o), None) => out.extend(o.values().cloned()),
                        (Value::Array(a), None) => out.extend(a.iter().cloned()),
                        (item, Some(key)) => out.extend(lookup(item, key)),
                        _ => {}
                    }
                }
                Evaluated::Filtered(out)
            }
            Evaluated::Value(value) => match (&value, &key) {
                (Value::Object(o), None) => Evaluated::Filtered(o.values().cloned().collect()),
                (Value::Array(a), None) => Evaluated::Filtered(a.iter().cloned().collect()),
                (_, Some(key)) => Evaluated::Value(lookup(&value, key).unwrap_or(Value::Null)),
                _ => Evaluated::Value(Value::Null),
            },
        })
    }

    fn call(
        &mut self,
        node: &Node,
        function: Function,
        args: &[Node],
        level: usize,
    ) -> Result<Evaluated, ExprError> {
        let level = level + 1;
        match function {
            Function::Case => return self.case(node, args, level),
            Function::Format => return self.format(node, args, level).map(Evaluated::Value),
            _ => {}
        }
        let values = args
            .iter()
            .map(|a| self.value(a, level))
            .collect::<Result<Vec<Value>, _>>()?;
        let arg = |i: usize| values.get(i).unwrap_or(&Value::Null);
        let fail = |message: String| ExprError::evaluation(message, node.start);
        let value = match function {
            Function::Contains => Value::Bool(functions::contains(arg(0), arg(1))),
            Function::StartsWith => Value::Bool(functions::starts_with(arg(0), arg(1))),
            Function::EndsWith => Value::Bool(functions::ends_with(arg(0), arg(1))),
            Function::Join => Value::String(
                functions::join(arg(0), values.get(1)).map_err(|_| self.memory_error(node))?,
            ),
            Function::ToJson => {
                Value::String(functions::to_json(arg(0)).map_err(|_| self.memory_error(node))?)
            }
            Function::FromJson => functions::from_json(arg(0)).map_err(fail)?,
            Function::HashFiles => Value::String(self.hash_files(node, &values)?),
            Function::Success => Value::Bool(self.host.status(StatusFunction::Success, &values)?),
            Function::Failure => Value::Bool(self.host.status(StatusFunction::Failure, &values)?),
            Function::Cancelled => {
                Value::Bool(self.host.status(StatusFunction::Cancelled, &values)?)
            }
            Function::Always => Value::Bool(self.host.status(StatusFunction::Always, &values)?),
            Function::Case | Function::Format => Value::Null,
        };
        Ok(Evaluated::Value(value))
    }

    /// `case(pred1, value1, …, default)`: predicates must be booleans; only
    /// the chosen value is evaluated.
    fn case(&mut self, node: &Node, args: &[Node], level: usize) -> Result<Evaluated, ExprError> {
        let mut pairs = args.chunks_exact(2);
        for pair in pairs.by_ref() {
            let [predicate, value] = pair else { continue };
            match self.value(predicate, level)? {
                Value::Bool(true) => return self.eval(value, level),
                Value::Bool(false) => {}
                _ => {
                    return Err(ExprError::evaluation(
                        "case predicate must evaluate to a boolean value",
                        node.start,
                    ))
                }
            }
        }
        match pairs.remainder().first() {
            Some(default) => self.eval(default, level),
            None => Ok(Evaluated::Value(Value::Null)),
        }
    }

    /// `format(fmt, args…)`: the format string is checked in full before
    /// any argument is evaluated, and only referenced arguments are.
    fn format(&mut self, node: &Node, args: &[Node], level: usize) -> Result<Value, ExprError> {
        let Some((fmt_node, arg_nodes)) = args.split_first() else {
            return Ok(Value::String(String::new()));
        };
        let fmt = self.value(fmt_node, level)?.to_display_string();
        let pieces = functions::format::parse_format(&fmt, arg_nodes.len())
            .map_err(|message| ExprError::evaluation(message, node.start))?;
        let mut cache: Vec<Option<Value>> = vec![None; arg_nodes.len()];
        let mut counter = MemoryCounter::default();
        let mut out = String::new();
        for piece in pieces {
            let text = match piece {
                Piece::Text(text) => text,
                Piece::Arg(i, spec) => {
                    let value = match cache.get(i).cloned().flatten() {
                        Some(v) => v,
                        None => {
                            let arg = arg_nodes.get(i).ok_or_else(|| {
                                ExprError::evaluation("format argument out of range", node.start)
                            })?;
                            let v = self.value(arg, level)?;
                            if let Some(slot) = cache.get_mut(i) {
                                *slot = Some(v.clone());
                            }
                            v
                        }
                    };
                    if !spec.is_empty() {
                        return Err(ExprError::evaluation(
                            format!(
                                "The format specifiers '{spec}' are not valid for objects of type '{}'",
                                value.kind_name()
                            ),
                            node.start,
                        ));
                    }
                    value.to_display_string()
                }
            };
            if !text.is_empty() {
                counter
                    .add_string(&text)
                    .map_err(|_| self.memory_error(node))?;
            }
            out.push_str(&text);
        }
        Ok(Value::String(out))
    }

    fn hash_files(&self, node: &Node, values: &[Value]) -> Result<String, ExprError> {
        let patterns: Vec<String> = values.iter().map(Value::to_display_string).collect();
        let quoted = patterns.join(", ").replace('\'', "''");
        let Some(workspace) = self.host.workspace() else {
            return Err(ExprError::evaluation(
                format!("hashFiles('{quoted}') failed: no workspace directory is available here"),
                node.start,
            ));
        };
        functions::hash_files::hash_files(workspace, &patterns).map_err(|e| {
            ExprError::evaluation(
                format!(
                    "hashFiles('{quoted}') failed. Fail to hash files under directory '{}': {e}",
                    workspace.display()
                ),
                node.start,
            )
        })
    }
}

/// `value[key]` for one collection: objects by the key as a string (if it
/// is a primitive), arrays by the key as a non-negative whole number.
fn lookup(collection: &Value, key: &Value) -> Option<Value> {
    match collection {
        Value::Object(object) if key.is_primitive() => {
            object.get(&key.to_display_string()).cloned()
        }
        Value::Array(items) => {
            let n = key.to_number();
            if n.is_nan() || n < 0.0 {
                return None;
            }
            let n = n.floor();
            if n > f64::from(i32::MAX) {
                return None;
            }
            // In range: a non-negative whole number below 2^31.
            items.get(n as usize).cloned()
        }
        _ => None,
    }
}
