//! A replay of recorded Kommo answers: a loopback HTTP server that answers Kommo API paths
//! (`/{subdomain}/api/v4/…`) with the files of `tests/fixtures/kommo/` (ids adjusted by the
//! test so the answers agree with each other), and records every request it received.

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{StatusCode, header},
    response::Response,
};
use serde_json::{Value, json};

/// The subdomain and token the replayed account is reached with.
pub const SUBDOMAIN: &str = "example";
pub const TOKEN: &str = "replay-token-2b7e0c55-never-print-me";

/// One canned answer: for `method` on `path` (without the subdomain), when the query
/// contains `query_has` (if given).
#[derive(Clone)]
struct Canned {
    method: &'static str,
    path: String,
    query_has: Option<String>,
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

/// A request the replay received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub body: Option<Value>,
}

#[derive(Default)]
struct Book {
    answers: Vec<Canned>,
    seen: Vec<Seen>,
}

type Shared = Arc<Mutex<Book>>;

pub struct ReplayServer {
    addr: SocketAddr,
    book: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The path of a fixture file.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kommo")
        .join(name)
}

/// A fixture file as JSON.
pub fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path(name)).expect("fixture file");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// A fixture file as text (the non-JSON bodies).
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).expect("fixture file")
}

impl ReplayServer {
    pub async fn start() -> ReplayServer {
        let book: Shared = Arc::default();
        let app = Router::new().fallback(answer).with_state(Arc::clone(&book));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ReplayServer { addr, book, task }
    }

    /// The `--base-url` template that points kommo-mcp at this replay.
    pub fn base_url_template(&self) -> String {
        format!("http://{}/{{subdomain}}", self.addr)
    }

    /// Answers `method path` (any query) with `status` and a HAL JSON body. Later answers
    /// for the same request win.
    pub fn json(&self, method: &'static str, path: &str, status: u16, body: &Value) {
        self.add(
            method,
            path,
            None,
            status,
            Some("application/hal+json"),
            body,
        );
    }

    /// Like [`json`](Self::json), only for requests whose query contains `query_has`.
    pub fn json_when(&self, method: &'static str, path: &str, query_has: &str, body: &Value) {
        self.add(
            method,
            path,
            Some(query_has),
            200,
            Some("application/hal+json"),
            body,
        );
    }

    /// Answers with a problem+json body (Kommo's error shape).
    pub fn problem(&self, method: &'static str, path: &str, status: u16, body: &Value) {
        self.add(
            method,
            path,
            None,
            status,
            Some("application/problem+json"),
            body,
        );
    }

    /// Answers with any bytes (`content_type` None: no body type, e.g. 204), for requests
    /// whose query contains `query_has` when it is given.
    pub fn raw(
        &self,
        (method, path, query_has): (&'static str, &str, Option<&str>),
        status: u16,
        content_type: Option<&'static str>,
        body: &[u8],
    ) {
        self.lock().answers.push(Canned {
            method,
            path: path.to_owned(),
            query_has: query_has.map(str::to_owned),
            status,
            content_type,
            body: body.to_vec(),
        });
    }

    fn add(
        &self,
        method: &'static str,
        path: &str,
        query_has: Option<&str>,
        status: u16,
        content_type: Option<&'static str>,
        body: &Value,
    ) {
        self.lock().answers.push(Canned {
            method,
            path: path.to_owned(),
            query_has: query_has.map(str::to_owned),
            status,
            content_type,
            body: serde_json::to_vec(body).expect("json"),
        });
    }

    /// Every request received, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// The requests that were not GETs.
    pub fn writes(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method != "GET")
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap()
    }
}

/// The fallback handler: the newest canned answer matching the request, or Kommo's 404.
async fn answer(State(book): State<Shared>, request: Request) -> Response {
    let method = request.method().as_str().to_owned();
    let full_path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let bytes = to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    // "/{subdomain}/api/v4/…" → "/api/v4/…"
    let path = full_path
        .find("/api/v4/")
        .map(|at| full_path[at..].to_owned())
        .unwrap_or(full_path);
    let mut book = book.lock().unwrap();
    book.seen.push(Seen {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        body: serde_json::from_slice(&bytes).ok(),
    });
    let found = book
        .answers
        .iter()
        .rev()
        .find(|c| {
            c.method == method
                && c.path == path
                && c.query_has
                    .as_deref()
                    .is_none_or(|wanted| query.as_deref().is_some_and(|q| q.contains(wanted)))
        })
        .cloned();
    let canned = found.unwrap_or_else(|| Canned {
        method: "",
        path: path.clone(),
        query_has: None,
        status: 404,
        content_type: Some("application/problem+json"),
        body: serde_json::to_vec(&json!({
            "title": "Not Found",
            "type": "https://httpstatus.es/404",
            "status": 404,
            "detail": format!("Cannot {method} {path}"),
        }))
        .unwrap_or_default(),
    });
    let mut response = Response::builder()
        .status(StatusCode::from_u16(canned.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    if let Some(kind) = canned.content_type {
        response = response.header(header::CONTENT_TYPE, kind);
    }
    response.body(Body::from(canned.body)).unwrap()
}
