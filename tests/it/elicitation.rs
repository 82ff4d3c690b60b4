//! Server-to-client requests (issue 24, item 5), proven by `confirm_tools`: a listed write
//! asks the user through `elicitation/create` when the client declared elicitation, and
//! goes to Kommo only on accept. On `/mcp` the request comes on the call's own `POST`
//! stream and the client's answer is a later `POST` in the session; on `/sse` both travel
//! as the session's messages; on stdio rmcp's peer carries them. Without the capability,
//! or for a dry run, nothing is asked.

use std::time::Duration;

use kommo_sim::Simulator;
use reqwest::Response;
use serde_json::{Value, json};

use crate::support::*;

/// Closes the demo lead as won.
fn win_lead() -> Value {
    json!({"name": "move_lead", "arguments": {"lead_id": LEAD, "pipeline_id": 1001, "status_id": 142}})
}

fn call(id: i64, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
}

fn answer_to(request: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": request["id"], "result": result})
}

fn accept() -> Value {
    json!({"action": "accept", "content": {"confirm": true}})
}

fn decline() -> Value {
    json!({"action": "decline"})
}

fn initialize_params(elicitation: bool, version: &str) -> Value {
    let capabilities = if elicitation {
        json!({"elicitation": {}})
    } else {
        json!({})
    };
    json!({"protocolVersion": version, "capabilities": capabilities,
           "clientInfo": {"name": "elicitation-tests", "version": "1"}})
}

async fn server(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let mut command = http_command(env.command(), &["--confirm-tools", "move_lead"]);
    command.args(account_args(sim)).args(extra);
    HttpServer::start(command).await
}

/// A `/mcp` session whose `initialize` declared elicitation (or not).
async fn session(server: &HttpServer, elicitation: bool) -> McpClient<'_> {
    session_as(server, elicitation, &[]).await
}

/// A `/mcp` session opened with `auth` (which each later request must carry too).
async fn session_as<'a>(
    server: &'a HttpServer,
    elicitation: bool,
    auth: &[(&str, &str)],
) -> McpClient<'a> {
    let mut client = McpClient::new(server);
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                            "params": initialize_params(elicitation, "2025-11-25")});
    let response = client.post(&initialize, auth).await;
    assert_eq!(response.status(), 200);
    client.session = response
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_owned());
    http::messages(response).await;
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(client.post(&initialized, auth).await.status(), 202);
    client
}

/// The JSON-RPC messages of an event stream, read as they arrive.
struct Events {
    response: Response,
    buffer: String,
}

impl Events {
    fn of(response: Response) -> Self {
        assert_eq!(response.status(), 200);
        Self {
            response,
            buffer: String::new(),
        }
    }

    async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let data: Vec<&str> = block
                    .lines()
                    .filter_map(|line| line.strip_prefix("data:"))
                    .map(str::trim)
                    .filter(|data| !data.is_empty())
                    .collect();
                if let Some(data) = data.first() {
                    return serde_json::from_str(data).expect("a JSON message");
                }
                continue;
            }
            let chunk = tokio::time::timeout(http::TIMEOUT, self.response.chunk())
                .await
                .expect("an event in time")
                .expect("readable")
                .expect("the stream is still open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn assert_asks_about_winning_the_lead(request: &Value) {
    assert_eq!(request["method"], "elicitation/create", "{request}");
    assert!(request["id"].is_string(), "a server-chosen id: {request}");
    let message = request["params"]["message"].as_str().unwrap();
    for part in [
        "move_lead",
        &format!("lead {LEAD}"),
        "Maria Gonzalez",
        "(closed)",
        SUBDOMAIN,
    ] {
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
    assert_eq!(
        request["params"]["requestedSchema"]["properties"]["confirm"]["type"],
        "boolean"
    );
}

fn assert_not_confirmed(sim: &Simulator, answer: &Value) {
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let error = &answer["result"]["structuredContent"]["error"];
    assert_eq!(error["kind"], "not_confirmed", "{answer}");
    assert!(
        answer.to_string().contains("not confirmed by the user"),
        "{answer}"
    );
    assert!(writes(sim).is_empty(), "an unconfirmed write reached Kommo");
}

#[tokio::test]
async fn mcp_asks_on_the_calls_stream_and_writes_on_accept() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server(&sim, &env, &[]).await;
    let client = session(&server, true).await;
    let mut events = Events::of(client.post(&call(5, win_lead()), &[]).await);
    let request = events.next().await;
    assert_asks_about_winning_the_lead(&request);
    assert!(
        writes(&sim).is_empty(),
        "nothing is sent while the user decides"
    );
    let answered = client.post(&answer_to(&request, accept()), &[]).await;
    assert_eq!(answered.status(), 202);
    let answer = events.next().await;
    assert_eq!(answer["id"], 5);
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn mcp_writes_nothing_on_decline_and_audits_it() {
    let (sim, env) = (simulator().await, Isolated::new());
    let audit = env.home.path().join("audit.jsonl");
    let server = server(&sim, &env, &["--audit-log", audit.to_str().unwrap()]).await;
    let client = session(&server, true).await;
    let mut events = Events::of(client.post(&call(6, win_lead()), &[]).await);
    let request = events.next().await;
    assert_asks_about_winning_the_lead(&request);
    let answered = client.post(&answer_to(&request, decline()), &[]).await;
    assert_eq!(answered.status(), 202);
    let answer = events.next().await;
    assert_not_confirmed(&sim, &answer);
    let lines = std::fs::read_to_string(&audit).unwrap();
    let line: Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(line["event"], "not_sent", "{line}");
    assert_eq!(line["failure_kind"], "not_confirmed", "{line}");
    assert_eq!(line["tool"], "move_lead", "{line}");
}

const ALICE_KEY: &str = "kmcp_alice-key-4e1d-never-print-me";
const BOB_KEY: &str = "kmcp_bob-key-93aa-never-print-me";

#[tokio::test]
async fn an_answer_from_another_caller_or_session_does_not_reach_the_call() {
    let (sim, env) = (simulator().await, Isolated::new());
    let hash = kommo_mcp::testing::sha256_hex;
    env.write_default_config(&format!(
        "[clients.alice]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\n\n\
         [clients.bob]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\n",
        hash(ALICE_KEY),
        hash(BOB_KEY),
    ));
    let server = server(&sim, &env, &["--confirm-timeout", "2"]).await;
    let (alice, bob) = (format!("Bearer {ALICE_KEY}"), format!("Bearer {BOB_KEY}"));
    let alice: &[(&str, &str)] = &[("authorization", &alice)];
    let bob: &[(&str, &str)] = &[("authorization", &bob)];
    let owner = session_as(&server, true, alice).await;
    let other_session = session_as(&server, true, alice).await;
    let mut events = Events::of(owner.post(&call(7, win_lead()), alice).await);
    let request = events.next().await;
    assert_asks_about_winning_the_lead(&request);
    // Another caller naming the owner's session finds no session at all.
    let stranger = owner.post(&answer_to(&request, accept()), bob).await;
    assert_eq!(stranger.status(), 404);
    // The owner's other session has no such request: acknowledged, and dropped.
    let elsewhere = other_session
        .post(&answer_to(&request, accept()), alice)
        .await;
    assert_eq!(elsewhere.status(), 202);
    let answer = events.next().await;
    assert_eq!(answer["id"], 7);
    assert_not_confirmed(&sim, &answer);
    assert!(
        answer.to_string().contains("no answer came within 2 s"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_client_without_elicitation_is_not_asked() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server(&sim, &env, &[]).await;
    let mut client = session(&server, false).await;
    let answer = client.request("tools/call", win_lead(), &[]).await;
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn a_dry_run_is_never_asked_about() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server(&sim, &env, &[]).await;
    let client = session(&server, true).await;
    let mut params = win_lead();
    params["arguments"]["dry_run"] = json!(true);
    let mut events = Events::of(client.post(&call(8, params), &[]).await);
    let answer = events.next().await;
    assert_eq!(answer["id"], 8, "the first message is the answer: {answer}");
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert!(writes(&sim).is_empty());
}

#[tokio::test]
async fn a_tool_not_listed_is_not_asked_about() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server(&sim, &env, &[]).await;
    let client = session(&server, true).await;
    let note = json!({"name": "add_note", "arguments": {"lead_id": LEAD, "note": "called back"}});
    let mut events = Events::of(client.post(&call(9, note), &[]).await);
    let answer = events.next().await;
    assert_eq!(answer["id"], 9, "{answer}");
    assert_eq!(writes(&sim).len(), 1);
}

async fn sse_session(server: &HttpServer) -> SseClient {
    let mut sse = SseClient::connect(server, &[]).await;
    let answer = sse
        .request("initialize", initialize_params(true, "2024-11-05"), &[])
        .await;
    assert_eq!(answer["result"]["protocolVersion"], "2024-11-05");
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(sse.post(&initialized, &[]).await.status(), 202);
    sse
}

async fn next_message(sse: &mut SseClient) -> Value {
    let (event, data) = sse.next_event().await;
    assert_eq!(event, "message");
    serde_json::from_str(&data).unwrap()
}

#[tokio::test]
async fn sse_asks_on_the_sessions_stream() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server(&sim, &env, &[]).await;
    let mut sse = sse_session(&server).await;
    assert_eq!(sse.post(&call(11, win_lead()), &[]).await.status(), 202);
    let request = next_message(&mut sse).await;
    assert_asks_about_winning_the_lead(&request);
    assert_eq!(
        sse.post(&answer_to(&request, decline()), &[])
            .await
            .status(),
        202
    );
    let answer = next_message(&mut sse).await;
    assert_eq!(answer["id"], 11);
    assert_not_confirmed(&sim, &answer);

    assert_eq!(sse.post(&call(12, win_lead()), &[]).await.status(), 202);
    let request = next_message(&mut sse).await;
    assert_asks_about_winning_the_lead(&request);
    assert_eq!(
        sse.post(&answer_to(&request, accept()), &[]).await.status(),
        202
    );
    let answer = next_message(&mut sse).await;
    assert_eq!(answer["id"], 12);
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn stdio_asks_through_rmcps_peer() {
    let (sim, env) = (simulator().await, Isolated::new());
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args(["--confirm-tools", "move_lead"]);
    let mut client = StdioClient::spawn(command);
    let init = client
        .request("initialize", initialize_params(true, "2025-11-25"))
        .await;
    assert_eq!(init["result"]["serverInfo"]["name"], "kommo-mcp", "{init}");
    client.notify("notifications/initialized", json!({})).await;

    let first = client.send_request("tools/call", win_lead()).await;
    let request = client.read_message().await;
    assert_asks_about_winning_the_lead_on_stdio(&request);
    client
        .send_line(&answer_to(&request, decline()).to_string())
        .await;
    let answer = client.read_message().await;
    assert_eq!(answer["id"], first);
    assert_not_confirmed(&sim, &answer);

    let second = client.send_request("tools/call", win_lead()).await;
    let request = client.read_message().await;
    client
        .send_line(&answer_to(&request, accept()).to_string())
        .await;
    let answer = client.read_message().await;
    assert_eq!(answer["id"], second);
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(writes(&sim).len(), 1);
}

/// On stdio rmcp chooses the id (a number).
fn assert_asks_about_winning_the_lead_on_stdio(request: &Value) {
    assert_eq!(request["method"], "elicitation/create", "{request}");
    let message = request["params"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("lead {LEAD}")), "{message}");
}

#[tokio::test]
async fn a_cancelled_call_stops_waiting_for_the_user() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server(&sim, &env, &[]).await;
    let client = session(&server, true).await;
    let mut events = Events::of(client.post(&call(13, win_lead()), &[]).await);
    let request = events.next().await;
    assert_asks_about_winning_the_lead(&request);
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                        "params": {"requestId": 13}});
    assert_eq!(client.post(&cancel, &[]).await.status(), 202);
    let answer = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("the call ends without waiting for the timeout");
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let error = &answer["result"]["structuredContent"]["error"];
    assert_eq!(error["kind"], "cancelled", "{answer}");
    // The user's late answer is dropped.
    let late = client.post(&answer_to(&request, accept()), &[]).await;
    assert_eq!(late.status(), 202);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(writes(&sim).is_empty());
}

#[tokio::test]
async fn across_replicas_the_capability_travels_and_the_answer_must_reach_the_calls_replica() {
    let sim = simulator().await;
    let redis = crate::support::redis::RedisServer::start().await;
    let env = Isolated::new();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let mut command = http_command(
            env.command(),
            &["--confirm-tools", "move_lead", "--confirm-timeout", "2"],
        );
        command
            .args(account_args(&sim))
            .env("KOMMO_MCP_REDIS_URL", redis.url());
        replicas.push(HttpServer::start(command).await);
    }
    let opened = session(&replicas[0], true).await;
    let mut moved = McpClient::new(&replicas[1]);
    moved.session.clone_from(&opened.session);

    // The replica that never saw the `initialize` knows the client can be asked ...
    let mut events = Events::of(moved.post(&call(21, win_lead()), &[]).await);
    let request = events.next().await;
    assert_asks_about_winning_the_lead(&request);
    // ... but an answer that reaches the other replica is dropped: the call times out.
    let elsewhere = opened.post(&answer_to(&request, accept()), &[]).await;
    assert_eq!(elsewhere.status(), 202);
    let answer = events.next().await;
    assert_not_confirmed(&sim, &answer);

    // With the answer on the call's replica, the write goes out.
    let mut events = Events::of(moved.post(&call(22, win_lead()), &[]).await);
    let request = events.next().await;
    let answered = moved.post(&answer_to(&request, accept()), &[]).await;
    assert_eq!(answered.status(), 202);
    let answer = events.next().await;
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(writes(&sim).len(), 1);
    drop((opened, moved));
    for replica in replicas {
        replica.stop().await;
    }
}
