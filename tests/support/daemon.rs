//! What the runner daemon's tests stand up: a bare git repository pushed to
//! with the git CLI, a forge that records the commit statuses it is sent
//! (a plain HTTP server on loopback), and the daemon as a real process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Polls `done` every 50 ms until it holds; panics with `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A free port on 127.0.0.1 (taken, then released for the daemon).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    listener.local_addr().expect("its address").port()
}

/// One request the forge received.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub authorization: String,
    pub body: serde_json::Value,
}

/// A forge API that answers 201 to every POST and records it.
pub struct Forge {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Forge {
    pub fn start() -> Forge {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the forge");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let log = log.clone();
                std::thread::spawn(move || answer(stream, &log));
            }
        });
        Forge { url, received }
    }

    /// `(context, state)` of the statuses sent for `sha`, in order.
    pub fn statuses(&self, sha: &str) -> Vec<(String, String)> {
        let received = self.received.lock().expect("the forge's log");
        received
            .iter()
            .filter(|r| r.path.ends_with(&format!("/statuses/{sha}")))
            .map(|r| {
                let text = |key: &str| r.body[key].as_str().unwrap_or_default().to_string();
                (text("context"), text("state"))
            })
            .collect()
    }
}

/// Reads one HTTP/1.1 request (headers and a Content-Length body) and answers 201.
fn answer(mut stream: std::net::TcpStream, log: &Mutex<Vec<Received>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or_default().to_string();
        let (mut length, mut authorization) = (0, String::new());
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => authorization = value.trim().to_string(),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        log.lock().expect("the forge's log").push(Received {
            path,
            authorization,
            body: serde_json::from_slice(&body).unwrap_or_default(),
        });
        let reply = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        if stream.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// A bare repository (`origin.git`) and a working clone (`work`) that pushes to it.
pub struct Origin {
    pub bare: PathBuf,
    pub work: PathBuf,
}

impl Origin {
    pub fn new(dir: &Path) -> Origin {
        let bare = dir.join("origin.git");
        let work = dir.join("work");
        git(
            dir,
            &["init", "--quiet", "--bare", "--initial-branch=main", "origin.git"],
        );
        git(dir, &["clone", "--quiet", "origin.git", "work"]);
        git(&work, &["config", "user.name", "Ada"]);
        git(&work, &["config", "user.email", "ada@example.com"]);
        git(&work, &["checkout", "--quiet", "-B", "main"]);
        Origin { bare, work }
    }

    /// Writes files, commits them and returns the commit's sha.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (path, content) in files {
            let full = self.work.join(path);
            std::fs::create_dir_all(full.parent().expect("a parent")).expect("create folders");
            std::fs::write(full, content).expect("write a file");
        }
        git(&self.work, &["add", "--all"]);
        git(&self.work, &["commit", "--quiet", "--allow-empty", "-m", message]);
        git(&self.work, &["rev-parse", "HEAD"]).trim().to_string()
    }

    /// `git push origin HEAD:<branch>`; returns what the hook said.
    pub fn push(&self, branch: &str) -> String {
        let output = Command::new("git")
            .current_dir(&self.work)
            .args(["push", "--quiet", "origin", &format!("HEAD:refs/heads/{branch}")])
            .output()
            .expect("run git push");
        assert!(
            output.status.success(),
            "git push: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    pub fn checkout(&self, branch: &str) {
        git(&self.work, &["checkout", "--quiet", "-B", branch]);
    }
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `mlci runner start` as a child process, its log lines collected.
pub struct Runner {
    child: Child,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Runner {
    pub fn start(config: &Path) -> Runner {
        Runner::start_with(config, &[])
    }

    /// `mlci runner start --config <config> <extra…>`.
    pub fn start_with(config: &Path, extra: &[&str]) -> Runner {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlci"))
            .args(["runner", "start", "--config"])
            .arg(config)
            .args(extra)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mlci runner");
        let log = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    log.lock().expect("the runner's log").push(line);
                }
            });
        }
        let runner = Runner { child, log };
        runner.wait_for_line("listening on", Duration::from_secs(60));
        runner
    }

    pub fn wait_for_line(&self, text: &str, limit: Duration) {
        wait_until(
            &format!("`{text}` in the runner's log:\n{}", self.log_text()),
            limit,
            || {
                self.log
                    .lock()
                    .expect("the runner's log")
                    .iter()
                    .any(|l| l.contains(text))
            },
        );
    }

    pub fn log_text(&self) -> String {
        self.log.lock().expect("the runner's log").join("\n")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal (`KILL`, `TERM`) with kill(1).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name}");
    }

    /// Waits for the process to exit; its exit code (None: killed by a signal).
    pub fn wait(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the runner") {
                return status.code();
            }
            assert!(
                start.elapsed() < limit,
                "the runner did not exit within {limit:?}:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
