//! Test support for HTTP mode: the built binary started with `serve --http` on a free
//! port (learnt from its "listening on" log line), a small streamable-HTTP client and a
//! legacy-SSE client.

use std::{
    process::ExitStatus,
    sync::{Arc, Mutex},
    time::Duration,
};

use reqwest::{Response, header::HeaderMap};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
    sync::oneshot,
};

pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A running `kommo-mcp serve --http` process.
pub struct HttpServer {
    child: Child,
    /// "http://127.0.0.1:PORT"
    pub base: String,
    stderr: Arc<Mutex<String>>,
    pub http: reqwest::Client,
}

/// `command` plus `serve --http --listen 127.0.0.1:0` and `extra`.
pub fn http_command(mut command: Command, extra: &[&str]) -> Command {
    command
        .args(["serve", "--http", "--listen", "127.0.0.1:0"])
        .args(extra);
    command
}

impl HttpServer {
    /// Spawns `command` and waits for its "listening on http://…" line.
    pub async fn start(command: Command) -> Self {
        match Self::try_start(command).await {
            Ok(server) => server,
            Err((status, stderr)) => panic!("the server did not start ({status:?}):\n{stderr}"),
        }
    }

    /// Spawns `command`; if it exits before listening, its status and stderr.
    pub async fn try_start(mut command: Command) -> Result<Self, (Option<ExitStatus>, String)> {
        let mut child = command.spawn().expect("kommo-mcp spawns");
        let stderr_pipe = child.stderr.take().expect("stderr piped");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (listening_tx, listening_rx) = oneshot::channel::<String>();
        let sink = Arc::clone(&stderr);
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr_pipe).lines();
            let mut listening_tx = Some(listening_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("listening on http://")
                    && let Some(tx) = listening_tx.take()
                {
                    let url = line[at + "listening on ".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap_or_default();
                    let _ = tx.send(url.to_owned());
                }
                let mut all = sink.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        let base = match tokio::time::timeout(TIMEOUT, listening_rx).await {
            Ok(Ok(base)) => base,
            _ => {
                let status = tokio::time::timeout(TIMEOUT, child.wait())
                    .await
                    .ok()
                    .and_then(Result::ok);
                tokio::time::sleep(Duration::from_millis(100)).await;
                let text = stderr.lock().unwrap().clone();
                return Err((status, text));
            }
        };
        Ok(Self {
            child,
            base,
            stderr,
            http: reqwest::Client::builder().timeout(TIMEOUT).build().unwrap(),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// "127.0.0.1:PORT"
    pub fn authority(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub async fn health(&self) -> Value {
        let response = self
            .http
            .get(self.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        assert_eq!(response.status(), 200);
        response.json().await.expect("healthz JSON")
    }

    /// Polls `/healthz` until `done` holds (panics after the timeout).
    pub async fn wait_health(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let health = self.health().await;
            if done(&health) {
                return health;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}: {health}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A bare JSON-RPC POST to /mcp: `Content-Type: application/json` and these headers only.
    pub async fn bare_post(&self, body: &Value, headers: &[(&str, &str)]) -> Response {
        let mut request = self
            .http
            .post(self.url("/mcp"))
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .body(body.to_string())
            .send()
            .await
            .expect("POST /mcp")
    }

    /// A bare `tools/call` whose JSON-RPC answer is returned (asserting 200 + JSON).
    pub async fn bare_call(&self, tool: &str, arguments: Value, headers: &[(&str, &str)]) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": tool, "arguments": arguments}});
        let response = self.bare_post(&body, headers).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        response.json().await.expect("JSON answer")
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("still running")
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let pid = self.child.id().expect("still running");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to exit; its status and everything it wrote to stderr.
    pub async fn wait(mut self) -> (ExitStatus, String) {
        let status = tokio::time::timeout(TIMEOUT, self.child.wait())
            .await
            .expect("exits in time")
            .expect("wait");
        tokio::time::sleep(Duration::from_millis(100)).await;
        (status, self.stderr())
    }

    /// SIGTERM, then wait.
    pub async fn stop(self) -> (ExitStatus, String) {
        self.terminate();
        self.wait().await
    }
}

/// The JSON-RPC messages of an answer: a JSON body, or the `data:` lines of an SSE body.
pub async fn messages(response: Response) -> Vec<Value> {
    let is_sse = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/event-stream"));
    let text = response.text().await.expect("body");
    if !is_sse {
        return vec![
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
        ];
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(str::trim)
        .filter(|data| !data.is_empty())
        .map(|data| serde_json::from_str(data).unwrap_or_else(|e| panic!("not JSON ({e}): {data}")))
        .collect()
}

/// A streamable HTTP client (protocol 2025-11-25 with a session, unless stateless).
pub struct McpClient<'a> {
    pub server: &'a HttpServer,
    pub session: Option<String>,
    next_id: i64,
}

impl<'a> McpClient<'a> {
    pub fn new(server: &'a HttpServer) -> Self {
        Self {
            server,
            session: None,
            next_id: 1,
        }
    }

    /// Initializes and keeps the session id.
    pub async fn initialize(server: &'a HttpServer) -> Self {
        let mut client = Self::new(server);
        let response = client
            .post(
                &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                    "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": {"name": "kommo-mcp-tests", "version": "1"}}}),
                &[],
            )
            .await;
        assert_eq!(response.status(), 200);
        let session = response
            .headers()
            .get("mcp-session-id")
            .map(|v| v.to_str().unwrap().to_owned());
        let answer = messages(response).await;
        assert_eq!(
            answer.last().unwrap()["result"]["serverInfo"]["name"],
            "kommo-mcp",
            "{answer:?}"
        );
        client.session = session;
        let response = client
            .post(
                &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
                &[],
            )
            .await;
        assert_eq!(response.status(), 202);
        client
    }

    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert(
            "accept",
            "application/json, text/event-stream".parse().unwrap(),
        );
        if let Some(session) = &self.session {
            headers.insert("mcp-session-id", session.parse().unwrap());
            headers.insert("mcp-protocol-version", "2025-11-25".parse().unwrap());
        }
        headers
    }

    pub async fn post(&self, body: &Value, extra: &[(&str, &str)]) -> Response {
        let mut request = self
            .server
            .http
            .post(self.server.url("/mcp"))
            .headers(self.headers());
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        request
            .body(body.to_string())
            .send()
            .await
            .expect("POST /mcp")
    }

    /// A request whose JSON-RPC answer is returned (asserting HTTP 200).
    pub async fn request(&mut self, method: &str, params: Value, extra: &[(&str, &str)]) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let response = self
            .post(
                &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
                extra,
            )
            .await;
        assert_eq!(response.status(), 200);
        let all = messages(response).await;
        all.into_iter()
            .find(|m| m["id"] == json!(id))
            .expect("an answer with the request's id")
    }

    pub async fn call(&mut self, tool: &str, arguments: Value, extra: &[(&str, &str)]) -> Value {
        self.request(
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
            extra,
        )
        .await
    }

    pub async fn tool_names(&mut self, extra: &[(&str, &str)]) -> Vec<String> {
        tool_names(&self.request("tools/list", json!({}), extra).await)
    }
}

/// The names in a `tools/list` answer.
pub fn tool_names(answer: &Value) -> Vec<String> {
    answer["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools in {answer}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A legacy HTTP+SSE client.
pub struct SseClient {
    response: Response,
    buffer: String,
    /// The `endpoint` event's data, e.g. "/sse/message?sessionId=…".
    pub endpoint: String,
    base: String,
    http: reqwest::Client,
    next_id: i64,
}

impl SseClient {
    /// Opens `GET /sse` with `headers` and reads the `endpoint` event.
    pub async fn connect(server: &HttpServer, headers: &[(&str, &str)]) -> Self {
        let mut request = server
            .http
            .get(server.url("/sse"))
            .header("accept", "text/event-stream");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("GET /sse");
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let mut client = Self {
            response,
            buffer: String::new(),
            endpoint: String::new(),
            base: server.base.clone(),
            http: server.http.clone(),
            next_id: 1,
        };
        let (event, data) = client.next_event().await;
        assert_eq!(event, "endpoint");
        client.endpoint = data;
        client
    }

    /// The next event's name and data (keep-alive comments skipped).
    pub async fn next_event(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = String::from("message");
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event = name.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                return (event, data.join("\n"));
            }
            let chunk = tokio::time::timeout(TIMEOUT, self.response.chunk())
                .await
                .expect("an event in time")
                .expect("stream readable")
                .expect("stream still open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// POSTs one message to the endpoint with `headers`.
    pub async fn post(&self, body: &Value, headers: &[(&str, &str)]) -> Response {
        let mut request = self
            .http
            .post(format!("{}{}", self.base, self.endpoint))
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .body(body.to_string())
            .send()
            .await
            .expect("POST message")
    }

    /// Sends a request (202) and reads the stream until its answer.
    pub async fn request(
        &mut self,
        method: &str,
        params: Value,
        headers: &[(&str, &str)],
    ) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let response = self
            .post(
                &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
                headers,
            )
            .await;
        assert_eq!(response.status(), 202);
        loop {
            let (event, data) = self.next_event().await;
            assert_eq!(event, "message");
            let message: Value = serde_json::from_str(&data).expect("JSON message");
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// initialize (2024-11-05) + initialized.
    pub async fn initialize(&mut self) {
        let answer = self
            .request(
                "initialize",
                json!({"protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "sse-tests", "version": "1"}}),
                &[],
            )
            .await;
        assert_eq!(
            answer["result"]["protocolVersion"], "2024-11-05",
            "{answer}"
        );
        let response = self
            .post(
                &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
                &[],
            )
            .await;
        assert_eq!(response.status(), 202);
    }

    pub async fn call(&mut self, tool: &str, arguments: Value, headers: &[(&str, &str)]) -> Value {
        self.request(
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
            headers,
        )
        .await
    }
}
