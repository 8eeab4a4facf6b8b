//! `mlci runner check --config runner.yml`: everything `runner start` needs,
//! checked without starting: the file (every mistake at its line), each
//! repository (opened, and fetched when it has a URL), the listen port,
//! the Slurm partitions jobs go to, the Docker Engine, and the images the
//! labels name.

use crate::backend::docker::DockerBackend;
use crate::backend::slurm::cluster_partitions;
use crate::backend::BackendError;
use crate::daemon::config::{load_config, JobBackend, RepoConfig, RunnerConfig};
use crate::daemon::repos::{RepoError, RepoHandle};
use crate::exit;
use crate::plan::labels::LabelTarget;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The daemon's configuration file.
    #[arg(long, short)]
    config: PathBuf,
}

pub fn run(args: Args) -> i32 {
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(errors) => {
            eprint!("{errors}");
            let count = errors.count();
            eprintln!(
                "{count} error{} in {}",
                if count == 1 { "" } else { "s" },
                args.config.display()
            );
            return exit::INVALID;
        }
    };
    println!("{}", summary(&config));
    let mut failed = false;
    for repo in &config.repos {
        match check_repo(repo, &config.store) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    // `runner start` would fail to listen: say so now, with what holds it.
    if let Err(e) = std::net::TcpListener::bind(config.listen) {
        eprintln!(
            "error: cannot listen on {}: {e} (is another runner, or another service, on that port?)",
            config.listen
        );
        failed = true;
    }
    if config.status.is_some() {
        for repo in config.repos.iter().filter(|r| !r.slug.contains('/')) {
            eprintln!(
                "warning: repo {} has no `slug:` (owner/name on the forge), so the forge will not know \
                 the repository its commit statuses are for",
                repo.name
            );
        }
    }
    if !check_slurm(&config) {
        failed = true;
    }
    let docker = check_docker(&config);
    if failed {
        return exit::FAILURE;
    }
    docker
}

/// `config ok: 3 repos, capacity 4, 2 GPUs, listening on 127.0.0.1:8080`
fn summary(config: &RunnerConfig) -> String {
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let gpus = match config.gpus.len() {
        0 => "no GPUs".to_string(),
        n => plural(n, "GPU"),
    };
    format!(
        "config ok: {}, capacity {}, {gpus}, listening on {}",
        plural(config.repos.len(), "repo"),
        config.capacity,
        config.listen
    )
}

/// `repo vision: main at 1a2b3c4`, after opening (and fetching) it.
fn check_repo(config: &RepoConfig, store: &Path) -> Result<String, RepoError> {
    let handle = RepoHandle::open(config, store)?;
    handle.fetch()?;
    let repo = handle.repository()?;
    let state = match handle.default_branch() {
        None => "no default branch (no commits yet?)".to_string(),
        Some(branch) => match repo.revparse_single(&format!("refs/heads/{branch}")) {
            Ok(tip) => format!("{branch} at {}", &tip.id().to_string()[..7]),
            Err(_) => format!("{branch}, which has no commits"),
        },
    };
    Ok(format!("repo {}: {state}", handle.name()))
}

/// Where jobs go to Slurm, asks it for the partitions they name (sbatch
/// would otherwise refuse the first job); whether all are there.
fn check_slurm(config: &RunnerConfig) -> bool {
    let mut wanted: Vec<(Option<String>, Vec<String>)> = Vec::new();
    let mut want = |partition: Option<String>, label: &str| match wanted.iter_mut().find(|(p, _)| *p == partition) {
        Some((_, labels)) => labels.push(label.to_string()),
        None => wanted.push((partition, vec![label.to_string()])),
    };
    if config.backend == JobBackend::Slurm {
        want(config.slurm.partition.clone(), "backend: slurm");
    }
    for (label, target) in config.labels.iter() {
        if let LabelTarget::Slurm { placement } = target {
            want(placement.over(&config.slurm).partition, label);
        }
    }
    if wanted.is_empty() {
        return true;
    }
    let known = match cluster_partitions() {
        Ok(known) => known,
        Err(e) => {
            eprintln!("error: jobs go to Slurm, but Slurm does not answer: {e}");
            return false;
        }
    };
    println!("slurm: partitions {}", known.join(", "));
    let mut ok = true;
    for (partition, labels) in wanted {
        let labels = labels.join(", ");
        match partition {
            None => println!("slurm: the cluster's default partition (labels {labels})"),
            Some(name) if known.contains(&name) => println!("partition {name}: present (labels {labels})"),
            Some(name) => {
                eprintln!(
                    "error: partition {name} (labels {labels}) is not one of this cluster's: {}",
                    known.join(", ")
                );
                ok = false;
            }
        }
    }
    ok
}

/// Connects to Docker and looks for every image a label names.
fn check_docker(config: &RunnerConfig) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return exit::FAILURE;
        }
    };
    let checked = runtime.block_on(async {
        let docker = DockerBackend::connect().await?;
        println!("docker: {} answers", docker.endpoint());
        for (image, labels) in images(config) {
            let labels = labels.join(", ");
            if docker.has_image(&image).await? {
                println!("image {image}: present (labels {labels})");
            } else {
                eprintln!(
                    "warning: image {image} (labels {labels}) is not on this machine; jobs on it will try to pull it \
                     (build mlci's runner images with `mlci images build`)"
                );
            }
        }
        Ok::<(), BackendError>(())
    });
    match checked {
        Ok(()) => exit::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            exit::BACKEND_UNREACHABLE
        }
    }
}

/// Each image the labels name, once, with the labels that name it.
fn images(config: &RunnerConfig) -> Vec<(String, Vec<String>)> {
    let mut images: Vec<(String, Vec<String>)> = Vec::new();
    for (label, target) in config.labels.iter() {
        let LabelTarget::Image { image, .. } = target else {
            continue;
        };
        match images.iter_mut().find(|(i, _)| i == image) {
            Some((_, labels)) => labels.push(label.to_string()),
            None => images.push((image.clone(), vec![label.to_string()])),
        }
    }
    images
}
