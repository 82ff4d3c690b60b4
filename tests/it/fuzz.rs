//! The project's own fuzz test: seeded (`KOMMO_MCP_FUZZ_SEED`, printed), bounded in count
//! (`KOMMO_MCP_FUZZ_MESSAGES`) and time (`KOMMO_MCP_FUZZ_SECONDS`), over stdio and HTTP.
//! It asserts the process never exits or panics on input, every request whose id can be
//! read is answered with that id, unreadable ones with `"id": null`, RSS stays under a
//! bound, the Kommo simulator receives nothing, and `/healthz` stays fast.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

/// RSS bound for the stdio process (MiB): it starts near 10; the fuzz sends lines up to
/// its 256 KiB line limit.
const STDIO_RSS_MIB: u64 = 150;
/// RSS bound for the HTTP process (MiB).
const HTTP_RSS_MIB: u64 = 300;
const LINE_LIMIT: usize = 256 * 1024;

struct Budget {
    seed: u64,
    messages: usize,
    deadline: Instant,
}

fn budget(default_messages: usize, default_seconds: u64) -> Budget {
    let env = |key: &str| std::env::var(key).ok().and_then(|v| v.parse::<u64>().ok());
    let seed = env("KOMMO_MCP_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    eprintln!("fuzz seed {seed} (repeat with KOMMO_MCP_FUZZ_SEED={seed})");
    let messages = env("KOMMO_MCP_FUZZ_MESSAGES").map_or(default_messages, |n| n as usize);
    let seconds = env("KOMMO_MCP_FUZZ_SECONDS").unwrap_or(default_seconds);
    Budget {
        seed,
        messages,
        deadline: Instant::now() + Duration::from_secs(seconds),
    }
}

/// What the server must answer to one line.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    Id(Value),
    Null,
    Nothing,
}

fn any_value(rng: &mut StdRng) -> Value {
    match rng.random_range(0..8) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random::<i32>()),
        3 => json!(0.5),
        4 => json!("s\u{e9}\u{1f600}"),
        5 => json!([1, "a", null]),
        6 => json!({"k": [true, {}]}),
        _ => json!({}),
    }
}

/// Methods and params that can never reach Kommo (no tool gets valid arguments).
fn request_body(rng: &mut StdRng) -> (String, Option<Value>) {
    let method = *[
        "ping",
        "tools/list",
        "tools/call",
        "initialize",
        "resources/list",
        "prompts/list",
        "logging/setLevel",
        "no/such/method",
        "notifications/unknown",
    ]
    .choose(rng)
    .unwrap_or(&"ping");
    let params = if method == "tools/call" && rng.random_bool(0.7) {
        let name = *["add_note", "move_lead", "get_lead", "pause_agent", "nope"]
            .choose(rng)
            .unwrap_or(&"nope");
        let arguments = [
            json!({"lead_id": "x"}),
            json!({"lead_id": true, "note": 5}),
            json!([1, 2]),
            json!("args"),
            json!({"pipeline_id": {}}),
        ]
        .choose(rng)
        .cloned()
        .unwrap_or(Value::Null);
        Some(json!({"name": name, "arguments": arguments}))
    } else if rng.random_bool(0.3) {
        None
    } else {
        Some(any_value(rng))
    };
    (method.to_owned(), params)
}

/// One fuzz line and what it must get back. `n` makes readable ids unique.
fn line(rng: &mut StdRng, n: usize) -> (Vec<u8>, Vec<Expect>) {
    let id = if rng.random_bool(0.5) {
        json!(1_000_000 + n)
    } else {
        json!(format!("f-{n}"))
    };
    let request = |rng: &mut StdRng, id: &Value| {
        let (method, params) = request_body(rng);
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(params) = params {
            message["params"] = params;
        }
        message
    };
    match rng.random_range(0..14) {
        // A request with a readable id.
        0..=3 => (
            request(rng, &id).to_string().into_bytes(),
            vec![Expect::Id(id)],
        ),
        // An id of every other JSON type, or one no integer type holds.
        4 => {
            let bad = [
                json!(null),
                json!(true),
                json!(0.5),
                json!([1]),
                json!({"a": 1}),
            ]
            .choose(rng)
            .cloned()
            .unwrap_or(Value::Null);
            let mut message = request(rng, &json!(0));
            message["id"] = bad;
            if rng.random_bool(0.2) {
                let text = message
                    .to_string()
                    .replace("\"id\":0", "\"id\":18446744073709551615");
                return (text.into_bytes(), vec![Expect::Null]);
            }
            (message.to_string().into_bytes(), vec![Expect::Null])
        }
        // A notification, a response or an error response: no answer.
        5 => {
            let (method, params) = request_body(rng);
            let method = if rng.random_bool(0.5) {
                format!("notifications/{method}")
            } else {
                method
            };
            let message = match rng.random_range(0..3) {
                0 => {
                    json!({"jsonrpc": "2.0", "method": method, "params": params.unwrap_or(json!({}))})
                }
                1 => json!({"jsonrpc": "2.0", "id": id, "result": any_value(rng)}),
                _ => json!({"jsonrpc": "2.0", "id": id, "error": {"code": -1, "message": "x"}}),
            };
            (message.to_string().into_bytes(), vec![Expect::Nothing])
        }
        // Broken JSON: cut short, invalid UTF-8, lone surrogate, a number beyond f64.
        6 | 7 => {
            let text = request(rng, &id).to_string();
            let bytes = match rng.random_range(0..4) {
                0 => text.as_bytes()[..rng.random_range(1..text.len())].to_vec(),
                1 => {
                    let mut bytes = text.into_bytes();
                    let at = rng.random_range(0..bytes.len());
                    bytes.insert(
                        at,
                        *[0xff_u8, 0xc3, 0x80, 0xfe].choose(rng).unwrap_or(&0xff),
                    );
                    bytes
                }
                2 => br#"{"jsonrpc":"2.0","id":"\udfff","method":"ping"}"#.to_vec(),
                _ => br#"{"jsonrpc":"2.0","id":-1e400,"method":"ping"}"#.to_vec(),
            };
            (bytes, vec![Expect::Null])
        }
        // Deep documents: within serde_json's limit they are requests, beyond it parse errors.
        8 => {
            let depth = rng.random_range(1..3000);
            let text = format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"ping","params":{{"x":{}0{}}}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            );
            let expect = if depth <= 100 {
                Expect::Id(id)
            } else if depth >= 130 {
                Expect::Null
            } else {
                return (b"{}".to_vec(), vec![Expect::Null]);
            };
            (text.into_bytes(), vec![expect])
        }
        // Huge documents: under the line limit a request, over it a parse error.
        9 => {
            let over = rng.random_bool(0.5);
            let size = if over {
                LINE_LIMIT + rng.random_range(1..LINE_LIMIT)
            } else {
                rng.random_range(1..LINE_LIMIT / 2)
            };
            let pad = if rng.random_bool(0.5) {
                "0,".repeat(size / 2)
            } else {
                "x".repeat(size)
            };
            let text = if pad.starts_with('0') {
                format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"method":"ping","params":{{"pad":[{pad}0]}}}}"#
                )
            } else {
                format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"method":"ping","params":{{"pad":"{pad}"}}}}"#
                )
            };
            let expect = if text.len() > LINE_LIMIT {
                Expect::Null
            } else {
                Expect::Id(id)
            };
            (text.into_bytes(), vec![expect])
        }
        // Batches: one answer per request with its id.
        10 => {
            let mut items = Vec::new();
            let mut expect = Vec::new();
            for k in 0..rng.random_range(1..5) {
                let id = json!(format!("b-{n}-{k}"));
                if rng.random_bool(0.6) {
                    items.push(request(rng, &id));
                    expect.push(Expect::Id(id));
                } else {
                    items.push(json!({"jsonrpc": "2.0", "method": "notifications/x"}));
                }
            }
            (Value::Array(items).to_string().into_bytes(), expect)
        }
        // Not an object, or an object that is no message.
        11 => {
            let text = [
                "42",
                "\"x\"",
                "null",
                "true",
                "[]",
                "{}",
                r#"{"jsonrpc":"1.0"}"#,
            ]
            .choose(rng)
            .copied()
            .unwrap_or("42");
            (text.as_bytes().to_vec(), vec![Expect::Null])
        }
        // The same id twice at once: both answered (or the second refused).
        12 => {
            let ping = json!({"jsonrpc": "2.0", "id": id, "method": "ping"}).to_string();
            (
                format!("{ping}\n{ping}").into_bytes(),
                vec![Expect::Id(id.clone()), Expect::Id(id)],
            )
        }
        // Invalid envelopes with a readable id.
        _ => {
            let message = [
                json!({"jsonrpc": "2.0", "id": id, "method": 17}),
                json!({"jsonrpc": "2.0", "id": id}),
                json!({"jsonrpc": "2.0", "id": id, "method": "ping", "result": 1}),
                json!({"jsonrpc": 2, "id": id, "method": "ping"}),
            ]
            .choose(rng)
            .cloned()
            .unwrap_or(Value::Null);
            (message.to_string().into_bytes(), vec![Expect::Id(id)])
        }
    }
}

fn rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

/// Tallies every answer line by id (`None` for `"id": null`); fails on an id-less answer.
fn tally(lines: &[String]) -> HashMap<Option<String>, usize> {
    let mut seen = HashMap::new();
    for line in lines {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {line:.200}"));
        let answers = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        for answer in answers {
            if answer.get("result").is_none() && answer.get("error").is_none() {
                continue; // a server request or notification
            }
            let id = answer
                .get("id")
                .unwrap_or_else(|| panic!("an answer without an id member: {answer}"));
            let key = (!id.is_null()).then(|| id.to_string());
            *seen.entry(key).or_insert(0) += 1;
        }
    }
    seen
}

async fn stdio_round(budget: &Budget) {
    let mut rng = StdRng::seed_from_u64(budget.seed);
    let sim = simulator().await;
    let env = Isolated::new();
    let per_process = 500;
    let mut sent = 0;
    let mut max_rss = 0;
    while sent < budget.messages && Instant::now() < budget.deadline {
        let mut command = env.command();
        command
            .args(account_args(&sim))
            .args(["--max-line-bytes", &LINE_LIMIT.to_string()]);
        let mut client = StdioClient::spawn(command);
        let mut expected: Vec<Expect> = Vec::new();
        // Fuzz before `initialize`, then the handshake, then more fuzz.
        let before = rng.random_range(0..20);
        for k in 0..per_process.min(budget.messages - sent) {
            if k == before {
                client.send_line(r#"{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}"#).await;
                client
                    .send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
                    .await;
                expected.push(Expect::Id(json!("init")));
            }
            let (bytes, expect) = line(&mut rng, sent);
            client.send_bytes(&bytes).await;
            expected.extend(expect);
            sent += 1;
            if k % 20 == 19 {
                // Read the answers so far (the server blocks once stdout is full).
                let sync = json!(format!("sync-{sent}"));
                client
                    .send_line(&json!({"jsonrpc": "2.0", "id": sync, "method": "ping"}).to_string())
                    .await;
                expected.push(Expect::Id(sync.clone()));
                while client.read_message().await["id"] != sync {}
            }
            if k % 50 == 0 {
                let pid = client.pid();
                max_rss = max_rss.max(rss_mib(pid));
                assert!(
                    !client.has_exited(),
                    "the server exited on input (seed {})",
                    budget.seed
                );
            }
        }
        let finished = client.finish().await;
        assert!(
            finished.status.success(),
            "seed {}: {}",
            budget.seed,
            finished.stderr
        );
        assert!(
            !finished.stderr.contains("panicked"),
            "seed {}",
            budget.seed
        );
        let seen = tally(&finished.stdout_lines);
        let mut want: HashMap<Option<String>, usize> = HashMap::new();
        for expect in &expected {
            match expect {
                Expect::Id(id) => *want.entry(Some(id.to_string())).or_insert(0) += 1,
                Expect::Null => *want.entry(None).or_insert(0) += 1,
                Expect::Nothing => {}
            }
        }
        for (id, count) in &want {
            assert_eq!(
                seen.get(id),
                Some(count),
                "seed {}: answers for id {id:?}",
                budget.seed
            );
        }
        assert_eq!(
            seen.len(),
            want.len(),
            "seed {}: answers to ids never sent",
            budget.seed
        );
    }
    eprintln!("stdio fuzz: {sent} messages, max RSS {max_rss} MiB (bound {STDIO_RSS_MIB})");
    assert!(
        max_rss <= STDIO_RSS_MIB,
        "seed {}: RSS {max_rss} MiB",
        budget.seed
    );
    assert!(
        sim.state().requests().is_empty(),
        "seed {}: Kommo got {:?}",
        budget.seed,
        request_lines(&sim)
    );
}

/// The JSON-RPC messages of an HTTP answer (a JSON body or SSE `data:` lines); a body
/// that is not JSON (a plain-text 4xx) has none.
async fn messages(response: reqwest::Response) -> Vec<Value> {
    let text = response.text().await.unwrap_or_default();
    if let Ok(value) = serde_json::from_str::<Value>(&text) {
        return vec![value];
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim()).ok())
        .collect()
}

/// One raw HTTP exchange (for broken requests reqwest will not send); `None` on a reset.
async fn raw(authority: &str, bytes: &[u8], hold: Duration) -> Option<Vec<u8>> {
    let mut stream = tokio::net::TcpStream::connect(authority).await.ok()?;
    stream.write_all(bytes).await.ok()?;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(hold, stream.read_to_end(&mut answer)).await;
    Some(answer)
}

async fn http_round(budget: &Budget) {
    let mut rng = StdRng::seed_from_u64(budget.seed ^ 0x5eed);
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let stop = tokio_util::sync::CancellationToken::new();
    let probe = {
        let http = server.http.clone();
        let url = server.url("/healthz");
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut times = Vec::new();
            while !stop.is_cancelled() {
                let start = Instant::now();
                let ok = http
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                assert!(ok, "/healthz failed");
                times.push(start.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            times
        })
    };
    let mut client = McpClient::initialize(&server).await;
    let mut max_rss = 0;
    let mut sent = 0;
    let headers: [(&str, &str); 7] = [
        ("x-kommo-tools", "nope,[\"x"),
        ("x-kommo-subdomain", "-bad-"),
        ("mcp-protocol-version", "1999-01-01"),
        ("mcp-session-id", "no-such-session"),
        ("content-type", "text/plain"),
        ("accept", "image/png"),
        ("x-kommo-token", ""),
    ];
    let total = (budget.messages / 4).max(50);
    while sent < total && Instant::now() < budget.deadline {
        let (bytes, expect) = line(&mut rng, sent);
        sent += 1;
        match rng.random_range(0..6) {
            // A fuzz body in the session: each readable id answered with that id.
            0..=2 => {
                let response = server
                    .http
                    .post(server.url("/mcp"))
                    .headers(client.headers())
                    .header("content-type", "application/json")
                    .header("accept", "application/json, text/event-stream")
                    .body(bytes)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("seed {}: no answer: {e}", budget.seed));
                let status = response.status();
                assert!(
                    !status.is_server_error() || status == 503,
                    "seed {}: {status}",
                    budget.seed
                );
                let answers = messages(response).await;
                for answer in &answers {
                    for one in answer
                        .as_array()
                        .cloned()
                        .unwrap_or_else(|| vec![answer.clone()])
                    {
                        if one.get("error").is_some() || one.get("result").is_some() {
                            assert!(
                                one.get("id").is_some(),
                                "seed {}: no id member: {one}",
                                budget.seed
                            );
                        }
                    }
                }
                if status.is_success()
                    && expect.len() == 1
                    && let Expect::Id(id) = &expect[0]
                {
                    assert!(
                        answers.iter().any(|a| &a["id"] == id),
                        "seed {}: {id} not answered: {answers:?}",
                        budget.seed
                    );
                }
            }
            // Bad per-request headers on a tools/list.
            3 => {
                let (name, value) = headers.choose(&mut rng).copied().unwrap_or(headers[0]);
                let response = client
                    .post(
                        &json!({"jsonrpc": "2.0", "id": sent, "method": "tools/list"}),
                        &[(name, value)],
                    )
                    .await;
                assert!(
                    !response.status().is_server_error(),
                    "seed {}: {name}: {}",
                    budget.seed,
                    response.status()
                );
            }
            // Slow and abandoned connections.
            4 => {
                let authority = server.authority().to_owned();
                let piece: &[u8] = [
                    &b""[..],
                    b"POST /mcp HT",
                    b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                    b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"a\"",
                    b"GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
                ]
                .choose(&mut rng)
                .copied()
                .unwrap_or(b"");
                let _ = raw(&authority, piece, Duration::from_millis(30)).await;
            }
            // Session churn: a session opened, then deleted or abandoned.
            _ => {
                let other = McpClient::initialize(&server).await;
                if rng.random_bool(0.5) {
                    let _ = server
                        .http
                        .delete(server.url("/mcp"))
                        .headers(other.headers())
                        .send()
                        .await;
                }
            }
        }
        if sent % 25 == 0 {
            max_rss = max_rss.max(rss_mib(server.pid()));
        }
        let _ = &mut client;
    }
    stop.cancel();
    let mut times = probe.await.unwrap();
    times.sort();
    let p99 = times[(times.len() * 99 / 100).min(times.len().saturating_sub(1))];
    eprintln!(
        "http fuzz: {sent} requests, max RSS {max_rss} MiB (bound {HTTP_RSS_MIB}), /healthz p99 {p99:?} over {} probes",
        times.len()
    );
    assert!(
        p99 < Duration::from_millis(50),
        "seed {}: /healthz p99 {p99:?}",
        budget.seed
    );
    assert!(
        max_rss <= HTTP_RSS_MIB,
        "seed {}: RSS {max_rss} MiB",
        budget.seed
    );
    assert!(
        sim.state().requests().is_empty(),
        "seed {}: Kommo got {:?}",
        budget.seed,
        request_lines(&sim)
    );
    let (status, stderr) = server.stop().await;
    assert_eq!(status.code(), Some(0), "seed {}: {stderr}", budget.seed);
    assert!(!stderr.contains("panicked"), "seed {}", budget.seed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzz_quick() {
    let budget = budget(1500, 40);
    stdio_round(&budget).await;
    http_round(&budget).await;
}

/// The long run: `KOMMO_MCP_FUZZ_MESSAGES=100000 cargo test --release --test it fuzz_long -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run on demand"]
async fn fuzz_long() {
    let budget = budget(100_000, 3600);
    stdio_round(&budget).await;
    http_round(&budget).await;
}
