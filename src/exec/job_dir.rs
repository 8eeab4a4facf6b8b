//! A job's own directory on the host (its workspace or its temp folder),
//! touched only through a capability that cannot leave it: every path is
//! resolved beneath the directory, and a symlink or `..` that would lead out
//! of it is an error, never followed (cap-std, `openat2` underneath where
//! the kernel has it). The job can write into these folders, so anything it
//! planted there is treated as hostile.

use super::dir_copy::remove_any;
use cap_fs_ext::DirExt;
use cap_std::ambient_authority;
use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt};
use std::io::{self, Read, Write};
use std::path::Path;

pub struct JobDir {
    dir: Dir,
}

impl JobDir {
    /// Opens `path`, a directory mlci created for the job.
    pub fn open(path: &Path) -> io::Result<JobDir> {
        Ok(JobDir {
            dir: Dir::open_ambient_dir(path, ambient_authority())?,
        })
    }

    pub fn create_dir_all(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.dir.create_dir_all(path)
    }

    /// Creates `path` anew with `contents`: whatever the job left there (a
    /// file, a link) is removed first, and a new file is only ever created
    /// (`O_EXCL`), so nothing is written through a planted link.
    pub fn write_fresh(&self, path: impl AsRef<Path>, contents: &[u8], mode: u32) -> io::Result<()> {
        let path = path.as_ref();
        // A folder in its place is the job's doing; creating fails below.
        let _ = self.dir.remove_file(path);
        let mut file = self
            .dir
            .open_with(path, OpenOptions::new().write(true).create_new(true).mode(mode))?;
        file.write_all(contents)
    }

    /// Reads `path`; a link in it is followed only inside the directory.
    pub fn read(&self, path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.dir.open(path)?.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Whether anything (a link included) is at `path`.
    pub fn exists(&self, path: impl AsRef<Path>) -> bool {
        self.dir.symlink_metadata(path).is_ok()
    }

    /// Copies the host folder `from` (mlci's, not the job's) to `to` inside
    /// this directory: folders and regular files, each file created anew.
    pub fn copy_in(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            let target = to.join(entry.file_name());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                self.copy_in(&entry.path(), &target)?;
            } else if kind.is_file() {
                let mode = std::os::unix::fs::PermissionsExt::mode(&entry.metadata()?.permissions());
                self.write_fresh(&target, &std::fs::read(entry.path())?, mode & 0o777)?;
            }
        }
        Ok(())
    }

    /// Makes `path` (empty: this directory) an empty folder and opens it:
    /// creates it, or removes everything in it, links without what they
    /// point to; a file or link in its place is removed first. The handle
    /// returned stays on that folder whatever the job renames meanwhile.
    pub fn empty_folder(&self, path: &Path) -> io::Result<JobDir> {
        let dir = if path.as_os_str().is_empty() {
            self.dir.try_clone()?
        } else {
            if self.dir.symlink_metadata(path).is_ok_and(|meta| !meta.is_dir()) {
                self.dir.remove_file_or_symlink(path)?;
            }
            self.dir.create_dir_all(path)?;
            self.dir.open_dir_nofollow(path)?
        };
        for entry in dir.entries()? {
            remove_any(&dir, Path::new(&entry?.file_name()))?;
        }
        Ok(JobDir { dir })
    }

    /// Moves every entry of the host folder `from` (mlci's own, on the same
    /// file system) into this directory, by renaming.
    pub fn move_in(&self, from: &Path) -> io::Result<()> {
        let source = Dir::open_ambient_dir(from, ambient_authority())?;
        for entry in source.entries()? {
            let name = entry?.file_name();
            source.rename(&name, &self.dir, &name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_copy_into_the_job_dir_never_writes_through_a_planted_link() {
        let host = tempfile::tempdir().unwrap();
        let victim = host.path().join("victim");
        std::fs::write(&victim, "host file\n").unwrap();
        let source = host.path().join("action");
        std::fs::create_dir(&source).unwrap();
        std::fs::write(source.join("action.yml"), "runs: {using: composite, steps: []}\n").unwrap();
        let temp = host.path().join("temp");
        std::fs::create_dir_all(temp.join("_actions/action")).unwrap();
        symlink(&victim, temp.join("_actions/action/action.yml")).unwrap();

        JobDir::open(&temp)
            .unwrap()
            .copy_in(&source, Path::new("_actions/action"))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "host file\n");
        assert!(std::fs::symlink_metadata(temp.join("_actions/action/action.yml"))
            .unwrap()
            .is_file());
    }

    #[test]
    fn paths_that_leave_the_dir_are_refused() {
        let host = tempfile::tempdir().unwrap();
        std::fs::write(host.path().join("outside"), "x").unwrap();
        let inside = host.path().join("inside");
        std::fs::create_dir(&inside).unwrap();
        symlink("../outside", inside.join("link")).unwrap();
        let dir = JobDir::open(&inside).unwrap();
        assert!(dir.read("../outside").is_err());
        assert!(dir.read("link").is_err());
        assert!(dir.write_fresh("../written", b"x", 0o644).is_err());
        assert!(!host.path().join("written").exists());
    }

    #[test]
    fn an_emptied_folder_keeps_itself_and_what_its_links_point_to() {
        let host = tempfile::tempdir().unwrap();
        let ws = host.path().join("ws");
        std::fs::create_dir_all(ws.join("out/sub/deeper")).unwrap();
        std::fs::write(ws.join("out/sub/deeper/f"), "x").unwrap();
        std::fs::write(ws.join("out/.hidden"), "x").unwrap();
        let outside = host.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep"), "x").unwrap();
        symlink(&outside, ws.join("out/link")).unwrap();

        let dir = JobDir::open(&ws).unwrap();
        dir.empty_folder(Path::new("out")).unwrap();
        assert_eq!(std::fs::read_dir(ws.join("out")).unwrap().count(), 0);
        assert!(outside.join("keep").exists(), "a link is removed, not followed");
        // A missing folder is made; a file or a link in its place goes.
        dir.empty_folder(Path::new("a/b")).unwrap();
        assert!(ws.join("a/b").is_dir());
        std::fs::write(ws.join("f"), "x").unwrap();
        dir.empty_folder(Path::new("f")).unwrap();
        assert!(ws.join("f").is_dir());
        symlink(&outside, ws.join("l")).unwrap();
        dir.empty_folder(Path::new("l")).unwrap();
        assert!(ws.join("l").is_dir() && outside.join("keep").exists());
        // The directory itself, and a way out through a link, refused.
        dir.empty_folder(Path::new("")).unwrap();
        assert_eq!(std::fs::read_dir(&ws).unwrap().count(), 0);
        symlink(&outside, ws.join("away")).unwrap();
        assert!(dir.empty_folder(Path::new("away/sub")).is_err());
        assert!(outside.join("keep").exists() && !outside.join("sub").exists());
    }

    #[test]
    fn moving_in_renames_mlcis_folder_into_the_opened_one() {
        let host = tempfile::tempdir().unwrap();
        let ws = host.path().join("ws");
        std::fs::create_dir_all(ws.join("repo")).unwrap();
        let staged = host.path().join("staged");
        std::fs::create_dir_all(staged.join(".git")).unwrap();
        std::fs::write(staged.join("README"), "hello").unwrap();
        let folder = JobDir::open(&ws).unwrap().empty_folder(Path::new("repo")).unwrap();
        // The job swaps the folder for a link to the host meanwhile: the
        // handle still names the folder it opened.
        let victim = host.path().join("victim");
        std::fs::create_dir(&victim).unwrap();
        std::fs::rename(ws.join("repo"), ws.join("moved")).unwrap();
        symlink(&victim, ws.join("repo")).unwrap();
        folder.move_in(&staged).unwrap();
        assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 0);
        assert_eq!(std::fs::read_to_string(ws.join("moved/README")).unwrap(), "hello");
        assert!(ws.join("moved/.git").is_dir());
        assert_eq!(std::fs::read_dir(&staged).unwrap().count(), 0);
    }
}
