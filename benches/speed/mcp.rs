//! An MCP client over HTTP on each of the three paths the benchmark measures: streamable
//! HTTP in a session with streamed (`text/event-stream`) answers, as real clients use it;
//! legacy SSE (POST, answer on the stream); and the bare JSON POST (no session). Each
//! client has its own keep-alive connection(s) and sends one request at a time.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Which way requests travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    Streamable,
    Sse,
    Bare,
}

impl Path {
    pub fn label(self) -> &'static str {
        match self {
            Path::Streamable => "streamable HTTP, session",
            Path::Sse => "legacy SSE",
            Path::Bare => "bare JSON",
        }
    }
}

const ACCEPT_BOTH: &str = "application/json, text/event-stream";

fn initialize(protocol: &str) -> Value {
    json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":protocol,"capabilities":{},"clientInfo":{"name":"bench","version":"1"}}})
}

const INITIALIZED: &[u8] = br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// One keep-alive connection (pool of one, Nagle off, as the load generator should be).
pub fn one_connection() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .build()
        .expect("client")
}

pub enum McpClient {
    Bare {
        client: reqwest::Client,
        url: String,
    },
    Streamable {
        client: reqwest::Client,
        url: String,
        session: String,
        protocol: String,
    },
    Sse {
        /// Holds the event stream's connection; POSTs go over `client`.
        _stream_client: reqwest::Client,
        client: reqwest::Client,
        message_url: String,
        stream: reqwest::Response,
        events: SseReader,
    },
}

impl McpClient {
    /// Opens a client on `path` at `base` (`http://host:port`); sessions are initialized.
    pub async fn open(path: Path, base: &str) -> Result<Self, String> {
        let client = one_connection();
        match path {
            Path::Bare => Ok(Self::Bare {
                client,
                url: format!("{base}/mcp"),
            }),
            Path::Streamable => {
                let (session, protocol) = open_streamable(&client, base).await?;
                Ok(Self::Streamable {
                    client,
                    url: format!("{base}/mcp"),
                    session,
                    protocol,
                })
            }
            Path::Sse => {
                let sse_client = one_connection();
                let (stream, events, message_url) = open_sse(&sse_client, &client, base).await?;
                Ok(Self::Sse {
                    _stream_client: sse_client,
                    client,
                    message_url,
                    stream,
                    events,
                })
            }
        }
    }

    /// Ends the client's session (a streamable session is deleted; an SSE stream dropped),
    /// so that sessions a measurement opened do not count against the next one's.
    pub async fn close(self) {
        if let Self::Streamable {
            client,
            url,
            session,
            ..
        } = &self
        {
            let _ = client
                .delete(url.as_str())
                .header("mcp-session-id", session.as_str())
                .send()
                .await;
        }
    }

    /// Sends one request and waits for its answer; `Ok` only for a JSON-RPC result that
    /// is not a failed tool.
    pub async fn call(&mut self, body: impl Into<reqwest::Body>) -> Result<(), String> {
        match self {
            Self::Bare { client, url } => {
                let response = client
                    .post(url.as_str())
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                answer(response).await
            }
            Self::Streamable {
                client,
                url,
                session,
                protocol,
            } => {
                let response = client
                    .post(url.as_str())
                    .header("content-type", "application/json")
                    .header("accept", ACCEPT_BOTH)
                    .header("mcp-session-id", session.as_str())
                    .header("mcp-protocol-version", protocol.as_str())
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                answer(response).await
            }
            Self::Sse {
                client,
                message_url,
                stream,
                events,
                ..
            } => {
                let response = client
                    .post(message_url.as_str())
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("POST status {}", response.status()));
                }
                let _ = response.bytes().await;
                let data = events.next(stream, "message").await?;
                check(data.as_bytes())
            }
        }
    }
}

async fn answer(response: reqwest::Response) -> Result<(), String> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!(
            "status {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    check(&bytes)
}

/// A cheap check, so that the load generator spends its CPU on load: a JSON-RPC result
/// near the start (after an SSE priming event, if any), and no `"isError":true` at the end.
fn check(bytes: &[u8]) -> Result<(), String> {
    let contains = |part: &[u8], needle: &[u8]| part.windows(needle.len()).any(|w| w == needle);
    let head = &bytes[..bytes.len().min(200)];
    let tail = &bytes[bytes.len().saturating_sub(200)..];
    if !contains(head, br#""result":"#) || contains(tail, br#""isError":true"#) {
        return Err(String::from_utf8_lossy(&bytes[..bytes.len().min(2000)]).into_owned());
    }
    Ok(())
}

/// The JSON of the last `data:` line of an SSE body (or the body itself if plain JSON).
fn last_json(body: &str) -> Option<Value> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(str::trim)
        .rfind(|data| data.starts_with('{'))
        .or(Some(body.trim()))
        .and_then(|text| serde_json::from_str(text).ok())
}

/// initialize + initialized; returns the session id and the negotiated protocol version.
pub async fn open_streamable(
    client: &reqwest::Client,
    base: &str,
) -> Result<(String, String), String> {
    let url = format!("{base}/mcp");
    let init = client
        .post(&url)
        .header("accept", ACCEPT_BOTH)
        .json(&initialize("2025-11-25"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let session = init
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or("no mcp-session-id")?;
    let body = init.text().await.map_err(|e| e.to_string())?;
    let protocol = last_json(&body)
        .and_then(|v| v["result"]["protocolVersion"].as_str().map(str::to_owned))
        .ok_or_else(|| format!("initialize: {body}"))?;
    let done = client
        .post(&url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", &protocol)
        .body(INITIALIZED)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !done.status().is_success() {
        return Err(format!("initialized: status {}", done.status()));
    }
    let _ = done.bytes().await;
    Ok((session, protocol))
}

/// Ends a streamable session.
pub async fn close_streamable(client: &reqwest::Client, base: &str, session: &str) {
    let _ = client
        .delete(format!("{base}/mcp"))
        .header("mcp-session-id", session)
        .send()
        .await;
}

/// Opens the event stream on `stream_client`, initializes the session over `client`.
pub async fn open_sse(
    stream_client: &reqwest::Client,
    client: &reqwest::Client,
    base: &str,
) -> Result<(reqwest::Response, SseReader, String), String> {
    let mut stream = stream_client
        .get(format!("{base}/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let mut events = SseReader::default();
    let endpoint = events.next(&mut stream, "endpoint").await?;
    let endpoint = endpoint.trim();
    let message_url = if endpoint.starts_with("http") {
        endpoint.to_owned()
    } else {
        format!("{base}{endpoint}")
    };
    let send = |payload: Vec<u8>| {
        client
            .post(&message_url)
            .header("content-type", "application/json")
            .body(payload)
            .send()
    };
    let sent = send(initialize("2024-11-05").to_string().into_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let _ = sent.bytes().await;
    let init = events.next(&mut stream, "message").await?;
    if !init.contains("serverInfo") {
        return Err(format!("initialize: {init}"));
    }
    let sent = send(INITIALIZED.to_vec())
        .await
        .map_err(|e| e.to_string())?;
    let _ = sent.bytes().await;
    Ok((stream, events, message_url))
}

/// Reads `event:`/`data:` frames from a streaming response.
#[derive(Default)]
pub struct SseReader {
    buffer: String,
}

impl SseReader {
    pub async fn next(
        &mut self,
        response: &mut reqwest::Response,
        wanted: &str,
    ) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let mut event = "message";
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event = if name.trim() == "endpoint" {
                            "endpoint"
                        } else {
                            "message"
                        };
                    } else if let Some(text) = line.strip_prefix("data:") {
                        data.push_str(text.strip_prefix(' ').unwrap_or(text));
                    }
                }
                if event == wanted && !data.is_empty() {
                    return Ok(data);
                }
            }
            let chunk = tokio::time::timeout_at(deadline.into(), response.chunk())
                .await
                .map_err(|_| format!("no {wanted} event in time"))?
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("stream ended before a {wanted} event"))?;
            self.buffer
                .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        }
    }
}

const LIST_PIPELINES: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_pipelines","arguments":{}}}"#;

/// One short session, as an agent's conversation makes one: open (streamable: initialize +
/// initialized over the shared `client`; SSE: a stream of its own), one `list_pipelines`
/// call, then close (DELETE, or drop the stream).
pub async fn short_session(path: Path, client: &reqwest::Client, base: &str) -> Result<(), String> {
    match path {
        Path::Streamable => {
            let (session, protocol) = open_streamable(client, base).await?;
            let response = client
                .post(format!("{base}/mcp"))
                .header("content-type", "application/json")
                .header("accept", ACCEPT_BOTH)
                .header("mcp-session-id", session.as_str())
                .header("mcp-protocol-version", protocol.as_str())
                .body(LIST_PIPELINES)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let answered = answer(response).await;
            close_streamable(client, base, &session).await;
            answered
        }
        Path::Sse => {
            let stream_client = one_connection();
            let (mut stream, mut events, message_url) =
                open_sse(&stream_client, client, base).await?;
            let sent = client
                .post(message_url.as_str())
                .header("content-type", "application/json")
                .body(LIST_PIPELINES)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let _ = sent.bytes().await;
            let data = events.next(&mut stream, "message").await?;
            check(data.as_bytes())
        }
        Path::Bare => Err("the bare path has no sessions".to_owned()),
    }
}
