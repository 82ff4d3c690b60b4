//! Each caller's share of the server (issue 24, item 2): one client taking every slot
//! still leaves one for another; idle SSE and standalone `GET /mcp` streams expire; and a
//! client that never reads its SSE stream while it keeps posting is disconnected, with the
//! process's memory staying under a stated bound.

use std::time::{Duration, Instant};

use futures::StreamExt;
use kommo_sim::Simulator;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

const ALICE_KEY: &str = "kmcp_alice-share-key-51be-never-print-me";
const BOB_KEY: &str = "kmcp_bob-share-key-a4d0-never-print-me";

async fn keyed_server(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let hash = kommo_mcp::testing::sha256_hex;
    env.write_default_config(&format!(
        "[clients.alice]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\n\n\
         [clients.bob]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\n",
        hash(ALICE_KEY),
        hash(BOB_KEY),
    ));
    let mut command = http_command(env.command(), extra);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

async fn initialize(server: &HttpServer, key: &str) -> reqwest::Response {
    server
        .http
        .post(server.url("/mcp"))
        .header("authorization", bearer(key))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "share-tests", "version": "1"}}})
            .to_string(),
        )
        .send()
        .await
        .unwrap()
}

async fn assert_share_refusal(response: reqwest::Response, setting: &str) {
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(setting), "{message}");
}

#[tokio::test]
async fn one_client_taking_every_slot_still_leaves_one_for_another() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = keyed_server(
        &sim,
        &env,
        &[
            "--max-sessions",
            "10",
            "--max-sessions-per-caller",
            "3",
            "--max-streams-per-caller",
            "2",
        ],
    )
    .await;
    // Alice's sessions: three, then 429 (not the whole server's 503).
    let mut alice_sessions = Vec::new();
    for _ in 0..3 {
        let opened = initialize(&server, ALICE_KEY).await;
        assert_eq!(opened.status(), 200);
        alice_sessions.push(
            opened.headers()["mcp-session-id"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_share_refusal(
        initialize(&server, ALICE_KEY).await,
        "--max-sessions-per-caller",
    )
    .await;
    // A legacy SSE stream is a session too.
    let alice_sse = server
        .http
        .get(server.url("/sse"))
        .header("authorization", bearer(ALICE_KEY))
        .send()
        .await
        .unwrap();
    assert_share_refusal(alice_sse, "--max-sessions-per-caller").await;
    // Bob still gets his.
    assert_eq!(initialize(&server, BOB_KEY).await.status(), 200);
    let bob_sse = SseClient::connect(&server, &[("authorization", &bearer(BOB_KEY))]).await;

    // Alice's standalone streams: two, then 429.
    let stream = |session: &str| {
        server
            .http
            .get(server.url("/mcp"))
            .header("authorization", bearer(ALICE_KEY))
            .header("accept", "text/event-stream")
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-11-25")
            .send()
    };
    let first = stream(&alice_sessions[0]).await.unwrap();
    let second = stream(&alice_sessions[1]).await.unwrap();
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    assert_share_refusal(
        stream(&alice_sessions[2]).await.unwrap(),
        "--max-streams-per-caller",
    )
    .await;
    // A closed stream gives its slot back.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let again = stream(&alice_sessions[2]).await.unwrap();
        if again.status() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed stream's slot came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Deleting a session gives its slot back too.
    let deleted = server
        .http
        .delete(server.url("/mcp"))
        .header("authorization", bearer(ALICE_KEY))
        .header("mcp-session-id", &alice_sessions[0])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(initialize(&server, ALICE_KEY).await.status(), 200);
    drop((second, bob_sse));
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn idle_sse_and_standalone_streams_expire() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = http_command(env.command(), &["--session-idle-timeout", "1"]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let mut sse = SseClient::connect(&server, &[]).await;
    sse.initialize().await;
    let client = McpClient::initialize(&server).await;
    let mut standalone = server
        .http
        .get(server.url("/mcp"))
        .headers(client.headers())
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(standalone.status(), 200);
    let health = server.health().await;
    assert_eq!(
        (
            health["sse_sessions"].as_u64(),
            health["mcp_sessions"].as_u64()
        ),
        (Some(1), Some(1))
    );
    // Neither stream is used for longer than the idle timeout: both end.
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = standalone.chunk().await {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the standalone stream ended with its idle session"
    );
    server
        .wait_health("the idle SSE stream to close", |h| {
            h["sse_sessions"] == 0 && h["mcp_sessions"] == 0
        })
        .await;
    let stale = sse
        .post(
            &json!({"jsonrpc": "2.0", "id": 9, "method": "tools/list"}),
            &[],
        )
        .await;
    assert_eq!(stale.status(), 404);
}

/// How far the server's RSS may grow while one client posts up to 9,000 `tools/list`s
/// (about 20 kB of answer each, 180 MB in all) to an SSE stream it never reads. Before the bound
/// it grew by 468 MiB in 6 s; now the answers that wait are what the connection's buffers
/// and the 64 answers that may wait on a stream hold, then the client is disconnected.
const NON_READER_RSS_BOUND_MIB: f64 = 64.0;

#[tokio::test]
async fn a_client_that_never_reads_its_sse_stream_is_disconnected_and_memory_stays_bounded() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = rss_mib(server.pid());

    // Open the stream by hand, read up to the endpoint event, then never read again.
    let mut tcp = tokio::net::TcpStream::connect(server.authority())
        .await
        .unwrap();
    let head = format!(
        "GET /sse HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        server.authority()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut seen = Vec::new();
    let endpoint = loop {
        let mut buffer = [0u8; 512];
        let read = tcp.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the stream closed early");
        seen.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&seen);
        if let Some(at) = text.find("/sse/message?sessionId=")
            && let Some(end) = text[at..].find('\n')
        {
            break text[at..at + end].trim().to_owned();
        }
    };
    let url = server.url(&endpoint);
    let started = Instant::now();
    // Up to 9,000 posts, 32 at a time, in rounds of 300; the round after the disconnect
    // (everything then answers 404 at once) is the last.
    let mut statuses = Vec::new();
    for round in 0..30 {
        let posted = futures::stream::iter(round * 300..(round + 1) * 300)
            .map(|id| {
                let (http, url) = (server.http.clone(), url.clone());
                async move {
                    http.post(url)
                        .header("content-type", "application/json")
                        .body(
                            json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}).to_string(),
                        )
                        .send()
                        .await
                        .map_or(0, |response| response.status().as_u16())
                }
            })
            .buffer_unordered(32)
            .collect::<Vec<u16>>()
            .await;
        let disconnected = posted.contains(&404);
        statuses.extend(posted);
        if disconnected {
            break;
        }
    }
    let grown = rss_mib(server.pid()) - idle;
    let took = started.elapsed();
    let count = |status: u16| statuses.iter().filter(|s| **s == status).count();
    eprintln!(
        "{} posts in {took:?}: {} accepted, {} refused (429), {} after the disconnect (404); RSS +{grown:.1} MiB",
        statuses.len(),
        count(202),
        count(429),
        count(404)
    );
    assert!(count(404) > 0, "the non-reading client was disconnected");
    assert_eq!(
        count(202) + count(429) + count(404),
        statuses.len(),
        "{statuses:?}"
    );
    assert!(
        grown < NON_READER_RSS_BOUND_MIB,
        "RSS grew by {grown:.1} MiB (bound {NON_READER_RSS_BOUND_MIB} MiB)"
    );
    server
        .wait_health("the stream and its answers to go", |h| {
            h["sse_sessions"] == 0 && h["sse_services"] == 0
        })
        .await;
    assert!(
        server.stderr().contains("does not read its stream"),
        "the disconnect is logged"
    );
    drop(tcp);
}
