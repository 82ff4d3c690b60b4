//! HTTP figures: `move_lead` overhead at one connection, throughput at 16 keep-alive
//! connections, and memory after many short streamable-HTTP and SSE sessions.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{direct::Direct, util::Samples};

/// A client with one keep-alive connection, sending the bare JSON-RPC POST that simple
/// platforms use (Content-Type only; no session, no initialize).
pub struct BareClient {
    client: reqwest::Client,
    url: String,
}

impl BareClient {
    pub fn new(addr: SocketAddr) -> Self {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .build()
            .expect("client");
        Self {
            client,
            url: format!("http://{addr}/mcp"),
        }
    }

    /// Posts one request; `Ok` only for a 200 JSON-RPC result (and, for tool calls, no
    /// `isError`).
    pub async fn post(&self, body: &'static [u8]) -> Result<(), String> {
        let response = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!(
                "status {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        // A cheap check, so that the load generator spends its CPU on load: a JSON-RPC
        // result, not an error, and (for tool calls) not a failed tool.
        // (`"result"` follows the id at the start; `isError` is the result's last field.)
        let contains = |part: &[u8], needle: &[u8]| part.windows(needle.len()).any(|w| w == needle);
        let head = &bytes[..bytes.len().min(64)];
        let tail = &bytes[bytes.len().saturating_sub(64)..];
        if !bytes.starts_with(br#"{"jsonrpc":"2.0""#)
            || !contains(head, br#""result":"#)
            || contains(tail, br#""isError":true"#)
        {
            return Err(String::from_utf8_lossy(&bytes).into_owned());
        }
        Ok(())
    }
}

pub const TOOLS_LIST: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
const MOVE_A: &[u8] = br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"move_lead","arguments":{"lead_id":9001,"pipeline_id":1001,"status_id":2003}}}"#;
const MOVE_B: &[u8] = br#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"move_lead","arguments":{"lead_id":9001,"pipeline_id":1001,"status_id":2002}}}"#;

pub fn move_body(i: u64) -> &'static [u8] {
    if i.is_multiple_of(2) { MOVE_A } else { MOVE_B }
}

/// Sequential `move_lead` over one HTTP connection vs. a direct GET+PATCH, paired.
pub async fn move_lead_overhead(addr: SocketAddr, direct: &Direct, calls: usize) -> Samples {
    let client = BareClient::new(addr);
    let mut overhead = Vec::new();
    for i in 0..calls + 20 {
        let started = Instant::now();
        client
            .post(move_body(i as u64))
            .await
            .expect("move_lead over HTTP");
        let call = started.elapsed().as_secs_f64() * 1000.0;
        let direct_ms = direct
            .get_and_patch(9002, if i % 2 == 0 { 2004 } else { 2003 })
            .await;
        if i >= 20 {
            overhead.push(call - direct_ms);
        }
    }
    Samples::new(overhead)
}

/// Result of a throughput run.
pub struct Throughput {
    pub per_second: f64,
    pub errors: u64,
    pub first_error: Option<String>,
}

/// Runs `connections` loops for `duration`; `make(loop, iteration)` sends one request
/// (each loop uses its own keep-alive connection).
pub async fn throughput<F, Fut>(connections: usize, duration: Duration, make: F) -> Throughput
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for connection in 0..connections {
        let (ok, errors, first_error, make) = (
            ok.clone(),
            errors.clone(),
            first_error.clone(),
            make.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < deadline {
                match make(connection, i).await {
                    Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(error) => {
                        first_error
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(error);
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
                i += 1;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let first_error = first_error.lock().unwrap_or_else(|e| e.into_inner()).take();
    Throughput {
        per_second: ok.load(Ordering::Relaxed) as f64 / elapsed,
        errors: errors.load(Ordering::Relaxed),
        first_error,
    }
}

/// One short streamable-HTTP session: initialize, initialized, one tool call, DELETE.
pub async fn streamable_session(client: &reqwest::Client, addr: SocketAddr) -> Result<(), String> {
    let url = format!("http://{addr}/mcp");
    let accept = "application/json, text/event-stream";
    let init = client
        .post(&url)
        .header("accept", accept)
        .json(&json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}))
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
    if !body.contains("serverInfo") {
        return Err(format!("initialize: {body}"));
    }
    let post = |payload: Value| {
        client
            .post(&url)
            .header("accept", accept)
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .json(&payload)
            .send()
    };
    post(json!({"jsonrpc":"2.0","method":"notifications/initialized"}))
        .await
        .map_err(|e| e.to_string())?;
    let call = post(json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_pipelines","arguments":{}}}))
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    if !call.contains("Sales") {
        return Err(format!("tools/call: {call}"));
    }
    client
        .delete(&url)
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// One short legacy SSE session: open the stream, initialize, one tool call, close.
pub async fn sse_session(client: &reqwest::Client, addr: SocketAddr) -> Result<(), String> {
    let mut stream = client
        .get(format!("http://{addr}/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let mut events = SseReader::default();
    let endpoint = events.next(&mut stream, "endpoint").await?;
    let message_url = format!("http://{addr}{}", endpoint.trim());
    let send = |payload: Value| client.post(&message_url).json(&payload).send();
    send(json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}))
        .await
        .map_err(|e| e.to_string())?;
    let init = events.next(&mut stream, "message").await?;
    if !init.contains("serverInfo") {
        return Err(format!("initialize: {init}"));
    }
    send(json!({"jsonrpc":"2.0","method":"notifications/initialized"}))
        .await
        .map_err(|e| e.to_string())?;
    send(json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_pipelines","arguments":{}}}))
        .await
        .map_err(|e| e.to_string())?;
    let call = events.next(&mut stream, "message").await?;
    if !call.contains("Sales") {
        return Err(format!("tools/call: {call}"));
    }
    drop(stream);
    Ok(())
}

/// Reads `event:`/`data:` frames from a streaming response.
#[derive(Default)]
struct SseReader {
    buffer: String,
}

impl SseReader {
    async fn next(
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

/// Like [`throughput`], but each loop owns its client (`make(client, iteration)`).
pub async fn throughput_owned<C, F>(clients: Vec<C>, duration: Duration, make: F) -> Throughput
where
    C: Send + 'static,
    F: for<'a> Fn(
            &'a mut C,
            u64,
        )
            -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>
        + Clone
        + Send
        + 'static,
{
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for mut client in clients {
        let (ok, errors, first_error, make) = (
            ok.clone(),
            errors.clone(),
            first_error.clone(),
            make.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < deadline {
                match make(&mut client, i).await {
                    Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(error) => {
                        first_error
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(error);
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
                i += 1;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let first_error = first_error.lock().unwrap_or_else(|e| e.into_inner()).take();
    Throughput {
        per_second: ok.load(Ordering::Relaxed) as f64 / elapsed,
        errors: errors.load(Ordering::Relaxed),
        first_error,
    }
}
