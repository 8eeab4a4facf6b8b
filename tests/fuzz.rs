//! Bounded fuzzing in `cargo test` (CI has no nightly for cargo-fuzz):
//! proptest mutates real inputs and checks that the front end never panics.
//! Each target runs a fixed number of cases; docs/reliability.md records
//! the counts and the time they take. A failing case is shrunk and printed.
//!
//! - the workflow loader and every check (`mlci validate`'s path), on
//!   mutated workflows from ../shared/corpus;
//! - the expression parser and evaluator, on strings of expression tokens;
//! - runner.yml (`load_config`, the daemon's loader), on mutated configurations.

use crate::support::shared;
use mlci::check::analyze;
use mlci::diag::SourceFile;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

/// Pieces a mutation inserts: YAML syntax, workflow keys, odd numbers and
/// expressions, characters that trip parsers.
const YAML_TOKENS: &[&str] = &[
    "${{",
    "}}",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\n",
    "  ",
    "'",
    "\"",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "? ",
    "|",
    ">-",
    "#",
    "\t",
    "\\",
    "é",
    "\u{0}",
    "\u{feff}",
    "---\n",
    "needs: [build]",
    "needs: x",
    "matrix:",
    "include:",
    "exclude:",
    "1e300",
    "-1",
    "0x",
    "on: push",
    "jobs:",
    "steps:",
    "runs-on: ",
    "container: ''",
    "${{ fromJSON('[1,2]') }}",
    "${{ matrix.x }}",
    "${{ steps.a.outputs.b }}",
    "timeout-minutes: ",
    "max-parallel: ",
    "strategy:",
    "cron: '* * * * *'",
    "branches: ['v\\d+']",
    "if: ",
    "uses: ./x",
];

/// Every workflow in the corpora, read once.
static WORKFLOWS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut files = Vec::new();
    for corpus in ["corpus/realworld", "corpus/actionlint", "corpus/act-testdata"] {
        collect(&shared(corpus), &mut files);
    }
    files.sort();
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .filter(|t| t.len() < 64 * 1024)
        .collect()
});

fn collect(path: &std::path::Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            collect(&entry.path(), out);
        }
    } else if path.extension().is_some_and(|x| x == "yml" || x == "yaml") {
        out.push(path.to_path_buf());
    }
}

/// One edit of a text: the position and the token are reduced modulo the
/// text's and the token list's length.
#[derive(Clone, Debug)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    Replace(usize, usize),
    DuplicateLine(usize),
    DeleteLine(usize),
    Indent(usize),
    Dedent(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Edit::Insert(p, t)),
        (any::<usize>(), 1..16usize).prop_map(|(p, n)| Edit::Delete(p, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Edit::Replace(p, t)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::Indent),
        any::<usize>().prop_map(Edit::Dedent),
    ]
}

fn mutate(text: &str, edits: &[Edit], tokens: &[&str]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let token = |t: usize| tokens[t % tokens.len()].chars().collect::<Vec<_>>();
    for edit in edits {
        let at = |p: usize| if chars.is_empty() { 0 } else { p % (chars.len() + 1) };
        match *edit {
            Edit::Insert(p, t) => {
                let p = at(p);
                chars.splice(p..p, token(t));
            }
            Edit::Delete(p, n) => {
                let p = at(p);
                let end = (p + n).min(chars.len());
                chars.drain(p..end);
            }
            Edit::Replace(p, t) => {
                let p = at(p);
                let end = (p + 1).min(chars.len());
                chars.splice(p..end, token(t));
            }
            Edit::DuplicateLine(l) | Edit::DeleteLine(l) | Edit::Indent(l) | Edit::Dedent(l) => {
                let text: String = chars.iter().collect();
                let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
                let l = l % lines.len();
                match edit {
                    Edit::DuplicateLine(_) => lines.insert(l, lines[l].clone()),
                    Edit::DeleteLine(_) => {
                        lines.remove(l);
                    }
                    Edit::Indent(_) => lines[l].insert_str(0, "  "),
                    _ => lines[l] = lines[l].strip_prefix("  ").unwrap_or(&lines[l]).to_string(),
                }
                chars = lines.join("\n").chars().collect();
            }
        }
    }
    chars.into_iter().collect()
}

/// `cases` per target, times `MLCI_FUZZ_SCALE` (default 1) for a longer soak.
fn config(cases: u32) -> Config {
    let scale: u32 = std::env::var("MLCI_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    Config {
        cases: cases.saturating_mul(scale.max(1)),
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn mutated_workflows_never_panic_the_checks(
        file in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        let workflows = &*WORKFLOWS;
        prop_assume!(!workflows.is_empty());
        let text = mutate(&workflows[file % workflows.len()], &edits, YAML_TOKENS);
        let analysis = analyze(Arc::new(SourceFile::new("fuzz.yml", text)));
        // Every diagnostic points inside the file (or at its start).
        let lines = analysis.source.text.split('\n').count() as u32;
        for d in &analysis.diagnostics {
            prop_assert!(d.span.line <= lines.max(1), "{d:?}");
            let _ = mlci::diag::render(d, &analysis.source);
        }
    }
}

/// Pieces of expressions: every operator, literal kind, function and context.
const EXPR_TOKENS: &[&str] = &[
    "github",
    "inputs",
    "matrix",
    "steps",
    "needs",
    "env",
    ".",
    "event",
    "*",
    "[",
    "]",
    "(",
    ")",
    "'a'",
    "'{0}'",
    "''",
    "1",
    "-1",
    "0x1F",
    "1e309",
    "-0",
    "NaN",
    "null",
    "true",
    "false",
    "!",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    ",",
    " ",
    "fromJSON(",
    "toJSON(",
    "format(",
    "contains(",
    "startsWith(",
    "endsWith(",
    "join(",
    "success()",
    "failure()",
    "always()",
    "hashFiles(",
    "'{'",
    "'}'",
    "'[1,[2]]'",
    "'{\"a\":{\"b\":1}}'",
    "os",
    "outputs",
    "'",
    "\\",
    "é",
];

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn expressions_never_panic_the_parser_or_evaluator(
        pieces in prop::collection::vec(0..EXPR_TOKENS.len(), 1..40),
    ) {
        let expr: String = pieces.iter().map(|&i| EXPR_TOKENS[i]).collect();
        let contexts = serde_json::json!({
            "github": {"event": {"inputs": {"a": "1"}}, "ref": "refs/heads/main"},
            "matrix": {"os": ["linux", {"a": [1, 2]}]},
            "steps": {"a": {"outputs": {"b": "x"}}},
        });
        let contexts = contexts.as_object().cloned().unwrap_or_default();
        let _ = mlci::expr::eval_json(&expr, &contexts);
        let options = mlci::expr::ParseOptions::with_named_values(["github", "matrix", "steps"].map(String::from))
            .functions(mlci::expr::ExtraFunctions::ALL);
        let _ = mlci::expr::parse_template(&format!("x ${{{{ {expr} }}}} y"), &options);
    }
}

const RUNNER_YML: &[&str] = &[
    "store: store\ncapacity: 2\nlabels:\n  cpu: host\n  gpu: { image: mlci/runner:cuda, gpus: 1 }\n  \
     gpu-host: { host: true, gpus: 2 }\nrepos:\n  - name: vision\n    path: vision.git\n    default_branch: main\n",
    "store: /nonexistent/mlci\ncapacity: 4\ngpus: [0, 1]\nrepos:\n  - name: nlp\n    url: https://git.example.com/nlp.git\n    \
     token_file: /nonexistent/token\n    workflows: ci/workflows\nlisten: 127.0.0.1:0\n\
     webhook_secret_file: /nonexistent/secret\nstatus:\n  gitea: https://git.example.com/api/v1\n  \
     token_file: /nonexistent/forge.token\nnotify:\n  - url: http://127.0.0.1:9/hook\n    on: [failure, recovered]\n\
     shutdown_timeout: 5m\njob_timeout: 6h\n",
];

const CONFIG_TOKENS: &[&str] = &[
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\n",
    "  ",
    "'",
    "\"",
    "&a ",
    "*a",
    "#",
    "\t",
    "0",
    "-1",
    "1e300",
    "99999999999999999999",
    "auto",
    "all",
    "host",
    "gpus: ",
    "capacity: ",
    "labels:",
    "repos:",
    "1h30m",
    "5x",
    "::",
    "127.0.0.1:99999",
    "device=0,1",
    "url: ",
    "é",
];

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn mutated_runner_configs_never_panic_load_config(
        seed in 0..RUNNER_YML.len(),
        edits in prop::collection::vec(edit(), 1..10),
    ) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("runner.yml");
        std::fs::write(&path, mutate(RUNNER_YML[seed], &edits, CONFIG_TOKENS)).expect("write runner.yml");
        let _ = mlci::daemon::config::load_config(&path);
    }
}
