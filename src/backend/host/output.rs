//! A step's output on the host: stdout and stderr write into one pipe (so
//! lines keep the order the step wrote them in), a thread reads the pipe in
//! large chunks, and [`Lines`] cuts the chunks into lines for the sink.
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
/// A line longer than this is passed on in pieces, so output without
/// newlines cannot take all memory.
const MAX_LINE: usize = 1024 * 1024;

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

/// Cuts chunks of output into lines, holding a line's start until its end
/// comes. Lines are given without their `\n`; bytes that are not UTF-8 are
/// replaced.
#[derive(Default)]
pub struct Lines {
    partial: Vec<u8>,
}

impl Lines {
    pub fn push(&mut self, chunk: &[u8], line: &mut dyn FnMut(&str)) {
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            if self.partial.is_empty() {
                line(&String::from_utf8_lossy(&rest[..end]));
            } else {
                self.partial.extend_from_slice(&rest[..end]);
                line(&String::from_utf8_lossy(&self.partial));
                self.partial.clear();
            }
            rest = &rest[end + 1..];
        }
        self.partial.extend_from_slice(rest);
        while self.partial.len() >= MAX_LINE {
            let cut = char_boundary(&self.partial[..MAX_LINE]);
            line(&String::from_utf8_lossy(&self.partial[..cut]));
            self.partial.drain(..cut);
        }
    }

    /// The last line, if the output did not end with a newline.
    pub fn finish(&mut self, line: &mut dyn FnMut(&str)) {
        if !self.partial.is_empty() {
            line(&String::from_utf8_lossy(&self.partial));
            self.partial.clear();
        }
    }
}

/// Where to cut `bytes` so that a UTF-8 character at its end is not split:
/// before a lead byte whose character would run past the end.
fn char_boundary(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let at = bytes.len() - back;
        let byte = bytes[at];
        let needs = match byte {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => continue,
        };
        return if needs > back { at } else { bytes.len() };
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(chunks: &[&[u8]]) -> Vec<String> {
        let mut lines = Lines::default();
        let mut out = Vec::new();
        for chunk in chunks {
            lines.push(chunk, &mut |l| out.push(l.to_string()));
        }
        lines.finish(&mut |l| out.push(l.to_string()));
        out
    }

    #[test]
    fn lines_span_chunks() {
        assert_eq!(cut(&[b"a\nb", b"c\n", b"\nd"]), ["a", "bc", "", "d"]);
        assert_eq!(cut(&[b"x\n"]), ["x"]);
        assert!(cut(&[b""]).is_empty());
    }

    #[test]
    fn carriage_returns_and_bad_utf8_stay_visible() {
        assert_eq!(cut(&[b"a\r\nb\xff\n"]), ["a\r", "b\u{fffd}"]);
        // A character split across chunks is whole again.
        assert_eq!(
            cut(&["é\n".as_bytes()[..1].as_ref(), "é\n".as_bytes()[1..].as_ref()]),
            ["é"]
        );
    }

    #[test]
    fn long_lines_come_in_pieces_without_splitting_characters() {
        // A line's start with no newline yet, its last character straddling
        // the limit, then the rest of the line.
        let mut start = vec![b'a'; MAX_LINE - 1];
        start.extend_from_slice("é".as_bytes());
        let lines = cut(&[&start, b"b\n"]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), MAX_LINE - 1);
        assert_eq!(lines[1], "éb");
    }

    #[test]
    fn char_boundaries() {
        assert_eq!(char_boundary(b"abc"), 3);
        assert_eq!(char_boundary("aé".as_bytes()), 3);
        assert_eq!(char_boundary(&"aé".as_bytes()[..2]), 1);
        assert_eq!(char_boundary(&"a€".as_bytes()[..3]), 1);
        assert_eq!(char_boundary(&"a😀".as_bytes()[..4]), 1);
        assert_eq!(char_boundary(b""), 0);
    }
}
