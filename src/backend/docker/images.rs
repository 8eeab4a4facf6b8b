//! Images: present, else pulled, else a clear "build it" message. mlci's
//! runner images are built locally (`mlci images build`), so a missing image
//! is common and must say how to get it.

use super::errors::{engine_message, failed, is_not_found};
use super::DockerBackend;
use crate::backend::BackendError;
use bollard::query_parameters::{CreateImageOptions, ListImagesOptions, TagImageOptions};
use futures_util::StreamExt;
use std::time::Duration;

/// A pull that sends no progress for this long has stalled (an unreachable
/// registry whose packets are dropped).
const PULL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A pull may take this long in all (large CUDA images on slow links).
const PULL_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// One tag of a local image, for `mlci images ls`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalImage {
    /// `mlci/runner:bookworm`
    pub tag: String,
    pub id: String,
    /// Bytes.
    pub size: i64,
    /// Unix seconds.
    pub created: i64,
}

impl DockerBackend {
    /// Ok when `image` is on this machine or could be pulled.
    pub async fn ensure_image(&self, image: &str) -> Result<(), BackendError> {
        if self.has_image(image).await? {
            return Ok(());
        }
        let missing = |cause: String| {
            BackendError::ImageMissing(format!(
                "image {image} is not on this machine, and pulling it failed: {cause}. Build mlci's runner images \
                 with `mlci images build`, or run the job on another local image with `-P LABEL=IMAGE`."
            ))
        };
        match tokio::time::timeout(PULL_TIMEOUT, self.pull(image)).await {
            Ok(Ok(())) => {}
            Ok(Err(cause)) => return Err(missing(cause)),
            Err(_) => {
                return Err(missing(format!(
                    "no image after {} minutes",
                    PULL_TIMEOUT.as_secs() / 60
                )))
            }
        }
        // A pull can "succeed" for another platform's image; trust only the store.
        if self.has_image(image).await? {
            Ok(())
        } else {
            Err(missing("the engine reported no error but has no such image".into()))
        }
    }

    /// Whether `image` (a name with or without tag, or an id) is local.
    pub async fn has_image(&self, image: &str) -> Result<bool, BackendError> {
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(failed(&format!("look up image {image}"), e)),
        }
    }

    /// Gives `source` the name `target` (`docker tag SOURCE TARGET`).
    pub async fn tag_image(&self, source: &str, target: &str) -> Result<(), BackendError> {
        let (repo, tag) = split_tag(target);
        let options = TagImageOptions {
            repo: Some(repo.to_string()),
            tag: Some(tag.to_string()),
        };
        self.docker
            .tag_image(source, Some(options))
            .await
            .map_err(|e| failed(&format!("tag {source} as {target}"), e))
    }

    /// Local image tags starting with `prefix` (`mlci/`), sorted by tag.
    pub async fn list_images(&self, prefix: &str) -> Result<Vec<LocalImage>, BackendError> {
        let images = self
            .docker
            .list_images(Some(ListImagesOptions::default()))
            .await
            .map_err(|e| failed("list images", e))?;
        let mut out: Vec<LocalImage> = images
            .into_iter()
            .flat_map(|image| {
                let tags = image
                    .repo_tags
                    .iter()
                    .filter(|t| t.starts_with(prefix))
                    .cloned()
                    .collect::<Vec<_>>();
                tags.into_iter().map(move |tag| LocalImage {
                    tag,
                    id: image.id.clone(),
                    size: image.size,
                    created: image.created,
                })
            })
            .collect();
        out.sort_by(|a, b| a.tag.cmp(&b.tag));
        Ok(out)
    }

    /// Pulls `image`; the error is the engine's message.
    async fn pull(&self, image: &str) -> Result<(), String> {
        let options = CreateImageOptions {
            from_image: Some(image.to_string()),
            ..CreateImageOptions::default()
        };
        let mut progress = self.docker.create_image(Some(options), None, None);
        loop {
            match tokio::time::timeout(PULL_IDLE_TIMEOUT, progress.next()).await {
                Ok(None) => return Ok(()),
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(e))) => return Err(engine_message(&e)),
                Err(_) => return Err(format!("no progress for {} s", PULL_IDLE_TIMEOUT.as_secs())),
            }
        }
    }
}

/// `repo[:tag]` → (repo, tag), `latest` when there is none. A `:` before
/// the last `/` belongs to a registry's port.
fn split_tag(name: &str) -> (&str, &str) {
    match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (name, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_tag_handles_registry_ports() {
        assert_eq!(split_tag("node:16-buster-slim"), ("node", "16-buster-slim"));
        assert_eq!(split_tag("alpine"), ("alpine", "latest"));
        assert_eq!(split_tag("localhost:5000/app"), ("localhost:5000/app", "latest"));
        assert_eq!(split_tag("localhost:5000/app:v1"), ("localhost:5000/app", "v1"));
    }
}
