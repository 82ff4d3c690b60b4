//! A minimal MCP client over the binary's stdin/stdout, strict about what it reads: every
//! stdout line must be a JSON-RPC message.

use std::{
    collections::HashMap,
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout, Command},
};

pub struct StdioClient {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: i64,
    /// Answers read while waiting for another id (concurrent requests).
    answered: HashMap<i64, Value>,
    /// stderr, read continuously so a chatty log can never fill the pipe and stall the server.
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<tokio::task::JoinHandle<()>>,
    /// Every line read from stdout, for the "stdout is JSON-RPC only" checks.
    pub stdout_lines: Vec<String>,
}

/// What the process left behind when it ended.
pub struct Finished {
    pub status: std::process::ExitStatus,
    pub stdout_lines: Vec<String>,
    pub stderr: String,
}

const TIMEOUT: Duration = Duration::from_secs(30);

impl StdioClient {
    /// Spawns `command` and performs the MCP handshake.
    pub async fn start(command: Command) -> Self {
        let mut client = Self::spawn(command);
        let init = client
            .request(
                "initialize",
                json!({
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": { "name": "kommo-mcp-tests", "version": "1" }
                }),
            )
            .await;
        assert_eq!(init["result"]["serverInfo"]["name"], "kommo-mcp", "{init}");
        client.notify("notifications/initialized", json!({})).await;
        client
    }

    /// Spawns without a handshake.
    pub fn spawn(mut command: Command) -> Self {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("kommo-mcp spawns");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_reader = child.stderr.take().map(|pipe| {
            let sink = Arc::clone(&stderr);
            tokio::spawn(async move {
                let mut lines = BufReader::new(pipe).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut text = sink.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            })
        });
        Self {
            child,
            stdin,
            stdout,
            next_id: 1,
            answered: HashMap::new(),
            stderr,
            stderr_reader,
            stdout_lines: Vec::new(),
        }
    }

    pub async fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).await.expect("write");
        stdin.write_all(b"\n").await.expect("write");
        stdin.flush().await.expect("flush");
    }

    /// Writes raw bytes and a newline (for lines that are not valid UTF-8).
    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).await.expect("write");
        stdin.write_all(b"\n").await.expect("write");
        stdin.flush().await.expect("flush");
    }

    /// The next stdout line as JSON, whatever its id.
    pub async fn read_message(&mut self) -> Value {
        let line = tokio::time::timeout(TIMEOUT, self.stdout.next_line())
            .await
            .expect("a message in time")
            .expect("read stdout")
            .expect("stdout still open");
        self.stdout_lines.push(line.clone());
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"))
    }

    /// Sends a signal (`TERM`, `INT`) to the process.
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().expect("still running");
        let status = std::process::Command::new("kill")
            .args([format!("-{name}"), pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("still running")
    }

    /// Whether the process has exited already.
    pub fn has_exited(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_some()
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let line = json!({ "jsonrpc": "2.0", "method": method, "params": params }).to_string();
        self.send_line(&line).await;
    }

    /// Sends a request and waits for the response with the same id.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        self.wait_for(id).await
    }

    /// Sends a request without waiting; returns its id (for `wait_for`).
    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let line =
            json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string();
        self.send_line(&line).await;
        id
    }

    /// Sends every `tools/call` at once, then collects the results in the same order.
    pub async fn call_concurrently(&mut self, calls: &[(&str, Value)]) -> Vec<Value> {
        let mut ids = Vec::new();
        for (tool, arguments) in calls {
            ids.push(
                self.send_request(
                    "tools/call",
                    json!({ "name": tool, "arguments": arguments }),
                )
                .await,
            );
        }
        let mut results = Vec::new();
        for id in ids {
            let answer = self.wait_for(id).await;
            assert!(answer.get("error").is_none(), "protocol error: {answer}");
            results.push(answer["result"].clone());
        }
        results
    }

    /// The stderr read so far.
    pub fn stderr_so_far(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Reads stdout until the response with `id` arrives (answers to other ids read on the
    /// way are kept for their own `wait_for`).
    pub async fn wait_for(&mut self, id: i64) -> Value {
        if let Some(answer) = self.answered.remove(&id) {
            return answer;
        }
        loop {
            let line = tokio::time::timeout(TIMEOUT, self.stdout.next_line())
                .await
                .expect("an answer in time")
                .expect("read stdout")
                .expect("stdout still open");
            self.stdout_lines.push(line.clone());
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            assert_eq!(message["jsonrpc"], "2.0", "not JSON-RPC: {line}");
            if message["id"] == json!(id) {
                return message;
            }
            if let Some(other) = message["id"].as_i64()
                && (message.get("result").is_some() || message.get("error").is_some())
            {
                self.answered.insert(other, message);
            }
        }
    }

    /// `tools/call` and its `result` (panics on a protocol error).
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let answer = self
            .request(
                "tools/call",
                json!({ "name": tool, "arguments": arguments }),
            )
            .await;
        assert!(answer.get("error").is_none(), "protocol error: {answer}");
        answer["result"].clone()
    }

    /// `tools/call` returning the whole JSON-RPC answer (for protocol errors).
    pub async fn call_raw(&mut self, tool: &str, arguments: Value) -> Value {
        self.request(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
        .await
    }

    /// The names `tools/list` shows.
    pub async fn tool_names(&mut self) -> Vec<String> {
        let answer = self.request("tools/list", json!({})).await;
        answer["result"]["tools"]
            .as_array()
            .expect("tools array")
            .iter()
            .map(|t| t["name"].as_str().expect("name").to_owned())
            .collect()
    }

    /// Closes stdin and waits for the process to exit, collecting what is left.
    pub async fn finish(mut self) -> Finished {
        drop(self.stdin.take());
        self.wait_exit().await
    }

    /// Waits for the process to exit (stdin stays open), collecting what is left.
    pub async fn wait_exit(mut self) -> Finished {
        let mut lines = std::mem::take(&mut self.stdout_lines);
        while let Ok(Ok(Some(line))) = tokio::time::timeout(TIMEOUT, self.stdout.next_line()).await
        {
            lines.push(line);
        }
        let status = tokio::time::timeout(TIMEOUT, self.child.wait())
            .await
            .expect("exits after stdin closes")
            .expect("wait");
        if let Some(reader) = self.stderr_reader.take() {
            let _ = tokio::time::timeout(TIMEOUT, reader).await;
        }
        let stderr = self.stderr.lock().unwrap().clone();
        Finished {
            status,
            stdout_lines: lines,
            stderr,
        }
    }
}
