//! Function calls: eager functions over evaluated arguments, and `case`
//! and `format`, which evaluate only the arguments they need.

use super::{Evaluated, Evaluator};
use crate::expr::ast::Node;
use crate::expr::error::ExprError;
use crate::expr::function::Function;
use crate::expr::functions::{self, format::Piece};
use crate::expr::host::StatusFunction;
use crate::expr::memory::MemoryCounter;
use crate::expr::value::Value;

impl Evaluator<'_> {
    pub(super) fn call(
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
            Function::Join => {
                Value::String(functions::join(arg(0), values.get(1)).map_err(|_| self.memory_error(node))?)
            }
            Function::ToJson => Value::String(functions::to_json(arg(0)).map_err(|_| self.memory_error(node))?),
            Function::FromJson => functions::from_json(arg(0)).map_err(fail)?,
            Function::HashFiles => Value::String(self.hash_files(node, &values)?),
            Function::Success => Value::Bool(self.host.status(StatusFunction::Success, &values)?),
            Function::Failure => Value::Bool(self.host.status(StatusFunction::Failure, &values)?),
            Function::Cancelled => Value::Bool(self.host.status(StatusFunction::Cancelled, &values)?),
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
                            let arg = arg_nodes
                                .get(i)
                                .ok_or_else(|| ExprError::evaluation("format argument out of range", node.start))?;
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
                counter.add_string(&text).map_err(|_| self.memory_error(node))?;
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
        // `${{ github.workspace }}/…` names the workspace as the job sees it
        // (`/github/workspace` in a container); the files are at the host's.
        let seen = match self.host.named_value("github") {
            Some(Value::Object(github)) => match github.get("workspace") {
                Some(Value::String(seen)) => seen.clone(),
                _ => String::new(),
            },
            _ => String::new(),
        };
        let patterns = functions::hash_files::on_host(&patterns, &seen, workspace);
        functions::hash_files::hash_files(workspace, &patterns, &|| self.host.hashing_stopped()).map_err(|e| {
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
