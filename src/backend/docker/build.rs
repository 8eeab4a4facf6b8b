//! Building a Docker action's image from its folder, through the engine's
//! build API: the folder goes as a tar archive, the build's output to the
//! step's log. An image already tagged is used as it is (the tag names the
//! action's commit, or its files' hash for a local action).

use super::errors::failed;
use super::job::DockerJob;
use crate::backend::{BackendError, LineSink};
use bollard::query_parameters::BuildImageOptionsBuilder;
use futures_util::StreamExt;
use std::path::Path;

impl DockerJob {
    pub(super) async fn build_action_image(
        &self,
        context: &Path,
        dockerfile: &str,
        tag: &str,
        sink: &mut dyn LineSink,
    ) -> Result<(), BackendError> {
        if self.backend.has_image(tag).await? {
            return Ok(());
        }
        let folder = context.to_path_buf();
        let archive = tokio::task::spawn_blocking(move || tar_folder(&folder))
            .await
            .map_err(|e| BackendError::Other(format!("packing the action's folder stopped: {e}")))?
            .map_err(|e| BackendError::Other(format!("cannot pack {} for the build: {e}", context.display())))?;
        let options = BuildImageOptionsBuilder::default()
            .dockerfile(dockerfile)
            .t(tag)
            .rm(true)
            .forcerm(true)
            .build();
        let mut build = self
            .docker()
            .build_image(options, None, Some(bollard::body_full(archive.into())));
        while let Some(message) = build.next().await {
            let info = message.map_err(|e| failed(&format!("build {tag}"), e))?;
            if let Some(error) = info.error_detail.and_then(|d| d.message) {
                return Err(BackendError::Other(format!("building {tag} failed: {error}")));
            }
            for line in info.stream.as_deref().unwrap_or_default().lines() {
                sink.line(line);
            }
            sink.flush();
        }
        if self.backend.has_image(tag).await? {
            Ok(())
        } else {
            Err(BackendError::Other(format!("the engine built no image {tag}")))
        }
    }
}

/// The folder as a tar archive, links kept as links.
fn tar_folder(folder: &Path) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    archive.follow_symlinks(false);
    archive.append_dir_all(".", folder)?;
    archive.into_inner()
}
