//! Copying a cached path in or out the way `tar` extracts: files replaced,
//! folders merged, links copied as links (never followed), permissions and
//! file times kept. Copies, not hard links: a job that edits a restored file
//! in place must not change the cache.

use std::fs::{self, File};
use std::io;
use std::path::Path;

/// Copies `from` (a file, a link or a folder) to `to`. When `to` is a folder
/// already there, `from`'s contents are merged into it; `to` itself may be a
/// link to a folder (the user's own `~/.cache` set-up), but nothing below it
/// is followed: a link in the way of a folder or file is replaced.
pub(crate) fn copy_path(from: &Path, to: &Path) -> Result<(), String> {
    copy(from, to, true).map_err(|e| e.to_string())
}

/// An I/O error naming the path it happened on.
fn at<'p>(path: &'p Path, what: &str) -> impl FnOnce(io::Error) -> io::Error + 'p {
    let what = what.to_string();
    move |e| io::Error::new(e.kind(), format!("failed to {what} {}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path, top: bool) -> io::Result<()> {
    let meta = fs::symlink_metadata(from).map_err(at(from, "read"))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        let existing = fs::symlink_metadata(to).ok();
        let usable = existing.as_ref().is_some_and(|m| m.is_dir() || (top && to.is_dir()));
        if !usable {
            remove_any(to)?;
        }
        fs::create_dir_all(to).map_err(at(to, "create"))?;
        for entry in fs::read_dir(from).map_err(at(from, "read"))? {
            let entry = entry.map_err(at(from, "read"))?;
            copy(&entry.path(), &to.join(entry.file_name()), false)?;
        }
        fs::set_permissions(to, meta.permissions()).map_err(at(to, "set permissions on"))
    } else if kind.is_symlink() {
        let target = fs::read_link(from).map_err(at(from, "read"))?;
        make_parent(to)?;
        remove_any(to)?;
        std::os::unix::fs::symlink(&target, to).map_err(at(to, "create link"))
    } else if kind.is_file() {
        make_parent(to)?;
        remove_any(to)?;
        fs::copy(from, to).map_err(at(to, "write"))?;
        let times = fs::FileTimes::new().set_modified(meta.modified().map_err(at(from, "read"))?);
        File::open(to)
            .and_then(|file| file.set_times(times))
            .map_err(at(to, "set the time of"))
    } else {
        // Sockets, fifos and devices: tar would store them; a cache of
        // datasets and weights has none worth keeping.
        Ok(())
    }
}

fn make_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => fs::create_dir_all(parent).map_err(at(parent, "create")),
        _ => Ok(()),
    }
}

/// Removes whatever is at `path` (nothing there is fine); a folder goes with
/// its contents, a link without what it points to.
fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path).map_err(at(path, "remove")),
        Ok(_) => fs::remove_file(path).map_err(at(path, "remove")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(at(path, "read")(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};
    use std::time::{Duration, SystemTime};

    #[test]
    fn a_folder_is_merged_with_modes_times_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("from"), dir.path().join("to"));
        fs::create_dir_all(from.join("sub")).unwrap();
        fs::write(from.join("sub/tool"), "new").unwrap();
        fs::set_permissions(from.join("sub/tool"), fs::Permissions::from_mode(0o755)).unwrap();
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
        File::options()
            .write(true)
            .open(from.join("sub/tool"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        symlink("sub/tool", from.join("link")).unwrap();
        fs::create_dir_all(to.join("sub")).unwrap();
        fs::write(to.join("sub/tool"), "old").unwrap();
        fs::write(to.join("extra"), "kept").unwrap();

        copy_path(&from, &to).unwrap();

        assert_eq!(fs::read_to_string(to.join("sub/tool")).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(to.join("extra")).unwrap(),
            "kept",
            "a restore merges, as tar does"
        );
        let meta = fs::metadata(to.join("sub/tool")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o755);
        assert_eq!(meta.modified().unwrap(), old);
        assert_eq!(fs::read_link(to.join("link")).unwrap(), Path::new("sub/tool"));
    }

    #[test]
    fn a_link_below_the_top_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to, outside) = (
            dir.path().join("from"),
            dir.path().join("to"),
            dir.path().join("outside"),
        );
        fs::create_dir_all(from.join("data")).unwrap();
        fs::write(from.join("data/file"), "cached").unwrap();
        fs::create_dir_all(&to).unwrap();
        fs::create_dir_all(&outside).unwrap();
        symlink(&outside, to.join("data")).unwrap();

        copy_path(&from, &to).unwrap();

        assert!(fs::symlink_metadata(to.join("data")).unwrap().is_dir());
        assert_eq!(fs::read_to_string(to.join("data/file")).unwrap(), "cached");
        assert_eq!(
            fs::read_dir(&outside).unwrap().count(),
            0,
            "nothing written through the link"
        );
    }

    #[test]
    fn a_read_only_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("from"), dir.path().join("to"));
        fs::write(&from, "new").unwrap();
        fs::write(&to, "old").unwrap();
        fs::set_permissions(&to, fs::Permissions::from_mode(0o444)).unwrap();
        copy_path(&from, &to).unwrap();
        assert_eq!(fs::read_to_string(&to).unwrap(), "new");
    }

    #[test]
    fn a_missing_source_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let err = copy_path(&missing, &dir.path().join("to")).unwrap_err();
        assert!(
            err.starts_with(&format!("failed to read {}: ", missing.display())),
            "{err}"
        );
    }
}
