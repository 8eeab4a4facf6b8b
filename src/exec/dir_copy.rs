//! Copying a file or folder between two directory capabilities the way `tar`
//! extracts: files replaced, folders merged, links copied as links (never
//! followed), permissions and file times kept. Both sides are cap-std
//! [`Dir`]s, so a link planted on either side can never lead the copy out of
//! its directory: where one is in the way it is removed and replaced, and a
//! path that would pass through one to the outside is an error.
//!
//! Used for the cache (the job's tree ↔ the cache folder), for staging the
//! container's own files, and by the host backend's `copy_out`/`copy_in`.

use cap_fs_ext::DirExt;
use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt, PermissionsExt};
use std::fs::FileTimes;
use std::io;
use std::path::Path;

/// A path below a directory capability: where a copy reads or writes.
#[derive(Clone, Copy)]
pub struct Spot<'a> {
    pub dir: &'a Dir,
    /// Relative to `dir`; empty or `.` for `dir` itself.
    pub path: &'a Path,
}

impl<'a> Spot<'a> {
    pub fn new(dir: &'a Dir, path: &'a Path) -> Spot<'a> {
        Spot { dir, path }
    }
}

/// Copies `from` (a file, a link or a folder) to `to`. When `to` is a folder
/// already there, `from`'s contents are merged into it. `to` itself may be a
/// link to a folder inside its directory; nothing below it is followed: a
/// link in the way of a folder or file is replaced.
pub fn copy_tree(from: Spot<'_>, to: Spot<'_>) -> io::Result<()> {
    copy(from, to, true)
}

/// An I/O error naming the path it happened on.
fn at<'p>(path: &'p Path, what: &str) -> impl FnOnce(io::Error) -> io::Error + 'p {
    let what = what.to_string();
    move |e| io::Error::new(e.kind(), format!("failed to {what} {}: {e}", shown(path)))
}

fn shown(path: &Path) -> String {
    match path.as_os_str().is_empty() {
        true => ".".to_string(),
        false => path.display().to_string(),
    }
}

/// `.` for the directory itself: cap-std takes no empty path.
fn here(path: &Path) -> &Path {
    match path.as_os_str().is_empty() {
        true => Path::new("."),
        false => path,
    }
}

fn copy(from: Spot<'_>, to: Spot<'_>, top: bool) -> io::Result<()> {
    let (from_path, to_path) = (here(from.path), here(to.path));
    let meta = from.dir.symlink_metadata(from_path).map_err(at(from.path, "read"))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        let existing = to.dir.symlink_metadata(to_path).ok();
        // A link at the top that stays inside `to.dir` is the user's own
        // set-up (`~/.cache` → elsewhere in the tree); cap-std follows it
        // only inside the directory.
        let usable = existing
            .as_ref()
            .is_some_and(|m| m.is_dir() || (top && to.dir.metadata(to_path).is_ok_and(|m| m.is_dir())));
        if !usable {
            remove_any(to.dir, to_path)?;
        }
        to.dir.create_dir_all(to_path).map_err(at(to.path, "create"))?;
        for entry in from.dir.read_dir(from_path).map_err(at(from.path, "read"))? {
            let name = entry.map_err(at(from.path, "read"))?.file_name();
            let (child_from, child_to) = (from.path.join(&name), to.path.join(&name));
            copy(Spot::new(from.dir, &child_from), Spot::new(to.dir, &child_to), false)?;
        }
        let mode = meta.permissions().mode() & 0o7777;
        to.dir
            .set_permissions(to_path, cap_std::fs::Permissions::from_mode(mode))
            .map_err(at(to.path, "set permissions on"))
    } else if kind.is_symlink() {
        let target = from.dir.read_link_contents(from_path).map_err(at(from.path, "read"))?;
        make_parent(to)?;
        remove_any(to.dir, to_path)?;
        to.dir
            .symlink_contents(&target, to_path)
            .map_err(at(to.path, "create link"))
    } else if kind.is_file() {
        make_parent(to)?;
        remove_any(to.dir, to_path)?;
        // O_NOFOLLOW on the source: a link swapped in since the look above
        // is refused rather than followed.
        let mut source = from
            .dir
            .open_with(from_path, OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW))
            .map_err(at(from.path, "read"))?
            .into_std();
        let mode = meta.permissions().mode() & 0o7777;
        // Created anew (O_EXCL): never written through whatever appears there.
        let mut target = to
            .dir
            .open_with(to_path, OpenOptions::new().write(true).create_new(true).mode(mode))
            .map_err(at(to.path, "write"))?
            .into_std();
        io::copy(&mut source, &mut target).map_err(at(to.path, "write"))?;
        let modified = source
            .metadata()
            .and_then(|m| m.modified())
            .map_err(at(from.path, "read"))?;
        target
            .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
            .map_err(at(to.path, "set permissions on"))?;
        target
            .set_times(FileTimes::new().set_modified(modified))
            .map_err(at(to.path, "set the time of"))
    } else {
        // Sockets, fifos and devices: tar would store them; a cache of
        // datasets and weights has none worth keeping.
        Ok(())
    }
}

fn make_parent(spot: Spot<'_>) -> io::Result<()> {
    match spot.path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => spot.dir.create_dir_all(parent).map_err(at(parent, "create")),
        _ => Ok(()),
    }
}

/// Removes whatever is at `path` (nothing there is fine); a folder goes with
/// its contents, a link without what it points to.
pub(crate) fn remove_any(dir: &Dir, path: &Path) -> io::Result<()> {
    match dir.symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => dir.remove_dir_all(path).map_err(at(path, "remove")),
        Ok(_) => dir.remove_file_or_symlink(path).map_err(at(path, "remove")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(at(path, "read")(e)),
    }
}

#[cfg(test)]
#[path = "dir_copy_tests.rs"]
mod tests;
