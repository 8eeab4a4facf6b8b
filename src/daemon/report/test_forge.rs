//! A stand-in forge for the tests: an HTTP server on 127.0.0.1 that records
//! every request and answers from a script (503 a few times, then 201), and
//! can hold an answer back until the test releases it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::Router;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::{watch, Notify};

#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Now(u16),
    /// Recorded at once, answered when the test calls `release`.
    Held(u16),
}

/// One request as the forge saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub path: String,
    pub authorization: Option<String>,
    pub accept: Option<String>,
    pub user_agent: Option<String>,
    pub body: Value,
    pub answered: u16,
}

pub struct TestForge {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    state: Arc<ForgeState>,
}

struct ForgeState {
    script: Mutex<VecDeque<Answer>>,
    /// The answer once the script is used up.
    otherwise: u16,
    requests: Mutex<Vec<Recorded>>,
    seen: watch::Sender<usize>,
    release: Notify,
}

impl TestForge {
    /// A forge answering 201 Created, after the script's answers.
    pub async fn start(script: Vec<Answer>) -> TestForge {
        TestForge::answering(script, 201).await
    }

    pub async fn answering(script: Vec<Answer>, otherwise: u16) -> TestForge {
        let state = Arc::new(ForgeState {
            script: Mutex::new(script.into()),
            otherwise,
            requests: Mutex::new(Vec::new()),
            seen: watch::Sender::new(0),
            release: Notify::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let router = Router::new().fallback(record).with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        TestForge { url, state }
    }

    /// Every request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The requests so far, forgetting them.
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.state.requests.lock().unwrap())
    }

    /// Waits until `n` requests in all have arrived.
    pub async fn seen(&self, n: usize) {
        let mut seen = self.state.seen.subscribe();
        seen.wait_for(|&seen| seen >= n).await.expect("the forge is gone");
    }

    /// Lets a held answer go.
    pub fn release(&self) {
        self.state.release.notify_one();
    }
}

async fn record(State(state): State<Arc<ForgeState>>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let answer = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Answer::Now(state.otherwise));
    let (code, held) = match answer {
        Answer::Now(code) => (code, false),
        Answer::Held(code) => (code, true),
    };
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_string());
    state.requests.lock().unwrap().push(Recorded {
        path: uri.path().to_string(),
        authorization: header("authorization"),
        accept: header("accept"),
        user_agent: header("user-agent"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        answered: code,
    });
    state.seen.send_modify(|n| *n += 1);
    if held {
        state.release.notified().await;
    }
    StatusCode::from_u16(code).unwrap()
}
