//! A fluent builder in the style of casey/just's tests: write files into a
//! temporary directory, run the real `mlci` binary there, and assert the
//! exit status and the whole of stdout and stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// The shared reference folder beside the repository (`../shared`).
pub fn shared(path: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(root.is_dir(), "the shared folder is missing at {}", root.display());
    root.join(path)
}

#[must_use]
pub struct Test {
    dir: TempDir,
    args: Vec<String>,
    status: i32,
    stdout: Option<String>,
    stderr: Option<String>,
    stdout_contains: Vec<String>,
    stderr_contains: Vec<String>,
    /// Give mlci a stdout pipe whose reader has already gone (`| head -0`).
    stdout_closed: bool,
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("a temporary directory"),
            args: Vec::new(),
            status: 0,
            stdout: None,
            stderr: None,
            stdout_contains: Vec::new(),
            stderr_contains: Vec::new(),
            stdout_closed: false,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to `path` (relative to the test directory), creating folders.
    pub fn write(self, path: &str, content: impl AsRef<[u8]>) -> Test {
        let full = self.dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(full, content).expect("write file");
        self
    }

    /// Writes a workflow file under `.github/workflows/`.
    pub fn workflow(self, name: &str, content: &str) -> Test {
        self.write(&format!(".github/workflows/{name}"), unindent(content))
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn status(mut self, status: i32) -> Test {
        self.status = status;
        self
    }

    pub fn stdout(mut self, expected: &str) -> Test {
        self.stdout = Some(unindent(expected));
        self
    }

    pub fn stderr(mut self, expected: &str) -> Test {
        self.stderr = Some(unindent(expected));
        self
    }

    pub fn stdout_contains(mut self, expected: &str) -> Test {
        self.stdout_contains.push(expected.into());
        self
    }

    pub fn stderr_contains(mut self, expected: &str) -> Test {
        self.stderr_contains.push(expected.into());
        self
    }

    /// Runs mlci with stdout a pipe whose read end is already closed, so its
    /// first write fails with EPIPE, as under `mlci … | head -1`.
    pub fn stdout_closed(mut self) -> Test {
        self.stdout_closed = true;
        self
    }

    /// Runs `mlci` in the test directory and checks every expectation.
    pub fn run(self) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mlci"));
        command.args(&self.args).current_dir(self.dir.path());
        if self.stdout_closed {
            command.stdout(closed_pipe());
        }
        let output = command.output().expect("run mlci");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let context = format!(
            "mlci {}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
            self.args.join(" ")
        );
        assert_eq!(output.status.code(), Some(self.status), "exit status of {context}");
        if let Some(expected) = &self.stdout {
            assert_eq!(&*stdout, expected, "stdout of {context}");
        }
        if let Some(expected) = &self.stderr {
            assert_eq!(&*stderr, expected, "stderr of {context}");
        }
        for expected in &self.stdout_contains {
            assert!(
                stdout.contains(expected.as_str()),
                "stdout lacks {expected:?}: {context}"
            );
        }
        for expected in &self.stderr_contains {
            assert!(
                stderr.contains(expected.as_str()),
                "stderr lacks {expected:?}: {context}"
            );
        }
        output
    }
}

/// The write end of a pipe whose read end is closed.
fn closed_pipe() -> std::process::Stdio {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe() fills both descriptors on success, which we then own.
    let (read, write) = unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0, "pipe()");
        (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
    };
    drop(read);
    write.into()
}

/// Removes the common leading indentation and a leading newline, so
/// expected text can be written indented inside a test.
pub fn unindent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        out.push_str(line.get(indent..).unwrap_or(line.trim_start_matches(' ')));
    }
    out
}
