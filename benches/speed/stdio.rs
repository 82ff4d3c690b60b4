//! Stdio figures: cold start to the `initialize` answer, `move_lead` overhead over a
//! direct GET+PATCH, and idle memory.

use std::{process::Stdio, time::Instant};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout},
};

use crate::{
    direct::Direct,
    util::{Samples, kommo_command, rss_kib},
};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#;

/// An MCP session over a child's stdio.
pub struct Session {
    pub child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
}

impl Session {
    pub async fn start(args: &[String]) -> Self {
        Self::start_with_env(args, &[]).await
    }

    /// `start` with extra environment variables (the `OTEL_*` of the tracing figure).
    pub async fn start_with_env(args: &[String], env: &[(String, String)]) -> Self {
        let mut command = kommo_command(args);
        command
            .envs(env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("kommo-mcp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut session = Self {
            child,
            stdin,
            stdout,
            next_id: 1,
        };
        session.line(INITIALIZE).await;
        session.read().await;
        session
            .line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .await;
        session
    }

    async fn line(&mut self, text: &str) {
        self.stdin.write_all(text.as_bytes()).await.expect("write");
        self.stdin.write_all(b"\n").await.expect("write");
        self.stdin.flush().await.expect("flush");
    }

    async fn read(&mut self) -> Value {
        let line = self
            .stdout
            .next_line()
            .await
            .expect("read")
            .expect("an answer");
        serde_json::from_str(&line).expect("JSON-RPC")
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let text =
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        self.line(&text).await;
        loop {
            let answer = self.read().await;
            if answer["id"] == json!(id) {
                return answer;
            }
        }
    }
}

/// Cold start: spawn → `initialize` answer, `runs` times after a warm-up; and the spawn
/// floor of a trivial process for reference.
pub async fn cold_start(runs: usize) -> (Samples, Samples) {
    let mut starts = Vec::new();
    for run in 0..runs + 3 {
        let started = Instant::now();
        let mut command = kommo_command(&[]);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        stdin.write_all(INITIALIZE.as_bytes()).await.expect("write");
        stdin.write_all(b"\n").await.expect("write");
        let answer = stdout.next_line().await.expect("read").expect("answer");
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert!(answer.contains("\"serverInfo\""), "{answer}");
        drop(stdin);
        let _ = child.wait().await;
        if run >= 3 {
            starts.push(elapsed);
        }
    }
    let mut floor = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let status = tokio::process::Command::new("true")
            .status()
            .await
            .expect("true runs");
        assert!(status.success());
        floor.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    (Samples::new(starts), Samples::new(floor))
}

/// `move_lead` over stdio vs. a direct GET+PATCH, paired per iteration; returns the
/// differences (call − direct) and the raw call times. `env` is added to the server's
/// environment.
pub async fn move_lead_overhead(
    account_args: &[String],
    env: &[(String, String)],
    direct: &Direct,
    calls: usize,
) -> (Samples, Samples) {
    let mut session = Session::start_with_env(account_args, env).await;
    let mut overhead = Vec::new();
    let mut raw = Vec::new();
    for i in 0..calls + 20 {
        let status = if i % 2 == 0 { 2003 } else { 2002 };
        let started = Instant::now();
        let answer = session
            .request(
                "tools/call",
                json!({"name": "move_lead", "arguments": {"lead_id": 9001, "pipeline_id": 1001, "status_id": status}}),
            )
            .await;
        let call = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(answer["result"]["isError"], json!(false), "{answer}");
        let direct_ms = direct
            .get_and_patch(9002, if i % 2 == 0 { 2004 } else { 2003 })
            .await;
        if i >= 20 {
            overhead.push(call - direct_ms);
            raw.push(call);
        }
    }
    (Samples::new(overhead), Samples::new(raw))
}

/// Idle RSS of a stdio server after `initialize` and `tools/list`, in KiB.
pub async fn idle_rss(account_args: &[String]) -> u64 {
    idle_rss_detail(account_args).await.0
}

/// [`idle_rss`], and what it is made of (from `/proc/PID/smaps`): the binary's own pages,
/// the shared libraries', anonymous memory (heap, stacks), and the number of threads.
pub async fn idle_rss_detail(account_args: &[String]) -> (u64, String) {
    let mut session = Session::start(account_args).await;
    let answer = session.request("tools/list", json!({})).await;
    assert!(answer["result"]["tools"].is_array());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let pid = session.child.id().expect("pid");
    let rss = rss_kib(pid).unwrap_or(0);
    (rss, rss_parts(pid).unwrap_or_default())
}

fn rss_parts(pid: u32) -> Option<String> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).ok()?;
    let binary = crate::util::release_binary();
    let binary = binary.canonicalize().unwrap_or(binary);
    let (mut own, mut libraries, mut anonymous) = (0u64, 0u64, 0u64);
    let mut mapping = String::new();
    for line in smaps.lines() {
        if let Some(rss) = line.strip_prefix("Rss:") {
            let kib: u64 = rss.trim().trim_end_matches("kB").trim().parse().ok()?;
            if mapping.ends_with(binary.to_str().unwrap_or_default()) {
                own += kib;
            } else if mapping.contains('/') {
                libraries += kib;
            } else {
                anonymous += kib;
            }
        } else if line
            .split_whitespace()
            .next()
            .is_some_and(|first| first.contains('-'))
        {
            mapping = line.trim_end().to_owned();
        }
    }
    let threads = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.count();
    let mb = |kib: u64| kib as f64 * 1024.0 / 1e6;
    Some(format!(
        "binary {:.1} MB · libraries {:.1} MB · anonymous {:.1} MB · {threads} thread(s)",
        mb(own),
        mb(libraries),
        mb(anonymous)
    ))
}
