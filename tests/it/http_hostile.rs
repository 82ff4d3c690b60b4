//! `serve --http` against hostile and careless clients: bodies that would expand in memory,
//! floods of sessions, slow and idle connections, too many connections, `/healthz` under
//! that load, and the bare `tools/list` shortcut answering exactly like the MCP service.

use std::time::{Duration, Instant};

use futures::StreamExt;
use kommo_sim::Simulator;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::*;

async fn server_for(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let mut command = http_command(env.command(), extra);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

/// Held by the tests that post megabytes, so they do not load the machine at the same time
/// (the /healthz timing test measures the server, not a neighbour's load).
static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A bare POST of `body` as given (it may be JSON no `Value` can hold).
async fn post_raw(server: &HttpServer, body: String, headers: &[(&str, &str)]) -> (u16, String) {
    try_post_raw(server, body, headers)
        .await
        .expect("POST /mcp")
}

/// `post_raw`, or the error when the server answered and closed before the whole body was
/// sent (as it does for a body whose Content-Length is over the limit).
async fn try_post_raw(
    server: &HttpServer,
    body: String,
    headers: &[(&str, &str)],
) -> Result<(u16, String), reqwest::Error> {
    let mut request = server
        .http
        .post(server.url("/mcp"))
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.body(body).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.unwrap_or_default()))
}

/// A `tools/call` whose arguments hold `count` zeros: a few bytes each on the wire, dozens
/// of bytes each once parsed.
fn zeros_call(count: usize) -> String {
    let mut zeros = "0,".repeat(count);
    zeros.pop();
    format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"add_note","arguments":{{"lead_id":9001,"note":"x","junk":[{zeros}]}}}}}}"#
    )
}

#[tokio::test]
async fn bare_tools_list_shortcut_answers_exactly_like_the_mcp_service() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let list = |id: &str, params: Option<&str>| match params {
        Some(params) => {
            format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list","params":{params}}}"#)
        }
        None => format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list"}}"#),
    };
    let cases = [
        list("1", None),
        list(r#""a""#, Some("{}")),
        list(r#""\u0041""#, None),
        list("1.0", None),
        list("-7", Some("{ }")),
        list("0.5", None),
        list("1e400", None),
        list("18446744073709551615", None),
        list("true", None),
        list("null", None),
        list("{}", None),
        list("2", Some(r#""x""#)),
        list("3", Some("[1]")),
        list("4", Some("7")),
        list("5", Some("null")),
        list("6", Some(r#"{"cursor":5}"#)),
        list("8", Some(r#"{"cursor":"next"}"#)),
    ];
    for body in cases {
        let fast = post_raw(&server, body.clone(), &[]).await;
        let slow = post_raw(
            &server,
            body.clone(),
            &[("mcp-protocol-version", "2025-03-26")],
        )
        .await;
        assert_eq!(fast.0, slow.0, "status for {body}");
        let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(json!(text));
        assert_eq!(parse(&fast.1), parse(&slow.1), "answer to {body}");
    }
    // The ones the MCP service refuses are refused on the shortcut path too.
    for body in [list("0.5", None), list("2", Some(r#""x""#))] {
        let (_, text) = post_raw(&server, body.clone(), &[]).await;
        assert!(!text.contains("\"tools\""), "{body} got the list: {text}");
    }
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn bodies_that_would_expand_in_memory_are_refused_before_parsing() {
    let _heavy = HEAVY.lock().await;
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let before = peak_rss_mib(server.pid());

    // 3.7 MiB: over the default --max-body-bytes (1 MiB).
    let huge = zeros_call(1_900_000);
    assert!(huge.len() > 3_700_000);
    // Under 1 MiB, but half a million values (over --max-json-values).
    let many = zeros_call(500_000);
    assert!(many.len() < 1024 * 1024);
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"a":{}1{}}}}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    let mut refused = Vec::new();
    for _ in 0..2 {
        let posts = (0..4).map(|i| {
            let body = if i % 2 == 0 {
                huge.clone()
            } else {
                many.clone()
            };
            try_post_raw(&server, body, &[])
        });
        refused.extend(futures::future::join_all(posts).await);
    }
    refused.push(try_post_raw(&server, deep, &[]).await);
    for (i, answer) in refused.iter().enumerate() {
        let Ok((status, text)) = answer else {
            // Refused by its Content-Length before the client had sent it all.
            assert!(i % 2 == 0 && i != 8, "{answer:?}");
            continue;
        };
        let answer: Value = serde_json::from_str(text).unwrap();
        assert_eq!(answer["id"], Value::Null, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        match i {
            8 => assert!(message.contains("--max-json-depth"), "{answer}"),
            _ if i % 2 == 0 => {
                assert_eq!(*status, 413, "{answer}");
                assert!(message.contains("--max-body-bytes"), "{answer}");
            }
            _ => {
                assert_eq!(*status, 400, "{answer}");
                assert!(message.contains("--max-json-values"), "{answer}");
            }
        }
    }
    let after = peak_rss_mib(server.pid());
    assert!(
        after - before < 40.0,
        "peak RSS went from {before:.1} MiB to {after:.1} MiB"
    );
    assert!(sim.state().requests().is_empty());

    // A real call with a long note (900 kB of text) still goes through.
    let note = "Долгий разговор. ".repeat(30_000);
    let mut client = McpClient::initialize(&server).await;
    let answer = client
        .call("add_note", json!({"lead_id": LEAD, "note": note}), &[])
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    let notes = kommo::requests_to(&sim, "POST", &format!("/api/v4/leads/{LEAD}/notes"));
    assert_eq!(notes.len(), 1);
}

#[tokio::test]
async fn body_limits_are_settings() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(
        &sim,
        &env,
        &["--max-body-bytes", "2000", "--max-json-values", "50"],
    )
    .await;
    let (status, text) = post_raw(&server, zeros_call(1000), &[]).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("larger than 2000 bytes"), "{text}");
    let (status, text) = post_raw(&server, zeros_call(60), &[]).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("more than 50 JSON values"), "{text}");
    let (status, _) = post_raw(&server, zeros_call(10), &[]).await;
    assert_eq!(status, 200);

    // The same from the config file's [http] table and the environment.
    let env = Isolated::new();
    env.write_default_config("[http]\nmax-body-bytes = 3000\n");
    let mut command = http_command(env.command(), &[]);
    command
        .args(account_args(&sim))
        .env("KOMMO_MCP_MAX_JSON_VALUES", "40");
    let server = HttpServer::start(command).await;
    let (status, text) = post_raw(&server, zeros_call(2000), &[]).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("larger than 3000 bytes"), "{text}");
    let (status, text) = post_raw(&server, zeros_call(45), &[]).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("more than 40 JSON values"), "{text}");

    // A limit that is not a whole number stops start-up with a sentence naming it.
    let mut command = http_command(Isolated::new().command(), &["--max-sessions", "1.5"]);
    command.args(account_args(&sim));
    let Err((_, stderr)) = HttpServer::try_start(command).await else {
        panic!("started with --max-sessions 1.5");
    };
    assert!(stderr.contains("max-sessions"), "{stderr}");
}

#[tokio::test]
async fn sessions_beyond_the_cap_get_503_and_idle_ones_expire() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(
        &sim,
        &env,
        &["--max-sessions", "3", "--session-idle-timeout", "2"],
    )
    .await;
    let mut open = Vec::new();
    for _ in 0..2 {
        open.push(McpClient::initialize(&server).await);
    }
    let _sse = SseClient::connect(&server, &[]).await;
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let refused = McpClient::new(&server).post(&init, &[]).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "5");
    let answer: Value = refused.json().await.unwrap();
    assert_eq!(answer["id"], Value::Null);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--max-sessions"),
        "{answer}"
    );
    let sse_refused = server
        .http
        .get(server.url("/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(sse_refused.status(), 503);

    // Unused streamable sessions close after --session-idle-timeout; then there is room.
    server
        .wait_health("idle sessions to expire", |h| h["mcp_sessions"] == 0)
        .await;
    let reopened = McpClient::new(&server).post(&init, &[]).await;
    assert_eq!(reopened.status(), 200);
}

/// Whether the server closes `stream` within `within` (reads EOF or a reset), after
/// collecting what it sent.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&seen).into_owned())
}

#[tokio::test]
async fn slow_and_idle_connections_are_timed_out() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(
        &sim,
        &env,
        &["--header-read-timeout", "1", "--body-read-timeout", "1"],
    )
    .await;
    let authority = server.authority().to_owned();
    let partial_head = format!("POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: app");
    let short_body = format!(
        "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"jsonrpc\""
    );
    let cases: [(&str, String); 4] = [
        ("nothing", String::new()),
        ("half a request line", "POST /mc".to_owned()),
        ("headers without the final CRLF", partial_head),
        ("a body shorter than its Content-Length", short_body),
    ];
    for (what, sent) in cases {
        let started = Instant::now();
        let mut stream = TcpStream::connect(&authority).await.unwrap();
        stream.write_all(sent.as_bytes()).await.unwrap();
        let answer = closed_within(&mut stream, Duration::from_secs(10)).await;
        let Some(answer) = answer else {
            panic!("{what}: the connection was still open after 10 s");
        };
        if what.starts_with("a body") {
            assert!(answer.starts_with("HTTP/1.1 408"), "{what}: {answer}");
            assert!(answer.contains("--body-read-timeout"), "{what}: {answer}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what}: closed after {:?}",
            started.elapsed()
        );
    }
    assert!(server.health().await["status"] == "ok");
}

#[tokio::test]
async fn connections_beyond_the_cap_are_answered_503() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--max-connections", "3"]).await;
    let authority = server.authority().to_owned();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(&authority).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = TcpStream::connect(&authority).await.unwrap();
    let answer = closed_within(&mut extra, Duration::from_secs(5))
        .await
        .expect("the connection beyond the cap is closed");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("--max-connections"), "{answer}");
    // The probes are still answered: alive (200), but not ready (503 busy).
    for (path, status) in [("/healthz", "HTTP/1.1 200"), ("/readyz", "HTTP/1.1 503")] {
        let mut probe = TcpStream::connect(&authority).await.unwrap();
        probe
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let answer = closed_within(&mut probe, Duration::from_secs(5))
            .await
            .expect("answered and closed");
        assert!(answer.starts_with(status), "{path}: {answer}");
        assert!(answer.contains("\"busy\""), "{path}: {answer}");
    }
    // With one slot free, /readyz takes it and says busy: the next connection would be
    // refused. With two free it is ready.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let busy = server.http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(busy.status(), 503);
    assert_eq!(busy.json::<Value>().await.unwrap()["status"], "busy");
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ready = server.http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    // Once the idle ones go, the server answers again.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.health().await["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn healthz_stays_fast_while_huge_bodies_are_posted() {
    let _heavy = HEAVY.lock().await;
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let huge = zeros_call(1_900_000);
    let many = zeros_call(500_000);
    let stop = tokio_util::sync::CancellationToken::new();
    // Its own connections (those the server closes after a 413 are never reused for the
    // probes) and its own tasks (building and sending the bodies must not delay a probe).
    let loader = reqwest::Client::new();
    let url = server.url("/mcp");
    let load = (0..4).map(|i| {
        let body = if i % 2 == 0 {
            huge.clone()
        } else {
            many.clone()
        };
        let (url, stop, loader) = (url.clone(), stop.clone(), loader.clone());
        tokio::spawn(async move {
            while !stop.is_cancelled() {
                // The server may answer 413 and close before the body is sent.
                let _ = loader
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                // Four clients posting back to back, not a benchmark of the test machine.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    });
    // A new connection per probe, as a liveness prober makes.
    let prober = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let probe = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut times = Vec::new();
        for _ in 0..100 {
            let started = Instant::now();
            let answer = prober.get(server.url("/healthz")).send().await;
            times.push(started.elapsed());
            match answer {
                Ok(answer) => assert_eq!(answer.status(), 200),
                Err(err) => panic!("/healthz: {err:?}\n{}", server.stderr()),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.cancel();
        times
    };
    let (mut times, _) = tokio::join!(probe, futures::future::join_all(load));
    times.sort();
    let p99 = times[98];
    assert!(
        p99 < Duration::from_millis(50),
        "/healthz p99 {p99:?} under load (max {:?})",
        times[99]
    );
}

/// What three floods of sessions may leave behind once every session is gone (MiB over the
/// idle RSS). Measured with this test's debug build: glibc's malloc kept 66–70 MiB
/// (24 → 79 → 86 → 90 MiB), mimalloc 35–37 (24 → 58 → 61 → 60 MiB).
const CHURN_RSS_SLACK_MIB: f64 = 50.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_goes_back_after_floods_of_sessions() {
    let _heavy = HEAVY.lock().await;
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(
        &sim,
        &env,
        &[
            "--max-sessions",
            "3000",
            "--max-connections",
            "1000",
            // One caller (no auth) opens them all; its share is not what this measures.
            "--max-sessions-per-caller",
            "3000",
            "--max-calls-per-caller",
            "1000",
        ],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_mib(server.pid());
    let mut after = Vec::new();
    for _ in 0..3 {
        // 1,000 sessions opened and deleted, 400 at a time.
        let churn = futures::stream::iter(0..1000).for_each_concurrent(400, |_| async {
            let client = McpClient::initialize(&server).await;
            let deleted = server
                .http
                .delete(server.url("/mcp"))
                .headers(client.headers())
                .send()
                .await
                .unwrap();
            assert!(
                deleted.status().is_success(),
                "DELETE: {}",
                deleted.status()
            );
        });
        churn.await;
        server
            .wait_health("every session to close", |h| h["mcp_sessions"] == 0)
            .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        after.push(rss_mib(server.pid()));
    }
    eprintln!("RSS idle {idle:.1} MiB, after each round {after:.1?}");
    let last = after[2];
    assert!(
        last - idle < CHURN_RSS_SLACK_MIB,
        "RSS idle {idle:.1} MiB, after each round of 1,000 sessions {after:.1?}"
    );
    assert!(sim.state().requests().is_empty());
}
