//! `mlci images build [--force]` and `mlci images ls`: mlci's runner images
//! are built on this machine from Debian packages (no registry needed), and
//! listed with the `runs-on` labels that use them.

use crate::backend::docker::{DockerBackend, LocalImage};
use crate::backend::BackendError;
use crate::exit;
use crate::plan::labels::{DEFAULT_LABELS, RUNNER_IMAGE};
use std::process::Command;

/// The build recipe, in the binary so that `mlci images build` works from
/// an installed mlci without the repository.
const BUILD_DEBIAN: &str = include_str!("../../runner-images/build-debian.sh");

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ImagesCommand,
}

#[derive(clap::Subcommand)]
enum ImagesCommand {
    /// Build the runner image (mlci/runner:bookworm) with debootstrap; needs root and Docker.
    Build {
        /// Rebuild even when the image exists.
        #[arg(long)]
        force: bool,
    },
    /// List the local mlci/* images and the runs-on labels that map to them.
    Ls,
}

pub fn run(args: Args) -> i32 {
    match args.command {
        ImagesCommand::Build { force } => build(force),
        ImagesCommand::Ls => list(),
    }
}

/// Runs the embedded script with `bash -c SCRIPT NAME ARGS`, its output
/// going straight to ours. The script is an argument, not stdin (`bash -s`),
/// so that nothing it runs can read the rest of the script as its input.
fn build(force: bool) -> i32 {
    let mut command = Command::new("bash");
    command.arg("-c").arg(BUILD_DEBIAN).arg("mlci-images-build");
    if force {
        command.arg("--force");
    }
    match command.status() {
        Ok(status) => status.code().unwrap_or_else(|| {
            use std::os::unix::process::ExitStatusExt;
            128 + status.signal().unwrap_or(0)
        }),
        Err(e) => {
            eprintln!("error: cannot run bash to build the runner images: {e}");
            exit::FAILURE
        }
    }
}

fn list() -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::FAILURE;
        }
    };
    let images = runtime.block_on(async {
        let docker = DockerBackend::connect().await?;
        docker.list_images("mlci/").await
    });
    match images {
        Ok(images) => {
            print!("{}", render(&images));
            exit::SUCCESS
        }
        Err(e @ BackendError::Unreachable(_)) => {
            eprintln!("error: {e}");
            exit::BACKEND_UNREACHABLE
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILURE
        }
    }
}

/// The images, then each default label with its image (or `missing`).
fn render(images: &[LocalImage]) -> String {
    let mut out = String::new();
    if images.is_empty() {
        out.push_str("no mlci/* images on this machine; build them with `mlci images build`\n");
    } else {
        let width = images.iter().map(|i| i.tag.len()).max().unwrap_or(0).max("IMAGE".len());
        out.push_str(&format!("{:width$}  {:>8}  CREATED\n", "IMAGE", "SIZE"));
        for image in images {
            out.push_str(&format!(
                "{:width$}  {:>8}  {}\n",
                image.tag,
                size(image.size),
                created(image.created)
            ));
        }
    }
    out.push('\n');
    let width = DEFAULT_LABELS
        .iter()
        .map(|l| l.len())
        .max()
        .unwrap_or(0)
        .max("LABEL".len());
    out.push_str(&format!("{:width$}  IMAGE\n", "LABEL"));
    let built = images.iter().any(|i| i.tag == RUNNER_IMAGE);
    for label in DEFAULT_LABELS {
        let state = if built {
            ""
        } else {
            "  (missing: run `mlci images build`)"
        };
        out.push_str(&format!("{label:width$}  {RUNNER_IMAGE}{state}\n"));
    }
    out
}

/// Sizes as `docker images` shows them: powers of 1000.
fn size(bytes: i64) -> String {
    let bytes = bytes as f64;
    if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else {
        format!("{:.0} MB", bytes / 1e6)
    }
}

fn created(unix_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(unix_seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(tag: &str, size: i64) -> LocalImage {
        LocalImage {
            tag: tag.into(),
            id: "sha256:1".into(),
            size,
            created: 1_700_000_000,
        }
    }

    #[test]
    fn lists_images_and_the_labels_that_use_them() {
        let text = render(&[
            image("mlci/runner:bookworm", 287_000_000),
            image("mlci/runner:cuda", 5_120_000_000),
        ]);
        assert_eq!(
            text,
            "IMAGE                     SIZE  CREATED\n\
             mlci/runner:bookworm    287 MB  2023-11-14 22:13 UTC\n\
             mlci/runner:cuda       5.12 GB  2023-11-14 22:13 UTC\n\
             \n\
             LABEL          IMAGE\n\
             ubuntu-latest  mlci/runner:bookworm\n\
             ubuntu-24.04   mlci/runner:bookworm\n\
             ubuntu-22.04   mlci/runner:bookworm\n\
             linux          mlci/runner:bookworm\n\
             self-hosted    mlci/runner:bookworm\n"
        );
    }

    #[test]
    fn missing_runner_image_is_marked() {
        let text = render(&[]);
        assert!(text.starts_with("no mlci/* images on this machine; build them with `mlci images build`\n\n"));
        assert!(text.contains("ubuntu-latest  mlci/runner:bookworm  (missing: run `mlci images build`)\n"));
    }

    #[test]
    fn the_embedded_script_is_the_debian_build() {
        assert!(BUILD_DEBIAN.starts_with("#!/usr/bin/env bash"));
        assert!(BUILD_DEBIAN.contains("IMAGE=${MLCI_IMAGE:-mlci/runner:bookworm}"));
    }
}
