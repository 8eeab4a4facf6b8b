//! `mlci eval 'EXPR' [--context FILE.json]`: evaluate one expression and
//! print the result as JSON.

use crate::exit;
use crate::expr::{eval_json, ErrorKind};
use serde_json::{Map, Value};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The expression, without `${{ }}` (a surrounding `${{ }}` is accepted).
    #[arg(allow_hyphen_values = true)]
    expression: String,
    /// A JSON file whose top-level keys are contexts: {"github": {...}, "matrix": {...}}.
    #[arg(long)]
    context: Option<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let contexts = match &args.context {
        None => Map::new(),
        Some(path) => match read_contexts(path) {
            Ok(contexts) => contexts,
            Err(message) => {
                eprintln!("error: {message}");
                return exit::USAGE;
            }
        },
    };
    let text = args.expression.trim();
    let expression = text
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(text);
    match eval_json(expression, &contexts) {
        Ok(value) => {
            println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
            exit::SUCCESS
        }
        Err(e) => {
            let stage = match e.kind {
                ErrorKind::Lexing | ErrorKind::Parsing => "invalid expression",
                ErrorKind::Evaluation => "evaluation failed",
            };
            eprintln!(
                "error: {stage}: {e}\n  {expression}\n  {}^ column {}",
                " ".repeat(e.column.saturating_sub(1)),
                e.column
            );
            if e.kind == ErrorKind::Evaluation {
                exit::FAILURE
            } else {
                exit::INVALID
            }
        }
    }
}

fn read_contexts(path: &PathBuf) -> Result<Map<String, Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("failed to read {}: {e}", path.display()))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("{} must hold a JSON object of contexts", path.display())),
        Err(e) => Err(format!("{} is not valid JSON: {e}", path.display())),
    }
}
