//! `mlci hook install` puts a git hook in a configured repository that
//! hands every updated ref to the runner; `mlci hook push` is what the hook
//! runs. The hook writes the event straight into the runner's queue, so a
//! push succeeds and its event waits even while the daemon is down.

use crate::daemon::config::{load_config, RepoSource, RunnerConfig};
use crate::daemon::queue::{NewEvent, Queue};
use crate::exit;
use clap::Subcommand;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// The first line after the shebang of every hook mlci writes: how a hook
/// is known to be mlci's own, so installing again may replace it.
const MARK: &str = "# Installed by `mlci hook install`";

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: HookCommand,
}

#[derive(Subcommand)]
enum HookCommand {
    /// Install the hook in a repository of the runner's configuration.
    Install(InstallArgs),
    /// Queue the refs a hook reports on standard input (`OLD NEW REF` lines).
    Push(PushArgs),
}

#[derive(clap::Args)]
struct InstallArgs {
    /// The repository (its `path:` in the configuration).
    #[arg(long)]
    repo: PathBuf,
    /// The runner's configuration file.
    #[arg(long, short, default_value = "runner.yml")]
    config: PathBuf,
}

#[derive(clap::Args)]
struct PushArgs {
    /// The repository's `name:` in the configuration.
    #[arg(long)]
    repo: String,
    #[arg(long, short)]
    config: PathBuf,
}

pub fn run(args: Args) -> i32 {
    match args.command {
        HookCommand::Install(args) => install(args),
        HookCommand::Push(args) => push(args),
    }
}

fn install(args: InstallArgs) -> i32 {
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(errors) => {
            eprint!("{errors}");
            return exit::INVALID;
        }
    };
    let Some(name) = repo_named_by(&config, &args.repo) else {
        eprintln!(
            "error: {} is not a `path:` repository of {}",
            args.repo.display(),
            args.config.display()
        );
        return exit::USAGE;
    };
    let repo = match git2::Repository::open(&args.repo) {
        Ok(repo) => repo,
        Err(e) => {
            eprintln!(
                "error: failed to open the repository {}: {}",
                args.repo.display(),
                e.message()
            );
            return exit::USAGE;
        }
    };
    match write_hook(&repo, &config.path, &name) {
        Ok(path) => {
            println!("installed {} for repository `{name}`", path.display());
            exit::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            exit::FAILURE
        }
    }
}

/// The configured repository whose `path:` is `dir`.
fn repo_named_by(config: &RunnerConfig, dir: &Path) -> Option<String> {
    let wanted = std::fs::canonicalize(dir).ok()?;
    config.repos.iter().find_map(|repo| match &repo.source {
        RepoSource::Path(path) if std::fs::canonicalize(path).ok().as_ref() == Some(&wanted) => Some(repo.name.clone()),
        _ => None,
    })
}

/// A bare repository (pushed to) gets `post-receive`; a working one gets
/// `reference-transaction`, which sees commits, merges, resets and new
/// branches alike (git 2.28 or later).
fn write_hook(repo: &git2::Repository, config: &Path, name: &str) -> Result<PathBuf, String> {
    let mlci = std::env::current_exe().map_err(|e| format!("failed to find the mlci binary: {e}"))?;
    let config = std::path::absolute(config).map_err(|e| format!("failed to resolve {}: {e}", config.display()))?;
    let (file, guard) = if repo.is_bare() {
        ("post-receive", "")
    } else {
        ("reference-transaction", "[ \"$1\" = committed ] || exit 0\n")
    };
    let hooks = repo.path().join("hooks");
    let path = hooks.join(file);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.contains(MARK) {
            return Err(format!(
                "{} exists and is not mlci's; add this line to it: {}",
                path.display(),
                command(&mlci, &config, name)
            ));
        }
    }
    let script = format!(
        "#!/bin/sh\n{MARK}: hands every updated ref to the mlci runner.\n{guard}exec {}\n",
        command(&mlci, &config, name)
    );
    std::fs::create_dir_all(&hooks).map_err(|e| format!("failed to create {}: {e}", hooks.display()))?;
    std::fs::write(&path, script).map_err(|e| format!("failed to write {}: {e}", path.display()))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("failed to make {} executable: {e}", path.display()))?;
    Ok(path)
}

fn command(mlci: &Path, config: &Path, name: &str) -> String {
    format!(
        "{} hook push --config {} --repo {}",
        quote(&mlci.display().to_string()),
        quote(&config.display().to_string()),
        quote(name)
    )
}

/// Single-quotes a word for sh.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// Never fails the push: a problem is reported on standard error (the
/// pusher sees it as `remote: …`) and the hook exits 0.
fn push(args: PushArgs) -> i32 {
    let store = match load_config(&args.config) {
        Ok(config) => config.store,
        Err(_) => {
            eprintln!(
                "mlci: {} is invalid (mlci runner check shows why); push not queued",
                args.config.display()
            );
            return exit::SUCCESS;
        }
    };
    let queue = match Queue::open(&store) {
        Ok(queue) => queue,
        Err(e) => {
            eprintln!("mlci: failed to open the runner's queue: {e}; push not queued");
            return exit::SUCCESS;
        }
    };
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let Some(event) = ref_update(&args.repo, &line) else {
            continue;
        };
        match queue.push_event(&event) {
            Ok(id) => eprintln!("mlci: queued {} as event {id}", event.git_ref),
            Err(e) => eprintln!("mlci: failed to queue {}: {e}", event.git_ref),
        }
    }
    exit::SUCCESS
}

/// One `OLD NEW REF` line as a push event: branches and tags only, and
/// only when the ref moved.
fn ref_update(repo: &str, line: &str) -> Option<NewEvent> {
    let mut words = line.split_whitespace();
    let (old, new, git_ref) = (words.next()?, words.next()?, words.next()?);
    let tracked = git_ref.starts_with("refs/heads/") || git_ref.starts_with("refs/tags/");
    if !tracked || old == new {
        return None;
    }
    Some(NewEvent {
        repo: repo.to_string(),
        name: "push".into(),
        git_ref: git_ref.to_string(),
        before: Some(old.to_string()),
        after: Some(new.to_string()),
        payload: None,
        source: "hook".into(),
    })
}
