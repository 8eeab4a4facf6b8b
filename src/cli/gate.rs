//! `mlci gate`: checks a metrics file against quality rules, the same gate
//! as the built-in step `uses: mlci/gate@v1`, so it also runs inside any
//! other CI.
//!
//! Exit codes: 0 every rule passed (comparisons without a baseline are
//! skipped, not failed); 1 a rule failed; 2 no verdict could be made: the
//! command line is wrong, a rule does not parse, there are no rules, the
//! metrics or baseline file is unreadable or not an object, or the store's
//! `metrics.db` cannot be read or written.

use super::stored::{print, StoreArg};
use crate::exit;
use crate::gate::{no_rules, parse_rules, run_gate, BaselineSource, GateInput, RuleError};
use crate::trigger::github_context::default_branch;
use git2::Repository;
use std::path::{Path, PathBuf};

/// The baseline branch outside a git repository, or when none is found.
const FALLBACK_BRANCH: &str = "main";

#[derive(clap::Args)]
pub struct Args {
    /// The candidate's metrics: a JSON or YAML object; nested keys are named as dotted paths (`eval.accuracy`).
    #[arg(long, value_name = "FILE")]
    metrics: PathBuf,
    /// A rule: `METRIC >= N` (or <=, >, <, ==), `METRIC max-drop N[%]`, `max-rise N[%]`, `min-gain N[%]`. Repeat for more.
    #[arg(long = "rule", value_name = "RULE")]
    rules: Vec<String>,
    /// A file of rules, one per line; blank lines and `#` comments are ignored.
    #[arg(long, value_name = "FILE")]
    rules_file: Option<PathBuf>,
    /// Compare with this branch's last passing gate, or with this JSON/YAML file (a path that exists).
    /// Default: the repository's default branch, else `main`.
    #[arg(long, value_name = "BRANCH|FILE")]
    baseline: Option<String>,
    /// The branch being gated: its history gets the metrics, which become its baseline if the gate passes.
    /// Default: the current git branch (outside a repository, or on a detached HEAD, nothing is recorded).
    #[arg(long, value_name = "BRANCH")]
    branch: Option<String>,
    /// Record nothing, whatever the branch.
    #[arg(long, conflicts_with = "branch")]
    no_record: bool,
    #[command(flatten)]
    store: StoreArg,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> i32 {
    let rules = match rules_text(&args) {
        Ok(rules) => rules,
        Err(messages) => {
            messages.iter().for_each(|m| eprintln!("error: {m}"));
            return exit::USAGE;
        }
    };
    let repo = std::env::current_dir()
        .ok()
        .and_then(|cwd| Repository::discover(cwd).ok());
    let baseline = match args.baseline {
        Some(file) if Path::new(&file).exists() => BaselineSource::File(PathBuf::from(file)),
        Some(branch) => BaselineSource::Branch(branch),
        None => BaselineSource::Branch(
            repo.as_ref()
                .and_then(default_branch)
                .unwrap_or_else(|| FALLBACK_BRANCH.to_string()),
        ),
    };
    let branch = match (args.no_record, args.branch) {
        (true, _) => None,
        (false, Some(branch)) => Some(branch),
        (false, None) => repo.as_ref().and_then(current_branch),
    };
    let input = GateInput {
        metrics_path: args.metrics,
        rules,
        baseline,
        branch,
        run_id: None,
    };
    let verdict = match run_gate(&args.store.dir(), &input) {
        Ok(verdict) => verdict,
        Err(message) => {
            message.lines().for_each(|m| eprintln!("error: {m}"));
            return exit::USAGE;
        }
    };
    if args.json {
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&verdict).unwrap_or_default()
        ));
    } else {
        print(&verdict.table());
    }
    if verdict.passed {
        exit::SUCCESS
    } else {
        exit::FAILURE
    }
}

/// The rules of `--rules-file` and then of each `--rule`, checked here so
/// that an error names the file's line or the `--rule` flag it came from.
fn rules_text(args: &Args) -> Result<String, Vec<String>> {
    let mut errors = Vec::new();
    let mut text = String::new();
    if let Some(path) = &args.rules_file {
        let file = std::fs::read_to_string(path).map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
        let source = path.display().to_string();
        collect(&file, |e| e.render(&source), &mut errors);
        text.push_str(&file);
        text.push('\n');
    }
    let flags = args.rules.join("\n");
    collect(&flags, |e| format!("--rule {}: {}", e.line, e.message()), &mut errors);
    text.push_str(&flags);
    if !errors.is_empty() {
        return Err(errors);
    }
    if parse_rules(&text).is_ok_and(|rules| rules.is_empty()) {
        let source = match &args.rules_file {
            Some(path) => path.display().to_string(),
            None => "mlci gate".to_string(),
        };
        return Err(vec![format!(
            "{} (give --rule RULE or --rules-file FILE)",
            no_rules(&source)
        )]);
    }
    Ok(text)
}

fn collect(text: &str, render: impl Fn(&RuleError) -> String, errors: &mut Vec<String>) {
    if let Err(found) = parse_rules(text) {
        errors.extend(found.iter().map(render));
    }
}

/// The branch HEAD is on (also an unborn one); None when detached.
fn current_branch(repo: &Repository) -> Option<String> {
    let head = repo.find_reference("HEAD").ok()?;
    head.symbolic_target()?.strip_prefix("refs/heads/").map(str::to_string)
}
