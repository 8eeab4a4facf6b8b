//! The job container's own files, outside its mounts, read and written
//! through Docker's archive API (`GET`/`PUT /containers/{id}/archive`, what
//! `docker cp` uses). The engine resolves the path inside the container's
//! root, so a link in the container leads to the container's file, never to
//! the host's. Archives pass through a file beside the host folder, never
//! whole through memory: a cache of weights can be gigabytes.

use super::errors::{failed, is_not_found};
use super::job::DockerJob;
use crate::backend::{BackendError, ExecSpec, LineSink};
use bollard::query_parameters::{
    ContainerArchiveInfoOptionsBuilder, DownloadFromContainerOptionsBuilder, UploadToContainerOptionsBuilder,
};
use futures_util::StreamExt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Chunk of an archive sent to the engine.
const CHUNK: usize = 1024 * 1024;

impl DockerJob {
    /// `$HOME` of the container's user, as a step sees it.
    pub(super) async fn container_home(&self) -> Result<String, BackendError> {
        struct Collect(String);
        impl LineSink for Collect {
            fn line(&mut self, line: &str) {
                self.0.push_str(line);
            }
        }
        let mut home = Collect(String::new());
        let spec = ExecSpec {
            argv: ["sh", "-c", "printf '%s\\n' \"$HOME\""].map(String::from).to_vec(),
            ..ExecSpec::default()
        };
        match self.exec_step(&spec, &mut home).await? {
            0 if home.0.starts_with('/') => Ok(home.0),
            code => Err(BackendError::Other(format!(
                "cannot find the home folder of the container's user (`sh -c 'echo $HOME'` exited with {code}: {})",
                home.0
            ))),
        }
    }

    pub(super) async fn copy_out_of_container(&self, path: &str, into: &Path) -> Result<bool, BackendError> {
        let container = self.container.as_deref().unwrap_or_default();
        let options = DownloadFromContainerOptionsBuilder::default().path(path).build();
        let mut stream = self.docker().download_from_container(container, Some(options));
        let tar = sibling(into, "tar");
        let _remove = Remove(tar.clone());
        let cannot = |e: io::Error| BackendError::Other(format!("failed to copy `{path}` out of the container: {e}"));
        let mut file = tokio::fs::File::create(&tar).await.map_err(cannot)?;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => file.write_all(&bytes).await.map_err(cannot)?,
                Err(e) if is_not_found(&e) => return Ok(false),
                Err(e) => return Err(failed(&format!("copy `{path}` out of the container"), e)),
            }
        }
        file.flush().await.map_err(cannot)?;
        drop(file);
        let into = into.to_path_buf();
        tokio::task::spawn_blocking(move || unpack(&tar, &into))
            .await
            .map_err(|e| BackendError::Other(format!("unpacking stopped unexpectedly: {e}")))?
            .map_err(cannot)?;
        Ok(true)
    }

    pub(super) async fn copy_into_container(&self, from: &Path, dir: &str) -> Result<(), BackendError> {
        let container = self.container.as_deref().unwrap_or_default().to_string();
        let (existing, missing) = self.existing_ancestor(&container, Path::new(dir)).await?;
        let tar = sibling(from, "tar");
        let _remove = Remove(tar.clone());
        let (source, archive) = (from.to_path_buf(), tar.clone());
        let cannot = |e: io::Error| BackendError::Other(format!("failed to copy into `{dir}` in the container: {e}"));
        tokio::task::spawn_blocking(move || pack(&source, &missing, &archive))
            .await
            .map_err(|e| BackendError::Other(format!("packing stopped unexpectedly: {e}")))?
            .map_err(cannot)?;
        let file = tokio::fs::File::open(&tar).await.map_err(cannot)?;
        let body = futures_util::stream::unfold(file, |mut file| async move {
            let mut buffer = vec![0u8; CHUNK];
            match tokio::io::AsyncReadExt::read(&mut file, &mut buffer).await {
                Ok(0) => None,
                Ok(n) => {
                    buffer.truncate(n);
                    Some((Ok(bytes::Bytes::from(buffer)), file))
                }
                Err(e) => Some((Err(e), file)),
            }
        });
        // copyUIDGID: the files belong to the container's user, as if the
        // job had written them itself.
        let options = UploadToContainerOptionsBuilder::default()
            .path(&existing.to_string_lossy())
            .copy_uidgid("true")
            .build();
        self.docker()
            .upload_to_container(&container, Some(options), bollard::body_try_stream(body))
            .await
            .map_err(|e| failed(&format!("copy into `{dir}` in the container"), e))
    }

    /// The nearest folder of `dir` that exists in the container, and the
    /// names below it that do not (the archive creates them).
    async fn existing_ancestor(&self, container: &str, dir: &Path) -> Result<(PathBuf, PathBuf), BackendError> {
        let mut missing = Vec::new();
        let mut at = dir.to_path_buf();
        loop {
            let options = ContainerArchiveInfoOptionsBuilder::default()
                .path(&at.to_string_lossy())
                .build();
            match self.docker().get_container_archive_info(container, Some(options)).await {
                Ok(_) => break,
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(failed(&format!("look for `{}` in the container", at.display()), e)),
            }
            match (at.file_name(), at.parent()) {
                (Some(name), Some(parent)) => {
                    missing.push(name.to_os_string());
                    at = parent.to_path_buf();
                }
                _ => break,
            }
        }
        Ok((at, missing.iter().rev().collect()))
    }
}

/// `<path>.<extension>` beside `path`, in mlci's own folder.
fn sibling(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{extension}"));
    path.with_file_name(name)
}

/// Unpacks what the engine sent: files, folders and links (links as links),
/// each kept below `into` (the tar crate refuses `..` and paths through a
/// link); devices, fifos and the like are not the job's data.
fn unpack(tar: &Path, into: &Path) -> io::Result<()> {
    let mut archive = tar::Archive::new(File::open(tar)?);
    // Folders last, as `tar` does: a read-only folder must not stop what
    // goes inside it.
    let mut folders = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let kind = entry.header().entry_type();
        entry.set_preserve_permissions(true);
        entry.set_preserve_mtime(true);
        if kind.is_dir() {
            folders.push(entry);
        } else if kind.is_file() || kind.is_symlink() || kind.is_hard_link() {
            entry.unpack_in(into)?;
        }
    }
    for mut folder in folders.into_iter().rev() {
        folder.unpack_in(into)?;
    }
    Ok(())
}

/// Packs what is in `from` under the names `prefix/…` (the folders the
/// container lacks come first, 0755). Owners are root in the archive;
/// copyUIDGID gives them to the container's user.
fn pack(from: &Path, prefix: &Path, tar: &Path) -> io::Result<()> {
    let mut builder = tar::Builder::new(File::create(tar)?);
    let mut at = PathBuf::new();
    for name in prefix.iter() {
        at.push(name);
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        header.set_mtime(now());
        builder.append_data(&mut header, &at, io::empty())?;
    }
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        append(&mut builder, &entry.path(), &prefix.join(entry.file_name()))?;
    }
    builder.into_inner()?;
    Ok(())
}

/// Appends `path` (mlci's own staging copy) as `name`, links as links.
fn append(builder: &mut tar::Builder<File>, path: &Path, name: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata_in_mode(&meta, tar::HeaderMode::Complete);
    header.set_uid(0);
    header.set_gid(0);
    let kind = meta.file_type();
    if kind.is_dir() {
        header.set_size(0);
        builder.append_data(&mut header, name, io::empty())?;
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            append(builder, &entry.path(), &name.join(entry.file_name()))?;
        }
    } else if kind.is_symlink() {
        header.set_size(0);
        builder.append_link(&mut header, name, std::fs::read_link(path)?)?;
    } else if kind.is_file() {
        let file: Box<dyn Read> = Box::new(File::open(path)?);
        builder.append_data(&mut header, name, file)?;
    }
    Ok(())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Removes a temporary archive however the copy ends.
struct Remove(PathBuf);

impl Drop for Remove {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
