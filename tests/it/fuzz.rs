//! The project's own fuzz test: seeded (`KOMMO_MCP_FUZZ_SEED`, printed), bounded in count
//! (`KOMMO_MCP_FUZZ_MESSAGES`) and time (`KOMMO_MCP_FUZZ_SECONDS`), over stdio and HTTP.
//! It asserts the process never exits or panics on input, every request whose id can be
//! read is answered with that id, unreadable ones with `"id": null`, RSS stays under a
//! bound, the Kommo simulator receives nothing, and `/healthz` stays fast while 4 MiB bodies
//! are posted. Over HTTP it also runs into every limit: slow connections are closed by the
//! header and body read timeouts, and sessions beyond `--max-sessions` get 503 + `Retry-After`.

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

/// The HTTP server's limits during the fuzz: small, so the run reaches each of them.
const HEADER_TIMEOUT_S: u64 = 1;
const BODY_TIMEOUT_S: u64 = 1;
const MAX_SESSIONS: usize = 12;
const SESSION_IDLE_S: u64 = 3;
/// How long past its timeout a slow connection may stay open (scheduling on a busy machine).
const CLOSE_SLACK: Duration = Duration::from_secs(4);

/// The connections that must be cut by a read timeout: what each sends, then holds open.
fn slow_pieces(authority: &str) -> [(&'static str, String); 4] {
    [
        ("nothing", String::new()),
        ("half a request line", "POST /mcp HT".to_owned()),
        (
            "headers without the final CRLF",
            format!(
                "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n"
            ),
        ),
        (
            "a body shorter than its Content-Length",
            format!(
                "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"a\""
            ),
        ),
    ]
}

/// Sends `piece` and holds the connection open until the server closes it; `Err` says what
/// happened instead (still open past its read timeout, or a short body not answered 408).
async fn slow_connection(
    authority: String,
    what: &'static str,
    piece: String,
) -> Result<(), String> {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(&authority)
        .await
        .map_err(|e| format!("{what}: connect: {e}"))?;
    stream
        .write_all(piece.as_bytes())
        .await
        .map_err(|e| format!("{what}: write: {e}"))?;
    let timeout = Duration::from_secs(if what.starts_with("a body") {
        BODY_TIMEOUT_S
    } else {
        HEADER_TIMEOUT_S
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(timeout + CLOSE_SLACK, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let answer = String::from_utf8_lossy(&answer);
    if closed.is_err() {
        return Err(format!("{what}: still open after {:?}", started.elapsed()));
    }
    if what.starts_with("a body") && !answer.starts_with("HTTP/1.1 408") {
        return Err(format!("{what}: answered {answer:.200}"));
    }
    Ok(())
}

/// `/healthz` timings, from a thread and runtime of its own (the fuzz's own work must not
/// delay a probe), each probe on a new connection as a liveness prober makes.
fn start_probe(
    url: String,
    stop: tokio_util::sync::CancellationToken,
) -> std::thread::JoinHandle<Vec<Duration>> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let prober = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let mut times = Vec::new();
            let give_up = Instant::now() + Duration::from_secs(2 * 3600);
            while !stop.is_cancelled() && Instant::now() < give_up {
                let start = Instant::now();
                let answer = prober.get(&url).send().await;
                times.push(start.elapsed());
                match answer {
                    Ok(answer) => assert_eq!(answer.status(), 200, "/healthz"),
                    Err(err) => panic!("/healthz: {err:?}"),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            times
        })
    })
}

/// Posts ~4 MiB bodies back to back until `stop`, half with a `Content-Length` (refused on
/// it) and half chunked (read up to the body limit, then refused).
fn start_loader(
    url: String,
    stop: tokio_util::sync::CancellationToken,
) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let loader = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_millis(300))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut zeros = "0,".repeat(2 * 1024 * 1024);
        zeros.pop();
        let body = bytes::Bytes::from(format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"add_note","arguments":{{"lead_id":9001,"note":"x","junk":[{zeros}]}}}}}}"#
        ));
        let mut posted = 0;
        let give_up = Instant::now() + Duration::from_secs(2 * 3600);
        while !stop.is_cancelled() && Instant::now() < give_up {
            let request = loader.post(&url).header("content-type", "application/json");
            let request = if posted % 2 == 0 {
                request.body(body.clone())
            } else {
                let chunks: Vec<Result<hyper::body::Frame<bytes::Bytes>, std::io::Error>> = (0..64)
                    .map(|i| {
                        let piece = body.slice(i * body.len() / 64..(i + 1) * body.len() / 64);
                        Ok(hyper::body::Frame::data(piece))
                    })
                    .collect();
                let stream = http_body_util::StreamBody::new(futures::stream::iter(chunks));
                request.body(reqwest::Body::wrap(stream))
            };
            // The server answers 413 and may close before the whole body is sent.
            if let Ok(answer) = request.send().await {
                assert!(
                    answer.status() == 413 || answer.status() == 503,
                    "a 4 MiB body got {}",
                    answer.status()
                );
            }
            posted += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        posted
    })
}

/// The answer to a refused `initialize`: 503, `Retry-After`, a JSON-RPC error with `"id": null`.
async fn assert_session_refused(response: reqwest::Response, seed: u64) {
    assert_eq!(response.status(), 503, "seed {seed}");
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(
        retry.is_some_and(|s| s >= 1),
        "seed {seed}: Retry-After {retry:?}"
    );
    let answer: Value = response.json().await.unwrap_or_default();
    assert_eq!(answer["id"], Value::Null, "seed {seed}: {answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--max-sessions")),
        "seed {seed}: {answer}"
    );
}

/// A new streamable session, or `None` when the server refused it for the session cap
/// (asserting how it refused).
async fn open_session<'a>(server: &'a HttpServer, seed: u64) -> Option<McpClient<'a>> {
    let mut client = McpClient::new(server);
    let response = client
        .post(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "fuzz", "version": "1"}}}),
            &[],
        )
        .await;
    if response.status() == 503 {
        assert_session_refused(response, seed).await;
        return None;
    }
    assert_eq!(response.status(), 200, "seed {seed}");
    client.session = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert!(client.session.is_some(), "seed {seed}: no session id");
    let response = client
        .post(
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            &[],
        )
        .await;
    assert_eq!(response.status(), 202, "seed {seed}");
    Some(client)
}

/// The fuzz's own session, opened again if it idled out (waiting for room under the cap).
async fn main_session<'a>(server: &'a HttpServer, seed: u64) -> McpClient<'a> {
    let deadline = Instant::now() + Duration::from_secs(SESSION_IDLE_S * 5);
    loop {
        if let Some(client) = open_session(server, seed).await {
            return client;
        }
        assert!(
            Instant::now() < deadline,
            "seed {seed}: no room for a session"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn delete_session(server: &HttpServer, client: &McpClient<'_>) {
    let _ = server
        .http
        .delete(server.url("/mcp"))
        .headers(client.headers())
        .send()
        .await;
}

async fn http_round(budget: &Budget) {
    let mut rng = StdRng::seed_from_u64(budget.seed ^ 0x5eed);
    let seed = budget.seed;
    let sim = simulator().await;
    let env = Isolated::new();
    let limits = [
        ("--header-read-timeout", HEADER_TIMEOUT_S.to_string()),
        ("--body-read-timeout", BODY_TIMEOUT_S.to_string()),
        ("--max-sessions", MAX_SESSIONS.to_string()),
        ("--session-idle-timeout", SESSION_IDLE_S.to_string()),
    ];
    let limits: Vec<&str> = limits
        .iter()
        .flat_map(|(flag, value)| [*flag, value.as_str()])
        .collect();
    let mut command = http_command(env.command(), &limits);
    command.args(account_args(&sim));
    let mut server = HttpServer::start(command).await;
    // Never reuse a keep-alive connection the server may be closing (--header-read-timeout
    // also closes idle ones).
    server.http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let server = server;
    let stop = tokio_util::sync::CancellationToken::new();
    let probe = start_probe(server.url("/healthz"), stop.clone());
    let loader = start_loader(server.url("/mcp"), stop.clone());

    // The session cap: fill it, see the next one refused, free it again.
    let mut filling = Vec::new();
    while let Some(client) = open_session(&server, seed).await {
        filling.push(client);
        assert!(
            filling.len() <= MAX_SESSIONS,
            "seed {seed}: more sessions than the cap"
        );
    }
    assert_eq!(
        filling.len(),
        MAX_SESSIONS,
        "seed {seed}: refused before the cap"
    );
    for client in &filling {
        delete_session(&server, client).await;
    }
    drop(filling);

    let mut client = main_session(&server, seed).await;
    let mut max_rss = 0;
    let mut sent = 0;
    let mut slow = Vec::new();
    let mut refused_sessions = 0;
    let mut reopened = 0;
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
                let post = |client: &McpClient| {
                    server
                        .http
                        .post(server.url("/mcp"))
                        .headers(client.headers())
                        .header("content-type", "application/json")
                        .header("accept", "application/json, text/event-stream")
                        .body(bytes.clone())
                        .send()
                };
                let mut response = post(&client)
                    .await
                    .unwrap_or_else(|e| panic!("seed {seed}: no answer: {e}"));
                if response.status() == 404 {
                    // The session idled out (a stall longer than --session-idle-timeout).
                    client = main_session(&server, seed).await;
                    reopened += 1;
                    response = post(&client)
                        .await
                        .unwrap_or_else(|e| panic!("seed {seed}: no answer: {e}"));
                }
                let status = response.status();
                assert!(
                    !status.is_server_error() && status != 404,
                    "seed {seed}: {status}"
                );
                let answers = messages(response).await;
                for answer in &answers {
                    for one in answer
                        .as_array()
                        .cloned()
                        .unwrap_or_else(|| vec![answer.clone()])
                    {
                        if one.get("error").is_some() || one.get("result").is_some() {
                            assert!(one.get("id").is_some(), "seed {seed}: no id member: {one}");
                        }
                    }
                }
                if status.is_success()
                    && expect.len() == 1
                    && let Expect::Id(id) = &expect[0]
                {
                    assert!(
                        answers.iter().any(|a| &a["id"] == id),
                        "seed {seed}: {id} not answered: {answers:?}"
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
                    "seed {seed}: {name}: {}",
                    response.status()
                );
            }
            // Slow connections, each closed by a read timeout; abandoned SSE streams.
            4 => {
                let authority = server.authority().to_owned();
                if rng.random_bool(0.2) {
                    let sse = format!(
                        "GET /sse HTTP/1.1\r\nHost: {authority}\r\nAccept: text/event-stream\r\n\r\n"
                    );
                    let _ = raw(&authority, sse.as_bytes(), Duration::from_millis(30)).await;
                } else {
                    let (what, piece) = slow_pieces(&authority)
                        .choose(&mut rng)
                        .cloned()
                        .unwrap_or_default();
                    slow.push(tokio::spawn(slow_connection(authority, what, piece)));
                }
            }
            // Session churn: a session opened, then deleted or abandoned; 503 at the cap.
            _ => match open_session(&server, seed).await {
                Some(other) if rng.random_bool(0.5) => delete_session(&server, &other).await,
                Some(_) => {}
                None => refused_sessions += 1,
            },
        }
        if sent % 25 == 0 {
            max_rss = max_rss.max(rss_mib(server.pid()));
        }
    }
    let mut closed = 0;
    for task in slow {
        if let Err(failure) = task.await.unwrap() {
            panic!("seed {seed}: {failure}");
        }
        closed += 1;
    }
    stop.cancel();
    let posted = loader.await.unwrap();
    let mut times = probe.join().unwrap();
    times.sort();
    let p99 = times[(times.len() * 99 / 100).min(times.len().saturating_sub(1))];
    eprintln!(
        "http fuzz: {sent} requests, {closed} slow connections closed by the read timeouts, \
         {refused_sessions} sessions refused at the cap ({reopened} idle-outs), {posted} bodies of 4 MiB, \
         max RSS {max_rss} MiB (bound {HTTP_RSS_MIB}), /healthz p99 {p99:?} over {} probes",
        times.len()
    );
    assert!(posted > 0, "seed {seed}: no 4 MiB body was posted");
    assert!(
        p99 < Duration::from_millis(50),
        "seed {seed}: /healthz p99 {p99:?}"
    );
    assert!(max_rss <= HTTP_RSS_MIB, "seed {seed}: RSS {max_rss} MiB");
    assert!(
        sim.state().requests().is_empty(),
        "seed {seed}: Kommo got {:?}",
        request_lines(&sim)
    );
    let (status, stderr) = server.stop().await;
    assert_eq!(status.code(), Some(0), "seed {seed}: {stderr}");
    assert!(!stderr.contains("panicked"), "seed {seed}");
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
