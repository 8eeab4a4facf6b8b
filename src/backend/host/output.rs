//! A step's output on the host: stdout and stderr write into one pipe (so
//! lines keep the order the step wrote them in), a thread reads the pipe in
//! large chunks, and [`crate::backend::lines::LineSplitter`] cuts the
//! chunks into lines for the sink.
//!
//! The reader can be told to stop: a background process the step started
//! (`server &`) keeps the pipe open after the step exits, and GitHub ends a
//! step when its process exits, not when its output closes.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::thread;
use tokio::sync::mpsc;

/// How much one read takes from the pipe.
const CHUNK: usize = 64 * 1024;
/// Chunks read ahead of the sink before the reader waits (4 MiB).
const CHUNKS_AHEAD: usize = 64;
/// Once stopped, how much more the reader takes from the pipe: everything a
/// step wrote before it exited fits in a pipe's buffer (64 KiB by default,
/// 1 MiB at most unless raised), while a background process that keeps
/// writing must not keep the reader going.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// A pipe whose ends are closed on exec, so steps started at the same time
/// by other jobs do not inherit them (which would keep them open).
pub fn pipe() -> io::Result<(File, File)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    #[cfg(target_os = "linux")]
    let result = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    #[cfg(not(target_os = "linux"))]
    let result = unsafe {
        // Without pipe2 there is a short window in which a concurrent fork
        // could inherit the ends; the steps' own pipes are unaffected.
        let r = libc::pipe(fds.as_mut_ptr());
        if r == 0 {
            libc::fcntl(fds[0], libc::F_SETFD, libc::FD_CLOEXEC);
            libc::fcntl(fds[1], libc::F_SETFD, libc::FD_CLOEXEC);
        }
        r
    };
    if result != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and ours alone.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((File::from(read), File::from(write)))
}

/// The reading end of a step's output: chunks as the thread reads them.
pub struct Reader {
    pub chunks: mpsc::Receiver<Vec<u8>>,
    /// Closing this tells the thread to take what is left and finish.
    stop: Option<File>,
}

impl Reader {
    /// Reads `pipe` on its own thread until its end or [`Reader::stop`].
    pub fn spawn(pipe: File) -> io::Result<Reader> {
        let (stop_read, stop_write) = self::pipe()?;
        let (sender, chunks) = mpsc::channel(CHUNKS_AHEAD);
        thread::Builder::new()
            .name("mlci-step-output".to_string())
            .spawn(move || read_until_end_or_stop(pipe, stop_read, sender))?;
        Ok(Reader {
            chunks,
            stop: Some(stop_write),
        })
    }

    /// Has the thread take what is in the pipe now and finish; the chunks
    /// then end. Dropping the reader does the same.
    pub fn stop(&mut self) {
        self.stop = None;
    }
}

fn read_until_end_or_stop(mut pipe: File, stop: File, sender: mpsc::Sender<Vec<u8>>) {
    let mut fds = [
        libc::pollfd {
            fd: stop.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: pipe.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    loop {
        // SAFETY: `fds` is a valid array of two pollfd and both descriptors
        // stay open for the call (this function owns them).
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if ready < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        // The stop end never gets data: it becomes ready when it is closed.
        if fds[0].revents != 0 {
            drain(&mut pipe, &sender);
            return;
        }
        if fds[1].revents != 0 && !read_chunk(&mut pipe, &sender) {
            return;
        }
    }
}

/// Reads one chunk and passes it on; false at the end of the output (or
/// when nobody listens any more).
fn read_chunk(pipe: &mut File, sender: &mpsc::Sender<Vec<u8>>) -> bool {
    let mut chunk = vec![0; CHUNK];
    loop {
        match pipe.read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => {
                chunk.truncate(n);
                return sender.blocking_send(chunk).is_ok();
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

/// Takes what is in the pipe without waiting for more.
fn drain(pipe: &mut File, sender: &mpsc::Sender<Vec<u8>>) {
    // SAFETY: fcntl on a descriptor this function's caller owns.
    let nonblocking = unsafe {
        let flags = libc::fcntl(pipe.as_raw_fd(), libc::F_GETFL);
        flags >= 0 && libc::fcntl(pipe.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) == 0
    };
    if !nonblocking {
        return;
    }
    let mut taken = 0;
    while taken < DRAIN_LIMIT {
        let mut chunk = vec![0; CHUNK];
        match pipe.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => {
                taken += n;
                chunk.truncate(n);
                if sender.blocking_send(chunk).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // WouldBlock: the pipe is empty for now.
            Err(_) => return,
        }
    }
}
