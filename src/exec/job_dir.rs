//! A job's own directory on the host (its workspace or its temp folder),
//! touched only through a capability that cannot leave it: every path is
//! resolved beneath the directory, and a symlink or `..` that would lead out
//! of it is an error, never followed (cap-std, `openat2` underneath where
//! the kernel has it). The job can write into these folders, so anything it
//! planted there is treated as hostile.

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
}
