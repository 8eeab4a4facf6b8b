//! The endpoint's listener, guarded against slow clients: at most
//! [`MAX_CONNECTIONS`] connections at once (more wait in the kernel's
//! backlog, holding no file descriptor of the daemon's), and each request
//! must arrive within [`REQUEST_TIMEOUT`]: a client trickling its headers a
//! byte at a time is cut off, so a thousand of them cannot starve the
//! daemon of file descriptors or of connections for real forges.

use axum::serve::Listener;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{sleep, Instant, Sleep};

/// Connections served at once. A forge sends a handful; the rest of the
/// daemon (containers, logs, the store) keeps the file descriptors it needs.
pub const MAX_CONNECTIONS: usize = 256;

/// How long a request (headers and body) may take to arrive, counted from
/// the connection, or from the previous answer on a kept-alive connection.
/// A 25 MiB webhook over a slow link still fits.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A TCP listener that accepts while fewer than `limit` connections are open.
pub struct GuardedListener {
    inner: TcpListener,
    slots: Arc<Semaphore>,
    timeout: Duration,
}

impl GuardedListener {
    pub fn new(inner: TcpListener, limit: usize, timeout: Duration) -> GuardedListener {
        GuardedListener {
            inner,
            slots: Arc::new(Semaphore::new(limit.max(1))),
            timeout,
        }
    }
}

impl Listener for GuardedListener {
    type Io = GuardedStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (GuardedStream, Self::Addr) {
        // The semaphore is never closed, so acquiring only waits.
        let permit = loop {
            if let Ok(permit) = self.slots.clone().acquire_owned().await {
                break permit;
            }
        };
        let (stream, addr) = Listener::accept(&mut self.inner).await;
        let io = GuardedStream {
            stream,
            _permit: permit,
            timeout: self.timeout,
            deadline: Box::pin(sleep(self.timeout)),
            answering: false,
        };
        (io, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// One connection: holds its slot until dropped, and fails its reads once
/// a request has taken longer than the timeout to arrive.
pub struct GuardedStream {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    /// Set while an answer is being written: the next read starts a new
    /// request, with a fresh deadline.
    answering: bool,
}

impl AsyncRead for GuardedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.answering {
            this.answering = false;
            let next = Instant::now() + this.timeout;
            this.deadline.as_mut().reset(next);
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request did not arrive in time",
            )));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.answering = true;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.answering = true;
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[path = "guarded_tests.rs"]
mod guarded_tests;
