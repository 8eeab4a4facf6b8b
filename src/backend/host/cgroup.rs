//! A host job's own cgroup, where this machine lets mlci make one. Each
//! step's process joins it before the step's program runs, so everything
//! the step starts is in it too, whatever it does to its session, its
//! process group or its environment; at the job's end every process in it
//! is killed and the cgroup removed.
//!
//! Only membership is used, no controller, so any cgroup v2 hierarchy will
//! do (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` beside v1 controllers),
//! else the v1 `pids` hierarchy. The job's cgroup is made beside mlci's own
//! cgroup in that hierarchy, which needs root or a delegated subtree; where
//! neither is there, the job's mark ([`super::leftovers`]) is the only net.
//!
//! A job's cgroup is named after its mark, which starts with the pid of the
//! mlci that ran it. An mlci killed before a job's end leaves the cgroup
//! (and whatever still runs in it); the next mlci to make a job cgroup
//! there ends those of mlcis that are gone.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How a job's cgroup is named: this, then the job's mark.
const PREFIX: &str = "mlci-job-";

/// Where a hierarchy is mounted, and how `/proc/self/cgroup` names it.
const HIERARCHIES: [(&str, Hierarchy); 3] = [
    ("/sys/fs/cgroup", Hierarchy::Unified),
    ("/sys/fs/cgroup/unified", Hierarchy::Unified),
    ("/sys/fs/cgroup/pids", Hierarchy::Controller("pids")),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hierarchy {
    /// cgroup v2: the line `0::/path`.
    Unified,
    /// A cgroup v1 hierarchy: the line `N:name[,name…]:/path`.
    Controller(&'static str),
}

#[derive(Debug)]
pub struct JobCgroup {
    dir: PathBuf,
    /// `dir/cgroup.procs`, ready for the child between fork and exec.
    procs: CString,
}

impl JobCgroup {
    /// Makes the cgroup of the job marked `mark`; None where no hierarchy
    /// lets mlci.
    pub fn create(mark: &str) -> Option<JobCgroup> {
        let name = format!("{PREFIX}{mark}");
        let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
        HIERARCHIES.iter().find_map(|&(mount, hierarchy)| {
            let mount = Path::new(mount);
            if !mounted(mount, hierarchy) {
                return None;
            }
            JobCgroup::create_in(mount, own_path(&own, hierarchy)?, &name)
        })
    }

    /// Makes `name` beside mlci's cgroup `own` in the hierarchy at `mount`.
    fn create_in(mount: &Path, own: &str, name: &str) -> Option<JobCgroup> {
        let parent = mount.join(own.trim_start_matches('/'));
        end_jobs_of_dead_mlcis(&parent);
        let dir = parent.join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) => {
                tracing::debug!("no cgroup for a host job in {}: {e}", mount.display());
                return None;
            }
        }
        JobCgroup::at(dir)
    }

    /// The cgroup in `dir`, which exists.
    fn at(dir: PathBuf) -> Option<JobCgroup> {
        let procs = CString::new(dir.join("cgroup.procs").as_os_str().as_bytes()).ok()?;
        Some(JobCgroup { dir, procs })
    }

    /// What a step's child runs between fork and exec to join the cgroup.
    /// It only opens, writes and closes (async-signal-safe); a failure
    /// leaves the step outside, with the job's mark still on it.
    pub fn joiner(&self) -> impl FnMut() -> io::Result<()> + Send + Sync + 'static {
        let procs = self.procs.clone();
        move || {
            // SAFETY: plain system calls on a C string that outlives them;
            // "0" means the calling process.
            unsafe {
                let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd >= 0 {
                    libc::write(fd, b"0".as_ptr().cast(), 1);
                    libc::close(fd);
                }
            }
            Ok(())
        }
    }

    /// The processes in the cgroup now.
    pub fn pids(&self) -> Vec<i32> {
        std::fs::read_to_string(self.dir.join("cgroup.procs"))
            .map(|text| text.lines().filter_map(|l| l.trim().parse().ok()).collect())
            .unwrap_or_default()
    }

    /// Kills every process in the cgroup, again until none is left (one
    /// may fork meanwhile; bounded, as mlci must go on). Returns how many
    /// were killed; the cgroup goes when it is dropped.
    pub fn kill_all(&self) -> usize {
        let mut killed = 0;
        for _ in 0..50 {
            let pids = self.pids();
            if pids.is_empty() {
                break;
            }
            for pid in pids {
                // SAFETY: kill has no memory effects; a process already
                // gone gives ESRCH.
                if unsafe { libc::kill(pid, libc::SIGKILL) } == 0 {
                    killed += 1;
                }
            }
            // A killed process leaves the cgroup when it has exited.
            std::thread::sleep(Duration::from_millis(10));
        }
        killed
    }
}

impl Drop for JobCgroup {
    /// A job dropped without its end (an error on the way) leaves no empty
    /// cgroup behind; one that still holds processes stays, and says so.
    fn drop(&mut self) {
        match std::fs::remove_dir(&self.dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                tracing::warn!("failed to remove the host job's cgroup {}: {e}", self.dir.display())
            }
            _ => {}
        }
    }
}

/// Ends the job cgroups in `parent` whose mlci is gone: kills what still
/// runs there (nobody watches it) and removes them.
fn end_jobs_of_dead_mlcis(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|mark| mark.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(pid) = pid.filter(|pid| !Path::new(&format!("/proc/{pid}")).exists()) else {
            continue;
        };
        let Some(left) = JobCgroup::at(entry.path()) else {
            continue;
        };
        let killed = left.kill_all();
        if killed > 0 {
            tracing::warn!(
                killed,
                "ended the processes a host job of mlci {pid} (gone) left in {}",
                left.dir.display()
            );
        }
    }
}

/// Whether `mount` holds `hierarchy`.
fn mounted(mount: &Path, hierarchy: Hierarchy) -> bool {
    let unified = mount.join("cgroup.controllers").is_file();
    match hierarchy {
        Hierarchy::Unified => unified,
        Hierarchy::Controller(_) => mount.join("cgroup.procs").is_file() && !unified,
    }
}

/// mlci's own cgroup in `hierarchy`, from `/proc/self/cgroup`.
fn own_path(text: &str, hierarchy: Hierarchy) -> Option<&str> {
    text.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (id, names, path) = (fields.next()?, fields.next()?, fields.next()?);
        let ours = match hierarchy {
            Hierarchy::Unified => id == "0" && names.is_empty(),
            Hierarchy::Controller(name) => names.split(',').any(|n| n == name),
        };
        ours.then_some(path)
    })
}

#[cfg(test)]
mod tests {
    use super::super::leftovers::is_zombie;
    use super::*;

    const HYBRID: &str = "9:name=systemd:/\n8:pids:/ci\n4:cpu,cpuacct:/x\n0::/user.slice/mlci.scope\n";

    #[test]
    fn own_cgroups_are_read_per_hierarchy() {
        assert_eq!(own_path(HYBRID, Hierarchy::Unified), Some("/user.slice/mlci.scope"));
        assert_eq!(own_path(HYBRID, Hierarchy::Controller("pids")), Some("/ci"));
        assert_eq!(own_path(HYBRID, Hierarchy::Controller("cpuacct")), Some("/x"));
        assert_eq!(own_path("8:pids:/ci\n", Hierarchy::Unified), None);
        assert_eq!(own_path("0::/\n", Hierarchy::Controller("pids")), None);
    }

    /// Each hierarchy this machine has holds a step that leaves its session
    /// and clears its environment, and loses it at the job's end. Needs
    /// root (or a delegated subtree): under CI it must run.
    #[test]
    fn every_hierarchy_here_holds_and_ends_what_a_step_starts() {
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
        let mut tried = 0;
        for (mount, hierarchy) in HIERARCHIES {
            let mount = Path::new(mount);
            let Some(own) = own_path(&own, hierarchy).filter(|_| mounted(mount, hierarchy)) else {
                continue;
            };
            let name = format!("mlci-test-{}", super::super::leftovers::new_mark());
            let Some(group) = JobCgroup::create_in(mount, own, &name) else {
                continue;
            };
            tried += 1;
            let mut command = std::process::Command::new("sh");
            command.args(["-c", "setsid env -i sleep 1003 </dev/null >/dev/null 2>&1 & echo $!"]);
            // SAFETY: the joiner only makes async-signal-safe calls.
            unsafe { std::os::unix::process::CommandExt::pre_exec(&mut command, group.joiner()) };
            let output = command.output().unwrap();
            let sleeper: i32 = String::from_utf8_lossy(&output.stdout).trim().parse().unwrap();
            assert!(
                group.pids().contains(&sleeper),
                "{}: {:?}",
                mount.display(),
                group.pids()
            );
            assert!(group.kill_all() >= 1);
            assert!(!Path::new(&format!("/proc/{sleeper}")).exists() || is_zombie(sleeper));
            let dir = group.dir.clone();
            drop(group);
            assert!(!dir.exists(), "the cgroup is removed");
        }
        if tried == 0 {
            let message = "no cgroup hierarchy here lets this user make a cgroup";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
            eprintln!("skipped: {message}");
        }
    }

    /// A job cgroup whose mlci is gone is emptied and removed when the next
    /// one is made beside it; one whose mlci lives is left alone.
    #[test]
    fn the_next_job_ends_the_cgroups_of_dead_mlcis() {
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
        let Some((mount, own)) = HIERARCHIES.iter().find_map(|&(mount, hierarchy)| {
            let mount = Path::new(mount);
            Some((mount, own_path(&own, hierarchy).filter(|_| mounted(mount, hierarchy))?))
        }) else {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "no cgroup hierarchy here");
            return;
        };
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        gone.wait().unwrap();
        let mark = super::super::leftovers::new_mark();
        let Some(dead) = JobCgroup::create_in(mount, own, &format!("{PREFIX}{}-{mark}", gone.id())) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "this user cannot make a cgroup"
            );
            return;
        };
        let mut command = std::process::Command::new("sh");
        command.args(["-c", "sleep 1005 </dev/null >/dev/null 2>&1 & echo $!"]);
        // SAFETY: the joiner only makes async-signal-safe calls.
        unsafe { std::os::unix::process::CommandExt::pre_exec(&mut command, dead.joiner()) };
        let output = command.output().unwrap();
        let left: i32 = String::from_utf8_lossy(&output.stdout).trim().parse().unwrap();
        let dead_dir = dead.dir.clone();
        std::mem::forget(dead); // as a killed mlci leaves it
        let living = JobCgroup::create_in(mount, own, &format!("{PREFIX}{mark}")).expect("a cgroup");
        let next = JobCgroup::create_in(mount, own, &format!("{PREFIX}{mark}-next")).expect("a cgroup");
        assert!(!dead_dir.exists(), "the dead mlci's cgroup is removed");
        assert!(!Path::new(&format!("/proc/{left}")).exists() || is_zombie(left));
        assert!(living.dir.exists(), "a living mlci's cgroup stays");
        drop((living, next));
    }

    #[test]
    fn a_folder_that_cannot_be_made_gives_no_cgroup() {
        let dir = tempfile::tempdir().unwrap();
        assert!(JobCgroup::create_in(dir.path(), "/missing/parent", "job").is_none());
    }
}
