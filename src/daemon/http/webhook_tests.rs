//! The webhooks through a real server: what is stored, what is refused,
//! and that a refused delivery stores nothing.

use super::test_server::{sign, TestServer, SECRET};
use super::MAX_BODY;
use crate::daemon::queue::{EventRow, NewEvent};
use futures_util::FutureExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BEFORE: &str = "1111111111111111111111111111111111111111";
const AFTER: &str = "2222222222222222222222222222222222222222";

fn push_payload(full_name: &str) -> Value {
    json!({
        "ref": "refs/heads/main",
        "before": BEFORE,
        "after": AFTER,
        "repository": {"full_name": full_name, "name": full_name.rsplit('/').next()},
        "pusher": {"name": "ada"}
    })
}

/// Posts `body` to `path` with the given headers; returns the status and JSON body.
async fn post(server: &TestServer, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, Value) {
    let mut request = server
        .client
        .post(format!("{}{path}", server.url))
        .header("Content-Type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("a response");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

fn github(event: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        ("X-GitHub-Event", event.to_string()),
        ("X-Hub-Signature-256", format!("sha256={}", sign(SECRET, body))),
    ]
}

fn stored(server: &TestServer) -> Vec<EventRow> {
    server.queue.events(100).expect("list the events")
}

/// The fields a test sets, from a stored event.
fn as_new(row: &EventRow) -> NewEvent {
    NewEvent {
        repo: row.repo.clone(),
        name: row.name.clone(),
        git_ref: row.git_ref.clone(),
        before: row.before.clone(),
        after: row.after.clone(),
        payload: row.payload.clone(),
        source: row.source.clone(),
    }
}

#[tokio::test]
async fn a_signed_github_push_is_stored_exactly_and_wakes_intake() {
    let server = TestServer::start(|_| {}).await;
    let payload = push_payload("Acme/Vision");
    let body = serde_json::to_vec(&payload).expect("JSON");
    let (status, answer) = post(&server, "/hooks/github", &github("push", &body), &body).await;
    let events = stored(&server);
    assert_eq!(events.len(), 1);
    assert_eq!((status, answer), (202, json!({"event": events[0].id})));
    assert_eq!(
        as_new(&events[0]),
        NewEvent {
            repo: "vision".into(),
            name: "push".into(),
            git_ref: "refs/heads/main".into(),
            before: Some(BEFORE.into()),
            after: Some(AFTER.into()),
            payload: Some(payload),
            source: "github".into(),
        }
    );
    assert_eq!(events[0].status, "queued");
    // notify_one left a permit, so intake's next wait returns at once.
    assert_eq!(server.wake.notified().now_or_never(), Some(()));
    server.stop().await;
}

#[tokio::test]
async fn a_wrong_or_missing_signature_is_refused_and_stores_nothing() {
    let server = TestServer::start(|_| {}).await;
    let body = serde_json::to_vec(&push_payload("acme/vision")).expect("JSON");
    let wrong_secret = vec![
        ("X-GitHub-Event", "push".to_string()),
        ("X-Hub-Signature-256", format!("sha256={}", sign("guess", &body))),
    ];
    let (status, answer) = post(&server, "/hooks/github", &wrong_secret, &body).await;
    assert_eq!(status, 401);
    assert_eq!(
        answer,
        json!({"error": "the X-Hub-Signature-256 signature does not match the body signed with the runner's webhook secret"})
    );
    assert!(!answer.to_string().contains(SECRET));

    // Signed for another body.
    let (status, _) = post(&server, "/hooks/github", &github("push", b"{}"), &body).await;
    assert_eq!(status, 401);
    // The digest without GitHub's `sha256=` prefix.
    let bare = vec![
        ("X-GitHub-Event", "push".to_string()),
        ("X-Hub-Signature-256", sign(SECRET, &body)),
    ];
    let (status, _) = post(&server, "/hooks/github", &bare, &body).await;
    assert_eq!(status, 401);

    let unsigned = vec![("X-GitHub-Event", "push".to_string())];
    let (status, answer) = post(&server, "/hooks/github", &unsigned, &body).await;
    assert_eq!(
        (status, answer),
        (401, json!({"error": "the request has no X-Hub-Signature-256 header"}))
    );
    assert_eq!(stored(&server), []);
    assert_eq!(server.wake.notified().now_or_never(), None);
    server.stop().await;
}

#[tokio::test]
async fn webhooks_without_a_configured_secret_are_forbidden() {
    let server = TestServer::start(|config| config.webhook_secret = None).await;
    let body = serde_json::to_vec(&push_payload("acme/vision")).expect("JSON");
    let (status, answer) = post(&server, "/hooks/github", &github("push", &body), &body).await;
    assert_eq!(
        (status, answer),
        (
            403,
            json!({"error": "webhooks need webhook_secret_file in the runner config"})
        )
    );
    assert_eq!(stored(&server), []);
    server.stop().await;
}

/// Sends `head` (the request line and headers), then whatever `body`
/// writes, and returns the response's status line. The body is written
/// beside the read, since the server may answer (and close) before it ends.
async fn raw_status<F, Fut>(server: &TestServer, head: String, body: F) -> String
where
    F: FnOnce(tokio::net::tcp::OwnedWriteHalf) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
{
    let address = server.url.trim_start_matches("http://");
    let stream = TcpStream::connect(address).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head.as_bytes()).await.expect("send the headers");
    // The server may close the connection mid-body; that is the point.
    let sending = tokio::spawn(body(writer));
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    let status_line = async {
        while !answer.windows(2).any(|w| w == b"\r\n") {
            let read = reader.read(&mut buffer).await.expect("read the answer");
            assert!(read > 0, "the server closed without answering");
            answer.extend_from_slice(&buffer[..read]);
        }
    };
    // A bound, not a timing assertion: a server that waits for the rest of
    // the body would otherwise hang the test.
    tokio::time::timeout(std::time::Duration::from_secs(60), status_line)
        .await
        .expect("an answer before the body is complete");
    sending.abort();
    let text = String::from_utf8_lossy(&answer).into_owned();
    text.lines().next().unwrap_or_default().to_string()
}

fn head(path: &str, length_header: &str, body: &[u8]) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         X-GitHub-Event: push\r\nX-Hub-Signature-256: sha256={}\r\n{length_header}\r\n\r\n",
        sign(SECRET, body)
    )
}

#[tokio::test]
async fn a_declared_100_mb_body_is_refused_before_it_is_sent() {
    let server = TestServer::start(|_| {}).await;
    let length = format!("Content-Length: {}", 100 * 1024 * 1024);
    // Only the first byte is ever sent: the answer must come from the header alone.
    let status = raw_status(&server, head("/hooks/github", &length, b""), |mut writer| async move {
        writer.write_all(b"{").await?;
        std::future::pending::<std::io::Result<()>>().await
    })
    .await;
    assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
    assert_eq!(stored(&server), []);
    server.stop().await;
}

#[tokio::test]
async fn a_chunked_body_over_25_mib_is_refused() {
    let server = TestServer::start(|_| {}).await;
    let status = raw_status(
        &server,
        head("/hooks/github", "Transfer-Encoding: chunked", b""),
        |mut writer| async move {
            let chunk = vec![b' '; 1024 * 1024];
            let header = format!("{:x}\r\n", chunk.len());
            for _ in 0..(MAX_BODY / chunk.len() + 1) {
                writer.write_all(header.as_bytes()).await?;
                writer.write_all(&chunk).await?;
                writer.write_all(b"\r\n").await?;
            }
            writer.write_all(b"0\r\n\r\n").await
        },
    )
    .await;
    assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
    assert_eq!(stored(&server), []);
    server.stop().await;
}

#[tokio::test]
async fn a_signed_gitea_push_is_stored_with_its_source() {
    let server = TestServer::start(|_| {}).await;
    let payload = push_payload("acme/speech-models");
    let body = serde_json::to_vec(&payload).expect("JSON");
    let headers = vec![
        ("X-Gitea-Event", "push".to_string()),
        ("X-Gitea-Signature", sign(SECRET, &body)),
    ];
    let (status, answer) = post(&server, "/hooks/gitea", &headers, &body).await;
    let events = stored(&server);
    assert_eq!((status, answer), (202, json!({"event": events[0].id})));
    assert_eq!(
        (
            events[0].repo.as_str(),
            events[0].source.as_str(),
            events[0].after.as_deref()
        ),
        ("speech", "gitea", Some(AFTER))
    );
    // GitHub's header means nothing to the Gitea hook.
    let (status, _) = post(&server, "/hooks/gitea", &github("push", &body), &body).await;
    assert_eq!(status, 401);
    assert_eq!(stored(&server).len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn ping_other_events_unknown_repositories_and_bad_json_store_nothing() {
    let server = TestServer::start(|_| {}).await;
    let ping = br#"{"zen": "Keep it logically awesome.", "hook_id": 1}"#;
    let (status, answer) = post(&server, "/hooks/github", &github("ping", ping), ping).await;
    assert_eq!((status, answer), (200, json!({"ok": true})));

    let star = br#"{"action": "created"}"#;
    let (status, answer) = post(&server, "/hooks/github", &github("star", star), star).await;
    assert_eq!(
        (status, answer),
        (202, json!({"ignored": "the star event starts no runs"}))
    );

    let body = serde_json::to_vec(&push_payload("acme/x")).expect("JSON");
    let (status, answer) = post(&server, "/hooks/github", &github("push", &body), &body).await;
    assert_eq!(
        (status, answer),
        (404, json!({"error": "no configured repository matches acme/x"}))
    );

    let broken = b"{\"ref\": ";
    let (status, answer) = post(&server, "/hooks/github", &github("push", broken), broken).await;
    assert_eq!(
        (status, answer),
        (
            400,
            json!({"error": "the payload is not JSON: EOF while parsing a value at line 1 column 8"})
        )
    );
    assert_eq!(stored(&server), []);
    server.stop().await;
}

#[tokio::test]
async fn a_delivery_sent_twice_is_stored_once_per_forge() {
    let server = TestServer::start(|_| {}).await;
    let body = serde_json::to_vec(&push_payload("acme/vision")).expect("JSON");
    let mut headers = github("push", &body);
    headers.push(("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958".to_string()));
    let (status, first) = post(&server, "/hooks/github", &headers, &body).await;
    assert_eq!(status, 202);
    let id = first["event"].clone();
    // GitHub's "Redeliver" button: same id, same body.
    assert_eq!(
        post(&server, "/hooks/github", &headers, &body).await,
        (200, json!({"event": id, "duplicate": true}))
    );
    // Another delivery of the same push is another event.
    headers.pop();
    headers.push(("X-GitHub-Delivery", "a-second-delivery".to_string()));
    assert_eq!(post(&server, "/hooks/github", &headers, &body).await.0, 202);
    // Gitea's ids are its own: the same string from Gitea is new.
    let gitea = vec![
        ("X-Gitea-Event", "push".to_string()),
        ("X-Gitea-Signature", sign(SECRET, &body)),
        ("X-Gitea-Delivery", "a-second-delivery".to_string()),
    ];
    assert_eq!(post(&server, "/hooks/gitea", &gitea, &body).await.0, 202);
    assert_eq!(post(&server, "/hooks/gitea", &gitea, &body).await.0, 200);
    let sources: Vec<String> = stored(&server).into_iter().map(|e| e.source).collect();
    assert_eq!(sources, ["gitea", "github", "github"]);
    server.stop().await;
}
