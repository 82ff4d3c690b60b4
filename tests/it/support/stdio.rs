//! A minimal MCP client over the binary's stdin/stdout, strict about what it reads: every
//! stdout line must be a JSON-RPC message.

use std::{process::Stdio, time::Duration};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout, Command},
};

pub struct StdioClient {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: i64,
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
        Self {
            child,
            stdin,
            stdout,
            next_id: 1,
            stdout_lines: Vec::new(),
        }
    }

    pub async fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).await.expect("write");
        stdin.write_all(b"\n").await.expect("write");
        stdin.flush().await.expect("flush");
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let line = json!({ "jsonrpc": "2.0", "method": method, "params": params }).to_string();
        self.send_line(&line).await;
    }

    /// Sends a request and waits for the response with the same id.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let line =
            json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string();
        self.send_line(&line).await;
        self.wait_for(id).await
    }

    /// Reads stdout until the response with `id` arrives.
    pub async fn wait_for(&mut self, id: i64) -> Value {
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
        let mut lines = std::mem::take(&mut self.stdout_lines);
        while let Ok(Ok(Some(line))) = tokio::time::timeout(TIMEOUT, self.stdout.next_line()).await
        {
            lines.push(line);
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = tokio::time::timeout(TIMEOUT, pipe.read_to_string(&mut stderr)).await;
        }
        let status = tokio::time::timeout(TIMEOUT, self.child.wait())
            .await
            .expect("exits after stdin closes")
            .expect("wait");
        Finished {
            status,
            stdout_lines: lines,
            stderr,
        }
    }
}
