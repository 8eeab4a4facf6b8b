//! Slow clients against a real endpoint on loopback: a bounded number of
//! connections trickling headers that never end.

use super::super::{serve_guarded, test_server, ApiState};
use crate::daemon::queue::Queue;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// A bound on each wait, so that the test stops by itself whatever happens;
/// under hyper's own 30 s header timeout, so only the guard passes it.
const BOUND: Duration = Duration::from_secs(20);

#[tokio::test]
async fn trickling_clients_are_cut_off_and_the_endpoint_stays_reachable() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = dir.path().join("store");
    let state = ApiState {
        config: Arc::new(test_server::config(store.clone())),
        queue: Arc::new(Queue::open(&store).expect("open the queue")),
        wake: Arc::new(Notify::new()),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind on loopback");
    let addr = listener.local_addr().expect("its address");
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(serve_guarded(
        listener,
        state,
        shutdown.clone(),
        4,
        Duration::from_millis(300),
    ));
    // Three times the connection cap, each sending a header that never ends.
    let mut slow = Vec::new();
    for _ in 0..12 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"GET /api/events HTTP/1.1\r\nHost: mlci\r\nX-Slow: ")
            .await
            .expect("send a partial header");
        slow.push(stream);
    }
    let answered = tokio::time::timeout(BOUND, async {
        let client = reqwest::Client::builder().no_proxy().build().expect("a client");
        let response = client
            .get(format!("http://{addr}/api/events"))
            .send()
            .await
            .expect("a response");
        response.status().as_u16()
    })
    .await
    .expect("the endpoint answered within the bound");
    assert_eq!(answered, 200);
    // Every slow client was cut off without an answer: its read ends.
    for mut stream in slow {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(BOUND, stream.read_to_end(&mut rest))
            .await
            .expect("the server closed the slow connection");
        assert!(read.is_err() || rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    }
    shutdown.cancel();
    server.await.expect("the server task").expect("serve ends cleanly");
}
